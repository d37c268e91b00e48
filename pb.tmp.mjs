import { chromium } from '@playwright/test';
const url = process.argv[2] ?? 'http://127.0.0.1:4199/';
const n = Number(process.argv[3] ?? 9);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const p = await b.newPage({ viewport: { width: 1440, height: 900 } });
await p.goto(url);
await p.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('The machine is ready'), null, { timeout: 120000 });
await p.evaluate(() => {
  const region = document.querySelector('[aria-label="Terminal: type docker commands"]');
  window.__t = { start: 0, end: 0 };
  document.querySelector('.xterm-helper-textarea').addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__t.start = performance.now(); }, true);
  new MutationObserver(() => { if (region.getAttribute('aria-busy') === 'false') window.__t.end = performance.now(); }).observe(region, { attributes: true, attributeFilter: ['aria-busy'] });
});
async function time(line) {
  await p.locator('.xterm-helper-textarea').focus();
  await p.keyboard.type(line);
  await p.evaluate(() => { window.__t.end = 0; });
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => window.__t.end > window.__t.start, null, { timeout: 120000 });
  return p.evaluate(() => window.__t.end - window.__t.start);
}
await time('docker pull busybox');
await time('docker run --rm busybox true');
for (const cmd of (process.argv[4] ?? 'docker run --rm busybox true').split(';;')) {
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await time(cmd));
  xs.sort((a, b) => a - b);
  console.log(cmd.padEnd(50), 'min', xs[0].toFixed(0), 'median', xs[Math.floor(xs.length / 2)].toFixed(0), 'max', xs.at(-1).toFixed(0));
}
await b.close();
