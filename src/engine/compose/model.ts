/**
 * A Compose project after loading: the compose file parsed, interpolated, validated and
 * normalised (what `docker compose config` prints), in the Compose Specification's vocabulary.
 * Loading (`load.ts`) makes these; the orchestrator (`project.ts`) only reads them.
 */

/** A loaded, normalised project. */
export interface ComposeProject {
  /** The project name: `-p`, then `name:`, then the project folder's base name, normalised. */
  readonly name: string;
  /** The project folder (absolute, `/`-separated): relative paths in the file start here. */
  readonly workingDir: string;
  /** The compose files read, absolute, in order. */
  readonly composeFiles: readonly string[];
  /** Enabled services by name (sorted by name). */
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /** Services left out by `profiles` (by name); `run` and naming a service enable them. */
  readonly disabledServices: Readonly<Record<string, ServiceConfig>>;
  /** Networks by their key in the file; always has `default` when a service uses it. */
  readonly networks: Readonly<Record<string, NetworkConfig>>;
  /** Named volumes by their key in the file. */
  readonly volumes: Readonly<Record<string, VolumeConfig>>;
  /** What loading warned of, in Compose's words (`The "X" variable is not set. Defaulting to a blank string.`). */
  readonly warnings?: readonly string[];
}

/** One service, normalised (short syntaxes expanded, durations and sizes parsed). */
export interface ServiceConfig {
  readonly name: string;
  /** `image:`; absent for a build-only service (its image is then `PROJECT-SERVICE`). */
  readonly image?: string;
  readonly build?: BuildConfig;
  /** `command:` as argv (a string is split like a shell would, without running one); absent: the image's. */
  readonly command?: readonly string[];
  /** `entrypoint:` as argv; `[]` clears the image's. */
  readonly entrypoint?: readonly string[];
  /** `environment:` and `env_file:` merged (environment wins); null: `VAR` with no value found. */
  readonly environment: Readonly<Record<string, string | null>>;
  readonly ports: readonly PortConfig[];
  /** `expose:` as `80/tcp`-style strings (ranges expanded). */
  readonly expose: readonly string[];
  readonly volumes: readonly ServiceVolume[];
  /** Networks the service joins (key → options); `{ default: {} }` when the file names none. */
  readonly networks: Readonly<Record<string, ServiceNetwork>>;
  /** `network_mode:` (`host`, `none`, `bridge`); absent when `networks:` applies. */
  readonly networkMode?: string;
  readonly dependsOn: Readonly<Record<string, DependsOn>>;
  readonly healthcheck?: HealthcheckConfig;
  /** `restart:` as typed (`no`, `always`, `on-failure`, `on-failure:3`, `unless-stopped`). */
  readonly restart?: string;
  readonly workingDir?: string;
  readonly user?: string;
  readonly hostname?: string;
  readonly containerName?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `mem_limit:` or `deploy.resources.limits.memory`, bytes. */
  readonly memLimit?: number;
  readonly profiles: readonly string[];
  readonly tty?: boolean;
  readonly stdinOpen?: boolean;
  readonly init?: boolean;
  readonly readOnly?: boolean;
  readonly privileged?: boolean;
  readonly stopSignal?: string;
  /** `stop_grace_period:`, seconds. */
  readonly stopGracePeriod?: number;
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  /** `extra_hosts:` as `host:ip` strings. */
  readonly extraHosts?: readonly string[];
  /** `tmpfs:` paths (with `:options` when given). */
  readonly tmpfs?: readonly string[];
  readonly pidsLimit?: number;
  /** `cpus:` or `deploy.resources.limits.cpus`. */
  readonly cpus?: number;
  /** `scale:` or `deploy.replicas` (default 1). */
  readonly scale: number;
  /** `pull_policy:` (`missing` when absent). */
  readonly pullPolicy: 'always' | 'never' | 'missing' | 'build' | 'if_not_present';
}

/** `build:` (a string is the context). */
export interface BuildConfig {
  /** Absolute context folder. */
  readonly context: string;
  /** Dockerfile path relative to the context (default `Dockerfile`). */
  readonly dockerfile: string;
  readonly args: Readonly<Record<string, string>>;
  readonly target?: string;
}

/** One `ports:` entry (long syntax; the short one expanded, ranges to one entry per port). */
export interface PortConfig {
  /** Container port. */
  readonly target: number;
  /** Host port as a string (`"8000"`), absent: any free port. */
  readonly published?: string;
  readonly hostIp?: string;
  readonly protocol: 'tcp' | 'udp';
}

/** One `volumes:` entry of a service (long syntax). */
export interface ServiceVolume {
  readonly type: 'volume' | 'bind' | 'tmpfs';
  /** Volume key (type volume; absent: anonymous) or absolute host path (type bind). */
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** Bind only: make a missing source folder (the short syntax does, the long one does not by default). */
  readonly createHostPath?: boolean;
}

/** A service's options on one network. */
export interface ServiceNetwork {
  readonly aliases?: readonly string[];
  readonly ipv4Address?: string;
}

/** `depends_on:` of one dependency. */
export interface DependsOn {
  readonly condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  /** `restart:` (restart this service when the dependency is updated). */
  readonly restart: boolean;
  /** `required:` (default true). */
  readonly required: boolean;
}

/** `healthcheck:` with durations in nanoseconds (Docker's units). */
export interface HealthcheckConfig {
  /** `["CMD", …]`, `["CMD-SHELL", cmd]` or `["NONE"]` (a string is CMD-SHELL). */
  readonly test?: readonly string[];
  readonly interval?: number;
  readonly timeout?: number;
  readonly startPeriod?: number;
  readonly startInterval?: number;
  readonly retries?: number;
  readonly disable?: boolean;
}

/** A top-level network. */
export interface NetworkConfig {
  /** The engine's name: `name:`, or `PROJECT_KEY`; the external network's own name when external. */
  readonly name: string;
  readonly driver?: string;
  readonly external: boolean;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** `ipam.config[0].subnet` / `gateway`. */
  readonly subnet?: string;
  readonly gateway?: string;
}

/** A top-level volume. */
export interface VolumeConfig {
  /** The engine's name: `name:`, or `PROJECT_KEY`; the external volume's own name when external. */
  readonly name: string;
  readonly external: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * A compose file that cannot be used, worded as Compose words it
 * (`services.web.ports.0 must be a string or number`, `service "web" depends on undefined service "db": invalid compose project`).
 */
export class ComposeFileError extends Error {
  override name = 'ComposeFileError';
  constructor(
    message: string,
    /** The file and 1-based line the problem is on, when known (for the editor's diagnostics). */
    readonly where?: { file: string; line: number; column?: number },
  ) {
    super(message);
  }
}
