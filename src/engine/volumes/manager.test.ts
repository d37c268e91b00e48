import { describe, expect, it } from 'vitest';
import { MemoryBlobStore, MemoryMetadataStore } from '../store/memory.ts';
import { VolumeManager, type VolumeEvent } from './manager.ts';
import { writeTar } from '../layer/index.ts';
import { sha256 } from '../store/digest.ts';

function manager(usersOf: (name: string) => string[] = () => []) {
  const events: VolumeEvent[] = [];
  const blobs = new MemoryBlobStore();
  const meta = new MemoryMetadataStore();
  const volumes = new VolumeManager({
    blobs,
    meta,
    now: () => new Date(0),
    usersOf: async (n) => usersOf(n),
    onEvent: (e) => events.push(e),
  });
  return { volumes, events, blobs, meta };
}

describe('VolumeManager events', () => {
  it('tells of a volume created (once, not when the name exists) and removed, by name', async () => {
    const { volumes, events } = manager();
    await volumes.create('notebook');
    await volumes.create('notebook');
    await volumes.remove('notebook');
    expect(events).toEqual([
      { action: 'create', name: 'notebook' },
      { action: 'destroy', name: 'notebook' },
    ]);
  });

  it('tells nothing when a removal is refused or finds nothing', async () => {
    const { volumes, events } = manager(() => ['f3699fb3a973']);
    await volumes.create('notebook');
    await expect(volumes.remove('notebook')).rejects.toThrow(/volume is in use - \[f3699fb3a973\]/);
    await volumes.remove('nothing', { force: true });
    expect(events.map((e) => e.action)).toEqual(['create']);
  });
});

describe('VolumeManager.readFile', () => {
  it('reads a file from the saved data, by a path relative to the top folder', async () => {
    const { volumes, blobs, meta } = manager();
    await volumes.create('notebook');
    const tar = writeTar([{ name: './notes.txt', type: 'file', data: new TextEncoder().encode('buy milk\n') }]);
    const info = await blobs.put(tar, await sha256(tar));
    const record = (await volumes.get('notebook'))!;
    await meta.put('volumes', 'notebook', { ...record, data: { digest: info.digest, size: tar.length } });
    expect(new TextDecoder().decode(await volumes.readFile('notebook', 'notes.txt', undefined))).toBe('buy milk\n');
    expect(new TextDecoder().decode(await volumes.readFile('notebook', '/notes.txt', undefined))).toBe('buy milk\n');
    expect(await volumes.readFile('notebook', 'other.txt', undefined)).toBeUndefined();
    await expect(volumes.readFile('nothing', 'notes.txt', undefined)).rejects.toThrow(/no such volume/);
  });
});
