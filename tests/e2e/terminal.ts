/** The playground's terminal as e2e tests use it: its screen, its region, and typing a command line into it. */
import { expect, type Page } from '@playwright/test';

/** The terminal's text rows. */
export const screen = (page: Page) => page.locator('.xterm-rows');
/** The terminal's region (its `data-commands` counts finished commands, `aria-busy` says one runs). */
export const terminal = (page: Page) => page.getByRole('region', { name: 'Terminal: type docker commands' });
/** How many command lines have finished. */
export const commandsRun = async (page: Page) => Number(await terminal(page).getAttribute('data-commands'));
/** The screen rows whose text matches. */
export const row = (page: Page, text: RegExp) => page.locator('.xterm-rows > div', { hasText: text });

/** Types a line and presses Enter; unless `wait` is false, waits until it has finished and the prompt is back. */
export async function type(page: Page, line: string, options: { wait?: boolean } = {}): Promise<void> {
  const before = await commandsRun(page);
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  if (options.wait === false) return;
  await expect.poll(() => commandsRun(page), { timeout: 120_000 }).toBeGreaterThan(before);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 120_000 });
}
