/**
 * File-system `BlobStore` and `MetadataStore` for Node (the headless CLI and tests).
 *
 * Layout under `root`:
 *   blobs/sha256/<hex>            one file per committed blob
 *   blobs/sha256/.ingest-*.tmp    writers in progress (debris after a crash; removed on open once a minute old)
 *   metadata/<collection>.json    one JSON file per collection
 *   metadata/.journal.json        a committed multi-collection transaction not yet fully applied
 *
 * Every change is a temp file in the same directory, fsync, rename, fsync of the directory, so a
 * crash leaves the old or the new state. Blob reads re-verify the sha256 (no "verified" marker:
 * bytes on disk can rot or be edited). One process owns a root at a time.
 */
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  BaseBlobWriter,
  type BlobInfo,
  type BlobStore,
  type BlobWriter,
  checkBlobQuota,
  checkCollection,
  checkMetadataQuota,
  copyBytes,
  CorruptBlobError,
  describeBytes,
  type Digest,
  digestHex,
  type ExpectedBlob,
  fingerprint,
  Mutex,
  normalizeExpected,
  NotFoundError,
  parseDigest,
  rangeEnd,
  recordSize,
  sha256,
  sortByKey,
  StoreError,
  StoreFullError,
  type StoreOptions,
  TransactionalMetadataStore,
  type TxChanges,
} from '../engine/store/index.ts';

const HEX_RE = /^[0-9a-f]{64}$/;
const TMP_RE = /^\..*\.tmp$/;
const JOURNAL = '.journal.json';
/** How long a temp file goes unwritten before it counts as debris left by a crash. */
const DEBRIS_AGE_MS = 60_000;
const COLLECTION_FILE_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** Maps "disk full" errors (ENOSPC, EDQUOT) to `StoreFullError`; returns anything else unchanged. */
function mapFsError(err: unknown): unknown {
  const code = errorCode(err);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StoreFullError('the disk is full', { cause: err });
  return err;
}

async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function removeDebris(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!TMP_RE.test(name)) continue;
    const path = join(dir, name);
    // a temp file written to within the last minute may be another engine's commit in progress
    // (a CLI in a second terminal over the same root): only older ones are a crash's debris
    const modified = await stat(path).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (modified !== undefined && Date.now() - modified > DEBRIS_AGE_MS) await rm(path, { force: true });
  }
}

/** Writes `path` atomically: temp file in the same directory, fsync, rename, fsync the directory. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw mapFsError(err);
  }
  await fsyncDir(dir);
}

class FsBlobWriter extends BaseBlobWriter {
  private position = 0;
  private handle: FileHandle | undefined;

  constructor(
    private readonly store: FsBlobStore,
    expected: ExpectedBlob | undefined,
    handle: FileHandle,
    private readonly tmpPath: string,
  ) {
    super(expected);
    this.handle = handle;
  }

  protected async append(chunk: Uint8Array): Promise<void> {
    const handle = this.handle;
    if (!handle) throw new StoreError('blob writer already committed or aborted');
    const at = this.position;
    this.position += chunk.length;
    try {
      await handle.write(chunk, 0, chunk.length, at);
    } catch (err) {
      throw mapFsError(err);
    }
  }

  protected async publish(info: BlobInfo): Promise<void> {
    const handle = this.handle;
    if (!handle) throw new StoreError('blob writer already committed or aborted');
    this.handle = undefined;
    try {
      await handle.sync();
    } catch (err) {
      throw mapFsError(err);
    } finally {
      await handle.close();
    }
    await this.store.publishFile(this.tmpPath, info);
  }

  protected async discard(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    await rm(this.tmpPath, { force: true }).catch(() => undefined);
  }
}

/** A `BlobStore` in `<root>/blobs/sha256/`; open it with `FsBlobStore.open(root)`. */
export class FsBlobStore implements BlobStore {
  private readonly mutex = new Mutex();

  private constructor(
    private readonly dir: string,
    private readonly quotaBytes: number | undefined,
  ) {}

  /** Opens (creating if needed) the blob store under `root`, removing debris of crashed writers. */
  static async open(root: string, options: StoreOptions = {}): Promise<FsBlobStore> {
    const dir = join(root, 'blobs', 'sha256');
    await mkdir(dir, { recursive: true });
    await removeDebris(dir);
    return new FsBlobStore(dir, options.quotaBytes);
  }

