/**
 * The page fits the screen: at phone width (390 px) nothing is wider than the viewport, before and
 * after an image and a container exist, with a lesson open and without, and after a resize from
 * desktop width; the terminal refits its columns. At 1440 px the terminal has room for the tables
 * docker ps and docker history print. Screenshots at 1440, 1280 and 390 px, light and dark.
 */
import { expect, test, type Page } from '@playwright/test';
import { screen, terminal, type } from './terminal.ts';

const columns = async (page: Page) => Number(await terminal(page).getAttribute('data-cols'));

async function ready(page: Page) {
  // xterm draws only while it is on screen
  await screen(page).scrollIntoViewIfNeeded();
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
}

/** The page is no wider than the viewport; else says what sticks out. */
async function fitsWidth(page: Page, where: string) {
  await page.waitForTimeout(300); // a resize is followed by one layout and the terminal's refit
  const { scrollWidth, width, wide } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    wide: [...document.querySelectorAll('main *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.cm-scroller, .rows, .xterm-viewport'))
      .slice(0, 3)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${String(e.className).split(' ')[0]} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`,
      ),
  }));
  expect(
    scrollWidth,
    `${where}: the page is ${scrollWidth} px wide in a ${width} px window; sticking out: ${wide.join(', ')}`,
  ).toBeLessThanOrEqual(width);
}

test('at 390 px nothing is wider than the screen: no image, an image and a container, a lesson, after a resize', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await ready(page);
  await fitsWidth(page, 'playground, no image');
  await type(page, 'docker pull busybox');
  await type(page, 'docker run -d --name a-container-with-a-long-name busybox sleep 600');
  await expect(page.getByRole('region', { name: 'Image layers', exact: true })).toContainText('busybox:latest', { timeout: 30_000 });
  await expect(page.getByRole('region', { name: /^Containers/ })).toContainText('a-container-with-a-long-name', { timeout: 30_000 });
  await fitsWidth(page, 'playground, with an image and a container');
  await page.getByRole('button', { name: 'Whole image: files and wasted space' }).click();
  await expect(page.getByText(/wasted/).first()).toBeVisible();
  await fitsWidth(page, 'playground, the image files open');
  expect(await columns(page)).toBeLessThan(40);
  await page.getByRole('region', { name: 'Image layers', exact: true }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/layout-390-image-files.png' });
  await page.getByRole('region', { name: /^Containers/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/layout-390-containers.png' });

  page.once('dialog', (d) => void d.accept()); // leaving while a container runs asks first
  await page.goto('/?lesson=07-containers-vs-vms');
  await ready(page);
  await fitsWidth(page, 'lesson 7 open');
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/screenshots/layout-390-lesson.png' });
  await page.getByRole('region', { name: /^Containers/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/layout-390-lesson-pictures.png' });

  // from desktop width down to a phone's: the terminal refits, the page follows the window
  await page.setViewportSize({ width: 1440, height: 900 });
  page.once('dialog', (d) => void d.accept());
  await page.goto('/');
  await ready(page);
  const wide = await columns(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsWidth(page, 'resized from 1440 to 390 px');
  await expect.poll(() => columns(page)).toBeLessThan(wide / 2);
  await page.setViewportSize({ width: 1440, height: 900 });
  await expect.poll(() => columns(page)).toBe(wide);
});

test('at 1440 px the terminal has room for docker ps and docker history; 1280 and 390 px, light and dark', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await ready(page);
  // without a lesson, the terminal has the wide column
  expect(await columns(page)).toBeGreaterThanOrEqual(110);
  await type(page, 'docker run -d --name web busybox sleep 600');
  await type(page, 'docker ps');
  await type(page, 'docker history busybox');
  // each row of the tables is one line of the screen (a wrapped row would split NAMES or COMMENT off)
  await expect(screen(page)).toContainText('COMMENT');
  const rows = (await screen(page).locator(':scope > div').allInnerTexts()).map((r) => r.replace(/\u00a0/g, ' '));
  expect(rows.find((r) => r.startsWith('CONTAINER ID'))).toMatch(/NAMES\s*$/);
  expect(rows.find((r) => r.startsWith('IMAGE'))).toMatch(/COMMENT\s*$/);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1440, 1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await fitsWidth(page, `playground at ${width} px, ${scheme}`);
      await page.evaluate(() => scrollTo(0, 0));
      await page.screenshot({ path: `test-results/screenshots/layout-${width}-${scheme}-playground.png` });
    }
  }
  // beside a lesson at 1440 px the terminal is the first panel of the workspace's one column
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1440, height: 900 });
  page.once('dialog', (d) => void d.accept());
  await page.goto('/?lesson=02-images-and-containers');
  await ready(page);
  expect(await columns(page)).toBeGreaterThanOrEqual(100);
  const box = async (name: RegExp) => (await page.getByRole('region', { name }).boundingBox())!;
  // the lesson's pictures follow the terminal: the containers, then the machine
  expect((await box(/^Containers/)).y).toBeLessThan((await box(/^Virtual machine/)).y);
  expect((await box(/^Virtual machine/)).y).toBeLessThan((await box(/^Workspace/)).y);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1440, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await fitsWidth(page, `lesson at ${width} px, ${scheme}`);
      await page.screenshot({ path: `test-results/screenshots/layout-${width}-${scheme}-lesson.png` });
    }
  }
});
