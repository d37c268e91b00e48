/**
 * Bind mounts' host side in Node: the disk, as in Docker. A bound folder is read whole when its
 * container starts, followed with a recursive `fs.watch` while it runs, and what the container
 * writes is written back to it.
 */
import { watch, type FSWatcher } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BindHost, BindHostChange, BindHostEntry } from '../src/engine/containers/binds.ts';

/** Everything under `dir` (files and folders; symlinks and devices are left out), relative paths. */
async function walk(dir: string, prefix = ''): Promise<BindHostEntry[]> {
  const out: BindHostEntry[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    const st = await lstat(path);
    if (st.isDirectory()) {
      out.push({ path: rel, type: 'directory', mode: st.mode & 0o7777 });
      out.push(...(await walk(path, rel)));
    } else if (st.isFile()) out.push({ path: rel, type: 'file', mode: st.mode & 0o7777, data: new Uint8Array(await readFile(path)) });
  }
  return out;
}

/** The disk as the host of bind mounts. */
export function nodeBindHost(): BindHost {
  return {
    async read(path) {
      const st = await lstat(path).catch(() => undefined);
      if (!st) return undefined;
      if (st.isDirectory()) return { type: 'directory', entries: await walk(path) };
      if (st.isFile())
        return { type: 'file', entry: { path: '', type: 'file', mode: st.mode & 0o7777, data: new Uint8Array(await readFile(path)) } };
      return undefined;
    },
    async mkdir(path) {
      await mkdir(path, { recursive: true });
    },
    async apply(changes: BindHostChange[]) {
      for (const c of changes) {
        if (c.op === 'remove') await rm(c.path, { recursive: true, force: true });
        else if (c.op === 'mkdir') {
          await mkdir(c.path, { recursive: true });
          await chmod(c.path, c.mode);
        } else {
          await mkdir(dirname(c.path), { recursive: true });
          await writeFile(c.path, c.data);
          await chmod(c.path, c.mode);
        }
      }
    },
    watch(path, listener) {
      let watcher: FSWatcher | undefined;
      try {
        watcher = watch(path, { recursive: true }, (_event, name) => listener(name ? [join(path, name.toString())] : undefined));
        watcher.on('error', () => {});
        // following a folder never keeps the CLI's process alive on its own
        watcher.unref();
      } catch {
        /* a file bind, or a folder that cannot be watched: the container has the files it started with */
      }
      return () => watcher?.close();
    },
  };
}
