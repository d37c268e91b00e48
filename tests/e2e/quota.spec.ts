/**
 * The browser's storage quota (issue 17): a pull that does not fit says so with the figures,
 * leaves no half image behind, and works once there is room (Chromium's per-origin quota
 * override stands in for a full disk).
 */
import { expect, test } from '@playwright/test';
import { screen, type } from './terminal.ts';

test('a pull past the storage quota says so with the figures, changes nothing, and works once there is room', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  const origin = new URL(page.url()).origin;
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  const cdp = await page.context().newCDPSession(page);
  // room for a little more than what is stored now: not for debian's 4.5 MB layer
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 1_000_000 });

  await type(page, 'docker pull debian:bookworm-slim');
  await expect(screen(page)).toContainText(
    /storage is full \(the browser refused more data: this site stores [\d.]+ MB, and the browser reports a quota of [\d.]+ MB/,
  );
  // the download's progress bar goes with the failed pull
  await expect(page.getByRole('progressbar', { name: /Downloading/ })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/quota-full.png', fullPage: true });
  await type(page, 'docker image inspect debian:bookworm-slim');
  await expect(screen(page)).toContainText('No such image: debian:bookworm-slim');

  // room again
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await type(page, 'docker pull debian:bookworm-slim');
  await type(page, 'docker run --rm debian:bookworm-slim cat /etc/debian_version');
  await expect(page.locator('.xterm-rows > div', { hasText: /^12\.\d+\s*$/ })).toHaveCount(1);
});
