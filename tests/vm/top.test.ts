/** `docker top` on the real guest (issue 18): C, STIME, TTY and TIME come from /proc, as `ps -ef` prints them. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { Engine } from '../../src/engine/engine.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-top-'));
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

describe('docker top', () => {
  it('shows a busy process using the CPU, its start time, its terminal and its CPU time', { timeout: 60_000 }, async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      tty: true,
      cmd: ['sh', '-c', 'sleep 1000 & while :; do :; done'],
    });
    const started = new Date();
    await engine.containers.start(id, { size: { rows: 24, cols: 80 } });
    await new Promise((r) => setTimeout(r, 2500));
    const top = await engine.containers.top(id);
    expect(top.titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    const [shell, sleeper] = top.processes;
    expect(shell?.[7]).toBe('sh -c sleep 1000 & while :; do :; done');
    expect(Number(shell?.[3]), 'the busy loop uses the CPU').toBeGreaterThan(20);
    expect(sleeper?.[7]).toBe('sleep 1000');
    expect(sleeper?.[3]).toBe('0');
    const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    expect([hhmm(started), hhmm(new Date(started.getTime() - 60_000)), hhmm(new Date())]).toContain(shell?.[4]);
    expect(shell?.[5]).toMatch(/^pts\/\d+$/);
    expect(shell?.[6]).toMatch(/^00:00:0[1-3]$/);
    expect(sleeper?.[6]).toBe('00:00:00');
    await engine.containers.remove(id, { force: true });
  });
});
