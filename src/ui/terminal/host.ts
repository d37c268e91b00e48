/** What the terminal needs from whoever runs its commands (the engine worker's client). */
export interface TerminalHost {
  /** Runs `docker ARGV…` as a session; output and exit come through `handlers`. */
  docker(argv: string[], size: { rows: number; cols: number }, handlers: SessionCallbacks, line?: string): number;
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
  output(data: Uint8Array): void;
  exit(code: number): void;
}

/** What the terminal's queue holds: a line to run, or an action taken once every line before it has finished. */
export type QueueItem = string | (() => void);
