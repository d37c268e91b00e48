/**
 * The reading side of `docker load` below the images: the outer archive's members by path (links
 * followed inside it, hostile entries refused), a tar reader as lenient as Go's, and the
 * `invalid archive: <where>: <problem>` errors every check of a load throws.
 *
 * One deliberate leniency: a tar that stops right after its last member (no end-of-archive
 * blocks) is read as Go's archive/tar reads it, since Docker, skopeo and umoci accept it and
 * umoci 0.4's `insert` writes such layers (see `readTarLenient`).
 */
import { InvalidArgumentError } from '../errors.ts';
import {
  compressionOf,
  decompress,
  LayerError,
  normalizeLayerPath,
  readTar,
  symlinkEscapes,
  type TarEntry,
  type TarReadOptions,
} from '../layer/index.ts';
import { OciError, type Problem } from '../oci/index.ts';

/** JSON documents (index.json, manifest.json, manifests, configs) larger than this are refused. */
const MAX_JSON = 16 * 1024 ** 2;
const MAX_SYMLINKS = 40;

/** A rejection of the archive: `invalid archive: <message>`. */
export function invalid(message: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`invalid archive: ${message}`, cause === undefined ? undefined : { cause });
}

/** A layer-package rejection in words that name the member and the problem. */
export function describeLayerError(err: LayerError): string {
  if (err.entry === undefined) return err.reason;
  const entry = `entry ${JSON.stringify(err.entry)}`;
  switch (err.kind) {
    case 'path-escape':
      return `${entry} escapes the root: ${err.reason}`;
    case 'device':
      return `${entry} is a device file: ${err.reason}`;
    case 'size-limit':
      return `${entry} is too large: ${err.reason}`;
    default:
      return `${entry}: ${err.reason}`;
  }
}

/** Runs `fn`, turning layer and OCI errors into `invalid archive: <where>: …`. */
export async function guard<T>(where: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LayerError) throw invalid(`${where}: ${describeLayerError(err)}`, err);
    if (err instanceof OciError) throw invalid(`${where}: ${err.message}`, err);
    throw err;
  }
}

/** The first problem a validator found, as `<what> is not valid: <path> <message>`. */
export function problemText(what: string, problems: readonly Problem[]): string {
  const first = problems[0]!;
  return `${what} is not valid: ${first.path || '/'} ${first.message}`;
}

/** A JSON document of the archive, at most 16 MiB and valid UTF-8. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  if (bytes.length > MAX_JSON) throw invalid(`${what} is ${bytes.length} bytes, more than the ${MAX_JSON}-byte limit for a JSON document`);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (err) {
    throw invalid(`${what} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Reads a tar the way Go's archive/tar does (Docker, containerd, skopeo and umoci all read with
 * it): the archive may stop right after the last member's data, without the padding or the
 * end-of-archive blocks. umoci 0.4's `insert` writes such layers. `readTar` calls that truncated;
 * here it is accepted, and `terminated` holds the same archive properly ended. A member whose
 * data is cut short is still 'truncated'.
 */
export function readTarLenient(bytes: Uint8Array, options: TarReadOptions): { entries: TarEntry[]; terminated?: Uint8Array } {
  try {
    return { entries: readTar(bytes, options) };
  } catch (err) {
    if (!(err instanceof LayerError) || err.kind !== 'truncated') throw err;
    const padded = new Uint8Array(Math.ceil(bytes.length / 512) * 512 + 1024);
    padded.set(bytes);
    let entries: TarEntry[];
    try {
      entries = readTar(padded, options);
    } catch {
      throw err;
    }
    const last = entries.at(-1);
    const end = last ? last.data.byteOffset - padded.byteOffset + last.data.length : 0;
    if (end > bytes.length) throw err;
    return { entries, terminated: padded };
  }
}

/** The members of the outer archive: regular files by normalised path, and symlinks. */
export class ArchiveFiles {
  readonly files = new Map<string, Uint8Array>();
  /** Symlink path → its target as a normalised archive path ('' is the root). */
  readonly links = new Map<string, string>();

