/**
 * The engine's durable storage, declared as interfaces: a content-addressed `BlobStore` and a
 * transactional `MetadataStore`. The engine never imports an implementation; it is handed one
 * (memory here, IndexedDB or file system in `src/storage/`).
 */
import type { Digest } from './digest.ts';

/** What a store knows about a committed blob. */
export interface BlobInfo {
  /** The blob's content address. */
  digest: Digest;
  /** Its length in bytes. */
  size: number;
}

/** Expectations checked at commit: any given field must match the written content. */
export interface ExpectedBlob {
  /** The digest the content must hash to. */
  digest?: Digest;
  /** The exact size in bytes; writing past it fails at once. */
  size?: number;
}

/** Options every implementation accepts. */
export interface StoreOptions {
  /**
   * A byte budget. A commit that would grow usage past it fails with `StoreFullError` and changes
   * nothing (deletes and no-op re-writes always succeed). Unset means "whatever the backend holds";
   * a real backend running out (QuotaExceededError, ENOSPC) fails the same way.
   */
  quotaBytes?: number;
}

/**
 * One ingestion into a `BlobStore`, from `BlobStore.writer()`.
 *
 * Lifecycle: `write()` chunks in order (each chunk is hashed as it arrives, with an incremental
 * SHA-256), then either `commit()` or `abort()`. Once either has been called the writer is finished
 * and any further call throws `StoreError`. A commit that fails (wrong digest or size, full store)
 * also finishes the writer and discards what was written.
 */
export interface BlobWriter {
  /** Bytes written so far. */
  readonly size: number;
  /** Digest of the bytes written so far. */
  digest(): Digest;
  /**
   * Appends a chunk. The writer may keep the chunk until the returned promise resolves: do not
   * modify it before then. Fails with `SizeMismatchError` (and aborts) if it passes an expected size.
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Verifies the content against the expectations given to `writer()` and to this call (size, then
   * digest: `SizeMismatchError`, `DigestMismatchError`), then makes the blob visible atomically and
   * returns its info. Committing content that is already stored is a no-op success.
   */
  commit(expected?: Digest | ExpectedBlob): Promise<BlobInfo>;
  /** Discards everything written; nothing becomes visible. Safe to call more than once. */
  abort(): Promise<void>;
}

/**
 * Content-addressed blob storage, modelled on containerd's `content.Store`.
 *
 * A blob is ingested through a `BlobWriter` (`writer()`, then `write()` chunks, then `commit()`) or
 * all at once with `put()`. Nothing is readable before its commit has verified the sha256 digest
 * (and the expected size and digest, if given), and nothing half-written survives a crash or reload:
 * the blob appears whole or not at all. Once committed, a blob is immutable and is queried with
 * `get`/`has`/`info`/`list`; it stays until `delete()` (garbage collection of unreferenced blobs is
 * the caller's job, by listing and deleting). Writing a blob that already exists is a no-op success,
 * also when several writers of the same content commit concurrently.
 *
 * `get()` never returns bytes that do not hash to the digest: implementations either re-verify on
 * read or only hold bytes they verified and copied in; corruption is a `CorruptBlobError` naming the
 * digest. `get()` returns a fresh copy. `read()` returns a range without reading the whole blob (and
without that check). Malformed digests are rejected with `InvalidDigestError`.
 */
