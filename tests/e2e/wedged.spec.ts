/**
 * A wedged machine (issue 17): when the guest's kernel panics (here: the machine runs out of
 * memory with nothing the OOM killer may kill, from the `vm` shell), LayerLab restarts it from its snapshot,
 * says so in the terminal, and keeps images and containers; a container runs again at once.
 */
import { expect, test, type Page } from '@playwright/test';

const screen = (page: Page) => page.locator('.xterm-rows');
const terminal = (page: Page) => page.getByRole('region', { name: 'Terminal: type docker commands' });
const commandsRun = async (page: Page) => Number(await terminal(page).getAttribute('data-commands'));

async function type(page: Page, line: string, wait = true) {
  const before = await commandsRun(page);
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  if (!wait) return;
  await expect.poll(() => commandsRun(page), { timeout: 120_000 }).toBeGreaterThan(before);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 120_000 });
}

test('a machine whose kernel panics is restarted from its snapshot, and the images and containers stay', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run --name before busybox sh -c "echo kept > /f"');
  // tail keeps everything it reads from an endless file without newlines, and the OOM killer may
  // not kill it: out of memory with nothing to kill, the kernel panics
  await type(page, 'vm echo -1000 > /proc/self/oom_score_adj && exec tail /dev/zero', false);
  await expect(screen(page)).toContainText('its kernel panicked, so LayerLab restarted it from its snapshot', { timeout: 120_000 });
  await expect(page.getByRole('region', { name: 'Virtual machine' })).toContainText('Linux is running', { timeout: 60_000 });
  await page.screenshot({ path: 'test-results/screenshots/machine-restarted.png', fullPage: true });
  await type(page, 'docker start -a before');
  await type(page, 'docker cp before:/f -');
  await type(page, 'docker run --rm busybox echo back again');
  await expect(page.locator('.xterm-rows > div', { hasText: /^back again\s*$/ })).toHaveCount(1);
});
