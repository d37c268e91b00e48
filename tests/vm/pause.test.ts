/**
 * `docker pause` / `unpause` on the real guest (issue 18): the cgroup freezer stops every process
 * of the container (a counter stops counting), `ps` says "(Paused)", inspect says Paused, exec is
 * refused, a save of its files leaves it paused, unpause lets it go on, and stop ends a paused one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { guestShell } from '../../src/engine/guest/guest-fs.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-pause-'));
let node: NodeEngine;
let engine: Engine;

beforeAll(async () => {
  node = await openNodeEngine({ home });
  engine = node.engine;
  await engine.images.pull('busybox');
}, 60_000);
afterAll(async () => {
  await node?.close();
});

describe('docker pause', () => {
  it('freezes a container and unpause lets it go on', { timeout: 60_000 }, async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      name: 'counter',
      cmd: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /count; usleep 50000; done'],
    });
    await engine.containers.start(id);
    const upper = `/var/lib/layerlab/c/${id.slice(0, 24)}/upper/count`;
    const count = async () => Number((await guestShell(node.machine()!, `cat ${upper}`, 'reading the counter')).trim());
    await new Promise((r) => setTimeout(r, 500));
    await engine.containers.pause('counter');
    const frozenAt = await count();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await count(), 'a paused container does not count').toBe(frozenAt);
    expect((await engine.containers.list()).find((c) => c.name === 'counter')?.status).toMatch(/^Up .* \(Paused\)$/);
    expect((await engine.containers.inspect('counter')).State).toMatchObject({ Status: 'paused', Running: true, Paused: true });
    await expect(engine.containers.exec('counter', { cmd: ['true'] })).rejects.toThrow('is paused, unpause the container before exec');
    await expect(engine.containers.pause('counter')).rejects.toThrow('is already paused');
    // a save of its files (what a reload keeps) leaves it paused
    await engine.containerManager.checkpoint('counter');
    await new Promise((r) => setTimeout(r, 500));
    expect(await count()).toBe(frozenAt);
    await engine.containers.unpause('counter');
    await new Promise((r) => setTimeout(r, 600));
    expect(await count(), 'unpaused, it counts on').toBeGreaterThan(frozenAt);
    await expect(engine.containers.unpause('counter')).rejects.toThrow('is not paused');
    // stop ends a paused container (sh as PID 1 ignores SIGTERM: SIGKILL after the timeout)
    await engine.containers.pause('counter');
    await engine.containers.stop('counter', { timeoutSeconds: 1 });
    expect((await engine.containers.inspect('counter')).State).toMatchObject({ Status: 'exited', Paused: false });
    await engine.containers.remove('counter');
  });
});

describe('docker stats', () => {
  it('reads CPU, memory against the limit, and processes from the container’s cgroup', { timeout: 60_000 }, async () => {
    const { id: busy } = await engine.containers.create({ image: 'busybox', name: 'busy', cmd: ['sh', '-c', 'while :; do :; done'] });
    await engine.containers.start(busy);
    const { id: idle } = await engine.containers.create({
      image: 'busybox',
      name: 'idle',
      cmd: ['sleep', '1000'],
      memory: 64 * 1024 * 1024,
    });
    await engine.containers.start(idle);
    const rows = await engine.containers.stats({ intervalMs: 1000 });
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('busy')!.cpuPercent).toBeGreaterThan(40);
    expect(byName.get('idle')!.cpuPercent).toBeLessThan(10);
    expect(byName.get('idle')).toMatchObject({ memoryLimit: 64 * 1024 * 1024, pids: 1, running: true });
    // no limit: the machine's memory
    expect(byName.get('busy')!.memoryLimit).toBeGreaterThan(200 * 1024 * 1024);
    expect(byName.get('busy')!.memoryUsage).toBeGreaterThan(0);
    await engine.containers.remove('busy', { force: true });
    await engine.containers.remove('idle', { force: true });
  });
});
