/**
 * Every lesson, through its solution path, in Chromium against the real guest: each step's Run
 * buttons, then for an exercise "Show me" and Check, which must pass. And a wrong attempt is
 * reported as not yet done, with a hint.
 */
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { loadLessons } from '../../src/content/compile/load-lessons.ts';

const lessons = loadLessons(resolve('lessons'));
const terminal = (page: Page) => page.getByRole('region', { name: 'Terminal: type docker commands' });
const screen = (page: Page) => page.locator('.xterm-rows');
const commandsRun = async (page: Page) => Number(await terminal(page).getAttribute('data-commands'));
const pane = (page: Page) => page.getByRole('complementary', { name: 'Lesson' });

/** Waits until the terminal has run `count` lines and is not busy. */
async function settled(page: Page, count: number, timeout = 240_000) {
  await expect.poll(() => commandsRun(page), { timeout }).toBeGreaterThanOrEqual(count);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout });
}

/** The demo's two times in ms, from its bars' label ("Boot a virtual machine: 5.12 s. Start a container: 98 ms."). */
function demoFigures(label: string): { vm: number; container: number } {
  const ms = (m: RegExpExecArray | null) => (m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN);
  return { vm: ms(/virtual machine: ([\d.]+) (s|ms)/.exec(label)), container: ms(/container: ([\d.]+) (s|ms)/.exec(label)) };
}

async function openLesson(page: Page, id: string) {
  await page.goto(`/?lesson=${id}`);
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  // the lesson's images are fetched on open
  await expect(pane(page).getByRole('status').filter({ hasText: 'Getting the image' })).toHaveCount(0, { timeout: 120_000 });
}

test('the lesson list shows every lesson with its progress', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Lessons' }).click();
  const list = page.getByRole('list', { name: 'Lessons' });
  await expect(list.getByRole('listitem')).toHaveCount(lessons.length);
  for (const l of lessons) await expect(list).toContainText(l.title);
  await page.screenshot({ path: 'test-results/screenshots/lessons-list.png', fullPage: true });
});

