/**
 * Two tabs of the site: one runs the machine and owns the stores; the other says so and can take
 * over, and the first then stops its machine and says why (Web Locks). Nothing is lost either way.
 */
import { expect, test } from '@playwright/test';
import { screen, terminal, type } from './terminal.ts';

test('a second tab says the machine is in the first, takes it over, and the first says so', async ({ context }) => {
  test.setTimeout(180_000);
  const first = await context.newPage();
  await first.goto('/');
  await expect(screen(first)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(first, 'docker volume create from-the-first-tab');

  const second = await context.newPage();
  await second.goto('/');
  const notice = second.getByRole('alert').filter({ hasText: 'LayerLab is open in another tab' });
  await expect(notice).toBeVisible();
  // the second tab starts no machine of its own meanwhile
  await expect(terminal(second)).toHaveCount(0);
  await second.screenshot({ path: 'test-results/screenshots/two-tabs-elsewhere.png' });

  await notice.getByRole('button', { name: 'Use LayerLab in this tab' }).click();
  await expect(screen(second)).toContainText('The machine is ready', { timeout: 60_000 });
  await expect(
    first.getByRole('alert').filter({ hasText: "LayerLab is running in another tab now, so this tab's machine stopped" }),
  ).toBeVisible({ timeout: 10_000 });
  await expect(terminal(first)).toHaveCount(0);
  // what the first tab stored is there in the second
  await type(second, 'docker volume ls');
  await expect(screen(second)).toContainText('from-the-first-tab');
  await first.screenshot({ path: 'test-results/screenshots/two-tabs-taken.png' });

  // and back
  await first.getByRole('button', { name: 'Use it in this tab again' }).click();
  await expect(screen(first)).toContainText('The machine is ready', { timeout: 60_000 });
  await expect(second.getByRole('alert').filter({ hasText: 'LayerLab is running in another tab now' })).toBeVisible({ timeout: 10_000 });
});
