/**
 * Nothing lost to a reload (issue 17): while containers run, the engine saves their read-write
 * layers and volumes every few seconds, each time as of one moment (the container frozen), so a
 * new engine over the same state finds whole lines up to the last save; a container that writes
 * nothing is not read again; a layer that fails to extract leaves nothing behind in the guest.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { extractLayerInGuest, guestShell } from '../../src/engine/guest/guest-fs.ts';
import { readTar, writeTar } from '../../src/engine/layer/index.ts';
import { output } from '../fixtures/process-output.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-sync-'));
let node: NodeEngine;
let engine: Engine;

async function run(cmd: string[], extra: Partial<Parameters<Engine['containers']['create']>[0]> = {}, on = engine) {
  const { id } = await on.containers.create({ image: 'busybox', cmd, ...extra });
  return { id, ...(await output(await on.containers.start(id, {}))) };
}

/** The lines "line 1" … "line N" in order, nothing torn: N. */
function wholeLines(text: string): number {
  const lines = text.split('\n');
  expect(lines.pop(), 'the file ends with a whole line').toBe('');
  lines.forEach((l, i) => expect(l).toBe(`line ${i + 1}`));
  return lines.length;
}

beforeAll(async () => {
  node = await openNodeEngine({ home, checkpointEvery: 400 });
  engine = node.engine;
  await engine.images.pull('busybox');
}, 60_000);
afterAll(async () => {
  await node?.close();
});

describe('a reload while a container writes', () => {
  it('keeps whole lines in its volume and its layer, both as of the last save', { timeout: 60_000 }, async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      name: 'writer',
      volumes: [{ source: 'keep', target: '/d' }],
      // one line to the volume, then the same line to the read-write layer, as fast as it can
      cmd: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "line $i" >> /d/log; echo "line $i" >> /root/log; done'],
    });
    await engine.containers.start(id);
    await new Promise((r) => setTimeout(r, 3000));
    // a second engine while the first still runs: what a page reload leaves
    const reloaded = await openNodeEngine({ home });
    try {
      expect((await reloaded.engine.containers.inspect('writer')).State).toMatchObject({ Status: 'exited', ExitCode: 255 });
      const volume = await run(['cat', '/d/log'], { volumes: [{ source: 'keep', target: '/d' }], autoRemove: true }, reloaded.engine);
      const inVolume = wholeLines(volume.out);
      expect(inVolume).toBeGreaterThan(5);
      const copied = readTar((await reloaded.engine.containers.copyFrom('writer', '/root/log')).tar);
      const inLayer = wholeLines(new TextDecoder().decode(copied.find((e) => e.name.endsWith('log'))!.data));
      // saved at one moment: the layer has the volume's lines, or one fewer (caught between the two writes)
      expect(inVolume - inLayer).toBeGreaterThanOrEqual(0);
      expect(inVolume - inLayer).toBeLessThanOrEqual(1);
    } finally {
      await reloaded.close();
    }
    await engine.containers.remove('writer', { force: true });
  });

  it('does not read a container again when it wrote nothing', { timeout: 30_000 }, async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      name: 'thinker',
      cmd: ['sh', '-c', 'echo once > /f; while :; do :; done'],
    });
    await engine.containers.start(id);
    // (a save in the second of a write reads it once more at the next save: then none)
    await new Promise((r) => setTimeout(r, 2500));
    const saved = async () => (await engine.containerManager.find(id)).checkpointedAt;
    const before = await saved();
    expect(before).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await saved(), 'nothing changed: no new save').toBe(before);
    await output(await engine.containers.exec(id, { cmd: ['sh', '-c', 'echo more > /g'] }));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await saved(), 'a write: saved again').not.toBe(before);
    // a write in the same second as a save is seen by the next one
    for (let i = 0; i < 3; i++) {
      await engine.containerManager.checkpointRunning();
      await output(await engine.containers.exec(id, { cmd: ['sh', '-c', `echo ${i} > /h${i}`] }));
      await engine.containerManager.checkpointRunning();
      expect(await engine.containers.diff(id)).toContainEqual({ kind: 'A', path: `/h${i}` });
    }
    await engine.containers.remove(id, { force: true });
  });
});

describe('a layer that fails to extract', () => {
  it('leaves no half-extracted folder in the guest', async () => {
    await run(['true'], { autoRemove: true });
    const guest = node.machine()!;
    // the host reads it fine; in the guest, a/b cannot be made under the file a
    const tar = writeTar([
      { name: 'a', type: 'file', mode: 0o644, data: new TextEncoder().encode('a file') },
      { name: 'a/b', type: 'file', mode: 0o644, data: new TextEncoder().encode('under a file') },
    ]);
    const dir = '/var/lib/layerlab/broken-layer';
    await expect(extractLayerInGuest(guest, tar, dir, 'a broken layer')).rejects.toThrow(/extracting a broken layer failed/);
    expect((await guestShell(guest, `ls -d ${dir}* 2>/dev/null; true`, 'listing')).trim()).toBe('');
  });
});
