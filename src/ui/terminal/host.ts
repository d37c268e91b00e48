/** What the terminal needs from whoever runs its commands (the engine worker's client). */
export interface TerminalHost {
  /**
   * Runs `docker ARGV…` as a session; output and exit come through `handlers`. `options.tty` false:
   * its output is piped or redirected; `options.stdin`: all of its stdin, then its end.
   */
  docker(
    argv: string[],
    size: { rows: number; cols: number },
    handlers: SessionCallbacks,
    line?: string,
    options?: { tty?: boolean; stdin?: Uint8Array },
  ): number;
  /** A workspace file (the terminal's host files, for `<` and host tools), if any. */
  readFile?(path: string): Uint8Array | undefined;
  /** Writes or appends to a workspace file (`>` and `>>`); returns why the workspace refused, if it did. */
  writeFile?(path: string, data: Uint8Array, append: boolean): string | undefined;
  /** Opens a shell on the machine itself, or runs `command` there through sh. */
  vm(size: { rows: number; cols: number }, handlers: SessionCallbacks, command?: string): number;
  stdin(session: number, data: Uint8Array): void;
  resize(session: number, rows: number, cols: number): void;
  /** Ctrl-C for a session without a pty. */
  interrupt(session: number): void;
  /** Tab completions for a `docker …` line. */
  complete(line: string): Promise<string[]>;
}

/** A session's output and end. */
export interface SessionCallbacks {
  output(data: Uint8Array, stream?: 'stdout' | 'stderr'): void;
  exit(code: number): void;
}

/** What the terminal's queue holds: a line to run, or an action taken once every line before it has finished. */
export type QueueItem = string | (() => void);
