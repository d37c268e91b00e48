/**
 * The built site in Debian's Chromium (issue: the playground): time to interactive, time to a
 * guest prompt in the terminal, and the page's JavaScript size (v86 and the guest excluded).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { createBuilder, preview } from 'vite';
import { ms, summarize, type Row } from './stats.ts';

/**
 * Builds the site and the widget (vite.config.ts builds both, like `npm run build`) when there is
 * no build or a source is newer than it: a bench measures the code as it is.
 */
export async function ensureBuilt(): Promise<void> {
  if (!existsSync('dist/index.html') || !existsSync('dist/widget.js') || newestSource() > statSync('dist/index.html').mtimeMs) {
    await (await createBuilder({ logLevel: 'warn' })).buildApp();
  }
}

/** Measures the site; returns printed rows. */
export async function benchBrowser(): Promise<Row[]> {
  const rows: Row[] = [];
  await ensureBuilt();
  // what the page itself loads before the guest: the entry chunk and CSS (the worker holds v86 and the engine)
  const assets = readdirSync('dist/assets');
  const pageFiles = assets.filter((f) => /^index-.*\.(js|css)$/.test(f));
  const pageGz = pageFiles.reduce((n, f) => n + gzipSync(readFileSync(join('dist/assets', f)), { level: 9 }).length, 0);
  rows.push({
    name: 'page JavaScript + CSS (gzip, without v86 and the guest)',
    value: `${(pageGz / 1024).toFixed(0)} KB`,
    target: '≤ 250 KB',
    ok: pageGz <= 250 * 1024,
  });
  // what a docs page loads for the widget before its first use: widget.js and the chunks it imports
  // statically (the editor, terminal, layer picture and the guest come with the first Build)
  const widgetFiles = staticImports('dist/widget.js');
  const widgetGz = widgetFiles.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  rows.push({
    name: `widget script before first use (gzip, widget.js + ${widgetFiles.length - 1} chunks)`,
    value: `${(widgetGz / 1024).toFixed(1)} KB`,
    target: '≤ 60 KB',
    ok: widgetGz <= 60 * 1024,
  });
  // the engine worker is app code too, bundled with v86's JavaScript: print both parts
  const worker = assets.find((f) => /worker-.*\.js$/.test(f));
  if (worker) {
    const workerGz = gzipSync(readFileSync(join('dist/assets', worker)), { level: 9 }).length;
    const v86Gz = gzipSync(readFileSync('node_modules/v86/build/libv86.mjs'), { level: 9 }).length;
    rows.push({
      name: 'engine worker (gzip): engine + CLI, plus v86 JS',
      value: `${((workerGz - v86Gz) / 1024).toFixed(0)} KB + ${(v86Gz / 1024).toFixed(0)} KB`,
    });
  }

  const server = await preview({ preview: { port: 4174, host: '127.0.0.1', strictPort: true }, logLevel: 'warn' });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const tti: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < 4; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto('http://127.0.0.1:4174/');
      await page.waitForSelector('.xterm-helper-textarea');
      const interactive = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        return nav.domInteractive;
      });
      await page.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('The machine is ready'), null, {
        timeout: 120_000,
      });
      const prompt = await page.evaluate(() => performance.now());
      if (i > 0) {
        // the first run also fills the HTTP cache; report warm-cache figures
        tti.push(interactive);
        ready.push(prompt);
      }
      await context.close();
    }
    rows.push({ name: 'time to interactive (domInteractive)', value: ms(summarize(tti)) });
    rows.push({ name: 'time to a guest prompt in the terminal', value: ms(summarize(ready)) });
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
  return rows;
}

/** A built module and every module it imports statically (`import … from "./x.js"`, `import "./x.js"`), not `import()`. */
function staticImports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(/\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'`](\.{1,2}\/[^"'`]+)["'`]/g)) {
    staticImports(normalize(join(dirname(file), m[1]!)), seen);
  }
  return [...seen];
}

/** The newest modification time of what the site is built from (src/, lessons/, public/, the HTML pages). */
function newestSource(): number {
  const walk = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (t, e) => Math.max(t, e.isDirectory() ? walk(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs),
      0,
    );
  return Math.max(
    walk('src'),
    walk('lessons'),
    walk('public'),
    ...['index.html', 'embed.html', 'vite.config.ts'].map((f) => statSync(f).mtimeMs),
  );
}
