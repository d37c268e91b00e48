import { expect, test } from '@playwright/test';

test('the built site restores the guest in a worker and shows uname -a from it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  // the page is usable before the guest is ready
  await expect(page.getByRole('heading', { name: 'LayerLab' })).toBeVisible();
  const firstRun = page.getByTestId('run').first();
  await expect(firstRun.getByTestId('stdout')).toContainText(/Linux layerlab 6\.1\.\d+ .* i686/, { timeout: 60_000 });
  await expect(page.getByRole('status')).toContainText('Linux is running');
  // v86 runs in the worker, not on the page, and the page needs no cross-origin isolation
  expect(await page.evaluate(() => ({ isolated: crossOriginIsolated, v86OnPage: 'V86' in window }))).toEqual({ isolated: false, v86OnPage: false });
  await page.screenshot({ path: 'test-results/screenshots/guest-ready.png', fullPage: true });

  // a real command, typed by the user, runs on the guest
  await page.getByRole('textbox', { name: 'Command' }).fill('echo $((6 * 7)) && cat /proc/1/comm; exit 3');
  await page.getByRole('button', { name: 'Run' }).click();
  const second = page.getByTestId('run').nth(1);
  await expect(second).toContainText('42');
  await expect(second).toContainText('layerlab-agent');
  await expect(second).toContainText('exit 3');
  await page.screenshot({ path: 'test-results/screenshots/guest-command.png', fullPage: true });
  expect(errors).toEqual([]);
});
