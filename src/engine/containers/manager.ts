/**
 * Containers: an image's layers (read-only overlay lower dirs in the guest) + the container's
 * own read-write upper dir + config, run by the guest agent in new pid, uts, mount, ipc and net
 * namespaces under a cgroup.
 *
 * Lifecycle: create (record only) → start (layers extracted, overlay mounted, process spawned:
 * running) → the main process exits (exited; the upper dir is saved to the blob store as an OCI
 * layer, with the logs and any volumes it used) → start again reuses the upper dir (restored from
 * the store into a fresh guest) → rm deletes the record (and, through GC, its layer). Containers
 * that were running when the engine went away come back as exited (255), as after a daemon restart.
 *
 * While a container runs, `checkpoint` saves its read-write layer (and its volumes) to the store as
 * they are now; the page does so whenever it reads them. A page reload ends the guest and every
 * process in it, but not what the last checkpoint saved: the container comes back exited (255) with
 * that layer, and its State.Error says so.
 */
import type { GuestMachine, GuestProcess, SpawnSpec } from '../../runtime/types.ts';
import { signalNumber } from '../../runtime/types.ts';
import type {
  AttachOptions,
  AttachedProcess,
  ChangeEntry,
  ContainerInspect,
  ContainerStats,
  ContainerSummary,
  CreateContainerOptions,
  ExecOptions,
  LogEntry,
  ContainerUpdate,
  PathStat,
  PruneReport,
} from '../api.ts';
import { ConflictError, EngineError, InvalidArgumentError, NotFoundError } from '../errors.ts';
import { containerDirs, exportUpperDir, guestDirExists, guestShell } from '../guest/guest-fs.ts';
import { readTar, writeTar, type TarEntry } from '../layer/index.ts';
import type { Digest } from '../store/digest.ts';
import { rfc3339Nano } from '../util/time.ts';
import { containerInspect, containerSummary } from './inspect.ts';
import { LogLines } from './log-lines.ts';
import { loadLogs, LogFiles, MAX_LOG_ENTRIES, readLogs, saveLogs, type LogsOptions } from './log-store.ts';
import { rotationOf } from './record.ts';
import { attached, containerSpawnSpec } from './process.ts';
import { NAME_PATTERN } from '../util/ids.ts';
import {
  CONTAINERS,
  LOGS,
  ZERO_TIME,
  type ContainerAccess,
  type ContainerDeps,
  type ContainerRecord,
  type ContainerEvent,
  type Live,
  type ResolvedImage,
} from './types.ts';
import type { Attachment, NetworkUser } from '../networks/manager.ts';
import { connectContainer, dialContainer, disconnectContainer, publishedAt, type AttachContext } from './network-attach.ts';
import { checkHostConfig, networkModeOf, newContainerRecord } from './record.ts';
import { assignPorts, hostPortsInUse, type PortMap } from '../networks/ports.ts';
import { statsOf } from './stats.ts';
import { recoverContainers } from './recovery.ts';
import { attachToContainer, execInContainer, topOf } from './exec.ts';
import { commitContainer, containerDiff, copyFrom, copyTo, exportContainer, statPath } from './files.ts';
import { hasCpuLimits, prepareCpuCgroup, removeCgroup } from './cpu.ts';
import { HealthChecks } from './health.ts';
import { RestartPolicies } from './restart.ts';
import { applyLimits, updatedRecord } from './update.ts';
import { Checkpoints, setFrozen } from './sync.ts';
import { resolveUser } from './users.ts';
import { ContainerRoots } from './roots.ts';

export type { ContainerDeps, ContainerEvent, ContainerRecord, ImageResolver, ResolvedImage } from './types.ts';

/** A container as the network manager sees it. */
function networkUserOf(r: ContainerRecord): NetworkUser {
  const mode = networkModeOf(r);
  return {
    id: r.id,
    name: r.name,
    running: r.state.status === 'running' || r.state.status === 'paused',
    mode,
    networks: r.networks ?? { [mode]: {} },
    endpoints: r.endpoints ?? {},
    ...(r.ports ? { ports: r.ports } : {}),
  };
}

export class ContainerManager {
  private readonly live = new Map<string, Live>();
  /** Makes containers' roots ready in the guest. */
  private readonly roots: ContainerRoots;
  private recovered: Promise<void> | undefined;
  /** Per container, the checkpoint or exit being saved now: they run one after another. */
  private readonly saving = new Map<string, Promise<unknown>>();
  /** Checkpoints of running containers (one at a time each, and every few seconds while any runs). */
  private readonly checkpoints: Checkpoints;
  /** Containers the last engine left running, found by `recover` (told once, by `interruptedContainers`). */
  private readonly interrupted: { name: string; savedAt?: string }[] = [];

