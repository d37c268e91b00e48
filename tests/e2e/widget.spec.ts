/**
 * The embeddable widget on a documentation page of another origin: demo/widget-demo.html served
 * by tests/e2e/serve-demo.mjs (port 4175, or E2E_DEMO_PORT), the widget's files by the preview
 * server (4173, or E2E_PORT).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';

const WIDGET_ORIGIN = `http://127.0.0.1:${process.env.E2E_PORT ?? 4173}`;
const DEMO_ORIGIN = `http://127.0.0.1:${process.env.E2E_DEMO_PORT ?? 4175}`;
const DEMO = `${DEMO_ORIGIN}/widget-demo.html?widget=${encodeURIComponent(WIDGET_ORIGIN)}`;

const terminalText = (widget: Locator) => widget.locator('.xterm-rows');
const terminal = (widget: Locator) => widget.getByRole('region', { name: 'Terminal: type docker commands' });

/** Waits until a widget's terminal has run `count` lines and is not busy. */
async function settled(widget: Locator, count: number) {
  await expect
    .poll(async () => Number(await terminal(widget).getAttribute('data-commands')), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(count);
  await expect(terminal(widget)).toHaveAttribute('aria-busy', 'false', { timeout: 120_000 });
  await expect(widget.getByRole('button', { name: 'Build', exact: true })).toBeEnabled({ timeout: 30_000 });
}

/** All the lines a widget's terminal holds (it shows the last few): scrolls up through them and back. */
async function scrollback(page: Page, widget: Locator): Promise<string> {
  const rows = () => widget.locator('.xterm-rows > div').allInnerTexts();
  await terminal(widget).hover();
  let screens: string[][] = [await rows()];
  for (let i = 0; i < 40 && !screens[0]!.join('\n').includes('The machine is ready'); i++) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(50);
    screens = [await rows(), ...screens];
  }
  for (let i = 0; i < screens.length + 5; i++) await page.mouse.wheel(0, 120);
  await expect.poll(async () => (await rows()).join('\n')).toEqual(screens.at(-1)!.join('\n'));
  // screens overlap: keep each line once, in order
  const lines: string[] = [];
  for (const screen of screens) {
    let overlap = Math.min(lines.length, screen.length);
    while (overlap > 0 && lines.slice(lines.length - overlap).join('\n') !== screen.slice(0, overlap).join('\n')) overlap--;
    lines.push(...screen.slice(overlap));
  }
  return lines.map((l) => l.replace(/\s+$/, '')).join('\n');
}

/** The page's engine workers (by name: v86 starts a timer worker of its own). */
const engineWorkers = async (page: Page) =>
  (await Promise.all(page.workers().map((w) => w.evaluate(() => self.name)))).filter((n) => n.startsWith('layerlab'));

/** Computed styles of page elements, to see that the widget's CSS does not reach them. */
const pageStyles = (page: Page) =>
  page.evaluate(() => {
    const button = getComputedStyle(document.querySelector('#page-button')!);
    const body = getComputedStyle(document.body);
    return {
      color: button.color,
      font: button.fontFamily,
      border: button.borderStyle,
      body: body.fontFamily,
      sheets: document.styleSheets.length,
      links: document.querySelectorAll('link[rel=stylesheet], head style').length,
    };
  });

