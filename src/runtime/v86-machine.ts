/**
 * The guest machine on v86: restores the committed snapshot (or boots cold), connects the
 * agent (host → guest on ttyS1, guest → host on hvc0), watches its health, and moves files
 * through the 9p share. Runs wherever v86 runs: Node, or a module Web Worker in the browser.
 * This is the only module that imports v86 (and v86-yield.ts the one that reaches into it).
 */
import { V86, type V86Options } from 'v86';
import v86Package from 'v86/package.json' with { type: 'json' };
import { AgentClient } from './agent-client.ts';
import { useSameThreadYield } from './v86-yield.ts';
import { checkSnapshot, sha256Hex, type GuestManifest } from './manifest.ts';
import {
  CancelledError,
  GuestExitedError,
  GuestUnresponsiveError,
  SHARE_MOUNT,
  type ShareEntry,
  type GuestMachine,
  type GuestProcess,
  type MachineProgress,
  type MachineStatus,
  type SpawnSpec,
} from './types.ts';

/** The v86 build this code runs (a snapshot only restores in the same build). */
export const V86_VERSION: string = v86Package.version;

/** What differs between Node and the browser: where guest files and v86's wasm come from. */
export interface MachineEnvironment {
  /** Loads a file of `public/vm/` by name. */
  fetchAsset(name: string, onProgress?: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<Uint8Array>;
  /** v86 options that locate its WebAssembly module. */
  wasm: Pick<V86Options, 'wasm_path' | 'wasm_fn'>;
}

/** How to start a machine. */
export interface StartOptions {
  /** `auto` (default) restores the snapshot when it matches, else boots cold with a notice. */
  boot?: 'auto' | 'cold' | 'snapshot';
  onProgress?: (p: MachineProgress) => void;
  signal?: AbortSignal;
  /** Milliseconds between health pings (default 1500); 0 turns the monitor off. */
  healthInterval?: number;
  /** Milliseconds without a pong before the guest counts as unresponsive (default 4000). */
  healthTimeout?: number;
}

const READY_TIMEOUT_MS = 90_000;
const RESTORE_TIMEOUT_MS = 15_000;

/** Device options shared by cold boots and restores: a saved state restores only into the same devices. */
function deviceOptions(manifest: GuestManifest): Partial<V86Options> {
  return {
    memory_size: manifest.memoryMB * 1024 * 1024,
    vga_memory_size: 2 * 1024 * 1024,
    filesystem: {},
    autostart: true,
    disable_speaker: true,
    disable_keyboard: true,
    disable_mouse: true,
    uart1: true,
    virtio_console: true,
    acpi: false,
  } as unknown as Partial<V86Options>; // v86.d.ts types virtio_console as a config object; `true` is documented
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new CancelledError(`${what} cancelled`));
  return new Promise<T>((res, rej) => {
    const onAbort = () => rej(new CancelledError(`${what} cancelled`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        res(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        rej(e);
      },
    );
  });
}

function timeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((res, rej) => {
    const t = setTimeout(() => rej(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        res(v);
      },
      (e) => {
        clearTimeout(t);
        rej(e);
      },
    );
  });
}

/** A guest Linux in v86 with its agent connected. */
export class V86Machine implements GuestMachine {
  private statusValue: MachineStatus = { state: 'starting' };
  private readonly statusListeners = new Set<(s: MachineStatus) => void>();
  private healthTimer: ReturnType<typeof setInterval> | undefined;
  private lastPong = Date.now();
  private pingInFlight = false;
  private console: number[] = [];
  private bootedFrom: 'snapshot' | 'cold' = 'snapshot';
  private notice: string | undefined;
  /** Milliseconds the start took (download excluded), for benchmarks. */
  startMs = 0;

  private constructor(
    private readonly emulator: V86,
    readonly agent: AgentClient,
    readonly manifest: GuestManifest,
  ) {}

  /** Downloads what is needed and starts the guest, resolving when the agent answers. */
  static async start(env: MachineEnvironment, options: StartOptions = {}): Promise<V86Machine> {
    const { signal, onProgress = () => {} } = options;
    const boot = options.boot ?? 'auto';
    onProgress({ phase: 'download', detail: 'manifest.json' });
    const manifest = JSON.parse(new TextDecoder().decode(await env.fetchAsset('manifest.json', undefined, signal))) as GuestManifest;

    let notice: string | undefined;
    if (boot !== 'cold') {
      const problem = checkSnapshot(manifest, V86_VERSION);
      if (problem) {
        if (boot === 'snapshot') throw new Error(`cannot restore snapshot: ${problem}`);
        notice = `Booting from the kernel (slower): ${problem}.`;
      } else {
        try {
          return await V86Machine.restore(env, manifest, options);
        } catch (err) {
          if (err instanceof CancelledError || boot === 'snapshot') throw err;
          notice = `Booting from the kernel (slower): the snapshot could not be restored (${(err as Error).message}).`;
        }
      }
    }
    return V86Machine.coldBoot(env, manifest, options, notice);
  }

