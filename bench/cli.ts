/**
 * The headless CLI as a fresh process each time (`npx layerlab docker …`): it starts from the
 * compiled bundle (bin/dist, made by `npm install`), restores the guest from its snapshot, runs
 * the command and stops the guest.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../bin/build-cli.mjs';
import { ms, summarize, type Row } from './stats.ts';

/** Times `layerlab ARGS` as a new Node process, `n` times. */
function timeCli(home: string, args: string[], n: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, ['bin/layerlab.mjs', ...args], { env: { ...process.env, LAYERLAB_HOME: home }, stdio: 'ignore' });
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** Measures the CLI; returns printed rows. */
export async function benchCli(): Promise<Row[]> {
  await buildCli();
  const home = mkdtempSync(join(tmpdir(), 'layerlab-bench-cli-'));
  execFileSync(process.execPath, ['bin/layerlab.mjs', 'docker', 'pull', 'busybox'], {
    env: { ...process.env, LAYERLAB_HOME: home },
    stdio: 'ignore',
  });
  const ps = summarize(timeCli(home, ['docker', 'ps'], 7));
  const run = summarize(timeCli(home, ['docker', 'run', '--rm', 'busybox', 'true'], 5));
  return [
    { name: 'npx layerlab docker ps (a fresh process)', value: ms(ps), target: '≤ 300 ms median', ok: ps.median <= 300 },
    {
      name: 'npx layerlab docker run --rm busybox true (a fresh process)',
      value: ms(run),
      target: '≤ 1.5 s median',
      ok: run.median <= 1500,
    },
  ];
}
