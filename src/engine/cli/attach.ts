/**
 * Wiring between the terminal and engine processes: attaching stdout/stderr/stdin/resize/Ctrl-C
 * to a container or exec (with Docker's ctrl-p ctrl-q detach keys on a tty), reading one line
 * for `[y/N]` prompts, reading all of stdin (`docker cp -`), and printing pull progress.
 */
import type { AttachedProcess, PullEvent } from '../api.ts';
import { OperationCancelledError } from '../errors.ts';
import type { CliIO } from './io.ts';

/** How a process is attached. */
export interface AttachOptions {
  /** The process has a pty: stderr is merged into stdout and detach keys work. */
  tty: boolean;
  /** Forward the terminal's stdin (`-i`). */
  stdin: boolean;
  /** Forward Ctrl-C (io.signal) as SIGINT (`--sig-proxy`, default true). */
  sigProxy?: boolean;
}

/** How an attachment ended. */
export type AttachResult = { kind: 'exit'; code: number } | { kind: 'detached' };

const CTRL_P = 0x10;
const CTRL_Q = 0x11;

/** Streams a process to and from the terminal until it exits (or the user detaches with ctrl-p ctrl-q). */
export async function attachProcess(proc: AttachedProcess, io: CliIO, options: AttachOptions): Promise<AttachResult> {
  const cleanups: (() => void)[] = [];
  let detach: (() => void) | undefined;
  const detached = new Promise<AttachResult>((resolve) => {
    detach = () => resolve({ kind: 'detached' });
  });
  cleanups.push(proc.onStdout((d) => io.stdout(d)));
  cleanups.push(proc.onStderr((d) => (options.tty ? io.stdout(d) : io.stderr(d))));

  if (options.stdin && io.onStdin) {
    let pendingCtrlP = false;
    cleanups.push(
      io.onStdin((data) => {
        if (!options.tty) {
          proc.write(data);
          return;
        }
        // Docker's escape proxy: ctrl-p ctrl-q detaches, a lone ctrl-p is passed on.
        const out: number[] = [];
        for (const b of data) {
          if (pendingCtrlP) {
            pendingCtrlP = false;
            if (b === CTRL_Q) {
              if (out.length) proc.write(new Uint8Array(out));
              detach?.();
              return;
            }
            out.push(CTRL_P);
          }
          if (b === CTRL_P) pendingCtrlP = true;
          else out.push(b);
        }
        if (out.length) proc.write(new Uint8Array(out));
      }),
    );
    if (io.onStdinEnd) cleanups.push(io.onStdinEnd(() => proc.closeStdin()));
  } else if (options.stdin) {
    proc.closeStdin();
  }

  if (options.tty && io.onResize) cleanups.push(io.onResize((rows, cols) => proc.resize(rows, cols)));

  if ((options.sigProxy ?? true) && io.signal) {
    const onAbort = (): void => proc.kill('SIGINT');
    if (io.signal.aborted) onAbort();
    else {
      io.signal.addEventListener('abort', onAbort, { once: true });
      const signal = io.signal;
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  try {
    return await Promise.race([proc.exit.then((code): AttachResult => ({ kind: 'exit', code })), detached]);
  } finally {
    for (const c of cleanups) c();
  }
}

/**
 * Writes `prompt` and reads one line of stdin (echoed on a tty unless `echo` is false, as for a
 * password); undefined when there is no stdin to read, null when cancelled.
 */
export function readLine(io: CliIO, prompt: string, options: { echo?: boolean } = {}): Promise<string | null | undefined> {
  const echo = io.isTTY && options.echo !== false;
  io.stdout(prompt);
  if (!io.onStdin) return Promise.resolve(undefined);
  const onStdin = io.onStdin.bind(io);
  return new Promise((resolve) => {
    let line = '';
    let finished = false;
    const cleanups: (() => void)[] = [];
    const done = (value: string | null): void => {
      if (finished) return;
      finished = true;
      queueMicrotask(() => {
        for (const c of cleanups) c();
      });
      if (io.isTTY) io.stdout('\n');
      resolve(value);
    };
    const decoder = new TextDecoder();
    cleanups.push(
      onStdin((data) => {
        if (finished) return;
        const text = decoder.decode(data, { stream: true });
        for (const ch of text) {
          if (ch === '\r' || ch === '\n') return done(line);
          if (ch === '\x03') return done(null);
          if (ch === '\x04') return done(line);
          if (ch === '\x7f' || ch === '\b') {
            if (line.length > 0) {
              line = line.slice(0, -1);
              if (echo) io.stdout('\b \b');
            }
            continue;
          }
          line += ch;
          if (echo) io.stdout(ch);
        }
      }),
    );
    if (io.onStdinEnd) cleanups.push(io.onStdinEnd(() => done(line)));
    if (io.signal) {
      const signal = io.signal;
      const onAbort = (): void => done(null);
      if (signal.aborted) return done(null);
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
  });
}

/**
 * Reads stdin to its end (`docker cp - CONTAINER:PATH`, `docker load`); undefined when the host has
 * no stdin. With `signal`, an abort (Ctrl-C) stops reading and rejects with a cancellation.
 */
export function readAllStdin(io: CliIO, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  if (!io.onStdin || !io.onStdinEnd) return Promise.resolve(undefined);
  if (signal?.aborted) return Promise.reject(new OperationCancelledError('reading stdin'));
  const onStdin = io.onStdin.bind(io);
  const onEnd = io.onStdinEnd.bind(io);
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let ended = false;
    const offs: (() => void)[] = [];
    const finish = (): void => {
      ended = true;
      queueMicrotask(() => {
        for (const off of offs) off();
      });
    };
    offs.push(
      onStdin((d) => {
        if (!ended) chunks.push(d.slice());
      }),
    );
    offs.push(
      onEnd(() => {
        if (ended) return;
        finish();
        let n = 0;
        for (const c of chunks) n += c.length;
        const out = new Uint8Array(n);
        let pos = 0;
        for (const c of chunks) {
          out.set(c, pos);
          pos += c.length;
        }
        resolve(out);
      }),
    );
    if (signal) {
      const onAbort = (): void => {
        if (ended) return;
        finish();
        reject(new OperationCancelledError('reading stdin'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      offs.push(() => signal.removeEventListener('abort', onAbort));
    }
  });
}

/** A PullEvent printer like docker's non-terminal JSON message display: progress updates are skipped. */
export function pullPrinter(write: (text: string) => void): (e: PullEvent) => void {
  return (e) => {
    if (e.current !== undefined || e.total !== undefined) return;
    write(e.id ? `${e.id}: ${e.status}\n` : `${e.status}\n`);
  };
}
