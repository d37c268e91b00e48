import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

const screen = (page: Page) => page.locator('.xterm-rows');
const terminal = (page: Page) => page.getByRole('region', { name: 'Terminal: type docker commands' });
const commandsRun = async (page: Page) => Number(await terminal(page).getAttribute('data-commands'));

/** Waits until the terminal has run `count` lines and is not busy. */
async function settled(page: Page, count: number) {
  await expect.poll(() => commandsRun(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(count);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
}

/** Types a line into the terminal and waits for the command to finish. */
async function type(page: Page, line: string) {
  const before = await commandsRun(page);
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await settled(page, before + 1);
}

test('the built site restores the guest in a worker and runs docker in its terminal', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  // the page is usable before the guest is ready
  await expect(page.getByRole('heading', { name: 'LayerLab' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Virtual machine' }).getByRole('status')).toContainText('Linux is running', {
    timeout: 60_000,
  });
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 30_000 });
  await expect(page.getByText(/^Linux 6\.1\.\d+$/)).toBeVisible();
  // v86 runs in the worker, not on the page, and the page needs no cross-origin isolation
  expect(await page.evaluate(() => ({ isolated: crossOriginIsolated, v86OnPage: 'V86' in window }))).toEqual({
    isolated: false,
    v86OnPage: false,
  });

  await type(page, 'docker run --rm busybox uname -a');
  await expect(screen(page)).toContainText("Unable to find image 'busybox:latest' locally", { timeout: 30_000 });
  await expect(screen(page)).toContainText(/Linux [0-9a-f]{12} 6\.1\.\d+ .* i686/, { timeout: 30_000 });
  await type(page, 'docker run --name web busybox sh -c "echo hi > /tmp/x"');
  await type(page, 'docker diff web');
  await expect(screen(page)).toContainText('A /tmp/x', { timeout: 20_000 });
  await type(page, 'docker ps -a');
  await expect(screen(page)).toContainText(/Exited \(0\).*web/);
  await page.screenshot({ path: 'test-results/screenshots/terminal.png', fullPage: true });
  // the terminal follows a switch to dark mode while it is open, and back
  const termBackground = () => page.locator('.xterm-scrollable-element').evaluate((v) => getComputedStyle(v).backgroundColor);
  expect(await termBackground()).toBe('rgb(255, 255, 255)');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(termBackground).toBe('rgb(11, 14, 20)');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(termBackground).toBe('rgb(255, 255, 255)');

  // state lives in IndexedDB: after a reload the image and the container are still there
  await page.reload();
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker images');
  await expect(screen(page)).toContainText(/busybox\s+latest\s+[0-9a-f]{12}/, { timeout: 20_000 });
  await type(page, 'docker ps -a --format "{{.Names}} {{.Status}}"');
  await expect(screen(page)).toContainText(/web Exited \(0\)/, { timeout: 20_000 });
  expect(errors).toEqual([]);
});

test('docker run -it attaches a pty, and vm shows containers as processes on the machine', async ({ page }) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run -d --name sleeper busybox sleep 1000');
  // an interactive shell inside a container: PID 1, its own hostname
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('docker run -it --rm --hostname box busybox sh');
  await page.keyboard.press('Enter');
  await expect(screen(page)).toContainText('/ #', { timeout: 30_000 });
  await page.keyboard.type('echo pid=$$ host=$(hostname)');
  await page.keyboard.press('Enter');
  await expect(screen(page)).toContainText('pid=1 host=box');
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
  // docker exec -it: a second process in the running container, with its own pty
  await page.keyboard.type('docker exec -it sleeper sh');
  await page.keyboard.press('Enter');
  // typed at once, while the exec starts: the keys wait for the shell like a terminal's typeahead
  await page.keyboard.type('echo "sleepers=$(ps | grep -c "[s]leep 1000")"; tty');
  await page.keyboard.press('Enter');
  await expect(screen(page)).toContainText('sleepers=1');
  await expect(screen(page)).toContainText('/dev/pts/');
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
  // the view from outside: the machine's own shell
  await page.keyboard.type('vm');
  await page.keyboard.press('Enter');
  await expect(screen(page)).toContainText('vm:', { timeout: 20_000 });
  await page.keyboard.type('ps | grep "[s]leep 1000"; ls /var/lib/layerlab/c | wc -l');
  await page.keyboard.press('Enter');
  await expect(screen(page)).toContainText(/\d+ +root .*sleep 1000/);
  await page.screenshot({ path: 'test-results/screenshots/vm-shell.png', fullPage: true });
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
  await type(page, 'docker rm -f sleeper');
  await expect(page.locator('.xterm-rows > div', { hasText: /^sleeper\s*$/ })).toHaveCount(1);
});

