/** Public surface of the engine's storage layer: interfaces, digests, errors, in-memory stores. */
export type {
  BlobInfo,
  BlobStore,
  BlobWriter,
  ExpectedBlob,
  JsonValue,
  MetadataEntry,
  MetadataReader,
  MetadataStore,
  MetadataTransaction,
  StoreOptions,
} from './types.ts';
export { type Digest, digestHex, isDigest, parseDigest, Sha256, sha256, toHex } from './digest.ts';
export {
  CorruptBlobError,
  DigestMismatchError,
  InvalidDigestError,
  NotFoundError,
  SizeMismatchError,
  StoreError,
  StoreFullError,
  TransactionConflictError,
} from './errors.ts';
export {
  BaseBlobWriter,
  BufferedBlobWriter,
  checkBlobQuota,
  copyBytes,
  describeBytes,
  Mutex,
  normalizeExpected,
  rangeEnd,
  verifyExpected,
} from './blob-core.ts';
export {
  checkCollection,
  checkKey,
  checkMetadataQuota,
  decodeJson,
  encodeJson,
  fingerprint,
  recordSize,
  sortByKey,
  TransactionalMetadataStore,
  type TxChanges,
  type TxRead,
  type TxWrite,
  utf8Length,
} from './metadata-core.ts';
export { MemoryBlobStore, MemoryMetadataStore } from './memory.ts';