test('the widget builds and runs on a page of another origin, two widgets share one guest, and no style crosses the shadow root', async ({
  page,
  context,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  const guestFetches: string[] = [];
  context.on('request', (r) => {
    if (/\/vm\/|\.wasm$|engine\.worker|\/assets\/parts-/.test(r.url())) guestFetches.push(r.url());
  });

  await page.goto(DEMO);
  const widgets = page.locator('layerlab-playground');
  await expect(widgets).toHaveCount(2);
  const [one, two] = [widgets.nth(0), widgets.nth(1)];
  await expect(one.getByRole('button', { name: 'Build', exact: true })).toBeVisible();
  // the second widget's Dockerfile is fetched from the page's origin, its greet.sh written in the page
  await expect(two.getByRole('textbox', { name: 'Contents of Dockerfile' })).toHaveValue(/COPY greet\.sh/);
  await expect(two.getByRole('tab', { name: 'greet.sh' })).toBeVisible();
  // before the first Build the layers are a plan: the steps that will make them
  await expect(one.getByRole('region', { name: 'Image layers' })).toContainText('after a build, each of these steps is a layer');

  const origins = await page.evaluate(() => ({
    page: location.origin,
    script: [...document.scripts].map((s) => s.src).find((s) => s.endsWith('/widget.js')),
    isolated: crossOriginIsolated,
  }));
  expect(origins).toEqual({ page: DEMO_ORIGIN, script: `${WIDGET_ORIGIN}/widget.js`, isolated: false });

  // styles: the page's do not get in (its buttons are red and serif), the widget's do not get out
  const before = await pageStyles(page);
  expect(before.color).toBe('rgb(255, 0, 0)');
  const inner = await one
    .getByRole('button', { name: 'Build', exact: true })
    .evaluate((b) => ({ color: getComputedStyle(b).color, font: getComputedStyle(b).fontFamily, border: getComputedStyle(b).borderStyle }));
  expect(inner.color).not.toBe('rgb(255, 0, 0)');
  expect(inner.font).toMatch(/^system-ui/);
  expect(inner.border).toBe('solid');
  const textarea = await one
    .getByRole('textbox')
    .evaluate((t) => ({ background: getComputedStyle(t).backgroundColor, font: getComputedStyle(t).fontFamily }));
  expect(textarea.background).not.toBe('rgb(255, 255, 0)');
  expect(textarea.font).not.toContain('cursive');
  await page.screenshot({ path: 'test-results/screenshots/widget-idle.png', fullPage: true });

  // nothing of the guest loads before the first use
  await page.waitForTimeout(1000);
  expect(guestFetches).toEqual([]);
  expect(page.workers()).toHaveLength(0);

  // Build in the first widget: the guest starts, the build runs in its terminal, the layers appear
  await one.getByRole('button', { name: 'Build', exact: true }).click();
  await settled(one, 1);
  await expect(terminalText(one)).toContainText('naming to docker.io/library/hello:latest');
  // the compact terminal shows the end of the build; its start is a scroll up
  const log = await scrollback(page, one);
  expect(log).toContain('layerlab$ docker build -t hello .');
  expect(log).toMatch(/\[3\/4\] RUN echo "hello from a layer" > greeting\.txt\n#\d+ DONE/);
  const stack = one.getByRole('figure', { name: 'Layers of hello:latest' });
  await expect(stack).toBeVisible();
  await expect(stack.getByRole('button')).toHaveCount(4); // busybox's layer, WORKDIR, two RUNs
  await expect(stack).toContainText('RUN echo "hello from a layer" > greeting.txt');
  // the shared components size in rem; a docs page's root font size (62.5 % is common) does not
  // resize them inside the widget
  const layerBox = () =>
    stack
      .getByRole('button')
      .first()
      .evaluate((b) => {
        const s = getComputedStyle(b);
        return [s.fontSize, s.paddingLeft, s.minHeight, s.gap].join(' ');
      });
  const sized = await layerBox();
  await page.evaluate(() => (document.documentElement.style.fontSize = '10px'));
  expect(await layerBox()).toBe(sized);
  await page.evaluate(() => (document.documentElement.style.fontSize = ''));
  // and the widget, shadow root and all, passes axe's WCAG A/AA checks (the docs page's own
  // deliberately ugly test styles are left out)
  const axe = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .include('layerlab-playground')
    .exclude('.xterm-helpers')
    .analyze();
  expect(axe.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`))).toEqual([]);
  await expect(one.getByRole('status')).toContainText(/Linux 6\.1\.\d+ is running/);
  expect(await engineWorkers(page)).toEqual(['layerlab-engine']);
  const workers = page.workers().length; // the engine's, and v86's timer inside it

  // the second widget uses the same guest: no second worker, no second snapshot download
  await two.getByRole('button', { name: 'Build', exact: true }).click();
  await settled(two, 1);
  await expect(terminalText(two)).toContainText('naming to docker.io/library/greet:latest');
  await expect(two.getByRole('figure', { name: 'Layers of greet:latest' })).toContainText('COPY greet.sh .');
  expect(await engineWorkers(page)).toEqual(['layerlab-engine']);
  expect(page.workers()).toHaveLength(workers);
  expect(guestFetches.filter((u) => u.endsWith('/vm/state.bin.zst'))).toHaveLength(1);
  expect(guestFetches.filter((u) => /engine\.worker/.test(u))).toHaveLength(1);
  expect(guestFetches.every((u) => u.startsWith(`${WIDGET_ORIGIN}/`))).toBe(true);

  // Run shows the container's output
  await two.getByRole('button', { name: 'Run', exact: true }).click();
  await settled(two, 2);
  await expect(terminalText(two)).toContainText('docker run --rm greet');
  await expect(terminalText(two)).toContainText(/Hello, docs reader! I run in a container called [0-9a-f]{12}\./);
  await expect(terminalText(two)).toContainText(/built \d{4}-\d\d-\d\d/);
  await one.getByRole('button', { name: 'Run', exact: true }).click();
  await settled(one, 2);
  await expect(terminalText(one)).toContainText(/hello from a layer\s*19 greeting\.txt/);

  // an edit, then Run: the widget builds what the editor shows first (from the cache up to the change)
  const editor = one.locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nENV MOOD=happy');
  await one.getByRole('button', { name: 'Run', exact: true }).click();
  await settled(one, 4);
  const rebuilt = (await scrollback(page, one)).split('layerlab$ docker build -t hello .').at(-1)!;
  expect(rebuilt).toMatch(/\[3\/4\] RUN echo "hello from a layer" > greeting\.txt\n#\d+ CACHED/);
  expect(rebuilt).toMatch(/\[4\/4\] RUN wc -c greeting\.txt > size\.txt\n#\d+ CACHED/);
  await expect(stack).toContainText('ENV MOOD=happy');

  // a docs page has no folder of the reader's: a bind mount is refused, with why
  await one.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('docker run --rm -v .:/app busybox true');
  await page.keyboard.press('Enter');
  await settled(one, 5);
  await expect(terminalText(one)).toContainText('bind mounts are not available here: there is no host folder to bind');

  // the page's own styles are as they were, and the widget added no stylesheet to it
  expect(await pageStyles(page)).toEqual(before);
  // the widget keeps its state in its own database on the docs page's origin, not the site's
  const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(dbs).toContain('layerlab-widget');
  expect(dbs).not.toContain('layerlab');
  await page.screenshot({ path: 'test-results/screenshots/widget-built.png', fullPage: true });
  await two.screenshot({ path: 'test-results/screenshots/widget-run.png' });
  expect(errors).toEqual([]);
});

test('embed.html is the same widget in an iframe, its Dockerfile from the query (here in dark mode)', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  await page.emulateMedia({ colorScheme: 'dark' });
  const dockerfile = 'FROM busybox\nRUN echo framed > /f.txt\nCMD ["cat", "/f.txt"]\n';
  await page.goto(`${WIDGET_ORIGIN}/embed.html?dockerfile=${encodeURIComponent(dockerfile)}&tag=framed`);
  const widget = page.locator('layerlab-playground');
  await expect(widget.getByRole('textbox', { name: 'Contents of Dockerfile' })).toHaveValue(dockerfile);
  await widget.getByRole('button', { name: 'Run', exact: true }).click();
  await settled(widget, 2);
  await expect(terminalText(widget)).toContainText('naming to docker.io/library/framed:latest');
  await expect(terminalText(widget)).toContainText(/docker run --rm framed\s*framed/);
  await expect(widget.getByRole('figure', { name: 'Layers of framed:latest' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/widget-embed-dark.png' });
  expect(errors).toEqual([]);
});
