/**
 * Test double: an in-memory POSIX-like file system (files, directories, symlinks, devices) that
 * serves both as a `HostFS` and, through `ContainerArchive`, as a container's file system behind
 * Docker's archive API (stat, get, put) with the daemon's rules. Test-only.
 */
import type { PathStat } from '../api.ts';
import { EngineError, InvalidArgumentError, NotFoundError } from '../errors.ts';
import { iterateTar, writeTar, type TarEntryInit } from '../layer/index.ts';
import { hostError, type HostFS, type HostStat } from './host-fs.ts';

type Node =
  | { type: 'directory'; mode: number; mtime: number; uid: number; gid: number; children: Map<string, Node> }
  | { type: 'file'; mode: number; mtime: number; uid: number; gid: number; data: Uint8Array }
  | { type: 'symlink'; mode: number; mtime: number; uid: number; gid: number; target: string }
  | { type: 'device'; mode: number; mtime: number; uid: number; gid: number };

const enc = new TextEncoder();
const dirNode = (mode = 0o755, mtime = 0): Node => ({ type: 'directory', mode, mtime, uid: 0, gid: 0, children: new Map() });

/** An in-memory file system; paths are absolute. */
export class MemFs implements HostFS {
  readonly root = dirNode();
  /** Every write, for assertions: `write /w/a`, `mkdir /w/d`, `remove /w/x`. */
  readonly log: string[] = [];

  constructor(readonly cwd = '/') {}

  // ---- building

  /** Adds a file (parents made), text or bytes. */
  file(path: string, content: string | Uint8Array, options: { mode?: number; mtime?: number; uid?: number; gid?: number } = {}): this {
    const data = typeof content === 'string' ? enc.encode(content) : content;
    this.put(path, {
      type: 'file',
      data,
      mode: options.mode ?? 0o644,
      mtime: options.mtime ?? 1_700_000_000,
      uid: options.uid ?? 0,
      gid: options.gid ?? 0,
    });
    return this;
  }

  dir(path: string, mode = 0o755): this {
    this.put(path, dirNode(mode, 1_700_000_000));
    return this;
  }

  link(path: string, target: string): this {
    this.put(path, { type: 'symlink', target, mode: 0o777, mtime: 1_700_000_000, uid: 0, gid: 0 });
    return this;
  }

  device(path: string): this {
    this.put(path, { type: 'device', mode: 0o666, mtime: 0, uid: 0, gid: 0 });
    return this;
  }

  /** The text of a file, or undefined. */
  text(path: string): string | undefined {
    const n = this.lookup(path, false);
    return n?.type === 'file' ? new TextDecoder().decode(n.data) : undefined;
  }

  /** The bytes of a file, or undefined. */
  bytes(path: string): Uint8Array | undefined {
    const n = this.lookup(path, false);
    return n?.type === 'file' ? n.data : undefined;
  }

  /** Every path below `dir` (not following symlinks), sorted, directories with a trailing `/`. */
  list(dir = '/'): string[] {
    const out: string[] = [];
    const walk = (n: Node, p: string) => {
      if (n.type !== 'directory') return;
      for (const [name, child] of [...n.children].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const cp = `${p}/${name}`;
        out.push(child.type === 'directory' ? `${cp}/` : cp);
        walk(child, cp);
      }
    };
    const start = this.lookup(dir, true);
    if (start) walk(start, dir === '/' ? '' : dir.replace(/\/$/, ''));
    return out;
  }

  private put(path: string, node: Node): void {
    const parts = path.split('/').filter(Boolean);
    let cur = this.root;
    for (const p of parts.slice(0, -1)) {
      if (cur.type !== 'directory') throw new Error(`not a directory: ${p}`);
      let next = cur.children.get(p);
      if (!next) cur.children.set(p, (next = dirNode(0o755, 1_700_000_000)));
      cur = next;
    }
    if (cur.type !== 'directory') throw new Error(`not a directory: ${path}`);
    cur.children.set(parts[parts.length - 1]!, node);
  }

  // ---- resolution (symlinks resolve inside this file system: it is its own root)

