/**
 * Networks and published ports (issue 14): a container's start with no network, on the default
 * bridge and on a user-defined network (Node); one HTTP exchange of a small page and a 10 MB
 * download through a published port's relay, in Node and through the page's Preview (the
 * service worker, the engine worker and the guest agent, measured inside the preview frame).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Frame, type Page } from '@playwright/test';
import { preview } from 'vite';
import { openNodeEngine } from '../bin/node-engine.ts';
import { relayHttp } from '../src/engine/networks/http-relay.ts';
import { ensureBuilt } from './browser.ts';
import { ms, summarize, time, type Row } from './stats.ts';

/** A busybox httpd with a 1 KB page and a 10 MB file. */
const SITE =
  'mkdir /www; i=0; while [ $i -lt 16 ]; do echo "LayerLab bench page line of sixty-four characters, give or take" >> /www/small.html; i=$((i+1)); done; ' +
  'dd if=/dev/zero of=/www/big.bin bs=1M count=10 2>/dev/null; exec httpd -f -p 80 -h /www';

/** Types a line into the page's terminal and waits for the prompt. */
async function typed(page: Page, line: string): Promise<void> {
  const term = page.getByRole('region', { name: 'Terminal: type docker commands' });
  const before = Number(await term.getAttribute('data-commands'));
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (n) => {
      const t = document.querySelector('[aria-label="Terminal: type docker commands"]');
      return Number(t?.getAttribute('data-commands')) > n && t?.getAttribute('aria-busy') === 'false';
    },
    before,
    { timeout: 120_000 },
  );
}

/** Times `n` fetches of `path` inside the preview frame (after one warm-up); returns ms per fetch and bytes. */
async function fetchTimes(frame: Frame, path: string, n: number): Promise<{ times: number[]; bytes: number }> {
  return frame.evaluate(
    async ({ path, n }) => {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i <= n; i++) {
        const t0 = performance.now();
        const body = await (await fetch(path, { cache: 'no-store' })).arrayBuffer();
        if (i > 0) times.push(performance.now() - t0);
        bytes = body.byteLength;
      }
      return { times, bytes };
    },
    { path, n },
  );
}

/** Measures networks and published ports; returns printed rows. */
export async function benchNetwork(): Promise<Row[]> {
  const rows: Row[] = [];
  const { engine, close } = await openNodeEngine({ home: mkdtempSync(join(tmpdir(), 'layerlab-bench-net-')) });
  try {
    await engine.images.pull('busybox');
    await engine.networks.create('benchnet');
    const runRm = (network: string) => async () => {
      const { id } = await engine.containers.create({ image: 'busybox', cmd: ['true'], autoRemove: true, network });
      const p = await engine.containers.start(id, {});
      if ((await p!.exit) !== 0) throw new Error('true failed');
    };
    for (let i = 0; i < 10; i++) await runRm('bridge')();
    for (const network of ['none', 'bridge', 'benchnet']) {
      const s = await time(20, runRm(network), 2);
      rows.push({ name: `docker run --rm --network ${network} busybox true (Node)`, value: ms(s) });
    }
    const { id } = await engine.containers.create({
      image: 'busybox',
      name: 'site',
      cmd: ['sh', '-c', SITE],
      portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
    });
    await engine.containers.start(id);
    await new Promise((r) => setTimeout(r, 1500));
    const get = async (path: string) => {
      const res = await relayHttp(await engine.containers.dial('site', 80), { method: 'GET', path, headers: [] }, 'localhost:8080');
      return (await new Response(res.body).arrayBuffer()).byteLength;
    };
    const small = await time(20, () => get('/small.html').then(() => {}), 2);
    rows.push({ name: 'HTTP round trip of a 1 KB page through a published port (Node)', value: ms(small) });
    const t0 = performance.now();
    const bytes = await get('/big.bin');
    const seconds = (performance.now() - t0) / 1000;
    rows.push({
      name: '10 MB download through a published port (Node)',
      value: `${(bytes / 1e6 / seconds).toFixed(1)} MB/s (${seconds.toFixed(2)} s)`,
    });
  } finally {
    await close();
  }

  // the same through the page's Preview
  await ensureBuilt();
  const server = await preview({ preview: { port: 4177, host: '127.0.0.1', strictPort: true }, logLevel: 'warn' });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto('http://127.0.0.1:4177/');
    await page.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('The machine is ready'), null, {
      timeout: 120_000,
    });
    // single quotes: the terminal's shell leaves the script's $i alone
    await typed(page, `docker run -d --name site -p 8080:80 busybox sh -c '${SITE}'`);
    await page.waitForSelector('iframe[data-preview-port="8080"]', { timeout: 60_000 });
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f.url().includes('/preview/8080/'));
    if (!frame) throw new Error('the preview frame did not open');
    const small = await fetchTimes(frame, '/small.html', 20);
    const s = summarize(small.times);
    rows.push({
      name: 'HTTP round trip of a 1 KB page through the Preview (page)',
      value: ms(s),
      target: '≤ 50 ms median',
      ok: s.median <= 50,
    });
    const big = await fetchTimes(frame, '/big.bin', 1);
    const seconds = big.times[0]! / 1000;
    rows.push({
      name: '10 MB download through the Preview (page)',
      value: `${(big.bytes / 1e6 / seconds).toFixed(1)} MB/s (${seconds.toFixed(2)} s)`,
    });
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
  return rows;
}