  /** Host ports handed to containers that are starting (their records do not hold them yet). */
  private readonly startingPorts = new Map<string, number[]>();
  /** Restart policies: stops by hand, delays, restarts waiting. */
  private readonly restarts = new RestartPolicies();
  /** Restart policies' starts under way, by container ID. */
  private readonly restartsStarting = new Map<string, Promise<void>>();
  /** Containers whose cgroup the engine made (with CPU limits) rather than the agent: removed by the engine when they stop. */
  private readonly cgroupsMade = new Set<string>();
  /** Health checks of the running containers. */
  private readonly health = new HealthChecks({
    exec: (id, argv) => this.exec(id, { cmd: argv }),
    save: (id, health) =>
      this.serial(id, async () => {
        const r = await this.deps.meta.get<ContainerRecord>(CONTAINERS, id);
        if (!r || (r.state.status !== 'running' && r.state.status !== 'paused')) return;
        r.state = { ...r.state, health };
        await this.save(r);
      }),
    changed: (id, status) =>
      void this.deps.meta.get<ContainerRecord>(CONTAINERS, id).then((r) => r && this.emit('health_status', r, { command: status })),
    now: () => this.deps.now(),
  });

  constructor(private readonly deps: ContainerDeps) {
    this.roots = new ContainerRoots(deps);
    this.checkpoints = new Checkpoints({
      deps,
      live: this.live,
      find: (idOrName) => this.find(idOrName),
      serial: (id, fn) => this.serial(id, fn),
    });
  }

  /** Tells `onEvent` what happened (a build's containers are never told of, as with BuildKit). */
  private emit(
    action: ContainerEvent['action'],
    r: ContainerRecord,
    extra: Pick<ContainerEvent, 'exitCode' | 'attributes' | 'command'> = {},
  ): void {
    if (r.build) return;
    this.deps.onEvent?.({ action, id: r.id, name: r.name, image: r.image, labels: r.config.labels, ...extra });
  }

