/**
 * Bind mounts' host side in Node: the disk, as in Docker. A bound folder is read whole when its
 * container starts, followed with a recursive `fs.watch` while it runs, and what the container
 * writes is written back to it.
 */
import { watch, type FSWatcher } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bindTooLarge, type BindHost, type BindHostChange, type BindHostEntry } from '../src/engine/containers/binds.ts';

/** Everything under `dir` (files and folders; symlinks and devices are left out), relative paths; sizes are added up before anything is read. */
async function walk(dir: string, budget: { left: number; source: string }, prefix = ''): Promise<BindHostEntry[]> {
  const out: BindHostEntry[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    const st = await lstat(path);
    if (st.isDirectory()) {
      out.push({ path: rel, type: 'directory', mode: st.mode & 0o7777 });
      out.push(...(await walk(path, budget, rel)));
    } else if (st.isFile()) {
      budget.left -= st.size;
      if (budget.left < 0) throw bindTooLarge(budget.source);
      out.push({ path: rel, type: 'file', mode: st.mode & 0o7777, data: new Uint8Array(await readFile(path)) });
    }
  }
  return out;
}

/** The disk as the host of bind mounts. */
export function nodeBindHost(): BindHost {
  return {
    async read(path, limit = Infinity) {
      const st = await lstat(path).catch(() => undefined);
      if (!st) return undefined;
      if (st.isDirectory()) return { type: 'directory', entries: await walk(path, { left: limit, source: path }) };
      if (st.isFile() && st.size > limit) throw bindTooLarge(path);
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
