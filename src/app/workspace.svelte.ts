/**
 * The workspace: the student's build context (the files `docker build` sends), kept in runes
 * state and saved to localStorage so nothing typed is lost on reload.
 *
 * Files are text (`text`) or, for uploads that are not UTF-8 text, bytes (`data`). Paths are
 * relative and `/`-separated, like the context paths the builder sees. Each file knows when its
 * content last changed (`modified`), which `docker build` sends as its mtime, so `ls -l` in the
 * image shows real dates. Every change is checked first and refused with an `Error` whose
 * message a student can act on.
 */
/** A file handed to the workspace (the example, a lesson's folder, a shared link's files). */
export interface NewWorkspaceFile {
  /** Relative path, `/`-separated (`app/main.py`). */
  path: string;
  /** The content of a text file; empty for a binary file. */
  text: string;
  /** The content of a binary file (an upload that is not UTF-8 text). */
  data?: Uint8Array;
}

/** One file of the build context. */
export interface WorkspaceFile extends NewWorkspaceFile {
  /**
   * When the content last changed, in milliseconds since the epoch: the file's mtime in the
   * image. Renaming keeps it, as on Unix; files handed in get the time they arrive.
   */
  modified: number;
}

/** What the storage needs to offer; `localStorage` does. */
export type WorkspaceStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface WorkspaceOptions {
  /** Where to save; `localStorage` by default, `null` to keep nothing. */
  storage?: WorkspaceStorage | null;
  /** Storage key, `layerlab.workspace` by default. */
  key?: string;
  /** Delay before saving after a change, in milliseconds. */
  debounceMs?: number;
  /** The files when nothing is stored yet (and after `reset()`); the seed example by default. */
  initialFiles?: readonly NewWorkspaceFile[];
  /** Where to listen for `pagehide`/`visibilitychange` (saves at once); `window` by default. */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
}

import type { WorkspaceModel } from '../ui/files/workspace-model.ts';
import { decodeText, MAX_FILE_BYTES, validatePath } from './workspace-paths.ts';

export const STORAGE_KEY = 'layerlab.workspace';
/** A stored value that could not be read is moved here rather than overwritten. */
export const CORRUPT_SUFFIX = '.corrupt';
export { MAX_FILE_BYTES, MAX_PATH_LENGTH, validatePath } from './workspace-paths.ts';

/** The example from the seed lesson. */
export const DEFAULT_FILES: readonly NewWorkspaceFile[] = Object.freeze([
  {
    path: 'Dockerfile',
    text: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
  },
  { path: 'requirements.txt', text: 'flask\n' },
  {
    path: 'app.py',
    text: 'import flask\n\nprint(f"Hello from a container! Flask {flask.__version__} is installed.")\n',
  },
  { path: '.dockerignore', text: '__pycache__\n*.pyc\n' },
]);

interface Stored {
  version: 1;
  selected?: string;
  /** `modified` is missing in workspaces saved before files had times. */
  files: (({ path: string; text: string } | { path: string; base64: string }) & { modified?: number })[];
}

const encoder = new TextEncoder();

/** Shows a path in a message. */
const q = (path: string) => `"${path}"`;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function formatSize(bytes: number): string {
  // in KB up to 10 MB, rounded up: a file just over the limit never reads as the limit itself
  return bytes >= 10 * 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * Reads a stored value; throws when it is not a workspace this version wrote. Files saved
 * without a time get `now` (and `dated` says so, so the time can be saved once).
 */
function parseStored(raw: string, now: number): { files: WorkspaceFile[]; selected: string | undefined; dated: boolean } {
  const value = JSON.parse(raw) as Partial<Stored> | null;
  if (!value || typeof value !== 'object' || value.version !== 1 || !Array.isArray(value.files)) {
    throw new Error('not a workspace');
  }
  const files: WorkspaceFile[] = [];
  const seen = new Set<string>();
  let dated = false;
  for (const f of value.files as unknown[]) {
    if (!f || typeof f !== 'object') throw new Error('bad file');
    const { path, text, base64, modified: stored } = f as { path?: unknown; text?: unknown; base64?: unknown; modified?: unknown };
    if (typeof path !== 'string' || validatePath(path) !== path || seen.has(path)) throw new Error('bad path');
    seen.add(path);
    // a missing or unusable time is not worth losing the files over
    const valid = typeof stored === 'number' && Number.isFinite(stored) && stored >= 0;
    const modified = valid ? stored : now;
    if (!valid) dated = true;
    if (typeof text === 'string') files.push({ path, text, modified });
    else if (typeof base64 === 'string') files.push({ path, text: '', data: fromBase64(base64), modified });
    else throw new Error('bad content');
  }
  const selected = typeof value.selected === 'string' && seen.has(value.selected) ? value.selected : undefined;
  return { files, selected, dated };
}

/** Copies of files handed in, dated now (only their path and content are taken). */
function fresh(files: readonly NewWorkspaceFile[]): WorkspaceFile[] {
  const modified = Date.now();
  return files.map((f) => ({ path: f.path, text: f.text, ...(f.data ? { data: f.data } : {}), modified }));
}

function defaultStorage(): WorkspaceStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage disabled (sandboxed frame, privacy settings): work without saving.
    return null;
  }
}

