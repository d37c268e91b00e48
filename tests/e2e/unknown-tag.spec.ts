/**
 * The seed's Dockerfile typed verbatim: `FROM python:3.12-slim` names a tag LayerLab does not
 * ship. The editor marks the line while typing, names the closest tags the catalog has, and its
 * quick fix (a button in CodeMirror's lint tooltip) writes the nearest one in.
 */
import { expect, test } from '@playwright/test';

test('a FROM naming a tag LayerLab lacks is marked while typing; the quick fix writes the nearest tag', async ({ page }) => {
  await page.goto('/');
  // the catalog reaches the diagnostics once the machine is up
  await expect(page.locator('.xterm-rows')).toContainText('The machine is ready', { timeout: 60_000 });
  await page
    .getByRole('treeitem', { name: /Dockerfile/ })
    .first()
    .click();
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('FROM python:3.12-slim\nWORKDIR /app\n');

  const problems = page.getByRole('list', { name: 'Problems in the Dockerfile' });
  await expect(problems).toContainText(
    'Line 1: LayerLab runs offline and has no python:3.12-slim; the closest tags it has: python:3.13-slim, python:3.11-slim',
  );

  // CodeMirror's own tooltip on the marked text: the message and the quick fix
  await page.locator('.cm-lintRange-error').first().hover();
  const tooltip = page.locator('.cm-tooltip-lint');
  await expect(tooltip).toContainText('has no python:3.12-slim');
  // CodeMirror names it "Action: Use python:3.13-slim."
  const action = tooltip.getByRole('button', { name: /Use python:3\.13-slim/ });
  await expect(action).toBeVisible();
  const nearest = /Use (\S+)$/.exec((await action.textContent())!.trim())![1]!;
  // the tooltip floats above or below the line: a picture of the page around both
  const editor = (await page.locator('.cm-editor').boundingBox())!;
  const tip = (await tooltip.boundingBox())!;
  const top = Math.max(0, Math.min(editor.y, tip.y) - 8);
  const bottom = Math.max(editor.y + 120, tip.y + tip.height) + 8;
  const left = Math.max(0, Math.min(editor.x, tip.x) - 8);
  const right = Math.max(editor.x + editor.width, tip.x + tip.width) + 8;
  await page.screenshot({
    path: 'test-results/screenshots/unknown-tag-diagnostic.png',
    clip: { x: left, y: top, width: right - left, height: bottom - top },
  });

  await action.click();
  await expect(page.locator('.cm-line').first()).toHaveText(`FROM ${nearest}`);
  await expect(page.locator('.cm-line').nth(1)).toHaveText('WORKDIR /app');
  await expect(page.locator('.cm-lintRange-error')).toHaveCount(0);
  await expect(problems).toHaveCount(0);
});
