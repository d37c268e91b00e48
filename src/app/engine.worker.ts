/**
 * The engine's module Web Worker: starts the guest (v86), opens the IndexedDB stores, builds the
 * Engine over them, and runs `docker` command lines and `vm` shells for the page's terminal.
 * This is where the site chooses its runtime.
 */
import { completeDocker } from '../engine/cli/complete.ts';
import type { BuildContext } from '../engine/api.ts';
import type { CliIO } from '../engine/cli/io.ts';
import { runDocker } from '../engine/cli/run.ts';
import { Engine } from '../engine/engine.ts';
import { staticImageSource } from '../engine/images/source.ts';
import { applyLayer, decompress, FsTree, layerStats, readTar, type LayerStats, type TarEntry } from '../engine/layer/index.ts';
import { imageFilesView, layerFilesView, type FileRowOptions } from '../views/layer-files.ts';
import { browserEnvironment, fetchWithProgress } from '../runtime/browser.ts';
import { collect, concat, type GuestProcess } from '../runtime/types.ts';
import { V86Machine } from '../runtime/v86-machine.ts';
import { relayHttp, type RelayRequest, type RelayResponse } from '../engine/networks/http-relay.ts';
import { toWire } from '../runtime/worker-protocol.ts';
import { openIdbStorage } from '../storage/idb-store.ts';
import { evaluateCheck } from '../content/checks.ts';
import type { Check, VmVsContainerResult } from '../content/types.ts';
import { measureVmVsContainer } from './demo-vm-vs-container.ts';
import { ActivityLog } from './activity-log.ts';
import { plainText } from './plain-text.ts';
import { wantsTty } from '../ui/terminal/tty.ts';
import { WorkspaceFS, type WorkspaceChange, type WorkspaceRefusal } from './workspace-fs.ts';
import { WorkspaceMirror } from './workspace-mirror.ts';
import type { FromEngine, ToEngine, WorkspaceFiles, WorkspaceTimes } from './engine-protocol.ts';

