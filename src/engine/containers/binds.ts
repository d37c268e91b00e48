/**
 * Bind mounts (`-v ./src:/app`, `--mount type=bind`): a folder of the host (the disk in Node,
 * the workspace in the page) mounted into a running container. The guest cannot reach the host's
 * files, so each bind's files are kept in step through the machine's 9p share: copied in when the
 * container starts (the agent binds that share folder at the target), the host's changes written
 * in as they happen, and what the container writes read back on this side of the share (no guest
 * process) about once a second and when it stops, then written to the host.
 */
import { SHARE_MOUNT, type GuestMachine, type ShareEntry, type SpawnSpec } from '../../runtime/types.ts';
import type { MountPoint } from '../api.ts';
import { InvalidArgumentError } from '../errors.ts';

/**
 * The most a bind's files may weigh: they are copied into the machine's memory (the guest cannot
 * reach the host's disk), and read back about once a second while the container runs.
 */
export const MAX_BIND_BYTES = 32 * 1024 * 1024;

/** Docker's words for a bind source past `MAX_BIND_BYTES`, and LayerLab's line of why. */
export function bindTooLarge(source: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `error while mounting bind source path ${source}: it holds more than ${MAX_BIND_BYTES / 1024 / 1024}MB\n` +
      "LayerLab copies a bind mount's files into its machine, which cannot reach this computer's disk: bind a smaller folder (the one the program needs), or COPY the files in a Dockerfile.",
  );
}

/** A file or folder under a bind source, as the host has it (`path` relative to the source). */
export interface BindHostEntry {
  path: string;
  type: 'file' | 'directory';
  /** Permission bits. */
  mode: number;
  data?: Uint8Array;
}

/** A change a container made under a bind source, for the host to apply (`path` absolute on the host). */
export type BindHostChange =
  | { op: 'write'; path: string; data: Uint8Array; mode: number }
  | { op: 'mkdir'; path: string; mode: number }
  | { op: 'remove'; path: string };

/** The host side of bind mounts: the disk in Node, the workspace beside the editor in the page. */
export interface BindHost {
  /** What is at an absolute host path: a folder with everything under it, a file, or nothing; past `limit` bytes in all, `bindTooLarge`. */
  read(
    path: string,
    limit?: number,
  ): Promise<{ type: 'directory'; entries: BindHostEntry[] } | { type: 'file'; entry: BindHostEntry } | undefined>;
  /** Makes a missing source folder, as `docker run -v` does. */
  mkdir(path: string): Promise<void>;
  /** Applies what containers wrote, in order. */
  apply(changes: BindHostChange[]): Promise<void>;
  /** Calls `listener` with the absolute host paths under `path` that changed (undefined: anything may have); returns an unsubscribe. */
  watch(path: string, listener: (paths?: string[]) => void): () => void;
  /** A plain line about a path this host cannot offer (the page: anything outside its workspace). */
  explain?(path: string): string | undefined;
}

/** One bind of a running container, kept in step. */
interface Attached {
  containerId: string;
  guest: GuestMachine;
  /** The host path. */
  source: string;
  /** The share folder holding the bind's files (a file bind: the file inside it). */
  share: string;
  /** The bind's source is a single file, named this in the share folder. */
  file?: string;
  readonly: boolean;
  /** What both sides held at the last sync, by path in the share folder. */
  known: Map<string, { type: 'file' | 'directory'; data?: Uint8Array; mode: number }>;
  /** Stops following the host's changes. */
  unwatch?: () => void;
}

/** The host's entries as they lie in a bind's share folder (a file bind: the one file, under its name). */
function shareEntries(a: Attached, found: Awaited<ReturnType<BindHost['read']>>): BindHostEntry[] {
  if (a.file) return found?.type === 'file' ? [{ ...found.entry, path: a.file }] : [];
  return found?.type === 'directory' ? found.entries : [];
}

/** The host path of a path in a bind's share folder. */
function hostPath(a: Attached, path: string): string {
  return a.file ? a.source : `${a.source}/${path}`;
}

/** The share folder of a container's binds. */
function shareOf(containerId: string): string {
  return `binds/${containerId.slice(0, 12)}`;
}

/** Whether two byte arrays (or two absences) hold the same bytes. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `path` is `dir` or lies under it; the rest of it when it does. */
function under(dir: string, path: string): string | undefined {
  const base = dir.replace(/\/+$/, '');
  if (path === base) return '';
  if (path.startsWith(`${base}/`)) return path.slice(base.length + 1);
  return undefined;
}

/** Keeps the bind mounts of running containers in step with the host. */
export class BindMounts {
  private readonly attached: Attached[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Syncs run one after another. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: BindHost | undefined,
    /** How often what containers wrote is read back (ms). */
    private readonly every = 1000,
  ) {}

