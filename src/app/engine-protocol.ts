/**
 * Messages between the page and the engine's module Web Worker (engine.worker.ts ↔ engine-client.ts).
 * The worker owns the guest (v86), the engine and its IndexedDB stores; the page sends command
 * lines and keystrokes and receives output, progress and "something changed" notices.
 */
import type { BuildEvent, InterruptedBuild, PullEvent } from '../engine/api.ts';
import type { RelayRequest } from '../engine/networks/http-relay.ts';
import type { MachineProgress, MachineStatus } from '../runtime/types.ts';
import type { WireError } from '../runtime/worker-protocol.ts';
import type { WorkspaceChange, WorkspaceRefusal } from './workspace-fs.ts';

/** Files of the workspace (the build context), path → text or bytes. */
export type WorkspaceFiles = Record<string, Uint8Array>;

/** When each workspace file's content last changed, path → milliseconds since the epoch (its mtime in the image). */
export type WorkspaceTimes = Record<string, number>;

/** Page → worker. */
export type ToEngine =
  /** Starts the guest; `dbName` is the IndexedDB database for the engine's state (default `layerlab`); `workspace: false` (the widget): no workspace to bind-mount. */
  | { t: 'init'; vmBase: string; imagesBase: string; dbName?: string; workspace?: boolean }
  /** Runs `docker …` (argv without the word docker) in a terminal session; files without a time in `mtimes` are dated 0. */
  | {
      t: 'docker';
      session: number;
      argv: string[];
      rows: number;
      cols: number;
      files: WorkspaceFiles;
      mtimes?: WorkspaceTimes;
      line?: string;
      /** False when the terminal's shell pipes or redirects the output (default true). */
      tty?: boolean;
      /** All of stdin, then its end (a `<` redirect or a pipe into the command). */
      stdin?: Uint8Array;
    }
  /** Opens a shell on the machine itself (`vm`), or runs one command there (`vm COMMAND…`). */
  | { t: 'vm'; session: number; rows: number; cols: number; command?: string }
  | { t: 'stdin'; session: number; data: Uint8Array }
  | { t: 'resize'; session: number; rows: number; cols: number }
  /** Ctrl-C for a session that is not in raw mode. */
  | { t: 'interrupt'; session: number }
  /** Save running containers' files now (the page is being hidden or left). */
  | { t: 'sync' }
  | { t: 'complete'; req: number; line: string }
  /** Calls a read-only engine query (`images.list`, `containers.list`, `system.df`, …). */
  | { t: 'query'; req: number; path: string; args: unknown[] }
  /** A file the user picked or dropped, readable by `docker load -i NAME`. */
  | { t: 'upload'; name: string; data: Uint8Array }
  /** The workspace's files now (after an edit): bind mounts of running containers follow them. */
  | { t: 'workspace-files'; files: WorkspaceFiles }
  /** The page applied a `workspace` change (or says why not). */
  | { t: 'workspace-done'; req: number; refused?: WorkspaceRefusal }
  /** The Preview asks what `localhost:hostPort` answers to one HTTP request (see preview.ts). */
  | { t: 'preview'; req: number; hostPort: number; request: RelayRequest }
  /** The Preview no longer wants that answer (the page inside it went away). */
  | { t: 'preview-cancel'; req: number };

/** Worker → page. */
export type FromEngine =
  | { t: 'progress'; progress: MachineProgress }
  | { t: 'status'; status: MachineStatus }
  | { t: 'ready' }
  | { t: 'failed'; error: WireError }
  | { t: 'output'; session: number; stream: 'stdout' | 'stderr'; data: Uint8Array }
  | { t: 'exit'; session: number; code: number }
  | { t: 'completions'; req: number; words: string[] }
  | { t: 'reply'; req: number; ok: true; value: unknown }
  | { t: 'reply'; req: number; ok: false; error: WireError }
  /** Engine state may have changed (after a command): pictures should refresh. */
  | { t: 'changed' }
  /** A build began (from the terminal or the Build button): its events follow as `build-event`. */
  | { t: 'build-start' }
  | { t: 'build-event'; event: BuildEvent }
  /** Builds the last page's engine was running when it went away (sent once, at start, if any). */
  | { t: 'interrupted-builds'; builds: InterruptedBuild[] }
  | { t: 'interrupted-containers'; containers: { name: string; savedAt?: string }[] }
  /** The machine was wedged (no answer, or a kernel panic) and was restarted from its snapshot. */
  | { t: 'machine-restarted'; why: string }
  /** Progress of an image download, whoever started it. */
  | { t: 'pull-event'; reference: string; event: PullEvent }
  /** A command wrote a file for the user (`docker save -o NAME`): the page offers it as a download. */
  | { t: 'download'; name: string; data: Uint8Array }
  /** `docker cp` or a container's bind mount changes a workspace file: the page applies it and answers `workspace-done`. */
  | { t: 'workspace'; req: number; change: WorkspaceChange }
  /** A Preview answer: its head, then body chunks, then its end (or an error instead). */
  | { t: 'preview-head'; req: number; status: number; statusText: string; headers: [string, string][] }
  | { t: 'preview-chunk'; req: number; data: Uint8Array }
  | { t: 'preview-end'; req: number }
  | { t: 'preview-error'; req: number; message: string };