  private static async restore(env: MachineEnvironment, manifest: GuestManifest, options: StartOptions): Promise<V86Machine> {
    const { signal, onProgress = () => {} } = options;
    const entry = manifest.files['state.bin.zst']!;
    const state = await env.fetchAsset(
      'state.bin.zst',
      (loaded, total) => onProgress({ phase: 'download', detail: 'machine snapshot', loaded, total }),
      signal,
    );
    const digest = await sha256Hex(state);
    if (digest !== entry.sha256)
      throw new Error(`snapshot file is corrupt (sha256 ${digest.slice(0, 12)}…, expected ${entry.sha256.slice(0, 12)}…)`);
    onProgress({ phase: 'restore', detail: 'restoring the machine' });
    const t0 = performance.now();
    const emulator = new V86({
      ...env.wasm,
      ...deviceOptions(manifest),
      initial_state: { buffer: state.buffer.slice(state.byteOffset, state.byteOffset + state.byteLength) as ArrayBuffer },
    } as V86Options);
    useSameThreadYield(emulator);
    const machine = V86Machine.attach(emulator, manifest);
    const started = new Promise<void>((res) => emulator.add_listener('emulator-started', () => res()));
    try {
      // the agent is already running in the restored state; bytes sent before the state is
      // loaded are lost, so ping only once the emulator runs, and a pong proves the channel
      await abortable(
        timeout(
          (async () => {
            await started;
            for (;;) {
              try {
                await machine.agent.ping(250);
                return;
              } catch {
                /* lost while the devices settled: ask again */
              }
            }
          })(),
          RESTORE_TIMEOUT_MS,
          'no answer from the restored guest',
        ),
        signal,
        'restore',
      );
    } catch (err) {
      await machine.destroy();
      throw err;
    }
    machine.startMs = performance.now() - t0;
    machine.afterStart('snapshot', undefined, options);
    return machine;
  }

  private static async coldBoot(
    env: MachineEnvironment,
    manifest: GuestManifest,
    options: StartOptions,
    notice?: string,
  ): Promise<V86Machine> {
    const { signal, onProgress = () => {} } = options;
    const files: Record<string, Uint8Array> = {};
    for (const name of ['bios.bin', 'bzImage', 'initrd.img']) {
      files[name] = await env.fetchAsset(name, (loaded, total) => onProgress({ phase: 'download', detail: name, loaded, total }), signal);
      const want = manifest.files[name]?.sha256;
      const got = await sha256Hex(files[name]!);
      if (want && got !== want)
        throw new Error(`guest file ${name} is corrupt (sha256 ${got.slice(0, 12)}…, expected ${want.slice(0, 12)}…)`);
    }
    onProgress({ phase: 'boot', detail: 'booting Linux' });
    const buf = (b: Uint8Array) => ({ buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer });
    const t0 = performance.now();
    const emulator = new V86({
      ...env.wasm,
      ...deviceOptions(manifest),
      bios: buf(files['bios.bin']!),
      bzimage: buf(files['bzImage']!),
      initrd: buf(files['initrd.img']!),
      cmdline: manifest.cmdline,
    } as V86Options);
    useSameThreadYield(emulator);
    const machine = V86Machine.attach(emulator, manifest);
    try {
      await abortable(
        timeout(
          machine.agent.waitReady(),
          READY_TIMEOUT_MS,
          `the guest did not start its agent within ${READY_TIMEOUT_MS / 1000} s; console: ${machine.consoleTail()}`,
        ),
        signal,
        'boot',
      );
    } catch (err) {
      await machine.destroy();
      throw err;
    }
    machine.startMs = performance.now() - t0;
    machine.afterStart('cold', notice, options);
    return machine;
  }

  private static attach(emulator: V86, manifest: GuestManifest): V86Machine {
    const agent = new AgentClient({
      send: (bytes) => emulator.serial_send_bytes(1, bytes),
    });
    const machine = new V86Machine(emulator, agent, manifest);
    emulator.add_listener('virtio-console0-output-bytes', (bytes: Uint8Array) => {
      machine.lastPong = Date.now();
      agent.receive(bytes);
    });
    emulator.add_listener('serial0-output-byte', (byte: number) => machine.onConsoleByte(byte));
    return machine;
  }

