/**
 * IndexedDB `BlobStore` and `MetadataStore` for the browser (page or worker), through `idb`.
 *
 * One database (default name `layerlab`, version 2) with four object stores:
 *   blobs      digest → bytes (Uint8Array): a blob smaller than `CHUNK_BYTES` (1 MiB), or any blob
 *              a version-1 site stored (still read as they are)
 *   chunks     [upload id, n, written at] → bytes: a larger blob, `CHUNK_BYTES` per record
 *   blobInfo   digest → { digest, size, chunks? }, so list/usage never load bytes; written last, it
 *              is what makes a blob visible (`chunks` names the upload whose records hold it)
 *   metadata   [collection, key] → JSON text
 * A writer keeps at most one chunk in memory: each full chunk is written (one transaction) under
 * an upload id nothing names yet, and the commit's one transaction checks they are all there and
 * writes the `blobInfo` record. Abort deletes them; a crash leaves records nothing names, which
 * `sweep` (started by `openIdbStorage`, not awaited) removes once ten minutes stale. Every commit is one readwrite
 * transaction, so a crash or reload leaves the old or the new state. `get` re-verifies the sha256
 * with WebCrypto; `read` returns a range from the chunk records it lies in, unverified.
 * `QuotaExceededError` (thrown, or a transaction aborted with it) becomes `StoreFullError`, and the
 * failed transaction is aborted so nothing already stored changes.
 */
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames, wrap } from 'idb';
import {
  type BlobInfo,
  type BlobStore,
  type BlobWriter,
  BaseBlobWriter,
  checkBlobQuota,
  checkMetadataQuota,
  copyBytes,
  CorruptBlobError,
  describeBytes,
  type Digest,
  type ExpectedBlob,
  fingerprint,
  normalizeExpected,
  sortByKey,
  NotFoundError,
  parseDigest,
  rangeEnd,
  recordSize,
  sha256,
  StoreError,
  StoreFullError,
  type StoreOptions,
  TransactionalMetadataStore,
  type TxChanges,
} from '../engine/store/index.ts';

/** The database schema. */
export interface LayerLabDB extends DBSchema {
  /** Verified blob bytes by digest. */
  blobs: { key: string; value: Uint8Array<ArrayBuffer> };
  /**
   * Blob digest and size by digest; `chunks` names the `chunks` records holding a blob stored in
   * pieces (absent: the bytes are one `blobs` record). Written last: it makes a blob visible.
   */
  blobInfo: { key: string; value: { digest: string; size: number; chunks?: { id: string; count: number; size: number } } };
  /** Pieces of large blobs by [upload id, index, written at (ms)]: `chunks.size` bytes each but the last. */
  chunks: { key: [string, number, number]; value: Uint8Array<ArrayBuffer> };
  /** Metadata JSON text by [collection, key]. */
  metadata: { key: [string, string]; value: string };
}

/** Which database to open. */
export interface IdbOpenOptions {
  /** Database name (default `layerlab`). */
  name?: string;
  /** The IndexedDB factory (default: the global `indexedDB`; tests inject fake-indexeddb's). */
  factory?: IDBFactory;
}

/** 1: blobs, blobInfo, metadata. 2: adds chunks (blobs stored before stay one record and readable). */
const VERSION = 2;

/** Opens (creating or upgrading) the LayerLab database. */
export async function openLayerLabDB(options: IdbOpenOptions = {}): Promise<IDBPDatabase<LayerLabDB>> {
  const factory = options.factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) throw new StoreError('IndexedDB is not available in this environment');
  const request = factory.open(options.name ?? 'layerlab', VERSION);
  request.addEventListener('upgradeneeded', (event) => {
    const db = request.result;
    if (event.oldVersion < 1) {
      db.createObjectStore('blobs');
      db.createObjectStore('blobInfo');
      db.createObjectStore('metadata');
    }
    if (event.oldVersion < 2) db.createObjectStore('chunks');
  });
  let db: IDBPDatabase | undefined;
  try {
    db = await wrap(request);
  } catch (err) {
    throw mapIdbError(err);
  }
  if (!db) throw new StoreError('IndexedDB open returned no database');
  const typed = db as unknown as IDBPDatabase<LayerLabDB>;
  // Another tab wants to upgrade or delete the database: let it.
  typed.addEventListener('versionchange', () => typed.close());
  return typed;
}