  /** The node at `path`; `followLast` also follows a symlink at the end. Throws ENOTDIR/ELOOP; undefined when missing. */
  private walk(path: string, followLast: boolean): { node: Node | undefined; parent?: Node; name?: string; real: string } {
    let rest = path.split('/').filter((p) => p !== '' && p !== '.');
    const trailing = path.endsWith('/') || path.endsWith('/.');
    const stack: Node[] = [this.root];
    const names: string[] = [];
    let links = 0;
    while (rest.length) {
      const part = rest.shift()!;
      const cur = stack[stack.length - 1]!;
      if (part === '..') {
        if (stack.length > 1) {
          stack.pop();
          names.pop();
        }
        continue;
      }
      if (cur.type !== 'directory') throw hostError('ENOTDIR', 'lstat', path);
      const next = cur.children.get(part);
      if (!next) {
        if (rest.length) return { node: undefined, real: '/' + [...names, part, ...rest].join('/') };
        return { node: undefined, parent: cur, name: part, real: '/' + [...names, part].join('/') };
      }
      const last = rest.length === 0;
      if (next.type === 'symlink' && (!last || followLast || trailing)) {
        if (++links > 40) throw hostError('ELOOP', 'lstat', path);
        if (next.target.startsWith('/')) {
          stack.length = 1;
          names.length = 0;
        }
        rest = [...next.target.split('/').filter((p) => p !== '' && p !== '.'), ...rest];
        continue;
      }
      stack.push(next);
      names.push(part);
    }
    if (trailing && stack[stack.length - 1]!.type !== 'directory') throw hostError('ENOTDIR', 'lstat', path);
    return { node: stack[stack.length - 1], parent: stack[stack.length - 2], name: names[names.length - 1], real: '/' + names.join('/') };
  }

  private lookup(path: string, followLast: boolean): Node | undefined {
    try {
      return this.walk(path, followLast).node;
    } catch {
      return undefined;
    }
  }

  private statOf(n: Node): HostStat {
    return { type: n.type, size: n.type === 'file' ? n.data.length : 0, mode: n.mode, mtime: n.mtime, uid: n.uid, gid: n.gid };
  }

  // ---- HostFS

  async lstat(path: string): Promise<HostStat | undefined> {
    const n = this.walk(path, false).node;
    return n && this.statOf(n);
  }

  async readlink(path: string): Promise<string> {
    const n = this.walk(path, false).node;
    if (n?.type !== 'symlink') throw hostError('EINVAL', 'readlink', path);
    return n.target;
  }

  async readdir(path: string): Promise<string[]> {
    const n = this.walk(path, true).node;
    if (n?.type !== 'directory') throw hostError('ENOTDIR', 'open', path);
    return [...n.children.keys()].sort();
  }

  async readFile(path: string): Promise<Uint8Array> {
    const n = this.walk(path, true).node;
    if (!n) throw hostError('ENOENT', 'open', path);
    if (n.type !== 'file') throw hostError('EISDIR', 'read', path);
    return n.data;
  }

  async mkdir(path: string, mode: number): Promise<void> {
    const w = this.walk(path, false);
    if (w.node) throw hostError('EEXIST', 'mkdir', path);
    if (w.parent?.type !== 'directory') throw hostError('ENOENT', 'mkdir', path);
    w.parent.children.set(w.name!, dirNode(mode));
    this.log.push(`mkdir ${path}`);
  }

  async writeFile(path: string, data: Uint8Array, options: { mode: number; mtime: number }): Promise<void> {
    const w = this.walk(path, true);
    if (w.node?.type === 'directory') throw hostError('EISDIR', 'open', path);
    const parent = w.node ? this.walk(w.real.slice(0, w.real.lastIndexOf('/')) || '/', true).node : w.parent;
    const name = w.node ? w.real.slice(w.real.lastIndexOf('/') + 1) : w.name;
    if (parent?.type !== 'directory' || !name) throw hostError('ENOENT', 'open', path);
    parent.children.set(name, { type: 'file', data: data.slice(), mode: options.mode, mtime: options.mtime, uid: 0, gid: 0 });
    this.log.push(`write ${path}`);
  }

  async symlink(target: string, path: string): Promise<void> {
    const w = this.walk(path, false);
    if (w.node) throw hostError('EEXIST', 'symlink', path);
    if (w.parent?.type !== 'directory') throw hostError('ENOENT', 'symlink', path);
    w.parent.children.set(w.name!, { type: 'symlink', target, mode: 0o777, mtime: 0, uid: 0, gid: 0 });
    this.log.push(`symlink ${path}`);
  }

  async remove(path: string): Promise<void> {
    const w = this.walk(path, false);
    if (w.parent?.type === 'directory' && w.name) w.parent.children.delete(w.name);
    this.log.push(`remove ${path}`);
  }

  async setDirectory(path: string, mode: number, mtime: number): Promise<void> {
    const n = this.walk(path, true).node;
    if (n?.type === 'directory') {
      n.mode = mode;
      n.mtime = mtime;
    }
  }

  // ---- Docker's archive API over this file system (the daemon's side of `docker cp`)

