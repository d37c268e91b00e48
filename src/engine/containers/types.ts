/** What the container manager keeps and needs: the stored container record, its events, the image resolver and the manager's dependencies. */
import type { GuestMachine, GuestProcess, SpawnSpec } from '../../runtime/types.ts';
import type { LogLines } from './log-lines.ts';
import type { ContainerState, ImageRuntimeConfig, LogEntry, MountPoint, RestartPolicy, Ulimit } from '../api.ts';
import type { GuestLayerCache, LayerRef } from '../guest/layer-cache.ts';
import type { FsTree, TarEntry } from '../layer/index.ts';
import type { Healthcheck } from '../oci/types.ts';
import type { BlobStore, MetadataStore } from '../store/types.ts';
import type { NetworkManager } from '../networks/manager.ts';
import type { Endpoint, EndpointConfig } from '../networks/types.ts';
import type { PortMap } from '../networks/ports.ts';
import type { BindMounts } from './binds.ts';
import type { VolumeManager } from '../volumes/manager.ts';

/** The metadata collection of container records. */
export const CONTAINERS = 'containers';
/** The metadata collection of stopped containers' logs. */
export const LOGS = 'logs';
/** Docker's zero time (a container never started or never finished). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** An image as containers need it. */
export interface ResolvedImage {
  /** Image ID (config digest). */
  id: string;
  config: ImageRuntimeConfig;
  /** Layers, bottom first. */
  layers: LayerRef[];
}

/** How containers find images and turn a read-write layer into a new image. */
export interface ImageResolver {
  /** By reference or ID prefix; throws NotFoundError `No such image: x`. */
  resolve(ref: string): Promise<ResolvedImage>;
  /** The merged filesystem of the image's layers (cached). */
  tree(image: ResolvedImage): Promise<FsTree>;
  /** Stores a new image: `parent` + one layer + config changes; returns its ID. */
  commit(
    parent: ResolvedImage,
    layer: TarEntry[],
    options: { reference?: string; comment?: string; author?: string; createdBy: string; config?: Partial<ImageRuntimeConfig> },
  ): Promise<string>;
}

/** A running container as the manager holds it: its main process, its log and its output listeners. */
export interface Live {
  proc: GuestProcess;
  guest: GuestMachine;
  /** Log lines, oldest first (what `docker logs` reads). */
  logs: LogEntry[];
  /** Receive each new log line; an entry with time '' says the container stopped. */
  listeners: Set<(e: LogEntry) => void>;
  /** Cuts the output into log lines. */
  lines: LogLines;
  /** This run's output as it came, replayed to whoever attaches after the start. */
  output: { stream: LogEntry['stream']; data: Uint8Array }[];
  outputListeners: Set<(stream: LogEntry['stream'], data: Uint8Array) => void>;
  /** Resolves once the exit is recorded. */
  finished: Promise<void>;
  /** The main process's exit code, once it exited. */
  exitCode?: number;
}

/** What the container manager lends the modules that work on one container (its files, its processes). */
export interface ContainerAccess {
  readonly deps: ContainerDeps;
  find(idOrName: string): Promise<ContainerRecord>;
  /** The container's running state, while it runs. */
  live(id: string): Live | undefined;
  /** Its read-write layer as OCI layer entries (a running one's checkpointed on the way). */
  rwLayerEntries(r: ContainerRecord): Promise<TarEntry[]>;
  /** How the agent reaches a container's root (`starting`: for its start, with its network). */
  prepare(
    guest: GuestMachine,
    r: ContainerRecord,
    starting: boolean,
  ): Promise<Omit<SpawnSpec, 'env' | 'cwd' | 'uid' | 'gid'> & { image: ResolvedImage }>;
  save(r: ContainerRecord): Promise<void>;
  emit(action: ContainerEvent['action'], r: ContainerRecord, extra?: Pick<ContainerEvent, 'exitCode' | 'attributes' | 'command'>): void;
}

/** A container's health (Docker's State.Health). */
export interface HealthState {
  status: 'starting' | 'healthy' | 'unhealthy';
  failingStreak: number;
  /** The last five probes. */
  log: { start: string; end: string; exitCode: number; output: string }[];
}

