/**
 * `docker events` on the real engine (issue 18): what a container's life, an exec, a volume, a
 * network and an image tag make the engine say, in order, with Docker's actions and attributes.
 */
import { describe, expect, it } from 'vitest';
import type { DockerEvent } from '../../src/engine/api.ts';
import { useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('events', { pull: false });

describe('docker events', () => {
  it('says what happened, in order, as Docker does', { timeout: 60_000 }, async () => {
    const since = Date.now() / 1000 - 1;
    await vm.engine.images.pull('busybox');
    await vm.engine.images.tag('busybox', 'mine:1');
    await vm.engine.volumes.create('data');
    await vm.engine.networks.create('app');
    const { id } = await vm.engine.containers.create({
      image: 'busybox',
      name: 'ev',
      cmd: ['sleep', '30'],
      network: 'app',
      volumes: [{ source: 'data', target: '/data' }],
    });
    await vm.engine.containers.start(id);
    await (
      await vm.engine.containers.exec('ev', { cmd: ['true'] })
    ).exit;
    await vm.engine.containers.stop('ev', { timeoutSeconds: 0 });
    await vm.engine.containers.remove('ev');
    const seen: DockerEvent[] = [];
    await vm.engine.events({ since, until: Date.now() / 1000, onEvent: (e) => seen.push(e) });
    const lines = seen.map((e) => `${e.Type} ${e.Action}`);
    expect(lines).toEqual([
      'image pull',
      'image tag',
      'volume create',
      'network create',
      'container create',
      'container start',
      'container exec_create: true',
      'container exec_start: true',
      'container exec_die',
      'container kill',
      'container kill',
      'container die',
      'container stop',
      'container destroy',
    ]);
    const die = seen.find((e) => e.Action === 'die')!;
    expect(die.Actor).toEqual({ ID: id, Attributes: { exitCode: '137', image: 'busybox', name: 'ev' } });
    expect(seen.find((e) => e.Action === 'kill')!.Actor.Attributes.signal).toBe('15');
    expect(seen[0]!.Actor).toEqual({ ID: 'busybox:latest', Attributes: { name: 'busybox' } });
    expect(seen[1]!.Actor.Attributes).toEqual({ name: 'mine:1' });
  });
});
