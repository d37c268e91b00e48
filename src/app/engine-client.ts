/**
 * The page's handle on the engine worker: starts it, runs `docker` lines and `vm` shells as
 * terminal sessions, answers completions and read-only queries for the pictures.
 */
import type { RelayRequest } from '../engine/networks/http-relay.ts';
import type { BuildEvent, InterruptedBuild, PullEvent } from '../engine/api.ts';
import type { MachineProgress, MachineStatus } from '../runtime/types.ts';
import type { FromEngine, ToEngine, WorkspaceFiles, WorkspaceTimes } from './engine-protocol.ts';
import type { WorkspaceChange, WorkspaceRefusal } from './workspace-fs.ts';
import workerUrl from './engine.worker.ts?worker&url';

/** What a terminal session reports. */
export interface SessionHandlers {
  output(data: Uint8Array, stream: 'stdout' | 'stderr'): void;
  exit(code: number): void;
}

/** Where the engine finds its files and keeps its state. */
export interface EngineClientOptions {
  /** The site's root URL, holding `vm/` and `images/` (default: the page's base URL). */
  base?: string | URL;
  /** The IndexedDB database for images, containers and volumes (default `layerlab`). */
  dbName?: string;
  /** False where there is no workspace of the user's (the widget): bind mounts are refused. */
  workspace?: boolean;
}

/**
 * A module worker from `url`. A worker script must have the page's origin, so one from another
 * origin (the widget's files on a docs page) starts as a same-origin blob module that imports it
 * with CORS; inside, `import.meta.url` is still its real URL.
 */
function startWorker(url: URL, name: string): Worker {
  if (url.origin === location.origin) return new Worker(url, { type: 'module', name });
  const blob = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
  const worker = new Worker(blob, { type: 'module', name });
  // once the worker runs (or fails), its blob is no longer needed
  const revoke = () => URL.revokeObjectURL(blob);
  worker.addEventListener('message', revoke, { once: true });
  worker.addEventListener('error', revoke, { once: true });
  return worker;
}

/** The engine worker, seen from the page. */
/** Where a Preview answer goes: its head, its body in chunks, its end or an error. */
export interface PreviewHandlers {
  head(status: number, statusText: string, headers: [string, string][]): void;
  chunk(data: Uint8Array): void;
  end(): void;
  error(message: string): void;
}

