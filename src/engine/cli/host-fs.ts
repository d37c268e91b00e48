/**
 * The "local" side of `docker cp`: the file system the CLI's host offers (the disk in Node, the
 * workspace beside the editor in the page). Paths are absolute and `/`-separated; the CLI makes
 * relative paths absolute against `cwd`, as docker/cli does with `filepath.Abs`.
 */

/** What is at a local path, as `lstat` sees it (a symlink is reported, not followed). */
export interface HostStat {
  type: 'file' | 'directory' | 'symlink' | 'device' | 'other';
  /** Bytes of a file (0 for directories). */
  size: number;
  /** Permission bits (`0o7777`). */
  mode: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  uid: number;
  gid: number;
}

/** Local files and directories for `docker cp`. */
export interface HostFS {
  /** Where relative paths start (`process.cwd()` in Node, `/workspace` in the page). */
  readonly cwd: string;
  /** `lstat`; undefined when nothing is there (ENOENT); HostFSError for anything else (ENOTDIR…). */
  lstat(path: string): Promise<HostStat | undefined>;
  /** A symlink's target. */
  readlink(path: string): Promise<string>;
  /** The names in a directory, sorted. */
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Uint8Array>;
  /** Creates one directory (its parent exists). */
  mkdir(path: string, mode: number): Promise<void>;
  /** Creates or replaces a file with `mode` and `mtime` (seconds). */
  writeFile(path: string, data: Uint8Array, options: { mode: number; mtime: number }): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  /** Removes a file, symlink or directory with everything in it. */
  remove(path: string): Promise<void>;
  /** Sets a directory's permission bits and modification time once its contents are written. */
  setDirectory?(path: string, mode: number, mtime: number): Promise<void>;
  /** Remarks to print once a copy is done (what this file system could not keep). */
  notes?(): string[];
  /** A plain line about a local path this host cannot have (the page: anything outside its workspace). */
  explain?(path: string): string | undefined;
}

/**
 * A failed local operation, worded like Go's `*PathError` (`lstat /x/y: not a directory`), with
 * an optional plain line saying why (the page cannot keep symlinks, say).
 */
export class HostFSError extends Error {
  override name = 'HostFSError';
  constructor(
    /** errno name: ENOENT, ENOTDIR, EISDIR, EEXIST, EACCES, EROFS, EFBIG, ENOTSUP, EINVAL… */
    readonly code: string,
    readonly op: string,
    readonly path: string,
    text: string,
    readonly hint?: string,
  ) {
    super(`${op} ${path}: ${text}`);
  }
}

/** Go's texts for the errno names a HostFS uses. */
export const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'file exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EFBIG: 'file too large',
  ENOSPC: 'no space left on device',
  ENOTSUP: 'operation not supported',
  EINVAL: 'invalid argument',
  ELOOP: 'too many levels of symbolic links',
};

/** A HostFSError from an errno name (`hostError('ENOENT', 'lstat', p)`). */
export function hostError(code: string, op: string, path: string, hint?: string): HostFSError {
  return new HostFSError(code, op, path, ERRNO_TEXT[code] ?? code.toLowerCase(), hint);
}
