/**
 * Health checks on the real guest (issue 18): a probe run in the container at each interval makes
 * it `(health: starting)`, then `(healthy)` once a probe passes, then `(unhealthy)` after the
 * retries fail in a row; inspect keeps the last results with their output; events say so.
 */
import { describe, expect, it } from 'vitest';
import type { DockerEvent } from '../../src/engine/api.ts';
import { until, useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('health');

describe('health checks', () => {
  it('starting, then healthy, then unhealthy after the retries fail', { timeout: 90_000 }, async () => {
    const since = Date.now() / 1000;
    const { id } = await vm.engine.containers.create({
      image: 'busybox',
      name: 'probed',
      cmd: ['sh', '-c', 'touch /tmp/ok; sleep 3; rm /tmp/ok; sleep 100'],
      healthcheck: { Test: ['CMD-SHELL', 'test -e /tmp/ok && echo fine'], Interval: 400e6, Retries: 2 },
    });
    await vm.engine.containers.start(id);
    const status = async () => (await vm.engine.containers.list()).find((c) => c.name === 'probed')?.status ?? '';
    expect(await status()).toMatch(/^Up .* \(health: starting\)$/);
    await until('healthy', async () => (await status()).endsWith('(healthy)'));
    const healthy = (await vm.engine.containers.inspect('probed')).State.Health!;
    expect(healthy.Status).toBe('healthy');
    expect(healthy.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: 'fine\n' });
    await until('unhealthy', async () => (await status()).endsWith('(unhealthy)'));
    const unhealthy = (await vm.engine.containers.inspect('probed')).State.Health!;
    expect(unhealthy.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(unhealthy.Log.length).toBeLessThanOrEqual(5);
    expect(unhealthy.Log.at(-1)?.ExitCode).toBe(1);
    expect((await vm.engine.containers.inspect('probed')).Config.Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'test -e /tmp/ok && echo fine'],
      Interval: 400e6,
      Retries: 2,
    });
    const seen: DockerEvent[] = [];
    await vm.engine.events({ since, until: Date.now() / 1000, onEvent: (e) => seen.push(e) });
    expect(seen.filter((e) => e.Action.startsWith('health_status')).map((e) => e.Action)).toEqual([
      'health_status: healthy',
      'health_status: unhealthy',
    ]);
    await vm.engine.containers.remove('probed', { force: true });
  });
});