function isQuotaError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'QuotaExceededError';
}

/** Maps `QuotaExceededError` (from the error or the aborted transaction) to `StoreFullError`. */
function mapIdbError(err: unknown, tx?: { error: DOMException | null }): unknown {
  if (err instanceof StoreError) return err;
  let txError: unknown;
  try {
    txError = tx?.error;
  } catch {
    txError = undefined; // reading .error of an unfinished transaction throws in some engines
  }
  if (isQuotaError(err) || isQuotaError(txError)) {
    return new StoreFullError('the browser refused more IndexedDB data (QuotaExceededError)', { cause: err });
  }
  return err;
}

type Tx<S extends ArrayLike<StoreNames<LayerLabDB>>> = IDBPTransaction<LayerLabDB, S, 'readwrite'>;

/**
 * Runs `body` in one readwrite transaction and waits for it to commit. If `body` throws (or a
 * request fails) the transaction is aborted — nothing it did is kept — and the error is mapped.
 * `body` returning `abort` aborts without error.
 */
async function readwrite<const S extends Array<StoreNames<LayerLabDB>>, R>(
  db: IDBPDatabase<LayerLabDB>,
  stores: S,
  body: (tx: Tx<S>) => Promise<R>,
): Promise<R> {
  const tx = db.transaction(stores, 'readwrite') as Tx<S>;
  const done = tx.done;
  done.catch(() => undefined);
  try {
    const result = await body(tx);
    await done;
    return result;
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // already finished
    }
    throw await withStorageFigures(mapIdbError(err, tx));
  }
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** A `StoreFullError` from the browser says how much of the site's storage is used, of how much. */
async function withStorageFigures(err: unknown): Promise<unknown> {
  if (!(err instanceof StoreFullError) || !err.message.includes('QuotaExceededError')) return err;
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  if (!estimate?.quota) return err;
  return new StoreFullError(
    `the browser refused more data: this site stores ${mb(estimate.usage ?? 0)}, and the browser reports a quota of ${mb(estimate.quota)}, which a nearly full disk or a private window makes smaller`,
    {
      cause: err.cause,
    },
  );
}

class Conflict {}

/**
 * Issues IndexedDB requests in order and awaits them all. Unlike `Promise.all(list.map(...))`, a
 * request that throws synchronously cannot leave earlier ones as unhandled rejections.
 */
async function requests<T>(issue: Array<() => Promise<T>>): Promise<T[]> {
  const started: Array<Promise<T>> = [];
  for (const start of issue) {
    const p = start();
    p.catch(() => undefined);
    started.push(p);
  }
  return Promise.all(started);
}

/** Blobs up to this size (manifests, configs, small layers) are kept in memory once read and verified. */
const SMALL_BLOB = 64 * 1024;
/** How many bytes of small blobs are kept, the least recently read dropped first. */
const SMALL_BLOBS_KEPT = 4 * 1024 * 1024;
/**
 * Bytes per `chunks` record. A blob smaller than this is one `blobs` record; a larger one is
 * `ceil(size / CHUNK_BYTES)` chunk records, all full but the last, so a ranged read finds its
 * records by arithmetic and a writer holds at most one chunk in memory.
 */
export const CHUNK_BYTES = 1024 * 1024;
/** An upload whose newest chunk is older than this, with no committed blob, is a crash's debris. */
export const ORPHAN_AGE_MS = 10 * 60_000;

/** Every chunk record of one upload (keys `[id, n, writtenAt]`). */
function uploadRange(id: string): IDBKeyRange {
  // Array keys sort after numbers, so [id, []] is above every [id, n, at].
  return IDBKeyRange.bound([id], [id, []]);
}

/** Chunk records `first..last` of one upload. */
function chunkRange(id: string, first: number, last: number): IDBKeyRange {
  return IDBKeyRange.bound([id, first], [id, last, []]);
}

