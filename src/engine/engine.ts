/**
 * The engine: images, containers, volumes and builds over injected stores and a guest. It
 * implements `DockerEngine`, the interface the CLI and the UI use, and never chooses a runtime:
 * `getGuest` is handed in (a V86Machine in Node, a RemoteMachine in the browser).
 */
import { collect, type GuestMachine } from '../runtime/types.ts';
import type { BuildOptions, BuildResult, DiskUsage, DockerEngine, InterruptedBuild, PruneReport, PullEvent, RegistryLogin } from './api.ts';
import { Builder } from './builder/builder.ts';
import { ContainerManager, type ContainerEvent } from './containers/manager.ts';
import { GuestLayerCache } from './guest/layer-cache.ts';
import { ImageStore } from './images/store.ts';
import type { ImageSource } from './images/source.ts';
import type { Digest } from './store/digest.ts';
import { Leases } from './store/leases.ts';
import type { BlobStore, MetadataStore } from './store/types.ts';
import { VolumeManager, type VolumeEvent } from './volumes/manager.ts';
import { NetworkManager, type NetworkEvent } from './networks/manager.ts';
import { loadImages, type MachineStorage } from './images/load.ts';
import { saveImages } from './images/save.ts';
import { searchImages } from './images/search.ts';
import { parseReference } from './images/reference.ts';
import { EventLog, type EventQuery } from './events.ts';
import { BindMounts, type BindHost } from './containers/binds.ts';
import { LocalRegistry } from './registry/registry.ts';
import { isLocalRegistryReference, pullFromRegistry, push } from './registry/transfer.ts';
import { parseRemoteReference, RemoteRegistries } from './registry/remote/index.ts';

/** What an engine is made of. */
export interface EngineOptions {
  blobs: BlobStore;
  meta: MetadataStore;
  /** The guest, started on first need. */
  getGuest(): Promise<GuestMachine>;
  /** Offline base images. */
  source: ImageSource;
  now?: () => Date;
  /** Sees the progress of every image pull (for a progress bar). */
  onPullEvent?: (reference: string, event: PullEvent) => void;
  /** Told when a container is created, starts, dies or is removed (for pictures that follow them). */
  onContainerEvent?: (event: ContainerEvent) => void;
  /** While containers run, save their files this often (ms; see ContainerDeps.checkpointEvery). */
  checkpointEvery?: number;
  /** Told when a volume is created or removed. */
  onVolumeEvent?: (event: VolumeEvent) => void;
  /** Told when a network is created, removed, connected to or disconnected from. */
  onNetworkEvent?: (event: NetworkEvent) => void;
  /** The host's files for bind mounts (the disk in Node, the workspace in the page); absent: bind mounts are refused. */
  bindHost?: BindHost;
  /**
   * HTTP for registries other than localhost:5000 (`globalThis.fetch`): pull from and push to
   * `HOST[:PORT]/NAME:TAG`, `docker login`. Absent: only the offline catalog and localhost:5000.
   */
  fetch?: typeof fetch;
  /** Pull docker.io references the offline catalog lacks from Docker Hub (the Node CLI only: Docker Hub sends no CORS headers). */
  dockerHub?: boolean;
  /** The page's origin when the engine runs in a page (CORS applies to its fetches; errors say so); absent in Node. */
  origin?: string;
  /** Bytes per PATCH of a chunked blob upload to a remote registry (default 5 MiB). */
  uploadChunkSize?: number;
}

/** LayerLab's container engine. */
export class Engine implements DockerEngine {
  readonly imageStore: ImageStore;
  readonly containerManager: ContainerManager;
  readonly volumeManager: VolumeManager;
  readonly networkManager: NetworkManager;
  /** Bind mounts of running containers, kept in step with the host. */
  readonly binds: BindMounts;
  readonly builder: Builder;
  /** The registry at localhost:5000, kept in the same content store. */
  readonly registry: LocalRegistry;
  /** Other registries, over `options.fetch`. */
  readonly remote: RemoteRegistries;
  private readonly layerCache: GuestLayerCache;
  /** Held by every operation that writes blobs before their records: no sweep runs meanwhile. */
  readonly leases = new Leases();
  /** A collection was asked for while a lease was held: it runs when the last lease ends. */
  private gcDeferred = false;
  /** What happened since the engine started (`docker events`). */
  readonly eventLog: EventLog;