  private pathOf(digest: Digest): string {
    return join(this.dir, digestHex(digest));
  }

  /** Moves a verified, fsynced temp file into place (no-op if the blob exists). Internal to writers. */
  async publishFile(tmpPath: string, info: BlobInfo): Promise<void> {
    const target = this.pathOf(info.digest);
    await this.mutex.run(async () => {
      if (await this.has(info.digest)) return;
      if (this.quotaBytes !== undefined) checkBlobQuota(this.quotaBytes, await this.usage(), info.size);
      try {
        await rename(tmpPath, target);
      } catch (err) {
        throw mapFsError(err);
      }
      await fsyncDir(this.dir);
    });
  }

  /** Starts an ingestion into a temp file, hashed as it is written. */
  async writer(expected?: ExpectedBlob): Promise<BlobWriter> {
    const want = normalizeExpected(expected);
    const tmpPath = join(this.dir, `.ingest-${crypto.randomUUID()}.tmp`);
    let handle: FileHandle;
    try {
      handle = await open(tmpPath, 'wx');
    } catch (err) {
      throw mapFsError(err);
    }
    return new FsBlobWriter(this, want, handle, tmpPath);
  }

  /** Stores a copy of `bytes` after verifying them. */
  async put(bytes: Uint8Array, expected?: Digest | ExpectedBlob): Promise<BlobInfo> {
    const want = normalizeExpected(expected);
    const copy = copyBytes(bytes);
    const info = await describeBytes(copy, want);
    if (await this.has(info.digest)) return info;
    const tmpPath = join(this.dir, `.ingest-${crypto.randomUUID()}.tmp`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmpPath, 'wx');
      await handle.writeFile(copy);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await this.publishFile(tmpPath, info);
    } catch (err) {
      throw mapFsError(err);
    } finally {
      await handle?.close().catch(() => undefined);
      await rm(tmpPath, { force: true }).catch(() => undefined);
    }
    return info;
  }

  /** The blob's bytes, re-verified against its digest. */
  async get(digest: Digest): Promise<Uint8Array<ArrayBuffer>> {
    const path = this.pathOf(digest);
    let data: Uint8Array;
    try {
      data = await readFile(path);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new NotFoundError(`blob ${digest}`);
      throw err;
    }
    const actual = await sha256(data);
    if (actual !== digest) throw new CorruptBlobError(digest, actual);
    // readFile never returns a view on a SharedArrayBuffer
    return new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  }

  /** `length` bytes from `offset`, read from the file at that position (the rest is not read or re-hashed). */
  async read(digest: Digest, offset: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(digest), 'r');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new NotFoundError(`blob ${digest}`);
      throw err;
    }
    try {
      const end = rangeEnd((await handle.stat()).size, offset, length);
      const out = new Uint8Array(end - offset);
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, offset + done);
        if (bytesRead === 0) throw new StoreError(`blob ${digest} became shorter while it was read`);
        done += bytesRead;
      }
      return out;
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** Whether the blob's file exists. */
  async has(digest: Digest): Promise<boolean> {
    try {
      return (await stat(this.pathOf(digest))).isFile();
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  /** Digest and size (from the file's size; not re-hashed). */
  async info(digest: Digest): Promise<BlobInfo> {
    try {
      const s = await stat(this.pathOf(digest));
      return { digest, size: s.size };
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new NotFoundError(`blob ${digest}`);
      throw err;
    }
  }

  /** Removes the blob's file; `true` if it existed. */
  async delete(digest: Digest): Promise<boolean> {
    const path = this.pathOf(digest);
    return this.mutex.run(async () => {
      if (!(await this.has(digest))) return false;
      await rm(path, { force: true });
      await fsyncDir(this.dir);
      return true;
    });
  }

  /** All committed blobs, sorted by digest. */
  async list(): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (const name of (await readdir(this.dir)).sort()) {
      if (!HEX_RE.test(name)) continue;
      try {
        const s = await stat(join(this.dir, name));
        out.push({ digest: parseDigest(`sha256:${name}`), size: s.size });
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw err; // deleted meanwhile
      }
    }
    return out;
  }

  /** Total bytes of committed blobs. */
  async usage(): Promise<number> {
    let total = 0;
    for (const info of await this.list()) total += info.size;
    return total;
  }
}

