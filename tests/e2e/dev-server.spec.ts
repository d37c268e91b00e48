/**
 * The README's first command, `npm run dev`: the playground boots its guest, a published port shows
 * in the Preview, a lesson opens, and editing a lesson file reloads it (tests/e2e/serve-dev.mjs serves a copy of lessons/).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const lessonsCopy = join(tmpdir(), `layerlab-dev-lessons-${process.env.E2E_DEV_PORT ?? 5174}`);
const screen = (page: Page) => page.locator('.xterm-rows');
const terminal = (page: Page) => page.getByRole('region', { name: 'Terminal: type docker commands' });

test('under the dev server the playground runs docker, a lesson opens, and an edited lesson reloads', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 120_000 });
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('docker run --rm busybox echo hello from dev');
  await page.keyboard.press('Enter');
  await expect(page.locator('.xterm-rows > div', { hasText: /^hello from dev\s*$/ })).toHaveCount(1, { timeout: 60_000 });
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });

  // the Preview's service worker works under the dev server too
  await page.keyboard.type(
    'docker run -d --name web -p 8080:80 busybox sh -c "echo served-under-dev > /tmp/index.html; httpd -f -p 80 -h /tmp"',
  );
  await page.keyboard.press('Enter');
  const frame = page.frameLocator('iframe[data-preview-port="8080"]');
  await expect(async () => {
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(frame.locator('body')).toContainText('served-under-dev', { timeout: 3_000 });
  }).toPass({ timeout: 60_000 });

  await page.getByRole('link', { name: 'Lessons' }).click();
  const list = page.getByRole('list', { name: 'Lessons' });
  await expect(list).toContainText('What is a container?', { timeout: 60_000 });
  await list.getByRole('button', { name: /What is a container\?/ }).click();
  const pane = page.getByRole('complementary', { name: 'Lesson' });
  await expect(pane.getByRole('heading', { level: 2 })).toHaveText('What is a container?');

  // a lesson author edits the title: the page reloads with it
  const file = join(lessonsCopy, '01-what-is-a-container', 'lesson.md');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('title: What is a container?', 'title: What is a container, edited?'));
  await expect(pane.getByRole('heading', { level: 2 })).toHaveText('What is a container, edited?', { timeout: 30_000 });
  writeFileSync(file, text);
  await expect(pane.getByRole('heading', { level: 2 })).toHaveText('What is a container?', { timeout: 30_000 });
  expect(errors).toEqual([]);
});
