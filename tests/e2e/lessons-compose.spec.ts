/**
 * Lesson 11 (an application of several containers) through its solution path in Chromium against
 * the real guest, the way tests/e2e/lessons.spec.ts drives every lesson (each step's Run buttons,
 * then "Show me" and Check, which must pass), and besides, what the lesson promises a student: the
 * page-view counter answers in the Preview and counts one up on each Reload, by hand and with
 * `docker compose`; the Containers picture draws the project's containers on its network; the count
 * set to 1000 in Redis shows on the page, outlives `docker compose down`, and is gone after `down -v`.
 */
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { loadLessons } from '../../src/content/compile/load-lessons.ts';
import { commandsRun, screen, terminal, type } from './terminal.ts';

const lesson = loadLessons(resolve('lessons')).find((l) => l.id.startsWith('11-'))!;
const pane = (page: Page) => page.getByRole('complementary', { name: 'Lesson' });
const GET_HITS = 'docker compose exec redis redis-cli get hits';

/** Waits until the terminal has run `count` lines and is not busy. */
async function settled(page: Page, count: number, timeout = 600_000) {
  await expect.poll(() => commandsRun(page), { timeout }).toBeGreaterThanOrEqual(count);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout });
}

/** The terminal's screen as text (xterm draws only while the terminal is in view: it is scrolled there first). */
async function screenText(page: Page): Promise<string> {
  await terminal(page).scrollIntoViewIfNeeded();
  return (await screen(page).innerText()).replace(/\u00a0/g, ' ');
}

/** What the last `line` typed printed, from the screen, once the prompt after it is drawn. */
async function outputOf(page: Page, line: string): Promise<string> {
  const typed = `layerlab$ ${line}\n`;
  let text = '';
  try {
    // the terminal draws what came after the command has finished, on a busy machine a moment later
    await expect
      .poll(
        async () => {
          text = await screenText(page);
          return text.includes(typed) && text.slice(text.lastIndexOf(typed)).includes('\nlayerlab$');
        },
        { timeout: 30_000 },
      )
      .toBe(true);
  } catch (err) {
    throw new Error(`"${line}" and the prompt after it are not on the screen:\n${text}`, { cause: err });
  }
  const rest = text.slice(text.lastIndexOf(typed) + typed.length);
  return rest.slice(0, rest.indexOf('layerlab$')).trim();
}

/**
 * `docker compose exec redis redis-cli get hits` until Redis answers (just after `up` it may still
 * be starting: "Could not connect to Redis", and the lesson says to run it again), its answer.
 */
async function getHits(page: Page): Promise<string> {
  let answer = '';
  await expect(async () => {
    await type(page, GET_HITS);
    answer = await outputOf(page, GET_HITS);
    expect(answer).not.toContain('Could not connect');
  }).toPass({ timeout: 60_000, intervals: [1_000] });
  return answer;
}

/** Presses Reload in the Preview of localhost:8000 until the page answers (Flask takes a while to start): the count it shows. */
async function visit(page: Page): Promise<number> {
  const preview = page.getByRole('region', { name: 'Preview' });
  await preview.getByRole('tab', { name: 'localhost:8000' }).click();
  const body = page.frameLocator('iframe[data-preview-port="8000"]').locator('body');
  let count = NaN;
  await expect(async () => {
    // mark the page shown now: only the one Reload brings counts
    await body.evaluate((b) => b.setAttribute('data-seen', ''), undefined, { timeout: 5_000 }).catch(() => {});
    await preview.getByRole('button', { name: 'Reload' }).click();
    const fresh = page.frameLocator('iframe[data-preview-port="8000"]').locator('body:not([data-seen])');
    await expect(fresh).toContainText(/Hello! I have been seen \d+ times\./, { timeout: 5_000 });
    count = Number(/seen (\d+) times/.exec(await fresh.innerText())![1]);
  }).toPass({ timeout: 120_000 });
  return count;
}

/** What a student sees after a Run button of the lesson, where the lesson says what it shows. */
async function afterRun(page: Page, step: string, line: string, again: boolean) {
  const out = () => outputOf(page, line);
  if (step === 'One container, one job') expect(await out()).toMatch(/^Redis server v=7\./m);
  if (line === 'docker compose logs web') expect(await out()).toMatch(/Running on all addresses/);
  if (step === 'Down and up again: the count stays') {
    if (line === 'docker compose down') expect(await out()).toMatch(/Container workspace-redis-1\s+Removed/);
    // the project's volume stays; the hand-made redis's unnamed one went with it (docker rm -v)
    if (line === 'docker volume ls') {
      expect(await out()).toMatch(/^local\s+workspace_redis-data$/m);
      expect(await out()).not.toMatch(/[0-9a-f]{64}/);
    }
    // the count set in the last step, kept in the volume (asked again while Redis starts, as the lesson says)
    if (line === GET_HITS) expect(await getHits(page)).toMatch(/^"100\d"$/);
  }
  if (step === 'Start from zero with down -v') {
    if (line === 'docker compose down -v' && !again) expect(await out()).toMatch(/Volume workspace_redis-data\s+Removed/);
    if (line === 'docker volume ls') expect(await out()).not.toContain('workspace_redis-data');
    if (line === GET_HITS) expect(await getHits(page)).toBe('(nil)');
  }
}

