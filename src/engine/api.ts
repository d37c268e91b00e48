/**
 * What the engine offers its callers (the `docker` CLI, the playground, lessons), in the shape
 * of Docker's Engine API: images, containers, volumes, builds and the system. Field names follow
 * Docker's JSON (`docker inspect`) where a user can see them.
 */
import type { ContainerConfig, Healthcheck, Writable } from './oci/types.ts';
import type { EventQuery } from './events.ts';

export type { DockerEvent, EventQuery } from './events.ts';

/** Size, time and identity of an image, as `docker images` lists it. */
export interface ImageSummary {
  /** Image ID: the config digest, `sha256:<hex>`. */
  id: string;
  /** `name:tag` references pointing at it (empty for a dangling image). */
  repoTags: string[];
  /** `name@sha256:…` of the manifest it was pulled or pushed as (Docker's RepoDigests). */
  repoDigests?: string[];
  /** ISO time the image was created. */
  created: string;
  /** Total size of its layers (uncompressed), bytes. */
  size: number;
  /** Number of containers using it. */
  containers: number;
  /** Config labels. */
  labels: Record<string, string>;
}

/** The container configuration an image carries (the OCI config's `config`): OCI's `ContainerConfig`, as a writable copy. */
export type ImageRuntimeConfig = Writable<ContainerConfig>;

/** `docker image inspect` output. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: string;
  Author?: string;
  Config: ImageRuntimeConfig;
  Architecture: string;
  Os: string;
  Size: number;
  RootFS: { Type: 'layers'; Layers: string[] };
  /** Layers with their digests (blob) and diffIDs, for pictures. */
  LayerDetails?: { digest: string; diffID: string; size: number; createdBy: string }[];
}

/** One line of `docker history`. */
export interface HistoryEntry {
  /** Image ID of the image this step produced, or `<missing>`. */
  id: string;
  created: string;
  createdBy: string;
  /** Bytes the step's layer adds (0 for an empty layer). */
  size: number;
  comment: string;
  emptyLayer: boolean;
}

/** Docker's container states. */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** A mount of a volume or bind into a container. */
export interface MountPoint {
  Type: 'volume' | 'bind';
  /** Volume name (anonymous volumes get a 64-hex name like Docker's); '' for a bind. */
  Name: string;
  /** The volume's folder in the machine, or a bind's host path. */
  Source: string;
  Destination: string;
  RW: boolean;
  /** A bind's propagation (`rprivate`, as Docker's default). */
  Propagation?: string;
}

/** One row of `docker ps`. */
export interface ContainerSummary {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  /** The image as the user named it. */
  image: string;
  imageId: string;
  /** Entrypoint + Cmd, as `docker ps` shows it in COMMAND. */
  command: string;
  created: string;
  state: ContainerState;
  /** `Up 2 minutes`, `Exited (0) 3 seconds ago`, `Created`. */
  status: string;
  exitCode: number;
  /** Its config labels (the image's and its own), as the Engine API's Labels. */
  labels?: Record<string, string>;
  mounts: MountPoint[];
  /** Names of the networks it is on (`{{.Networks}}` in `docker ps --format`). */
  networks?: string[];
  /** With `list({ size: true })`: bytes of its read-write layer's files, and those plus its image's (Docker's SizeRw, SizeRootFs). */
  sizeRw?: number;
  sizeRootFs?: number;
  /** Its ports as the Engine API lists them: exposed ones, and where they are published while it runs. */
  ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: 'tcp' }[];
}

/** `docker inspect` output for a container. */
export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: {
    Status: ContainerState;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    Dead: boolean;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
    Health?: {
      Status: 'starting' | 'healthy' | 'unhealthy';
      FailingStreak: number;
      Log: { Start: string; End: string; ExitCode: number; Output: string }[];
    };
  };
  Image: string;
  Name: string;
  RestartCount: number;
  Config: ImageRuntimeConfig & {
    Hostname: string;
    Image: string;
    Tty: boolean;
    OpenStdin: boolean;
    AttachStdin: boolean;
    StopTimeout?: number;
  };
  HostConfig: {
    Memory: number;
    PidsLimit: number | null;
    ReadonlyRootfs: boolean;
    AutoRemove: boolean;
    Binds: string[];
    CapAdd: string[] | null;
    CapDrop: string[] | null;
    Privileged: boolean;
    SecurityOpt: string[] | null;
    NetworkMode: string;
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    PublishAllPorts: boolean;
    RestartPolicy: RestartPolicy;
    ExtraHosts: string[] | null;
    NanoCpus: number;
    CpuShares: number;
    Tmpfs: Record<string, string> | null;
    MemorySwap: number;
    LogConfig: { Type: string; Config: Record<string, string> };
    ShmSize: number;
    Ulimits: Ulimit[] | null;
    Init: boolean | null;
    CpuPeriod: number;
    CpuQuota: number;
    CpusetCpus: string;
  };
  Mounts: MountPoint[];
  GraphDriver: { Name: 'overlay2'; Data: { LowerDir: string; UpperDir: string; WorkDir: string; MergedDir: string } };
  NetworkSettings: ContainerNetworkSettings;
}

