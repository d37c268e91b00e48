/**
 * Test doubles for the CLI's unit tests: a scripted in-memory `DockerEngine` that records its
 * calls, scripted attached processes, and a `CliIO` that captures output and feeds stdin.
 * Test-only: nothing outside `*.test.ts` imports this file.
 */
import { EventLog, type EventQuery } from '../events.ts';
import type {
  NetworkInspect,
  AttachedProcess,
  BuildEvent,
  BuildOptions,
  InterruptedBuild,
  BuildResult,
  ChangeEntry,
  ContainerInspect,
  ContainerSummary,
  CreateContainerOptions,
  DiskUsage,
  DockerEngine,
  HistoryEntry,
  ImageInspect,
  ImageSummary,
  LogEntry,
  PruneReport,
  PullEvent,
  SearchResult,
  VolumeInfo,
} from '../api.ts';
import { ConflictError, NotFoundError, OperationCancelledError, UnavailableError } from '../errors.ts';
import type { CliIO } from './io.ts';
import { MemFs } from './memfs.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** `ref` with `:latest` unless it has a tag (a `:` after the last `/`, so `localhost:5000/web` has none) or digest. */
function withTag(ref: string): string {
  return /:[^/]*$/.test(ref) || ref.includes('@') ? ref : ref + ':latest';
}

/** A process whose output and exit the test scripts. */
export class FakeProcess implements AttachedProcess {
  private readonly outL = new Set<(d: Uint8Array) => void>();
  private readonly errL = new Set<(d: Uint8Array) => void>();
  /** What the CLI wrote to stdin, decoded. */
  stdin = '';
  stdinClosed = false;
  resizes: [number, number][] = [];
  signals: string[] = [];
  private resolveExit!: (code: number) => void;
  readonly exit: Promise<number>;

  constructor() {
    this.exit = new Promise((r) => (this.resolveExit = r));
  }

  onStdout(listener: (data: Uint8Array) => void): () => void {
    this.outL.add(listener);
    return () => this.outL.delete(listener);
  }

  onStderr(listener: (data: Uint8Array) => void): () => void {
    this.errL.add(listener);
    return () => this.errL.delete(listener);
  }

  write(data: Uint8Array | string): void {
    this.stdin += typeof data === 'string' ? data : dec.decode(data);
  }

  closeStdin(): void {
    this.stdinClosed = true;
  }

  resize(rows: number, cols: number): void {
    this.resizes.push([rows, cols]);
  }

  kill(signal = 'SIGKILL'): void {
    this.signals.push(signal);
  }

  /** Emits text on stdout. */
  out(text: string): void {
    for (const l of this.outL) l(enc.encode(text));
  }

  /** Emits text on stderr. */
  err(text: string): void {
    for (const l of this.errL) l(enc.encode(text));
  }

  /** Ends the process with `code`. */
  finish(code: number): void {
    this.resolveExit(code);
  }
}