export class Workspace implements WorkspaceModel {
  /** The files, in the order they were added. */
  entries = $state<WorkspaceFile[]>([]);
  /** Path of the file open in the editor. */
  selected = $state<string | undefined>(undefined);
  /** Set when saving failed (storage full or disabled); cleared by the next successful save. */
  saveError = $state<string | undefined>(undefined);
  /** Something the student should know about the restore (a stored value that could not be read). */
  notice = $state<string | undefined>(undefined);

  /** The selected file, if any. */
  readonly selectedFile = $derived(this.entries.find((f) => f.path === this.selected));
  /** All paths, sorted. */
  readonly paths = $derived(this.entries.map((f) => f.path).sort());

  readonly #storage: WorkspaceStorage | null;
  readonly #key: string;
  readonly #debounceMs: number;
  readonly #initial: readonly NewWorkspaceFile[];
  readonly #events: WorkspaceOptions['events'];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** False when saving would overwrite data we could not back up. */
  #canSave = true;
  readonly #onPagehide = () => this.flush();

  constructor(options: WorkspaceOptions = {}) {
    this.#storage = options.storage === undefined ? defaultStorage() : options.storage;
    this.#key = options.key ?? STORAGE_KEY;
    this.#debounceMs = options.debounceMs ?? 300;
    this.#initial = options.initialFiles ?? DEFAULT_FILES;
    this.#events =
      options.events === undefined
        ? typeof window !== 'undefined' && typeof window.addEventListener === 'function'
          ? window
          : null
        : options.events;
    this.#restore();
    // pagehide: reload, close, navigation; visibilitychange: mobile browsers may kill hidden tabs
    this.#events?.addEventListener('pagehide', this.#onPagehide);
    this.#events?.addEventListener('visibilitychange', this.#onPagehide);
  }

