import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { type IDBPDatabase, wrap } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeBlobStoreConformance, describeMetadataStoreConformance } from '../engine/store/conformance.ts';
import { CorruptBlobError, NotFoundError, sha256, StoreFullError } from '../engine/store/index.ts';
import { CHUNK_BYTES, IdbBlobStore, IdbMetadataStore, type LayerLabDB, openIdbStorage, openLayerLabDB } from './idb-store.ts';

let counter = 0;
/** A fresh fake IndexedDB per store, so tests never see each other's data. */
async function freshDB(): Promise<{ db: IDBPDatabase<LayerLabDB>; reopen: () => Promise<IDBPDatabase<LayerLabDB>> }> {
  const factory = new IDBFactory();
  const name = `layerlab-test-${++counter}`;
  const db = await openLayerLabDB({ factory, name });
  return { db, reopen: () => openLayerLabDB({ factory, name }) };
}

describeBlobStoreConformance('IndexedDB (fake-indexeddb)', async (options) => {
  const fresh = await freshDB();
  let db = fresh.db;
  return {
    store: new IdbBlobStore(db, options),
    reopen: async () => {
      db.close();
      db = await fresh.reopen();
      return new IdbBlobStore(db, options);
    },
    corrupt: async (digest) => {
      const bytes = await db.get('blobs', digest);
      if (!bytes) throw new Error('no such blob to corrupt');
      bytes[0] = bytes[0]! ^ 0xff;
      await db.put('blobs', bytes, digest);
    },
    cleanup: async () => db.close(),
  };
});

describeMetadataStoreConformance('IndexedDB (fake-indexeddb)', async (options) => {
  const fresh = await freshDB();
  let db = fresh.db;
  return {
    store: new IdbMetadataStore(db, options),
    reopen: async () => {
      db.close();
      db = await fresh.reopen();
      return new IdbMetadataStore(db, options);
    },
    cleanup: async () => db.close(),
  };
});

// --- QuotaExceededError injection -------------------------------------------------------------
// Two ways a browser reports a full origin: put() throws synchronously, or the request fails
// later and the transaction aborts with a QuotaExceededError. Both are simulated on fake-indexeddb.

type Failure = { store: string; mode: 'throw' | 'request'; skip?: number } | undefined;
let failNextPut: Failure;
const realPut = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function patchedPut(this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
  const failure = failNextPut;
  if (failure && this.name === failure.store && failure.skip) {
    failure.skip--;
  } else if (failure && this.name === failure.store) {
    failNextPut = undefined;
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    if (failure.mode === 'throw') throw quota;
    // Fail inside the request's operation (fake-indexeddb internals), so the error arrives
    // asynchronously and aborts the transaction with error.name === 'QuotaExceededError'.
    const raw = (this as unknown as { _rawObjectStore: { storeRecord: (...args: unknown[]) => unknown } })._rawObjectStore;
    const original = raw.storeRecord;
    raw.storeRecord = () => {
      raw.storeRecord = original;
      throw quota;
    };
  }
  return realPut.call(this, value, key);
};

afterEach(() => {
  failNextPut = undefined;
});

const enc = new TextEncoder();
const ALPINE = `sha256:${'a'.repeat(64)}` as const;
const NGINX = `sha256:${'b'.repeat(64)}` as const;

