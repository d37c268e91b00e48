/**
 * The page as a student meets it (issue 12): the built site in Debian's Chromium, commands typed
 * into its terminal and timed from Enter to the next prompt (through the worker, the engine and
 * IndexedDB), side by side with the same work on the engine in Node, with each page ÷ Node ratio.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { preview } from 'vite';
import { openNodeEngine } from '../bin/node-engine.ts';
import type { BuildContext } from '../src/engine/api.ts';
import { seedContext } from '../tests/fixtures/seed-app.ts';
import { ensureBuilt } from './browser.ts';
import { ms, summarize, type Row, type Summary } from './stats.ts';

const RUNS = 9;
/** Runs more before the warm figure: 3 + 9 + 16 = 28 runs of the same command before it. */
const WARM_MORE = 16;
const LOOP = `sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'`;
/** The 10-step Dockerfile of the engine bench, written into the workspace by the terminal's shell. */
const TEN_STEPS = [
  'FROM busybox',
  'WORKDIR /app',
  'ENV APP_ENV=bench',
  'COPY app.py /app/',
  'RUN echo built > /app/built.txt',
  'COPY requirements.txt /app/',
  'RUN ls /app > /app/index.txt',
  'USER nobody',
  'EXPOSE 8080',
  'CMD ["cat", "/app/built.txt"]',
];

/** Types a line into the page's terminal; resolves to the ms from Enter to the next prompt, timed in the page. */
export async function typed(page: Page, line: string, timeout = 300_000): Promise<number> {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  // (strings: tsx would wrap named functions in a helper the page does not have); the listeners are
  // in place before Enter is pressed, and the wait is a second call
  await page.evaluate(`globalThis.benchDone = new Promise((resolve, reject) => {
    const term = document.querySelector('[aria-label="Terminal: type docker commands"]');
    const before = Number(term.getAttribute('data-commands'));
    let t0 = 0;
    document.addEventListener('keydown', (e) => { if (e.key === 'Enter') t0 = performance.now(); }, { capture: true, once: true });
    const timer = setTimeout(() => reject(new Error('the command did not finish')), ${timeout});
    const observer = new MutationObserver(() => {
      if (t0 && Number(term.getAttribute('data-commands')) > before && term.getAttribute('aria-busy') === 'false') {
        observer.disconnect();
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
    observer.observe(term, { attributes: true, attributeFilter: ['aria-busy', 'data-commands'] });
  }); true`);
  await page.keyboard.press('Enter');
  return (await page.evaluate('globalThis.benchDone')) as number;
}

async function timedPage(page: Page, line: string, n: number, warmup = 1): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await typed(page, line);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await typed(page, line));
  return summarize(samples);
}

