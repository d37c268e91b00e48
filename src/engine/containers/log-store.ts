/** Where a stopped container's logs are kept (the metadata store, as base64 lines) and how `docker logs` reads them. */
import type { LogEntry } from '../api.ts';
import type { MetadataStore } from '../store/types.ts';
import { logWindow } from './log-lines.ts';
import { LOGS } from './types.ts';

/** Docker's json-file driver keeps everything; LayerLab keeps a container's last 5000 log lines. */
export const MAX_LOG_ENTRIES = 5000;

interface StoredLog {
  s: 'o' | 'e';
  t: string;
  d: string;
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Stores a container's log lines (after it stopped). */
export async function saveLogs(meta: MetadataStore, id: string, logs: LogEntry[]): Promise<void> {
  await meta.put(
    LOGS,
    id,
    logs.map((e): StoredLog => ({ s: e.stream === 'stdout' ? 'o' : 'e', t: e.time, d: toBase64(e.data) })),
  );
}

/** A container's stored log lines, oldest first (none when it never stopped). */
export async function loadLogs(meta: MetadataStore, id: string): Promise<LogEntry[]> {
  const stored = (await meta.get<StoredLog[]>(LOGS, id)) ?? [];
  return stored.map((e) => ({ stream: e.s === 'o' ? 'stdout' : 'stderr', time: e.t, data: fromBase64(e.d) }));
}

/** A running container's log feed: new lines go to each listener; an entry with time '' says it stopped. */
export interface LogFeed {
  listeners: Set<(e: LogEntry) => void>;
}

/** What `docker logs` asks for: the last `tail` lines (all when < 0 or absent), from `since`, up to `until`, then with `follow` new ones. */
export interface LogsOptions {
  follow?: boolean;
  tail?: number;
  since?: string;
  until?: string;
  signal?: AbortSignal;
  onEntry: (e: LogEntry) => void;
}

/** Hands `entries` (and, with `follow`, what `live` adds until it stops or the signal aborts) to `onEntry`. */
export async function readLogs(entries: LogEntry[], live: LogFeed | undefined, options: LogsOptions): Promise<void> {
  const tail = options.tail ?? -1;
  const forward = logWindow(options.since, options.until);
  for (const e of tail < 0 ? entries : tail === 0 ? [] : entries.slice(-tail)) if (!forward(e, options.onEntry)) return;
  if (!options.follow || !live || options.signal?.aborted) return;
  await new Promise<void>((resolve) => {
    const listener = (e: LogEntry) => {
      if (e.time === '') return done();
      if (!forward(e, options.onEntry)) done();
    };
    const done = () => {
      live.listeners.delete(listener);
      resolve();
    };
    live.listeners.add(listener);
    options.signal?.addEventListener('abort', done, { once: true });
  });
}

/** Docker's json-file options (`--log-opt max-size=10m --log-opt max-file=3`); absent: everything is kept. */
export interface LogRotation {
  /** Bytes of JSON lines a file may reach before it is rotated. */
  maxSize: number;
  /** How many files are kept (the current one included). */
  maxFile: number;
}

/**
 * The json-file driver's rotation over a container's log lines: each line counts the bytes of its
 * JSON record (`{"log":…,"stream":…,"time":…}\n`); a file that reaches `maxSize` is rotated, and
 * lines older than the last `maxFile` files are dropped from the front of `logs`.
 */
export class LogFiles {
  private readonly files: { entries: number; bytes: number }[];

  constructor(
    private readonly rotation: LogRotation,
    existing: LogEntry[],
  ) {
    this.files = [{ entries: existing.length, bytes: existing.reduce((n, e) => n + recordBytes(e), 0) }];
  }

  /** Counts `e` (just pushed onto `logs`) and drops what rotation lets go. */
  added(e: LogEntry, logs: LogEntry[]): void {
    const current = this.files[this.files.length - 1]!;
    current.entries++;
    current.bytes += recordBytes(e);
    if (current.bytes >= this.rotation.maxSize) this.files.push({ entries: 0, bytes: 0 });
    while (this.files.length > this.rotation.maxFile) logs.splice(0, this.files.shift()!.entries);
  }
}

const decoder = new TextDecoder();

/** The bytes of one line's json-file record. */
function recordBytes(e: LogEntry): number {
  return new TextEncoder().encode(JSON.stringify({ log: decoder.decode(e.data), stream: e.stream, time: e.time })).length + 1;
}
