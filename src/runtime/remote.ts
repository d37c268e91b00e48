/**
 * The page's handle on a machine running in a module Web Worker: the same GuestMachine
 * interface as V86Machine, over worker-protocol.ts. The page never touches v86.
 */
import {
  CancelledError,
  GuestExitedError,
  GuestUnresponsiveError,
  ProcessStartError,
  signalNumber,
  type ExitStatus,
  type GuestMachine,
  type GuestProcess,
  type MachineProgress,
  type MachineStatus,
  type OutputListener,
  type SignalName,
  type SpawnSpec,
} from './types.ts';
import type { FromWorker, ToWorker, WireError } from './worker-protocol.ts';

const ERRORS: Record<string, new (m: string) => Error> = {
  GuestExitedError,
  GuestUnresponsiveError,
  ProcessStartError,
  CancelledError,
};

function fromWire(e: WireError): Error {
  const Kind = ERRORS[e.name];
  return Kind ? new Kind(e.message) : Object.assign(new Error(e.message), { name: e.name });
}

const encoder = new TextEncoder();

class RemoteProcess implements GuestProcess {
  pid = 0;
  readonly exit: Promise<ExitStatus>;
  resolveExit!: (s: ExitStatus) => void;
  rejectExit!: (e: Error) => void;
  private listeners = { stdout: new Set<OutputListener>(), stderr: new Set<OutputListener>() };
  private held: { stream: 'stdout' | 'stderr'; data: Uint8Array }[] = [];
  private paused = false;

  constructor(
    private readonly id: number,
    private readonly send: (m: ToWorker, transfer?: Transferable[]) => void,
  ) {
    this.exit = new Promise((res, rej) => {
      this.resolveExit = res;
      this.rejectExit = rej;
    });
    this.exit.catch(() => {});
  }

  onStdout(l: OutputListener): () => void {
    this.listeners.stdout.add(l);
    this.flush();
    return () => this.listeners.stdout.delete(l);
  }

  onStderr(l: OutputListener): () => void {
    this.listeners.stderr.add(l);
    this.flush();
    return () => this.listeners.stderr.delete(l);
  }

  write(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data.slice();
    this.send({ t: 'stdin', id: this.id, data: bytes }, [bytes.buffer]);
  }

  closeStdin(): void {
    this.send({ t: 'stdinEof', id: this.id });
  }

  resize(rows: number, cols: number): void {
    this.send({ t: 'resize', id: this.id, rows, cols });
  }

  kill(signal: SignalName | number = 'SIGKILL'): void {
    this.send({ t: 'signal', id: this.id, signal: signalNumber(signal) });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.flush();
  }

  deliver(stream: 'stdout' | 'stderr', data: Uint8Array): void {
    this.held.push({ stream, data });
    this.flush();
  }

  /** Delivers what is held and tells the worker how much was consumed (output credit). */
  flush(force = false): void {
    if (this.paused && !force) return;
    let consumed = 0;
    while (this.held.length) {
      const { stream, data } = this.held[0]!;
      // keep output until someone listens, even after the exit
      if (this.listeners[stream].size === 0) break;
      this.held.shift();
      for (const l of this.listeners[stream]) l(data);
      consumed += data.length;
    }
    if (consumed) this.send({ t: 'consumed', id: this.id, bytes: consumed });
  }
}

/** How to start a machine in a worker. */
export interface RemoteStartOptions {
  boot?: 'auto' | 'cold' | 'snapshot';
  /** URL of the folder holding manifest.json and the guest files (default: `<base>vm/`). */
  vmBase?: string;
  onProgress?: (p: MachineProgress) => void;
  signal?: AbortSignal;
}

/** A guest machine living in a module Web Worker. */
export class RemoteMachine implements GuestMachine {
  private statusValue: MachineStatus = { state: 'starting' };
  private readonly statusListeners = new Set<(s: MachineStatus) => void>();
  private readonly procs = new Map<number, RemoteProcess>();
  private readonly pendingSpawns = new Map<number, { resolve: (p: RemoteProcess) => void; reject: (e: Error) => void }>();
  private readonly replies = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  private constructor(private readonly worker: Worker) {}