  /** Checks a bind's source when a container is created: it must exist unless `-v` may make it. */
  async check(source: string, create: boolean): Promise<void> {
    const host = this.needHost();
    const why = host.explain?.(source);
    if (why) throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${source}\n${why}`);
    if (!create && !(await host.read(source, MAX_BIND_BYTES)))
      throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
  }

  private needHost(): BindHost {
    if (!this.host)
      throw new InvalidArgumentError(
        'bind mounts are not available here: there is no host folder to bind (in the LayerLab playground, -v .:/app binds its workspace)',
      );
    return this.host;
  }

  /** Fills the share with each bind's files as the container starts; the binds for its spawn spec. */
  async mount(guest: GuestMachine, containerId: string, mounts: readonly MountPoint[]): Promise<NonNullable<SpawnSpec['binds']>> {
    const binds: NonNullable<SpawnSpec['binds']> = [];
    const wanted = mounts.filter((m) => m.Type === 'bind');
    if (wanted.length === 0) return binds;
    const host = this.needHost();
    await this.unmount(containerId, { sync: false });
    await guest.removeShare(shareOf(containerId));
    for (const [i, m] of wanted.entries()) {
      const share = `${shareOf(containerId)}/${i}`;
      let found = await host.read(m.Source, MAX_BIND_BYTES);
      const bytes =
        found?.type === 'file' ? (found.entry.data?.length ?? 0) : (found?.entries ?? []).reduce((n, e) => n + (e.data?.length ?? 0), 0);
      if (bytes > MAX_BIND_BYTES) throw bindTooLarge(m.Source);
      if (!found) {
        // as dockerd does for -v: a missing source becomes an empty folder
        await host.mkdir(m.Source);
        found = { type: 'directory', entries: [] };
      }
      const a: Attached = { containerId, guest, source: m.Source, share, readonly: !m.RW, known: new Map() };
      if (found.type === 'file') a.file = m.Source.split('/').pop() || 'file';
      await guest.mkdirShare(share, 0o755);
      for (const e of shareEntries(a, found)) await this.put(a, e);
      a.unwatch = host.watch(m.Source, (paths) => void this.serial(() => this.pushHost(a, paths)).catch(() => {}));
      this.attached.push(a);
      binds.push({ source: `${SHARE_MOUNT}/${share}${a.file ? `/${a.file}` : ''}`, target: m.Destination, readonly: !m.RW });
    }
    if (!this.timer) {
      this.timer = setInterval(() => void this.sync().catch(() => {}), this.every);
      // in Node the timer alone never keeps the process alive
      (this.timer as { unref?: () => void }).unref?.();
    }
    return binds;
  }

  /** Reads back what the container wrote and lets its binds go (it stopped). */
  async unmount(containerId: string, options: { sync?: boolean } = {}): Promise<void> {
    const mine = this.attached.filter((a) => a.containerId === containerId);
    if (mine.length === 0) return;
    if (options.sync !== false) await this.serial(() => this.pullAll(mine)).catch(() => {});
    for (const a of mine) {
      a.unwatch?.();
      this.attached.splice(this.attached.indexOf(a), 1);
    }
    await mine[0]!.guest.removeShare(shareOf(containerId)).catch(() => {});
    if (this.attached.length === 0) this.stop();
  }

  /** Reads back what running containers wrote under their binds and writes it to the host now. */
  sync(): Promise<void> {
    return this.serial(() => this.pullAll(this.attached));
  }

  /** Stops reading back (no container has binds any more). */
  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  /** Writes one host entry into a bind's share folder. */
  private async put(a: Attached, e: BindHostEntry): Promise<void> {
    const was = a.known.get(e.path);
    if (was && was.type !== e.type) await a.guest.removeShare(`${a.share}/${e.path}`);
    if (e.type === 'directory') await a.guest.mkdirShare(`${a.share}/${e.path}`, e.mode);
    else await a.guest.writeFile(`${a.share}/${e.path}`, e.data ?? new Uint8Array(), e.mode);
    a.known.set(e.path, { type: e.type, mode: e.mode, ...(e.data ? { data: e.data } : {}) });
  }

  /** The host changed `paths` under a bind's source (or anything there): the bind takes the host's files. */
  private async pushHost(a: Attached, paths: string[] | undefined): Promise<void> {
    if (!this.attached.includes(a)) return;
    if (paths && !paths.some((p) => under(a.source, p) !== undefined || under(p, a.source) !== undefined)) return;
    const found = await this.needHost().read(a.source, MAX_BIND_BYTES);
    // a file bind whose file went: the container keeps what it has (its mount holds the old file)
    if (a.file && found?.type !== 'file') return;
    const entries = shareEntries(a, found);
    const now = new Map(entries.map((e) => [e.path, e]));
    for (const e of entries) {
      const k = a.known.get(e.path);
      if (!k || k.type !== e.type || (e.type === 'file' && !sameBytes(k.data, e.data))) await this.put(a, e);
    }
    // gone from the host: gone from the container (deepest first)
    for (const path of [...a.known.keys()].sort().reverse()) {
      if (now.has(path)) continue;
      await a.guest.removeShare(`${a.share}/${path}`);
      a.known.delete(path);
    }
  }

  /** What the containers wrote under `binds`, applied to the host. */
  private async pullAll(binds: Attached[]): Promise<void> {
    const changes: BindHostChange[] = [];
    for (const a of binds) {
      if (a.readonly) continue;
      const listed = await a.guest.listShare(a.share);
      const now = new Map<string, ShareEntry>(listed.filter((e) => e.type !== 'symlink').map((e) => [e.path, e]));
      for (const e of now.values()) {
        const k = a.known.get(e.path);
        const type = e.type as 'file' | 'directory';
        if (k && k.type === type && (type === 'directory' || sameBytes(k.data, e.data))) continue;
        if (k && k.type !== type) changes.push({ op: 'remove', path: hostPath(a, e.path) });
        changes.push(
          type === 'directory'
            ? { op: 'mkdir', path: hostPath(a, e.path), mode: e.mode }
            : { op: 'write', path: hostPath(a, e.path), data: e.data ?? new Uint8Array(), mode: e.mode },
        );
        a.known.set(e.path, { type, mode: e.mode, ...(e.data ? { data: e.data } : {}) });
      }
      for (const path of [...a.known.keys()].sort().reverse()) {
        if (now.has(path)) continue;
        // a folder removed with its files: the host removes the folder once
        const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : undefined;
        if (parent === undefined || now.has(parent)) changes.push({ op: 'remove', path: hostPath(a, path) });
        a.known.delete(path);
      }
    }
    if (changes.length) await this.needHost().apply(changes);
  }
}
