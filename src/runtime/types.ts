/**
 * The runtime's public vocabulary: a guest machine, its processes, progress and errors.
 * Implemented by V86Machine (v86-machine.ts), in Node or inside the engine worker.
 */
import type { ExitStatus, SpawnSpec } from './protocol.ts';

export type { ExitStatus, SpawnSpec, Namespace } from './protocol.ts';

/** Receives a chunk of a process's output. */
export type OutputListener = (data: Uint8Array) => void;

/** A process running in the guest (one agent session). */
export interface GuestProcess {
  /** pid in the guest's initial pid namespace. */
  readonly pid: number;
  /** Resolves when the process has exited and its output is drained. */
  readonly exit: Promise<ExitStatus>;
  /** Subscribes to stdout (or the pty); output waits until a listener is attached. */
  onStdout(listener: OutputListener): () => void;
  onStderr(listener: OutputListener): () => void;
  /** Queues bytes for stdin (flow-controlled). */
  write(data: Uint8Array | string): void;
  closeStdin(): void;
  /** Sets the pty window size. */
  resize(rows: number, cols: number): void;
  /** Sends a signal to the process group (default SIGKILL). */
  kill(signal?: SignalName | number): void;
  /** Stops taking output: the guest process blocks once its credit is used. */
  pause(): void;
  resume(): void;
}

/** What the machine is doing, for a progress bar. */
export interface MachineProgress {
  phase: 'download' | 'restore' | 'boot' | 'ready';
  /** What is being fetched or done, for a label. */
  detail: string;
  loaded?: number;
  total?: number;
}

/** A file, directory or symlink in the 9p share, as `GuestMachine.listShare` finds it. */
export interface ShareEntry {
  /** Relative to the listed directory, `/`-separated. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits (`0o7777`). */
  mode: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** A file's bytes. */
  data?: Uint8Array;
  /** A symlink's target. */
  target?: string;
}

/** Health and lifecycle of the machine. */
export type MachineStatus =
  | { state: 'starting' }
  | { state: 'running'; bootedFrom: 'snapshot' | 'cold'; notice?: string }
  | { state: 'unresponsive'; since: number }
  | { state: 'stopped'; reason?: string };

/** A running guest Linux. */
export interface GuestMachine {
  /** Starts a process in the guest. */
  spawn(spec: SpawnSpec, options?: { signal?: AbortSignal }): Promise<GuestProcess>;
  /** Writes a file into the shared 9p directory (guest path `/mnt/host/<path>`; parents made), with `mode`'s permission bits when given. */
  writeFile(path: string, data: Uint8Array, mode?: number): Promise<void>;
  /** Reads a file from the shared 9p directory. */
  readFile(path: string): Promise<Uint8Array>;
  /** Everything under a directory of the share, parents first (empty when it is missing); read on this side, no guest process. */
  listShare(path: string): Promise<ShareEntry[]>;
  /** Makes a directory of the share (and its parents). */
  mkdirShare(path: string, mode?: number): Promise<void>;
  /** Removes a file or a directory tree from the share (nothing when it is missing). */
  removeShare(path: string): Promise<void>;
  /** Round trip to the agent in milliseconds. */
  ping(timeoutMs?: number): Promise<number>;
  /** Current status. */
  readonly status: MachineStatus;
  /** Subscribes to status changes. */
  onStatus(listener: (s: MachineStatus) => void): () => void;
  /** Stops the emulator; every process fails with GuestExitedError. */
  stop(): Promise<void>;
}

/** Where the 9p share is mounted in the guest. */
export const SHARE_MOUNT = '/mnt/host';

/** The guest is gone: stopped, restarted or unresponsive. */
export class GuestExitedError extends Error {
  override name = 'GuestExitedError';
}

/** The agent could not start a process (bad spec, resources). */
export class ProcessStartError extends Error {
  override name = 'ProcessStartError';
}

/** The guest stopped answering pings. */
export class GuestUnresponsiveError extends Error {
  override name = 'GuestUnresponsiveError';
}

/** A start, spawn or transfer was cancelled through its AbortSignal. */
export class CancelledError extends Error {
  override name = 'CancelledError';
}

/** Signals by name, with Linux i386 numbers. */
export const SIGNALS = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGWINCH: 28,
} as const;

/** A signal name such as `SIGTERM`. */
export type SignalName = keyof typeof SIGNALS;

/** Number of a signal given as `SIGTERM`, `TERM` or `15`. */
export function signalNumber(signal: string | number): number {
  if (typeof signal === 'number') return signal;
  if (/^\d+$/.test(signal)) return Number(signal);
  const name = (signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`) as SignalName;
  const n = SIGNALS[name];
  if (n === undefined) throw new TypeError(`invalid signal: ${signal}`);
  return n;
}

/** Collects a process's whole output (for short commands). */
export async function collect(proc: GuestProcess): Promise<{ stdout: Uint8Array; stderr: Uint8Array; status: ExitStatus }> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  proc.onStdout((d) => out.push(d));
  proc.onStderr((d) => err.push(d));
  const status = await proc.exit;
  return { stdout: concat(out), stderr: concat(err), status };
}

/** Concatenates byte chunks. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
