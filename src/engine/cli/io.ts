/**
 * What the `docker` command line needs from its host: the browser terminal or Node's process.
 */
import type { AttachedProcess, BuildContext } from '../api.ts';
import type { HostFS } from './host-fs.ts';

export type { HostFS, HostStat } from './host-fs.ts';

/** The terminal (or process) a `docker` command runs in. */
export interface CliIO {
  /** Writes to standard output. */
  stdout(text: string | Uint8Array): void;
  /** Writes to standard error. */
  stderr(text: string | Uint8Array): void;
  /** True when stdin/stdout are an interactive terminal. */
  isTTY: boolean;
  /** Terminal width (help text wraps at `columns - 1`). */
  columns: number;
  /** Terminal height. */
  rows: number;
  /** Aborted on Ctrl-C when the terminal is not in raw mode (forwarded as SIGINT to attached processes). */
  signal?: AbortSignal;
  /** Subscribes to standard input (for `-i`, `docker cp -`, prompts); returns an unsubscribe function. */
  onStdin?(listener: (data: Uint8Array) => void): () => void;
  /** Subscribes to the end of standard input (Ctrl-D, end of a pipe). */
  onStdinEnd?(listener: () => void): () => void;
  /** Subscribes to terminal size changes (for `-t`). */
  onResize?(listener: (rows: number, cols: number) => void): () => void;
  /** Reads a local file (`docker load -i FILE`). */
  readFile?(path: string): Promise<Uint8Array>;
  /** The build context for `docker build PATH`: its files relative to PATH. */
  buildContext?(path: string): Promise<BuildContext>;
  /** Writes a local file, creating parent directories (`docker save -o FILE`). */
  writeFile?(path: string, data: Uint8Array): Promise<void>;
  /** The local file system `docker cp` reads and writes (the disk in Node, the workspace in the page). */
  hostFS?: HostFS;
  /** The current time (tests pass a fixed clock). */
  now?(): Date;
  /** Environment variables (`docker compose` interpolates `${VAR}` with them; Node: the process's, the page: none). */
  environment?: Record<string, string>;
  /**
   * Serves a running container's published ports on this host while a foreground `docker run`
   * lasts (the Node CLI listens on 127.0.0.1); `dial` opens one connection to the container's port.
   * Returns what stops serving them.
   */
  publish?(ports: PublishedPort[], dial: (containerPort: number) => Promise<AttachedProcess>): Promise<() => void>;
  /** Told of the ports a `docker run` published (the page prints where its Preview shows them). */
  published?(ports: PublishedPort[]): void;
}

/** A container port published on a host port. */
export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
}