  constructor(private readonly options: EngineOptions) {
    const now = options.now ?? (() => new Date());
    const events = new EventLog(now);
    this.eventLog = events;
    // under pressure the guest evicts extracted layers: never a running container's, those no image names first
    this.layerCache = new GuestLayerCache(options.blobs, async () => ({
      pinned: await this.layersOf(await this.containerManager.runningImageIds()),
      referenced: await this.layersOf((await this.imageStore.list({ all: true })).map((i) => i.id)),
    }));
    this.imageStore = new ImageStore({
      blobs: options.blobs,
      meta: options.meta,
      source: options.source,
      now,
      containersUsing: () => this.containerManager.imagesInUse(),
      ...(options.onPullEvent ? { onPullEvent: options.onPullEvent } : {}),
    });
    this.volumeManager = new VolumeManager({
      blobs: options.blobs,
      meta: options.meta,
      now,
      usersOf: (name) => this.containerManager.usersOfVolume(name),
      getGuest: options.getGuest,
      onEvent: (e) => {
        events.record('volume', e.action, e.name, { driver: 'local' });
        options.onVolumeEvent?.(e);
      },
    });
    this.networkManager = new NetworkManager({
      meta: options.meta,
      now,
      users: () => this.containerManager.networkUsers(),
      getGuest: options.getGuest,
      onEvent: (e) => {
        const attributes: Record<string, string> = { name: e.name, type: 'bridge' };
        if (e.container) attributes.container = e.container;
        events.record('network', e.action, e.id, attributes);
        options.onNetworkEvent?.(e);
      },
    });
    this.binds = new BindMounts(options.bindHost);
    this.containerManager = new ContainerManager({
      getGuest: options.getGuest,
      blobs: options.blobs,
      meta: options.meta,
      layers: this.layerCache,
      volumes: this.volumeManager,
      networks: this.networkManager,
      images: this.imageStore,
      binds: this.binds,
      now,
      onEvent: (e) => {
        const attributes: Record<string, string> = { ...e.labels, ...e.attributes, image: e.image, name: e.name };
        if (e.exitCode !== undefined) attributes.exitCode = String(e.exitCode);
        events.record('container', e.command ? `${e.action}: ${e.command}` : e.action, e.id, attributes);
        options.onContainerEvent?.(e);
      },
      ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    });
    this.registry = new LocalRegistry({ blobs: options.blobs, meta: options.meta });
    this.remote = new RemoteRegistries(
      {
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.dockerHub ? { dockerHub: true } : {}),
        ...(options.origin !== undefined ? { origin: options.origin } : {}),
        ...(options.uploadChunkSize ? { chunkSize: options.uploadChunkSize } : {}),
      },
      { images: this.imageStore, blobs: options.blobs, meta: options.meta },
    );
    this.builder = new Builder({
      images: this.imageStore,
      // FROM and COPY --from pull as docker pull does: localhost:5000 and registries too
      pull: (reference, signal) => this.images.pull(reference, undefined, signal),
      containers: this.containerManager,
      meta: options.meta,
      blobs: options.blobs,
      now,
    });
  }

  /** The diffIDs of the layers of these images (images that are gone count for nothing). */
  private async layersOf(imageIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const id of new Set(imageIds)) {
      const image = await this.imageStore.resolve(id).catch(() => undefined);
      for (const l of image?.layers ?? []) out.add(l.diffID);
    }
    return out;
  }

  /**
   * Deletes blobs nothing refers to; returns bytes freed. While a lease is held (a pull, load,
   * build, commit, push or copy is writing blobs whose records do not exist yet) it sweeps nothing
   * and returns 0, and runs once the last lease ends; `wait` waits for that instead.
   */
  async gc(options: { wait?: boolean } = {}): Promise<number> {
    if (this.leases.active && !options.wait) {
      if (!this.gcDeferred) {
        this.gcDeferred = true;
        void this.leases.idle().then(() => {
          this.gcDeferred = false;
          return this.gc();
        });
      }
      return 0;
    }
    await this.leases.idle();
    return this.sweep();
  }

  private async sweep(): Promise<number> {
    const live = new Set<string>([
      ...(await this.imageStore.referencedBlobs()),
      ...(await this.containerManager.referencedBlobs()),
      ...(await this.volumeManager.referencedBlobs()),
      ...(await this.registry.referencedBlobs()),
    ]);
    let freed = 0;
    for (const b of await this.options.blobs.list()) {
      if (live.has(b.digest)) continue;
      await this.options.blobs.delete(b.digest as Digest);
      freed += b.size;
    }
    await this.imageStore.forgetLayersWithout(live);
    return freed;
  }

  private storage: Promise<MachineStorage | undefined> | undefined;
  /**
   * What the guest can hold for layers and containers (its tmpfs at /var/lib/layerlab: bytes and
   * inodes), asked once; undefined when the guest cannot say (then loads are not checked against it).
   */
  machineStorage(): Promise<MachineStorage | undefined> {
    this.storage ??= (async () => {
      try {
        const guest = await this.options.getGuest();
        const r = await collect(await guest.spawn({ argv: ['stat', '-f', '-c', '%b %S %c', '/var/lib/layerlab'], stdinNull: true }));
        const [blocks, blockSize, inodes] = new TextDecoder().decode(r.stdout).trim().split(/\s+/).map(Number);
        if (r.status.code === 0 && blocks! > 0 && blockSize! > 0 && inodes! > 0) return { bytes: blocks! * blockSize!, files: inodes! };
      } catch {
        // no answer: loads go unchecked against the machine
      }
      return undefined;
    })();
    return this.storage;
  }

  private withGc<A extends unknown[]>(fn: (...args: A) => Promise<PruneReport>): (...args: A) => Promise<PruneReport> {
    return async (...args: A) => {
      const report = await fn(...args);
      await this.gc();
      return report;
    };
  }

  readonly images: DockerEngine['images'] = {
    list: (o) => this.imageStore.list(o),
    inspect: (r) => this.imageStore.inspect(r),
    history: (r) => this.imageStore.history(r),
    tag: async (s, t) => {
      await this.imageStore.tag(s, t);
      const id = (await this.imageStore.resolve(t)).id;
      this.eventLog.record('image', 'tag', id, { name: parseReference(t).familiar });
    },
    remove: async (r, o) => {
      const res = await this.imageStore.remove(r, o);
      for (const ref of res.untagged) this.eventLog.record('image', 'untag', ref, { name: ref });
      for (const id of res.deleted) this.eventLog.record('image', 'delete', id, { name: id });
      await this.gc();
      return res;
    },
    prune: this.withGc((o) => this.imageStore.prune(o)),
    pull: async (r, e, s) => {
      const pulled = await this.leases.hold(async () => {
        const local = isLocalRegistryReference(r);
        if (!local && !(await this.remote.pulls(r, () => this.imageStore.available()))) return this.imageStore.pull(r, e, s);
        // whoever draws a progress bar sees registry pulls too, as ImageStore.pull shows offline ones
        const key = parseRemoteReference(r).familiar;
        const onEvent = (event: PullEvent): void => {
          e?.(event);
          this.options.onPullEvent?.(key, event);
        };
        try {
          return local ? await pullFromRegistry(this.imageStore, this.registry, r, onEvent, s) : await this.remote.pull(r, onEvent, s);
        } catch (err) {
          this.options.onPullEvent?.(key, { id: '', status: `Error: ${(err as Error).message}` });
          throw err;
        }
      });
      this.eventLog.record('image', 'pull', pulled.reference, { name: pulled.reference.replace(/@sha256:[0-9a-f]+$|:[^:/@]*$/, '') });
      return pulled;
    },
    available: () => this.imageStore.available(),
    search: async (term) => {
      this.remote.refuseSearch(term);
      return searchImages(this.options.source, this.registry, term);
    },
    save: (refs) => saveImages(this.imageStore, this.options.blobs, refs),
    importFilesystem: async (archive, o) => {
      const id = await this.leases.hold(() => this.imageStore.importFilesystem(archive, o));
      this.eventLog.record('image', 'import', id, { name: id });
      return id;
    },
    load: (archive, onEvent) =>
      this.leases.hold(async () => {
        const machine = await this.machineStorage();
        const r = await loadImages(this.imageStore, this.options.blobs, this.options.meta, archive, onEvent, machine ? { machine } : {});
        return { loaded: r.loaded, warnings: r.warnings };
      }),
    push: (ref, onEvent, signal) =>
      this.leases.hold(async () => {
        const r = this.remote.pushes(ref)
          ? await this.remote.push(ref, onEvent, signal)
          : await push(this.imageStore, this.registry, ref, onEvent);
        this.eventLog.record('image', 'push', r.reference, { name: r.reference.replace(/@sha256:[0-9a-f]+$|:[^:/@]*$/, '') });
        return { digest: r.digest, size: r.size };
      }),
  };

  loginStatus(server?: string): Promise<{ server: string; username?: string }> {
    return this.remote.loginStatus(server);
  }

  login(server?: string, credentials?: RegistryLogin, signal?: AbortSignal): Promise<{ status: string; server: string }> {
    return this.remote.login(server, credentials, signal);
  }

  logout(server?: string): Promise<boolean> {
    return this.remote.logout(server);
  }

  readonly buildCache: DockerEngine['buildCache'] = {
    prune: async () => {
      const cache = await this.builder.pruneCache();
      return { deleted: cache.deleted, spaceReclaimed: await this.gc({ wait: true }) };
    },
  };

  events(query: EventQuery): Promise<void> {
    return this.eventLog.events(query);
  }

  readonly containers: DockerEngine['containers'] = {
    create: (o) => this.containerManager.create(o),
    start: (id, a) => this.containerManager.start(id, a),
    stop: (id, o) => this.containerManager.stop(id, o),
    restart: (id, o) => this.containerManager.restart(id, o),
    kill: (id, s) => this.containerManager.kill(id, s),
    rename: (id, name) => this.containerManager.rename(id, name),
    update: (id, u) => this.containerManager.update(id, u),
    stats: (o) => this.containerManager.stats(o),
    pause: (id) => this.containerManager.pause(id),
    unpause: (id) => this.containerManager.unpause(id),
    remove: async (id, o) => {
      await this.containerManager.remove(id, o);
      await this.gc();
    },
    list: (o) => this.containerManager.list(o),
    inspect: (id) => this.containerManager.inspect(id),
    logs: (id, o) => this.containerManager.logs(id, o ?? { onEntry: () => {} }),
    diff: (id) => this.containerManager.diff(id),
    commit: (id, o) => this.leases.hold(() => this.containerManager.commit(id, o)),
    export: (id) => this.containerManager.export(id),
    exec: (id, o) => this.containerManager.exec(id, o),
    attach: (id) => this.containerManager.attach(id),
    top: (id) => this.containerManager.top(id),
    dial: (id, port) => this.containerManager.dial(id, port),
    publishedAt: (port) => this.containerManager.publishedAt(port),
    statPath: (id, p, o) => this.containerManager.statPath(id, p, o),
    copyFrom: (id, p, o) => this.containerManager.copyFrom(id, p, o),
    copyTo: async (id, p, t, o) => {
      // a copy into a stopped container replaces its saved layer: the old blob goes
      if (await this.leases.hold(() => this.containerManager.copyTo(id, p, t, o))) await this.gc();
    },
    wait: (id) => this.containerManager.wait(id),
    prune: this.withGc(() => this.containerManager.prune()),
  };

  readonly networks: DockerEngine['networks'] = {
    create: (name, o) => this.networkManager.create(name, o),
    list: () => this.networkManager.list(),
    inspect: (n) => this.networkManager.inspect(n),
    remove: (n) => this.networkManager.remove(n),
    prune: () => this.networkManager.prune(),
    connect: (n, c, o) => this.containerManager.connect(n, c, o),
    disconnect: (n, c) => this.containerManager.disconnect(n, c),
  };

  readonly volumes: DockerEngine['volumes'] = {
    create: (n, l) => this.volumeManager.create(n, l),
    list: () => this.volumeManager.list(),
    inspect: (n) => this.volumeManager.inspect(n),
    remove: async (n, o) => {
      await this.volumeManager.remove(n, o);
      await this.gc();
    },
    prune: this.withGc((o) => this.volumeManager.prune(o)),
  };

  build(options: BuildOptions): Promise<BuildResult> {
    return this.leases.hold(() => this.builder.build(options));
  }

  interruptedBuilds(): Promise<InterruptedBuild[]> {
    return this.builder.interruptedBuilds();
  }

  readonly system: DockerEngine['system'] = {
    df: async (): Promise<DiskUsage> => {
      const { images, buildCache } = await this.imageStore.usage();
      return { images, containers: await this.containerManager.usage(), volumes: await this.volumeManager.usage(), buildCache };
    },
    prune: async (o = {}): Promise<PruneReport> => {
      const c = await this.containerManager.prune();
      const v = o.volumes ? await this.volumeManager.prune() : { deleted: [], spaceReclaimed: 0 };
      const i = await this.imageStore.prune({ all: !!o.all });
      const cache = await this.builder.pruneCache();
      // what it freed is part of its answer: wait for writers rather than defer
      const freed = await this.gc({ wait: true });
      return { deleted: [...c.deleted, ...v.deleted, ...i.deleted, ...cache.deleted], spaceReclaimed: freed };
    },
    info: async () => {
      const guest = await this.options.getGuest();
      const r = await collect(
        await guest.spawn({ argv: ['sh', '-c', 'uname -r; sed -n "s/MemTotal: *\\([0-9]*\\) kB/\\1/p" /proc/meminfo'], stdinNull: true }),
      );
      const [kernel = '', mem = '0'] = new TextDecoder().decode(r.stdout).trim().split('\n');
      const containers = await this.containerManager.list({ all: true });
      return {
        kernelVersion: kernel,
        memTotal: Number(mem) * 1024,
        containers: containers.length,
        running: containers.filter((c) => c.state === 'running').length,
        paused: containers.filter((c) => c.state === 'paused').length,
        images: (await this.imageStore.list()).length,
        serverVersion: 'LayerLab 0.1',
      };
    },
  };
}
