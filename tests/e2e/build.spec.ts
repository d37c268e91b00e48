/**
 * The Build panel while a build runs and when it ends: a ticking clock and the running step's
 * latest lines, a clear failed or cancelled end, and a build cut off by a reload said so after it,
 * with no container left behind. Small busybox Dockerfiles keep it fast.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const screen = (page: Page) => page.locator('.xterm-rows');
const terminal = (page: Page) => page.getByRole('region', { name: 'Terminal: type docker commands' });
const panel = (page: Page) => page.getByRole('region', { name: /^Build/ });
const commandsRun = async (page: Page) => Number(await terminal(page).getAttribute('data-commands'));

async function settled(page: Page, count: number) {
  await expect.poll(() => commandsRun(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(count);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
}

async function type(page: Page, line: string) {
  const before = await commandsRun(page);
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await settled(page, before + 1);
}

/** axe's WCAG 2.1 A/AA violations in the Build panel as it is now. */
async function panelViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .include('section[aria-labelledby="build-title"]')
    .analyze();
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

/** Opens the playground with `dockerfile` in the editor, busybox pulled and the machine ready. */
async function start(page: Page, dockerfile: string) {
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker pull busybox');
  await page
    .getByRole('treeitem', { name: /Dockerfile/ })
    .first()
    .click();
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(dockerfile);
}

/** Clicks Build and waits until the build's command runs. */
async function build(page: Page) {
  const before = await commandsRun(page);
  await page.getByRole('button', { name: 'Build', exact: true }).click();
  await expect.poll(() => commandsRun(page)).toBeGreaterThan(before);
  return before + 1;
}