/** What the store keeps about a container. */
export interface ContainerRecord {
  id: string;
  name: string;
  /** Image as the user named it. */
  image: string;
  imageId: string;
  created: string;
  path: string;
  args: string[];
  config: {
    env: string[];
    workingDir: string;
    user: string;
    hostname: string;
    tty: boolean;
    openStdin: boolean;
    labels: Record<string, string>;
    stopSignal: string;
    /** `--stop-timeout`, seconds. */
    stopTimeout?: number;
    /** The image's HEALTHCHECK with `--health-*` over it (`Test: ['NONE']` for `--no-healthcheck`). */
    healthcheck?: Healthcheck;
    entrypoint: string[] | null;
    cmd: string[] | null;
  };
  hostConfig: {
    memory: number;
    pidsLimit: number | null;
    readOnly: boolean;
    autoRemove: boolean;
    /** As given (absent in records from before capabilities were settable: Docker's defaults). */
    capAdd?: string[];
    capDrop?: string[];
    privileged?: boolean;
    securityOpt?: string[];
    /**
     * `--network`: `bridge`, `host`, `none` or a user-defined network's name. Absent in records from
     * before LayerLab had networks: those containers were made with loopback only (`none`).
     */
    networkMode?: string;
    /** `-p` (container port → host bindings; HostPort '' for any free one). */
    portBindings?: PortMap;
    /** `-P`. */
    publishAllPorts?: boolean;
    /** `--restart` (absent: `no`). */
    restartPolicy?: RestartPolicy;
    /** `--add-host`, as `host:ip`. */
    extraHosts?: string[];
    /** `--cpus` × 1e9. */
    nanoCpus?: number;
    /** `--cpu-shares`. */
    cpuShares?: number;
    /** `--cpuset-cpus`. */
    cpusetCpus?: string;
    /** `--tmpfs` and `--mount type=tmpfs`: path → options. */
    tmpfs?: Record<string, string>;
    /** `--shm-size`, bytes. */
    shmSize?: number;
    /** `--log-driver` and `--log-opt` (absent: json-file keeping everything). */
    logConfig?: { Type: 'json-file' | 'none'; Config: Record<string, string> };
    /** `--memory-swap`, bytes. */
    memorySwap?: number;
    /** `--ulimit`. */
    ulimits?: Ulimit[];
    /** `--init`. */
    init?: boolean;
  };
  /** Stopped by `docker stop` or `docker kill`: its restart policy waits for the next `docker start` (Docker's HasBeenManuallyStopped). */
  manuallyStopped?: boolean;
  /** Ports it exposes (`80/tcp`): its image's, `--expose` and the published ones. */
  exposedPorts?: string[];
  /** Where its ports are published while it runs (host ports handed out at start); gone when it stops. */
  ports?: PortMap;
  /** The networks the container is configured for: name → how (Docker's EndpointsConfig). */
  networks?: Record<string, EndpointConfig>;
  /** Its addresses while it runs (network name → endpoint); gone when it stops. */
  endpoints?: Record<string, Endpoint>;
  mounts: MountPoint[];
  state: {
    status: ContainerState;
    pid: number;
    exitCode: number;
    oomKilled: boolean;
    error: string;
    startedAt: string;
    finishedAt: string;
    /** Its health check's state (containers with one; kept after it stops). */
    health?: HealthState;
  };
  restartCount: number;
  /** The saved read-write layer (OCI layer tar): at its last stop, or at its last checkpoint while it ran. */
  rwLayer?: { digest: string; size: number };
  /** When a running container's read-write layer was last saved (RFC 3339), if ever. */
  checkpointedAt?: string;
  /**
   * A builder's container for one RUN step: like BuildKit's, never listed, counted, pruned or
   * found by name, its read-write layer and logs are not saved, and it is removed when the step
   * ends; one left by an engine that went away mid-build is deleted when the next one starts.
   */
  build?: boolean;
}

/** What happened to a container, in the words of Docker's events (`docker events`). */
export interface ContainerEvent {
  action:
    | 'create'
    | 'start'
    | 'kill'
    | 'die'
    | 'stop'
    | 'pause'
    | 'unpause'
    | 'rename'
    | 'update'
    | 'destroy'
    | 'export'
    | 'exec_create'
    | 'exec_start'
    | 'exec_die'
    | 'health_status';
  id: string;
  name: string;
  image: string;
  /** The exit code, for `die`. */
  exitCode?: number;
  /** Labels of the container (a build's containers carry the builder's). */
  labels: Record<string, string>;
  /** What else Docker's event says (`signal` for kill, `execID` for an exec, `oldName` for rename). */
  attributes?: Record<string, string>;
  /** The exec's command, for exec events (Docker's action reads `exec_create: CMD`). */
  command?: string;
}

/** Dependencies of the container manager. */
export interface ContainerDeps {
  getGuest(): Promise<GuestMachine>;
  blobs: BlobStore;
  meta: MetadataStore;
  layers: GuestLayerCache;
  volumes: VolumeManager;
  networks: NetworkManager;
  images: ImageResolver;
  /** Keeps bind mounts in step with the host (absent: bind mounts are refused). */
  binds: BindMounts;
  now(): Date;
  /**
   * While containers run, checkpoint them this often (ms): what a page reload keeps is at most this
   * old. Off when absent (the Node CLI ends its machine with a clean shutdown).
   */
  checkpointEvery?: number;
  /** Told of each container's create, start, die and destroy (for the page's pictures). */
  onEvent?(event: ContainerEvent): void;
}
