/**
 * A long session in one guest (issue 12): 200 mixed operations — builds whose files change, runs,
 * `rm`, `rmi`, prunes — then the guest's memory and layer storage against a budget, and the last
 * `docker run` beside the first.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeEngine } from '../bin/node-engine.ts';
import type { BuildContext } from '../src/engine/api.ts';
import { guestShell } from '../src/engine/guest/guest-fs.ts';
import { ms, summarize, type Row } from './stats.ts';

const OPERATIONS = 200;
/** What the guest may use after the session: memory in use (MemTotal − MemAvailable), in MB. */
const MEMORY_BUDGET_MB = 160;

/** Runs the soak; returns printed rows. */
export async function benchSoak(): Promise<Row[]> {
  const enc = new TextEncoder();
  const { engine, machine, close } = await openNodeEngine({ home: mkdtempSync(join(tmpdir(), 'layerlab-soak-')) });
  const runRm = async () => {
    const t0 = performance.now();
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['true'], autoRemove: true });
    await (await engine.containers.start(id, {}))!.exit;
    return performance.now() - t0;
  };
  try {
    await engine.images.pull('busybox');
    await engine.images.pull('debian:bookworm-slim');
    for (let i = 0; i < 5; i++) await runRm();
    const first = [];
    for (let i = 0; i < 9; i++) first.push(await runRm());
    let failures = 0;
    const t0 = performance.now();
    for (let op = 0; op < OPERATIONS; op++) {
      try {
        switch (op % 8) {
          case 0:
          case 4: {
            // a build whose files change each time: new layers every time
            const ctx: BuildContext = new Map([
              [
                'Dockerfile',
                {
                  data: enc.encode(
                    `FROM ${op % 16 === 0 ? 'debian:bookworm-slim' : 'busybox'}\nCOPY data /data\nRUN wc -c /data > /size\n`,
                  ),
                },
              ],
              ['data', { data: enc.encode(`${op}\n`.repeat(20_000)) }],
            ]);
            await engine.build({ context: ctx, tags: [`soak:${op}`] });
            break;
          }
          case 1:
          case 5: {
            const tag = `soak:${op - 1}`;
            const { id } = await engine.containers.create({ image: tag, cmd: ['cat', '/size'] });
            await (await engine.containers.start(id, {}))!.exit;
            if (op % 16 === 1) await engine.containers.remove(id);
            break;
          }
          case 2:
            await runRm();
            break;
          case 3:
            if (op >= 8) await engine.images.remove(`soak:${op - 7}`, { force: true }).catch(() => {});
            break;
          case 6: {
            const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sh', '-c', 'head -c 2000000 /dev/urandom > /junk'] });
            await (await engine.containers.start(id, {}))!.exit;
            break;
          }
          case 7:
            if (op % 32 === 7) {
              await engine.containers.prune();
              await engine.images.prune({ all: false });
            }
            break;
        }
      } catch (err) {
        failures++;
        console.error(`operation ${op}: ${(err as Error).message}`);
      }
    }
    const minutes = (performance.now() - t0) / 60_000;
    const last = [];
    for (let i = 0; i < 9; i++) last.push(await runRm());
    const guest = machine()!;
    const memory = await guestShell(
      guest,
      "awk '/MemTotal/{t=$2}/MemAvailable/{a=$2}END{print int((t-a)/1024)}' /proc/meminfo; stat -f -c '%b %a %S' /var/lib/layerlab",
      'reading memory',
    );
    const [usedMB, storage] = memory.trim().split('\n');
    const [blocks, free, size] = (storage ?? '').split(' ').map(Number);
    const storageUsed = ((blocks! - free!) * size!) / 1e6;
    const a = summarize(first);
    const b = summarize(last);
    return [
      {
        name: `${OPERATIONS} mixed operations (builds, runs, rm, rmi, prunes)`,
        value: `${minutes.toFixed(1)} min, ${failures} failed`,
        target: '0 failed',
        ok: failures === 0,
      },
      {
        name: 'guest memory in use after the session',
        value: `${usedMB} MB`,
        target: `≤ ${MEMORY_BUDGET_MB} MB`,
        ok: Number(usedMB) <= MEMORY_BUDGET_MB,
      },
      {
        name: 'guest layer storage in use after the session',
        value: `${storageUsed.toFixed(0)} MB of ${((blocks! * size!) / 1e6).toFixed(0)} MB`,
      },
      { name: 'docker run --rm busybox true: first', value: ms(a) },
      { name: 'docker run --rm busybox true: last', value: ms(b), target: '≤ 1.3 × first median', ok: b.median <= a.median * 1.3 },
    ];
  } finally {
    await close();
  }
}