describe('IndexedDB store: QuotaExceededError', () => {
  for (const mode of ['throw', 'request'] as const) {
    for (const store of ['blobs', 'blobInfo'] as const) {
      it(`maps a full origin to StoreFullError and keeps every blob (${mode} on ${store})`, async () => {
        const { db } = await freshDB();
        const blobs = new IdbBlobStore(db);
        const kept = await blobs.put(enc.encode('kept'));
        failNextPut = { store, mode };
        const err = await blobs.put(enc.encode('new layer')).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreFullError);
        expect(String((err as Error).message)).toMatch(/storage is full.*docker system prune/);
        expect((err as Error).cause).toMatchObject({ name: 'QuotaExceededError' });
        // the transaction was aborted: neither the bytes nor the info of the new blob exist
        expect(await db.getAllKeys('blobs')).toEqual([kept.digest]);
        expect(await db.getAllKeys('blobInfo')).toEqual([kept.digest]);
        expect(await blobs.list()).toEqual([kept]);
        expect(new TextDecoder().decode(await blobs.get(kept.digest))).toBe('kept');
        // and the store works again once there is room
        const w = await blobs.writer();
        await w.write(enc.encode('new layer'));
        expect((await w.commit()).size).toBe(9);
        db.close();
      });
    }

    it(`maps a full origin to StoreFullError for metadata and applies nothing (${mode})`, async () => {
      const { db } = await freshDB();
      const metadata = new IdbMetadataStore(db);
      await metadata.put('references', 'alpine:3.20', { digest: ALPINE });
      failNextPut = { store: 'metadata', mode };
      const err = await metadata.put('references', 'alpine:3.20', { digest: NGINX }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreFullError);
      expect((err as Error).cause).toMatchObject({ name: 'QuotaExceededError' });
      // a multi-record transaction whose second put fails: the first put is rolled back too
      failNextPut = { store: 'metadata', mode, skip: 1 };
      await expect(
        metadata.transaction((tx) => {
          tx.put('containers', 'web', { image: 'nginx:1' });
          tx.put('references', 'nginx:1', { digest: NGINX });
        }),
      ).rejects.toThrow(StoreFullError);
      expect(failNextPut).toBeUndefined(); // the failure was really injected
      expect(await metadata.list('references')).toEqual([{ key: 'alpine:3.20', value: { digest: ALPINE } }]);
      expect(await metadata.list('containers')).toEqual([]);
      expect(await db.count('metadata')).toBe(1);
      await metadata.put('containers', 'web', { image: 'nginx:1' }); // works again
      db.close();
    });
  }
});

describe('IndexedDB store: opening', () => {
  it('opens both stores on the global indexedDB by default and persists across connections', async () => {
    const first = await openIdbStorage({ name: 'layerlab-default-test' });
    const info = await first.blobs.put(enc.encode('hello'));
    await first.metadata.put('references', 'hello:1', { digest: info.digest });
    first.close();
    const second = await openIdbStorage({ name: 'layerlab-default-test' });
    expect(await second.metadata.get('references', 'hello:1')).toEqual({ digest: info.digest });
    expect(new TextDecoder().decode(await second.blobs.get(info.digest))).toBe('hello');
    second.close();
  });
});

describe('IndexedDB metadata store: records read from memory', () => {
  it('reads a collection from IndexedDB once, and sees its own commits without reading again', async () => {
    const { db } = await freshDB();
    const metadata = new IdbMetadataStore(db);
    await metadata.put('containers', 'web', { image: 'nginx:1' });
    let reads = 0;
    const transaction = db.transaction.bind(db);
    db.transaction = ((...args: Parameters<typeof db.transaction>) => {
      if (args[1] !== 'readwrite') reads++;
      return transaction(...args);
    }) as typeof db.transaction;
    expect(await metadata.get('containers', 'web')).toEqual({ image: 'nginx:1' });
    expect(await metadata.list('containers')).toEqual([{ key: 'web', value: { image: 'nginx:1' } }]);
    await metadata.put('containers', 'db', { image: 'redis:7' });
    await metadata.delete('containers', 'web');
    expect(await metadata.list('containers')).toEqual([{ key: 'db', value: { image: 'redis:7' } }]);
    expect(await metadata.get('containers', 'web')).toBeUndefined();
    expect(reads).toBe(1);
    // and what is in memory is what IndexedDB holds
    expect(await db.getAll('metadata')).toEqual([JSON.stringify({ image: 'redis:7' })]);
    metadata.close();
    db.close();
  });

  it('a read that began before a commit ended never leaves the old record in memory', async () => {
    const { db } = await freshDB();
    const metadata = new IdbMetadataStore(db);
    await metadata.put('references', 'app:1', { digest: ALPINE });
    const fresh = new IdbMetadataStore(db);
    const [read] = await Promise.all([fresh.list('references'), fresh.put('references', 'app:1', { digest: NGINX })]);
    expect([ALPINE, NGINX]).toContain((read[0]!.value as { digest: string }).digest);
    expect(await fresh.get('references', 'app:1')).toEqual({ digest: NGINX });
    metadata.close();
    fresh.close();
    db.close();
  });

  it("another tab's commits are read again (a store on the same database says what it changed)", async () => {
    const factory = new IDBFactory();
    const name = `layerlab-test-${++counter}`;
    const dbA = await openLayerLabDB({ factory, name });
    const dbB = await openLayerLabDB({ factory, name });
    const a = new IdbMetadataStore(dbA);
    const b = new IdbMetadataStore(dbB);
    expect(await a.list('volumes')).toEqual([]);
    await b.put('volumes', 'data', { driver: 'local' });
    await vi.waitFor(async () => expect(await a.list('volumes')).toEqual([{ key: 'data', value: { driver: 'local' } }]));
    // and a write made on a stale picture is checked against IndexedDB, never lost
    await a.transaction(async (tx) => {
      const v = await tx.get<{ driver: string; n?: number }>('volumes', 'data');
      tx.put('volumes', 'data', { ...v, n: (v?.n ?? 0) + 1 });
    });
    expect(await b.get('volumes', 'data')).toEqual({ driver: 'local', n: 1 });
    a.close();
    b.close();
    dbA.close();
    dbB.close();
  });
});

