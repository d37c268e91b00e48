/**
 * Host side of the guest agent protocol: sessions, output credit, stdin window, ping.
 * Knows nothing of v86; a transport moves the bytes (the emulator, or a fake in tests).
 */
import {
  FrameDecoder,
  GuestMessage,
  HostMessage,
  INITIAL_CREDIT,
  STDIN_WINDOW,
  decodeExit,
  encodeFrame,
  encodeSpawnSpec,
  readU32,
  u32,
  type ExitStatus,
  type SpawnSpec,
} from './protocol.ts';
import type { GuestProcess, OutputListener } from './types.ts';
import { GuestExitedError, ProcessStartError, signalNumber, type SignalName } from './types.ts';

/** Moves bytes between host and agent. */
export interface AgentTransport {
  /** Sends bytes to the agent (host → guest stream). */
  send(bytes: Uint8Array): void;
}

const CREDIT_BATCH = 32 * 1024;
const STDIN_CHUNK = 16 * 1024;
const encoder = new TextEncoder();

/** One session as the host sees it. */
class Session implements GuestProcess {
  pid = 0;
  readonly exit: Promise<ExitStatus>;
  readonly started: Promise<number>;
  private resolveExit!: (s: ExitStatus) => void;
  private rejectExit!: (e: Error) => void;
  private resolveStarted!: (pid: number) => void;
  private rejectStarted!: (e: Error) => void;
  private listeners: { stdout: Set<OutputListener>; stderr: Set<OutputListener> } = { stdout: new Set(), stderr: new Set() };
  private held: { stream: 'stdout' | 'stderr'; data: Uint8Array }[] = [];
  private paused = false;
  private owed = 0;
  private stdinQueue: Uint8Array[] = [];
  private stdinInFlight = 0;
  private stdinEof = false;
  private eofSent = false;
  done = false;

  constructor(
    readonly id: number,
    private readonly client: AgentClient,
    /** When false, output credit is returned only through release() (used across a worker boundary). */
    private readonly autoCredit: boolean,
  ) {
    this.exit = new Promise((res, rej) => {
      this.resolveExit = res;
      this.rejectExit = rej;
    });
    this.started = new Promise((res, rej) => {
      this.resolveStarted = res;
      this.rejectStarted = rej;
    });
    // the exit promise is often awaited later than a failure can happen
    this.exit.catch(() => {});
    this.started.catch(() => {});
  }

  onStdout(listener: OutputListener): () => void {
    return this.listen('stdout', listener);
  }

  onStderr(listener: OutputListener): () => void {
    return this.listen('stderr', listener);
  }

  private listen(stream: 'stdout' | 'stderr', listener: OutputListener): () => void {
    this.listeners[stream].add(listener);
    this.flushHeld();
    return () => this.listeners[stream].delete(listener);
  }

  write(data: Uint8Array | string): void {
    if (this.done || this.stdinEof) return;
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    for (let off = 0; off < bytes.length; off += STDIN_CHUNK) this.stdinQueue.push(bytes.subarray(off, off + STDIN_CHUNK));
    this.pumpStdin();
  }

  closeStdin(): void {
    this.stdinEof = true;
    this.pumpStdin();
  }

  resize(rows: number, cols: number): void {
    if (this.done) return;
    const b = new Uint8Array(4);
    const v = new DataView(b.buffer);
    v.setUint16(0, rows, true);
    v.setUint16(2, cols, true);
    this.client.sendFrame(HostMessage.Resize, this.id, b);
  }

  kill(signal: SignalName | number = 'SIGKILL'): void {
    if (this.done) return;
    this.client.sendFrame(HostMessage.Signal, this.id, u32(typeof signal === 'number' ? signal : signalNumber(signal)));
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.flushHeld();
  }

  /** Returns output credit by hand (manual-credit sessions). */
  release(bytes: number): void {
    this.owed += bytes;
    this.settleCredit(false);
  }

  // ---- called by the client ----

  onStarted(pid: number): void {
    this.pid = pid;
    this.resolveStarted(pid);
  }

  onOutput(stream: 'stdout' | 'stderr', data: Uint8Array): void {
    this.held.push({ stream, data });
    this.flushHeld();
  }

  onStdinAck(bytes: number): void {
    this.stdinInFlight = Math.max(0, this.stdinInFlight - bytes);
    this.pumpStdin();
  }

  onExit(status: ExitStatus): void {
    this.done = true;
    this.flushHeld(true);
    this.resolveExit(status);
  }

  onFailed(message: string): void {
    this.done = true;
    const err = new ProcessStartError(message);
    this.rejectStarted(err);
    this.rejectExit(err);
  }

  onLost(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.rejectStarted(err);
    this.rejectExit(err);
  }

  private flushHeld(force = false): void {
    if (this.paused && !force) return;
    while (this.held.length) {
      const { stream, data } = this.held[0]!;
      const ls = this.listeners[stream];
      // keep output until someone listens, even after the exit (a listener often attaches later)
      if (ls.size === 0) return;
      this.held.shift();
      for (const l of ls) l(data);
      if (this.autoCredit) this.owed += data.length;
    }
    this.settleCredit(false);
  }

  private settleCredit(force: boolean): void {
    if (this.done || this.owed === 0) return;
    if (force || this.owed >= CREDIT_BATCH || this.owed >= INITIAL_CREDIT / 4) {
      this.client.sendFrame(HostMessage.Credit, this.id, u32(this.owed));
      this.owed = 0;
    }
  }

