/**
 * The local half of `docker cp`, over a `HostFS`: moby/go-archive's copy rules re-implemented
 * (`CopyInfoSourcePath`, `TarResource`, `CopyInfoDestinationPath`, `PrepareArchiveCopy`,
 * `RebaseArchiveEntries`, `Untar` with `NoOverwriteDirNonDir` and no chown) and the POSIX path
 * helpers they rest on (Go's `path/filepath` on Unix). Errors carry go-archive's wording.
 */
import type { TarEntry, TarEntryInit } from '../layer/index.ts';
import { cleanPath } from '../util/paths.ts';
import { hostError, HostFSError, type HostFS, type HostStat } from './host-fs.ts';

/** A copy that cannot be done as asked, in go-archive's words (`cannot copy directory`). */
export class CopyError extends Error {
  override name = 'CopyError';
}

// ---------------------------------------------------------------- paths (Go's filepath on Unix)

/** Go's `filepath.Base`. */
export function baseName(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's `filepath.Dir`. */
export function dirName(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf('/') + 1));
}

/** Go's `filepath.Join`. */
export function joinPath(...parts: string[]): string {
  const used = parts.filter((p) => p !== '');
  return used.length ? cleanPath(used.join('/')) : '';
}

/** Whether the path ends with `/`. */
export function hasTrailingSeparator(p: string): boolean {
  return p.endsWith('/');
}

/** Whether the path's last element is `.`. */
export function specifiesCurrentDir(p: string): boolean {
  return baseName(p) === '.';
}

/** Whether the path says it is a directory (ends in `/` or `/.`). */
export function assertsDirectory(p: string): boolean {
  return hasTrailingSeparator(p) || specifiesCurrentDir(p);
}

/** go-archive's `SplitPathDirEntry`: directory and base name, keeping a trailing `.`. */
export function splitPathDirEntry(p: string): [string, string] {
  let cleaned = cleanPath(p);
  if (specifiesCurrentDir(p)) cleaned += '/.';
  return [dirName(cleaned), baseName(cleaned)];
}

/** go-archive's `PreserveTrailingDotOrSeparator`. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!hasTrailingSeparator(out)) out += '/';
    out += '.';
  }
  if (!hasTrailingSeparator(out) && hasTrailingSeparator(original)) out += '/';
  return out;
}

/** docker/cli's `resolveLocalPath`: absolute (against the host's cwd), keeping a trailing `/` or `/.`. */
export function absolutePath(fs: HostFS, p: string): string {
  return preserveTrailingDotOrSeparator(cleanPath(p.startsWith('/') ? p : `${fs.cwd}/${p}`), p);
}

/** go-archive's `GetRebaseName`. */
export function getRebaseName(path: string, resolved: string): [string, string] {
  let out = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(out)) out += '/.';
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(out)) out += '/';
  return [out, baseName(path) !== baseName(out) ? baseName(path) : ''];
}

// ---------------------------------------------------------------- resolving on the host

/** Go's `filepath.EvalSymlinks` on an absolute path: every element must exist. */
export async function evalSymlinks(fs: HostFS, path: string): Promise<string> {
  let rest = cleanPath(path).split('/').filter(Boolean);
  let done = '';
  let links = 0;
  while (rest.length) {
    const part = rest.shift()!;
    if (part === '..') {
      done = dirName(done || '/') === '/' ? '' : dirName(done);
      continue;
    }
    const next = `${done}/${part}`;
    const st = await fs.lstat(next);
    if (!st) throw hostError('ENOENT', 'lstat', next);
    if (st.type !== 'symlink') {
      done = next;
      continue;
    }
    if (++links > 255) throw new HostFSError('ELOOP', 'EvalSymlinks:', '', 'too many links');
    const target = await fs.readlink(next);
    if (target.startsWith('/')) done = '';
    rest = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...rest];
  }
  return done || '/';
}

/** Go's `os.Stat` (symlinks followed); undefined when the path does not exist. */
export async function statFollow(fs: HostFS, path: string): Promise<HostStat | undefined> {
  let resolved: string;
  try {
    resolved = await evalSymlinks(fs, path);
  } catch (e) {
    if (e instanceof HostFSError && e.code === 'ENOENT') return undefined;
    if (e instanceof HostFSError) throw new HostFSError(e.code, 'stat', path, e.message.slice(e.message.lastIndexOf(': ') + 2), e.hint);
    throw e;
  }
  return fs.lstat(resolved);
}

/** go-archive's `CopyInfo`. */
export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName: string;
}

