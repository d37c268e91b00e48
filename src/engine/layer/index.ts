/**
 * Container image layers: tar reading/writing, gzip and zstd, digests, OCI whiteouts, overlayfs
 * upper-dir conversion, an in-memory filesystem tree and `docker diff`-style changes.
 * Pure TypeScript (no platform APIs beyond web-standard globals). Import from here.
 */

/** Errors: every rejection is a LayerError with a kind and the entry it concerns. */
export { LayerError, type LayerErrorKind } from './errors.ts';

/** Tar archives: whole-buffer reader (with limits) and deterministic writer. */
export {
  DEFAULT_MAX_ENTRY_SIZE,
  DEFAULT_MAX_META_SIZE,
  DEFAULT_MAX_TOTAL_SIZE,
  contentSize,
  iterateTar,
  readTar,
  splitSeconds,
  tarEntry,
  writeTar,
  type TarEntry,
  type TarEntryInit,
  type TarEntryType,
  type TarReadOptions,
} from './tar.ts';

/** gzip over CompressionStream / DecompressionStream. */
export { gunzip, gzip, isGzip, maybeGunzip, type GunzipOptions } from './gzip.ts';

/** zstd decompression (fzstd), for base layers shipped as `tar+zstd`. */
export { isZstd, unzstd, ZSTD_MAX_WINDOW, type UnzstdOptions } from './zstd.ts';

/** A blob's compression by magic number, and decompression of gzip or zstd. */
export { compressionOf, decompress, isCompressed, type Compression, type DecompressOptions } from './compression.ts';

/** sha256 digests of blobs and diff IDs. */
export { sha256Digest, verifyDigest } from './digest.ts';

/** Layer paths: Docker-style normalisation and symlink-escape checks. */
export { normalizeLayerPath, symlinkEscapes } from './path.ts';

/** Hostile-archive checks run before a layer is applied. */
export { validateLayer, type ValidateOptions } from './security.ts';

/** In-memory filesystem trees and OCI layer application. */
export {
  FsTree,
  applyLayer,
  implicitDir,
  compareNames,
  mergeLayers,
  resolveInTree,
  type ApplyEvent,
  type ApplyOptions,
  type FsNode,
  type FsNodeType,
} from './tree.ts';

/** Whiteouts and overlay upper dir <-> OCI layer conversion. */
export {
  OVERLAY_OPAQUE_XATTR,
  WHITEOUT_META_PREFIX,
  WHITEOUT_OPAQUE,
  WHITEOUT_PREFIX,
  isWhiteoutDevice,
  ociToUpper,
  upperToOci,
  whiteoutTarget,
  type UpperDirLayer,
} from './whiteout.ts';

/** A merged tree as one flat tar (`docker export`). */
export { treeToTarEntries } from './flatten.ts';

/** `docker diff` changes and per-layer statistics. */
export { diffTrees, formatChanges, layerStats, nodeChanged, type Change, type LayerStats } from './changes.ts';
