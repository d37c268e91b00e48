/**
 * `docker compose up -d` of a two-service project whose images are present (issue 15): the
 * network, two containers created and started in dependency order, timed from the command to its
 * exit in Node (target ≤ 1 s) and typed into the page's terminal (Enter to the next prompt).
 * Each timed `up` follows a `down`, so every run makes the network and containers anew.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { readBuildContext } from '../bin/node-cli-io.ts';
import { openNodeEngine } from '../bin/node-engine.ts';
import { nodeHostFS } from '../bin/node-host-fs.ts';
import type { CliIO } from '../src/engine/cli/io.ts';
import { runDocker } from '../src/engine/cli/run.ts';
import { ensureBuilt } from './browser.ts';
import { typed } from './page.ts';
import { ms, summarize, type Row, type Summary } from './stats.ts';

const RUNS = 5;
const COMPOSE = [
  'services:',
  '  web:',
  '    image: busybox',
  '    command: httpd -f -p 8080',
  '    ports: ["8080:8080"]',
  '    depends_on: [cache]',
  '  cache:',
  '    image: busybox',
  '    command: sleep 100000',
];

async function nodeFigures(): Promise<Summary> {
  const { engine, close } = await openNodeEngine({ home: mkdtempSync(join(tmpdir(), 'layerlab-bench-compose-')) });
  const dir = join(mkdtempSync(join(tmpdir(), 'layerlab-bench-compose-')), 'bench');
  mkdirSync(dir);
  writeFileSync(join(dir, 'compose.yaml'), COMPOSE.join('\n') + '\n');
  const compose = async (...argv: string[]): Promise<void> => {
    let err = '';
    const io: CliIO = {
      stdout: () => {},
      stderr: (t) => (err += String(t)),
      isTTY: false,
      columns: 100,
      rows: 24,
      buildContext: readBuildContext,
      hostFS: nodeHostFS(dir),
      environment: {},
    };
    if ((await runDocker(['compose', ...argv], io, engine)) !== 0) throw new Error(`compose ${argv.join(' ')}: ${err}`);
  };
  try {
    await engine.images.pull('busybox');
    const samples: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const t0 = performance.now();
      await compose('up', '-d');
      if (i > 0) samples.push(performance.now() - t0);
      await compose('down');
    }
    return summarize(samples);
  } finally {
    await close();
  }
}

async function pageFigures(): Promise<Summary> {
  await ensureBuilt();
  const server = await preview({ preview: { port: 4177, host: '127.0.0.1', strictPort: true }, logLevel: 'warn' });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const p = await browser.newPage();
    await p.goto('http://127.0.0.1:4177/');
    await p.waitForFunction(() => document.querySelector('.xterm-rows')?.textContent?.includes('The machine is ready'), null, {
      timeout: 120_000,
    });
    await typed(p, 'docker pull busybox');
    await typed(p, `echo '${COMPOSE[0]}' > compose.yaml`);
    for (const line of COMPOSE.slice(1)) await typed(p, `echo '${line}' >> compose.yaml`);
    const samples: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const t = await typed(p, 'docker compose up -d');
      if (i > 0) samples.push(t);
      await typed(p, 'docker compose down');
    }
    return summarize(samples);
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
}

/** Measures `compose up -d` in Node and in the page; returns printed rows. */
export async function benchCompose(): Promise<Row[]> {
  const node = await nodeFigures();
  const page = await pageFigures();
  return [
    {
      name: 'docker compose up -d, two services, images present (Node)',
      value: ms(node),
      target: '≤ 1000 ms median',
      ok: node.median <= 1000,
    },
    {
      name: 'docker compose up -d, two services, images present (page)',
      value: `${ms(page)} (page ÷ Node ${(page.median / node.median).toFixed(2)})`,
    },
  ];
}
