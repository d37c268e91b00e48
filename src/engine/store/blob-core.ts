/**
 * Shared machinery for `BlobStore` implementations: expectation checks, the quota rule, a writer
 * that buffers chunks in memory (memory and IndexedDB stores), and a tiny async mutex.
 */
import { type Digest, parseDigest, Sha256, sha256 } from './digest.ts';
import { DigestMismatchError, SizeMismatchError, StoreError, StoreFullError } from './errors.ts';
import type { BlobInfo, BlobWriter, ExpectedBlob } from './types.ts';

/** Validates and normalises an expectation (a bare digest means `{ digest }`). */
export function normalizeExpected(expected: Digest | ExpectedBlob | undefined): ExpectedBlob {
  if (expected === undefined) return {};
  if (typeof expected === 'string') return { digest: parseDigest(expected) };
  const out: ExpectedBlob = {};
  if (expected.digest !== undefined) out.digest = parseDigest(expected.digest);
  if (expected.size !== undefined) {
    if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
      throw new TypeError(`invalid expected size ${String(expected.size)}: must be a non-negative integer`);
    }
    out.size = expected.size;
  }
  return out;
}

/** Throws `SizeMismatchError` or `DigestMismatchError` unless `info` meets every expectation. */
export function verifyExpected(info: BlobInfo, ...expectations: ExpectedBlob[]): void {
  for (const e of expectations) {
    if (e.size !== undefined && e.size !== info.size) throw new SizeMismatchError(e.size, info.size);
  }
  for (const e of expectations) {
    if (e.digest !== undefined && e.digest !== info.digest) throw new DigestMismatchError(e.digest, info.digest);
  }
}

/** Hashes `bytes` with WebCrypto and checks them against `expected`; returns their info. */
export async function describeBytes(bytes: Uint8Array, expected: ExpectedBlob): Promise<BlobInfo> {
  const info: BlobInfo = { digest: await sha256(bytes), size: bytes.length };
  verifyExpected(info, expected);
  return info;
}

/** Throws `StoreFullError` if adding `adding` bytes to `used` would pass the quota. */
export function checkBlobQuota(quotaBytes: number | undefined, used: number, adding: number): void {
  if (quotaBytes !== undefined && used + adding > quotaBytes) {
    throw new StoreFullError(`a ${adding}-byte blob does not fit: ${used} of ${quotaBytes} bytes used`);
  }
}

/**
 * Checks a `BlobStore.read` range against a blob of `size` bytes; returns the end offset (clamped
 * to `size`). Throws `RangeError` if `offset` is outside `0..size` or `length` is negative.
 */
export function rangeEnd(size: number, offset: number, length: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
    throw new RangeError(`offset ${String(offset)} is outside the blob (0..${size})`);
  }
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid length ${String(length)}`);
  return Math.min(size, offset + length);
}

/** Copies a view into its own exactly-sized buffer. */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** Serialises async critical sections (one at a time, in call order). */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every previously queued section has settled. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Writer bookkeeping shared by all implementations: state, incremental hash, size limit. */
export abstract class BaseBlobWriter implements BlobWriter {
  private readonly hasher = new Sha256();
  private finished = false;
  protected readonly expected: ExpectedBlob;

  constructor(expected: ExpectedBlob | undefined) {
    this.expected = normalizeExpected(expected);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.hasher.length;
  }

  /** Digest of the bytes written so far. */
  digest(): Digest {
    return this.hasher.digest();
  }

  /** Stores the chunk somewhere private (hashing is done already). */
  protected abstract append(chunk: Uint8Array): Promise<void>;
  /** Makes the verified content visible atomically (no-op if the digest exists). */
  protected abstract publish(info: BlobInfo): Promise<void>;
  /** Throws away whatever `append` stored. Must not throw. */
  protected abstract discard(): Promise<void>;

  private assertOpen(): void {
    if (this.finished) throw new StoreError('blob writer already committed or aborted');
  }

  /** Appends a chunk (see `BlobWriter.write`). */
  async write(chunk: Uint8Array): Promise<void> {
    this.assertOpen();
    const limit = this.expected.size;
    if (limit !== undefined && this.hasher.length + chunk.length > limit) {
      const actual = this.hasher.length + chunk.length;
      await this.abort();
      throw new SizeMismatchError(limit, actual);
    }
    this.hasher.update(chunk);
    try {
      await this.append(chunk);
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Verifies and publishes (see `BlobWriter.commit`). */
  async commit(expected?: Digest | ExpectedBlob): Promise<BlobInfo> {
    this.assertOpen();
    this.finished = true;
    try {
      const info: BlobInfo = { digest: this.hasher.digest(), size: this.hasher.length };
      verifyExpected(info, this.expected, normalizeExpected(expected));
      await this.publish(info);
      return info;
    } finally {
      await this.discard();
    }
  }

  /** Discards everything written. */
  async abort(): Promise<void> {
    this.finished = true;
    await this.discard();
  }
}

/** A writer that keeps chunks in memory until commit, then hands the whole blob to `publish`. */
export class BufferedBlobWriter extends BaseBlobWriter {
  private chunks: Uint8Array[] = [];

  constructor(
    expected: ExpectedBlob | undefined,
    private readonly publishBytes: (bytes: Uint8Array<ArrayBuffer>, info: BlobInfo) => Promise<void>,
  ) {
    super(expected);
  }

  protected async append(chunk: Uint8Array): Promise<void> {
    this.chunks.push(copyBytes(chunk));
  }

  protected async publish(info: BlobInfo): Promise<void> {
    const bytes = new Uint8Array(info.size);
    let off = 0;
    for (const c of this.chunks) {
      bytes.set(c, off);
      off += c.length;
    }
    this.chunks = [];
    await this.publishBytes(bytes, info);
  }

  protected async discard(): Promise<void> {
    this.chunks = [];
  }
}
