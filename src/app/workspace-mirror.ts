/**
 * The workspace as the host of bind mounts, inside the engine worker: a copy of the page's files
 * kept up to date by the page (every edit, every command), so a container started with
 * `-v .:/app` gets the workspace's files and sees each edit; what a container writes there is
 * handed to the page, which applies it as an edit of its own (the file tree shows it, it is saved).
 * The workspace holds files only (folders are the paths between them, empty ones are not kept).
 */
import { sameBytes, type BindHost, type BindHostChange, type BindHostEntry } from '../engine/containers/binds.ts';
import { WORKSPACE_ROOT, type WorkspaceChange, type WorkspaceRefusal } from './workspace-fs.ts';

/** Files are offered with these permission bits (the workspace keeps none), as the build context's are. */
const FILE_MODE = 0o644;

/** The workspace files the worker was last told of, as a BindHost. */
export class WorkspaceMirror implements BindHost {
  private files = new Map<string, Uint8Array>();
  private readonly listeners = new Set<(paths?: string[]) => void>();

  constructor(
    /** Applies a change in the page; resolves with a refusal, or undefined when done. */
    private readonly change: (change: WorkspaceChange) => Promise<WorkspaceRefusal | undefined>,
  ) {}

  /** The page's files now (path relative to the workspace → bytes): listeners hear which changed. */
  update(files: Record<string, Uint8Array>): void {
    const next = new Map(Object.entries(files));
    const changed: string[] = [];
    for (const [path, data] of next) {
      const old = this.files.get(path);
      if (!old || !sameBytes(old, data)) changed.push(`${WORKSPACE_ROOT}/${path}`);
    }
    for (const path of this.files.keys()) if (!next.has(path)) changed.push(`${WORKSPACE_ROOT}/${path}`);
    this.files = next;
    if (changed.length) for (const l of this.listeners) l(changed);
  }

  /** The workspace path of an absolute path ('' for the workspace itself), or undefined when outside it. */
  private rel(path: string): string | undefined {
    if (path === WORKSPACE_ROOT) return '';
    if (!path.startsWith(`${WORKSPACE_ROOT}/`)) return undefined;
    return path.slice(WORKSPACE_ROOT.length + 1).replace(/\/+$/, '');
  }

  async read(path: string): ReturnType<BindHost['read']> {
    const rel = this.rel(path);
    if (rel === undefined) return undefined;
    const file = this.files.get(rel);
    if (file) return { type: 'file', entry: { path: '', type: 'file', mode: FILE_MODE, data: file } };
    const prefix = rel ? `${rel}/` : '';
    const entries: BindHostEntry[] = [];
    const dirs = new Set<string>();
    for (const [p, data] of this.files) {
      if (!p.startsWith(prefix)) continue;
      const inner = p.slice(prefix.length);
      const parts = inner.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
      entries.push({ path: inner, type: 'file', mode: FILE_MODE, data });
    }
    if (entries.length === 0 && rel !== '') return undefined;
    for (const d of dirs) entries.push({ path: d, type: 'directory', mode: 0o755 });
    return { type: 'directory', entries: entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
  }

  /** Folders are the paths between files: a missing source folder needs nothing until a file lands in it. */
  async mkdir(): Promise<void> {}

  async apply(changes: BindHostChange[]): Promise<void> {
    for (const c of changes) {
      const rel = this.rel(c.path);
      if (rel === undefined || rel === '' || c.op === 'mkdir') continue;
      if (c.op === 'write') {
        this.files.set(rel, c.data);
        const refused = await this.change({ op: 'write', path: rel, data: c.data.slice(), modified: Date.now() });
        // refused (too large, say): the page keeps its own; the container keeps its copy
        if (refused) this.files.delete(rel);
      } else {
        for (const p of [...this.files.keys()]) if (p === rel || p.startsWith(`${rel}/`)) this.files.delete(p);
        await this.change({ op: 'remove', path: rel });
      }
    }
  }

  watch(_path: string, listener: (paths?: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  explain(path: string): string | undefined {
    if (this.rel(path) !== undefined) return undefined;
    return `Host paths in this page are the workspace beside the editor (${WORKSPACE_ROOT}): bind a folder of it, such as -v .:/app or -v ./src:/app.`;
  }
}