/** Joins chunk records into one buffer of `size` bytes (a missing record leaves zeros: the digest check fails). */
function joinChunks(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    if (off + c.length > size) break;
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * A writer that stores each full `CHUNK_BYTES` as a `chunks` record as soon as it has it (one
 * readwrite transaction per chunk, awaited by `write`, so a fast network waits for the disk), under
 * a fresh upload id no `blobInfo` names yet: nothing is visible until the commit's transaction
 * writes the `blobInfo` record naming the upload. Content smaller than one chunk never leaves memory
 * and is published as one `blobs` record, as before.
 */
class IdbBlobWriter extends BaseBlobWriter {
  private readonly id = crypto.randomUUID();
  /** The chunk being filled. */
  private buffer: Uint8Array<ArrayBuffer> | undefined;
  private filled = 0;
  /** Chunk records written. */
  private stored = 0;
  /** The chunk record being written. */
  private pending: Promise<void> | undefined;
  private published = false;

  constructor(
    private readonly store: IdbBlobStore,
    private readonly db: IDBPDatabase<LayerLabDB>,
    expected: ExpectedBlob | undefined,
  ) {
    super(expected);
    store.live.add(this.id);
  }

  protected async append(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      this.buffer ??= new Uint8Array(CHUNK_BYTES);
      const take = Math.min(CHUNK_BYTES - this.filled, chunk.length - off);
      this.buffer.set(chunk.subarray(off, off + take), this.filled);
      this.filled += take;
      off += take;
      if (this.filled === CHUNK_BYTES) await this.flush();
    }
  }

  /** Stores the chunk being filled as the next record. */
  private async flush(): Promise<void> {
    const bytes = this.filled === CHUNK_BYTES ? this.buffer! : this.buffer!.slice(0, this.filled);
    const key: [string, number, number] = [this.id, this.stored, Date.now()];
    this.buffer = undefined;
    this.filled = 0;
    this.stored++;
    this.pending = readwrite(this.db, ['chunks'], async (tx) => {
      await tx.objectStore('chunks').put(bytes, key);
    });
    await this.pending;
  }

  protected async publish(info: BlobInfo): Promise<void> {
    if (this.stored === 0) {
      // smaller than one chunk: one record, as blobs always were
      await this.store.publishBytes(this.buffer ? this.buffer.slice(0, this.filled) : new Uint8Array(0), info);
    } else {
      if (this.filled > 0) await this.flush();
      await this.store.publishChunks(info, this.id, this.stored);
    }
    this.published = true;
  }

  protected async discard(): Promise<void> {
    this.buffer = undefined;
    this.filled = 0;
    const written = this.stored > 0 && !this.published;
    await this.pending?.catch(() => undefined);
    if (written) {
      await readwrite(this.db, ['chunks'], async (tx) => {
        await tx.objectStore('chunks').delete(uploadRange(this.id));
      }).catch(() => undefined); // left behind: swept at a later open
    }
    this.store.live.delete(this.id);
  }
}

/**
 * A `BlobStore` in IndexedDB; build it on `openLayerLabDB()` or use `openIdbStorage()` (which also
 * sweeps crash debris, see `sweep`). Small blobs, once read and verified, are kept in memory
 * (content-addressed, so they never change): an image's manifest and config are read by nearly
 * every command.
 */
export class IdbBlobStore implements BlobStore {
  private readonly quotaBytes: number | undefined;
  /** Verified small blobs by digest, in order of last read. */
  private readonly small = new Map<Digest, Uint8Array<ArrayBuffer>>();
  private smallBytes = 0;
  /** Counts deletions: a read that a deletion overtook is not kept. */
  private deletions = 0;
  /** Upload ids of this store's writers still open (never swept). Internal to writers. */
  readonly live = new Set<string>();

  constructor(
    private readonly db: IDBPDatabase<LayerLabDB>,
    options: StoreOptions = {},
  ) {
    this.quotaBytes = options.quotaBytes;
  }

  /** Throws `StoreFullError` unless a blob of `size` bytes fits the quota (inside a commit's transaction). */
  private async checkQuota(tx: Tx<['blobInfo', ...Array<StoreNames<LayerLabDB>>]>, size: number): Promise<void> {
    if (this.quotaBytes === undefined) return;
    let used = 0;
    for (const i of await tx.objectStore('blobInfo').getAll()) used += i.size;
    checkBlobQuota(this.quotaBytes, used, size);
  }

