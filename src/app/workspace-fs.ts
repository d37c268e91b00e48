/**
 * `docker cp`'s local file system in the page: the workspace (the files beside the editor),
 * seen by the engine worker as the directory `/workspace`, which is also where relative paths
 * start. Reads come from the snapshot of the workspace the command was started with; writes go
 * to the page (which owns the workspace, so the file tree shows them and they are saved like an
 * edit) and, once the page accepted them, into the snapshot, so the rest of the command sees
 * them. The workspace holds only files (folders are the paths between), of at most 1 MB each:
 * symlinks and devices are skipped and said so, empty folders are not kept.
 */
import { hostError, HostFSError, type HostFS, type HostStat } from '../engine/cli/host-fs.ts';
import { MAX_FILE_BYTES, validatePath } from './workspace-paths.ts';

/** Where the workspace appears to `docker cp`. */
export const WORKSPACE_ROOT = '/workspace';

/** A change the page makes to its workspace (`path` relative to it); `modified` in ms since the epoch. */
export type WorkspaceChange = { op: 'write'; path: string; data: Uint8Array; modified: number } | { op: 'remove'; path: string };

/** Why the page refused a change: an errno name and a plain line for the student. */
export interface WorkspaceRefusal {
  code: string;
  hint: string;
}

const OUTSIDE = `Local paths in this page are the workspace beside the editor (${WORKSPACE_ROOT}): use a relative path such as app.py or out/.`;

/** The workspace as a HostFS for one command. */
export class WorkspaceFS implements HostFS {
  readonly cwd = WORKSPACE_ROOT;
  private readonly files: Map<string, { data: Uint8Array; mtime: number }>;
  /** Folders made during this command (kept only while files live in them). */
  private readonly dirs = new Set<string>();
  private readonly now = Math.floor(Date.now() / 1000);

  constructor(
    files: Record<string, Uint8Array>,
    mtimes: Record<string, number>,
    /** Applies a change in the page; resolves with a refusal, or undefined when done. */
    private readonly apply: (change: WorkspaceChange) => Promise<WorkspaceRefusal | undefined>,
  ) {
    this.files = new Map(Object.entries(files).map(([path, data]) => [path, { data, mtime: Math.floor((mtimes[path] ?? 0) / 1000) }]));
  }

  /** The workspace path of an absolute path ('' for the workspace itself), or undefined when outside it. */
  private rel(path: string): string | undefined {
    const parts: string[] = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    if (parts[0] !== WORKSPACE_ROOT.slice(1)) return undefined;
    return parts.slice(1).join('/');
  }

  private isDir(rel: string): boolean {
    if (rel === '' || this.dirs.has(rel)) return true;
    const prefix = `${rel}/`;
    for (const p of this.files.keys()) if (p.startsWith(prefix)) return true;
    for (const d of this.dirs) if (d.startsWith(prefix)) return true;
    return false;
  }

