/**
 * Automated accessibility checks (axe-core, WCAG 2.1 A and AA rules) on every view a student
 * meets: the playground with the guest running and an image built, the lesson list, a lesson, the
 * Share dialog, and both colour schemes. axe finds what a machine can (names, roles, contrast,
 * structure); keyboard paths are covered by the feature tests.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const screen = (page: Page) => page.locator('.xterm-rows');

/** The violations axe reports for the page as it is now, one readable line each. */
async function violations(page: Page, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  // xterm's own helper elements (a hidden textarea it focuses, its measuring spans) are outside
  // our markup; the terminal region around them is checked
  builder = builder.exclude('.xterm-helpers').exclude('.xterm-accessibility');
  if (include) builder = builder.include(include);
  const { violations: found } = await builder.analyze();
  return found.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`),
  );
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the playground and the lessons have no axe violations (${scheme})`, async ({ page }) => {
    test.setTimeout(5 * 60_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
    // with content in every picture: build the example workspace's neighbour, a busybox image
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('docker run --name a11y busybox sh -c "echo hi > /x"');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('region', { name: 'Containers' })).toContainText('a11y', { timeout: 60_000 });
    expect(await violations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Share…' }).click();
    await expect(page.getByRole('dialog', { name: 'Share this workspace' })).toBeVisible();
    expect(await violations(page, 'dialog')).toEqual([]);
    await page.keyboard.press('Escape');

    await page.getByRole('link', { name: 'Lessons' }).click();
    await expect(page.getByRole('list', { name: 'Lessons' })).toBeVisible();
    expect(await violations(page)).toEqual([]);

    await page.goto('/?lesson=02-images-and-containers');
    await expect(page.getByRole('complementary', { name: 'Lesson' })).toBeVisible();
    await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
    await page
      .getByRole('complementary', { name: 'Lesson' })
      .getByRole('button', { name: /Look inside with inspect/ })
      .click();
    expect(await violations(page)).toEqual([]);
  });
}
