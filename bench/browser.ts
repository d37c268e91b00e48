/**
 * The built site in Debian's Chromium (issue: the playground): time to interactive, time to a
 * guest prompt in the terminal, and the page's JavaScript size (v86 and the guest excluded).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import { ms, summarize, type Row } from './stats.ts';

/** Measures the site; returns printed rows. */
export async function benchBrowser(): Promise<Row[]> {
  const rows: Row[] = [];
  if (!existsSync('dist/index.html')) await build({ logLevel: 'warn' });
  // what the page itself loads before the guest: the entry chunk and CSS (the worker holds v86 and the engine)
  const assets = readdirSync('dist/assets');
  const pageFiles = assets.filter((f) => /^index-.*\.(js|css)$/.test(f));
  const pageGz = pageFiles.reduce((n, f) => n + gzipSync(readFileSync(join('dist/assets', f)), { level: 9 }).length, 0);
  rows.push({ name: 'page JavaScript + CSS (gzip, without v86 and the guest)', value: `${(pageGz / 1024).toFixed(0)} KB`, target: '≤ 250 KB', ok: pageGz <= 250 * 1024 });
  // the engine worker is app code too, bundled with v86's JavaScript: print both parts
  const worker = assets.find((f) => /worker-.*\.js$/.test(f));
  if (worker) {
    const workerGz = gzipSync(readFileSync(join('dist/assets', worker)), { level: 9 }).length;
    const v86Gz = gzipSync(readFileSync('node_modules/v86/build/libv86.mjs'), { level: 9 }).length;
    rows.push({ name: 'engine worker (gzip): engine + CLI, plus v86 JS', value: `${((workerGz - v86Gz) / 1024).toFixed(0)} KB + ${(v86Gz / 1024).toFixed(0)} KB` });
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
      await page.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('The machine is ready'), null, { timeout: 120_000 });
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