// lesson 11 (compose) runs this same flow in lessons-compose.spec.ts, with the waits its builds need and
// what its Preview shows; running it here too would add its builds to the suite twice
for (const lesson of lessons.filter((l) => !l.id.startsWith('11-'))) {
  test(`lesson ${lesson.id} completes through its solution path`, async ({ page }) => {
    test.setTimeout(15 * 60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openLesson(page, lesson.id);
    await expect(pane(page).getByRole('heading', { level: 2 })).toHaveText(lesson.title);
    for (const [i, step] of lesson.steps.entries()) {
      await expect(pane(page).getByRole('heading', { level: 3 })).toHaveText(`${i + 1}. ${step.title}`);
      const runs = pane(page).getByRole('button', { name: /^Run .* in the terminal$/ });
      const n = await runs.count();
      for (let j = 0; j < n; j++) {
        const before = await commandsRun(page);
        await runs.nth(j).click();
        await settled(page, before + 1);
      }
      // a live demo measures on the spot: a second VM boots from its kernel, a container starts
      // pressed twice: the container is measured the same way each time, so its two figures agree
      const demo = pane(page).getByRole('button', { name: 'Boot a VM and start a container' });
      if (await demo.count()) {
        const presses: { vm: number; container: number }[] = [];
        const button = pane(page).getByRole('figure').getByRole('button');
        for (const name of ['Boot a VM and start a container', 'Measure again']) {
          await expect(button).toHaveAccessibleName(name);
          await button.click();
          await expect(button).toBeDisabled();
          await expect(button).toBeEnabled({ timeout: 180_000 });
          const bars = pane(page).getByRole('img', { name: /Boot a virtual machine: [\d.]+ (s|ms)\. Start a container: [\d.]+ (s|ms)\./ });
          await expect(bars).toBeVisible();
          presses.push(demoFigures((await bars.getAttribute('aria-label'))!));
        }
        await expect(pane(page).getByRole('figure')).toContainText(/its own: Linux 6\.1\.\d+/);
        const [a, b] = presses.map((p) => p.container) as [number, number];
        expect(Math.max(a, b) / Math.min(a, b), `container starts of two presses: ${a} ms and ${b} ms`).toBeLessThanOrEqual(3);
        for (const p of presses) expect(p.vm).toBeGreaterThan(p.container);
        await pane(page)
          .getByRole('img', { name: /Boot a virtual machine/ })
          .scrollIntoViewIfNeeded();
        await page.screenshot({ path: `test-results/screenshots/lesson-${lesson.id}-demo.png` });
        // and on a phone: the bars, the notes and the table fit the screen
        const size = page.viewportSize()!;
        await page.setViewportSize({ width: 390, height: 844 });
        await pane(page)
          .getByRole('img', { name: /Boot a virtual machine/ })
          .scrollIntoViewIfNeeded();
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        await page.screenshot({ path: `test-results/screenshots/lesson-${lesson.id}-demo-390.png` });
        await page.setViewportSize(size);
      }
      if (step.exercise) {
        const before = await commandsRun(page);
        await pane(page).getByRole('button', { name: 'Show me' }).click();
        // the commands it types (a solution folder named between them is copied in, not typed)
        await settled(page, before + step.exercise.solution.commands.filter((c) => typeof c === 'string').length);
        await pane(page).getByRole('button', { name: 'Check' }).click();
        try {
          await expect(pane(page).getByText(/^✓ Done/)).toBeVisible({ timeout: 60_000 });
        } catch (err) {
          await page.screenshot({ path: `test-results/screenshots/lesson-${lesson.id}-failed.png`, fullPage: true });
          throw new Error(`${lesson.id} step ${i + 1} did not pass. The lesson pane says:\n${await pane(page).innerText()}`, {
            cause: err,
          });
        }
      }
      if (i === 1 || step.exercise) await page.screenshot({ path: `test-results/screenshots/lesson-${lesson.id}-step${i + 1}.png` });
      if (i < lesson.steps.length - 1) await pane(page).getByRole('button', { name: 'Next step' }).click();
      else if (!step.exercise) await pane(page).getByRole('button', { name: 'Finish lesson' }).click();
    }
    await expect(pane(page).getByRole('status').filter({ hasText: 'Lesson complete' })).toBeVisible();
    // progress is kept in IndexedDB: the list shows the lesson completed after a reload (which
    // the page asks about first while a container runs)
    page.on('dialog', (d) => void (d.type() === 'beforeunload' && d.accept()));
    await page.goto('/?lessons');
    await expect(
      page
        .getByRole('list', { name: 'Lessons' })
        .getByRole('button', { name: new RegExp(lesson.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }),
    ).toContainText('Completed');
    expect(errors).toEqual([]);
  });
}

test('a wrong attempt is reported as not yet done, with a hint', async ({ page }) => {
  const lesson = lessons.find((l) => l.steps.some((s) => s.exercise))!;
  const index = lesson.steps.findIndex((s) => s.exercise);
  await openLesson(page, lesson.id);
  await pane(page)
    .getByRole('button', { name: new RegExp(lesson.steps[index]!.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) })
    .click();
  // a command that does not do the task
  const before = await commandsRun(page);
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('docker run --rm busybox echo not the task');
  await page.keyboard.press('Enter');
  await settled(page, before + 1);
  await pane(page).getByRole('button', { name: 'Check' }).click();
  await expect(pane(page).getByText('Not yet.')).toBeVisible({ timeout: 30_000 });
  await expect(pane(page).getByRole('list', { name: 'Hints' })).toContainText(lesson.steps[index]!.exercise!.hints[0]!);
  await page.screenshot({ path: 'test-results/screenshots/lesson-not-yet.png' });
});

test('lesson text is rendered as text: no HTML from content runs', async ({ page }) => {
  // every lesson's markdown went through the loader, which turns raw HTML into text; check the page agrees
  await openLesson(page, lessons[0]!.id);
  expect(await pane(page).locator('script, iframe, object, embed, [onerror], [onclick]').count()).toBe(0);
});

test('what ran before a reload still counts for a check; after "Restart this lesson" it does not', async ({ page }) => {
  const lesson = lessons.find((l) => l.id === '02-images-and-containers')!;
  const index = lesson.steps.findIndex((s) => s.exercise && 'ran' in s.exercise.check);
  const step = lesson.steps[index]!;
  const stepButton = () => pane(page).getByRole('button', { name: new RegExp(step.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  await openLesson(page, lesson.id);
  await stepButton().click();
  // the solution's command, until it has printed what the check asks ([sh]): typed before the
  // lesson's image arrived, it says "No such image" (a CI run reloaded after just that)
  const command = step.exercise!.solution.commands.find((c) => typeof c === 'string')!;
  await expect(async () => {
    const before = await commandsRun(page);
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type(command);
    await page.keyboard.press('Enter');
    await settled(page, before + 1);
    await expect(screen(page)).toContainText('[sh]', { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  page.on('dialog', (d) => void (d.type() === 'beforeunload' && d.accept()));
  await page.reload();
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await stepButton().click();
  await pane(page).getByRole('button', { name: 'Check' }).click();
  await expect(pane(page).getByText(/^✓ Done/)).toBeVisible({ timeout: 30_000 });
  page.once('dialog', (d) => void d.accept());
  await pane(page).getByRole('button', { name: 'Restart this lesson' }).click();
  await stepButton().click();
  await pane(page).getByRole('button', { name: 'Check' }).click();
  await expect(pane(page).getByText('Not yet.')).toBeVisible({ timeout: 30_000 });
});

test('uname -r typed inside docker run -it … sh counts for lesson 1 step 5, while that shell is still open', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const lesson = lessons.find((l) => l.id === '01-what-is-a-container')!;
  const step = lesson.steps.find((s) => s.title === 'One kernel for everyone')!;
  await openLesson(page, lesson.id);
  await pane(page)
    .getByRole('button', { name: new RegExp(step.title) })
    .click();
  const before = await commandsRun(page);
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('docker run -it --rm debian:bookworm-slim sh');
  await page.keyboard.press('Enter');
  // Debian's sh prompts with "# "; typed lines go to the container now
  await expect(screen(page)).toContainText('# ', { timeout: 60_000 });
  await page.keyboard.type('unamx');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('e -r');
  await page.keyboard.press('Enter');
  await expect(screen(page)).toContainText(/\d+\.\d+\.\d+/, { timeout: 30_000 });
  await pane(page).getByRole('button', { name: 'Check' }).click();
  await expect(pane(page).getByText(/^✓ Done/)).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/lesson-interactive-check.png' });
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await settled(page, before + 1);
});