  /** Starts a worker and the guest in it; resolves when the guest answers. */
  static start(options: RemoteStartOptions = {}): Promise<RemoteMachine> {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'layerlab-machine' });
    const machine = new RemoteMachine(worker);
    const vmBase = options.vmBase ?? new URL(`${import.meta.env.BASE_URL}vm/`, location.href).href;
    return new Promise<RemoteMachine>((resolve, reject) => {
      const onAbort = () => {
        worker.terminate();
        machine.setStatus({ state: 'stopped', reason: 'cancelled' });
        reject(new CancelledError('starting the machine was cancelled'));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      worker.onerror = (e) => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(new Error(`the machine's worker failed: ${e.message}`));
      };
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.t === 'progress') options.onProgress?.(m.progress);
        else if (m.t === 'startFailed') {
          options.signal?.removeEventListener('abort', onAbort);
          worker.terminate();
          reject(fromWire(m.error));
        } else if (m.t === 'status' && machine.statusValue.state === 'starting' && m.status.state === 'running') {
          options.signal?.removeEventListener('abort', onAbort);
          machine.setStatus(m.status);
          worker.onmessage = (ev: MessageEvent<FromWorker>) => machine.onMessage(ev.data);
          resolve(machine);
        }
      };
      worker.postMessage({ t: 'start', boot: options.boot ?? 'auto', vmBase } satisfies ToWorker);
    });
  }

  private send = (m: ToWorker, transfer: Transferable[] = []) => this.worker.postMessage(m, transfer);

  private onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'status':
        this.setStatus(m.status);
        break;
      case 'started': {
        const p = this.procs.get(m.id)!;
        p.pid = m.pid;
        this.pendingSpawns.get(m.id)?.resolve(p);
        this.pendingSpawns.delete(m.id);
        break;
      }
      case 'spawnFailed':
        this.procs.delete(m.id);
        this.pendingSpawns.get(m.id)?.reject(fromWire(m.error));
        this.pendingSpawns.delete(m.id);
        break;
      case 'out':
        this.procs.get(m.id)?.deliver(m.stream, m.data);
        break;
      case 'exit': {
        const p = this.procs.get(m.id);
        this.procs.delete(m.id);
        p?.flush(true);
        p?.resolveExit(m.status);
        break;
      }
      case 'lost': {
        const p = this.procs.get(m.id);
        this.procs.delete(m.id);
        p?.rejectExit(fromWire(m.error));
        break;
      }
      case 'reply': {
        const r = this.replies.get(m.req);
        this.replies.delete(m.req);
        if (m.ok) r?.resolve(m.value);
        else r?.reject(fromWire(m.error));
        break;
      }
    }
  }

  private request<T>(build: (req: number) => ToWorker, transfer: Transferable[] = []): Promise<T> {
    if (this.statusValue.state === 'stopped') return Promise.reject(new GuestExitedError('the machine is stopped'));
    const req = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.replies.set(req, { resolve: resolve as (v: unknown) => void, reject });
      this.send(build(req), transfer);
    });
  }

  get status(): MachineStatus {
    return this.statusValue;
  }

  onStatus(listener: (s: MachineStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setStatus(s: MachineStatus): void {
    this.statusValue = s;
    for (const l of this.statusListeners) l(s);
  }

  spawn(spec: SpawnSpec, options: { signal?: AbortSignal } = {}): Promise<GuestProcess> {
    if (this.statusValue.state === 'stopped') return Promise.reject(new GuestExitedError('the machine is stopped'));
    if (options.signal?.aborted) return Promise.reject(new CancelledError('spawn cancelled'));
    const id = this.nextId++;
    const proc = new RemoteProcess(id, this.send);
    this.procs.set(id, proc);
    options.signal?.addEventListener('abort', () => proc.kill('SIGKILL'), { once: true });
    return new Promise((resolve, reject) => {
      this.pendingSpawns.set(id, { resolve, reject });
      this.send({ t: 'spawn', id, spec });
    });
  }

  writeFile(path: string, data: Uint8Array): Promise<void> {
    const copy = data.slice();
    return this.request((req) => ({ t: 'writeFile', req, path, data: copy }), [copy.buffer]);
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.request((req) => ({ t: 'readFile', req, path }));
  }

  ping(timeoutMs?: number): Promise<number> {
    return this.request((req) => ({ t: 'ping', req, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }));
  }

  async stop(): Promise<void> {
    if (this.statusValue.state === 'stopped') return;
    this.worker.terminate();
    const err = new GuestExitedError('the machine was stopped');
    for (const p of this.procs.values()) p.rejectExit(err);
    for (const s of this.pendingSpawns.values()) s.reject(err);
    for (const r of this.replies.values()) r.reject(err);
    this.procs.clear();
    this.pendingSpawns.clear();
    this.replies.clear();
    this.setStatus({ state: 'stopped', reason: 'stopped' });
  }
}