  /**
   * Publishes verified bytes in one transaction: one `blobs` record below `CHUNK_BYTES`, else chunk
   * records under a new upload id; the `blobInfo` record is written last. Internal to writers.
   */
  async publishBytes(bytes: Uint8Array<ArrayBuffer>, info: BlobInfo): Promise<void> {
    await readwrite(this.db, ['blobInfo', 'blobs', 'chunks'], async (tx) => {
      const infos = tx.objectStore('blobInfo');
      if ((await infos.getKey(info.digest)) !== undefined) return;
      await this.checkQuota(tx, info.size);
      if (bytes.length < CHUNK_BYTES) {
        await requests<unknown>([
          () => tx.objectStore('blobs').put(bytes, info.digest),
          () => infos.put({ digest: info.digest, size: info.size }, info.digest),
        ]);
        return;
      }
      const id = crypto.randomUUID();
      const now = Date.now();
      const count = Math.ceil(bytes.length / CHUNK_BYTES);
      const chunks = tx.objectStore('chunks');
      await requests<unknown>([
        ...Array.from({ length: count }, (_, n) => () => chunks.put(bytes.slice(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES), [id, n, now])),
        () => infos.put({ digest: info.digest, size: info.size, chunks: { id, count, size: CHUNK_BYTES } }, info.digest),
      ]);
    });
  }

  /**
   * Makes a writer's chunk records a visible blob: one transaction checks they are all there and
   * writes the `blobInfo` record naming them (the commit point). If the blob exists already, the
   * records are deleted instead (a no-op success). Internal to writers.
   */
  async publishChunks(info: BlobInfo, id: string, count: number): Promise<void> {
    await readwrite(this.db, ['blobInfo', 'chunks'], async (tx) => {
      const infos = tx.objectStore('blobInfo');
      const chunks = tx.objectStore('chunks');
      if ((await infos.getKey(info.digest)) !== undefined) {
        await chunks.delete(uploadRange(id));
        return;
      }
      if ((await chunks.count(uploadRange(id))) !== count) {
        throw new StoreError(`the chunks written for blob ${info.digest} are gone (removed as debris after a long pause?)`);
      }
      await this.checkQuota(tx, info.size);
      await infos.put({ digest: info.digest, size: info.size, chunks: { id, count, size: CHUNK_BYTES } }, info.digest);
    });
  }

  /** Starts an ingestion that stores each `CHUNK_BYTES` as it arrives (see `IdbBlobWriter`). */
  async writer(expected?: ExpectedBlob): Promise<BlobWriter> {
    return new IdbBlobWriter(this, this.db, expected);
  }

  /** Stores a copy of `bytes` after verifying them. */
  async put(bytes: Uint8Array, expected?: Digest | ExpectedBlob): Promise<BlobInfo> {
    const want = normalizeExpected(expected);
    const copy = copyBytes(bytes);
    const info = await describeBytes(copy, want);
    await this.publishBytes(copy, info);
    return info;
  }

  /** The blob's bytes (joined from its chunks, or its one record), re-verified against its digest. */
  async get(digest: Digest): Promise<Uint8Array<ArrayBuffer>> {
    const kept = this.small.get(parseDigest(digest));
    if (kept) {
      this.small.delete(digest);
      this.small.set(digest, kept);
      return kept.slice();
    }
    const deletions = this.deletions;
    // one record (every blob below a chunk, and every blob a version-1 site stored): one request
    let bytes = await this.db.get('blobs', digest);
    if (!bytes) bytes = await this.getChunked(digest);
    if (!bytes) throw new NotFoundError(`blob ${digest}`);
    const actual = await sha256(bytes);
    if (actual !== digest) throw new CorruptBlobError(digest, actual);
    if (bytes.length <= SMALL_BLOB && deletions === this.deletions) this.keep(digest, bytes.slice());
    return bytes;
  }

