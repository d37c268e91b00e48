/**
 * Which compression a layer blob uses, told by its magic number (as containerd and Docker do),
 * and decompression of either kind: gzip natively (`DecompressionStream`), zstd in JavaScript.
 */
import { gunzip, isGzip } from './gzip.ts';
import { isZstd, unzstd } from './zstd.ts';

/** A blob's compression: what its first bytes say. */
export type Compression = 'gzip' | 'zstd' | 'none';

/** Options for `decompress`. */
export interface DecompressOptions {
  /** Largest accepted decompressed size (default 2 GiB); more is a 'size-limit' error. */
  maxSize?: number;
}

/** gzip (1f 8b), zstd (28 b5 2f fd) or none. */
export function compressionOf(bytes: Uint8Array): Compression {
  return isGzip(bytes) ? 'gzip' : isZstd(bytes) ? 'zstd' : 'none';
}

/** True when `bytes` are gzip- or zstd-compressed. */
export function isCompressed(bytes: Uint8Array): boolean {
  return compressionOf(bytes) !== 'none';
}

/** `bytes` decompressed when they carry the gzip or zstd magic, unchanged otherwise (a plain tar). */
export async function decompress(bytes: Uint8Array, options: DecompressOptions = {}): Promise<Uint8Array> {
  switch (compressionOf(bytes)) {
    case 'gzip':
      return gunzip(bytes, options);
    case 'zstd':
      return unzstd(bytes, options);
    default:
      return bytes;
  }
}