const scope = self as unknown as {
  postMessage(m: FromEngine, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToEngine>) => void) | null;
};
const post = (m: FromEngine, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

let engine: Engine | undefined;
let machine: Promise<V86Machine> | undefined;

/** A running terminal session: its stdin listeners, resize listeners and interrupt. */
interface Session {
  stdin: Set<(d: Uint8Array) => void>;
  stdinEnd: Set<() => void>;
  resize: Set<(rows: number, cols: number) => void>;
  abort: AbortController;
  vm?: GuestProcess;
  /** Keys typed before the process was attached (typeahead), delivered when it is. */
  typeahead: Uint8Array[];
}
const sessions = new Map<number, Session>();
/** Files the user handed in (file picker, drop), by name. */
const uploads = new Map<string, Uint8Array>();
/** Workspace changes sent to the page, waiting for its answer. */
const workspaceReplies = new Map<number, (refused: WorkspaceRefusal | undefined) => void>();
let nextWorkspaceReq = 1;

/** The workspace as the engine's host for bind mounts. */
const workspaceMirror = new WorkspaceMirror(changeWorkspace);

/** Asks the page to apply a `docker cp` change to its workspace. */
function changeWorkspace(change: WorkspaceChange): Promise<WorkspaceRefusal | undefined> {
  const req = nextWorkspaceReq++;
  return new Promise((resolve) => {
    workspaceReplies.set(req, resolve);
    post({ t: 'workspace', req, change }, change.op === 'write' ? [change.data.buffer] : []);
  });
}

/** Commands run in the terminal, builds finished, containers and volumes removed: what lesson checks read (opened by `init`). */
let activity: ActivityLog | undefined;
const MAX_OUTPUT = 64 * 1024;

/** What a session printed, the newest bytes kept (about 4 × MAX_OUTPUT), for the log. */
class Printed {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  add(data: string | Uint8Array): void {
    const copy = typeof data === 'string' ? new TextEncoder().encode(data) : data.slice();
    this.chunks.push(copy);
    this.bytes += copy.length;
    while (this.bytes > 4 * MAX_OUTPUT && this.chunks.length > 1) this.bytes -= this.chunks.shift()!.length;
  }
  /** The end of it as the plain text a check reads (what the screen showed, line editing applied). */
  text(): string {
    const text = plainText(new TextDecoder().decode(concat(this.chunks)));
    return text.length > MAX_OUTPUT ? text.slice(-MAX_OUTPUT) : text;
  }
}

/**
 * Interactive sessions open now (`docker run -it … sh`, the `vm` shell), by session: a check
 * sees each with what it printed so far, which includes the lines typed in it as its shell
 * echoed them.
 */
const interactive = new Map<number, { line: string; printed: Printed }>();

/**
 * Records a finished terminal command with (the end of) what it printed. Resolves once it is
 * stored (waiting at most 5 s): the terminal gives its prompt back after that, so a reload
 * right after a command (the worker ends with the page) cannot lose it.
 */
async function logCommand(line: string, exitCode: number, printed: Printed): Promise<void> {
  const stored = activity?.addCommand({ at: Date.now(), line, exitCode, output: printed.text() });
  // usually a few ms; on a loaded machine IndexedDB took over a second (a lesson check then missed
  // a command typed just before a reload), so the prompt waits up to 5 s before giving up on it
  await Promise.race([stored, new Promise((r) => setTimeout(r, 5000))]);
}

function output(session: number, stream: 'stdout' | 'stderr', text: string | Uint8Array): void {
  const data = typeof text === 'string' ? new TextEncoder().encode(text) : text.slice();
  post({ t: 'output', session, stream, data }, [data.buffer]);
}

/** Tells the page that containers changed, at most every 200 ms. */
let changedTimer: ReturnType<typeof setTimeout> | undefined;
/** The VM-vs-container demo is measuring: it tells the page once when it ends. */
let quietDemo = false;
function changedSoon(): void {
  if (quietDemo) return;
  changedTimer ??= setTimeout(() => {
    changedTimer = undefined;
    post({ t: 'changed' });
  }, 200);
}
/** Tells the page that containers changed, now: a notice still pending is folded into this one (one refresh, not two). */
function changedNow(): void {
  clearTimeout(changedTimer);
  changedTimer = undefined;
  post({ t: 'changed' });
}

let vmBase = '';

/** How long a machine may not answer before it counts as wedged and is restarted. */
const WEDGED_AFTER_MS = 20_000;

/** Starts the machine from its snapshot and watches it: a wedged one is restarted. */
function startMachine(): void {
  const starting = V86Machine.start(browserEnvironment(vmBase), { onProgress: (progress) => post({ t: 'progress', progress }) });
  machine = starting;
  starting.then(
    (m) => {
      post({ t: 'status', status: m.status });
      let wedged: ReturnType<typeof setTimeout> | undefined;
      m.onStatus((status) => {
        post({ t: 'status', status });
        clearTimeout(wedged);
        if (status.state === 'unresponsive')
          wedged = setTimeout(() => restartWedged(starting, `did not answer for ${WEDGED_AFTER_MS / 1000} seconds`), WEDGED_AFTER_MS);
        else if (status.state === 'stopped' && status.reason?.startsWith('the guest kernel panicked'))
          restartWedged(starting, 'stopped: its kernel panicked');
      });
    },
    (err) => post({ t: 'failed', error: toWire(err) }),
  );
}

/**
 * Replaces a wedged machine with a fresh one from the snapshot. The stores are the engine's, not
 * the machine's: images, containers and volumes stay; containers running on the old machine end
 * (their processes are gone) and keep their files as of their last checkpoint.
 */
function restartWedged(wedged: Promise<V86Machine>, why: string): void {
  if (machine !== wedged) return;
  post({ t: 'machine-restarted', why });
  startMachine();
  void wedged.then((m) => m.stop()).catch(() => {});
}
async function init(base: string, imagesBase: string, dbName = 'layerlab', workspace = true): Promise<void> {
  vmBase = base;
  activity = new ActivityLog(`${dbName}-activity`);
  const { blobs, metadata } = await openIdbStorage({ name: dbName });
  startMachine();
  engine = new Engine({
    blobs,
    meta: metadata,
    getGuest: () => machine!,
    source: staticImageSource((path, onProgress) => fetchWithProgress(new URL(path, imagesBase).href, onProgress)),
    onPullEvent: (reference, event) => post({ t: 'pull-event', reference, event }),
    // registries other than localhost:5000 over HTTP(S): only those that allow this origin (CORS)
    fetch: globalThis.fetch.bind(globalThis),
    origin: self.location.origin,
    // a reload ends the machine: running containers' files and volumes are saved every few seconds
    checkpointEvery: 5000,
    // bind mounts (-v .:/app) bind the workspace beside the editor (the widget has none: refused)
    ...(workspace ? { bindHost: workspaceMirror } : {}),
    // a container that starts or stops while its command still runs (docker run in the foreground)
    // shows in the pictures at once, not when the command ends
    onContainerEvent: (event) => {
      changedSoon();
      if (event.action === 'destroy') void activity?.addRemoval({ at: Date.now(), kind: 'container', name: event.name });
    },
    onVolumeEvent: (event) => {
      if (event.action === 'destroy') void activity?.addRemoval({ at: Date.now(), kind: 'volume', name: event.name });
    },
  });
  // a build the last page was running when it went away: said once in the terminal; its
  // temporary containers are deleted as the container records are first read
  void engine.interruptedBuilds().then(
    (builds) => builds.length > 0 && post({ t: 'interrupted-builds', builds }),
    () => {},
  );
  // so are the containers it was running: stopped now, with their files as of the last checkpoint
  void engine.containerManager.interruptedContainers().then(
    (containers) => containers.length > 0 && post({ t: 'interrupted-containers', containers }),
    () => {},
  );
  post({ t: 'ready' });
}

/** The build context at `path` in the workspace, each file with its mtime (whole seconds, as Node's CLI sends). */
function contextFrom(files: WorkspaceFiles, mtimes: WorkspaceTimes = {}): CliIO['buildContext'] {
  return async (path: string) => {
    // an absolute path names the workspace by its place in the terminal's file system (`/workspace/app`)
    const relative =
      path === '/workspace' || path === '/workspace/' ? '.' : path.startsWith('/workspace/') ? path.slice('/workspace/'.length) : path;
    const prefix = relative === '.' || relative === './' ? '' : `${relative.replace(/^\.\//, '').replace(/\/+$/, '')}/`;
    const ctx: BuildContext = new Map();
    for (const [name, data] of Object.entries(files)) {
      if (!name.startsWith(prefix)) continue;
      const ms = mtimes[name];
      ctx.set(name.slice(prefix.length), { data, ...(ms !== undefined && Number.isFinite(ms) ? { mtime: Math.floor(ms / 1000) } : {}) });
    }
    if (ctx.size === 0) throw new Error(`unable to prepare context: path "${path}" not found in the workspace`);
    return ctx;
  };
}

async function docker(msg: Extract<ToEngine, { t: 'docker' }>): Promise<void> {
  workspaceMirror.update(msg.files);
  const s: Session = { stdin: new Set(), stdinEnd: new Set(), resize: new Set(), abort: new AbortController(), typeahead: [] };
  sessions.set(msg.session, s);
  const printed = new Printed();
  const keep = (t: string | Uint8Array) => printed.add(t);
  const line = msg.line ?? ['docker', ...msg.argv].join(' ');
  if (wantsTty(msg.argv) && msg.tty !== false) interactive.set(msg.session, { line, printed });
  // stdin given whole: what the command reads first, as typeahead is
  if (msg.stdin) s.typeahead.push(msg.stdin);
  const io: CliIO = {
    stdout: (t) => (keep(t), output(msg.session, 'stdout', t)),
    stderr: (t) => (keep(t), output(msg.session, 'stderr', t)),
    isTTY: msg.tty !== false,
    columns: msg.cols,
    rows: msg.rows,
    signal: s.abort.signal,
    onStdin: (l) => {
      s.stdin.add(l);
      // like a terminal's typeahead: keys typed while the container started reach it now
      for (const d of s.typeahead.splice(0)) l(d);
      return () => s.stdin.delete(l);
    },
    onStdinEnd: (l) => {
      s.stdinEnd.add(l);
      // stdin given whole (a redirect or a pipe): it ends once what was given was read
      if (msg.stdin) queueMicrotask(() => s.stdinEnd.has(l) && l());
      return () => s.stdinEnd.delete(l);
    },
    onResize: (l) => (s.resize.add(l), () => s.resize.delete(l)),
    buildContext: contextFrom(msg.files, msg.mtimes),
    // docker cp: the workspace is the local file system
    hostFS: new WorkspaceFS(msg.files, msg.mtimes ?? {}, changeWorkspace),
    now: () => new Date(),
    // where the Preview shows a published port (what localhost:PORT is on a Docker host)
    published: (ports) => {
      const lines = ports.map(
        (p) =>
          `Preview: ${new URL(`${import.meta.env.BASE_URL}preview/${p.hostPort}/`, location.origin).href} (localhost:${p.hostPort}, shown beside the terminal)\n`,
      );
      io.stderr(lines.join(''));
    },
    // docker load -i / save -o: uploads in, downloads out
    readFile: async (path) => {
      const name = path.replace(/^\.?\//, '');
      const data = uploads.get(name) ?? msg.files[name];
      if (!data) throw new Error(`open ${path}: no such file: drop the file on the terminal or pick it with the Load button first`);
      return data;
    },
    writeFile: async (path, data) => {
      // like a file on disk: `docker load -i NAME` reads it back in this session
      uploads.set(path.replace(/^\.?\//, ''), data.slice());
      const copy = data.slice();
      post({ t: 'download', name: path.split('/').pop() || 'download', data: copy }, [copy.buffer]);
    },
  };
  let code = 1;
  try {
    if (!engine) throw new Error('the engine is not ready');
    code = await runDocker(msg.argv, io, observed(engine));
  } catch (err) {
    output(msg.session, 'stderr', `docker: ${(err as Error).message}\n`);
    keep(`docker: ${(err as Error).message}\n`);
  } finally {
    sessions.delete(msg.session);
    interactive.delete(msg.session);
    await logCommand(line, code, printed);
    post({ t: 'exit', session: msg.session, code });
    changedNow();
    // what a command changed in a running container (docker exec, docker cp) is saved now, so a
    // reload keeps it (the page's pictures read the same checkpoint)
    void engine?.containerManager.checkpointRunning();
  }
}

/** The engine as the CLI sees it, with builds reported to the page for the build panel. */
function observed(e: Engine): Engine {
  return new Proxy(e, {
    get(target, prop, receiver) {
      if (prop !== 'build') return Reflect.get(target, prop, receiver);
      return (options: Parameters<Engine['build']>[0]) => {
        post({ t: 'build-start' });
        const result = target.build({
          ...options,
          onEvent: (event) => {
            options.onEvent?.(event);
            const copy = event.type === 'step-output' ? { ...event, data: event.data.slice() } : event;
            post({ t: 'build-event', event: copy });
          },
        });
        void result.then(
          (r) => {
            void activity?.addBuild({ at: Date.now(), tags: r.tags, steps: r.steps });
          },
          () => {},
        );
        return result;
      };
    },
  });
}

async function vm(msg: Extract<ToEngine, { t: 'vm' }>): Promise<void> {
  const s: Session = { stdin: new Set(), stdinEnd: new Set(), resize: new Set(), abort: new AbortController(), typeahead: [] };
  sessions.set(msg.session, s);
  let code = 1;
  const printed = new Printed();
  // `vm` alone is a shell the student types in: logged as one interactive session
  const line = msg.command ? `vm ${msg.command}` : 'vm';
  if (!msg.command) interactive.set(msg.session, { line, printed });
  try {
    const m = await machine!;
    const proc = await m.spawn({
      // `vm` alone is a login shell; `vm COMMAND…` runs one command through sh, like ssh does
      argv: msg.command ? ['sh', '-c', msg.command] : ['sh', '-l'],
      env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm', 'HOME=/root', 'PS1=vm:\\w# '],
      cwd: '/var/lib/layerlab',
      pty: { rows: msg.rows, cols: msg.cols },
    });
    s.vm = proc;
    for (const d of s.typeahead.splice(0)) proc.write(d);
    proc.onStdout((d) => {
      printed.add(d);
      output(msg.session, 'stdout', d);
    });
    code = (await proc.exit).code;
  } catch (err) {
    output(msg.session, 'stderr', `vm: ${(err as Error).message}\n`);
    printed.add(`vm: ${(err as Error).message}\n`);
  } finally {
    sessions.delete(msg.session);
    interactive.delete(msg.session);
    await logCommand(line, code, printed);
    post({ t: 'exit', session: msg.session, code });
  }
}

/** Per-layer added/modified/removed counts of an image (for its layer picture), cached by image ID. */
const statsCache = new Map<string, Record<string, LayerStats>>();
async function layerStatsOf(ref: string): Promise<Record<string, LayerStats>> {
  const store = engine!.imageStore;
  const id = await store.resolveId(ref);
  const cached = statsCache.get(id);
  if (cached) return cached;
  const image = await store.load(id);
  const layers = await layerEntries(id);
  const tree = new FsTree();
  const out: Record<string, LayerStats> = {};
  image.layers.forEach((l, i) => {
    out[l.diffID] = layerStats(layers[i]!, tree);
    applyLayer(tree, layers[i]!);
  });
  statsCache.set(id, out);
  return out;
}

/** An image's layers as tar entries (parsed once per image). */
const entriesCache = new Map<string, TarEntry[][]>();
async function layerEntries(ref: string): Promise<TarEntry[][]> {
  const store = engine!.imageStore;
  const id = await store.resolveId(ref);
  let layers = entriesCache.get(id);
  if (!layers) {
    layers = [];
    for (const l of (await store.load(id)).layers) {
      const blob = await store.readBlob(l.digest);
      layers.push(readTar(await decompress(blob)));
    }
    if (entriesCache.size > 4) entriesCache.delete(entriesCache.keys().next().value!);
    entriesCache.set(id, layers);
  }
  return layers;
}

/** dive's views: the files as of one layer (coloured by change), or the whole image with its wasted space. */
async function filesOf(ref: string, selected: number | null, options: FileRowOptions): Promise<unknown> {
  const layers = await layerEntries(ref);
  const view = selected === null ? imageFilesView(layers, options) : layerFilesView(layers, selected, options);
  const { root: _tree, ...rest } = view; // the tree holds file contents: keep them in the worker
  return rest;
}

/** A regular file's bytes in an image, its layers applied in order (undefined when it has none there). */
async function imageFile(ref: string, path: string): Promise<Uint8Array | undefined> {
  const tree = new FsTree();
  for (const layer of await layerEntries(ref)) applyLayer(tree, layer);
  const node = tree.get(path);
  return node?.type === 'file' ? (node.data ?? new Uint8Array()) : undefined;
}

/** Checks a lesson exercise against this engine, the page's workspace and what ran since `since` (ms since the epoch). */
async function check(c: Check, files: Record<string, string>, since: number): Promise<unknown> {
  const e = engine!;
  const logged = activity ? await activity.since(since) : { commands: [], builds: [], removals: [] };
  // interactive sessions still open count with what they printed so far
  const open = [...interactive.values()].map(({ line, printed }) => ({
    at: Date.now(),
    line,
    exitCode: 0,
    output: printed.text(),
    running: true,
  }));
  const { builds, removals } = logged;
  const commands = [...logged.commands, ...open];
  return evaluateCheck(c, {
    engine: e,
    registryTags: async (repo) => {
      try {
        return (await e.registry.listTags(repo)).tags;
      } catch {
        return undefined;
      }
    },
    httpGet: async (hostPort, path) => {
      try {
        const res = await fetchPublished(hostPort, { method: 'GET', path, headers: [] });
        const body = new TextDecoder().decode((await new Response(res.body).arrayBuffer()).slice(0, 256 * 1024));
        return { container: res.container, status: res.status, body };
      } catch (err) {
        return { error: (err as Error).message };
      }
    },
    files,
    commands,
    builds,
    removals,
    imageFile,
    volumeFile: async (name, path) => e.volumeManager.readFile(name, path, machine ? await machine : undefined),
  });
}

/** Pulls an image unless it is already stored (a lesson's images, fetched with progress). */
async function ensureImage(ref: string): Promise<void> {
  const have = await engine!.images.inspect(ref).then(
    () => true,
    () => false,
  );
  if (!have) await engine!.images.pull(ref);
}

/**
 * The containers-vs-VMs demo on this engine and a second machine booted in this worker. While it
 * measures, the page is not told of each demo container (its pictures would read the engine in the
 * middle of a timed start); it is told once at the end.
 */
async function demoVmVsContainer(): Promise<VmVsContainerResult> {
  const e = engine!;
  quietDemo = true;
  try {
    return await measureVmVsContainer({
      now: () => performance.now(),
      ensureImage,
      runContainer: async (argv, onFirstOutput) => {
        const { id } = await e.containers.create({ image: 'busybox', cmd: argv, autoRemove: true });
        const chunks: Uint8Array[] = [];
        const proc = await e.containers.start(id, {});
        proc?.onStdout((d) => {
          if (chunks.length === 0) onFirstOutput();
          chunks.push(d.slice());
        });
        await proc?.exit;
        return new TextDecoder().decode(concat(chunks));
      },
      bootMachine: async () => {
        const second = await V86Machine.start(browserEnvironment(vmBase), { boot: 'cold', healthInterval: 0 });
        return {
          run: async (argv) => {
            const { stdout } = await collect(await second.spawn({ argv, env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/' }));
            return new TextDecoder().decode(stdout);
          },
          stop: () => second.stop(),
        };
      },
      hostKernel: async () => (await e.system.info()).kernelVersion,
    });
  } finally {
    quietDemo = false;
    changedNow();
  }
}

/** Preview answers being streamed to the page, by request. */
const previews = new Map<number, ReadableStreamDefaultReader<Uint8Array>>();

/**
 * What `localhost:hostPort` answers, as on a Docker host: the running container that publishes
 * the port gets the request on its own address (through the agent). Throws, in words a student can
 * act on, when no running container publishes it (naming a stopped one that did).
 */
async function fetchPublished(hostPort: number, request: RelayRequest): Promise<RelayResponse & { container: string }> {
  if (!engine) throw new Error('the engine is not ready');
  const target = await engine.containers.publishedAt(hostPort);
  if (!target) {
    for (const c of await engine.containers.list({ all: true })) {
      if (c.state === 'running') continue;
      const bindings = Object.values((await engine.containers.inspect(c.id)).HostConfig.PortBindings).flat();
      if (bindings.some((b) => b.HostPort === String(hostPort)))
        throw new Error(`${c.name} publishes port ${hostPort}, but it is not running (${c.status}). docker start ${c.name} runs it again.`);
    }
    throw new Error(`No running container publishes port ${hostPort}. Publish one with docker run -p ${hostPort}:PORT IMAGE.`);
  }
  try {
    const response = await relayHttp(await engine.containers.dial(target.id, target.containerPort), request, `localhost:${hostPort}`);
    return { ...response, container: target.name };
  } catch (err) {
    throw new Error(`localhost:${hostPort} (${target.name}) does not answer: ${(err as Error).message}`, { cause: err });
  }
}

/** Streams what `localhost:hostPort` answers to the page's Preview. */
async function preview(req: number, hostPort: number, request: RelayRequest): Promise<void> {
  try {
    const response = await fetchPublished(hostPort, request);
    post({ t: 'preview-head', req, status: response.status, statusText: response.statusText, headers: response.headers });
    const reader = response.body.getReader();
    previews.set(req, reader);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const data = value.slice();
      post({ t: 'preview-chunk', req, data }, [data.buffer]);
    }
    post({ t: 'preview-end', req });
  } catch (err) {
    post({ t: 'preview-error', req, message: (err as Error).message });
  } finally {
    previews.delete(req);
  }
}

async function query(path: string, args: unknown[]): Promise<unknown> {
  if (!engine) throw new Error('the engine is not ready');
  if (path === 'lessons.check') return check(args[0] as Check, args[1] as Record<string, string>, Number(args[2] ?? 0));
  if (path === 'images.ensure') return ensureImage(String(args[0]));
  if (path === 'volumes.files') return engine.volumeManager.files(String(args[0]), machine ? await machine : undefined);
  if (path === 'demo.vmVsContainer') return demoVmVsContainer();
  if (path === 'images.layerStats') return layerStatsOf(String(args[0]));
  if (path === 'images.files') return filesOf(String(args[0]), (args[1] as number | null) ?? null, (args[2] as FileRowOptions) ?? {});
  const [group, method] = path.split('.') as [string, string];
  const allowed: Record<string, string[]> = {
    images: ['list', 'inspect', 'history', 'available'],
    containers: ['list', 'inspect', 'diff', 'top'],
    volumes: ['list', 'inspect'],
    system: ['df', 'info'],
  };
  if (!allowed[group]?.includes(method)) throw new Error(`not a query: ${path}`);
  const target = (engine as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>)[group]!;
  return target[method]!(...args);
}

scope.onmessage = (e) => {
  const msg = e.data;
  switch (msg.t) {
    case 'init':
      void init(msg.vmBase, msg.imagesBase, msg.dbName, msg.workspace !== false).catch((err) => post({ t: 'failed', error: toWire(err) }));
      break;
    case 'docker':
      void docker(msg);
      break;
    case 'vm':
      void vm(msg);
      break;
    case 'stdin': {
      const s = sessions.get(msg.session);
      if (s?.vm) s.vm.write(msg.data);
      else if (s && s.stdin.size === 0) s.typeahead.push(msg.data);
      else for (const l of s?.stdin ?? []) l(msg.data);
      break;
    }
    case 'resize': {
      const s = sessions.get(msg.session);
      s?.vm?.resize(msg.rows, msg.cols);
      for (const l of s?.resize ?? []) l(msg.rows, msg.cols);
      break;
    }
    case 'interrupt':
      sessions.get(msg.session)?.abort.abort();
      break;
    case 'preview':
      void preview(msg.req, msg.hostPort, msg.request);
      break;
    case 'preview-cancel':
      void previews.get(msg.req)?.cancel();
      previews.delete(msg.req);
      break;
    case 'sync':
      void engine?.containerManager.checkpointRunning();
      break;
    case 'complete':
      void (engine ? completeDocker(msg.line, engine) : Promise.resolve([])).then(
        (words) => post({ t: 'completions', req: msg.req, words }),
        () => post({ t: 'completions', req: msg.req, words: [] }),
      );
      break;
    case 'upload':
      uploads.set(msg.name, msg.data);
      break;
    case 'workspace-files':
      workspaceMirror.update(msg.files);
      break;
    case 'workspace-done':
      workspaceReplies.get(msg.req)?.(msg.refused);
      workspaceReplies.delete(msg.req);
      break;
    case 'query':
      query(msg.path, msg.args).then(
        (value) => post({ t: 'reply', req: msg.req, ok: true, value }),
        (err) => post({ t: 'reply', req: msg.req, ok: false, error: toWire(err) }),
      );
      break;
  }
};