  private pumpStdin(): void {
    if (this.done) return;
    while (this.stdinQueue.length && this.stdinInFlight + this.stdinQueue[0]!.length <= STDIN_WINDOW) {
      const chunk = this.stdinQueue.shift()!;
      this.stdinInFlight += chunk.length;
      this.client.sendFrame(HostMessage.Stdin, this.id, chunk);
    }
    if (this.stdinEof && !this.eofSent && this.stdinQueue.length === 0) {
      this.eofSent = true;
      this.client.sendFrame(HostMessage.StdinEof, this.id);
    }
  }
}

/** Options for one spawn. */
export interface SpawnOptions {
  /** Return output credit only through `release()` (default: when listeners have the data). */
  manualCredit?: boolean;
}

/**
 * Talks to the agent: starts sessions, routes their frames, answers for their flow control.
 * Call `receive()` with every chunk the guest sends.
 */
export class AgentClient {
  private readonly decoder = new FrameDecoder();
  private readonly sessions = new Map<number, Session>();
  private nextSession = 1;
  private nextPing = 1;
  private readonly pings = new Map<number, (t: number) => void>();
  private readyWaiters: ((version: string) => void)[] = [];
  /** The agent's version string, once READY was seen. */
  version: string | undefined;
  /** Called for machine-wide problems the agent reports (session 0 FAILED). */
  onAgentError: (message: string) => void = () => {};
  private lost: Error | undefined;

  constructor(private readonly transport: AgentTransport) {}

  /** Feeds bytes that arrived from the guest. */
  receive(chunk: Uint8Array): void {
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.onAgentError(String((err as Error).message));
      return;
    }
    for (const f of frames) this.dispatch(f.type, f.session, f.payload);
  }

  /** Sends one frame to the agent. */
  sendFrame(type: number, session: number, payload?: Uint8Array): void {
    if (this.lost) return;
    this.transport.send(encodeFrame(type, session, payload));
  }

  /** Resolves when the agent announces itself (cold boot). */
  waitReady(): Promise<string> {
    if (this.version) return Promise.resolve(this.version);
    return new Promise((res) => this.readyWaiters.push(res));
  }

  /** Round trip to the agent; resolves with milliseconds, rejects after `timeoutMs`. */
  ping(timeoutMs = 3000): Promise<number> {
    if (this.lost) return Promise.reject(this.lost);
    const id = this.nextPing++;
    const t0 = performance.now();
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        this.pings.delete(id);
        rej(new Error(`guest agent did not answer a ping within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pings.set(id, (t) => {
        clearTimeout(timer);
        res(t - t0);
      });
      this.sendFrame(HostMessage.Ping, 0, u32(id));
    });
  }

  /** Sets the guest clock. */
  setTime(msSinceEpoch: number): void {
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setUint32(0, msSinceEpoch % 2 ** 32, true);
    v.setUint32(4, Math.floor(msSinceEpoch / 2 ** 32), true);
    this.sendFrame(HostMessage.SetTime, 0, b);
  }

  /** Mixes host randomness into the guest's pool (a restored snapshot would otherwise repeat it). */
  addEntropy(bytes: Uint8Array): void {
    this.sendFrame(HostMessage.Entropy, 0, bytes);
  }

  /** Starts a process; resolves once the guest reports its pid. */
  async spawn(spec: SpawnSpec, options: SpawnOptions = {}): Promise<GuestProcess & { release(bytes: number): void }> {
    if (this.lost) throw this.lost;
    const payload = encodeSpawnSpec(spec);
    const id = this.nextSession++;
    if (this.nextSession > 0x7fffffff) this.nextSession = 1;
    const s = new Session(id, this, !options.manualCredit);
    this.sessions.set(id, s);
    this.sendFrame(HostMessage.Spawn, id, payload);
    await s.started;
    return s;
  }

  /** Number of sessions that have not ended. */
  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Fails every session: the guest is gone (stopped, restarted or wedged). */
  fail(err: Error): void {
    this.lost = err;
    for (const s of this.sessions.values()) s.onLost(err);
    this.sessions.clear();
  }

  private dispatch(type: number, sid: number, payload: Uint8Array): void {
    if (type === GuestMessage.Pong) {
      const id = payload.length >= 4 ? readU32(payload) : 0;
      this.pings.get(id)?.(performance.now());
      this.pings.delete(id);
      return;
    }
    if (type === GuestMessage.Ready) {
      this.version = new TextDecoder().decode(payload);
      for (const w of this.readyWaiters.splice(0)) w(this.version);
      return;
    }
    const s = this.sessions.get(sid);
    if (!s) {
      if (type === GuestMessage.Failed && sid === 0) this.onAgentError(new TextDecoder().decode(payload));
      return;
    }
    switch (type) {
      case GuestMessage.Started:
        s.onStarted(readU32(payload));
        break;
      case GuestMessage.Stdout:
        s.onOutput('stdout', payload);
        break;
      case GuestMessage.Stderr:
        s.onOutput('stderr', payload);
        break;
      case GuestMessage.StdinAck:
        s.onStdinAck(readU32(payload));
        break;
      case GuestMessage.Exit:
        this.sessions.delete(sid);
        s.onExit(decodeExit(payload));
        break;
      case GuestMessage.Failed:
        this.sessions.delete(sid);
        s.onFailed(new TextDecoder().decode(payload));
        break;
    }
  }
}

export { GuestExitedError };