  /** Throws ENOTDIR when a parent of `rel` is a file. */
  private checkParents(rel: string, op: string, path: string): void {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) if (this.files.has(parts.slice(0, i).join('/'))) throw hostError('ENOTDIR', op, path);
  }

  async lstat(path: string): Promise<HostStat | undefined> {
    const dir: HostStat = { type: 'directory', size: 0, mode: 0o755, mtime: this.now, uid: 0, gid: 0 };
    if (path === '/') return dir;
    const rel = this.rel(path);
    if (rel === undefined) return undefined;
    const file = this.files.get(rel);
    if (file) return { type: 'file', size: file.data.length, mode: 0o644, mtime: file.mtime, uid: 0, gid: 0 };
    if (this.isDir(rel)) return dir;
    this.checkParents(rel, 'lstat', path);
    return undefined;
  }

  async readlink(path: string): Promise<string> {
    throw hostError('EINVAL', 'readlink', path);
  }

  async readdir(path: string): Promise<string[]> {
    if (path === '/') return [WORKSPACE_ROOT.slice(1)];
    const rel = this.rel(path);
    if (rel === undefined || !this.isDir(rel))
      throw hostError(rel !== undefined && this.files.has(rel) ? 'ENOTDIR' : 'ENOENT', 'open', path);
    const prefix = rel ? `${rel}/` : '';
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs])
      if (p.startsWith(prefix) && p !== rel) names.add(p.slice(prefix.length).split('/')[0]!);
    return [...names].sort();
  }

  async readFile(path: string): Promise<Uint8Array> {
    const rel = this.rel(path);
    const file = rel === undefined ? undefined : this.files.get(rel);
    if (file) return file.data;
    throw hostError(rel !== undefined && this.isDir(rel) ? 'EISDIR' : 'ENOENT', 'open', path);
  }

  async mkdir(path: string): Promise<void> {
    const rel = this.rel(path);
    if (rel === undefined) throw hostError('EROFS', 'mkdir', path, OUTSIDE);
    if (this.files.has(rel) || this.isDir(rel)) throw hostError('EEXIST', 'mkdir', path);
    try {
      validatePath(rel);
    } catch (e) {
      throw hostError('EINVAL', 'mkdir', path, (e as Error).message);
    }
    this.dirs.add(rel);
  }

  async writeFile(path: string, data: Uint8Array, options: { mode: number; mtime: number }): Promise<void> {
    const rel = this.rel(path);
    if (rel === undefined || rel === '') throw hostError('EROFS', 'open', path, OUTSIDE);
    if (this.isDir(rel) && !this.files.has(rel)) throw hostError('EISDIR', 'open', path);
    this.checkParents(rel, 'open', path);
    if (data.length > MAX_FILE_BYTES) {
      throw hostError(
        'EFBIG',
        'write',
        path,
        `The workspace keeps files of up to ${MAX_FILE_BYTES / 1024 / 1024} MB (they live in the browser's storage).`,
      );
    }
    try {
      validatePath(rel);
    } catch (e) {
      throw hostError('EINVAL', 'open', path, (e as Error).message);
    }
    const refused = await this.apply({ op: 'write', path: rel, data: data.slice(), modified: options.mtime * 1000 });
    if (refused) throw hostError(refused.code, 'open', path, refused.hint);
    this.files.set(rel, { data: data.slice(), mtime: options.mtime });
  }

  async symlink(_target: string, path: string): Promise<void> {
    throw new HostFSError(
      'ENOTSUP',
      'symlink',
      path,
      'operation not supported',
      'a symbolic link; the workspace keeps only files and folders',
    );
  }

  async remove(path: string): Promise<void> {
    const rel = this.rel(path);
    if (rel === undefined || rel === '') throw hostError('EROFS', 'unlinkat', path, OUTSIDE);
    const prefix = `${rel}/`;
    const gone = [...this.files.keys()].filter((p) => p === rel || p.startsWith(prefix));
    if (gone.length) {
      const refused = await this.apply({ op: 'remove', path: rel });
      if (refused) throw hostError(refused.code, 'unlinkat', path, refused.hint);
    }
    for (const p of gone) this.files.delete(p);
    for (const d of [...this.dirs]) if (d === rel || d.startsWith(prefix)) this.dirs.delete(d);
  }

  /** Folders made by this copy that hold no file (the workspace cannot show them); each is told once. */
  notes(): string[] {
    const empty = [...this.dirs].filter((d) => !this.isDirWithFiles(d)).sort();
    for (const d of this.dirs) this.dirs.delete(d);
    return empty.length ? [`not kept: ${empty.map((d) => `${d}/`).join(', ')} (the workspace keeps only folders that hold files)`] : [];
  }

  /** A plain line about a local path the page cannot have (anything outside the workspace). */
  explain(path: string): string | undefined {
    return path !== '/' && this.rel(path) === undefined ? OUTSIDE : undefined;
  }

  private isDirWithFiles(rel: string): boolean {
    const prefix = `${rel}/`;
    for (const p of this.files.keys()) if (p.startsWith(prefix)) return true;
    return false;
  }
}