  /** Runs `fn` after whatever is being saved for container `id` (a checkpoint, its exit). */
  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const before = this.saving.get(id) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => {});
    this.saving.set(id, tail);
    void tail.then(() => {
      if (this.saving.get(id) === tail) this.saving.delete(id);
    });
    return run;
  }

  /** Runs the recovery after a reload once (see recovery.ts); what it found is told by `interruptedContainers`. */
  private recover(): Promise<void> {
    this.recovered ??= recoverContainers(this.deps, (id) => this.live.has(id)).then((found) => void this.interrupted.push(...found));
    return this.recovered;
  }

  /**
   * Saves a running container's read-write layer (and its volumes) as they are now, and returns
   * the layer's entries; concurrent calls share one export. A stopped container's layer was saved
   * when it stopped: its saved entries are returned.
   */
  checkpoint(idOrName: string): Promise<TarEntry[]> {
    return this.checkpoints.checkpoint(idOrName);
  }

  /**
   * The containers that were running when the last engine went away (a page reload), with when
   * their files were last saved; each is told once.
   */
  async interruptedContainers(): Promise<{ name: string; savedAt?: string }[]> {
    await this.recover();
    return this.interrupted.splice(0);
  }

  /** Checkpoints every running container that has something to keep; errors are left for the next one. */
  checkpointRunning(): Promise<void> {
    return this.checkpoints.checkpointRunning();
  }

  /** Every container record, build containers included. */
  private async all(): Promise<ContainerRecord[]> {
    await this.recover();
    return (await this.deps.meta.list<ContainerRecord>(CONTAINERS)).map((e) => e.value);
  }

  /** The containers a user can see (`docker ps -a`): all but build containers. */
  private async visible(): Promise<ContainerRecord[]> {
    return (await this.all()).filter((r) => !r.build);
  }

  /** Finds a container by full ID, name or unique ID prefix (a build container only by its full ID). */
  async find(idOrName: string): Promise<ContainerRecord> {
    await this.recover();
    const name = idOrName.replace(/^\//, '');
    const everything = await this.all();
    const own = everything.find((r) => r.build && r.id === name);
    if (own) return own;
    const all = everything.filter((r) => !r.build);
    const exact = all.find((r) => r.id === name || r.name === name);
    if (exact) return exact;
    const byPrefix = /^[0-9a-f]+$/.test(name) ? all.filter((r) => r.id.startsWith(name)) : [];
    if (byPrefix.length === 1) return byPrefix[0]!;
    if (byPrefix.length > 1) throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${name}`);
    throw new NotFoundError(`No such container: ${idOrName}`);
  }

  private async save(r: ContainerRecord): Promise<void> {
    await this.deps.meta.put(CONTAINERS, r.id, r);
  }

  /** IDs of containers mounting a volume. */
  async usersOfVolume(name: string): Promise<string[]> {
    return (await this.all()).filter((r) => r.mounts.some((m) => m.Type === 'volume' && m.Name === name)).map((r) => r.id);
  }

  /** Image IDs in use by any container. */
  async imagesInUse(): Promise<Map<string, string[]>> {
    const used = new Map<string, string[]>();
    for (const r of await this.all()) used.set(r.imageId, [...(used.get(r.imageId) ?? []), r.id]);
    return used;
  }

  /** Blobs that containers refer to (their saved read-write layers). */
  async referencedBlobs(): Promise<string[]> {
    return [...this.checkpoints.pinned, ...(await this.all()).flatMap((r) => (r.rwLayer ? [r.rwLayer.digest] : []))];
  }

  /** Creates a container (`internal.buildStep`: a builder's container for a RUN step, see `ContainerRecord.build`). */
  async create(options: CreateContainerOptions, internal: { buildStep?: boolean } = {}): Promise<{ id: string; warnings: string[] }> {
    checkHostConfig(options);
    // a RUN step has no network, as `docker build --network none`
    const networkMode = internal.buildStep ? 'none' : await this.deps.networks.resolveMode(options.network);
    const userDefined = !['bridge', 'host', 'none'].includes(networkMode);
    if (options.networkAliases?.length && !userDefined)
      throw new InvalidArgumentError('network-scoped alias is supported only for containers in user defined networks');
    if (options.ip && !userDefined) throw new InvalidArgumentError('user specified IP address is supported on user defined networks only');
    const image = await this.deps.images.resolve(options.image);
    const record = await newContainerRecord(options, image, await this.all(), {
      volumes: this.deps.volumes,
      binds: this.deps.binds,
      now: this.deps.now(),
      buildStep: !!internal.buildStep,
      networkMode,
    });
    const warnings: string[] = [];
    if (networkMode === 'host' && (options.portBindings || options.publishAll))
      warnings.push('Published ports are discarded when using host network mode');
    // the machine has no swap: a swap allowance above the memory limit cannot be given
    if (options.memory && options.memorySwap !== undefined && (options.memorySwap === -1 || options.memorySwap > options.memory))
      warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    await this.save(record);
    this.emit('create', record);
    return { id: record.id, warnings };
  }

  /** The overlay and mounts of a container, ready in the guest (`starting`: its /etc files are written afresh). */
  private prepare(
    guest: GuestMachine,
    r: ContainerRecord,
    starting: boolean,
    network?: Attachment,
  ): Promise<SpawnSpec & { image: ResolvedImage }> {
    return this.roots.prepare(guest, r, starting, network);
  }

  /** What the network manager needs to know of each container. */
  async networkUsers(): Promise<NetworkUser[]> {
    return (await this.all()).map(networkUserOf);
  }

  async start(idOrName: string, attach?: AttachOptions): Promise<AttachedProcess | undefined> {
    const r = await this.find(idOrName);
    if (r.state.status === 'running') return undefined;
    if (r.state.status === 'paused') throw new ConflictError(`cannot start a paused container, try unpause instead`);
    this.restarts.cancel(r.id);
    this.restarts.takeStoppedByHand(r.id);
    delete r.manuallyStopped;
    const guest = await this.deps.getGuest();
    // the image's layers stay in the guest until the container has mounted them
    const release = this.deps.layers.claim((await this.deps.images.resolve(r.imageId)).layers.map((l) => l.diffID));
    let proc: GuestProcess;
    let network: Attachment | undefined;
    let ports: PortMap | undefined;
    try {
      const mode = networkModeOf(r);
      // the other containers once, for their addresses and ports (on host or none: nothing to relay to)
      const users = mode !== 'host' && mode !== 'none' ? (await this.all()).map(networkUserOf) : undefined;
      // host ports now, as the daemon binds them at start
      if (users) {
        const taken = hostPortsInUse(users, r.id);
        for (const [id, held] of this.startingPorts) if (id !== r.id) for (const p of held) taken.add(p);
        ports = assignPorts(r.hostConfig.portBindings ?? {}, r.exposedPorts ?? [], !!r.hostConfig.publishAllPorts, taken);
        this.startingPorts.set(
          r.id,
          Object.values(ports).flatMap((l) => l.map((b) => Number(b.HostPort))),
        );
      }
      network = await this.deps.networks.attach(
        {
          id: r.id,
          name: r.name,
          hostname: r.config.hostname,
          mode,
          networks: r.networks ?? { [mode]: {} },
        },
        users,
      );
      const { image: _image, ...base } = await this.prepare(guest, r, true, network);
      const { uid, gid, groups } = await resolveUser({ guest, base: { image: _image }, images: this.deps.images }, r.config.user);
      const spec = containerSpawnSpec(r, base, { uid, gid, groups }, attach?.size, network);
      if (hasCpuLimits(r)) {
        await prepareCpuCgroup(guest, r);
        this.cgroupsMade.add(r.id);
      }
      try {
        proc = await guest.spawn(spec);
      } catch (err) {
        r.state = { ...r.state, status: 'exited', exitCode: 128, error: (err as Error).message };
        await this.save(r);
        throw new EngineError('guest', `failed to start container ${r.name}: ${(err as Error).message}`, { cause: err });
      }
    } catch (err) {
      this.deps.networks.release(r.id);
      this.startingPorts.delete(r.id);
      // its binds were filled for a process that never ran
      await this.deps.binds.unmount(r.id, { sync: false }).catch(() => {});
      throw err;
    } finally {
      release();
    }
    const logConfig = r.hostConfig.logConfig;
    // --log-driver none: nothing is kept
    const logs = logConfig?.Type === 'none' ? [] : await loadLogs(this.deps.meta, r.id);
    const rotation = logConfig?.Config['max-size'] ? rotationOf(logConfig.Config) : undefined;
    const files = rotation ? new LogFiles(rotation, logs) : undefined;
    const listeners = new Set<(e: LogEntry) => void>();
    const lines = new LogLines(
      (e) => {
        if (logConfig?.Type !== 'none') logs.push(e);
        files?.added(e, logs);
        if (logs.length > MAX_LOG_ENTRIES) logs.splice(0, logs.length - MAX_LOG_ENTRIES);
        for (const l of listeners) l(e);
      },
      () => rfc3339Nano(this.deps.now(), (performance.now() % 1) * 1e6),
    );
    const live: Live = { proc, guest, logs, listeners, lines, output: [], outputListeners: new Set(), finished: Promise.resolve() };
    this.live.set(r.id, live);
    this.checkpoints.follow();
    const health = this.health.start(r);
    r.state = {
      ...r.state,
      ...(health ? { health } : {}),
      status: 'running',
      pid: proc.pid,
      exitCode: 0,
      oomKilled: false,
      error: '',
      startedAt: this.deps.now().toISOString(),
      finishedAt: ZERO_TIME,
    };
    r.endpoints = network.endpoints;
    if (ports && Object.keys(ports).length) r.ports = ports;
    else delete r.ports;
    await this.save(r);
    // the record holds its addresses and ports now
    this.deps.networks.release(r.id);
    this.startingPorts.delete(r.id);
    this.emit('start', r);
    const record = (stream: 'stdout' | 'stderr') => (chunk: Uint8Array) => {
      const data = chunk.slice();
      // kept only for an attach (docker run, start -a), which comes after start returns
      if (attach && live.output.length < MAX_LOG_ENTRIES) live.output.push({ stream, data });
      for (const l of live.outputListeners) l(stream, data);
      live.lines.write(stream, data);
    };
    proc.onStdout(record('stdout'));
    proc.onStderr(record('stderr'));
    live.finished = proc.exit.then(
      (status) => this.serial(r.id, () => this.finish(r.id, live, status.code, status.oomKilled, '')),
      (err: Error) => this.serial(r.id, () => this.finish(r.id, live, 255, false, err.message)),
    );
    if (!attach) return undefined;
    // replay what the process already printed (the caller attaches after start returns)
    const replayed = (stream: 'stdout' | 'stderr') => (listener: (d: Uint8Array) => void) => {
      for (const o of live.output) if (o.stream === stream) listener(o.data);
      const wrapped = (s: LogEntry['stream'], data: Uint8Array) => {
        if (s === stream) listener(data);
      };
      live.outputListeners.add(wrapped);
      return () => live.outputListeners.delete(wrapped);
    };
    return {
      ...attached(
        proc,
        live.finished.then(() => live.exitCode ?? 255),
      ),
      onStdout: replayed('stdout'),
      onStderr: replayed('stderr'),
    };
  }

  private async finish(id: string, live: Live, code: number, oom: boolean, error: string): Promise<void> {
    live.exitCode = code;
    this.health.stop(id);
    // a cgroup the engine made (CPU limits): what is left in it ends with the main process, as Docker's do
    if (this.cgroupsMade.delete(id)) await removeCgroup(live.guest, id).catch(() => {});
    // the end of an unfinished line is a log line too (the replay buffer stays: an attach may come after the exit)
    live.lines.flush();
    const r = await this.deps.meta.get<ContainerRecord>(CONTAINERS, id);
    if (!r) return;
    const finishedAt = this.deps.now().toISOString();
    const manual = this.restarts.takeStoppedByHand(id) || !!r.manuallyStopped;
    if (manual) r.manuallyStopped = true;
    const restartIn = !r.build && !r.hostConfig.autoRemove && !manual ? this.restarts.delayFor(r, code, finishedAt) : undefined;
    r.state = {
      ...r.state,
      status: restartIn === undefined ? 'exited' : 'restarting',
      pid: 0,
      exitCode: code,
      oomKilled: oom,
      error,
      finishedAt,
    };
    // its addresses are free again, and its names no longer answer
    const left = Object.keys(r.endpoints ?? {});
    delete r.endpoints;
    delete r.ports;
    // what it wrote to the host's folders reaches the host before anyone hears it stopped
    await this.deps.binds.unmount(id).catch(() => {});
    try {
      // a build container's layer is read by the builder, straight from the guest
      if (!r.hostConfig.autoRemove && !r.build) {
        const entries = await exportUpperDir(live.guest, containerDirs(id).upper);
        const tar = writeTar(entries);
        const info = await this.deps.blobs.put(tar);
        r.rwLayer = { digest: info.digest, size: tar.length };
      }
      for (const m of r.mounts) if (m.Type === 'volume') await this.deps.volumes.save(live.guest, m.Name);
    } catch (err) {
      r.state.error = r.state.error || `saving the read-write layer failed: ${(err as Error).message}`;
    }
    if (!r.build) await saveLogs(this.deps.meta, id, live.logs);
    await this.save(r);
    this.live.delete(id);
    if (left.length) await this.deps.networks.refreshDns(live.guest, left, id).catch(() => {});
    this.emit('die', r, { exitCode: code });
    for (const l of live.listeners) l({ stream: 'stdout', time: '', data: new Uint8Array() });
    if (restartIn !== undefined) this.restarts.schedule(id, restartIn, () => this.restartByPolicy(id));
    // --rm takes the anonymous volumes with it, as Docker does (named ones stay)
    if (r.hostConfig.autoRemove) await this.remove(id, { force: true, volumes: true }).catch(() => {});
  }

  /**
   * A restart policy's restart, once its delay passed (unless the container was stopped or removed
   * meanwhile). While it starts, `docker stop`, `kill` and `rm` wait for it (`settled`), then act
   * on the running container.
   */
  private restartByPolicy(id: string): Promise<void> {
    const p = this.restartNow(id).finally(() => this.restartsStarting.delete(id));
    this.restartsStarting.set(id, p);
    return p;
  }

  /** Waits for a restart policy's start of this container, if one is under way. */
  private async settled(idOrName: string): Promise<ContainerRecord> {
    const r = await this.find(idOrName);
    const starting = this.restartsStarting.get(r.id);
    if (!starting) return r;
    await starting.catch(() => {});
    return this.find(r.id);
  }

  private async restartNow(id: string): Promise<void> {
    const r = await this.deps.meta.get<ContainerRecord>(CONTAINERS, id);
    if (!r || r.state.status !== 'restarting') return;
    r.restartCount++;
    await this.save(r);
    try {
      await this.start(id);
    } catch (err) {
      const current = await this.deps.meta.get<ContainerRecord>(CONTAINERS, id);
      if (!current || current.state.status !== 'restarting') return;
      current.state = { ...current.state, status: 'exited', error: (err as Error).message };
      await this.save(current);
    }
  }

  /** Ends a restart policy's wait: the container stays exited (`docker stop` or `docker kill` while it was restarting). */
  private async cancelRestart(r: ContainerRecord): Promise<void> {
    this.restarts.cancel(r.id);
    r.state = { ...r.state, status: 'exited' };
    r.manuallyStopped = true;
    await this.save(r);
  }

  /** `docker stats`, one reading (see the engine API). */
  async stats(options: { all?: boolean; names?: string[]; intervalMs?: number }): Promise<ContainerStats[]> {
    const chosen = options.names?.length
      ? await Promise.all(options.names.map((n) => this.find(n)))
      : (await this.visible()).filter((r) => options.all || this.live.has(r.id)).sort((a, b) => b.created.localeCompare(a.created));
    const running = chosen.filter((r) => this.live.has(r.id));
    return statsOf(chosen, running.length ? await this.deps.getGuest() : undefined, running, options.intervalMs);
  }

  /** A TCP connection to a running container's port (see the engine API's `dial`). */
  async dial(idOrName: string, containerPort: number): Promise<AttachedProcess> {
    return dialContainer(this.attachContext(), await this.find(idOrName), containerPort);
  }

  /** The running container that publishes `hostPort` (see the engine API). */
  async publishedAt(hostPort: number): Promise<{ id: string; name: string; containerPort: number } | undefined> {
    return publishedAt(await this.all(), hostPort);
  }

  /** `docker network connect` (see network-attach.ts). */
  async connect(network: string, idOrName: string, options: { aliases?: string[]; ip?: string } = {}): Promise<void> {
    const r = await this.find(idOrName);
    await this.serial(r.id, () => connectContainer(this.attachContext(), r, network, options));
  }

  /** `docker network disconnect`. */
  async disconnect(network: string, idOrName: string): Promise<void> {
    const r = await this.find(idOrName);
    await this.serial(r.id, () => disconnectContainer(this.attachContext(), r, network));
  }

  private attachContext(): AttachContext {
    return {
      networks: this.deps.networks,
      save: (r) => this.save(r),
      live: (id) => {
        const l = this.live.get(id);
        return l ? { guest: l.guest, pid: l.proc.pid } : undefined;
      },
    };
  }

  /** `docker rename`: a new name, checked as `docker create --name` checks one. */
  async rename(idOrName: string, newName: string): Promise<void> {
    const r = await this.find(idOrName);
    const name = newName.replace(/^\//, '');
    if (!NAME_PATTERN.test(name))
      throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (name === r.name) throw new InvalidArgumentError('Renaming a container with the same name as its current name');
    const clash = (await this.visible()).find((c) => c.name === name);
    if (clash)
      throw new ConflictError(
        `Conflict. The container name "/${name}" is already in use by container "${clash.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    await this.serial(r.id, async () => {
      const current = (await this.deps.meta.get<ContainerRecord>(CONTAINERS, r.id)) ?? r;
      current.name = name;
      await this.save(current);
    });
    this.emit('rename', { ...r, name }, { attributes: { oldName: `/${r.name}` } });
  }

  /** `docker update` (see the engine API). */
  async update(idOrName: string, update: ContainerUpdate): Promise<void> {
    const r = await this.find(idOrName);
    await this.serial(r.id, async () => {
      const current = updatedRecord((await this.deps.meta.get<ContainerRecord>(CONTAINERS, r.id)) ?? r, update);
      const live = this.live.get(r.id);
      if (live) await applyLimits(live.guest, current, update);
      await this.save(current);
    });
    this.emit('update', r);
  }

  /** `docker pause`: every process of the container frozen (the cgroup v2 freezer), state `paused`. */
  async pause(idOrName: string): Promise<void> {
    const r = await this.find(idOrName);
    const live = this.live.get(r.id);
    if (!live) throw new ConflictError(`container ${r.id} is not running`);
    if (r.state.status === 'paused') throw new ConflictError(`container ${r.id} is already paused`);
    await this.serial(r.id, async () => {
      await setFrozen(live.guest, r.id, true);
      await this.setStatus(r.id, 'paused');
    });
    this.emit('pause', r);
  }

  /** `docker unpause`: the container's processes go on where they were. */
  async unpause(idOrName: string): Promise<void> {
    const r = await this.find(idOrName);
    const live = this.live.get(r.id);
    if (!live || r.state.status !== 'paused') throw new ConflictError(`container ${r.id} is not paused`);
    await this.serial(r.id, async () => {
      await setFrozen(live.guest, r.id, false);
      await this.setStatus(r.id, 'running');
    });
    this.emit('unpause', r);
  }

  /** Records a live container's status (paused or running again), unless it has exited meanwhile. */
  private async setStatus(id: string, status: 'paused' | 'running'): Promise<void> {
    const current = await this.deps.meta.get<ContainerRecord>(CONTAINERS, id);
    if (!current || !this.live.has(id) || current.state.status === 'exited') return;
    current.state = { ...current.state, status };
    await this.save(current);
  }

  /** A paused container is thawed before a signal, as the daemon does: the signal then reaches it. */
  private async thawForSignal(r: ContainerRecord, live: Live): Promise<void> {
    if (r.state.status !== 'paused') return;
    await setFrozen(live.guest, r.id, false).catch(() => {});
    await this.setStatus(r.id, 'running');
  }

  async stop(idOrName: string, options: { timeoutSeconds?: number; signal?: string } = {}): Promise<void> {
    const r = await this.settled(idOrName);
    const live = this.live.get(r.id);
    if (!live) {
      if (r.state.status === 'restarting') await this.cancelRestart(r);
      return;
    }
    this.restarts.stoppedByHand(r.id);
    await this.thawForSignal(r, live);
    const signal = options.signal ?? r.config.stopSignal;
    this.emit('kill', r, { attributes: { signal: String(signalNumber(signal)) } });
    live.proc.kill(signalNumber(signal));
    // -t, else the container's --stop-timeout, else 10 seconds; a negative one waits for ever
    const seconds = options.timeoutSeconds ?? r.config.stopTimeout ?? 10;
    const timeout = seconds < 0 ? 2 ** 31 - 1 : seconds * 1000;
    const done = await Promise.race([live.finished.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), timeout))]);
    if (!done) {
      this.emit('kill', r, { attributes: { signal: '9' } });
      live.proc.kill('SIGKILL');
      await live.finished;
    }
    this.emit('stop', r);
  }

  async restart(idOrName: string, options: { timeoutSeconds?: number } = {}): Promise<void> {
    await this.stop(idOrName, options);
    const r = await this.find(idOrName);
    r.restartCount++;
    await this.save(r);
    await this.start(r.id);
  }

  async kill(idOrName: string, signal = 'SIGKILL'): Promise<void> {
    const r = await this.settled(idOrName);
    const live = this.live.get(r.id);
    // like the daemon: killing a container that waits to restart only keeps it from restarting
    if (!live && r.state.status === 'restarting') return this.cancelRestart(r);
    if (!live) throw new ConflictError(`cannot kill container: ${idOrName}: container ${r.id} is not running`);
    this.restarts.stoppedByHand(r.id);
    await this.thawForSignal(r, live);
    this.emit('kill', r, { attributes: { signal: String(signalNumber(signal)) } });
    live.proc.kill(signalNumber(signal));
    if (signalNumber(signal) === 9) await live.finished;
  }

  async remove(idOrName: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const r = await this.settled(idOrName);
    const live = this.live.get(r.id);
    if (live) {
      if (!options.force)
        throw new ConflictError(
          `cannot remove container "/${r.name}": container is ${r.state.status === 'paused' ? 'paused' : 'running'}: ${r.state.status === 'paused' ? 'unpause' : 'stop'} the container before removing or force remove`,
        );
      this.restarts.stoppedByHand(r.id);
      await this.thawForSignal(r, live);
      live.proc.kill('SIGKILL');
      await live.finished;
    } else if (r.state.status === 'restarting') {
      if (!options.force)
        throw new ConflictError(
          `cannot remove container "/${r.name}": container is restarting: stop the container before removing or force remove`,
        );
    }
    this.restarts.forget(r.id);
    this.health.stop(r.id);
    await this.deps.meta.transaction(async (tx) => {
      tx.delete(CONTAINERS, r.id);
      tx.delete(LOGS, r.id);
    });
    this.emit('destroy', r);
    try {
      const guest = await this.deps.getGuest();
      await guestShell(guest, `rm -rf ${containerDirs(r.id).base}`, 'removing the container dirs');
    } catch {
      /* the guest is a cache: a leftover dir is harmless */
    }
    if (options.volumes) {
      for (const m of r.mounts.filter((m) => m.Type === 'volume')) {
        const v = await this.deps.volumes.get(m.Name);
        if (v?.anonymous && (await this.usersOfVolume(m.Name)).length === 0) await this.deps.volumes.remove(m.Name);
      }
    }
  }

  async list(options: { all?: boolean; size?: boolean } = {}): Promise<ContainerSummary[]> {
    const rows = (await this.visible())
      .filter((r) => options.all || r.state.status === 'running' || r.state.status === 'paused' || r.state.status === 'restarting')
      .sort((a, b) => b.created.localeCompare(a.created));
    const out = rows.map((r) => containerSummary(r, this.deps.now()));
    if (!options.size) return out;
    // like the daemon's ps -s: the files of the read-write layer, then those plus the image's
    for (const [i, r] of rows.entries()) {
      const sizeRw = (await this.rwLayerEntries(r).catch(() => [])).reduce(
        (n, e) => n + (e.type === 'file' ? (e.data?.length ?? 0) : 0),
        0,
      );
      const image = await this.deps.images.resolve(r.imageId).catch(() => undefined);
      let imageSize = 0;
      // a hard link's bytes count once (busybox's applets are hundreds of links to one file)
      const seen = new Set<number>();
      if (image)
        for (const [, node] of (await this.deps.images.tree(image)).walk())
          if (node.type === 'file' && !seen.has(node.ino)) {
            seen.add(node.ino);
            imageSize += node.size;
          }
      out[i] = { ...out[i]!, sizeRw, sizeRootFs: sizeRw + imageSize };
    }
    return out;
  }

  async inspect(idOrName: string): Promise<ContainerInspect> {
    const r = await this.find(idOrName);
    return containerInspect(r, await this.deps.images.resolve(r.imageId).catch(() => undefined));
  }

  /** Log lines: the last `tail` of them (all when `tail` < 0 or absent), from `since`, up to `until` (Unix `seconds[.nanos]`), then with `follow` new ones. */
  async logs(idOrName: string, options: LogsOptions): Promise<void> {
    const r = await this.find(idOrName);
    if (r.hostConfig.logConfig?.Type === 'none') throw new InvalidArgumentError('configured logging driver does not support reading');
    const live = this.live.get(r.id);
    await readLogs(live ? [...live.logs] : await loadLogs(this.deps.meta, r.id), live, options);
  }

  /**
   * The container's read-write layer as OCI layer entries (from the guest, or the saved blob). A
   * running container's is checkpointed on the way: what the page shows is also what a reload keeps.
   */
  async rwLayerEntries(r: ContainerRecord): Promise<TarEntry[]> {
    if (this.live.has(r.id)) return this.checkpoint(r.id);
    const guest = await this.deps.getGuest();
    if (await guestDirExists(guest, containerDirs(r.id).upper)) return exportUpperDir(guest, containerDirs(r.id).upper);
    if (!r.rwLayer) return [];
    return readTar(await this.deps.blobs.get(r.rwLayer.digest as Digest));
  }

  /** What the files and processes modules may use of this manager. */
  private access(): ContainerAccess {
    return {
      deps: this.deps,
      find: (id) => this.find(id),
      live: (id) => this.live.get(id),
      rwLayerEntries: (r) => this.rwLayerEntries(r),
      prepare: (guest, r, starting) => this.prepare(guest, r, starting),
      save: (r) => this.save(r),
      emit: (action, r, extra) => this.emit(action, r, extra),
    };
  }

  diff(idOrName: string): Promise<ChangeEntry[]> {
    return containerDiff(this.access(), idOrName);
  }

  /** `docker export` (see files.ts). */
  export(idOrName: string): Promise<Uint8Array> {
    return exportContainer(this.access(), idOrName);
  }

  commit(idOrName: string, options: { reference?: string; message?: string; author?: string } = {}): Promise<string> {
    return commitContainer(this.access(), idOrName, options);
  }

  statPath(idOrName: string, path: string, options: { signal?: AbortSignal } = {}): Promise<PathStat> {
    return statPath(this.access(), idOrName, path, options);
  }

  copyFrom(idOrName: string, path: string, options: { signal?: AbortSignal } = {}): Promise<{ stat: PathStat; tar: Uint8Array }> {
    return copyFrom(this.access(), idOrName, path, options);
  }

  /** Extracts into a container; true when that replaced a stopped container's saved layer (its old blob is garbage). */
  copyTo(idOrName: string, path: string, tar: Uint8Array, options: { copyUIDGID?: boolean; signal?: AbortSignal } = {}): Promise<boolean> {
    return copyTo(this.access(), idOrName, path, tar, options);
  }

  exec(idOrName: string, options: ExecOptions): Promise<AttachedProcess> {
    return execInContainer(this.access(), idOrName, options);
  }

  /** `docker attach` (see exec.ts). */
  attach(idOrName: string): Promise<AttachedProcess> {
    return attachToContainer(this.access(), idOrName);
  }

  top(idOrName: string): Promise<{ titles: string[]; processes: string[][] }> {
    return topOf(this.access(), idOrName);
  }

  async wait(idOrName: string): Promise<number> {
    const r = await this.find(idOrName);
    const live = this.live.get(r.id);
    if (live) {
      await live.finished;
      return live.exitCode ?? 255;
    }
    return r.state.exitCode;
  }

  async prune(): Promise<PruneReport> {
    const deleted: string[] = [];
    let space = 0;
    for (const r of await this.visible()) {
      if (r.state.status === 'running') continue;
      await this.remove(r.id);
      deleted.push(r.id);
      space += r.rwLayer?.size ?? 0;
    }
    return { deleted, spaceReclaimed: space };
  }

  /** Containers by state and the bytes of their saved read-write layers. */
  async usage(): Promise<{ total: number; active: number; size: number; reclaimable: number }> {
    const all = await this.visible();
    const size = all.reduce((n, r) => n + (r.rwLayer?.size ?? 0), 0);
    const active = all.filter((r) => r.state.status === 'running');
    return { total: all.length, active: active.length, size, reclaimable: size - active.reduce((n, r) => n + (r.rwLayer?.size ?? 0), 0) };
  }

  /** Stops every running container (SIGTERM, then SIGKILL after the timeout) so each read-write layer is saved, as a daemon does when it shuts down. */
  async shutdown(timeoutSeconds = 2): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.stop(id, { timeoutSeconds }).catch(() => {})));
  }

  /** The image IDs of running containers (build steps included): their layers are mounted in the guest. */
  async runningImageIds(): Promise<string[]> {
    const records = await Promise.all([...this.live.keys()].map((id) => this.deps.meta.get<ContainerRecord>(CONTAINERS, id)));
    return records.flatMap((r) => (r ? [r.imageId] : []));
  }

  /** Running containers' guest pids (for the machine picture). */
  runningPids(): Map<string, number> {
    return new Map([...this.live].map(([id, l]) => [id, l.proc.pid]));
  }
}
