/**
 * The one error type of the layer package: every rejection carries a machine-readable `kind`,
 * the entry (path inside the archive) it concerns when there is one, and a human reason.
 */

/** What went wrong, for callers that branch on errors without parsing messages. */
export type LayerErrorKind =
  | 'bad-header' // malformed tar header, checksum, numeric field or PAX record
  | 'truncated' // archive, gzip or zstd stream ends early
  | 'size-limit' // an entry, the archive or the decompressed stream is larger than allowed
  | 'size-mismatch' // data length disagrees with the declared size
  | 'digest-mismatch' // content does not hash to the expected digest
  | 'bad-gzip' // gzip stream is corrupt (not merely truncated)
  | 'bad-zstd' // zstd stream is corrupt (not merely truncated)
  | 'path-escape' // a name or link target leaves the root (`..`, escaping symlink)
  | 'bad-path' // an empty, NUL-containing or non-UTF-8 name, or a non-directory root
  | 'bad-link' // a hard link to nothing / to a directory, an empty link target, a symlink loop
  | 'device' // a block or character device other than an overlay whiteout (char 0/0)
  | 'bad-whiteout' // a malformed or unrepresentable whiteout / opaque marker
  | 'conflict' // a path cannot be created (e.g. a parent component is a regular file)
  | 'unsupported'; // a tar or zstd feature this package does not implement (sparse files, volumes, zstd dictionaries...)

/** A rejected archive, layer or stream; `entry` names the archive member concerned, if any. */
export class LayerError extends Error {
  override name = 'LayerError';

  /** `kind` is the category, `entry` the member name (undefined for whole-stream errors). */
  constructor(
    readonly kind: LayerErrorKind,
    readonly entry: string | undefined,
    readonly reason: string,
  ) {
    super(entry === undefined ? reason : `${JSON.stringify(entry)}: ${reason}`);
  }
}
