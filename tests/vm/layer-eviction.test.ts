/**
 * A long session stays within the guest's storage (issue 12): when a layer would not fit, layers
 * no running container mounts are evicted (those no image names first, then the least recently
 * used) and extracted again when needed; a running container's layers are never touched.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { guestShell } from '../../src/engine/guest/guest-fs.ts';
import { output } from '../fixtures/process-output.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-evict-'));
let node: NodeEngine;
let engine: Engine;

async function run(image: string, cmd: string[]) {
  const { id } = await engine.containers.create({ image, cmd, autoRemove: true });
  return output(await engine.containers.start(id, {}));
}

const freeMB = async () =>
  Number((await guestShell(node.machine()!, "stat -f -c '%a %S' /var/lib/layerlab | awk '{print int($1*$2/1048576)}'", 'df')).trim());

beforeAll(async () => {
  node = await openNodeEngine({ home });
  engine = node.engine;
}, 60_000);
afterAll(async () => {
  await node?.close();
});

describe('extracted layers under pressure', () => {
  it('evicts the layers of a removed image to make room, never a running container’s', { timeout: 180_000 }, async () => {
    await engine.images.pull('busybox');
    // a running container whose layers must stay
    const { id: keeper } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
    await engine.containers.start(keeper);
    // python's layers (~60 MB) extracted, then the image removed: nothing names them now
    await engine.images.pull('python:3.11-slim');
    expect((await run('python:3.11-slim', ['python3', '-c', 'print(6*7)'])).out).toBe('42\n');
    // an image with a 15 MB layer, built while there is room
    const enc = new TextEncoder();
    await engine.build({
      context: new Map([['Dockerfile', { data: enc.encode('FROM busybox\nRUN head -c 15000000 /dev/urandom > /big\n') }]]),
      tags: ['big'],
    });
    await engine.images.remove('python:3.11-slim');
    // the machine's storage almost full: 8 MB left
    const fill = (await freeMB()) - 8;
    await guestShell(node.machine()!, `dd if=/dev/zero of=/var/lib/layerlab/filler bs=1M count=${fill} 2>/dev/null`, 'filling');
    expect(await freeMB()).toBeLessThan(12);
    // the big layer needs ~15 MB: python's layers go, the running container's stay
    const r = await run('big', ['sh', '-c', 'wc -c < /big']);
    expect(r).toMatchObject({ code: 0, out: '15000000\n' });
    expect((await output(await engine.containers.exec(keeper, { cmd: ['echo', 'still here'] }))).out).toBe('still here\n');
    // a layer evicted and named again comes back from the store
    await guestShell(node.machine()!, 'rm -f /var/lib/layerlab/filler', 'emptying');
    await engine.images.pull('python:3.11-slim');
    expect((await run('python:3.11-slim', ['python3', '-c', 'print(6*7)'])).out).toBe('42\n');
    await engine.containers.remove(keeper, { force: true });
  });
});