/** Waits for pending timers and microtasks (the fake's scripts run on timers). */
export function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A scripted, recording, in-memory DockerEngine. */
export class FakeEngine implements DockerEngine {
  /** Every call: method name and arguments. */
  calls: { method: string; args: unknown[] }[] = [];
  imageList: ImageSummary[] = [];
  imageInspects = new Map<string, ImageInspect>();
  histories = new Map<string, HistoryEntry[]>();
  availableRefs: string[] = ['busybox:latest', 'alpine:3.19'];
  /** Events per pulled reference; a missing entry makes pull fail like Docker Hub would. */
  pullEvents = new Map<string, PullEvent[]>();
  containerList: ContainerSummary[] = [];
  inspects = new Map<string, ContainerInspect>();
  logEntries = new Map<string, LogEntry[]>();
  changes = new Map<string, ChangeEntry[]>();
  volumeList: VolumeInfo[] = [];
  diskUsage: DiskUsage = {
    images: { total: 0, active: 0, size: 0, reclaimable: 0 },
    containers: { total: 0, active: 0, size: 0, reclaimable: 0 },
    volumes: { total: 0, active: 0, size: 0, reclaimable: 0 },
    buildCache: { total: 0, active: 0, size: 0, reclaimable: 0 },
  };
  pruneReports: Record<'images' | 'containers' | 'volumes' | 'system', PruneReport> = {
    images: { deleted: [], spaceReclaimed: 0 },
    containers: { deleted: [], spaceReclaimed: 0 },
    volumes: { deleted: [], spaceReclaimed: 0 },
    system: { deleted: [], spaceReclaimed: 0 },
  };
  /** What a started or exec'd process does; default: exits 0 at once. */
  script: (proc: FakeProcess, what: { kind: 'start' | 'exec'; id: string; cmd?: string[] }) => void = (p) => {
    setTimeout(() => p.finish(0), 0);
  };
  /** The processes handed out, newest last. */
  processes: FakeProcess[] = [];
  /** Build behaviour: events to emit and the result (or error) to return. */
  buildScript: { events: BuildEvent[]; result?: BuildResult; error?: Error } = {
    events: [],
    result: { imageId: 'sha256:' + 'b'.repeat(64), tags: [], steps: [] },
  };
  /** Each container's file system behind `statPath`/`copyFrom`/`copyTo`, by name (empty until set). */
  fileSystems = new Map<string, MemFs>();
  copiedTo: { id: string; path: string; tar: Uint8Array; copyUIDGID: boolean }[] = [];
  /** What `images.save` returns (any refs the fake knows). */
  saveArchive: Uint8Array = enc.encode('fake image archive\x00\x01\x02');
  /** `images.load` behaviour: events to emit, then the result (or error). */
  loadScript: { events: PullEvent[]; result: { loaded: string[]; warnings: string[] }; error?: Error } = {
    events: [],
    result: { loaded: ['Loaded image: busybox:latest'], warnings: [] },
  };
  /** The archives `images.load` got. */
  loadedArchives: Uint8Array[] = [];
  /** Events per pushed reference (as given); a missing entry fails like Docker with no such local image. */
  pushEvents = new Map<string, PullEvent[]>();
  /** What `images.push` returns. */
  pushResult = { digest: 'sha256:' + '7'.repeat(64), size: 527 };
  /** The message `loginStatus` and `login` reject with (unset: a registry with `accounts`). */
  loginMessage: string | undefined = 'login is not needed: LayerLab has no accounts';
  private seq = 0;
  readonly buildCache: DockerEngine['buildCache'] = {
    prune: async () => {
      this.record('buildCache.prune');
      return { deleted: ['kx4b2v3c1m0n'], spaceReclaimed: 2048 };
    },
  };
  /** What `images.search` finds (by name). */
  searchResults: SearchResult[] = [];
  /** The clock of `eventLog`. */
  eventClock = new Date('2024-05-01T12:00:00Z');
  /** What `events()` reads: tests record into it. */
  readonly eventLog = new EventLog(() => this.eventClock);
  events(query: EventQuery): Promise<void> {
    this.record('events', { since: query.since, until: query.until });
    return this.eventLog.events(query);
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  /** Names of the methods called, in order. */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  /** A container's file system (created empty on first use). */
  fsOf(idOrName: string): MemFs {
    const c = this.findContainer(idOrName);
    let fs = this.fileSystems.get(c.name);
    if (!fs) this.fileSystems.set(c.name, (fs = new MemFs()));
    return fs;
  }

  private findContainer(idOrName: string): ContainerSummary {
    const c = this.containerList.find((x) => x.name === idOrName || x.id.startsWith(idOrName));
    if (!c) throw new NotFoundError(`No such container: ${idOrName}`);
    return c;
  }

  private hasImage(ref: string): boolean {
    const full = withTag(ref);
    return this.imageList.some((i) => i.repoTags.includes(full) || i.id.replace('sha256:', '').startsWith(ref.replace('sha256:', '')));
  }

  /** Adds a container in `state` with sensible defaults. */
  addContainer(partial: Partial<ContainerSummary> & { name: string }): ContainerSummary {
    const id = partial.id ?? (++this.seq).toString(16).padStart(2, '0').repeat(32);
    const c: ContainerSummary = {
      id,
      image: 'busybox',
      imageId: 'sha256:' + 'a'.repeat(64),
      command: 'sh',
      created: '2024-05-01T11:00:00Z',
      state: 'running',
      status: 'Up About an hour',
      exitCode: 0,
      mounts: [],
      ...partial,
    };
    this.containerList.push(c);
    return c;
  }

  /** A minimal ContainerInspect for a container. */
  inspectOf(c: ContainerSummary, tty = false, openStdin = false): ContainerInspect {
    return {
      Id: c.id,
      Created: c.created,
      Path: 'sh',
      Args: [],
      State: {
        Status: c.state,
        Running: c.state === 'running',
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: 0,
        ExitCode: c.exitCode,
        Error: '',
        StartedAt: c.created,
        FinishedAt: '0001-01-01T00:00:00Z',
      },
      Image: c.imageId,
      Name: '/' + c.name,
      RestartCount: 0,
      Config: {
        Hostname: c.id.slice(0, 12),
        Image: c.image,
        Tty: tty,
        OpenStdin: openStdin,
        AttachStdin: openStdin,
        Env: ['PATH=/bin'],
        Cmd: ['sh'],
        Labels: {},
      },
      HostConfig: {
        Memory: 0,
        PidsLimit: null,
        ReadonlyRootfs: false,
        AutoRemove: false,
        Binds: [],
        CapAdd: null,
        CapDrop: null,
        Privileged: false,
        SecurityOpt: null,
        NetworkMode: 'bridge',
        PortBindings: {},
        PublishAllPorts: false,
        RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
        ExtraHosts: null,
        NanoCpus: 0,
        CpuShares: 0,
        CpuPeriod: 0,
        CpuQuota: 0,
        CpusetCpus: '',
        Tmpfs: null,
        MemorySwap: 0,
        LogConfig: { Type: 'json-file', Config: {} },
        ShmSize: 67108864,
        Ulimits: null,
        Init: null,
      },
      Mounts: c.mounts,
      GraphDriver: { Name: 'overlay2', Data: { LowerDir: '', UpperDir: '', WorkDir: '', MergedDir: '' } },
      NetworkSettings: {
        Bridge: '',
        SandboxID: '',
        SandboxKey: '',
        Ports: {},
        HairpinMode: false,
        LinkLocalIPv6Address: '',
        LinkLocalIPv6PrefixLen: 0,
        SecondaryIPAddresses: null,
        SecondaryIPv6Addresses: null,
        EndpointID: '',
        Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        IPAddress: '',
        IPPrefixLen: 0,
        IPv6Gateway: '',
        MacAddress: '',
        Networks: {},
      },
    };
  }

  private newProcess(what: { kind: 'start' | 'exec'; id: string; cmd?: string[] }): FakeProcess {
    const p = new FakeProcess();
    this.processes.push(p);
    this.script(p, what);
    return p;
  }

  images: DockerEngine['images'] = {
    list: async (options) => {
      this.record('images.list', options);
      return this.imageList;
    },
    inspect: async (ref) => {
      this.record('images.inspect', ref);
      const i = this.imageInspects.get(ref);
      if (!i) throw new NotFoundError(`No such image: ${ref}`);
      return i;
    },
    history: async (ref) => {
      this.record('images.history', ref);
      const h = this.histories.get(ref);
      if (!h) throw new NotFoundError(`No such image: ${ref}`);
      return h;
    },
    tag: async (source, target) => {
      this.record('images.tag', source, target);
      if (!this.hasImage(source)) throw new NotFoundError(`No such image: ${source}`);
    },
    remove: async (ref, options) => {
      this.record('images.remove', ref, options);
      if (!this.hasImage(ref)) throw new NotFoundError(`No such image: ${ref}`);
      return { untagged: [withTag(ref)], deleted: ['sha256:' + 'a'.repeat(64)] };
    },
    prune: async (options) => {
      this.record('images.prune', options);
      return this.pruneReports.images;
    },
    pull: async (ref, onEvent, signal) => {
      this.record('images.pull', ref, signal);
      const events = this.pullEvents.get(ref);
      if (!events)
        throw new NotFoundError(
          `pull access denied for ${ref.split(':')[0] ?? ref}, repository does not exist or may require 'docker login'`,
        );
      for (const e of events) onEvent?.(e);
      const tag = withTag(ref);
      this.imageList.push({
        id: 'sha256:' + 'c'.repeat(64),
        repoTags: [tag],
        created: '2024-04-01T00:00:00Z',
        size: 4_260_000,
        containers: 0,
        labels: {},
      });
      return { id: 'sha256:' + 'c'.repeat(64), reference: tag };
    },
    available: async () => {
      this.record('images.available');
      return this.availableRefs;
    },
    search: async (term) => {
      this.record('images.search', term);
      return this.searchResults.filter((r) => r.name.includes(term));
    },
    importFilesystem: async (archive, options) => {
      this.record('images.importFilesystem', archive.length, options);
      return 'sha256:' + 'c'.repeat(64);
    },
    save: async (refs) => {
      this.record('images.save', refs);
      for (const ref of refs) if (!this.hasImage(ref)) throw new NotFoundError(`No such image: ${ref}`);
      return this.saveArchive;
    },
    load: async (archive, onEvent) => {
      this.record('images.load', archive.length);
      this.loadedArchives.push(archive);
      for (const e of this.loadScript.events) onEvent?.(e);
      if (this.loadScript.error) throw this.loadScript.error;
      return { loaded: [...this.loadScript.result.loaded], warnings: [...this.loadScript.result.warnings] };
    },
    push: async (ref, onEvent) => {
      this.record('images.push', ref);
      const events = this.pushEvents.get(ref);
      if (!events) throw new NotFoundError(`An image does not exist locally with the tag: ${ref.replace(/:[^/:]*$/, '')}`);
      for (const e of events) onEvent?.(e);
      return { ...this.pushResult };
    },
  };

  containers: DockerEngine['containers'] = {
    create: async (options: CreateContainerOptions) => {
      this.record('containers.create', options);
      if (!this.hasImage(options.image)) throw new NotFoundError(`No such image: ${withTag(options.image)}`);
      if (options.name && this.containerList.some((c) => c.name === options.name)) {
        throw new ConflictError(
          `Conflict. The container name "/${options.name}" is already in use by container "${'f'.repeat(64)}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
      const c = this.addContainer({
        name: options.name ?? `fake_${this.seq + 1}`,
        image: options.image,
        state: 'created',
        status: 'Created',
      });
      this.inspects.set(c.id, this.inspectOf(c, options.tty ?? false, options.openStdin ?? false));
      return { id: c.id, warnings: [] };
    },
    start: async (idOrName, attach) => {
      this.record('containers.start', idOrName, attach);
      const c = this.findContainer(idOrName);
      c.state = 'running';
      if (!attach) return undefined;
      return this.newProcess({ kind: 'start', id: c.id });
    },
    stop: async (idOrName, options) => {
      this.record('containers.stop', idOrName, options);
      this.findContainer(idOrName).state = 'exited';
    },
    restart: async (idOrName, options) => {
      this.record('containers.restart', idOrName, options);
      this.findContainer(idOrName).state = 'running';
    },
    kill: async (idOrName, signal) => {
      this.record('containers.kill', idOrName, signal);
      const c = this.findContainer(idOrName);
      if (c.state !== 'running') throw new ConflictError(`Cannot kill container: ${idOrName}: container ${c.id} is not running`);
    },
    stats: async (options) => {
      this.record('containers.stats', options);
      const chosen = options.names?.length
        ? options.names.map((n) => this.findContainer(n))
        : this.containerList.filter((c) => options.all || c.state === 'running');
      // the scripted figures of a test double: 1.5% CPU, 1 MiB of a 256 MiB machine, one process
      return chosen.map((c) => ({
        id: c.id,
        name: c.name,
        cpuPercent: c.state === 'running' ? 1.5 : 0,
        memoryUsage: c.state === 'running' ? 1024 * 1024 : 0,
        memoryLimit: 256 * 1024 * 1024,
        pids: c.state === 'running' ? 1 : 0,
        running: c.state === 'running',
      }));
    },
    rename: async (idOrName, newName) => {
      this.record('containers.rename', idOrName, newName);
      const c = this.findContainer(idOrName);
      c.name = newName;
    },
    update: async (idOrName, update) => {
      this.record('containers.update', idOrName, update);
      this.findContainer(idOrName);
    },
    pause: async (idOrName) => {
      this.record('containers.pause', idOrName);
      const c = this.findContainer(idOrName);
      if (c.state !== 'running') throw new ConflictError(`container ${c.id} is not running`);
      c.state = 'paused';
    },
    unpause: async (idOrName) => {
      this.record('containers.unpause', idOrName);
      const c = this.findContainer(idOrName);
      if (c.state !== 'paused') throw new ConflictError(`container ${c.id} is not paused`);
      c.state = 'running';
    },
    remove: async (idOrName, options) => {
      this.record('containers.remove', idOrName, options);
      const c = this.findContainer(idOrName);
      if (c.state === 'running' && !options?.force) {
        throw new ConflictError(
          `cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`,
        );
      }
      this.containerList = this.containerList.filter((x) => x !== c);
    },
    list: async (options) => {
      this.record('containers.list', options);
      return options?.all ? this.containerList : this.containerList.filter((c) => c.state === 'running');
    },
    inspect: async (idOrName) => {
      this.record('containers.inspect', idOrName);
      const c = this.findContainer(idOrName);
      return this.inspects.get(c.id) ?? this.inspectOf(c);
    },
    logs: async (idOrName, options) => {
      this.record('containers.logs', idOrName, {
        follow: options?.follow,
        tail: options?.tail,
        since: options?.since,
        until: options?.until,
      });
      const c = this.findContainer(idOrName);
      const all = this.logEntries.get(c.id) ?? [];
      const tail = options?.tail ?? -1;
      const seconds = (time: string) => Date.parse(time) / 1000;
      let since = options?.since === undefined ? undefined : Number(options.since);
      for (const e of tail < 0 ? all : tail === 0 ? [] : all.slice(-tail)) {
        if (since !== undefined && seconds(e.time) < since) continue;
        since = undefined;
        if (options?.until !== undefined && seconds(e.time) > Number(options.until)) return;
        options?.onEntry(e);
      }
    },
    diff: async (idOrName) => {
      this.record('containers.diff', idOrName);
      return this.changes.get(this.findContainer(idOrName).id) ?? [];
    },
    export: async (idOrName) => {
      this.record('containers.export', idOrName);
      this.findContainer(idOrName);
      return this.saveArchive;
    },
    commit: async (idOrName, options) => {
      this.record('containers.commit', idOrName, options);
      this.findContainer(idOrName);
      return 'sha256:' + 'd'.repeat(64);
    },
    exec: async (idOrName, options) => {
      this.record('containers.exec', idOrName, options);
      const c = this.findContainer(idOrName);
      if (c.state !== 'running') throw new ConflictError(`container ${c.id} is not running`);
      return this.newProcess({ kind: 'exec', id: c.id, cmd: options.cmd });
    },
    attach: async (idOrName) => {
      this.record('containers.attach', idOrName);
      const c = this.findContainer(idOrName);
      if (c.state !== 'running') throw new ConflictError('You cannot attach to a stopped container, start it first');
      return this.newProcess({ kind: 'start', id: c.id });
    },
    dial: async (idOrName, port) => {
      this.record('containers.dial', idOrName, port);
      const c = this.findContainer(idOrName);
      return this.newProcess({ kind: 'exec', id: c.id, cmd: ['dial', String(port)] });
    },
    publishedAt: async () => undefined,
    top: async (idOrName) => {
      this.record('containers.top', idOrName);
      this.findContainer(idOrName);
      return {
        titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
        processes: [['root', '1234', '1200', '0', '12:00', '?', '00:00:00', 'sleep 1000']],
      };
    },
    statPath: async (idOrName, path) => {
      this.record('containers.statPath', idOrName, path);
      return this.fsOf(idOrName).statPath(idOrName, path);
    },
    copyFrom: async (idOrName, path, options) => {
      this.record('containers.copyFrom', idOrName, path);
      if (options?.signal?.aborted) throw new OperationCancelledError('copying');
      return this.fsOf(idOrName).archive(idOrName, path);
    },
    copyTo: async (idOrName, path, tar, options) => {
      this.record('containers.copyTo', idOrName, path);
      const fs = this.fsOf(idOrName);
      this.copiedTo.push({ id: this.findContainer(idOrName).id, path, tar, copyUIDGID: !!options?.copyUIDGID });
      fs.extract(idOrName, path, tar);
    },
    wait: async (idOrName) => {
      this.record('containers.wait', idOrName);
      return this.findContainer(idOrName).exitCode;
    },
    prune: async () => {
      this.record('containers.prune');
      return this.pruneReports.containers;
    },
  };

  /** Networks `network ls` and `inspect` show. */
  networkList: NetworkInspect[] = [];
  networks: DockerEngine['networks'] = {
    create: async (name, options) => {
      this.record('networks.create', name, options);
      const id = (this.networkList.length + 1).toString(16).padStart(2, '0').repeat(32);
      this.networkList.push({
        Name: name,
        Id: id,
        Created: '2024-05-01T10:00:00Z',
        Scope: 'local',
        Driver: options?.driver ?? 'bridge',
        EnableIPv4: true,
        EnableIPv6: false,
        IPAM: {
          Driver: 'default',
          Options: {},
          Config: [{ Subnet: options?.subnet ?? '172.18.0.0/16', Gateway: options?.gateway ?? '172.18.0.1' }],
        },
        Internal: !!options?.internal,
        Attachable: !!options?.attachable,
        Ingress: false,
        ConfigFrom: { Network: '' },
        ConfigOnly: false,
        Containers: {},
        Options: options?.options ?? {},
        Labels: options?.labels ?? {},
      });
      return id;
    },
    list: async () => {
      this.record('networks.list');
      return this.networkList;
    },
    inspect: async (n) => {
      this.record('networks.inspect', n);
      const found = this.networkList.find((x) => x.Name === n || x.Id.startsWith(n));
      if (!found) throw new NotFoundError(`network ${n} not found`);
      return found;
    },
    remove: async (n) => {
      this.record('networks.remove', n);
      const i = this.networkList.findIndex((x) => x.Name === n || x.Id.startsWith(n));
      if (i < 0) throw new NotFoundError(`network ${n} not found`);
      this.networkList.splice(i, 1);
    },
    prune: async () => {
      this.record('networks.prune');
      return { deleted: [], spaceReclaimed: 0 };
    },
    connect: async (n, c, o) => this.record('networks.connect', n, c, o),
    disconnect: async (n, c, o) => this.record('networks.disconnect', n, c, o),
  };

  volumes: DockerEngine['volumes'] = {
    create: async (name, labels) => {
      this.record('volumes.create', name, labels);
      const v: VolumeInfo = {
        Name: name ?? 'e'.repeat(64),
        Driver: 'local',
        Mountpoint: `/var/lib/docker/volumes/${name ?? 'anon'}/_data`,
        CreatedAt: '2024-05-01T10:00:00Z',
        Labels: labels ?? {},
        Scope: 'local',
      };
      this.volumeList.push(v);
      return v;
    },
    list: async () => {
      this.record('volumes.list');
      return this.volumeList;
    },
    inspect: async (name) => {
      this.record('volumes.inspect', name);
      const v = this.volumeList.find((x) => x.Name === name);
      if (!v) throw new NotFoundError(`get ${name}: no such volume`);
      return v;
    },
    remove: async (name, options) => {
      this.record('volumes.remove', name, options);
      if (!this.volumeList.some((x) => x.Name === name)) throw new NotFoundError(`get ${name}: no such volume`);
      this.volumeList = this.volumeList.filter((x) => x.Name !== name);
    },
    prune: async (options) => {
      this.record('volumes.prune', options);
      return this.pruneReports.volumes;
    },
  };

  build = async (options: BuildOptions): Promise<BuildResult> => {
    this.record('build', { ...options, context: [...options.context.keys()] });
    for (const e of this.buildScript.events) options.onEvent?.(e);
    if (this.buildScript.error) throw this.buildScript.error;
    const result = this.buildScript.result ?? { imageId: 'sha256:' + 'b'.repeat(64), tags: [], steps: [] };
    return { ...result, tags: result.tags.length ? result.tags : (options.tags ?? []) };
  };

  /** What `interruptedBuilds` reports (once). */
  interrupted: InterruptedBuild[] = [];
  interruptedBuilds = async (): Promise<InterruptedBuild[]> => {
    this.record('interruptedBuilds');
    return this.interrupted.splice(0);
  };

  /** Logins kept, by host (`docker.io` for Docker Hub); with `loginMessage` unset, `login` checks against `accounts`. */
  logins = new Map<string, { username: string; password: string }>();
  /** Username → password the fake registry accepts. */
  accounts = new Map<string, string>();
  private static host(server?: string): string {
    const s = (server ?? '').replace(/^https?:\/\//, '').split('/')[0] ?? '';
    return s === '' || s === 'index.docker.io' ? 'docker.io' : s;
  }

  loginStatus = async (server?: string): Promise<{ server: string; username?: string }> => {
    this.record('loginStatus', server);
    if (this.loginMessage) throw new UnavailableError(this.loginMessage);
    const host = FakeEngine.host(server);
    const kept = this.logins.get(host);
    return kept ? { server: host, username: kept.username } : { server: host };
  };

  login = async (server?: string, credentials?: { username: string; password: string }): Promise<{ status: string; server: string }> => {
    this.record('login', server, credentials?.username);
    if (this.loginMessage) throw new UnavailableError(this.loginMessage);
    const host = FakeEngine.host(server);
    const use = credentials ?? this.logins.get(host);
    if (!use || this.accounts.get(use.username) !== use.password)
      throw new UnavailableError(`Get "http://${host}/v2/": unauthorized: authentication required`);
    this.logins.set(host, use);
    return { status: 'Login Succeeded', server: host };
  };

  logout = async (server?: string): Promise<boolean> => {
    this.record('logout', server);
    return this.logins.delete(FakeEngine.host(server));
  };

  system: DockerEngine['system'] = {
    df: async () => {
      this.record('system.df');
      return this.diskUsage;
    },
    prune: async (options) => {
      this.record('system.prune', options);
      return this.pruneReports.system;
    },
    info: async () => {
      this.record('system.info');
      return {
        kernelVersion: '6.1.0',
        memTotal: 512 * 1024 * 1024,
        containers: this.containerList.length,
        running: 1,
        images: this.imageList.length,
        serverVersion: '0.1.0',
      };
    },
  };
}

/** A CliIO that records output; `stdin()` feeds input, `end()` closes it, `interrupt()` is Ctrl-C; `host` is the local file system (cwd `/home/me`). */
export function captureIO(options: { tty?: boolean; stdin?: boolean; columns?: number; now?: string; host?: MemFs } = {}) {
  let out = '';
  let err = '';
  const outBytes: Uint8Array[] = [];
  const stdinL = new Set<(d: Uint8Array) => void>();
  const endL = new Set<() => void>();
  const resizeL = new Set<(r: number, c: number) => void>();
  const controller = new AbortController();
  const files = new Map<string, Uint8Array>();
  const now = new Date(options.now ?? '2024-05-01T12:00:00Z');
  const text = (t: string | Uint8Array): string => (typeof t === 'string' ? t : dec.decode(t));
  const io: CliIO = {
    stdout: (t) => {
      out += text(t);
      outBytes.push(typeof t === 'string' ? enc.encode(t) : t);
    },
    stderr: (t) => {
      err += text(t);
    },
    isTTY: options.tty ?? false,
    columns: options.columns ?? 80,
    rows: 24,
    signal: controller.signal,
    now: () => now,
    readFile: async (path) => {
      const f = files.get(path);
      if (!f) throw new Error(`open ${path}: no such file or directory`);
      return f;
    },
    writeFile: async (path, data) => {
      files.set(path, data);
    },
    hostFS: options.host ?? new MemFs('/home/me').dir('/home/me'),
  };
  if (options.stdin ?? true) {
    io.onStdin = (l) => {
      stdinL.add(l);
      return () => stdinL.delete(l);
    };
    io.onStdinEnd = (l) => {
      endL.add(l);
      return () => endL.delete(l);
    };
    io.onResize = (l) => {
      resizeL.add(l);
      return () => resizeL.delete(l);
    };
  }
  return {
    io,
    files,
    out: () => out,
    err: () => err,
    /** Everything written to stdout, as bytes. */
    outBytes: (): Uint8Array => {
      const n = outBytes.reduce((s, b) => s + b.length, 0);
      const all = new Uint8Array(n);
      let pos = 0;
      for (const b of outBytes) {
        all.set(b, pos);
        pos += b.length;
      }
      return all;
    },
    stdin: (t: string | Uint8Array) => {
      for (const l of [...stdinL]) l(typeof t === 'string' ? enc.encode(t) : t);
    },
    end: () => {
      for (const l of [...endL]) l();
    },
    resize: (r: number, c: number) => {
      for (const l of [...resizeL]) l(r, c);
    },
    interrupt: () => controller.abort(),
    listeners: () => ({ stdin: stdinL.size, end: endL.size, resize: resizeL.size }),
  };
}