test('docker save downloads an archive, a picked archive is loaded with docker load, and anything else is refused with a reason', async ({
  page,
}) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker pull busybox');
  const download = page.waitForEvent('download');
  await type(page, 'docker save -o busybox.tar busybox');
  const file = await download;
  expect(file.suggestedFilename()).toBe('busybox.tar');
  const path = await file.path();
  await type(page, 'docker rmi busybox');
  await expect(screen(page)).toContainText('Untagged: busybox:latest');

  await expect(page.getByRole('button', { name: 'Load image…' })).toBeEnabled();
  await page
    .locator('section[aria-labelledby="terminal-title"] input[type=file]')
    .setInputFiles({ name: 'busybox.tar', mimeType: 'application/x-tar', buffer: readFileSync(path) });
  await expect(screen(page)).toContainText('docker load -i "busybox.tar"', { timeout: 20_000 });
  await expect(screen(page)).toContainText('Loaded image: busybox:latest', { timeout: 20_000 });

  await page
    .locator('section[aria-labelledby="terminal-title"] input[type=file]')
    .setInputFiles({ name: 'notes.tar', mimeType: 'application/x-tar', buffer: Buffer.from('not an archive') });
  await expect(screen(page)).toContainText(/docker load -i "notes\.tar"[\s\S]*(not a `docker save` archive|invalid archive|tar)/, {
    timeout: 20_000,
  });
});

test('storage use is shown and reset everything asks first, then forgets every image', async ({ page }) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker pull busybox');
  const storage = page.getByRole('region', { name: 'Stored in this browser' });
  await expect(storage).toContainText(/Images\s*1 · 2\.06MB/);
  await page.getByRole('button', { name: 'Reset everything…' }).click();
  await expect(page.getByRole('alertdialog')).toContainText('cannot be undone');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Yes, reset everything' }).click()]);
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker images -q');
  await expect(storage).toContainText(/Images\s*0 · 0B/);
  await page.screenshot({ path: 'test-results/screenshots/after-reset.png', fullPage: true });
});

test('edit the Dockerfile, build with the Build button, change a file and rebuild from the cache', async ({ page }) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await page
    .getByRole('treeitem', { name: /Dockerfile/ })
    .first()
    .click();
  const editor = page.locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('FROM busybox\nWORKDIR /app\nCOPY app.py .\nRUN wc -c app.py > size.txt\nCMD ["cat", "size.txt"]\n');
  // a typo is flagged on its line as you type
  await page.keyboard.type('FRUM x');
  await expect(page.getByRole('list', { name: 'Problems in the Dockerfile' })).toContainText('Line 6');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Backspace');
  await expect(page.getByRole('list', { name: 'Problems in the Dockerfile' })).toHaveCount(0);

  const before = await commandsRun(page);
  await page.getByRole('button', { name: 'Build' }).click();
  await settled(page, before + 1);
  await expect(screen(page)).toContainText(/naming to docker\.io\/library\/app:latest/);
  await page.screenshot({ path: 'test-results/screenshots/build.png', fullPage: true });

  // change app.py: FROM and WORKDIR come from the cache, COPY and everything after it rebuild
  await page
    .getByRole('treeitem', { name: /app\.py/ })
    .first()
    .click();
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# changed\n');
  const again = await commandsRun(page);
  await page.getByRole('button', { name: 'Build' }).click();
  await settled(page, again + 1);
  await expect(screen(page)).toContainText(/\[2\/4\] WORKDIR \/app\s*#\d+ CACHED/);
  // the build panel: which steps the cache reused and where the cascade of rebuilt steps began
  const panel = page.getByRole('region', { name: /^Build/ });
  await expect(panel.getByRole('status')).toContainText('from the cache');
  await expect(panel.getByRole('status')).toContainText('the change at step 3 rebuilt it and every step after it');
  await expect(panel.locator('.step.cached')).toHaveCount(1);
  await expect(panel.locator('.step.cached')).toContainText('WORKDIR /app');
  await expect(panel.locator('.step.cascade')).toContainText('COPY app.py .');
  await page.screenshot({ path: 'test-results/screenshots/build-panel.png', fullPage: true });
  await expect(screen(page)).toContainText(/\[3\/4\] COPY app\.py \.(?!\s*#\d+ CACHED)/);
  await page.screenshot({ path: 'test-results/screenshots/rebuild.png', fullPage: true });
  await type(page, 'docker run --rm app');
  await expect(screen(page)).toContainText(/\d+ app\.py/);
  await type(page, 'docker history --no-trunc app');
  await expect(screen(page)).toContainText('RUN /bin/sh -c wc -c app.py > size.txt # buildkit');
});

test('the image picture shows each layer with its instruction, size and file counts', async ({ page }) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker pull busybox');
  const picture = page.getByRole('figure', { name: /Layers of busybox:latest/ });
  await expect(picture).toContainText('1 layer · 2.06MB');
  const layer = picture.getByRole('button', { name: /ADD/ });
  await expect(layer).toContainText('+');
  await layer.click();
  await expect(picture).toContainText('Every container of this image shares it');
  await expect(picture).toContainText('CMD');
  await page.screenshot({ path: 'test-results/screenshots/layers.png', fullPage: true });
});

test('containers are drawn as shared read-only layers plus their own read-write layer, volumes beside them', async ({ page }) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run --name one busybox sh -c "echo hi > /tmp/created-in-one"');
  await type(page, 'docker run --name two -v notes:/data busybox sh -c "echo kept > /data/note"');
  const pictures = page.getByRole('region', { name: /Containers/ });
  const one = pictures.getByRole('article', { name: /^Container one,/ });
  await expect(one).toContainText('A /tmp/created-in-one', { timeout: 20_000 });
  await expect(pictures.getByRole('article', { name: /^Container two,/ })).toContainText('notes → /data');
  // both containers sit on the same read-only layers of busybox
  await expect(pictures.getByRole('figure')).toHaveCount(1);
  await expect(pictures).toContainText('shared by 2 containers');
  await expect(pictures).toContainText('⛁ notes');
  await page.screenshot({ path: 'test-results/screenshots/containers.png', fullPage: true });
  await type(page, 'docker rm one');
  await expect(pictures.getByRole('article', { name: /^Container one,/ })).toHaveCount(0, { timeout: 20_000 });
});