describe('IndexedDB blob store: small blobs kept in memory', () => {
  it('serves a small blob read before from memory, as a copy, and forgets it when deleted', async () => {
    const { db } = await freshDB();
    const blobs = new IdbBlobStore(db);
    const info = await blobs.put(enc.encode('{"schemaVersion":2}'));
    const first = await blobs.get(info.digest);
    first[0] = 0; // a caller's change is its own
    await db.delete('blobs', info.digest); // gone behind the store's back: the second read is from memory
    expect(new TextDecoder().decode(await blobs.get(info.digest))).toBe('{"schemaVersion":2}');
    expect(await blobs.delete(info.digest)).toBe(true);
    await expect(blobs.get(info.digest)).rejects.toThrow(NotFoundError);
    db.close();
  });
});

describe('IndexedDB blob store: large blobs in chunk records', () => {
  const MiB = 1024 * 1024;
  function random(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
    return out;
  }
  async function writeAll(w: { write(c: Uint8Array): Promise<void> }, data: Uint8Array, step = 300_001): Promise<void> {
    for (let off = 0; off < data.length; off += step) await w.write(data.subarray(off, off + step));
  }

  it('writes each chunk to IndexedDB as it arrives, shows nothing until commit, and reads it back verified', async () => {
    const { db } = await freshDB();
    const blobs = new IdbBlobStore(db);
    const data = random(3 * MiB + 5);
    const digest = await sha256(data);
    const w = await blobs.writer({ digest, size: data.length });
    await w.write(data.subarray(0, MiB + 10));
    expect(await db.count('chunks')).toBe(1); // the first full chunk is stored, not held
    await writeAll(w, data.subarray(MiB + 10));
    expect(await db.count('chunks')).toBe(3);
    expect(await blobs.has(digest)).toBe(false);
    expect(await blobs.list()).toEqual([]);
    expect(await w.commit()).toEqual({ digest, size: data.length });
    expect(await db.count('chunks')).toBe(4);
    expect(await db.count('blobs')).toBe(0);
    expect(await db.get('blobInfo', digest)).toMatchObject({ digest, size: data.length, chunks: { count: 4, size: CHUNK_BYTES } });
    expect(Buffer.compare(await blobs.get(digest), data)).toBe(0);
    expect(await blobs.delete(digest)).toBe(true);
    expect(await db.count('chunks')).toBe(0);
    db.close();
  });

  it('abort, a failed commit and a commit of content already stored leave no chunk records', async () => {
    const { db } = await freshDB();
    const blobs = new IdbBlobStore(db);
    const data = random(2 * MiB + 1);
    const aborted = await blobs.writer();
    await writeAll(aborted, data);
    await aborted.abort();
    expect(await db.count('chunks')).toBe(0);
    const wrong = await blobs.writer();
    await writeAll(wrong, data);
    await expect(wrong.commit(`sha256:${'0'.repeat(64)}`)).rejects.toThrow(/digest/);
    expect(await db.count('chunks')).toBe(0);
    const info = await blobs.put(data); // put splits a large blob into chunks too
    expect(await db.count('chunks')).toBe(3);
    const again = await blobs.writer();
    await writeAll(again, data);
    expect(await again.commit(info.digest)).toEqual(info);
    expect(await db.count('chunks')).toBe(3);
    expect(await blobs.list()).toEqual([info]);
    db.close();
  });

  it('a writer a crash ended leaves nothing visible; its chunks are swept at the next open once stale', async () => {
    const factory = new IDBFactory();
    const name = `layerlab-test-${++counter}`;
    const first = await openIdbStorage({ factory, name });
    const w = await first.blobs.writer();
    await writeAll(w, random(2 * MiB));
    const kept = await first.blobs.put(random(MiB + 1));
    first.close(); // the tab is gone: no commit, no abort
    const second = await openIdbStorage({ factory, name });
    expect(await second.blobs.list()).toEqual([kept]);
    expect(await second.blobs.sweep()).toBe(0); // written a moment ago: maybe another tab's upload
    expect(await second.blobs.sweep(0)).toBe(1);
    expect(await second.blobs.sweep(0)).toBe(0);
    expect((await second.blobs.get(kept.digest)).length).toBe(MiB + 1);
    // this store's own writers in progress are never swept
    const own = await second.blobs.writer();
    const data = random(MiB + 3);
    await own.write(data);
    expect(await second.blobs.sweep(0)).toBe(0);
    expect((await own.commit()).size).toBe(MiB + 3);
    second.close();
  });

  it('a commit whose chunks were swept fails and shows nothing', async () => {
    const { db } = await freshDB();
    const writing = new IdbBlobStore(db);
    const w = await writing.writer();
    await writeAll(w, random(2 * MiB));
    await new IdbBlobStore(db).sweep(0); // another tab's sweep after a long pause
    await expect(w.commit()).rejects.toThrow(/gone/);
    expect(await writing.list()).toEqual([]);
    db.close();
  });

  it('refuses a chunked blob whose records were damaged', async () => {
    const { db } = await freshDB();
    const blobs = new IdbBlobStore(db);
    const info = await blobs.put(random(2 * MiB + 7));
    const [key] = await db.getAllKeys('chunks');
    const bytes = (await db.get('chunks', key!))!;
    bytes[5] = bytes[5]! ^ 0xff;
    await db.put('chunks', bytes, key!);
    await expect(blobs.get(info.digest)).rejects.toThrow(CorruptBlobError);
    await db.delete('chunks', key!);
    await expect(blobs.get(info.digest)).rejects.toThrow(CorruptBlobError);
    await expect(blobs.read(info.digest, 0, 10)).rejects.toThrow(/chunks are missing/);
    db.close();
  });

  it('a full origin while a chunk is written fails the write with StoreFullError and keeps no chunks', async () => {
    const { db } = await freshDB();
    const blobs = new IdbBlobStore(db);
    const w = await blobs.writer();
    await w.write(random(MiB));
    failNextPut = { store: 'chunks', mode: 'request' };
    await expect(w.write(random(MiB))).rejects.toThrow(StoreFullError);
    expect(failNextPut).toBeUndefined(); // the failure was really injected
    expect(await db.count('chunks')).toBe(0);
    expect(await blobs.list()).toEqual([]);
    db.close();
  });

  it('reads blobs a version 1 database stored as one record (upgraded in place)', async () => {
    const factory = new IDBFactory();
    const name = `layerlab-test-${++counter}`;
    const big = random(2 * MiB + 11);
    const bigDigest = await sha256(big);
    const request = factory.open(name, 1);
    request.addEventListener('upgradeneeded', () => {
      for (const store of ['blobs', 'blobInfo', 'metadata']) request.result.createObjectStore(store);
    });
    const old = (await wrap(request)) as unknown as IDBPDatabase;
    await old.put('blobs', big, bigDigest);
    await old.put('blobInfo', { digest: bigDigest, size: big.length }, bigDigest);
    await old.put('metadata', JSON.stringify({ digest: bigDigest }), ['references', 'app:1']);
    old.close();
    const storage = await openIdbStorage({ factory, name });
    expect(await storage.blobs.list()).toEqual([{ digest: bigDigest, size: big.length }]);
    expect(Buffer.compare(await storage.blobs.get(bigDigest), big)).toBe(0);
    expect(Buffer.compare(await storage.blobs.read(bigDigest, MiB - 3, 10), big.subarray(MiB - 3, MiB + 7))).toBe(0);
    expect(await storage.metadata.get('references', 'app:1')).toEqual({ digest: bigDigest });
    expect(await storage.blobs.delete(bigDigest)).toBe(true);
    expect(await storage.blobs.list()).toEqual([]);
    storage.close();
  });
});