  /** A blob stored as chunk records, joined (read in one transaction); `undefined` if there is none. */
  private async getChunked(digest: Digest): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const tx = this.db.transaction(['blobInfo', 'chunks'], 'readonly');
    const done = tx.done;
    done.catch(() => undefined);
    const info = await tx.objectStore('blobInfo').get(digest);
    const records = info?.chunks ? await tx.objectStore('chunks').getAll(uploadRange(info.chunks.id)) : undefined;
    await done;
    return info && records ? joinChunks(records, info.size) : undefined;
  }

  /** `length` bytes from `offset`: only the chunk records they lie in are read (a one-record blob is read and sliced). */
  async read(digest: Digest, offset: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
    const kept = this.small.get(parseDigest(digest));
    if (kept) return kept.slice(offset, rangeEnd(kept.length, offset, length));
    const tx = this.db.transaction(['blobInfo', 'blobs', 'chunks'], 'readonly');
    const done = tx.done;
    done.catch(() => undefined);
    const info = await tx.objectStore('blobInfo').get(digest);
    if (!info) {
      await done;
      throw new NotFoundError(`blob ${digest}`);
    }
    const end = rangeEnd(info.size, offset, length);
    let out: Uint8Array<ArrayBuffer>;
    if (end === offset) out = new Uint8Array(0);
    else if (info.chunks) {
      const { id, size } = info.chunks;
      const first = Math.floor(offset / size);
      const last = Math.floor((end - 1) / size);
      const records = await tx.objectStore('chunks').getAll(chunkRange(id, first, last));
      const joined = joinChunks(records, Math.min(info.size, (last + 1) * size) - first * size);
      if (records.length !== last - first + 1) throw new StoreError(`blob ${digest} is corrupt: chunks are missing`);
      out = joined.slice(offset - first * size, end - first * size);
    } else {
      const bytes = await tx.objectStore('blobs').get(digest);
      if (!bytes) throw new NotFoundError(`blob ${digest}`);
      out = bytes.slice(offset, end);
    }
    await done;
    return out;
  }

  private keep(digest: Digest, bytes: Uint8Array<ArrayBuffer>): void {
    this.forgetSmall(digest);
    this.small.set(digest, bytes);
    this.smallBytes += bytes.length;
    for (const [d, b] of this.small) {
      if (this.smallBytes <= SMALL_BLOBS_KEPT) break;
      this.small.delete(d);
      this.smallBytes -= b.length;
    }
  }

  private forgetSmall(digest: Digest): void {
    const b = this.small.get(digest);
    if (!b) return;
    this.small.delete(digest);
    this.smallBytes -= b.length;
  }

  /** Whether the blob exists. */
  async has(digest: Digest): Promise<boolean> {
    return (await this.db.getKey('blobInfo', parseDigest(digest))) !== undefined;
  }

  /** Digest and size of the blob. */
  async info(digest: Digest): Promise<BlobInfo> {
    const info = await this.db.get('blobInfo', parseDigest(digest));
    if (!info) throw new NotFoundError(`blob ${digest}`);
    return { digest, size: info.size };
  }

  /** Removes the blob (its record or its chunks, with its info, in one transaction); `true` if it existed. */
  async delete(digest: Digest): Promise<boolean> {
    const d = parseDigest(digest);
    this.deletions++;
    this.forgetSmall(d);
    return readwrite(this.db, ['blobs', 'blobInfo', 'chunks'], async (tx) => {
      const info = await tx.objectStore('blobInfo').get(d);
      if (info === undefined) return false;
      await requests<unknown>([
        () => tx.objectStore('blobs').delete(d),
        () => tx.objectStore('blobInfo').delete(d),
        ...(info.chunks ? [() => tx.objectStore('chunks').delete(uploadRange(info.chunks!.id))] : []),
      ]);
      return true;
    });
  }

  /**
   * Deletes chunk records no `blobInfo` names whose newest record is older than `maxAgeMs`: writers
   * that a crash, a reload or a closed tab ended before commit or abort (a writer of another tab
   * still writing has written a chunk recently; this store's own open writers are never touched).
   * `openIdbStorage` runs it; returns how many uploads it removed.
   */
  async sweep(maxAgeMs = ORPHAN_AGE_MS): Promise<number> {
    return readwrite(this.db, ['blobInfo', 'chunks'], async (tx) => {
      const named = new Set<string>();
      for (const i of await tx.objectStore('blobInfo').getAll()) if (i.chunks) named.add(i.chunks.id);
      const newest = new Map<string, number>();
      for (const [id, , at] of await tx.objectStore('chunks').getAllKeys()) newest.set(id, Math.max(at, newest.get(id) ?? 0));
      const now = Date.now();
      const debris = [...newest].filter(([id, at]) => !named.has(id) && !this.live.has(id) && now - at >= maxAgeMs).map(([id]) => id);
      await requests(debris.map((id) => () => tx.objectStore('chunks').delete(uploadRange(id))));
      return debris.length;
    });
  }

  /** All blobs, sorted by digest. */
  async list(): Promise<BlobInfo[]> {
    return (await this.db.getAll('blobInfo')).map((i) => ({ digest: parseDigest(i.digest), size: i.size }));
  }

  /** Total bytes stored. */
  async usage(): Promise<number> {
    let used = 0;
    for (const i of await this.db.getAll('blobInfo')) used += i.size;
    return used;
  }
}