/** The page's rows and the same work in Node, with ratios. */
export async function benchPage(): Promise<Row[]> {
  await ensureBuilt();
  const page: Record<string, Summary> = {};
  const server = await preview({ preview: { port: 4176, host: '127.0.0.1', strictPort: true }, logLevel: 'warn' });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  let longest: number;
  let yieldKind: string;
  try {
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.addInitScript(`
      globalThis.longest = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (globalThis.measuring) globalThis.longest = Math.max(globalThis.longest, e.duration);
      }).observe({ type: 'longtask', buffered: false });
    `);
    await p.goto('http://127.0.0.1:4176/');
    await p.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('The machine is ready'), null, {
      timeout: 120_000,
    });
    await typed(p, 'docker pull busybox');
    yieldKind =
      (await Promise.all(p.workers().map((w) => w.evaluate(() => (globalThis as { v86Yield?: string }).v86Yield)))).find(Boolean) ??
      "libv86's helper Worker";
    page.run = await timedPage(p, 'docker run --rm busybox true', RUNS, 3);
    // the same once v86's JIT has compiled the guest's container-start paths (it compiles code
    // only after it ran often; the first runs of a session are interpreted)
    page.runWarm = await timedPage(p, 'docker run --rm busybox true', RUNS, WARM_MORE);
    await typed(p, 'docker run -d --name bench busybox sleep 100000');
    page.exec = await timedPage(p, 'docker exec bench true', RUNS, 2);
    page.loop = await timedPage(p, `docker run --rm busybox ${LOOP}`, 3, 1);
    await typed(p, `echo '${TEN_STEPS[0]}' > bench.Dockerfile`);
    for (const line of TEN_STEPS.slice(1)) await typed(p, `echo '${line}' >> bench.Dockerfile`);
    await typed(p, 'docker build -f bench.Dockerfile -t bench:10 .');
    page.cached = await timedPage(p, 'docker build -f bench.Dockerfile -t bench:10 .', 5, 1);
    await p.evaluate('globalThis.measuring = true');
    page.seed = summarize([await typed(p, 'docker build --no-cache -t app .', 600_000)]);
    longest = (await p.evaluate('globalThis.longest')) as number;
    await context.close();
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }

  // the same work on the engine in Node
  const node: Record<string, Summary> = {};
  const { engine, close } = await openNodeEngine({ home: mkdtempSync(join(tmpdir(), 'layerlab-bench-page-')) });
  try {
    await engine.images.pull('busybox');
    const run = async (cmd: string[]) => {
      const { id } = await engine.containers.create({ image: 'busybox', cmd, autoRemove: true });
      await (await engine.containers.start(id, {}))!.exit;
    };
    const timed = async (n: number, warmup: number, fn: () => Promise<unknown>) => {
      for (let i = 0; i < warmup; i++) await fn();
      const s: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await fn();
        s.push(performance.now() - t0);
      }
      return summarize(s);
    };
    node.run = await timed(RUNS, 3, () => run(['true']));
    node.runWarm = await timed(RUNS, WARM_MORE, () => run(['true']));
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '100000'] });
    await engine.containers.start(id);
    node.exec = await timed(RUNS, 2, async () => (await engine.containers.exec(id, { cmd: ['true'] })).exit);
    node.loop = await timed(3, 1, () => run(['sh', '-c', LOOP.slice(7, -1)]));
    const enc = new TextEncoder();
    const ten: BuildContext = new Map([
      ['Dockerfile', { data: enc.encode(TEN_STEPS.join('\n')) }],
      ['app.py', { data: enc.encode('print("hi")\n') }],
      ['requirements.txt', { data: enc.encode('flask\n') }],
    ]);
    await engine.build({ context: ten, tags: ['bench:10'] });
    node.cached = await timed(5, 1, () => engine.build({ context: ten, tags: ['bench:10'] }));
    const t0 = performance.now();
    await engine.build({ context: seedContext(), tags: ['app'], noCache: true });
    node.seed = summarize([performance.now() - t0]);
  } finally {
    await close();
  }

  const rows: Row[] = [{ name: "v86's yield in the page's worker", value: yieldKind }];
  const row = (key: string, name: string, target?: { ms?: number }) => {
    const pg = page[key];
    const nd = node[key];
    if (!pg) return;
    const ratio = nd ? pg.median / nd.median : undefined;
    rows.push({
      name: `${name}: page`,
      value: ms(pg),
      ...(target?.ms ? { target: `≤ ${target.ms} ms median`, ok: pg.median <= target.ms } : {}),
    });
    if (nd) rows.push({ name: `${name}: Node`, value: ms(nd) });
    if (ratio !== undefined) rows.push({ name: `${name}: page ÷ Node`, value: ratio.toFixed(2), target: '≤ 1.3', ok: ratio <= 1.3 });
  };
  row('run', 'docker run --rm busybox true, Enter to prompt', { ms: 100 });
  row('runWarm', `docker run --rm busybox true after ${3 + RUNS + WARM_MORE} runs (v86's JIT warm)`);
  row('exec', 'docker exec round trip');
  row('cached', '10-step Dockerfile, fully cached rebuild');
  row('seed', "the seed example's cold build (--no-cache)", { ms: 20_000 });
  row('loop', 'a 20,000-iteration sh loop in a container');
  rows.push({
    name: 'longest main-thread task during the seed build',
    value: `${longest.toFixed(0)} ms`,
    target: '≤ 50 ms',
    ok: longest <= 50,
  });
  return rows;
}