test("a slow RUN: the panel shows a ticking clock and the step's latest output while it runs", async ({ page }) => {
  await start(page, 'FROM busybox\nRUN for i in 1 2 3 4 5 6; do echo line$i; sleep 1; done\n');
  const ran = await build(page);
  const running = panel(page).locator('.step.running');
  await expect(running).toContainText('RUN for i in 1 2 3 4 5 6', { timeout: 30_000 });
  const shownAt = Date.now();
  // the step's own output, while it still runs: in the panel and in the terminal
  await expect(running.getByLabel('Latest output')).toContainText('line1', { timeout: 10_000 });
  const firstLineMs = Date.now() - shownAt;
  await expect(screen(page)).toContainText(/#\d+ \d+\.\d{3} line1/);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'true');
  // the clock ticks
  const seconds = async () => Number((await running.locator('.time').textContent())?.replace('s', ''));
  const t1 = await seconds();
  await page.waitForTimeout(1200);
  const t2 = await seconds();
  expect(t2).toBeGreaterThan(t1 + 0.5);
  await expect(panel(page).locator('.summary .clock')).toHaveText(/^\d+\.\ds$/);
  await expect(panel(page).getByRole('status')).toContainText('Building… step 2 of 2');
  // later lines replace the earlier ones: the last two are shown
  await expect(running.getByLabel('Latest output')).toContainText('line3', { timeout: 10_000 });
  await expect(running.getByLabel('Latest output').locator('.line')).toHaveCount(2);
  await page.setViewportSize({ width: 1440, height: 900 });
  await panel(page).screenshot({ path: 'test-results/screenshots/build-running-1440.png' });
  expect(await panelViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  await panel(page).screenshot({ path: 'test-results/screenshots/build-running-dark.png' });
  expect(await panelViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => panel(page).evaluate((e) => e.getBoundingClientRect().width)).toBeLessThan(420);
  await panel(page).screenshot({ path: 'test-results/screenshots/build-running-390.png' });
  await page.setViewportSize({ width: 1280, height: 720 });

  await settled(page, ran);
  await expect(panel(page).getByRole('status')).toContainText('Built in');
  await expect(panel(page).locator('.step.running')).toHaveCount(0);
  await expect(panel(page).locator('.summary .clock')).toHaveCount(0);
  test.info().annotations.push({ type: 'first line in the panel after the step showed', description: `${firstLineMs} ms` });
});

test('a FROM that fails ends in the failed state with its step marked; a syntax error ends it too', async ({ page }) => {
  await start(page, 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\n');
  await settled(page, await build(page));
  const status = panel(page).getByRole('status');
  await expect(status).toContainText('Build failed at step 1 of 4 (FROM python:3.12-slim)');
  await expect(status).not.toContainText('Building');
  const failed = panel(page).locator('.step.error');
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText('FROM python:3.12-slim');
  await expect(failed).toContainText('ERROR');
  await expect(failed.locator('.err')).toContainText('python:3.12-slim');
  // the editor marks the line, as for a failing RUN
  await expect(page.getByRole('list', { name: 'Problems in the Dockerfile' })).toContainText('Line 1: The build failed here');
  await page.setViewportSize({ width: 1440, height: 900 });
  await panel(page).screenshot({ path: 'test-results/screenshots/build-from-failed-1440.png' });
  expect(await panelViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  await panel(page).screenshot({ path: 'test-results/screenshots/build-from-failed-dark.png' });
  expect(await panelViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 720 });

  // a Dockerfile that does not parse: no step ran, and the panel says why
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('FROM busybox\nFROB x\n');
  await settled(page, await build(page));
  await expect(status).toContainText('Build failed on line 2: unknown instruction: FROB');
  await expect(panel(page).locator('.step')).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Problems in the Dockerfile' })).toContainText(
    'Line 2: The build failed here: unknown instruction: FROB',
  );
});

test('Ctrl-C mid-build ends in the cancelled state, and leaves no container', async ({ page }) => {
  await start(page, 'FROM busybox\nRUN echo started; sleep 60; echo never\n');
  const ran = await build(page);
  const running = panel(page).locator('.step.running');
  await expect(running.getByLabel('Latest output')).toContainText('started', { timeout: 30_000 });
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.press('Control+C');
  await settled(page, ran);
  await expect(panel(page).getByRole('status')).toContainText('Build cancelled at step 2 of 2');
  await expect(panel(page).locator('.step.cancelled')).toContainText('CANCELED');
  await expect(screen(page)).toContainText(/#\d+ CANCELED/);
  await expect(screen(page)).toContainText('ERROR: failed to solve: Canceled: context canceled');
  await expect(screen(page)).toContainText('(exit 130)');
  await panel(page).screenshot({ path: 'test-results/screenshots/build-cancelled.png' });
  expect(await panelViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await panelViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  await type(page, 'docker ps -aq');
  await expect(screen(page)).toContainText(/docker ps -aq\s*layerlab\$/);
  await expect(page.locator('.xterm-rows > div', { hasText: /^[0-9a-f]{12}\s*$/ })).toHaveCount(0);
  await expect(page.getByRole('region', { name: /^Containers/ })).not.toContainText('/bin/sh -c');
});

test('a reload mid-build: the terminal says the build was interrupted, and no container is left', async ({ page }) => {
  await start(page, 'FROM busybox\nRUN echo started; sleep 60; echo never\n');
  const clock = () => page.evaluate(() => new Date().toTimeString().slice(0, 5));
  const before = await clock();
  await build(page);
  await expect(panel(page).locator('.step.running').getByLabel('Latest output')).toContainText('started', { timeout: 30_000 });
  const after = await clock();
  await page.reload();
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await expect(screen(page)).toContainText(
    new RegExp(
      `The build of app \\(started (${before}|${after})\\) was interrupted at \\[2/2\\] RUN echo started; sleep 60; echo never when the page`,
    ),
    { timeout: 20_000 },
  );
  await type(page, 'docker ps -a');
  await expect(screen(page)).toContainText(/CONTAINER ID\s+IMAGE/);
  await expect(screen(page)).not.toContainText('/bin/sh -c');
  await type(page, 'docker images app');
  await expect(page.locator('.xterm-rows > div', { hasText: /^app\s/ })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/build-interrupted.png', fullPage: true });
  // said once: another reload does not repeat it
  await page.reload();
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await expect(screen(page)).not.toContainText('was interrupted');
});