test('a named volume keeps its data after the container is removed and the page reloads; the VM lists running containers', async ({
  page,
}) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run --name writer -v data:/data busybox sh -c "echo survives > /data/file"');
  await type(page, 'docker rm writer');
  await type(page, 'docker run -d --name sleeper busybox sleep 1000');
  await expect(page.getByRole('list', { name: 'Running containers, as processes of the machine' })).toContainText(
    /PID \d+ sleeper sleep 1000/,
    { timeout: 20_000 },
  );
  // a container runs: the page asks before a reload (tests/e2e/pictures-and-reload.spec.ts)
  page.once('dialog', (d) => void d.accept());
  await page.reload();
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run --rm -v data:/data busybox cat /data/file');
  await expect(screen(page)).toContainText('survives');
  // a container that was running when the page went away comes back as exited, like after a daemon restart
  await type(page, 'docker ps -a --format "{{.Names}} {{.Status}}"');
  await expect(screen(page)).toContainText(/sleeper Exited \(255\)/);
});

test('selecting a layer shows its files coloured by change; the whole image shows wasted space', async ({ page }) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await page
    .getByRole('treeitem', { name: /Dockerfile/ })
    .first()
    .click();
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('FROM busybox\nRUN head -c 50000 /dev/zero > /big && echo v1 > /etc/motd\nRUN rm /big /etc/shadow\n');
  const before = await commandsRun(page);
  await page.getByRole('button', { name: 'Build' }).click();
  await settled(page, before + 1);
  const picture = page.getByRole('figure', { name: /Layers of app:latest/ });
  await picture.getByRole('button', { name: /RUN rm \/big/ }).click();
  const files = page.getByRole('group', { name: /^(Files as of layer|The image's)/ });
  await expect(files).toContainText('Files as of layer 3 of 3');
  await expect(files).toContainText('2 removed');
  await page.getByRole('checkbox', { name: 'changes only' }).check();
  await expect(files.locator('li.removed').first()).toContainText(/big|shadow/);
  await page.getByRole('button', { name: 'Whole image: files and wasted space' }).click();
  await expect(files).toContainText(/wasted 50(\.\d)?kB/);
  await page.screenshot({ path: 'test-results/screenshots/files.png', fullPage: true });
});

test("the seed's Python example builds from the default workspace and runs", async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  const before = await commandsRun(page);
  await page.getByRole('button', { name: 'Build' }).click();
  await expect.poll(() => commandsRun(page), { timeout: 10_000 }).toBeGreaterThan(before);
  // FROM python:3.11-slim downloads the image first: a progress bar says so
  await expect(page.getByRole('progressbar', { name: 'Downloading python:3.11-slim' })).toBeVisible({ timeout: 30_000 });
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 240_000 });
  await expect(screen(page)).toContainText('naming to docker.io/library/app:latest');
  await type(page, 'docker run --rm app');
  await expect(screen(page)).toContainText(/Hello/);
  // COPY kept the workspace file's time (a recent file: ls shows the time of day, not a year)
  await type(page, 'docker run --rm app ls -l app.py');
  await expect(screen(page)).toContainText(/ [A-Z][a-z]{2} +\d+ \d\d:\d\d app\.py/, { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/python-app.png', fullPage: true });
});

test('a failing build step is pointed at on its line in the editor', async ({ page }) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await page
    .getByRole('treeitem', { name: /Dockerfile/ })
    .first()
    .click();
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('FROM busybox\nRUN echo about to fail && exit 3\n');
  const before = await commandsRun(page);
  await page.getByRole('button', { name: 'Build' }).click();
  await settled(page, before + 1);
  await expect(screen(page)).toContainText('did not complete successfully: exit code: 3');
  await expect(page.getByRole('list', { name: 'Problems in the Dockerfile' })).toContainText('Line 2: The build failed here');
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(1);
  // editing the file clears the stale mark
  await page.keyboard.type('# fixed\n');
  await expect(page.getByRole('list', { name: 'Problems in the Dockerfile' })).toHaveCount(0);
});