export interface BlobStore {
  /** Starts an ingestion; `expected` is checked again at commit (and `size` on every write). */
  writer(expected?: ExpectedBlob): Promise<BlobWriter>;
  /** Stores `bytes` (copied at once) in one step, verified against `expected`; returns its info. */
  put(bytes: Uint8Array, expected?: Digest | ExpectedBlob): Promise<BlobInfo>;
  /** The verified content of a blob; throws `NotFoundError` if absent, `CorruptBlobError` if damaged. */
  get(digest: Digest): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * Up to `length` bytes of a committed blob from `offset` (fewer at its end; none at `offset ===
   * size`), as a fresh copy, without reading the rest of the blob: for sending a large blob piece
   * by piece (a push's PATCH chunks). Unlike `get()`, the bytes are not checked against the digest
   * (a piece cannot be): implementations that re-verify on `get()` return what they hold, and the
   * consumer checks the whole (a registry verifies the digest of a push). Throws `NotFoundError` if
   * absent and `RangeError` if `offset` is outside `0..size` or `length` is negative.
   */
  read(digest: Digest, offset: number, length: number): Promise<Uint8Array<ArrayBuffer>>;
  /** Whether a committed blob with this digest exists. */
  has(digest: Digest): Promise<boolean>;
  /** Digest and size of a committed blob; throws `NotFoundError` if absent. */
  info(digest: Digest): Promise<BlobInfo>;
  /** Removes a blob; resolves `true` if it existed. Always allowed, even when the store is full. */
  delete(digest: Digest): Promise<boolean>;
  /** Every committed blob, sorted by digest. */
  list(): Promise<BlobInfo[]>;
  /** Total bytes of all committed blobs. */
  usage(): Promise<number>;
}

/** Any value that survives `JSON.stringify`/`JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One record of a collection. */
export interface MetadataEntry<T = JsonValue> {
  /** The record's key within its collection. */
  key: string;
  /** The record (a fresh copy). */
  value: T;
}

/** Reading side shared by `MetadataStore` and `MetadataTransaction`. */
export interface MetadataReader {
  /**
   * A fresh copy of the record, or `undefined` if there is none. `T` is the caller's claim about the
   * shape; the store checks only that it is JSON.
   */
  get<T = JsonValue>(collection: string, key: string): Promise<T | undefined>;
  /** Every record of a collection as fresh copies, sorted by key (UTF-16 code unit order). */
  list<T = JsonValue>(collection: string): Promise<Array<MetadataEntry<T>>>;
}

/**
 * The handle a `MetadataStore.transaction()` callback receives. Reads see the transaction's own
 * writes; writes are buffered and applied together when the callback returns, or not at all.
 */
export interface MetadataTransaction extends MetadataReader {
  /** Buffers a put (the value is validated and copied now; see `MetadataStore.put`). */
  put(collection: string, key: string, value: unknown): void;
  /** Buffers a delete (deleting a missing record is fine). */
  delete(collection: string, key: string): void;
}

/**
 * A small transactional store of JSON records in named collections: references
 * (`name:tag` → manifest digest), containers, volumes, build cache.
 *
 * Collection names match `[a-z0-9][a-z0-9._-]{0,63}`; keys are non-empty strings. Values must be
 * JSON: plain objects, arrays, strings, finite numbers, booleans and null (object properties that
 * are `undefined` are dropped, as `JSON.stringify` does); anything else throws `TypeError`.
 * The store keeps copies: mutating a value after `put` or one returned by `get`/`list` never changes
 * the store. Every write is atomic and durable once its promise resolves; a crash or reload leaves
 * either the old or the new state.
 */
export interface MetadataStore extends MetadataReader {
  /** Creates or replaces one record (atomic). */
  put(collection: string, key: string, value: unknown): Promise<void>;
  /** Removes one record; resolves `true` if it existed. Always allowed, even when the store is full. */
  delete(collection: string, key: string): Promise<boolean>;
  /**
   * Runs `fn` and applies all of its puts and deletes atomically: all or nothing. If `fn` throws,
   * nothing is applied and the error is rethrown. Transactions are serializable and optimistic: if
   * a record `fn` read (or a collection it listed) changed before the commit, `fn` runs again, so it
   * must have no side effects beyond `tx`; after repeated conflicts it throws
   * `TransactionConflictError`. Do not call the store itself from inside `fn` — use `tx`.
   */
  transaction<R>(fn: (tx: MetadataTransaction) => Promise<R> | R): Promise<R>;
  /** Total size of all records in bytes (UTF-8 of collection name, key and JSON text). */
  usage(): Promise<number>;
}
