/**
 * IndexedDB `BlobStore` and `MetadataStore` for the browser (page or worker), through `idb`.
 *
 * One database (default name `layerlab`, version 1) with three object stores:
 *   blobs      digest → bytes (Uint8Array), written only after the digest was verified
 *   blobInfo   digest → { digest, size }, so list/usage never load bytes
 *   metadata   [collection, key] → JSON text
 * Every commit is one readwrite IndexedDB transaction, so a crash or reload leaves the old or the
 * new state. Writers buffer chunks in memory until commit. Reads re-verify the sha256 with WebCrypto.
 * `QuotaExceededError` (thrown, or a transaction aborted with it) becomes `StoreFullError`, and the
 * failed transaction is aborted so nothing already stored changes.
 */
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames, wrap } from 'idb';
import {
  type BlobInfo,
  type BlobStore,
  type BlobWriter,
  BufferedBlobWriter,
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
  /** Blob digest and size by digest. */
  blobInfo: { key: string; value: { digest: string; size: number } };
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

const VERSION = 1;

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
 * A `BlobStore` in IndexedDB; build it on `openLayerLabDB()` or use `openIdbStorage()`. Small
 * blobs, once read and verified, are kept in memory (content-addressed, so they never change):
 * an image's manifest and config are read by nearly every command.
 */
export class IdbBlobStore implements BlobStore {
  private readonly quotaBytes: number | undefined;
  /** Verified small blobs by digest, in order of last read. */
  private readonly small = new Map<Digest, Uint8Array<ArrayBuffer>>();
  private smallBytes = 0;
  /** Counts deletions: a read that a deletion overtook is not kept. */
  private deletions = 0;

  constructor(
    private readonly db: IDBPDatabase<LayerLabDB>,
    options: StoreOptions = {},
  ) {
    this.quotaBytes = options.quotaBytes;
  }

  private async publish(bytes: Uint8Array<ArrayBuffer>, info: BlobInfo): Promise<void> {
    await readwrite(this.db, ['blobs', 'blobInfo'], async (tx) => {
      const infos = tx.objectStore('blobInfo');
      if ((await infos.getKey(info.digest)) !== undefined) return;
      if (this.quotaBytes !== undefined) {
        let used = 0;
        for (const i of await infos.getAll()) used += i.size;
        checkBlobQuota(this.quotaBytes, used, info.size);
      }
      await requests<unknown>([
        () => tx.objectStore('blobs').put(bytes, info.digest),
        () => infos.put({ digest: info.digest, size: info.size }, info.digest),
      ]);
    });
  }

  /** Starts an ingestion buffered in memory until commit. */
  async writer(expected?: ExpectedBlob): Promise<BlobWriter> {
    return new BufferedBlobWriter(expected, (bytes, info) => this.publish(bytes, info));
  }

  /** Stores a copy of `bytes` after verifying them. */
  async put(bytes: Uint8Array, expected?: Digest | ExpectedBlob): Promise<BlobInfo> {
    const want = normalizeExpected(expected);
    const copy = copyBytes(bytes);
    const info = await describeBytes(copy, want);
    await this.publish(copy, info);
    return info;
  }

  /** The blob's bytes, re-verified against its digest. */
  async get(digest: Digest): Promise<Uint8Array<ArrayBuffer>> {
    const kept = this.small.get(parseDigest(digest));
    if (kept) {
      this.small.delete(digest);
      this.small.set(digest, kept);
      return kept.slice();
    }
    const deletions = this.deletions;
    const bytes = await this.db.get('blobs', digest);
    if (!bytes) throw new NotFoundError(`blob ${digest}`);
    const actual = await sha256(bytes);
    if (actual !== digest) throw new CorruptBlobError(digest, actual);
    if (bytes.length <= SMALL_BLOB && deletions === this.deletions) this.keep(digest, bytes.slice());
    return bytes;
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

  /** Removes the blob; `true` if it existed. */
  async delete(digest: Digest): Promise<boolean> {
    const d = parseDigest(digest);
    this.deletions++;
    this.forgetSmall(d);
    return readwrite(this.db, ['blobs', 'blobInfo'], async (tx) => {
      if ((await tx.objectStore('blobInfo').getKey(d)) === undefined) return false;
      await requests([() => tx.objectStore('blobs').delete(d), () => tx.objectStore('blobInfo').delete(d)]);
      return true;
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
  return {
    blobs: new IdbBlobStore(db, options.blobs),
    metadata,
    close: () => {
      metadata.close();
      db.close();
    },
  };
}