  /** The file at `path`, following symlinks inside the archive; undefined when there is none. */
  lookup(path: string): Uint8Array | undefined {
    let parts = path === '' ? [] : path.split('/');
    let hops = 0;
    restart: for (;;) {
      for (let i = 0; i < parts.length; i++) {
        const prefix = parts.slice(0, i + 1).join('/');
        const target = this.links.get(prefix);
        if (target === undefined) continue;
        if (++hops > MAX_SYMLINKS) throw invalid(`entry ${JSON.stringify(path)}: too many levels of symbolic links`);
        parts = [...(target === '' ? [] : target.split('/')), ...parts.slice(i + 1)];
        continue restart;
      }
      return this.files.get(parts.join('/'));
    }
  }
}

/** Resolves a relative symlink target lexically from the link's directory (it must not climb out). */
function joinLexically(linkPath: string, target: string): string {
  const out = linkPath.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/**
 * The outer archive (plain, gzip or zstd tar; bzip2 and xz named and refused) as `ArchiveFiles`:
 * every path normalised, links kept inside it, devices and other special files refused.
 */
export async function readArchive(input: Uint8Array, maxArchiveSize: number): Promise<ArchiveFiles> {
  let bytes = input;
  if (compressionOf(bytes) !== 'none') {
    try {
      bytes = await decompress(input, { maxSize: maxArchiveSize });
    } catch (err) {
      if (err instanceof LayerError) throw invalid(describeLayerError(err), err);
      throw err;
    }
  } else {
    const magic = [...bytes.subarray(0, 6)];
    const starts = (...m: number[]) => m.every((b, i) => magic[i] === b);
    const kind = starts(0x42, 0x5a, 0x68) ? 'bzip2' : starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00) ? 'xz' : undefined;
    if (kind) throw invalid(`${kind}-compressed archives are not supported: use a plain, gzip- or zstd-compressed tar`);
  }
  if (bytes.length > maxArchiveSize) throw invalid(`the archive is ${bytes.length} bytes, more than the ${maxArchiveSize}-byte limit`);
  if (bytes.length === 0) throw invalid('the archive is empty');

  const archive = new ArchiveFiles();
  const entries = (() => {
    try {
      return readTarLenient(bytes, { maxEntrySize: maxArchiveSize, maxTotalSize: maxArchiveSize }).entries;
    } catch (err) {
      if (err instanceof LayerError)
        throw invalid(`${err.kind === 'size-limit' ? '' : 'not a readable tar archive: '}${describeLayerError(err)}`, err);
      throw err;
    }
  })();
  for (const e of entries) {
    const label = `entry ${JSON.stringify(e.name)}`;
    let path: string;
    try {
      path = normalizeLayerPath(e.name, e.name);
    } catch (err) {
      if (err instanceof LayerError) throw invalid(describeLayerError(err), err);
      throw err;
    }
    if (path === '') {
      if (e.type !== 'directory') throw invalid(`${label}: the archive root can only be a directory`);
      continue;
    }
    archive.files.delete(path);
    archive.links.delete(path);
    switch (e.type) {
      case 'directory':
        break;
      case 'file':
        archive.files.set(path, e.data);
        break;
      case 'symlink':
        if (e.linkname.startsWith('/'))
          throw invalid(
            `${label}: symlink target ${JSON.stringify(e.linkname)} is absolute; links in an image archive must stay inside it`,
          );
        if (e.linkname === '' || e.linkname.includes('\0')) throw invalid(`${label}: symlink has an empty or NUL-containing target`);
        if (symlinkEscapes(path, e.linkname))
          throw invalid(`${label} escapes the root: symlink target ${JSON.stringify(e.linkname)} points outside the archive`);
        archive.links.set(path, joinLexically(path, e.linkname));
        break;
      case 'hardlink': {
        if (e.linkname.startsWith('/'))
          throw invalid(
            `${label}: hard link target ${JSON.stringify(e.linkname)} is absolute; links in an image archive must stay inside it`,
          );
        let target: string;
        try {
          target = normalizeLayerPath(e.linkname, e.name);
        } catch (err) {
          throw invalid(`${label} escapes the root: hard link target ${JSON.stringify(e.linkname)} points outside the archive`, err);
        }
        const data = archive.files.get(target);
        if (data === undefined)
          throw invalid(`${label}: hard link target ${JSON.stringify(e.linkname)} is not an earlier file of the archive`);
        archive.files.set(path, data);
        break;
      }
      case 'char':
      case 'block':
        throw invalid(
          `${label} is a device file (${e.type} ${e.devmajor}/${e.devminor}); an image archive holds only files, directories and links`,
        );
      default:
        throw invalid(`${label} is a ${e.type}; an image archive holds only files, directories and links`);
    }
  }
  return archive;
}
