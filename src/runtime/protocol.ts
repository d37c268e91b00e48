/**
 * The guest agent's wire protocol (see guest/agent/PROTOCOL.md): frames, message types and
 * the spawn spec encoding. Pure and binary-safe; shared by every transport.
 */

/** Message types sent by the host to the agent. */
export const HostMessage = {
  Spawn: 0x01,
  Stdin: 0x02,
  StdinEof: 0x03,
  Signal: 0x04,
  Resize: 0x05,
  Credit: 0x06,
  Ping: 0x07,
  SetTime: 0x08,
  Entropy: 0x09,
} as const;

/** Message types sent by the agent to the host. */
export const GuestMessage = {
  Ready: 0x81,
  Started: 0x82,
  Stdout: 0x83,
  Stderr: 0x84,
  Exit: 0x85,
  StdinAck: 0x86,
  Pong: 0x87,
  Failed: 0x88,
} as const;

/** Bytes in a frame header: u8 type, u32 session, u32 length. */
export const HEADER_SIZE = 9;
/** Largest payload either side accepts. */
export const MAX_PAYLOAD = 1 << 20;
/** Output credit the agent grants each session before the host sends CREDIT. */
export const INITIAL_CREDIT = 256 * 1024;
/** Unacknowledged stdin bytes the host may have in flight per session. */
export const STDIN_WINDOW = 64 * 1024;

/** One decoded frame. */
export interface Frame {
  type: number;
  session: number;
  payload: Uint8Array;
}

