/**
 * Health checks on the real guest (issue 18): a probe run in the container at each interval makes
 * it `(health: starting)`, then `(healthy)` once a probe passes, then `(unhealthy)` after the
 * retries fail in a row; inspect keeps the last results with their output; events say so.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { DockerEvent } from '../../src/engine/api.ts';
import type { Engine } from '../../src/engine/engine.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-health-'));
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

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('health checks', () => {
  it('starting, then healthy, then unhealthy after the retries fail', { timeout: 90_000 }, async () => {
    const since = Date.now() / 1000;
    const { id } = await engine.containers.create({
      image: 'busybox',
      name: 'probed',
      cmd: ['sh', '-c', 'touch /tmp/ok; sleep 3; rm /tmp/ok; sleep 100'],
      healthcheck: { Test: ['CMD-SHELL', 'test -e /tmp/ok && echo fine'], Interval: 400e6, Retries: 2 },
    });
    await engine.containers.start(id);
    const status = async () => (await engine.containers.list()).find((c) => c.name === 'probed')?.status ?? '';
    expect(await status()).toMatch(/^Up .* \(health: starting\)$/);
    await until('healthy', async () => (await status()).endsWith('(healthy)'));
    const healthy = (await engine.containers.inspect('probed')).State.Health!;
    expect(healthy.Status).toBe('healthy');
    expect(healthy.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: 'fine\n' });
    await until('unhealthy', async () => (await status()).endsWith('(unhealthy)'));
    const unhealthy = (await engine.containers.inspect('probed')).State.Health!;
    expect(unhealthy.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(unhealthy.Log.length).toBeLessThanOrEqual(5);
    expect(unhealthy.Log.at(-1)?.ExitCode).toBe(1);
    expect((await engine.containers.inspect('probed')).Config.Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'test -e /tmp/ok && echo fine'],
      Interval: 400e6,
      Retries: 2,
    });
    const seen: DockerEvent[] = [];
    await engine.events({ since, until: Date.now() / 1000, onEvent: (e) => seen.push(e) });
    expect(seen.filter((e) => e.Action.startsWith('health_status')).map((e) => e.Action)).toEqual([
      'health_status: healthy',
      'health_status: unhealthy',
    ]);
    await engine.containers.remove('probed', { force: true });
  });
});