/** One network of a container in `docker inspect` (Docker's EndpointSettings). */
export interface EndpointSettings {
  IPAMConfig: { IPv4Address: string } | null;
  Links: null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

/** A container's `NetworkSettings` in `docker inspect` (the top-level address fields are the default bridge's, as Docker's). */
export interface ContainerNetworkSettings {
  Bridge: string;
  SandboxID: string;
  SandboxKey: string;
  Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
  HairpinMode: boolean;
  LinkLocalIPv6Address: string;
  LinkLocalIPv6PrefixLen: number;
  SecondaryIPAddresses: null;
  SecondaryIPv6Addresses: null;
  EndpointID: string;
  Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  MacAddress: string;
  Networks: Record<string, EndpointSettings>;
}

/** `docker network inspect` of one network (Docker's fields). */
export interface NetworkInspect {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: 'default'; Options: Record<string, string> | null; Config: { Subnet: string; Gateway: string }[] | null };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** What `docker network create` asks for. */
export interface NetworkCreateOptions {
  /** `-d`: only `bridge` here. */
  driver?: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  attachable?: boolean;
  labels?: Record<string, string>;
  /** `-o`. */
  options?: Record<string, string>;
}

/** What `docker create` / `docker run` ask for. */
export interface CreateContainerOptions {
  /** Image reference as typed (`busybox`, `web:1`, an ID prefix). */
  image: string;
  name?: string;
  /** Replaces the image's Cmd when non-empty. */
  cmd?: string[];
  /** Replaces the image's Entrypoint; `[]` clears it (`--entrypoint ''`). */
  entrypoint?: string[];
  /** `NAME=value` (or `NAME` to copy from the caller, which the CLI resolves). */
  env?: string[];
  workingDir?: string;
  /** `user`, `uid`, `user:group` or `uid:gid`. */
  user?: string;
  hostname?: string;
  /** `-t`: a pty. */
  tty?: boolean;
  /** `-i`: keep stdin open. */
  openStdin?: boolean;
  /** `--rm`. */
  autoRemove?: boolean;
  /** `-v NAME:/path[:ro]` (named) or `-v /path` (anonymous). */
  volumes?: { source?: string; target: string; readonly?: boolean }[];
  /** `-v HOSTPATH:/path[:ro]` and `--mount type=bind`: absolute host paths; `create` (for `-v`) makes a missing source folder. */
  binds?: { source: string; target: string; readonly?: boolean; create?: boolean }[];
  /** `-m`, bytes. */
  memory?: number;
  /** `--pids-limit`. */
  pidsLimit?: number;
  /** `--read-only`. */
  readOnly?: boolean;
  labels?: Record<string, string>;
  /** `--cap-add` (names with or without CAP_, or ALL). */
  capAdd?: string[];
  /** `--cap-drop`. */
  capDrop?: string[];
  /** `--privileged`: every capability, nothing masked. */
  privileged?: boolean;
  /** `--security-opt` (`no-new-privileges[:true|false]`). */
  securityOpt?: string[];
  /** `--network`: `bridge` (the default), `host`, `none` or a user-defined network. */
  network?: string;
  /** `--network-alias` (user-defined networks only). */
  networkAliases?: string[];
  /** `--ip` (user-defined networks only). */
  ip?: string;
  /** `-p`: container port (`80/tcp`) → host bindings (HostPort '' for any free one). */
  portBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
  /** `-P`: publish every exposed port on a free host port. */
  publishAll?: boolean;
  /** `--expose` (`80/tcp`). */
  expose?: string[];
  /** `--add-host`: `host:ip` lines for /etc/hosts (`host-gateway` is the network's gateway: the machine). */
  extraHosts?: string[];
  /** `--stop-signal` (replaces the image's STOPSIGNAL). */
  stopSignal?: string;
  /** `--stop-timeout`, seconds (`docker stop` waits this long by default; -1 forever). */
  stopTimeout?: number;
  /** `--restart`: what the engine does when the container exits, while the machine runs. */
  restartPolicy?: RestartPolicy;
  /** `--cpus` × 1e9. */
  nanoCpus?: number;
  /** `-c`, `--cpu-shares` (relative weight). */
  cpuShares?: number;
  /** `--cpuset-cpus` (the machine has CPU 0 only). */
  cpusetCpus?: string;
  /** `--tmpfs PATH[:OPTIONS]` and `--mount type=tmpfs`: path → Docker's options (`size=64m,mode=1777`). */
  tmpfs?: Record<string, string>;
  /** `--shm-size`, bytes (default 64 MiB). */
  shmSize?: number;
  /** `--log-driver` (`json-file` or `none`) and `--log-opt` (`max-size`, `max-file`). */
  logConfig?: { Type: string; Config: Record<string, string> };
  /** `--memory-swap`, bytes: memory plus swap (-1 unlimited); the machine has no swap, so it never adds any. */
  memorySwap?: number;
  /** `--ulimit`. */
  ulimits?: Ulimit[];
  /** `--init`: docker-init as PID 1, reaping zombies and forwarding signals. */
  init?: boolean;
  /** `--health-*` (over the image's HEALTHCHECK: an empty Test or a zero duration keeps the image's), `--no-healthcheck` (Test `['NONE']`). */
  healthcheck?: Healthcheck;
}

/** `docker update`: what changes (absent: unchanged). */
export interface ContainerUpdate {
  /** `-m`, bytes (0: unchanged). */
  memory?: number;
  /** `--pids-limit` (0 or -1: no limit). */
  pidsLimit?: number;
  /** `--restart`. */
  restartPolicy?: RestartPolicy;
  /** `--cpus` × 1e9. */
  nanoCpus?: number;
  /** `--cpu-shares`. */
  cpuShares?: number;
}

/** One `--ulimit` (Docker's Ulimit; -1 is unlimited). */
export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** One `docker search` row (Docker's registry.SearchResult). */
export interface SearchResult {
  name: string;
  description: string;
  starCount: number;
  isOfficial: boolean;
}

/** Docker's restart policy (`--restart no|always|unless-stopped|on-failure[:N]`). */
export interface RestartPolicy {
  Name: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  /** on-failure only: at most this many restarts (0: no limit). */
  MaximumRetryCount: number;
}

/** One `docker stats` row. */
export interface ContainerStats {
  id: string;
  name: string;
  cpuPercent: number;
  memoryUsage: number;
  /** The container's memory limit, or the machine's memory when it has none. */
  memoryLimit: number;
  pids: number;
  running: boolean;
}

/** A process attached to the caller: a container's main process or an exec. */
export interface AttachedProcess {
  onStdout(listener: (data: Uint8Array) => void): () => void;
  onStderr(listener: (data: Uint8Array) => void): () => void;
  write(data: Uint8Array | string): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  /** Sends a signal (`SIGINT` for Ctrl-C when not on a tty). */
  kill(signal?: string): void;
  /** Resolves with the exit code. */
  readonly exit: Promise<number>;
}

/** Options for attaching while starting (`docker run` without -d, `docker start -a`). */
export interface AttachOptions {
  /** Rows and columns for a tty. */
  size?: { rows: number; cols: number };
}

/**
 * One line of `docker logs`, cut like Docker's log copier: `data` ends with its newline, except a
 * line still unfinished when the process exited (or one over 16 KiB, which is cut into parts).
 */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** ISO time with nanoseconds as Docker prints with -t (RFC3339Nano). */
  time: string;
  data: Uint8Array;
}

/** What `docker cp` learns about a container path (Docker's `PathStat`). */
export interface PathStat {
  /** Base name of the path. */
  name: string;
  /** What the path itself is: a symlink as the last element is not followed (unless the path ends in `/`). */
  type: 'file' | 'directory' | 'symlink' | 'device' | 'other';
  /** Bytes (for a symlink, the length of its target). */
  size: number;
  /** Permission bits (`0o7777`). */
  mode: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** For a symlink: the absolute path it leads to inside the container, followed as far as it exists; '' otherwise. */
  linkTarget: string;
}

/** One line of `docker diff`. */
export interface ChangeEntry {
  kind: 'A' | 'C' | 'D';
  path: string;
}

/** `docker exec` options. */
export interface ExecOptions {
  cmd: string[];
  tty?: boolean;
  interactive?: boolean;
  env?: string[];
  user?: string;
  workingDir?: string;
  size?: { rows: number; cols: number };
}

/** One row of `docker volume ls`, and `docker volume inspect`. */
export interface VolumeInfo {
  Name: string;
  Driver: 'local';
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: 'local';
  /** Bytes of data, when known. */
  Size?: number;
}

/** `docker system df`. */
export interface DiskUsage {
  images: { total: number; active: number; size: number; reclaimable: number };
  containers: { total: number; active: number; size: number; reclaimable: number };
  volumes: { total: number; active: number; size: number; reclaimable: number };
  buildCache: { total: number; active: number; size: number; reclaimable: number };
}

/** What a prune removed. */
export interface PruneReport {
  deleted: string[];
  spaceReclaimed: number;
}

/**
 * The files of a build context: path (POSIX, relative) → bytes, mode and `mtime` (modification
 * time in seconds since the epoch, 0 when absent; COPY/ADD keep it, the build cache ignores it).
 */
export type BuildContext = Map<
  string,
  {
    data: Uint8Array;
    mode?: number;
    mtime?: number;
    /** Set for a symbolic link (then `data` is empty): where it points, as written. */ linkTarget?: string;
  }
>;

/** `docker build` options. */
export interface BuildOptions {
  context: BuildContext;
  /** Path of the Dockerfile inside the context (`-f`), default `Dockerfile`. */
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  target?: string;
  signal?: AbortSignal;
  /** Receives progress as the build runs. */
  onEvent?: (event: BuildEvent) => void;
}

/** A build's progress, step by step, like BuildKit's plain output. */
export type BuildEvent =
  /**
   * `label` is BuildKit's per-stage step label (`2/5`, `base 1/3`); `instruction` the expanded
   * instruction; `at` when the step started (ms since the epoch, the engine's clock).
   */
  | { type: 'step-start'; step: number; total: number; stage: string; label: string; instruction: string; line: number; at?: number }
  /** Output of a RUN step, sent as the process prints it. */
  | { type: 'step-output'; step: number; stream: 'stdout' | 'stderr'; data: Uint8Array }
  | { type: 'step-done'; step: number; cached: boolean; ms: number }
  /** A step failed, or was stopped by a cancel (`cancelled`: BuildKit prints `CANCELED`). */
  | { type: 'step-error'; step: number; message: string; cancelled?: boolean }
  | { type: 'message'; text: string }
  /**
   * The build is over, whatever happened (the last event of every build): `done` with the image,
   * `failed` with the error and its Dockerfile line when known (also for a failure before any
   * step, e.g. a syntax error), or `cancelled`.
   */
  | { type: 'build-end'; outcome: BuildOutcome; message: string; line?: number; imageId?: string };

/** How a build ended. */
export type BuildOutcome = 'done' | 'failed' | 'cancelled';

/** A build that was running when its engine went away (a page reload, a crash), as `interruptedBuilds()` reports it. */
export interface InterruptedBuild {
  /** When it started (RFC 3339). */
  startedAt: string;
  /** The names it was to be tagged with (`-t`), as typed. */
  tags: string[];
  /** The step it was at (`[4/4] RUN pip install -r requirements.txt`), '' before the first. */
  step: string;
}

/** What a finished build produced. */
export interface BuildResult {
  imageId: string;
  tags: string[];
  /** Per step: cached or ran, and time. */
  steps: { instruction: string; cached: boolean; ms: number }[];
}

/** Progress while pulling or loading an image. */
export interface PullEvent {
  /** Layer short ID or empty for the image. */
  id: string;
  status: string;
  current?: number;
  total?: number;
}

/** A registry login (`docker login -u USER -p PASSWORD`). */
export interface RegistryLogin {
  username: string;
  password: string;
}

/** The container engine, as the CLI and the UI use it. */
export interface DockerEngine {
  images: {
    list(options?: { all?: boolean; reference?: string; dangling?: boolean }): Promise<ImageSummary[]>;
    inspect(ref: string): Promise<ImageInspect>;
    history(ref: string): Promise<HistoryEntry[]>;
    tag(source: string, target: string): Promise<void>;
    /** Untags and deletes; returns Docker's `Untagged:`/`Deleted:` lines. */
    remove(ref: string, options?: { force?: boolean }): Promise<{ untagged: string[]; deleted: string[] }>;
    prune(options?: { all?: boolean }): Promise<PruneReport>;
    pull(ref: string, onEvent?: (e: PullEvent) => void, signal?: AbortSignal): Promise<{ id: string; reference: string }>;
    /** Image references available offline (for messages and completion). */
    available(): Promise<string[]>;
    /** `docker search`: the offline catalog's repositories and localhost:5000's that match `term` (a remote registry's: refused). */
    search(term: string): Promise<SearchResult[]>;
    /** `docker save`: a tar that is both an OCI image layout and a docker-save archive. */
    save(refs: string[]): Promise<Uint8Array>;
    /**
     * `docker import`: a new image of one layer, the given filesystem tar (plain, gzip or zstd), with
     * an empty config; returns its ID.
     */
    importFilesystem(archive: Uint8Array, options?: { reference?: string; message?: string }): Promise<string>;
    /** `docker load`: an OCI layout or docker-save archive (gzip- or zstd-compressed too); returns Docker's `Loaded image: …` lines. */
    load(archive: Uint8Array, onEvent?: (e: PullEvent) => void): Promise<{ loaded: string[]; warnings: string[] }>;
    /**
     * `docker push NAME:TAG`: to the local registry (`localhost:5000/…`) or, when the engine has
     * HTTP, to a remote registry (`127.0.0.1:5001/web:1`); returns the pushed manifest digest and size.
     */
    push(ref: string, onEvent?: (e: PullEvent) => void, signal?: AbortSignal): Promise<{ digest: string; size: number }>;
  };
  containers: {
    create(options: CreateContainerOptions): Promise<{ id: string; warnings: string[] }>;
    /** Starts; with `attach`, resolves to the attached main process. */
    start(idOrName: string, attach?: AttachOptions): Promise<AttachedProcess | undefined>;
    stop(idOrName: string, options?: { timeoutSeconds?: number; signal?: string }): Promise<void>;
    restart(idOrName: string, options?: { timeoutSeconds?: number }): Promise<void>;
    kill(idOrName: string, signal?: string): Promise<void>;
    /**
     * `docker stats` (one reading): CPU % over `intervalMs`, memory used and its limit, process
     * counts, for running containers (`all`: stopped ones too, with zeros) or those named.
     */
    stats(options: { all?: boolean; names?: string[]; intervalMs?: number }): Promise<ContainerStats[]>;
    /** `docker rename`. */
    rename(idOrName: string, newName: string): Promise<void>;
    /** `docker update`: new limits and restart policy, applied at once to a running container. */
    update(idOrName: string, update: ContainerUpdate): Promise<void>;
    /** `docker pause`: freezes every process of a running container. */
    pause(idOrName: string): Promise<void>;
    /** `docker unpause`. */
    unpause(idOrName: string): Promise<void>;
    remove(idOrName: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
    /** `docker ps` (`size`: measure each one's read-write layer and root filesystem, as `ps -s`). */
    list(options?: { all?: boolean; size?: boolean }): Promise<ContainerSummary[]>;
    inspect(idOrName: string): Promise<ContainerInspect>;
    /**
     * Log lines: the last `tail` of them (every one when `tail` < 0 or absent), from the first at
     * or after `since`, ending at the first after `until` (Unix `seconds[.nanos]`, as Docker's API
     * takes them); with `follow`, new lines until the container stops or `signal` aborts.
     */
    logs(
      idOrName: string,
      options?: { follow?: boolean; tail?: number; since?: string; until?: string; signal?: AbortSignal; onEntry: (e: LogEntry) => void },
    ): Promise<void>;
    diff(idOrName: string): Promise<ChangeEntry[]>;
    commit(idOrName: string, options?: { reference?: string; message?: string; author?: string }): Promise<string>;
    /** `docker export`: the container's whole filesystem (its image's files with its own changes) as one flat tar. */
    export(idOrName: string): Promise<Uint8Array>;
    exec(idOrName: string, options: ExecOptions): Promise<AttachedProcess>;
    /** `docker attach`: a running container's main process (its stdin, and its output from now on). */
    attach(idOrName: string): Promise<AttachedProcess>;
    /**
     * A TCP connection to a running container's port, from the machine (what a published port
     * relays): bytes written go to the container, its answer comes as stdout, and `exit` resolves
     * when the connection is done. Refused in Docker's and LayerLab's words when nothing listens
     * on the container's address (a server bound to 127.0.0.1 inside it, say).
     */
    dial(idOrName: string, containerPort: number): Promise<AttachedProcess>;
    /** The running container that publishes host port `hostPort`, and its port behind it (what `localhost:PORT` reaches). */
    publishedAt(hostPort: number): Promise<{ id: string; name: string; containerPort: number } | undefined>;
    /** `docker top`: UID PID PPID C STIME TTY TIME CMD rows. */
    top(idOrName: string): Promise<{ titles: string[]; processes: string[][] }>;
    /**
     * Docker's `HEAD /containers/{id}/archive` (running or stopped): the path's stat, symlinks before
     * its last element followed inside the container; NotFoundError `Could not find the file PATH in container NAME`.
     */
    statPath(idOrName: string, path: string, options?: { signal?: AbortSignal }): Promise<PathStat>;
    /**
     * Docker's `GET /containers/{id}/archive`: a tar of PATH whose entries start with PATH's base
     * name (`PATH/.`: a directory's contents under `./`), and PATH's stat.
     */
    copyFrom(idOrName: string, path: string, options?: { signal?: AbortSignal }): Promise<{ stat: PathStat; tar: Uint8Array }>;
    /**
     * Docker's `PUT /containers/{id}/archive`: extracts a tar into the existing directory PATH
     * (symlinks followed). It never replaces a directory with a non-directory or the reverse;
     * `copyUIDGID` gives everything to the container's user (`docker cp -a`).
     */
    copyTo(idOrName: string, path: string, tar: Uint8Array, options?: { copyUIDGID?: boolean; signal?: AbortSignal }): Promise<void>;
    wait(idOrName: string): Promise<number>;
    prune(): Promise<PruneReport>;
  };
  networks: {
    /** `docker network create`: the new network's ID. */
    create(name: string, options?: NetworkCreateOptions): Promise<string>;
    list(): Promise<NetworkInspect[]>;
    inspect(idOrName: string): Promise<NetworkInspect>;
    remove(idOrName: string): Promise<void>;
    prune(): Promise<PruneReport>;
    /** `docker network connect` (a running container gets the interface now, a stopped one at its next start). */
    connect(network: string, container: string, options?: { aliases?: string[]; ip?: string }): Promise<void>;
    /** `docker network disconnect`. */
    disconnect(network: string, container: string, options?: { force?: boolean }): Promise<void>;
  };
  volumes: {
    create(name?: string, labels?: Record<string, string>): Promise<VolumeInfo>;
    list(): Promise<VolumeInfo[]>;
    inspect(name: string): Promise<VolumeInfo>;
    remove(name: string, options?: { force?: boolean }): Promise<void>;
    prune(options?: { all?: boolean }): Promise<PruneReport>;
  };
  build(options: BuildOptions): Promise<BuildResult>;
  /**
   * Builds that were running when the last engine on these stores went away, each reported once
   * (their records are forgotten; their temporary containers are already gone).
   */
  interruptedBuilds(): Promise<InterruptedBuild[]>;
  /**
   * Who is logged in to a registry (`username` undefined: nobody); rejects for a server that cannot
   * be logged in to here (localhost:5000 has no accounts; Docker Hub only from the Node CLI).
   */
  loginStatus(server?: string): Promise<{ server: string; username?: string }>;
  /** `docker login`: checks the login (without one: the stored one) against the registry's `/v2/` and keeps it. */
  login(server?: string, credentials?: RegistryLogin, signal?: AbortSignal): Promise<{ status: string; server: string }>;
  /** `docker logout`: forgets the login kept for the registry; true if there was one. */
  logout(server?: string): Promise<boolean>;
  /** The builder's cache (`docker builder`, `docker buildx`). */
  buildCache: {
    /** `docker builder prune`: forgets the build cache. */
    prune(): Promise<PruneReport>;
  };
  /** `docker events`: past events from `since`, then live ones until `until` or `signal`. */
  events(query: EventQuery): Promise<void>;
  system: {
    df(): Promise<DiskUsage>;
    prune(options?: { all?: boolean; volumes?: boolean }): Promise<PruneReport>;
    /** Kernel, memory and counts, like `docker info`. */
    info(): Promise<{
      kernelVersion: string;
      memTotal: number;
      containers: number;
      running: number;
      /** Paused with `docker pause` (counted apart from running, as Docker does). */
      paused?: number;
      images: number;
      serverVersion: string;
    }>;
  };
}
