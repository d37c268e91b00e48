/**
 * `docker cp`'s local side in Node: the real file system, relative paths from `cwd`.
 */
import { chmod, lstat, mkdir, readdir, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostError, HostFSError, type HostFS, type HostStat } from '../src/engine/cli/host-fs.ts';

/** A Node errno error as a HostFSError (`lstat /x: no such file or directory`). */
function wrap(err: unknown, op: string, path: string): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code) throw hostError(code, op, path);
  throw new HostFSError('EIO', op, path, (err as Error).message);
}

async function attempt<T>(op: string, path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return wrap(err, op, path);
  }
}

/** The disk as `docker cp` sees it, with relative paths starting at `cwd`. */
export function nodeHostFS(cwd = process.cwd()): HostFS {
  return {
    cwd,
    async lstat(path): Promise<HostStat | undefined> {
      let st;
      try {
        st = await lstat(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        return wrap(err, 'lstat', path);
      }
      const type: HostStat['type'] = st.isDirectory()
        ? 'directory'
        : st.isFile()
          ? 'file'
          : st.isSymbolicLink()
            ? 'symlink'
            : st.isCharacterDevice() || st.isBlockDevice()
              ? 'device'
              : 'other';
      return {
        type,
        size: type === 'file' ? st.size : 0,
        mode: st.mode & 0o7777,
        mtime: Math.floor(st.mtimeMs / 1000),
        uid: st.uid,
        gid: st.gid,
      };
    },
    readlink: (path) => attempt('readlink', path, () => readlink(path)),
    readdir: (path) => attempt('open', path, async () => (await readdir(path)).sort()),
    readFile: (path) => attempt('open', path, async () => new Uint8Array(await readFile(path))),
    mkdir: (path, mode) => attempt('mkdir', path, () => mkdir(path, { mode })),
    async writeFile(path, data, { mode, mtime }) {
      await attempt('open', path, () => writeFile(path, data, { mode }));
      await attempt('chmod', path, () => chmod(path, mode));
      await attempt('chtimes', path, () => utimes(path, mtime, mtime));
    },
    symlink: (target, path) => attempt('symlink', path, () => symlink(target, path)),
    remove: (path) => attempt('unlinkat', path, () => rm(path, { recursive: true, force: true })),
    async setDirectory(path, mode, mtime) {
      await attempt('chmod', path, () => chmod(path, mode));
      await attempt('chtimes', path, () => utimes(path, mtime, mtime));
    },
  };
}
