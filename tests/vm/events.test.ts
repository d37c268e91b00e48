/**
 * `docker events` on the real engine (issue 18): what a container's life, an exec, a volume, a
 * network and an image tag make the engine say, in order, with Docker's actions and attributes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { DockerEvent } from '../../src/engine/api.ts';
import type { Engine } from '../../src/engine/engine.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-events-'));
let node: NodeEngine;
let engine: Engine;

beforeAll(async () => {
  node = await openNodeEngine({ home });
  engine = node.engine;
}, 60_000);
afterAll(async () => {
  await node?.close();
});

describe('docker events', () => {
  it('says what happened, in order, as Docker does', { timeout: 60_000 }, async () => {
    const since = Date.now() / 1000 - 1;
    await engine.images.pull('busybox');
    await engine.images.tag('busybox', 'mine:1');
    await engine.volumes.create('data');
    await engine.networks.create('app');
    const { id } = await engine.containers.create({
      image: 'busybox',
      name: 'ev',
      cmd: ['sleep', '30'],
      network: 'app',
      volumes: [{ source: 'data', target: '/data' }],
    });
    await engine.containers.start(id);
    await (
      await engine.containers.exec('ev', { cmd: ['true'] })
    ).exit;
    await engine.containers.stop('ev', { timeoutSeconds: 0 });
    await engine.containers.remove('ev');
    const seen: DockerEvent[] = [];
    await engine.events({ since, until: Date.now() / 1000, onEvent: (e) => seen.push(e) });
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
