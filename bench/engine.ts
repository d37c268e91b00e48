/**
 * Engine speed (issue: the container engine): `docker run --rm busybox true` on a warm guest,
 * a 10-step Dockerfile built cold and fully cached, and native Docker beside it when a daemon
 * answers on this machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeEngine } from '../bin/node-engine.ts';
import type { BuildContext } from '../src/engine/api.ts';
import { ms, summarize, time, type Row } from './stats.ts';

const TEN_STEPS = [
  'FROM busybox',
  'WORKDIR /app',
  'ENV APP_ENV=bench',
  'COPY config.txt /app/',
  'RUN echo built > /app/built.txt',
  'COPY data/ /app/data/',
  'RUN ls /app/data > /app/index.txt',
  'USER www-data',
  'EXPOSE 8080',
  'CMD ["cat", "/app/built.txt"]',
].join('\n');

function benchContext(): BuildContext {
  const ctx: BuildContext = new Map();
  const put = (p: string, s: string) => ctx.set(p, { data: new TextEncoder().encode(s) });
  put('Dockerfile', TEN_STEPS);
  put('config.txt', 'mode=bench\n');
  for (let i = 0; i < 20; i++) put(`data/file-${i}.txt`, `file ${i}\n`.repeat(50));
  return ctx;
}

/** Measures the engine; returns printed rows. */
export async function benchEngine(): Promise<Row[]> {
  const rows: Row[] = [];
  const { engine, close } = await openNodeEngine({ home: mkdtempSync(join(tmpdir(), 'layerlab-bench-')) });
  try {
    await engine.images.pull('busybox');
    const runRm = async () => {
      const { id } = await engine.containers.create({ image: 'busybox', cmd: ['true'], autoRemove: true });
      const p = await engine.containers.start(id, {});
      if ((await p!.exit) !== 0) throw new Error('true failed');
    };
    // warm the guest, the layer cache and v86's JIT
    for (let i = 0; i < 15; i++) await runRm();
    const run = await time(30, runRm, 0);
    rows.push({ name: 'docker run --rm busybox true (warm guest)', value: ms(run), target: '≤ 80 ms median', ok: run.median <= 80 });

    const ctx = benchContext();
    const colds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await engine.build({ context: ctx, tags: ['bench:10'], noCache: true });
      colds.push(performance.now() - t0);
    }
    rows.push({ name: '10-step Dockerfile, cold (--no-cache)', value: ms(summarize(colds)) });
    const cached = await time(10, () => engine.build({ context: ctx, tags: ['bench:10'] }), 1);
    rows.push({ name: '10-step Dockerfile, fully cached rebuild', value: ms(cached), target: '≤ 150 ms median', ok: cached.median <= 150 });

    let native: string;
    try {
      execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 3000 });
      const samples: number[] = [];
      execFileSync('docker', ['run', '--rm', 'busybox', 'true'], { stdio: 'ignore' });
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        execFileSync('docker', ['run', '--rm', 'busybox', 'true'], { stdio: 'ignore' });
        samples.push(performance.now() - t0);
      }
      const s = summarize(samples);
      native = `${ms(s)}; LayerLab/native = ${(run.median / s.median).toFixed(2)}×`;
    } catch {
      native = 'no Docker daemon answers on this machine: not measured';
    }
    rows.push({ name: 'native docker run --rm busybox true', value: native });
  } finally {
    await close();
  }
  return rows;
}