  private afterStart(from: 'snapshot' | 'cold', notice: string | undefined, options: StartOptions): void {
    this.agent.setTime(Date.now());
    this.agent.addEntropy(crypto.getRandomValues(new Uint8Array(64)));
    this.bootedFrom = from;
    this.notice = notice;
    this.setRunning();
    options.onProgress?.({ phase: 'ready', detail: from === 'snapshot' ? 'restored' : 'booted' });
    const interval = options.healthInterval ?? 1500;
    const limit = options.healthTimeout ?? 4000;
    this.lastPong = Date.now();
    if (interval > 0) {
      this.healthTimer = setInterval(() => this.checkHealth(limit), interval);
      // never keep a Node process alive just for the health check
      (this.healthTimer as { unref?: () => void }).unref?.();
    }
  }

  private checkHealth(limit: number): void {
    if (this.statusValue.state === 'stopped') return;
    const silent = Date.now() - this.lastPong;
    if (silent > limit && this.statusValue.state === 'running') {
      this.setStatus({ state: 'unresponsive', since: this.lastPong });
    }
    if (this.pingInFlight) return;
    this.pingInFlight = true;
    this.agent
      .ping(limit)
      .then(() => {
        this.lastPong = Date.now();
        if (this.statusValue.state === 'unresponsive') this.setRunning();
      })
      .catch(() => {
        if (this.statusValue.state === 'running') this.setStatus({ state: 'unresponsive', since: this.lastPong });
      })
      .finally(() => {
        this.pingInFlight = false;
      });
  }

  private onConsoleByte(byte: number): void {
    this.console.push(byte);
    if (this.console.length > 8192) this.console.splice(0, 4096);
    if (byte === 0x0a && this.consoleTail(200).includes('Kernel panic')) {
      const reason = `the guest kernel panicked: ${this.consoleTail(300).trim()}`;
      this.agent.fail(new GuestExitedError(reason));
      this.setStatus({ state: 'stopped', reason });
    }
  }

  /** The last bytes the kernel printed on its console (for diagnostics). */
  consoleTail(chars = 2000): string {
    return String.fromCharCode(...this.console.slice(-chars));
  }

  get status(): MachineStatus {
    return this.statusValue;
  }

