/**
 * Teacher links: a Share link opens the same workspace as a workspace of its own (the visitor's
 * files are untouched and one click away), read-only links cannot be edited, a teacher's exercise
 * is checked against the real engine, a 60 KB workspace travels, and broken links change nothing.
 */
import { expect, test, type Page } from '@playwright/test';
import { commandsRun, screen, terminal, type } from './terminal.ts';
import { encodeShare } from '../../src/app/share/link.ts';

const fileTree = (page: Page) => page.getByRole('tree');

/** Replaces the open file's text in the editor. */
async function edit(page: Page, text: string) {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

test('a shared link opens as its own workspace; the visitor returns to theirs unchanged', async ({ page }) => {
  await page.goto('/');
  await fileTree(page)
    .getByRole('treeitem', { name: /Dockerfile/ })
    .first()
    .click();
  await edit(page, 'FROM busybox\nCMD ["echo", "mine"]\n');
  // the teacher's workspace, made into a link with the Share dialog
  await page.getByRole('button', { name: 'Share…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share this workspace' });
  await dialog.getByLabel('Title').fill('Week 3: <b>layers</b>');
  await dialog.getByLabel(/Commands to run when the link opens/).fill('docker run --rm busybox echo from-the-link');
  await expect(dialog.getByLabel('Link', { exact: true })).toHaveValue(/#share=1\./);
  const link = await dialog.getByLabel('Link', { exact: true }).inputValue();
  await page.screenshot({ path: 'test-results/screenshots/share-dialog.png' });
  await dialog.getByRole('button', { name: 'Close' }).click();

  // now the visitor's own work differs; the link must not overwrite it
  await edit(page, 'FROM busybox\nCMD ["echo", "visitor"]\n');
  await page.goto(link);
  await expect(page.getByText('You are looking at a shared workspace')).toBeVisible();
  await expect(page.getByText('Week 3: <b>layers</b>')).toBeVisible(); // text, not markup
  await expect(page.locator('.cm-content')).toContainText('mine');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Run it' }).click();
  await expect(screen(page)).toContainText('from-the-link', { timeout: 60_000 });
  await page.screenshot({ path: 'test-results/screenshots/shared-workspace.png' });
  await page.getByRole('button', { name: 'Back to my workspace' }).click();
  await expect(page.getByText('You are looking at a shared workspace')).toHaveCount(0);
  await expect(page.locator('.cm-content')).toContainText('visitor');
  expect(page.url()).not.toContain('#share=');
});

test('a read-only link cannot be edited, a 60 KB workspace travels in the link', async ({ page }) => {
  const files = [{ path: 'Dockerfile', text: 'FROM busybox\nCOPY . /src\n' }];
  for (let i = 0; i < 20; i++)
    files.push({
      path: `notes/part-${i}.md`,
      text: Array.from(
        { length: 60 },
        (_, j) => `Line ${j} of part ${i}: containers share the machine's kernel (${(i * 7919 + j * 104729) % 100003}).`,
      ).join('\n'),
    });
  const total = files.reduce((n, f) => n + f.text.length, 0);
  expect(total).toBeGreaterThan(60_000);
  const fragment = await encodeShare({ v: 1, files, readOnly: true });
  await page.goto(`/${fragment}`);
  await expect(page.getByText('Read-only', { exact: true })).toBeVisible();
  await expect(fileTree(page).getByRole('treeitem')).toHaveCount(files.length + 1); // + the notes folder
  await expect(page.getByRole('button', { name: 'New file' })).toHaveCount(0);
  await expect(page.locator('.cm-content')).toHaveAttribute('contenteditable', 'false');
  await expect(page.getByRole('button', { name: 'Keep a copy as my playground' })).toHaveCount(0);
});

test('broken and hostile links say what is wrong and change nothing stored', async ({ page }) => {
  await page.goto('/');
  await fileTree(page)
    .getByRole('treeitem', { name: /Dockerfile/ })
    .first()
    .click();
  await edit(page, 'FROM busybox\n# untouched\n');
  await page.waitForTimeout(500); // the workspace saves after a short pause
  const stored = await page.evaluate(() => localStorage.getItem('layerlab.workspace'));
  const good = await encodeShare({ v: 1, files: [{ path: 'Dockerfile', text: 'FROM busybox\n' }] });
  const cases: [string, RegExp][] = [
    [good.slice(0, good.length - 12), /incomplete|cut off/i],
    [good.replace('#share=1.', '#share=2.'), /newer/i],
    ['#share=1.!!!not-base64!!!', /damaged|corrupt|not a LayerLab link|could not be read/i],
    [await encodeShare({ v: 1, files: [{ path: 'ok.txt', text: '<script>window.pwned = 1</script>' }] }).then((f) => f), /.^/],
  ];
  for (const [fragment, message] of cases.slice(0, 3)) {
    await page.goto(`/${fragment}`);
    const alert = page.getByRole('alert').filter({ hasText: 'This link could not be opened' });
    await expect(alert).toContainText(message);
    await alert.getByRole('button', { name: 'Continue to my workspace' }).click();
    await expect(page.locator('.cm-content')).toContainText('# untouched');
  }
  await page.screenshot({ path: 'test-results/screenshots/share-broken-link.png' });
  // script in file text is shown as text and never runs
  await page.goto(`/${cases[3]![0]}`);
  await fileTree(page)
    .getByRole('treeitem', { name: /ok\.txt/ })
    .click();
  await expect(page.locator('.cm-content')).toContainText('<script>window.pwned = 1</script>');
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await page.getByRole('button', { name: 'Back to my workspace' }).click();
  expect(await page.evaluate(() => localStorage.getItem('layerlab.workspace'))).toBe(stored);
});

test("a teacher's exercise link is checked against the student's real engine", async ({ page }) => {
  const fragment = await encodeShare({
    v: 1,
    title: 'Tag an image',
    files: [{ path: 'Dockerfile', text: 'FROM busybox\nRUN echo built > /built.txt\n' }],
    exercise: {
      task: 'Build the workspace as an image tagged homework.',
      check: { image: { ref: 'homework', layerCreatedBy: 'RUN' } },
      hints: ['Use docker build -t homework .'],
    },
  });
  await page.goto(`/${fragment}`);
  const pane = page.getByRole('complementary', { name: 'Lesson' });
  await expect(pane).toContainText('Build the workspace as an image tagged homework.');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await pane.getByRole('button', { name: 'Check' }).click();
  await expect(pane.getByText('Not yet.')).toBeVisible({ timeout: 30_000 });
  await expect(pane).toContainText('There is no image called homework yet.');
  await expect(pane.getByRole('list', { name: 'Hints' })).toContainText('Use docker build -t homework .');
  await type(page, 'docker build -t homework .');
  await pane.getByRole('button', { name: 'Check' }).click();
  await expect(pane.getByText(/^✓ Done/)).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/share-exercise.png' });
});

test('a teacher builds an exercise with the form; the student reads what is missing in words, then passes', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Share…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share this workspace' });
  await dialog.getByText('Make it an exercise').click();
  await dialog
    .getByLabel(/^Task/)
    .fill('Start a container named web from busybox that keeps running, and write hi there into /tmp/hello.txt inside it.');
  // condition 1: a running container, made from busybox
  const condition = (n: number) => dialog.getByRole('group', { name: `Condition ${n}` });
  await condition(1).getByLabel('What must be true').selectOption({ label: 'A container is running' });
  await condition(1).getByLabel('Container name').fill('web');
  await condition(1)
    .getByLabel(/Made from image/)
    .fill('busybox');
  // condition 2: a file in it, with a text that has regular expression characters in it
  await dialog.getByRole('button', { name: 'Add a condition' }).click();
  await condition(2).getByLabel('What must be true').selectOption({ label: 'A file in a container' });
  await condition(2).getByLabel('Container name').fill('web');
  await condition(2).getByLabel('File path in the container').fill('/tmp/hello.txt');
  await condition(2)
    .getByLabel(/The file contains/)
    .fill('hi there (1)');
  // condition 3: the command that started it, as plain text
  await dialog.getByRole('button', { name: 'Add a condition' }).click();
  await condition(3).getByLabel('What must be true').selectOption({ label: 'A command was run' });
  await condition(3)
    .getByLabel(/The command contains/)
    .fill('docker run -d --name web');
  await expect(dialog.getByLabel('Link', { exact: true })).toHaveValue(/#share=1\./, { timeout: 10_000 });
  await dialog.evaluate((d) => (d.scrollTop = d.scrollHeight));
  await page.screenshot({ path: 'test-results/screenshots/share-check-form.png' });
  await page.setViewportSize({ width: 390, height: 844 });
  await condition(1).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/share-check-form-390.png' });
  await page.setViewportSize({ width: 1280, height: 720 });
  // the JSON is still there, as the advanced option, holding what the form made
  await dialog.getByLabel(/As JSON/).check();
  await expect(dialog.getByLabel(/^Check \(JSON/)).toHaveValue(/"all"/);
  await expect(dialog.getByText('✓ The check is valid.')).toBeVisible();
  await dialog.getByLabel(/With a form/).check();
  await expect(dialog.getByLabel('Link', { exact: true })).toHaveValue(/#share=1\./, { timeout: 10_000 });
  const link = await dialog.getByLabel('Link', { exact: true }).inputValue();
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.goto(link);
  const pane = page.getByRole('complementary', { name: 'Lesson' });
  await expect(pane).toContainText('Start a container named web from busybox');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await pane.getByRole('button', { name: 'Check' }).click();
  await expect(pane.getByText('Not yet.')).toBeVisible({ timeout: 30_000 });
  const failures = pane.locator('.result li, li').filter({ hasText: /container named web|has run yet|does not contain|has no file/ });
  await expect(pane).toContainText('There is no container named web.');
  await expect(pane).toContainText('No command containing "docker run -d --name web" has run yet.');
  for (const text of await failures.allInnerTexts()) expect(text).not.toMatch(/\\|\.\*|\(\?|\[|\^/);
  await type(page, 'docker run -d --name web busybox sleep 600');
  await pane.getByRole('button', { name: 'Check' }).click();
  await expect(pane).toContainText('The container web has no file /tmp/hello.txt.', { timeout: 30_000 });
  await type(page, "docker exec web sh -c 'echo hi there > /tmp/hello.txt'");
  await pane.getByRole('button', { name: 'Check' }).click();
  await expect(pane).toContainText('The file /tmp/hello.txt in web does not contain "hi there (1)" yet.', { timeout: 30_000 });
  await type(page, 'docker exec web sh -c \'echo "hi there (1)" > /tmp/hello.txt\'');
  await pane.getByRole('button', { name: 'Check' }).click();
  await expect(pane.getByText(/^✓ Done/)).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/share-check-form-done.png' });
});

test("a link's commands that delete the visitor's things are marked and asked about before they run", async ({ page }) => {
  test.setTimeout(120_000);
  const fragment = await encodeShare({
    v: 1,
    files: [{ path: 'Dockerfile', text: 'FROM busybox\n' }],
    commands: ['docker ps', 'docker rm -f keepme'],
  });
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker create --name keepme busybox');
  await page.goto(`/${fragment}`);
  const notice = page.locator('.link-commands');
  await expect(notice).toContainText('docker rm -f keepme — removes containers');
  await expect(notice).toContainText('One command deletes things of yours');
  await expect(notice.getByText('docker ps —')).toHaveCount(0);
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await page.screenshot({ path: 'test-results/screenshots/share-destructive.png' });
  const asked: string[] = [];
  page.once('dialog', (d) => {
    asked.push(d.message());
    void d.dismiss();
  });
  await notice.getByRole('button', { name: 'Run them' }).click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toContain('docker rm -f keepme  (removes containers)');
  // said no: nothing ran, the suggestion stays
  await expect(notice).toBeVisible();
  await type(page, 'docker ps -a --format "{{.Names}}"');
  await expect(page.locator('.xterm-rows > div', { hasText: /^keepme\s*$/ })).toHaveCount(1);
  page.once('dialog', (d) => void d.accept());
  const before = await commandsRun(page);
  await notice.getByRole('button', { name: 'Run them' }).click();
  await expect(notice).toHaveCount(0);
  await expect.poll(() => commandsRun(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(before + 2);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
  await type(page, 'docker ps -a --format "still:{{.Names}}"');
  await expect(screen(page)).not.toContainText('still:keepme');
});