/** Encodes one frame. */
export function encodeFrame(type: number, session: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`frame payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const out = new Uint8Array(HEADER_SIZE + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, type);
  view.setUint32(1, session >>> 0, true);
  view.setUint32(5, payload.length, true);
  out.set(payload, HEADER_SIZE);
  return out;
}

/** Thrown when the byte stream cannot be a valid frame sequence. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/**
 * Reassembles frames from arbitrary chunks of a byte stream (the virtio console delivers
 * chunks that need not align with frames).
 */
export class FrameDecoder {
  private buf = new Uint8Array(64 * 1024);
  private start = 0;
  private end = 0;

  /** Adds bytes and returns every frame now complete, in order. */
  push(chunk: Uint8Array): Frame[] {
    this.append(chunk);
    const frames: Frame[] = [];
    for (;;) {
      const avail = this.end - this.start;
      if (avail < HEADER_SIZE) break;
      const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.start, HEADER_SIZE);
      const len = view.getUint32(5, true);
      if (len > MAX_PAYLOAD) {
        this.start = this.end = 0;
        throw new ProtocolError(`frame claims ${len} bytes (limit ${MAX_PAYLOAD}); stream out of step`);
      }
      if (avail < HEADER_SIZE + len) break;
      const type = view.getUint8(0);
      const session = view.getUint32(1, true);
      const payload = this.buf.slice(this.start + HEADER_SIZE, this.start + HEADER_SIZE + len);
      this.start += HEADER_SIZE + len;
      frames.push({ type, session, payload });
    }
    if (this.start === this.end) this.start = this.end = 0;
    return frames;
  }

  /** Bytes held that do not yet form a whole frame. */
  get pending(): number {
    return this.end - this.start;
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length > this.buf.length || this.start === 0) {
        const grown = new Uint8Array(Math.max(this.buf.length * 2, live + chunk.length));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      } else {
        this.buf.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}

/** A namespace the agent can create for a process. */
export type Namespace = 'pid' | 'uts' | 'mnt' | 'ipc' | 'net';

/** Everything the agent needs to start one process (a session). */
export interface SpawnSpec {
  /** argv; argv[0] is looked up in PATH from `env` unless it contains a slash. */
  argv: string[];
  /** `NAME=value` strings; defaults to a standard PATH only. */
  env?: string[];
  /** Working directory, inside `root` when given; created if missing. */
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Supplementary group IDs (none when absent). */
  groups?: number[];
  /** chroot into this guest directory (after mounting the overlay there, if any). */
  root?: string;
  namespaces?: Namespace[];
  hostname?: string;
  /** Overlay mounted at `root`: lower dirs top-most first, with upper and work dirs. */
  overlay?: { lower: string[]; upper?: string; work?: string };
  /**
   * Guest files the agent writes (mode 0644, parents created) before the binds, replacing them,
   * or only when missing with `ifMissing`: a container's own /etc/hosts without one more guest
   * process per start. Paths may not contain ':' or start with '?'.
   */
  files?: { path: string; content: string; ifMissing?: boolean }[];
  /** Bind mounts into the root: guest source, path inside the root. */
  binds?: { source: string; target: string; readonly?: boolean }[];
  /** tmpfs mounts inside the root, after the binds: the path, and Docker's options (`size=64m,mode=1777,noexec`). */
  tmpfs?: { target: string; options?: string }[];
  /** Mount /proc and a minimal /dev inside the root (with an overlay root also /sys, and the cgroup at /sys/fs/cgroup). */
  proc?: boolean;
  /** The size of the root's /dev/shm in bytes (default 64 MiB, as Docker's). */
  shmSize?: number;
  /** Resource limits set before exec (`nofile`, `nproc`, …; -1 for unlimited). */
  rlimits?: { name: string; soft: number; hard: number }[];
  readonlyRoot?: boolean;
  /** cgroup v2 under /sys/fs/cgroup: created when missing and removed when its creator ends. */
  cgroup?: { name: string; memoryMax?: number; pidsMax?: number };
  /** Enter the namespaces and root of this running guest pid (docker exec). */
  join?: number;
  /** Run on a pty of this size instead of pipes. */
  pty?: { rows: number; cols: number };
  /** Merge stderr into stdout. */
  mergeStderr?: boolean;
  /** Give the process /dev/null as stdin instead of a pipe. */
  stdinNull?: boolean;
  /**
   * The capability bounding set, a 64-bit mask in hex (as /proc/PID/status prints it, e.g.
   * `00000000a80425fb`): a root process has exactly these after exec, another user none.
   * Absent: the agent's own (all).
   */
  capabilities?: string;
  /** Set no_new_privs (setuid binaries and file capabilities no longer raise privileges). */
  noNewPrivileges?: boolean;
  /** Hide runc's masked paths (/proc/kcore, /proc/keys, …) and make its read-only ones read-only. */
  maskPaths?: boolean;
  /** Linux bridges made when missing, each with its gateway address (`172.17.0.1/16`). */
  bridges?: { name: string; gateway: string }[];
  /**
   * Network interfaces: a veth pair per entry, `hostInterface` a port of `bridge` in the machine's
   * namespace and `interface` (eth0, …) in the process's new network namespace (or the joined one),
   * with `address` (`172.17.0.2/16`) and `mac`; the default route goes through `gateway` when given.
   */
  networks?: { bridge: string; hostInterface: string; interface: string; address: string; mac: string; gateway?: string }[];
  /** The embedded DNS at 127.0.0.11 in the process's network namespace, answering the names of these bridges' networks. */
  dns?: string[];
  /** No process: a TCP connection to `ADDR:PORT` relayed as stdin/stdout (a published port; argv is ignored). */
  connect?: string;
}

const encoder = new TextEncoder();

function checkText(key: string, value: string): string {
  if (value.includes('\0')) throw new TypeError(`spawn spec ${key} contains a NUL byte`);
  return value;
}

/** Encodes a spawn spec as `key NUL value NUL` pairs. */
export function encodeSpawnSpec(spec: SpawnSpec): Uint8Array {
  if (spec.argv.length === 0 && !spec.connect) throw new TypeError('spawn spec needs at least one argument');
  const parts: string[] = [];
  const add = (k: string, v: string | number) => parts.push(k, checkText(k, String(v)));
  for (const a of spec.argv) add('arg', a);
  for (const e of spec.env ?? []) add('env', e);
  if (spec.cwd !== undefined) add('cwd', spec.cwd);
  if (spec.uid !== undefined) add('uid', spec.uid);
  if (spec.gid !== undefined) add('gid', spec.gid);
  if (spec.groups?.length) add('groups', spec.groups.join(','));
  if (spec.root !== undefined) add('root', spec.root);
  if (spec.namespaces?.length) add('ns', spec.namespaces.join(','));
  if (spec.hostname !== undefined) add('hostname', spec.hostname);
  if (spec.overlay) {
    for (const l of spec.overlay.lower) add('lower', l);
    if (spec.overlay.upper !== undefined) add('upper', spec.overlay.upper);
    if (spec.overlay.work !== undefined) add('work', spec.overlay.work);
  }
  for (const f of spec.files ?? []) {
    if (f.path.includes(':') || f.path.startsWith('?') || !f.path)
      throw new TypeError(`file paths may not be empty, contain ':' or start with '?' (${f.path})`);
    add('file', `${f.ifMissing ? '?' : ''}${f.path}:${f.content}`);
  }
  for (const b of spec.binds ?? []) {
    if (b.source.includes(':') || b.target.includes(':')) throw new TypeError(`bind paths may not contain ':' (${b.source})`);
    add('bind', `${b.source}:${b.target}${b.readonly ? ':ro' : ''}`);
  }
  for (const t of spec.tmpfs ?? []) {
    if (t.target.includes(':') || !t.target.startsWith('/'))
      throw new TypeError(`tmpfs targets are absolute and may not contain ':' (${t.target})`);
    add('tmpfs', t.options ? `${t.target}:${t.options}` : t.target);
  }
  if (spec.proc) add('proc', 1);
  if (spec.shmSize !== undefined) add('shm', Math.floor(spec.shmSize));
  for (const r of spec.rlimits ?? []) {
    if (!/^[a-z]+$/.test(r.name)) throw new TypeError(`rlimit names are lowercase words (${r.name})`);
    add('rlimit', `${r.name}:${Math.trunc(r.soft)}:${Math.trunc(r.hard)}`);
  }
  if (spec.readonlyRoot) add('readonly', 1);
  if (spec.cgroup) {
    add('cgroup', spec.cgroup.name);
    if (spec.cgroup.memoryMax !== undefined) add('memory.max', spec.cgroup.memoryMax);
    if (spec.cgroup.pidsMax !== undefined) add('pids.max', spec.cgroup.pidsMax);
  }
  if (spec.join !== undefined) add('join', spec.join);
  if (spec.pty) add('pty', `${spec.pty.rows}x${spec.pty.cols}`);
  if (spec.mergeStderr) add('stderr', 'stdout');
  if (spec.stdinNull) add('stdin', 'null');
  if (spec.capabilities !== undefined) {
    if (!/^[0-9a-f]{1,16}$/.test(spec.capabilities)) throw new TypeError(`capabilities must be a hex mask (${spec.capabilities})`);
    add('caps', spec.capabilities);
  }
  if (spec.noNewPrivileges) add('nonewprivs', 1);
  if (spec.maskPaths) add('mask', 1);
  for (const b of spec.bridges ?? []) add('bridge', [b.name, b.gateway].join(','));
  if (spec.dns?.length) add('dns', spec.dns.join(','));
  if (spec.connect !== undefined) add('connect', spec.connect);
  for (const n of spec.networks ?? []) add('net', [n.bridge, n.hostInterface, n.interface, n.address, n.mac, n.gateway ?? ''].join(','));
  const chunks = parts.map((p) => encoder.encode(p));
  const total = chunks.reduce((n, c) => n + c.length + 1, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length + 1;
  }
  return out;
}

/** Decodes a spawn spec back into key/value pairs (for tests and diagnostics). */
export function decodeSpawnPairs(payload: Uint8Array): [string, string][] {
  const text = new TextDecoder().decode(payload);
  const items = text.split('\0');
  items.pop();
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
  return pairs;
}

/** Little-endian u32 payload. */
export function u32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
}

/** Reads a little-endian u32 at `offset`. */
export function readU32(bytes: Uint8Array, offset = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/** The EXIT payload, decoded. */
export interface ExitStatus {
  /** Exit code as a shell reports it: 128 + signal when killed by a signal. */
  code: number;
  /** The signal that killed the process, or 0. */
  signal: number;
  /** The process was killed by the cgroup's OOM killer. */
  oomKilled: boolean;
}

/** Decodes an EXIT payload. */
export function decodeExit(payload: Uint8Array): ExitStatus {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { code: view.getInt32(0, true), signal: view.getUint32(4, true), oomKilled: payload[8] === 1 };
}
