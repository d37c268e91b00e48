import { describe, expect, it } from 'vitest';
import { dockerOn as docker, scriptedEngine } from '../../../tests/fixtures/scripted-engine.ts';

async function setup() {
  const engine = await scriptedEngine();
  await engine.containers.create({ image: 'busybox', name: 'old', cmd: ['true'] });
  await engine.containers.create({ image: 'busybox', name: 'other', cmd: ['true'] });
  return engine;
}

describe('docker rename', () => {
  it('renames a container; the old name is free again', async () => {
    const engine = await setup();
    expect(await docker(engine, 'rename', 'old', 'new')).toEqual({ code: 0, out: '', err: '' });
    expect((await engine.containers.inspect('new')).Name).toBe('/new');
    await expect(engine.containers.inspect('old')).rejects.toThrow('No such container: old');
    await engine.containers.create({ image: 'busybox', name: 'old', cmd: ['true'] });
  });

  it('refuses what the daemon refuses, in its words', async () => {
    const engine = await setup();
    expect((await docker(engine, 'rename', 'old', 'other')).err).toMatch(
      /^Error response from daemon: Conflict\. The container name "\/other" is already in use by container "[0-9a-f]{64}"\./,
    );
    expect((await docker(engine, 'rename', 'old', 'old')).err).toBe(
      'Error response from daemon: Renaming a container with the same name as its current name\n',
    );
    expect((await docker(engine, 'rename', 'old', 'bad name')).err).toBe(
      'Error response from daemon: Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n',
    );
    expect((await docker(engine, 'rename', 'nope', 'x')).err).toBe('Error response from daemon: No such container: nope\n');
    expect((await docker(engine, 'rename', 'old')).err).toMatch(/^"docker rename" requires exactly 2 arguments\./);
  });
});