type Records = Map<string, string>;

/** `[[key, value], …]` as JSON text, one record per line, sorted by key. */
function serializeRecordArray(records: Records): string {
  const lines = sortByKey([...records]).map(([key, text]) => `[${JSON.stringify(key)},${text}]`);
  return lines.length ? `[\n${lines.join(',\n')}\n]` : '[]';
}

function serializeRecords(records: Records): string {
  return `{"version":1,"records":${serializeRecordArray(records)}}\n`;
}

function parseRecords(value: unknown, where: string): Records {
  if (!Array.isArray(value)) throw new StoreError(`${where}: records must be an array`);
  const records: Records = new Map();
  for (const entry of value as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || entry[0] === '') {
      throw new StoreError(`${where}: each record must be [key, value]`);
    }
    records.set(entry[0], JSON.stringify(entry[1]));
  }
  return records;
}

function parseFile(text: string, where: string): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StoreError(`metadata file ${where} is damaged: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || (doc as { version?: unknown }).version !== 1) {
    throw new StoreError(`metadata file ${where} is damaged or from another version`);
  }
  return doc;
}

/** A `MetadataStore` in `<root>/metadata/`, cached in memory; open it with `FsMetadataStore.open(root)`. */
/** The journal's text, if one is in place (a committed transaction not yet fully applied). */
async function readJournal(dir: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, JOURNAL), 'utf8');
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
    return undefined;
  }
}

/** The collections a journal holds, whole. */
function parseJournal(journal: string, journalPath: string): Map<string, Records> {
  const doc = parseFile(journal, journalPath) as { collections?: unknown };
  if (!Array.isArray(doc.collections)) throw new StoreError(`metadata file ${journalPath} is damaged`);
  const collections = new Map<string, Records>();
  for (const item of doc.collections as unknown[]) {
    if (!Array.isArray(item) || item.length !== 2) throw new StoreError(`metadata file ${journalPath} is damaged`);
    const name: unknown = item[0];
    checkCollection(name);
    collections.set(name, parseRecords(item[1], journalPath));
  }
  return collections;
}

/** Every collection file under `dir`, with the inode each was read from. */
async function readCollections(dir: string): Promise<{ collections: Map<string, Records>; inodes: Map<string, number> }> {
  const collections = new Map<string, Records>();
  const inodes = new Map<string, number>();
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.json') || file.startsWith('.')) continue;
    const name = file.slice(0, -'.json'.length);
    if (!COLLECTION_FILE_RE.test(name)) continue; // not ours
    const path = join(dir, file);
    const handle = await open(path, 'r');
    let text: string;
    try {
      inodes.set(file, (await handle.stat()).ino);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
    collections.set(name, parseRecords((parseFile(text, path) as { records?: unknown }).records, path));
  }
  return { collections, inodes };
}

/** Whether no collection file was replaced (every commit renames a new file into place) or added since `inodes`. */
async function unchangedSince(dir: string, inodes: Map<string, number>): Promise<boolean> {
  const names = await readdir(dir);
  const files = names.filter((f) => f.endsWith('.json') && !f.startsWith('.') && COLLECTION_FILE_RE.test(f.slice(0, -'.json'.length)));
  if (files.length !== inodes.size) return false;
  for (const f of files) {
    const ino = await stat(join(dir, f)).then(
      (s) => s.ino,
      () => -1,
    );
    if (ino !== inodes.get(f)) return false;
  }
  return true;
}

export class FsMetadataStore extends TransactionalMetadataStore {
  private readonly mutex = new Mutex();
  private journalPending: string[] | undefined;

  private constructor(
    private readonly dir: string,
    private readonly collections: Map<string, Records>,
    private used: number,
    private readonly quotaBytes: number | undefined,
  ) {
    super();
  }

  /**
   * Opens (creating if needed) the metadata under `root`: removes temp-file debris, finishes a
   * committed journal left by a crash, and loads every collection.
   */
  static async open(root: string, options: StoreOptions = {}): Promise<FsMetadataStore> {
    const dir = join(root, 'metadata');
    await mkdir(dir, { recursive: true });
    await removeDebris(dir);
    // Another engine over this root (a page reloaded while the old one still saves, a CLI in a
    // second terminal) may commit while the files are read: read them again until no file was
    // replaced meanwhile and the journal stayed as it was, so what is loaded is one commit's state.
    // Opening writes nothing: a journal in place (a crash's, or a commit still being applied) is
    // read over the files, and this store finishes it before its own first commit.
    for (let attempt = 1; ; attempt++) {
      const journal = await readJournal(dir);
      const { collections, inodes } = await readCollections(dir);
      const stable = (await readJournal(dir)) === journal && (await unchangedSince(dir, inodes));
      if (!stable && attempt < 50) continue;
      const pending = journal === undefined ? undefined : parseJournal(journal, join(dir, JOURNAL));
      for (const [name, records] of pending ?? []) collections.set(name, records);
      let used = 0;
      for (const [name, records] of collections) for (const [key, text] of records) used += recordSize(name, key, text);
      const store = new FsMetadataStore(dir, collections, used, options.quotaBytes);
      if (pending) store.journalPending = [...pending.keys()];
      return store;
    }
  }

  /** Current JSON text of a record. */
  async readText(collection: string, key: string): Promise<string | undefined> {
    return this.collections.get(collection)?.get(key);
  }

  /** Current records of a collection, sorted by key. */
  async listText(collection: string): Promise<Array<[string, string]>> {
    return sortByKey([...(this.collections.get(collection) ?? [])]);
  }

  /** Total record bytes. */
  async usage(): Promise<number> {
    return this.used;
  }

  private fileOf(collection: string): string {
    return join(this.dir, `${collection}.json`);
  }

  private async applyJournal(names: string[]): Promise<void> {
    for (const name of names) {
      await writeFileAtomic(this.fileOf(name), serializeRecords(this.collections.get(name) ?? new Map()));
    }
    await rm(join(this.dir, JOURNAL), { force: true });
    await fsyncDir(this.dir);
  }

  protected async commitChanges(changes: TxChanges): Promise<boolean> {
    return this.mutex.run(async () => {
      if (this.journalPending) {
        await this.applyJournal(this.journalPending);
        this.journalPending = undefined;
      }
      for (const r of changes.reads) {
        if (this.collections.get(r.collection)?.get(r.key) !== r.text) return false;
      }
      for (const l of changes.lists) {
        if (fingerprint(sortByKey([...(this.collections.get(l.collection) ?? [])])) !== l.fingerprint) return false;
      }
      let after = this.used;
      const touched = new Map<string, Records>();
      for (const w of changes.writes) {
        let next = touched.get(w.collection);
        if (!next) touched.set(w.collection, (next = new Map(this.collections.get(w.collection))));
        const old = next.get(w.key);
        if (old !== undefined) after -= recordSize(w.collection, w.key, old);
        if (w.text === undefined) next.delete(w.key);
        else {
          next.set(w.key, w.text);
          after += recordSize(w.collection, w.key, w.text);
        }
      }
      checkMetadataQuota(this.quotaBytes, this.used, after);

      const names = [...touched.keys()];
      if (names.length === 1) {
        const name = names[0]!;
        await writeFileAtomic(this.fileOf(name), serializeRecords(touched.get(name)!));
      } else {
        const body = names.map((n) => `[${JSON.stringify(n)},${serializeRecordArray(touched.get(n)!)}]`);
        const journal = `{"version":1,"collections":[\n${body.join(',\n')}]}\n`;
        await writeFileAtomic(join(this.dir, JOURNAL), journal); // the commit point
      }
      for (const [name, records] of touched) this.collections.set(name, records);
      this.used = after;
      if (names.length > 1) {
        try {
          await this.applyJournal(names);
        } catch {
          this.journalPending = names; // durable already; finished before the next commit
        }
      }
      return true;
    });
  }
}

/** Opens both stores under one root directory. */
export async function openFsStorage(
  root: string,
  options: { blobs?: StoreOptions; metadata?: StoreOptions } = {},
): Promise<{ blobs: FsBlobStore; metadata: FsMetadataStore }> {
  return { blobs: await FsBlobStore.open(root, options.blobs), metadata: await FsMetadataStore.open(root, options.metadata) };
}