export class EngineClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly sessions = new Map<number, SessionHandlers>();
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly completions = new Map<number, (words: string[]) => void>();
  /** Latest machine status. */
  status: MachineStatus = { state: 'starting' };
  onStatus: (s: MachineStatus) => void = () => {};
  onProgress: (p: MachineProgress) => void = () => {};
  onChanged: () => void = () => {};
  /** The engine and its stores are open (the guest may still be starting): stored state can be drawn. */
  onReady: () => void = () => {};
  /** A build began; its events follow through `onBuildEvent`. */
  onBuildStart: () => void = () => {};
  onBuildEvent: (e: BuildEvent) => void = () => {};
  /** Builds that were running when the page was last reloaded or closed (reported once). */
  onInterruptedBuilds: (builds: InterruptedBuild[]) => void = () => {};
  /** Containers a reload stopped (once, at start). */
  onInterruptedContainers: (containers: { name: string; savedAt?: string }[]) => void = () => {};
  /** The engine restarted a wedged machine from its snapshot (`why`: what it saw). */
  onMachineRestarted: (why: string) => void = () => {};
  /** Progress of an image download. */
  onPullEvent: (reference: string, e: PullEvent) => void = () => {};
  onFailed: (message: string) => void = () => {};
  /** A command wrote a file for the user (default: download it). */
  onDownload: (name: string, data: Uint8Array) => void = (name, data) => {
    const url = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type: 'application/x-tar' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  /**
   * `docker cp` changes a workspace file: apply it, or say why not. By default every change is
   * refused (the widget has no workspace to write to).
   */
  onWorkspaceChange: (change: WorkspaceChange) => WorkspaceRefusal | undefined = () => ({
    code: 'EROFS',
    hint: 'There is no workspace here to copy files into; use - to get a tar archive on stdout.',
  });

  constructor(options: EngineClientOptions = {}) {
    this.worker = startWorker(new URL(workerUrl, import.meta.url), 'layerlab-engine');
    let started = false;
    this.worker.onmessage = (e: MessageEvent<FromEngine>) => {
      started = true;
      this.receive(e.data);
    };
    // before its first message, an error means the worker's script did not load (e.g. no CORS)
    this.worker.addEventListener('error', (e) => {
      if (!started) this.onFailed(`The engine could not be loaded${e.message ? `: ${e.message}` : ''}.`);
    });
    const base = new URL(options.base ?? import.meta.env.BASE_URL, location.href);
    this.send({
      t: 'init',
      vmBase: new URL('vm/', base).href,
      imagesBase: new URL('images/', base).href,
      ...(options.dbName ? { dbName: options.dbName } : {}),
      ...(options.workspace === false ? { workspace: false } : {}),
    });
  }

  private send(m: ToEngine, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private receive(m: FromEngine): void {
    switch (m.t) {
      case 'progress':
        this.onProgress(m.progress);
        break;
      case 'status':
        this.status = m.status;
        this.onStatus(m.status);
        break;
      case 'failed':
        this.onFailed(m.error.message);
        break;
      case 'output':
        this.sessions.get(m.session)?.output(m.data, m.stream);
        break;
      case 'exit':
        this.sessions.get(m.session)?.exit(m.code);
        this.sessions.delete(m.session);
        break;
      case 'completions':
        this.completions.get(m.req)?.(m.words);
        this.completions.delete(m.req);
        break;
      case 'reply': {
        const p = this.pending.get(m.req);
        this.pending.delete(m.req);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
        break;
      }
      case 'changed':
        this.onChanged();
        break;
      case 'build-start':
        this.onBuildStart();
        break;
      case 'build-event':
        this.onBuildEvent(m.event);
        break;
      case 'interrupted-builds':
        this.onInterruptedBuilds(m.builds);
        break;
      case 'interrupted-containers':
        this.onInterruptedContainers(m.containers);
        break;
      case 'machine-restarted':
        this.onMachineRestarted(m.why);
        break;
      case 'pull-event':
        this.onPullEvent(m.reference, m.event);
        break;
      case 'download':
        this.onDownload(m.name, m.data);
        break;
      case 'preview-head':
      case 'preview-chunk':
      case 'preview-end':
      case 'preview-error': {
        const p = this.previews.get(m.req);
        if (m.t === 'preview-head') p?.head(m.status, m.statusText, m.headers);
        else if (m.t === 'preview-chunk') p?.chunk(m.data);
        else {
          if (m.t === 'preview-end') p?.end();
          else p?.error(m.message);
          this.previews.delete(m.req);
        }
        break;
      }
      case 'workspace': {
        let refused: WorkspaceRefusal | undefined;
        try {
          refused = this.onWorkspaceChange(m.change);
        } catch (err) {
          refused = { code: 'EIO', hint: (err as Error).message };
        }
        this.send({ t: 'workspace-done', req: m.req, ...(refused ? { refused } : {}) });
        break;
      }
      case 'ready':
        this.onReady();
        break;
    }
  }

  /** Tells the engine the workspace's files after an edit (bind mounts of running containers follow them). */
  workspaceFiles(files: WorkspaceFiles): void {
    this.send({ t: 'workspace-files', files });
  }

  /** Runs `docker ARGV…` over the workspace's files (and their times); returns the session id for stdin, resize and interrupt. */
  docker(
    argv: string[],
    size: { rows: number; cols: number },
    files: WorkspaceFiles,
    handlers: SessionHandlers,
    line?: string,
    mtimes?: WorkspaceTimes,
    options: { tty?: boolean; stdin?: Uint8Array } = {},
  ): number {
    const session = this.nextId++;
    this.sessions.set(session, handlers);
    const stdin = options.stdin?.slice();
    this.send(
      {
        t: 'docker',
        session,
        argv,
        ...size,
        files,
        ...(mtimes ? { mtimes } : {}),
        ...(line ? { line } : {}),
        ...(options.tty === false ? { tty: false } : {}),
        ...(stdin ? { stdin } : {}),
      },
      stdin ? [stdin.buffer] : [],
    );
    return session;
  }

  /** Opens a shell on the machine itself, or runs one `command` there. */
  vm(size: { rows: number; cols: number }, handlers: SessionHandlers, command?: string): number {
    const session = this.nextId++;
    this.sessions.set(session, handlers);
    this.send({ t: 'vm', session, ...size, ...(command ? { command } : {}) });
    return session;
  }

  stdin(session: number, data: Uint8Array): void {
    const copy = data.slice();
    this.send({ t: 'stdin', session, data: copy }, [copy.buffer]);
  }

  resize(session: number, rows: number, cols: number): void {
    this.send({ t: 'resize', session, rows, cols });
  }

  interrupt(session: number): void {
    this.send({ t: 'interrupt', session });
  }

  /** Asks the engine to save running containers' files now (the page is hidden or being left). */
  sync(): void {
    this.send({ t: 'sync' });
  }

  /** Tab completions for a `docker …` line. */
  complete(line: string): Promise<string[]> {
    const req = this.nextId++;
    return new Promise((resolve) => {
      this.completions.set(req, resolve);
      this.send({ t: 'complete', req, line });
    });
  }

  /** Stops the worker (and with it the guest and its open database). */
  terminate(): void {
    this.worker.terminate();
  }

  private readonly previews = new Map<number, PreviewHandlers>();

  /** What `localhost:hostPort` answers to `request` (the Preview); returns what cancels it. */
  preview(hostPort: number, request: RelayRequest, handlers: PreviewHandlers): () => void {
    const req = this.nextId++;
    this.previews.set(req, handlers);
    const body = request.body?.slice();
    this.send({ t: 'preview', req, hostPort, request: { ...request, ...(body ? { body } : {}) } }, body ? [body.buffer] : []);
    return () => {
      if (this.previews.delete(req)) this.send({ t: 'preview-cancel', req });
    };
  }

  /** Hands a file to the engine (for `docker load -i NAME`). */
  upload(name: string, data: Uint8Array): void {
    const copy = data.slice();
    this.send({ t: 'upload', name, data: copy }, [copy.buffer]);
  }

  /** A read-only engine query, e.g. `images.list`. */
  query<T>(path: string, ...args: unknown[]): Promise<T> {
    const req = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(req, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ t: 'query', req, path, args });
    });
  }
}
