/**
 * Docker's log copier (moby `daemon/logger/copier.go`): a container's output becomes log entries
 * line by line, whatever the writes were. A line is stamped when its newline arrives; a line
 * longer than the 16 KiB buffer leaves in 16 KiB parts; what is left when the process ends
 * leaves as it is, without a newline. `docker logs --tail N` then counts lines, as Docker does.
 */
import type { LogEntry } from '../api.ts';

/** Docker's copier buffer: a line longer than this is logged in parts. */
export const LOG_LINE_BUFFER = 16 * 1024;

/** Cuts stdout and stderr into log lines. */
export class LogLines {
  private readonly pending: Record<LogEntry['stream'], { chunks: Uint8Array[]; length: number; time?: string }> = {
    stdout: { chunks: [], length: 0 },
    stderr: { chunks: [], length: 0 },
  };

  constructor(
    private readonly emit: (e: LogEntry) => void,
    /** RFC 3339 time with nanoseconds, now. */
    private readonly now: () => string,
  ) {}

  /** Output of one stream. */
  write(stream: LogEntry['stream'], data: Uint8Array): void {
    const p = this.pending[stream];
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== 0x0a) continue;
      this.take(stream, data.subarray(start, i + 1));
      this.out(stream, p.time ?? this.now());
      start = i + 1;
    }
    let rest = data.subarray(start);
    while (p.length + rest.length >= LOG_LINE_BUFFER) {
      // the buffer is full without a newline: a part of the line leaves, stamped like its first part
      const room = LOG_LINE_BUFFER - p.length;
      this.take(stream, rest.subarray(0, room));
      p.time ??= this.now();
      this.out(stream, p.time, true);
      rest = rest.subarray(room);
    }
    if (rest.length) this.take(stream, rest);
  }

  /** The process ended: each stream's unfinished line leaves without a newline. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.pending[stream];
      if (p.length) this.out(stream, p.time ?? this.now());
      p.time = undefined;
    }
  }

  private take(stream: LogEntry['stream'], bytes: Uint8Array): void {
    const p = this.pending[stream];
    if (!bytes.length) return;
    p.chunks.push(bytes.slice());
    p.length += bytes.length;
  }

  /** Emits what is pending; a part keeps the line's first time for the parts that follow. */
  private out(stream: LogEntry['stream'], time: string, part = false): void {
    const p = this.pending[stream];
    const data = new Uint8Array(p.length);
    let off = 0;
    for (const c of p.chunks) {
      data.set(c, off);
      off += c.length;
    }
    p.chunks = [];
    p.length = 0;
    if (!part) p.time = undefined;
    this.emit({ stream, time, data });
  }
}

/** Nanoseconds since the epoch of an RFC 3339 time or a Unix `seconds[.nanos]` timestamp. */
export function nanos(time: string): bigint {
  const unix = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(time);
  if (unix) return BigInt(unix[1]!) * 1_000_000_000n + BigInt((unix[2] ?? '').padEnd(9, '0') || '0');
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  const ms = Date.parse(m ? `${m[1]}${m[3]}` : time);
  return BigInt(Math.floor(ms / 1000)) * 1_000_000_000n + BigInt(((m?.[2] ?? '') + '000000000').slice(0, 9));
}

/**
 * Docker's log forwarder: lines before `since` are skipped until the first one at or after it
 * (times need not be monotonic); the first line after `until` ends the logs, following included.
 * Returns a function that passes a line on and says whether to go on.
 */
export function logWindow(since: string | undefined, until: string | undefined): (e: LogEntry, onEntry: (e: LogEntry) => void) => boolean {
  let from = since ? nanos(since) : undefined;
  const to = until ? nanos(until) : undefined;
  return (e, onEntry) => {
    const t = from !== undefined || to !== undefined ? nanos(e.time) : 0n;
    if (from !== undefined) {
      if (t < from) return true;
      from = undefined;
    }
    if (to !== undefined && t > to) return false;
    onEntry(e);
    return true;
  };
}