  onStatus(listener: (s: MachineStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setRunning(): void {
    this.setStatus({ state: 'running', bootedFrom: this.bootedFrom, ...(this.notice ? { notice: this.notice } : {}) });
  }

  /** Pauses the emulated CPU (the guest stops answering until resume()). */
  async suspend(): Promise<void> {
    await this.emulator.stop();
  }

  /** Continues a suspended emulator. */
  async resume(): Promise<void> {
    await this.emulator.run();
  }

  private setStatus(s: MachineStatus): void {
    this.statusValue = s;
    for (const l of this.statusListeners) l(s);
  }

  async spawn(
    spec: SpawnSpec,
    options: { signal?: AbortSignal; manualCredit?: boolean } = {},
  ): Promise<GuestProcess & { release(bytes: number): void }> {
    if (this.statusValue.state === 'stopped')
      throw new GuestExitedError(`the machine is stopped${this.statusValue.reason ? `: ${this.statusValue.reason}` : ''}`);
    if (this.statusValue.state === 'unresponsive') throw new GuestUnresponsiveError('the guest is not answering; restart it');
    const pending = this.agent.spawn(spec, { manualCredit: options.manualCredit ?? false });
    let proc;
    try {
      proc = await abortable(pending, options.signal, 'spawn');
    } catch (err) {
      // cancelled while starting: the process may still arrive, and must not be left running
      if (err instanceof CancelledError)
        pending.then(
          (p) => p.kill('SIGKILL'),
          () => {},
        );
      throw err;
    }
    const started = proc;
    options.signal?.addEventListener('abort', () => started.kill('SIGKILL'), { once: true });
    if (options.signal?.aborted) started.kill('SIGKILL');
    return proc;
  }

  ping(timeoutMs?: number): Promise<number> {
    return this.agent.ping(timeoutMs);
  }

  async writeFile(path: string, data: Uint8Array, mode?: number): Promise<void> {
    const clean = normalizeSharePath(path);
    this.mkdirs(clean.split('/').slice(0, -1));
    await this.emulator.create_file(clean, data);
    if (mode !== undefined) this.setMode(clean, mode);
  }

  /** Sets the permission bits of a share path (v86 creates files 0644-ish and folders 0755). */
  private setMode(clean: string, mode: number): void {
    const fs = this.fs9p();
    const inode = fs.inodes[fs.SearchPath(clean).id];
    if (inode) inode.mode = (inode.mode & ~0o7777) | (mode & 0o7777);
  }

  async readFile(path: string): Promise<Uint8Array> {
    return await this.emulator.read_file(normalizeSharePath(path));
  }

  async listShare(path: string): Promise<ShareEntry[]> {
    const fs = this.fs9p();
    const clean = normalizeSharePath(path);
    const top = fs.SearchPath(clean).id;
    const out: ShareEntry[] = [];
    if (top === -1 || !fs.inodes[top] || (fs.inodes[top].mode & S_IFMT) !== S_IFDIR) return out;
    const walk = async (id: number, prefix: string): Promise<void> => {
      for (const [name, child] of [...fs.inodes[id]!.direntries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (name === '.' || name === '..') continue;
        const inode = fs.inodes[child];
        if (!inode) continue;
        const rel = prefix ? `${prefix}/${name}` : name;
        const base = { path: rel, mode: inode.mode & 0o7777, mtime: inode.mtime };
        const kind = inode.mode & S_IFMT;
        if (kind === S_IFDIR) {
          out.push({ ...base, type: 'directory' });
          await walk(child, rel);
        } else if (kind === S_IFLNK) out.push({ ...base, type: 'symlink', target: inode.symlink });
        else if (kind === S_IFREG) {
          // a copy: v86 hands out a view of the file's buffer, which the guest's next write changes
          const data = (await this.emulator.read_file(`${clean}/${rel}`)) as Uint8Array | null;
          out.push({ ...base, type: 'file', data: data ? data.slice() : new Uint8Array() });
        }
      }
    };
    await walk(top, '');
    return out;
  }

  async mkdirShare(path: string, mode?: number): Promise<void> {
    const parts = normalizeSharePath(path).split('/');
    this.mkdirs(parts);
    if (mode !== undefined) this.setMode(parts.join('/'), mode);
  }

  async removeShare(path: string): Promise<void> {
    const fs = this.fs9p();
    const found = fs.SearchPath(normalizeSharePath(path));
    if (found.id === -1) return;
    // children first, then the entry itself (v86's DeleteNode leaves a directory's own entry)
    if ((fs.inodes[found.id]!.mode & S_IFMT) === S_IFDIR) fs.RecursiveDelete(normalizeSharePath(path));
    fs.Unlink(found.parentid, found.name);
  }

  /** Deletes a file or directory tree from the 9p share (through the guest: v86's own DeleteNode fails on directories). */
  async deleteFile(path: string): Promise<void> {
    const proc = await this.spawn({ argv: ['rm', '-rf', '--', `${SHARE_MOUNT}/${normalizeSharePath(path)}`], stdinNull: true });
    const status = await proc.exit;
    if (status.code !== 0) throw new Error(`removing ${path} from the share failed (exit ${status.code})`);
  }

  private fs9p(): Fs9p {
    const fs = (this.emulator as unknown as { fs9p?: Fs9p }).fs9p;
    if (!fs) throw new Error('the machine has no 9p filesystem');
    return fs;
  }

  private mkdirs(parts: string[]): void {
    const fs = this.fs9p();
    let parent = 0;
    let path = '';
    for (const part of parts) {
      path = path ? `${path}/${part}` : part;
      const found = fs.SearchPath(path);
      parent = found.id === -1 ? fs.CreateDirectory(part, parent) : found.id;
    }
  }

  /** Saves the whole machine state (for building the snapshot). */
  saveState(): Promise<ArrayBuffer> {
    return this.emulator.save_state();
  }

  async stop(): Promise<void> {
    if (this.statusValue.state === 'stopped') return;
    await this.destroy();
    this.setStatus({ state: 'stopped', reason: 'stopped' });
  }

  private async destroy(): Promise<void> {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.agent.fail(new GuestExitedError('the machine was stopped'));
    try {
      await this.emulator.destroy();
    } catch {
      /* already gone */
    }
  }
}

/** The parts of v86's 9p filesystem (its `FS`) this file uses. */
interface Fs9p {
  inodes: Array<{ mode: number; mtime: number; symlink: string; direntries: Map<string, number> } | undefined>;
  SearchPath(path: string): { id: number; parentid: number; name: string };
  CreateDirectory(name: string, parentid: number): number;
  RecursiveDelete(path: string): void;
  Unlink(parentid: number, name: string): number;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

function normalizeSharePath(path: string): string {
  const parts = path.split('/').filter((p) => p && p !== '.');
  if (parts.some((p) => p === '..')) throw new Error(`share path may not contain '..': ${path}`);
  if (parts.length === 0) throw new Error('empty share path');
  return parts.join('/');
}