  /** The file at `path`, if any. */
  get(path: string): WorkspaceFile | undefined {
    return this.entries.find((f) => f.path === path);
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  /** Whether `path` is a folder (some file lives under it). */
  isFolder(path: string): boolean {
    const prefix = path + '/';
    return this.entries.some((f) => f.path.startsWith(prefix));
  }

  /** Adds a text file and selects it. */
  create(path: string, text = ''): string {
    const p = validatePath(path);
    this.#checkFree(p);
    this.entries.push({ path: p, text, modified: Date.now() });
    this.selected = p;
    this.#changed();
    return p;
  }

  /** Renames a file, or a folder with everything in it; returns the new path. */
  rename(from: string, to: string): string {
    const target = validatePath(to);
    if (target === from) return target;
    const file = this.get(from);
    if (file) {
      this.#checkFree(target, [from]);
      file.path = target;
      if (this.selected === from) this.selected = target;
    } else if (this.isFolder(from)) {
      if (target.startsWith(from + '/')) throw new Error(`A folder can't be moved inside itself (${q(from)} → ${q(target)}).`);
      const prefix = from + '/';
      const moving = this.entries.filter((f) => f.path.startsWith(prefix));
      const renamed = moving.map((f) => validatePath(target + '/' + f.path.slice(prefix.length)));
      const movingPaths = moving.map((f) => f.path);
      for (const p of renamed) this.#checkFree(p, movingPaths, true);
      moving.forEach((f, i) => (f.path = renamed[i]!));
      if (this.selected?.startsWith(prefix)) this.selected = target + '/' + this.selected.slice(prefix.length);
    } else {
      throw new Error(`There is no file or folder named ${q(from)}.`);
    }
    this.#changed();
    return target;
  }

  /** Deletes a file, or a folder with everything in it. */
  remove(path: string): void {
    const prefix = path + '/';
    const keep = this.entries.filter((f) => f.path !== path && !f.path.startsWith(prefix));
    if (keep.length === this.entries.length) throw new Error(`There is no file or folder named ${q(path)}.`);
    const order = this.paths;
    this.entries = keep;
    if (this.selected === path || this.selected?.startsWith(prefix)) {
      // select the next file in the listing, or the one before
      const idx = order.indexOf(this.selected);
      const after = order.slice(idx + 1).find((p) => this.has(p));
      const before = order
        .slice(0, idx)
        .reverse()
        .find((p) => this.has(p));
      this.selected = after ?? before;
    }
    this.#changed();
  }

  /** Replaces a text file's content. */
  update(path: string, text: string): void {
    const file = this.get(path);
    if (!file) throw new Error(`There is no file named ${q(path)}.`);
    if (file.data) throw new Error(`${q(path)} is a binary file; it can't be edited as text.`);
    if (file.text === text) return;
    file.text = text;
    file.modified = Date.now();
    this.#changed();
  }

  /**
   * Writes a file that came from elsewhere (`docker cp CONTAINER:PATH .`): created, or replaced
   * when it exists. Text stays editable, anything else is kept as bytes; `modified` is its time.
   */
  put(path: string, data: Uint8Array, modified = Date.now()): void {
    const p = validatePath(path);
    if (data.length > MAX_FILE_BYTES) {
      throw new Error(`${q(p)} is ${formatSize(data.length)}; files up to ${formatSize(MAX_FILE_BYTES)} fit in the browser's storage.`);
    }
    this.#checkFree(p, [p]);
    const text = decodeText(data);
    const entry: WorkspaceFile = text === undefined ? { path: p, text: '', data: data.slice(), modified } : { path: p, text, modified };
    const existing = this.entries.findIndex((f) => f.path === p);
    if (existing >= 0) this.entries[existing] = entry;
    else this.entries.push(entry);
    this.#changed();
  }

  /** Selects a file (for the editor). */
  select(path: string): void {
    if (!this.has(path)) throw new Error(`There is no file named ${q(path)}.`);
    if (this.selected === path) return;
    this.selected = path;
    this.#changed();
  }

  /**
   * Adds files from the student's computer into `folder` (the top by default). A file with the
   * same path is replaced. Text files stay editable; anything else is kept as bytes. Each keeps
   * its modification time from the computer (the upload time when the browser gives none), as
   * `docker build` of that folder would. All files are checked before any is added; returns the
   * paths added.
   */
  async upload(files: readonly File[], folder = ''): Promise<string[]> {
    const base = folder ? validatePath(folder) + '/' : '';
    const planned: { path: string; file: File }[] = [];
    for (const file of files) {
      // folder drops and <input webkitdirectory> carry the relative path
      const name = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
      const path = validatePath(base + name);
      if (file.size > MAX_FILE_BYTES) {
        throw new Error(`${q(name)} is ${formatSize(file.size)}; files up to ${formatSize(MAX_FILE_BYTES)} fit in the browser's storage.`);
      }
      if (planned.some((p) => p.path === path)) throw new Error(`Two of the files are both named ${q(path)}.`);
      this.#checkFree(path, [path]);
      planned.push({ path, file });
    }
    const read = await Promise.all(
      planned.map(async ({ path, file }) => ({ path, bytes: new Uint8Array(await file.arrayBuffer()), lastModified: file.lastModified })),
    );
    const now = Date.now();
    for (const { path, bytes, lastModified } of read) {
      const text = decodeText(bytes);
      const modified = Number.isFinite(lastModified) && lastModified > 0 ? lastModified : now;
      const entry: WorkspaceFile = text === undefined ? { path, text: '', data: bytes, modified } : { path, text, modified };
      const existing = this.entries.findIndex((f) => f.path === path);
      if (existing >= 0) this.entries[existing] = entry;
      else this.entries.push(entry);
    }
    const first = read[0];
    if (first && this.get(first.path)?.data === undefined) this.selected = first.path;
    this.#changed();
    return read.map((r) => r.path);
  }

  /** The build context for `docker build`: path → bytes (text encoded as UTF-8). */
  files(): Record<string, Uint8Array> {
    const out: Record<string, Uint8Array> = {};
    for (const f of this.entries) out[f.path] = f.data ? f.data.slice() : encoder.encode(f.text);
    return out;
  }

  /** The build context's times: path → when the content last changed (ms since the epoch). */
  modifiedTimes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of this.entries) out[f.path] = f.modified;
    return out;
  }

  /** Puts back the initial files (the current ones are replaced). */
  reset(): void {
    this.replace(this.#initial);
  }

  /** Replaces every file with `files` (a lesson's solution, a shared link's files); they are new as of now. */
  replace(files: readonly NewWorkspaceFile[]): void {
    this.entries = fresh(files);
    this.selected = files.some((f) => f.path === 'Dockerfile') ? 'Dockerfile' : files[0]?.path;
    this.#changed();
  }

  /** Saves now if a save is pending. */
  flush(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#save();
  }

  /** Saves pending changes and stops listening for the page being hidden. */
  dispose(): void {
    this.flush();
    this.#events?.removeEventListener('pagehide', this.#onPagehide);
    this.#events?.removeEventListener('visibilitychange', this.#onPagehide);
  }

  /** Throws when `path` is taken by a file or a folder (ignoring `except`, which will move). */
  #checkFree(path: string, except: string[] = [], folderMove = false): void {
    const others = this.entries.filter((f) => !except.includes(f.path));
    if (others.some((f) => f.path === path)) {
      throw new Error(folderMove ? `That would replace ${q(path)}, which already exists.` : `There is already a file named ${q(path)}.`);
    }
    if (others.some((f) => f.path.startsWith(path + '/'))) throw new Error(`There is already a folder named ${q(path)}.`);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (others.some((f) => f.path === dir)) throw new Error(`${q(dir)} is a file, so it can't also be a folder.`);
    }
  }

  #restore(): void {
    let raw: string | null;
    try {
      raw = this.#storage?.getItem(this.#key) ?? null;
    } catch {
      raw = null;
    }
    if (raw !== null) {
      try {
        const { files, selected, dated } = parseStored(raw, Date.now());
        this.entries = files;
        this.selected = selected ?? files.find((f) => f.path === 'Dockerfile')?.path ?? files[0]?.path;
        // saved before files had times: keep the time given now, or every load would move it
        if (dated) this.#save();
        return;
      } catch {
        // keep what was there, then start from the example
        const corruptKey = this.#key + CORRUPT_SUFFIX;
        try {
          this.#storage?.setItem(corruptKey, raw);
          this.notice = `Your saved files could not be read, so the example was loaded. The old data is kept in the browser's localStorage under "${corruptKey}".`;
        } catch {
          this.#canSave = false;
          this.notice =
            'Your saved files could not be read, so the example was loaded. Changes will not be saved, so the old data is not overwritten.';
        }
      }
    }
    this.entries = fresh(this.#initial);
    this.selected = this.entries.some((f) => f.path === 'Dockerfile') ? 'Dockerfile' : this.entries[0]?.path;
  }

  #changed(): void {
    if (!this.#storage || !this.#canSave) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#save();
    }, this.#debounceMs);
  }

  #save(): void {
    if (!this.#storage || !this.#canSave) return;
    const stored: Stored = {
      version: 1,
      ...(this.selected !== undefined ? { selected: this.selected } : {}),
      files: this.entries.map((f) =>
        f.data ? { path: f.path, base64: toBase64(f.data), modified: f.modified } : { path: f.path, text: f.text, modified: f.modified },
      ),
    };
    try {
      this.#storage.setItem(this.#key, JSON.stringify(stored));
      this.saveError = undefined;
    } catch {
      this.saveError =
        'Your files could not be saved in this browser (its storage may be full). Keep this tab open, or download what you need; deleting large uploads frees space.';
    }
  }
}
