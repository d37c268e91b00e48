/** Errors thrown by every `BlobStore` and `MetadataStore` implementation. */

/** Base class of all store errors. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** A string that should have been a `sha256:<64 lowercase hex>` digest was not one. */
export class InvalidDigestError extends StoreError {
  override name = 'InvalidDigestError';
  /** The rejected value. */
  readonly value: unknown;
  constructor(value: unknown) {
    super(`invalid digest ${JSON.stringify(String(value))}: expected sha256:<64 lowercase hex digits>`);
    this.value = value;
  }
}

/** The blob or record asked for is not in the store. */
export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
  /** What was looked up, e.g. `blob sha256:…`. */
  readonly what: string;
  constructor(what: string) {
    super(`${what}: not found`);
    this.what = what;
  }
}

/** Committed content did not hash to the digest the caller expected; nothing was stored. */
export class DigestMismatchError extends StoreError {
  override name = 'DigestMismatchError';
  /** The digest the caller expected. */
  readonly expected: string;
  /** The digest of the bytes actually written. */
  readonly actual: string;
  constructor(expected: string, actual: string) {
    super(`digest mismatch: expected ${expected}, content is ${actual}; nothing was stored`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** Committed (or written) content did not have the size the caller expected; nothing was stored. */
export class SizeMismatchError extends StoreError {
  override name = 'SizeMismatchError';
  /** The size the caller expected, in bytes. */
  readonly expected: number;
  /** The size written (so far), in bytes. */
  readonly actual: number;
  constructor(expected: number, actual: number) {
    super(`size mismatch: expected ${expected} bytes, got ${actual}; nothing was stored`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** A stored blob no longer hashes to its digest (found on read); its bytes are never returned. */
export class CorruptBlobError extends StoreError {
  override name = 'CorruptBlobError';
  /** The digest the blob is stored under. */
  readonly digest: string;
  /** What the stored bytes hash to now. */
  readonly actual: string;
  constructor(digest: string, actual: string) {
    super(`blob ${digest} is corrupt: its stored content hashes to ${actual}; delete it and pull or build again`);
    this.digest = digest;
    this.actual = actual;
  }
}

/** The storage quota (or disk) is full; the operation changed nothing. */
export class StoreFullError extends StoreError {
  override name = 'StoreFullError';
  constructor(detail?: string, options?: { cause?: unknown }) {
    super(
      `storage is full${detail ? ` (${detail})` : ''}: remove unused images or containers (docker system prune); nothing already stored was changed`,
      options,
    );
  }
}

/** Optimistic metadata transactions kept conflicting with concurrent writers and gave up. */
export class TransactionConflictError extends StoreError {
  override name = 'TransactionConflictError';
  constructor(attempts: number) {
    super(`metadata transaction conflicted with concurrent writers ${attempts} times; giving up`);
  }
}