  /** `HEAD /containers/{id}/archive`. */
  statPath(container: string, path: string): PathStat {
    const abs = absContainerPath(path);
    let n: Node | undefined;
    try {
      n = this.walk(abs, false).node;
    } catch (e) {
      throw new EngineError('guest', `lstat ${abs}: ${(e as Error).message.split(': ').pop()}`);
    }
    if (!n) throw new NotFoundError(`Could not find the file ${path} in container ${container}`);
    const trimmed = abs.replace(/\/\.?$/, '') || '/';
    return {
      name: trimmed === '/' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1),
      type: n.type,
      size: n.type === 'file' ? n.data.length : n.type === 'symlink' ? n.target.length : 0,
      mode: n.mode,
      mtime: n.mtime,
      linkTarget: n.type === 'symlink' ? this.followInScope(abs) : '',
    };
  }

  /** FollowSymlinkInScope: as far as the path exists. */
  private followInScope(path: string): string {
    let rest = path.split('/').filter(Boolean);
    let out: string[] = [];
    let links = 0;
    while (rest.length) {
      const part = rest.shift()!;
      if (part === '.') continue;
      if (part === '..') {
        out.pop();
        continue;
      }
      const n = this.lookup('/' + [...out, part].join('/'), false);
      if (n?.type === 'symlink' && links++ < 255) {
        if (n.target.startsWith('/')) out = [];
        rest = [...n.target.split('/').filter(Boolean), ...rest];
      } else out.push(part);
    }
    return '/' + out.join('/');
  }

  /** `GET /containers/{id}/archive`. */
  archive(container: string, path: string): { stat: PathStat; tar: Uint8Array } {
    const stat = this.statPath(container, path);
    const abs = absContainerPath(path);
    const entries: TarEntryInit[] = [];
    const add = (n: Node, name: string) => {
      const base = { mode: n.mode, mtime: n.mtime, uid: n.uid, gid: n.gid };
      if (n.type === 'directory') {
        entries.push({ ...base, name: `${name}/`, type: 'directory' });
        for (const [child, c] of [...n.children].sort(([a], [b]) => (a < b ? -1 : 1))) add(c, `${name}/${child}`);
      } else if (n.type === 'file') entries.push({ ...base, name, type: 'file', data: n.data });
      else if (n.type === 'symlink') entries.push({ ...base, name, type: 'symlink', linkname: n.target });
      else entries.push({ ...base, name, type: 'char', devmajor: 1, devminor: 3 });
    };
    const node = this.walk(abs, false).node!;
    const base = abs.endsWith('/.') ? '.' : stat.name;
    add(node, base);
    return { stat, tar: writeTar(entries) };
  }

  /** `PUT /containers/{id}/archive` (NoOverwriteDirNonDir). */
  extract(container: string, path: string, tar: Uint8Array, readonlyRoot = false): void {
    const abs = absContainerPath(path);
    const w = this.walk(abs, true);
    if (!w.node) throw new NotFoundError(`Could not find the file ${path} in container ${container}`);
    if (w.node.type !== 'directory') throw new InvalidArgumentError('extraction point is not a directory');
    if (readonlyRoot) throw new InvalidArgumentError('container rootfs is marked read-only');
    const dest = w.real;
    const entries = [...iterateTar(tar)];
    for (const e of entries) {
      const name = e.name
        .replace(/^\/+/, '')
        .replace(/\/+$/, '')
        .replace(/^\.\/?/, '');
      if (!name) continue;
      const existing = this.lookup(`${dest}/${name}`, false);
      if (existing?.type === 'directory' && e.type !== 'directory')
        throw new EngineError('conflict', `cannot overwrite directory "${name}" with non-directory "${dest}"`);
      if (existing && existing.type !== 'directory' && e.type === 'directory')
        throw new EngineError('conflict', `cannot overwrite non-directory "${name}" with directory "${dest}"`);
    }
    for (const e of entries) {
      const name = e.name
        .replace(/^\/+/, '')
        .replace(/\/+$/, '')
        .replace(/^\.\/?/, '');
      if (!name) continue;
      const p = `${dest === '/' ? '' : dest}/${name}`;
      const meta = { mode: e.mode, mtime: e.mtime, uid: e.uid, gid: e.gid };
      if (e.type === 'directory') {
        if (this.lookup(p, false)?.type !== 'directory') this.put(p, { type: 'directory', ...meta, children: new Map() });
      } else if (e.type === 'file') this.put(p, { type: 'file', data: e.data.slice(), ...meta });
      else if (e.type === 'symlink') this.put(p, { type: 'symlink', target: e.linkname, ...meta });
    }
  }
}

/** Docker's absolute container path (joined to `/`, cleaned, keeping a trailing `/` or `/.`). */
function absContainerPath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  let out = '/' + parts.join('/');
  if (path.endsWith('/.') || path === '.') out = out === '/' ? '/.' : `${out}/.`;
  else if (path.endsWith('/') && out !== '/') out += '/';
  return out;
}