function collectionRange(collection: string): IDBKeyRange {
  // Array keys sort after strings, so [collection, []] is above every [collection, key].
  return IDBKeyRange.bound([collection], [collection, []]);
}

/** What a commit through one store tells the other stores open on the same database (other tabs). */
interface CommitNotice {
  collections: string[];
}

/**
 * A `MetadataStore` in IndexedDB; build it on `openLayerLabDB()` or use `openIdbStorage()`.
 *
 * Reads come from memory: a collection is read whole from IndexedDB the first time it is asked
 * for and kept in step with every commit made through this store, as the Node CLI's file store
 * keeps its records (a read in IndexedDB is a transaction of its own, ~1 ms in Chromium, and a
 * `docker run` or a cached build made dozens of them). Commits still check their reads against
 * IndexedDB itself, so a stale copy can never lose a write; a store on the same database in
 * another tab says which collections it changed on a BroadcastChannel, and this one reads those
 * again when next asked.
 */
export class IdbMetadataStore extends TransactionalMetadataStore {
  private readonly quotaBytes: number | undefined;
  /** Collections read whole, kept in step with each commit: key → JSON text. */
  private readonly cached = new Map<string, Map<string, string>>();
  /** Collections being read whole now. */
  private readonly loading = new Map<string, Promise<Map<string, string>>>();
  /** Bumped for a collection when a commit changes it: a read that began before is read again. */
  private readonly generation = new Map<string, number>();
  private readonly channel: BroadcastChannel | undefined;

