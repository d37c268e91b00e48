/**
 * What a newcomer met: a container running in the foreground is in the pictures while it runs;
 * a FROM naming an image LayerLab does not have is flagged while typing, with a quick fix; and a
 * reload keeps what a running container changed (after the browser asked first).
 */
import { expect, test, type Page } from '@playwright/test';
import { screen, terminal, type } from './terminal.ts';

const containersPanel = (page: Page) => page.locator('section[aria-labelledby="containers-title"]');
const machineCard = (page: Page) => page.getByRole('region', { name: 'Virtual machine' });

/** Types a line; with `wait`, waits until the command has finished. */

test('a container running in the foreground is in the pictures while it runs', async ({ page }) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker pull busybox');
  await type(page, 'docker run --name fg busybox sleep 6', { wait: false });
  await expect(containersPanel(page)).toContainText('fg', { timeout: 5_000 });
  await expect(machineCard(page)).toContainText('fg', { timeout: 5_000 });
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'true');
  await page.screenshot({ path: 'test-results/screenshots/foreground-container.png', fullPage: true });
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
  await expect(machineCard(page)).not.toContainText('fg');
});

test('a FROM naming an image LayerLab does not have is flagged while typing, with a quick fix', async ({ page }) => {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  const editor = page.getByRole('textbox', { name: 'Contents of Dockerfile' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.press('Shift+End');
  await page.keyboard.type('FROM python:3.12-slim');
  const problems = page.getByRole('list', { name: 'Problems in the Dockerfile' });
  await expect(problems).toContainText('LayerLab runs offline and has no python:3.12-slim; the closest tags it has: python:3.13-slim', {
    timeout: 10_000,
  });
  await page.screenshot({ path: 'test-results/screenshots/from-diagnostic.png', fullPage: true });
  await problems.getByRole('button', { name: 'Use python:3.13-slim' }).click();
  await expect(editor).toContainText('FROM python:3.13-slim');
  await expect(problems).toHaveCount(0);
});

test('a reload keeps what a running container changed, and the browser asks before leaving', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run -d --name live busybox sleep 1000');
  await type(page, 'docker exec live sh -c "echo z > /z"');
  await expect(containersPanel(page)).toContainText('/z', { timeout: 10_000 });

  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  await page.reload();
  expect(dialogs).toEqual(['beforeunload']);
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await expect(screen(page)).toContainText(
    /The container live was running when the page was reloaded or closed: it has exited \(255\) and keeps its files as of \d\d:\d\d:\d\d\./,
  );
  await type(page, 'docker ps -a --format "{{.Names}} {{.Status}}"');
  await expect(screen(page)).toContainText(/live Exited \(255\)/);
  await type(page, 'docker diff live');
  await expect(page.locator('.xterm-rows > div', { hasText: /^A \/z\s*$/ })).toHaveCount(1);
  await type(page, 'docker inspect -f "{{.State.Error}}" live');
  await expect(screen(page)).toContainText('interrupted: the machine stopped while the container was running');
  await type(page, 'docker start live');
  await type(page, 'docker exec live cat /z');
  await expect(page.locator('.xterm-rows > div', { hasText: /^z\s*$/ })).toHaveCount(1);
  await type(page, 'docker rm -f live');
  // nothing runs (once the pictures say so, as the student sees it): a reload no longer asks
  await expect(containersPanel(page)).toContainText('No containers yet', { timeout: 10_000 });
  await page.reload();
  expect(dialogs).toEqual(['beforeunload']);
});

test('a reload 8 s into a container writing to a volume keeps its lines up to the last save', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(
    page,
    `docker run -d --name writer -v keep:/d busybox sh -c 'i=0; while :; do i=$((i+1)); echo "line $i" >> /d/log; sleep 0.2; done'`,
  );
  // no command typed meanwhile: only the engine's own saves while it runs keep the lines
  await page.waitForTimeout(8_000);
  page.on('dialog', (d) => void d.accept());
  await page.reload();
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, `docker run --rm -v keep:/d busybox sh -c 'echo "lines=$(wc -l < /d/log) last=$(tail -n 1 /d/log)"'`);
  const text = (await screen(page).innerText()).replace(/\s+/g, ' ');
  const [, lines, last] = /lines=(\d+) last=line (\d+)/.exec(text) ?? [];
  // about 5 lines a second for 8 s, saved every 5 s: at least the first save's, each line whole
  expect(Number(lines)).toBeGreaterThanOrEqual(15);
  expect(last).toBe(lines);
  await type(page, 'docker rm -f writer');
});
