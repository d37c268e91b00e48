/**
 * In-memory `BlobStore` and `MetadataStore`, for unit tests and throwaway sessions. Bytes are
 * verified when written and copied in and out, so reads are trusted without re-hashing.
 */
import { BufferedBlobWriter, checkBlobQuota, copyBytes, describeBytes, normalizeExpected, rangeEnd } from './blob-core.ts';
import { type Digest, parseDigest } from './digest.ts';
import { NotFoundError } from './errors.ts';
import {
  checkCollection,
  checkMetadataQuota,
  fingerprint,
  recordSize,
  sortByKey,
  TransactionalMetadataStore,
  type TxChanges,
} from './metadata-core.ts';
import type { BlobInfo, BlobStore, BlobWriter, ExpectedBlob, StoreOptions } from './types.ts';

/** A `BlobStore` held in a `Map`; lost when the object is dropped. */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<Digest, Uint8Array>();
  private used = 0;
  private readonly quotaBytes: number | undefined;

  constructor(options: StoreOptions = {}) {
    this.quotaBytes = options.quotaBytes;
  }

  private publish(bytes: Uint8Array, info: BlobInfo): void {
    if (this.blobs.has(info.digest)) return;
    checkBlobQuota(this.quotaBytes, this.used, info.size);
    this.blobs.set(info.digest, bytes);
    this.used += info.size;
  }

  /** Starts an ingestion buffered in memory. */
  async writer(expected?: ExpectedBlob): Promise<BlobWriter> {
    return new BufferedBlobWriter(expected, async (bytes, info) => this.publish(bytes, info));
  }

  /** Stores a copy of `bytes` after verifying them. */
  async put(bytes: Uint8Array, expected?: Digest | ExpectedBlob): Promise<BlobInfo> {
    const want = normalizeExpected(expected);
    const copy = copyBytes(bytes);
    const info = await describeBytes(copy, want);
    this.publish(copy, info);
    return info;
  }

  /** A copy of the blob's bytes. */
  async get(digest: Digest): Promise<Uint8Array<ArrayBuffer>> {
    const bytes = this.blobs.get(parseDigest(digest));
    if (!bytes) throw new NotFoundError(`blob ${digest}`);
    return copyBytes(bytes);
  }

  /** A copy of `length` bytes from `offset`. */
  async read(digest: Digest, offset: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
    const bytes = this.blobs.get(parseDigest(digest));
    if (!bytes) throw new NotFoundError(`blob ${digest}`);
    return copyBytes(bytes.subarray(offset, rangeEnd(bytes.length, offset, length)));
  }

  /** Whether the blob exists. */
  async has(digest: Digest): Promise<boolean> {
    return this.blobs.has(parseDigest(digest));
  }

  /** Digest and size of the blob. */
  async info(digest: Digest): Promise<BlobInfo> {
    const bytes = this.blobs.get(parseDigest(digest));
    if (!bytes) throw new NotFoundError(`blob ${digest}`);
    return { digest, size: bytes.length };
  }

  /** Removes the blob; `true` if it existed. */
  async delete(digest: Digest): Promise<boolean> {
    const bytes = this.blobs.get(parseDigest(digest));
    if (!bytes) return false;
    this.blobs.delete(digest);
    this.used -= bytes.length;
    return true;
  }

  /** All blobs, sorted by digest. */
  async list(): Promise<BlobInfo[]> {
    return [...this.blobs]
      .map(([digest, bytes]) => ({ digest, size: bytes.length }))
      .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  }

  /** Total bytes stored. */
  async usage(): Promise<number> {
    return this.used;
  }
}

/** A `MetadataStore` held in nested `Map`s of JSON text; lost when the object is dropped. */
export class MemoryMetadataStore extends TransactionalMetadataStore {
  private readonly collections = new Map<string, Map<string, string>>();
  private used = 0;
  private readonly quotaBytes: number | undefined;

  constructor(options: StoreOptions = {}) {
    super();
    this.quotaBytes = options.quotaBytes;
  }

  /** Current JSON text of a record. */
  async readText(collection: string, key: string): Promise<string | undefined> {
    return this.collections.get(collection)?.get(key);
  }

  /** Current records of a collection, sorted by key. */
  async listText(collection: string): Promise<Array<[string, string]>> {
    checkCollection(collection);
    return sortByKey([...(this.collections.get(collection) ?? [])]);
  }

  /** Total record bytes. */
  async usage(): Promise<number> {
    return this.used;
  }

  protected async commitChanges(changes: TxChanges): Promise<boolean> {
    // Synchronous from here on: nothing can interleave, so check-then-apply is atomic.
    for (const r of changes.reads) {
      if (this.collections.get(r.collection)?.get(r.key) !== r.text) return false;
    }
    for (const l of changes.lists) {
      const now = sortByKey([...(this.collections.get(l.collection) ?? [])]);
      if (fingerprint(now) !== l.fingerprint) return false;
    }
    let after = this.used;
    for (const w of changes.writes) {
      const old = this.collections.get(w.collection)?.get(w.key);
      if (old !== undefined) after -= recordSize(w.collection, w.key, old);
      if (w.text !== undefined) after += recordSize(w.collection, w.key, w.text);
    }
    checkMetadataQuota(this.quotaBytes, this.used, after);
    for (const w of changes.writes) {
      let records = this.collections.get(w.collection);
      if (w.text === undefined) {
        records?.delete(w.key);
        if (records?.size === 0) this.collections.delete(w.collection);
        continue;
      }
      if (!records) this.collections.set(w.collection, (records = new Map()));
      records.set(w.key, w.text);
    }
    this.used = after;
    return true;
  }
}