  constructor(
    private readonly db: IDBPDatabase<LayerLabDB>,
    options: StoreOptions = {},
  ) {
    super();
    this.quotaBytes = options.quotaBytes;
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(`layerlab-metadata:${db.name}`);
      this.channel.onmessage = (e: MessageEvent<CommitNotice>) => this.forget(e.data.collections);
      // the channel must not keep a Node process (tests) alive
      (this.channel as { unref?: () => void }).unref?.();
    }
  }

  /** Current JSON text of a record. */
  async readText(collection: string, key: string): Promise<string | undefined> {
    return (await this.collection(collection)).get(key);
  }

  /** Current records of a collection, sorted by key. */
  async listText(collection: string): Promise<Array<[string, string]>> {
    return sortByKey([...(await this.collection(collection))]);
  }

  /** Stops hearing other tabs' commits (the connection is closing). */
  close(): void {
    this.channel?.close();
  }

  /** The collection's records, read whole from IndexedDB when not in memory. */
  private collection(collection: string): Promise<Map<string, string>> {
    const hit = this.cached.get(collection);
    if (hit) return Promise.resolve(hit);
    let pending = this.loading.get(collection);
    if (!pending) {
      pending = (async () => {
        for (;;) {
          const before = this.generation.get(collection) ?? 0;
          const tx = this.db.transaction('metadata', 'readonly');
          const range = collectionRange(collection);
          const [keys, values] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range), tx.done]);
          // a commit that ended while this read ran may not be in it: read again
          if ((this.generation.get(collection) ?? 0) !== before) continue;
          const records = new Map(keys.map((k, i) => [k[1], values[i]!] as const));
          this.cached.set(collection, records);
          return records;
        }
      })().finally(() => this.loading.delete(collection));
      this.loading.set(collection, pending);
    }
    return pending;
  }

  /** Drops collections from memory (another tab changed them). */
  private forget(collections: string[]): void {
    for (const c of collections) {
      this.cached.delete(c);
      this.generation.set(c, (this.generation.get(c) ?? 0) + 1);
    }
  }

  /** Applies a committed transaction's writes to the collections in memory, and tells other tabs. */
  private committed(changes: TxChanges): void {
    const touched = new Set<string>();
    for (const w of changes.writes) {
      touched.add(w.collection);
      const records = this.cached.get(w.collection);
      if (!records) continue;
      if (w.text === undefined) records.delete(w.key);
      else records.set(w.key, w.text);
    }
    for (const c of touched) this.generation.set(c, (this.generation.get(c) ?? 0) + 1);
    if (touched.size > 0) this.channel?.postMessage({ collections: [...touched] } satisfies CommitNotice);
  }

  /** Total record bytes. */
  async usage(): Promise<number> {
    const tx = this.db.transaction('metadata', 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll(), tx.done]);
    let used = 0;
    keys.forEach(([c, k], i) => (used += recordSize(c, k, values[i]!)));
    return used;
  }

  protected async commitChanges(changes: TxChanges): Promise<boolean> {
    const done = await this.commitToDb(changes);
    if (done) this.committed(changes);
    return done;
  }

  private async commitToDb(changes: TxChanges): Promise<boolean> {
    try {
      return await readwrite(this.db, ['metadata'], async (tx) => {
        const store = tx.objectStore('metadata');
        const seen = await requests(changes.reads.map((r) => () => store.get([r.collection, r.key])));
        if (changes.reads.some((r, i) => seen[i] !== r.text)) throw new Conflict();
        for (const l of changes.lists) {
          const range = collectionRange(l.collection);
          const [keys, values] = await Promise.all([store.getAllKeys(range), store.getAll(range)]);
          if (fingerprint(keys.map((k, i) => [k[1], values[i]!])) !== l.fingerprint) throw new Conflict();
        }
        if (this.quotaBytes !== undefined) {
          const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
          const current = new Map<string, number>();
          let before = 0;
          keys.forEach(([c, k], i) => {
            const size = recordSize(c, k, values[i]!);
            current.set(`${c}\0${k}`, size);
            before += size;
          });
          let after = before;
          for (const w of changes.writes) {
            after -= current.get(`${w.collection}\0${w.key}`) ?? 0;
            if (w.text !== undefined) after += recordSize(w.collection, w.key, w.text);
          }
          checkMetadataQuota(this.quotaBytes, before, after);
        }
        await requests<unknown>(
          changes.writes.map(
            (w) => () => (w.text === undefined ? store.delete([w.collection, w.key]) : store.put(w.text, [w.collection, w.key])),
          ),
        );
        return true;
      });
    } catch (err) {
      if (err instanceof Conflict) return false;
      throw err;
    }
  }
}

/** Both IndexedDB stores on one connection. */
export interface IdbStorage {
  /** The blob store. */
  blobs: IdbBlobStore;
  /** The metadata store. */
  metadata: IdbMetadataStore;
  /** Closes the connection; the stores must not be used afterwards. */
  close(): void;
}

/** Opens the database and both stores. */
export async function openIdbStorage(
  options: IdbOpenOptions & { blobs?: StoreOptions; metadata?: StoreOptions } = {},
): Promise<IdbStorage> {
  const db = await openLayerLabDB(options);
  const metadata = new IdbMetadataStore(db, options.metadata);
  const blobs = new IdbBlobStore(db, options.blobs);
  // a writer a crash or reload ended leaves chunk records nothing names: remove them in the
  // background (never fatal), so the page's start does not wait for a scan of every blob
  void blobs.sweep().catch(() => 0);
  return {
    blobs,
    metadata,
    close: () => {
      metadata.close();
      db.close();
    },
  };
}