/** go-archive's `CopyInfoSourcePath`: symlinks before the last `/` resolved (all of them with `followLink`). */
export async function copyInfoSourcePath(fs: HostFS, path: string, followLink: boolean): Promise<CopyInfo> {
  let resolved: string;
  let rebaseName = '';
  if (followLink) {
    [resolved, rebaseName] = getRebaseName(path, await evalSymlinks(fs, path));
  } else {
    const slash = path.lastIndexOf('/');
    const dir = await evalSymlinks(fs, path.slice(0, slash + 1) || '/');
    resolved = (dir === '/' ? '' : dir) + '/' + path.slice(slash + 1);
    if (hasTrailingSeparator(path) && baseName(path) !== baseName(resolved)) rebaseName = baseName(path);
  }
  const st = await fs.lstat(resolved);
  if (!st) throw hostError('ENOENT', 'lstat', resolved);
  return { path: resolved, exists: true, isDir: st.type === 'directory', rebaseName };
}

/** go-archive's `CopyInfoDestinationPath`: a destination need not exist, but its parent must. */
export async function copyInfoDestinationPath(fs: HostFS, path: string): Promise<CopyInfo> {
  const original = path;
  let st = await fs.lstat(path);
  for (let n = 0; st?.type === 'symlink'; n++) {
    if (n > 10) throw new CopyError(`too many symlinks in ${original}`);
    let target = await fs.readlink(path);
    if (!target.startsWith('/')) target = joinPath(splitPathDirEntry(path)[0], target);
    path = target;
    st = await fs.lstat(path);
  }
  if (st) return { path, exists: true, isDir: st.type === 'directory', rebaseName: '' };
  const parent = splitPathDirEntry(path)[0];
  const parentStat = await statFollow(fs, parent);
  if (!parentStat) throw hostError('ENOENT', 'stat', parent);
  if (parentStat.type !== 'directory') throw new CopyError('not a directory');
  return { path, exists: false, isDir: false, rebaseName: '' };
}

/** docker/cli's `ValidateOutputPath` for a local destination. */
export async function validateOutputPath(fs: HostFS, path: string): Promise<void> {
  const dir = dirName(cleanPath(path));
  if (dir !== '' && dir !== '.' && !(await statFollow(fs, dir)))
    throw new CopyError(`invalid output path: directory ${JSON.stringify(dir)} does not exist`);
  const st = await statFollow(fs, path);
  if (st?.type === 'device')
    throw new CopyError(`invalid output path: ${JSON.stringify(path)} must be a directory or a regular file: got a device`);
}

// ---------------------------------------------------------------- archives

/** go-archive's `TarResource`: the entry at `info.path` (a directory with all inside), named from its base name (or `rebaseName`). */
export async function tarResource(fs: HostFS, info: CopyInfo): Promise<TarEntryInit[]> {
  if (!(await fs.lstat(info.path))) throw hostError('ENOENT', 'lstat', info.path);
  const [sourceDir, include] = splitPathDirEntry(info.path);
  const entries: TarEntryInit[] = [];
  const walk = async (path: string, rel: string): Promise<void> => {
    const st = await fs.lstat(path);
    if (!st) return;
    let name = include === '.' && rel !== '.' ? `./${rel}` : rel;
    if (info.rebaseName) name = name.replace(include, info.rebaseName);
    const base = { mode: st.mode, mtime: st.mtime, uid: st.uid, gid: st.gid };
    if (st.type === 'directory') {
      entries.push({ ...base, name: name.endsWith('/') ? name : `${name}/`, type: 'directory' });
      for (const child of await fs.readdir(path))
        await walk(`${path === '/' ? '' : path}/${child}`, rel === '.' ? child : `${rel}/${child}`);
    } else if (st.type === 'symlink') {
      entries.push({ ...base, name, type: 'symlink', linkname: await fs.readlink(path) });
    } else if (st.type === 'file') {
      const data = await fs.readFile(path);
      entries.push({ ...base, name, type: 'file', data, size: data.length });
    }
  };
  await walk(include === '.' ? sourceDir : `${sourceDir === '/' ? '' : sourceDir}/${include}`, include);
  return entries;
}

/** go-archive's name rebaser: `oldBase` at the start of a name becomes `newBase` (from the archive root when `oldBase` is `/`). */
export function rebaser(oldBase: string, newBase: string): (name: string) => string {
  const from = oldBase.replace(/\/+$/, '');
  const to = newBase.replace(/\/+$/, '');
  if (from === '') return (name) => (to === '' ? name.replace(/^\/+/, '') : `${to}/${name.replace(/^\/+/, '')}`);
  return (name) => {
    if (!name.startsWith(from)) return name;
    const suffix = name.slice(from.length);
    if (suffix !== '' && !suffix.startsWith('/')) return name;
    return to + suffix;
  };
}

/** go-archive's `RebaseArchiveEntries` (hard-link targets too). */
export function rebaseEntries<T extends TarEntryInit>(entries: readonly T[], oldBase: string, newBase: string): T[] {
  const rebase = rebaser(oldBase, newBase);
  return entries.map((e) => ({
    ...e,
    name: rebase(e.name),
    ...(e.type === 'hardlink' && e.linkname ? { linkname: rebase(e.linkname) } : {}),
  }));
}

