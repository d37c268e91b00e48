/**
 * Guest and runtime speed (issue: the Linux guest and its runtime), measured in Node with the
 * committed guest files.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_VM_DIR, startNodeMachine } from '../src/runtime/node.ts';
import { collect } from '../src/runtime/types.ts';
import type { V86Machine } from '../src/runtime/v86-machine.ts';
import { ms, summarize, time, type Row } from './stats.ts';

const require = createRequire(import.meta.url);

async function run(m: V86Machine, argv: string[], extra = {}) {
  const r = await collect(await m.spawn({ argv, stdinNull: true, ...extra }));
  if (r.status.code !== 0) throw new Error(`${argv.join(' ')} failed: ${new TextDecoder().decode(r.stderr)}`);
  return r;
}

/** Measures the guest; returns printed rows. */
export async function benchGuest(): Promise<Row[]> {
  const rows: Row[] = [];

  // restore from the snapshot to the first command's output, each in a fresh emulator
  const restores: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const m = await startNodeMachine({ boot: 'snapshot', healthInterval: 0 });
    const p = await m.spawn({ argv: ['echo', 'ready'], stdinNull: true });
    await new Promise<void>((res) => p.onStdout(() => res()));
    restores.push(performance.now() - t0);
    await p.exit;
    await m.stop();
  }
  const restore = summarize(restores.slice(1)); // the first run also compiles the wasm
  rows.push({ name: 'snapshot restore → first output', value: ms(restore), target: '≤ 400 ms median', ok: restore.median <= 400 });

  const m = await startNodeMachine({ boot: 'snapshot', healthInterval: 0 });
  try {
    // v86 compiles hot guest code to wasm: the first runs after a restore are slower
    const rtCold = await time(50, () => run(m, ['true']), 0);
    const rt = await time(50, () => run(m, ['true']), 0);
    rows.push({ name: 'command round trip (true), warm', value: ms(rt), target: '≤ 15 ms median', ok: rt.median <= 15 });
    rows.push({ name: '  … first 50 after a restore (JIT cold)', value: ms(rtCold) });

    const ping = await time(50, () => m.ping(), 5);
    rows.push({ name: 'agent ping', value: ms(ping) });

    const base = '/var/lib/layerlab/bench';
    await run(m, [
      'sh',
      '-c',
      `mkdir -p ${base}/lower/bin ${base}/lower/proc ${base}/lower/dev ${base}/c; cp /bin/busybox ${base}/lower/bin/; ln -s busybox ${base}/lower/bin/true`,
    ]);
    let n = 0;
    const container = (net: boolean) => async () => {
      const dir = `${base}/c/${n++}`;
      await run(m, ['true'], {
        root: `${dir}/merged`,
        overlay: { lower: [`${base}/lower`], upper: `${dir}/upper`, work: `${dir}/work` },
        namespaces: net ? ['pid', 'uts', 'mnt', 'ipc', 'net'] : ['pid', 'uts', 'mnt', 'ipc'],
        hostname: 'bench',
      });
    };
    const alone = await time(30, container(false), 3);
    const withNet = await time(30, container(true), 3);
    rows.push({
      name: 'container start (overlay+unshare+chroot+true)',
      value: ms(alone),
      target: '≤ 60 ms median',
      ok: alone.median <= 60,
    });
    rows.push({ name: '  … with a new net namespace too', value: ms(withNet) });

    const size = 20 * 1024 * 1024;
    const data = new Uint8Array(size).map((_, i) => i * 7);
    const h2g = await time(3, async () => {
      await m.writeFile('bench/in.bin', data);
      await run(m, ['sh', '-c', 'cat /mnt/host/bench/in.bin > /dev/null']);
    });
    await run(m, ['sh', '-c', `head -c ${size} /dev/urandom > /tmp/out.bin`]);
    const g2h = await time(3, async () => {
      await run(m, ['cp', '/tmp/out.bin', '/mnt/host/bench/out.bin']);
      const back = await m.readFile('bench/out.bin');
      if (back.length !== size) throw new Error('short read');
    });
    const mbps = (s: number) => size / 1024 / 1024 / (s / 1000);
    rows.push({
      name: '9p host → guest (20 MB, write + guest cat)',
      value: `${mbps(h2g.median).toFixed(0)} MB/s (median of ${h2g.n})`,
      target: '≥ 50 MB/s',
      ok: mbps(h2g.median) >= 50,
    });
    rows.push({
      name: '9p guest → host (20 MB, guest cp + read)',
      value: `${mbps(g2h.median).toFixed(0)} MB/s (median of ${g2h.n})`,
      target: '≥ 10 MB/s',
      ok: mbps(g2h.median) >= 10,
    });
  } finally {
    await m.stop();
  }

  // what the browser downloads to reach a shell
  const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
  const wasm = gz(require.resolve('v86/build/v86.wasm'));
  const workerChunk = existsSync('dist/assets')
    ? readdirSync('dist/assets')
        .filter((f) => /worker-.*\.js$/.test(f))
        .map((f) => gz(join('dist/assets', f)))[0]
    : undefined;
  const js = workerChunk ?? gz(require.resolve('v86/build/libv86.mjs'));
  const state = readFileSync(join(DEFAULT_VM_DIR, 'state.bin.zst')).length;
  const total = wasm + js + state;
  const mb = (b: number) => (b / 1024 / 1024).toFixed(2);
  rows.push({
    name: 'download to a shell (wasm + js gz, snapshot zstd)',
    value: `${mb(total)} MB = ${mb(wasm)} + ${mb(js)}${workerChunk ? ' (built worker)' : ' (libv86)'} + ${mb(state)}`,
    target: '≤ 4 MB',
    ok: total <= 4 * 1024 * 1024,
  });

  const colds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const m2 = await startNodeMachine({ boot: 'cold', healthInterval: 0 });
    colds.push(m2.startMs);
    await m2.stop();
  }
  rows.push({ name: 'cold boot to agent (for comparison)', value: ms(summarize(colds)) });
  return rows;
}
