import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeBlobStoreConformance, describeMetadataStoreConformance } from '../engine/store/conformance.ts';
import { digestHex, StoreFullError } from '../engine/store/index.ts';
import { FsBlobStore, FsMetadataStore, openFsStorage } from './fs-store.ts';

// Disk-full simulation: while `diskFull` is set, files opened for writing accept half of the first
// chunk and then fail with ENOSPC, like a real full disk.
let diskFull = false;
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const open: typeof real.open = async (...args) => {
    const handle = await real.open(...args);
    if (!diskFull || args[1] !== 'wx') return handle;
    handle.write = (async (data: Uint8Array) => {
      await real.appendFile(args[0] as string, data.subarray(0, data.length >> 1));
      throw enospc();
    }) as unknown as typeof handle.write;
    handle.writeFile = (async (data: string | Uint8Array) => {
      await real.appendFile(
        args[0] as string,
        typeof data === 'string' ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1),
      );
      throw enospc();
    }) as unknown as typeof handle.writeFile;
    return handle;
  };
  return { ...real, open, default: { ...real, open } };
});

const roots: string[] = [];
async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'layerlab-store-'));
  roots.push(root);
  return root;
}
afterEach(async () => {
  diskFull = false;
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describeBlobStoreConformance('file system', async (options) => {
  const root = await tempRoot();
  return {
    store: await FsBlobStore.open(root, options),
    reopen: () => FsBlobStore.open(root, options),
    corrupt: async (digest) => {
      const path = join(root, 'blobs', 'sha256', digestHex(digest));
      const bytes = await readFile(path);
      bytes[0] = bytes[0]! ^ 0xff;
      await writeFile(path, bytes);
    },
  };
});

describeMetadataStoreConformance('file system', async (options) => {
  const root = await tempRoot();
  return { store: await FsMetadataStore.open(root, options), reopen: () => FsMetadataStore.open(root, options) };
});

const enc = new TextEncoder();

/** Dates every temp file in `dir` an hour back: what a crash left behind, not a write in progress. */
async function ageTempFiles(dir: string): Promise<void> {
  const then = new Date(Date.now() - 3_600_000);
  for (const name of await readdir(dir)) if (name.startsWith('.')) await utimes(join(dir, name), then, then);
}
const ALPINE = `sha256:${'a'.repeat(64)}` as const;
const NGINX = `sha256:${'b'.repeat(64)}` as const;

describe('file-system store: layout and crash safety', () => {
  let root: string;
  beforeEach(async () => {
    root = await tempRoot();
  });

  it('stores blobs at blobs/sha256/<hex> and metadata as one readable JSON file per collection', async () => {
    const { blobs, metadata } = await openFsStorage(root);
    const info = await blobs.put(enc.encode('layer'));
    expect(await readFile(join(root, 'blobs', 'sha256', digestHex(info.digest)), 'utf8')).toBe('layer');
    await metadata.put('references', 'alpine:3.20', { digest: ALPINE });
    const doc = JSON.parse(await readFile(join(root, 'metadata', 'references.json'), 'utf8'));
    expect(doc).toEqual({ version: 1, records: [['alpine:3.20', { digest: ALPINE }]] });
    expect((await readdir(join(root, 'blobs', 'sha256'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('ignores and removes blob debris left by a crash mid-write', async () => {
    const store = await FsBlobStore.open(root);
    const kept = await store.put(enc.encode('kept'));
    const w = await store.writer();
    await w.write(enc.encode('half of a layer that never'));
    // "crash": the writer is never committed or aborted, and a torn temp file lies around too
    const dir = join(root, 'blobs', 'sha256');
    await writeFile(join(dir, '.ingest-0000.tmp'), 'torn');
    expect((await readdir(dir)).length).toBe(3);
    expect(await store.list()).toEqual([kept]);
    // a temp file written to in the last minute may be another engine's write in progress: kept
    expect((await readdir((await FsBlobStore.open(root), dir))).length).toBe(3);
    await ageTempFiles(dir);

    const reopened = await FsBlobStore.open(root);
    expect(await readdir(dir)).toEqual([digestHex(kept.digest)]);
    expect(await reopened.list()).toEqual([kept]);
    expect(await reopened.usage()).toBe(4);
    await w.abort(); // release the file handle the "crashed" writer still holds
  });

  it('keeps the old metadata when a crash tore a temp file, and removes the debris', async () => {
    const store = await FsMetadataStore.open(root);
    await store.put('references', 'alpine:3.20', { digest: ALPINE });
    const dir = join(root, 'metadata');
    await writeFile(join(dir, '.references.json.1234.tmp'), '{"version":1,"records":[["alpine:3.20",{"dig');
    await writeFile(join(dir, '.journal.json.5678.tmp'), '{"version":1,"collections":[["references",[');
    await ageTempFiles(dir);

    const reopened = await FsMetadataStore.open(root);
    expect(await reopened.list('references')).toEqual([{ key: 'alpine:3.20', value: { digest: ALPINE } }]);
    expect(await readdir(dir)).toEqual(['references.json']);
  });

  it('reads a committed journal over the files after a crash, even if it was partly applied, and finishes it at the next commit', async () => {
    const store = await FsMetadataStore.open(root);
    await store.put('references', 'app:v1', { digest: ALPINE });
    await store.put('containers', 'web', { image: 'app:v1' });
    const dir = join(root, 'metadata');
    // The state just after the commit point of a two-collection transaction: the journal is in
    // place, containers.json already rewritten, references.json not yet.
    await writeFile(
      join(dir, '.journal.json'),
      '{"version":1,"collections":[\n["containers",[["web",{"image":"app:v2"}]]],\n["references",[["app:v2",{"digest":"' +
        NGINX +
        '"}]]]]}\n',
    );
    await writeFile(join(dir, 'containers.json'), '{"version":1,"records":[["web",{"image":"app:v2"}]]}\n');

    const reopened = await FsMetadataStore.open(root);
    expect(await reopened.list('references')).toEqual([{ key: 'app:v2', value: { digest: NGINX } }]);
    expect(await reopened.get('containers', 'web')).toEqual({ image: 'app:v2' });
    // opening writes nothing (the journal may be another engine's commit in progress): the
    // store's first commit finishes it
    expect((await readdir(dir)).sort()).toEqual(['.journal.json', 'containers.json', 'references.json']);
    await reopened.put('volumes', 'data', { name: 'data' });
    expect((await readdir(dir)).sort()).toEqual(['containers.json', 'references.json', 'volumes.json']);
    const again = await FsMetadataStore.open(root);
    expect(await again.list('references')).toEqual([{ key: 'app:v2', value: { digest: NGINX } }]);
  });

  it('opens as of one commit while another store over the same root commits to several collections', async () => {
    const writer = await FsMetadataStore.open(root);
    // eight collections written together, always with the same count: a reader sees them equal
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const tx = (n: number) =>
      writer.transaction((t) => {
        for (const c of names) t.put(c, 'n', n);
      });
    await tx(0);
    let stop = false;
    const writing = (async () => {
      // an engine saves every few hundred milliseconds; here every few
      for (let n = 1; !stop; n++) {
        await tx(n);
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
    const seen = new Set<number>();
    try {
      for (let i = 0; i < 20; i++) {
        const reader = await FsMetadataStore.open(root);
        const counts = await Promise.all(names.map((c) => reader.get<number>(c, 'n')));
        expect(counts).toEqual(names.map(() => counts[0]));
        seen.add(counts[0]!);
      }
    } finally {
      stop = true;
      await writing;
    }
    expect(seen.size, 'the reads overlapped the writes').toBeGreaterThan(1);
  });

  it('leaves no journal behind after a multi-collection transaction', async () => {
    const store = await FsMetadataStore.open(root);
    await store.transaction((tx) => {
      tx.put('references', 'a:1', { digest: ALPINE });
      tx.put('volumes', 'data', {});
    });
    expect((await readdir(join(root, 'metadata'))).sort()).toEqual(['references.json', 'volumes.json']);
  });

  it('refuses to open damaged metadata instead of silently dropping records', async () => {
    const store = await FsMetadataStore.open(root);
    await store.put('references', 'a:1', { digest: ALPINE });
    await writeFile(join(root, 'metadata', 'references.json'), '{"version":1,"records":[["a:1"');
    await expect(FsMetadataStore.open(root)).rejects.toThrow(/references\.json is damaged/);
  });

  it('maps a full disk (ENOSPC) to StoreFullError and keeps every earlier blob and record', async () => {
    const { blobs, metadata } = await openFsStorage(root);
    const kept = await blobs.put(enc.encode('kept blob'));
    await metadata.put('references', 'a:1', { digest: ALPINE });
    await metadata.put('containers', 'c', { state: 'created' });

    diskFull = true;
    await expect(blobs.put(enc.encode('does not fit'))).rejects.toThrow(StoreFullError);
    const w = await blobs.writer();
    await expect(w.write(enc.encode('does not fit either'))).rejects.toThrow(/storage is full.*docker system prune/);
    await expect(metadata.put('references', 'a:1', { digest: NGINX })).rejects.toThrow(StoreFullError);
    await expect(
      metadata.transaction((tx) => {
        tx.put('references', 'b:1', { digest: NGINX });
        tx.put('containers', 'c', { state: 'running' });
      }),
    ).rejects.toThrow(StoreFullError);
    diskFull = false;

    expect(await blobs.list()).toEqual([kept]);
    expect(await metadata.list('references')).toEqual([{ key: 'a:1', value: { digest: ALPINE } }]);
    expect(await metadata.get('containers', 'c')).toEqual({ state: 'created' });
    expect((await readdir(join(root, 'blobs', 'sha256'))).length).toBe(1);
    expect((await readdir(join(root, 'metadata'))).sort()).toEqual(['containers.json', 'references.json']);
    const reopened = await openFsStorage(root);
    expect(await reopened.metadata.list('references')).toEqual([{ key: 'a:1', value: { digest: ALPINE } }]);
    expect(await reopened.blobs.list()).toEqual([kept]);
  });
});