test('lesson 11: the counter by hand and with docker compose, counting in the Preview, kept by down, gone with down -v', async ({
  page,
}) => {
  test.setTimeout(30 * 60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/?lesson=${lesson.id}`);
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  // the lesson's images are fetched on open
  await expect(pane(page).getByRole('status').filter({ hasText: 'Getting the image' })).toHaveCount(0, { timeout: 180_000 });
  await expect(pane(page).getByRole('heading', { level: 2 })).toHaveText(lesson.title);

  for (const [i, step] of lesson.steps.entries()) {
    await expect(pane(page).getByRole('heading', { level: 3 })).toHaveText(`${i + 1}. ${step.title}`);
    const runs = pane(page).getByRole('button', { name: /^Run .* in the terminal$/ });
    const n = await runs.count();
    const seen = new Set<string>();
    for (let j = 0; j < n; j++) {
      const before = await commandsRun(page);
      await runs.nth(j).click();
      await settled(page, before + 1);
      const line = (await runs.nth(j).getAttribute('aria-label'))!.replace(/^Run (.*) in the terminal$/, '$1');
      await afterRun(page, step.title, line, seen.has(line));
      seen.add(line);
    }
    if (step.exercise) {
      const before = await commandsRun(page);
      await pane(page).getByRole('button', { name: 'Show me' }).click();
      await settled(page, before + step.exercise.solution.commands.filter((c) => typeof c === 'string').length);
      await pane(page).getByRole('button', { name: 'Check' }).click();
      try {
        await expect(pane(page).getByText(/^✓ Done/)).toBeVisible({ timeout: 60_000 });
      } catch (err) {
        await page.screenshot({ path: `test-results/screenshots/lesson-${lesson.id}-failed.png`, fullPage: true });
        throw new Error(
          `step ${i + 1} did not pass. The lesson pane says:\n${await pane(page).innerText()}\n\nThe terminal:\n${await screenText(page)}`,
          { cause: err },
        );
      }
    }

    if (step.title === 'Connect them by hand') {
      // the Preview opened by itself on the published port; each Reload is one more visit
      const first = await visit(page);
      expect(await visit(page)).toBe(first + 1);
    }
    if (step.title === 'The same in one compose.yaml') {
      await expect.poll(() => screenText(page)).toMatch(/Container workspace-web-1\s+Started/);
      await type(page, 'docker compose ps');
      expect(await outputOf(page, 'docker compose ps')).toMatch(
        /^NAME\s+IMAGE\s+COMMAND\s+SERVICE[\s\S]*workspace-web-1\s+workspace-web\s+"python app\.py"\s+web\b/,
      );
      // the Containers picture: both on the project's network, the volume beside them
      const lane = page.getByRole('listitem', { name: /^Network workspace_default/ });
      await expect(lane).toHaveAttribute('aria-label', /workspace-redis-1/);
      await expect(lane).toHaveAttribute('aria-label', /workspace-web-1/);
      await expect(page.getByRole('region', { name: /^Containers/ })).toContainText('workspace_redis-data');
      // a new Redis with a new volume: the count starts again
      const first = await visit(page);
      expect(first).toBeLessThanOrEqual(2);
      expect(await visit(page)).toBe(first + 1);
    }
    if (step.title === 'Look inside: logs and exec') {
      // hits set to 1000 in Redis: the app counts on from there
      expect(await visit(page)).toBe(1001);
    }
    if (step.title === 'Down and up again: the count stays') expect(await visit(page)).toBeGreaterThanOrEqual(1002);
    await page.screenshot({ path: `test-results/screenshots/lesson-${lesson.id}-step${i + 1}.png` });
    if (i < lesson.steps.length - 1) await pane(page).getByRole('button', { name: 'Next step' }).click();
    else if (!step.exercise) await pane(page).getByRole('button', { name: 'Finish lesson' }).click();
  }
  await expect(pane(page).getByRole('status').filter({ hasText: 'Lesson complete' })).toBeVisible();
  expect(errors).toEqual([]);
});
