/**
 * Compose in the page (issue 15): a compose.yaml in the workspace is highlighted as YAML and
 * checked while typing (a typo'd key marked on its line, gone once fixed); Up and Down beside
 * Build type `docker compose up -d` and `docker compose down`; the Containers picture draws the
 * project's services together under its heading; the Preview opens the port a service publishes.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { commandsRun, screen, terminal, type } from './terminal.ts';

const workspacePanel = (page: Page) => page.locator('section[aria-labelledby="workspace-title"]');
const containersPanel = (page: Page) => page.locator('section[aria-labelledby="containers-title"]');

/** Two busybox services: web writes a page and serves it on 8000 (published as 8000), cache sleeps. */
const composeFile = (imageKey = 'image') => `services:
  web:
    image: busybox
    command: sh -c "mkdir -p /www && echo '<h1>Hello from a compose service</h1>' > /www/index.html && exec httpd -f -p 8000 -h /www"
    ports:
      - "8000:8000"
  cache:
    ${imageKey}: busybox
    command: sleep 3600
`;

/** Replaces the editor's whole text (as a paste would: no auto-indent). */
async function setText(page: Page, text: string) {
  await page.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

/** axe's WCAG 2.1 A/AA violations inside `selector`. */
async function violations(page: Page, selector: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).include(selector).analyze();
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

/** Screenshots of `selector` at 1440 px light and dark and at 390 px, each checked with axe. */
async function shoot(page: Page, selector: string, name: string) {
  const part = page.locator(selector);
  for (const [width, scheme] of [
    [1440, 'light'],
    [1440, 'dark'],
    [390, 'light'],
    [390, 'dark'],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await part.scrollIntoViewIfNeeded();
    await expect.poll(() => part.evaluate((e) => e.getBoundingClientRect().width)).toBeLessThanOrEqual(width);
    await part.screenshot({ path: `test-results/screenshots/compose-${name}-${width}-${scheme}.png` });
    expect(await violations(page, selector)).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 720 });
}

test('a compose file: checked while typing, Up, the grouped picture, the Preview, Down', async ({ page }) => {
  test.setTimeout(360_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  const up = page.getByRole('button', { name: /^Up\b/ });
  const down = page.getByRole('button', { name: /^Down\b/ });
  // no compose file yet: no Up or Down
  await expect(up).toHaveCount(0);

  await type(page, "echo 'services:' > compose.yaml");
  await page.getByRole('treeitem', { name: 'compose.yaml' }).click();
  await expect(up).toBeVisible();
  await expect(up).toHaveAccessibleName('Up: start the services of compose.yaml');
  await expect(down).toHaveAccessibleName('Down: stop and remove the services of compose.yaml');

  // a typo'd key: marked on its line (8), with Compose's words and a suggestion
  await setText(page, composeFile('imag'));
  const problems = page.getByRole('list', { name: 'Problems in compose.yaml' });
  await expect(problems).toContainText('Line 8: services.cache Additional property imag is not allowed. Did you mean image?', {
    timeout: 10_000,
  });
  await expect(page.locator('.cm-lintRange-error')).toHaveText('    imag: busybox');
  // highlighted as YAML: keys and strings have their own colours
  await expect(page.locator('.cm-line').first().locator('span').first()).toHaveText('services');
  await shoot(page, 'section[aria-labelledby="workspace-title"]', 'diagnostic');

  // fixed: the mark goes
  await setText(page, composeFile());
  await expect(problems).toHaveCount(0, { timeout: 10_000 });
  await expect(page.locator('.cm-lintRange-error')).toHaveCount(0);

  // Up types docker compose up -d, and is disabled while it runs
  const before = await commandsRun(page);
  await up.click();
  await expect(screen(page)).toContainText('docker compose up -d');
  await expect(up).toBeDisabled();
  await expect.poll(() => commandsRun(page), { timeout: 180_000 }).toBeGreaterThan(before);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
  await expect(up).toBeEnabled();
  // the terminal says where the Preview shows the published port, as docker run -p does
  await expect(screen(page)).toContainText(
    /Preview: http:\/\/127\.0\.0\.1:\d+\/preview\/8000\/ \(localhost:8000, shown beside the terminal\)/,
  );

  // the picture: the project's services together under its heading, labelled by service
  const project = containersPanel(page).getByRole('region', { name: /^Compose project workspace/ });
  await expect(project).toBeVisible({ timeout: 30_000 });
  await expect(project.getByRole('heading', { level: 3 })).toHaveText(
    /^\s*Compose project\s+workspace\s+·\s+network workspace_default\s+·\s+web :8000→8000\s*$/,
    { timeout: 30_000 },
  );
  await expect(
    project.getByRole('article', { name: /^Container workspace-web-1, service web of the Compose project workspace/ }),
  ).toBeVisible();
  await expect(project.getByRole('article', { name: /^Container workspace-cache-1, service cache/ })).toBeVisible();
  await expect(project.locator('article header strong')).toHaveText(['cache', 'web']);

  // the Preview opens the service's port and shows the page it serves
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview.getByRole('tab', { name: 'localhost:8000' })).toBeVisible({ timeout: 30_000 });
  const frame = page.frameLocator('iframe[data-preview-port="8000"]');
  await expect(async () => {
    await preview.getByRole('button', { name: 'Reload' }).click();
    await expect(frame.getByRole('heading', { name: 'Hello from a compose service' })).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 60_000 });
  await page.screenshot({ path: 'test-results/screenshots/compose-up.png', fullPage: true });
  await shoot(page, 'section[aria-labelledby="containers-title"]', 'containers');

  // Down: the containers and the project's group are gone, and the Preview says so
  await down.click();
  // (xterm draws its rows only while it is on the screen)
  await terminal(page).scrollIntoViewIfNeeded();
  await expect(screen(page)).toContainText('docker compose down');
  await expect.poll(() => commandsRun(page), { timeout: 120_000 }).toBeGreaterThan(before + 1);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
  await expect(project).toHaveCount(0, { timeout: 30_000 });
  await expect(containersPanel(page).locator('article.container')).toHaveCount(0);
  await expect(containersPanel(page)).toContainText('No containers yet');
  await expect(preview).toContainText('Nothing publishes port 8000 now', { timeout: 30_000 });
  await expect(workspacePanel(page).getByRole('button', { name: 'Build', exact: true })).toBeEnabled();
});