/** go-archive's `PrepareArchiveCopy`: where to extract, and the entries renamed for the destination. */
export function prepareArchiveCopy<T extends TarEntryInit>(
  entries: readonly T[],
  src: CopyInfo,
  dst: CopyInfo,
): { dstDir: string; entries: T[] } {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  const srcBase = src.rebaseName || splitPathDirEntry(src.path)[1];
  if (dst.exists && dst.isDir) return { dstDir: dst.path, entries: [...entries] };
  if (dst.exists && src.isDir) throw new CopyError('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new CopyError('no such directory');
  return { dstDir, entries: rebaseEntries(entries, srcBase, dstBase) };
}

/** What an extraction could not reproduce on this host (symlinks in the page, devices…). */
export interface UntarResult {
  skipped: string[];
}

/**
 * go-archive's `Untar` into `dest` with `NoOverwriteDirNonDir` and no chown: entries are placed
 * below `dest` (never outside it, also through symlinks), an existing directory is never replaced
 * by a non-directory or the reverse, modes and times are kept.
 */
export async function untar(fs: HostFS, entries: readonly TarEntry[], dest: string): Promise<UntarResult> {
  const root = await fs.lstat(dest);
  if (!root) throw hostError('ENOENT', 'open', dest);
  if (root.type !== 'directory') throw hostError('ENOTDIR', 'open', dest);
  const skipped: string[] = [];
  const dirs: { path: string; mode: number; mtime: number }[] = [];
  const at = (rel: string) => joinPath(dest, rel);
  for (const e of entries) {
    const name = cleanPath(e.name.replace(/^\/+/, ''));
    if (name === '.') continue;
    if (name === '..' || name.startsWith('../')) throw new CopyError(`invalid entry name ${JSON.stringify(e.name)}`);
    const rel = await resolveInRoot(fs, dest, name);
    const path = at(rel);
    const existing = await fs.lstat(path);
    if (existing) {
      if (existing.type === 'directory' && e.type !== 'directory')
        throw new CopyError(`cannot overwrite directory ${JSON.stringify(name)} with non-directory ${JSON.stringify(dest)}`);
      if (existing.type !== 'directory' && e.type === 'directory')
        throw new CopyError(`cannot overwrite non-directory ${JSON.stringify(name)} with directory ${JSON.stringify(dest)}`);
      if (existing.type !== 'directory') await fs.remove(path);
    }
    // the implied parents
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = at(parts.slice(0, i).join('/'));
      const st = await fs.lstat(parent);
      if (!st) await fs.mkdir(parent, 0o755);
      else if (st.type !== 'directory') throw hostError('ENOTDIR', 'mkdir', parent);
    }
    try {
      switch (e.type) {
        case 'directory':
          if (!existing) await fs.mkdir(path, e.mode);
          dirs.push({ path, mode: e.mode, mtime: e.mtime });
          break;
        case 'file':
          await fs.writeFile(path, e.data, { mode: e.mode, mtime: e.mtime });
          break;
        case 'symlink':
          await fs.symlink(e.linkname, path);
          break;
        case 'hardlink': {
          // a hard link is a second name for a file extracted before: write its bytes again
          const target = at(await resolveInRoot(fs, dest, cleanPath(e.linkname.replace(/^\/+/, ''))));
          await fs.writeFile(path, await fs.readFile(target), { mode: e.mode, mtime: e.mtime });
          break;
        }
        default:
          skipped.push(`${name} (${e.type === 'fifo' ? 'a named pipe' : 'a device'})`);
      }
    } catch (err) {
      if (err instanceof HostFSError && err.code === 'ENOTSUP') skipped.push(`${name} (${err.hint ?? err.message})`);
      else throw err;
    }
  }
  // directory times last, as writing inside them changed them
  for (const d of dirs.reverse()) await fs.setDirectory?.(d.path, d.mode, d.mtime);
  return { skipped };
}

/** An entry's path below `root` with its directories' symlinks followed, refusing to leave `root` (like Go's os.Root). */
async function resolveInRoot(fs: HostFS, root: string, name: string): Promise<string> {
  const parts = name.split('/');
  const last = parts.pop()!;
  const done: string[] = [];
  let links = 0;
  const at = (rel: string[]) => (root === '/' ? '' : root) + '/' + rel.join('/');
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '..') {
      if (!done.length) throw new HostFSError('EINVAL', 'openat', name, 'path escapes from parent');
      done.pop();
      continue;
    }
    const st = await fs.lstat(at([...done, part]));
    if (st?.type !== 'symlink') {
      done.push(part);
      continue;
    }
    const target = await fs.readlink(at([...done, part]));
    if (target.startsWith('/') || ++links > 40) throw new HostFSError('EINVAL', 'openat', name, 'path escapes from parent');
    parts.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  return [...done, last].join('/');
}
