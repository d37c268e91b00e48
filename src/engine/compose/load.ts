/**
 * Loading a Compose project as `docker compose` (compose-go) does: each file parsed, interpolated
 * with the environment over `.env`, merged over the files before it and validated against the
 * Compose Specification's structure; what LayerLab cannot honour refused by name; then normalised
 * into the model (`model.ts`): the project's name, services with profiles applied, networks and
 * volumes named `PROJECT_KEY`, references checked. `configYaml` prints it as `docker compose config`.
 */
import { parseDotenv } from './dotenv.ts';
import { interpolateDocument, InvalidTemplateError, substitute, type Lookup } from './interpolate.ts';
import { ComposeFileError, type ComposeProject, type NetworkConfig, type ServiceConfig, type VolumeConfig } from './model.ts';
import { normalizeService, topLevelNetwork, topLevelVolume, type EnvFileRef } from './normalize.ts';
import {
  errorAt,
  isRawMap,
  mergeDocument,
  newRawMap,
  notSupported,
  parseComposeFile,
  whereOf,
  type ParsedDocument,
  type RawMap,
  type RawValue,
} from './parse.ts';
import { cleanPath } from '../util/paths.ts';
import { validateCompose } from './validate.ts';

/** The model as `docker compose config` prints it (from `config.ts`). */
export { configYaml } from './config.ts';

/** What `loadProject` reads. */
export interface LoadOptions {
  /** Compose files in order: absolute path and text (several -f: later files override earlier ones, as compose merges). */
  files: { path: string; text: string }[];
  /** The project folder (absolute, '/'-separated); default: the first file's folder. */
  workingDir?: string;
  /** `-p` (wins over `name:` and the folder name). */
  projectName?: string;
  /** Environment for interpolation: the caller's environment (wins) over the `.env` file's values. */
  environment: Record<string, string>;
  /** The text of `.env` in the project folder, if there is one. */
  dotenv?: string;
  /** `--profile` values (and COMPOSE_PROFILES from the environment). */
  profiles?: string[];
  /** Services named on the command line: enabled (with their profiles, as Compose does) along with what they depend on. */
  services?: string[];
  /** Reads a file relative to nothing (absolute path) — for `env_file:`; rejects when missing. */
  readFile(path: string): Promise<string>;
}

/** The file names Compose looks for in a folder, in its order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
/** The override file names Compose adds after the compose file, in its order of preference. */
export const COMPOSE_OVERRIDE_FILE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const;

function findIn(candidates: readonly string[], names: readonly string[], kind: string): { name: string; warning?: string } | undefined {
  const found = candidates.filter((n) => names.includes(n));
  const name = found[0];
  if (name === undefined) return undefined;
  return found.length > 1
    ? { name, warning: `Found multiple ${kind} files with supported names: ${found.join(', ')}\nUsing ${name}` }
    : { name };
}

/** Finds the compose file in a folder listing as Compose does: compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml (first found; warn text when several). */
export function findComposeFile(names: readonly string[]): { name: string; warning?: string } | undefined {
  return findIn(COMPOSE_FILE_NAMES, names, 'config');
}

/** Finds the override file Compose loads after the compose file it found (`compose.override.yml`, …), in a folder listing. */
export function findComposeOverrideFile(names: readonly string[]): { name: string; warning?: string } | undefined {
  return findIn(COMPOSE_OVERRIDE_FILE_NAMES, names, 'override');
}

/** Compose's project name rule: lowercase, only `[a-z0-9_-]`, not starting with `_` or `-`. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function projectName(
  options: LoadOptions,
  env: Record<string, string>,
  docs: readonly ParsedDocument[],
  workingDir: string,
  lookup: Lookup,
): string {
  const imperative = options.projectName || env['COMPOSE_PROJECT_NAME'];
  if (imperative) {
    if (normalizeProjectName(imperative) !== imperative)
      throw new ComposeFileError(
        `invalid project name ${JSON.stringify(imperative)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
      );
    return imperative;
  }
  let named: ParsedDocument | undefined;
  for (const doc of docs) if (typeof doc.value['name'] === 'string' && doc.value['name'] !== '') named = doc;
  let name: string;
  if (named) {
    const raw = named.value['name'] as string;
    try {
      name = normalizeProjectName(substitute(raw, lookup));
    } catch (e) {
      if (e instanceof InvalidTemplateError)
        throw errorAt(
          `invalid interpolation format for name: ${JSON.stringify(raw)}. You may need to escape any $ characters with a second $`,
          named.value,
          'name',
        );
      throw errorAt(`error while interpolating name: ${(e as Error).message}`, named.value, 'name');
    }
  } else name = normalizeProjectName(workingDir.slice(workingDir.lastIndexOf('/') + 1));
  if (!name) throw new ComposeFileError('project name must not be empty');
  return name;
}

async function readEnvFiles(
  service: ServiceConfig,
  refs: readonly EnvFileRef[],
  options: LoadOptions,
  lookup: Lookup,
): Promise<ServiceConfig> {
  if (!refs.length) return service;
  const fromFiles: Record<string, string> = {};
  for (const ref of refs) {
    if (ref.format !== undefined && ref.format !== '' && ref.format !== '.env')
      throw new ComposeFileError(`unsupported env_file format ${JSON.stringify(ref.format)}`);
    let text: string;
    try {
      text = await options.readFile(ref.path);
    } catch {
      if (!ref.required) continue;
      throw new ComposeFileError(`env file ${ref.path} not found: stat ${ref.path}: no such file or directory`);
    }
    try {
      Object.assign(
        fromFiles,
        parseDotenv(text, (k) => lookup(k) ?? service.environment[k] ?? undefined),
      );
    } catch (e) {
      throw new ComposeFileError(`failed to read ${ref.path}: ${(e as Error).message}`);
    }
  }
  return { ...service, environment: { ...fromFiles, ...service.environment } };
}

// ---- LayerLab's subset: what it cannot honour is refused by name ----

/** The same value for each of the space-separated `names`. */
const each = <T>(names: string, value: T): Record<string, T> => Object.fromEntries(names.split(' ').map((n) => [n, value]));

const NO_SWARM = 'there is no swarm';
const CPU = 'LayerLab limits CPU only with `cpus:`';
const MEMORY = 'LayerLab limits memory only with `mem_limit:`';
const NAMESPACES = "containers' namespaces are made by LayerLab's engine";
const WINDOWS = 'it is for Windows containers';
const FILES = 'LayerLab reads only the files given with -f: merge files with several -f instead';
const FILE_MOUNTS = 'they come from swarm: mount a file with `volumes:` instead';
const LINKS = 'links are a legacy feature: services reach each other by name on their networks';
const DNS = "containers use the engine's embedded DNS server";
const DEVICES = 'the machine has no devices to give to containers';
const HOOKS = "LayerLab's Compose runs no lifecycle hooks";
const OOM = "the machine's kernel decides which process the OOM killer ends";
const AI = 'the machine runs no AI models';
const NETWORK_MODES = 'LayerLab runs containers on host, none, bridge or the project networks only';
const PULL_POLICIES = 'LayerLab knows always, never, missing and build';
const BUILD_KEYS = "LayerLab's builder takes only context, dockerfile, args and target";
const LOCAL_CONTEXT = 'LayerLab builds only from a folder of the project';

/** Service keys of the Compose Specification that LayerLab refuses, and why. */
const UNSUPPORTED_SERVICE_KEYS: Readonly<Record<string, string>> = {
  ...each('cpu_count cpu_percent cpu_shares cpu_quota cpu_period cpu_rt_period cpu_rt_runtime cpuset', CPU),
  ...each('mem_reservation mem_swappiness memswap_limit', MEMORY),
  ...each('cgroup ipc pid uts userns_mode', NAMESPACES),
  ...each('credential_spec isolation', WINDOWS),
  ...each('configs secrets', FILE_MOUNTS),
  ...each('links external_links', LINKS),
  ...each('dns dns_opt dns_search', DNS),
  ...each('devices device_cgroup_rules', DEVICES),
  ...each('post_start pre_stop', HOOKS),
  ...each('oom_kill_disable oom_score_adj', OOM),
  annotations: 'OCI annotations are not kept on LayerLab containers',
  attach: "LayerLab's Compose does not implement it",
  blkio_config: 'the machine has no block-I/O controller for containers',
  cgroup_parent: "LayerLab's engine makes every container's cgroup itself",
  develop: '`docker compose watch` is not available in LayerLab',
  domainname: "LayerLab's engine sets only the host name (`hostname:`)",
  extends: FILES,
  gpus: 'the machine has no GPU',
  group_add: "LayerLab's engine does not add supplementary groups",
  label_file: 'LayerLab reads labels only from `labels:`',
  logging: "LayerLab's engine keeps logs with its own driver",
  mac_address: "the machine's networks give addresses themselves",
  models: AI,
  platform: "LayerLab runs images of its own machine's platform only",
  provider: 'there are no provider services in LayerLab',
  pull_refresh_after: 'LayerLab has no registry to pull from again',
  runtime: "LayerLab's engine has one runtime",
  security_opt: "the machine's kernel has no seccomp, AppArmor or SELinux profiles for containers",
  shm_size: "LayerLab's engine gives every container the default /dev/shm",
  storage_opt: "LayerLab's engine has one storage driver, without options",
  sysctls: "LayerLab's engine does not set kernel parameters per container",
  ulimits: "LayerLab's engine does not set ulimits per container",
  use_api_socket: 'there is no Docker socket to share with containers',
  volumes_from: 'share a named volume between the services instead',
};

/** Top-level keys LayerLab refuses, and why. */
const UNSUPPORTED_TOP_LEVEL_KEYS: Readonly<Record<string, string>> = {
  secrets: FILE_MOUNTS,
  configs: FILE_MOUNTS,
  include: FILES,
  models: AI,
};

const asMap = (value: RawValue | undefined): RawMap | undefined => (isRawMap(value) ? value : undefined);

/** Refuses the keys of `container` (at `at`) other than `allowed` and `x-*`. */
function onlyKeys(at: string, container: RawMap | undefined, allowed: string, why: (key: string) => string): void {
  const keys = new Set(allowed.split(' '));
  for (const key of Object.keys(container ?? {}))
    if (!keys.has(key) && !key.startsWith('x-')) throw notSupported(at, JSON.stringify(key), why(key), container, key);
}

/** Refuses `container[key]` unless it is absent or one of `values`. */
function onlyValues(at: string, container: RawMap | undefined, key: string, values: readonly RawValue[], why: string): void {
  const value = container?.[key];
  if (value !== undefined && !values.includes(value)) throw notSupported(at, `${key} ${JSON.stringify(value)}`, why, container, key);
}

function refuseService(at: string, s: RawMap): void {
  for (const key of Object.keys(s)) {
    const why = UNSUPPORTED_SERVICE_KEYS[key];
    if (why) throw notSupported(at, JSON.stringify(key), why, s, key);
  }
  onlyValues(at, s, 'network_mode', ['host', 'none', 'bridge'], NETWORK_MODES);
  onlyValues(at, s, 'pull_policy', ['always', 'never', 'missing', 'build', 'if_not_present'], PULL_POLICIES);
  const build = asMap(s['build']);
  onlyKeys(`${at}.build`, build, 'context dockerfile args target', () => BUILD_KEYS);
  const context = typeof s['build'] === 'string' ? s['build'] : build?.['context'];
  if (typeof context === 'string' && (context.includes('://') || /^(github\.com\/|git@|service:)/.test(context)))
    throw notSupported(`${at}.build`, `the context ${JSON.stringify(context)}`, LOCAL_CONTEXT, build ?? s, build ? 'context' : 'build');
  const deploy = asMap(s['deploy']);
  onlyKeys(`${at}.deploy`, deploy, 'mode replicas resources', (k) => (k === 'restart_policy' ? `${NO_SWARM}: use \`restart:\`` : NO_SWARM));
  onlyValues(`${at}.deploy`, deploy, 'mode', ['replicated'], NO_SWARM);
  onlyKeys(`${at}.deploy.resources`, asMap(deploy?.['resources']), 'limits', () => "LayerLab's engine sets limits only");
  for (const [name, options] of Object.entries(asMap(s['networks']) ?? {}))
    onlyKeys(`${at}.networks.${name}`, asMap(options), 'aliases ipv4_address', (k) =>
      k === 'ipv6_address' ? "the machine's networks have no IPv6" : "LayerLab's engine connects containers with its defaults",
    );
  (Array.isArray(s['volumes']) ? s['volumes'] : []).forEach((v, i) => {
    const mount = asMap(v);
    if (!mount) return;
    const here = `${at}.volumes.${i}`;
    onlyValues(here, mount, 'type', ['bind', 'volume', 'tmpfs'], 'LayerLab mounts volumes, binds and tmpfs only');
    onlyKeys(here, mount, 'type source target read_only consistency bind volume', () => "LayerLab's engine mounts tmpfs with its defaults");
    const bind = asMap(mount['bind']);
    onlyKeys(`${here}.bind`, bind, 'create_host_path selinux propagation recursive', () => "LayerLab's engine does not implement it");
    onlyValues(`${here}.bind`, bind, 'propagation', ['private', 'rprivate'], "the machine's mounts are private to each container");
    onlyValues(`${here}.bind`, bind, 'recursive', ['enabled'], "LayerLab's engine binds folders recursively only");
    const volume = asMap(mount['volume']);
    onlyKeys(`${here}.volume`, volume, 'nocopy', (k) =>
      k === 'subpath' ? 'LayerLab mounts whole volumes only' : 'LayerLab keeps no labels on a volume a mount makes',
    );
    onlyValues(`${here}.volume`, volume, 'nocopy', [false, 'false'], "LayerLab's engine always fills a new volume from the image");
  });
}

/** Refuses, by name, what a valid document asks that LayerLab cannot honour (the first such key, in the file's order). */
function refuseUnsupported(document: RawMap): void {
  for (const key of Object.keys(document)) {
    const why = UNSUPPORTED_TOP_LEVEL_KEYS[key];
    if (why) throw notSupported('', JSON.stringify(key), why, document, key);
  }
  const services = asMap(document['services']) ?? {};
  for (const name of Object.keys(services)) refuseService(`services.${name}`, asMap(services[name]) ?? {});
  for (const [name, raw] of Object.entries(asMap(document['networks']) ?? {})) {
    const at = `networks.${name}`;
    const network = asMap(raw);
    onlyKeys(
      at,
      network,
      'name driver external internal attachable labels ipam enable_ipv4 enable_ipv6',
      () => "LayerLab's bridges take no driver options",
    );
    const driver = network?.['driver'];
    if (driver !== undefined && driver !== 'bridge')
      throw notSupported(
        at,
        `driver ${JSON.stringify(driver)}`,
        driver === 'overlay' ? NO_SWARM : "LayerLab's networks are bridges",
        network,
        'driver',
      );
    onlyValues(at, network, 'enable_ipv6', [false, 'false'], "the machine's networks have no IPv6");
    onlyValues(at, network, 'enable_ipv4', [true, 'true'], "LayerLab's networks are IPv4 networks");
    const ipam = asMap(network?.['ipam']);
    onlyKeys(`${at}.ipam`, ipam, 'driver config', () => "LayerLab's IPAM takes no options");
    onlyValues(`${at}.ipam`, ipam, 'driver', ['default'], "LayerLab's engine has one IPAM driver");
    const configs = Array.isArray(ipam?.['config']) ? ipam['config'] : [];
    if (configs.length > 1) throw notSupported(`${at}.ipam`, 'more than one "config"', 'a LayerLab network has one subnet', configs, 1);
    onlyKeys(`${at}.ipam.config.0`, asMap(configs[0]), 'subnet gateway', () => 'a LayerLab network takes a subnet and a gateway only');
  }
  for (const [name, raw] of Object.entries(asMap(document['volumes']) ?? {})) {
    const volume = asMap(raw);
    onlyKeys(`volumes.${name}`, volume, 'name driver external labels', () => "LayerLab's volumes take no driver options");
    onlyValues(`volumes.${name}`, volume, 'driver', ['local'], "LayerLab's engine has the local volume driver only");
  }
}

/** Runs `fn`; a ComposeFileError it throws without a place is placed at the entry `key` of `container`. */
function placed<T>(fn: () => T, container: RawMap, key: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ComposeFileError && !e.where) throw new ComposeFileError(e.message, whereOf(container, key));
    throw e;
  }
}

function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Which services are enabled: profiles (`*` is all), then the named ones with their profiles and what they depend on. */
function enabledServices(all: Readonly<Record<string, ServiceConfig>>, profiles: readonly string[], named: readonly string[]): Set<string> {
  const active = new Set(profiles);
  for (const name of named) {
    const service = all[name];
    if (!service) throw new ComposeFileError(`no such service: ${name}`);
    for (const p of service.profiles) active.add(p);
  }
  const enabled = new Set(
    Object.values(all)
      .filter((s) => !s.profiles.length || active.has('*') || s.profiles.some((p) => active.has(p)))
      .map((s) => s.name),
  );
  const queue = [...named];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    enabled.add(name);
    for (const dep of Object.keys(all[name]?.dependsOn ?? {})) if (all[dep] && !enabled.has(dep)) queue.push(dep);
  }
  return enabled;
}

function checkConsistency(project: Omit<ComposeProject, 'warnings'>, rawServices: RawMap): void {
  const at = (name: string, key: string): ComposeFileError['where'] => {
    const raw = rawServices[name];
    return (isRawMap(raw) ? whereOf(raw, key) : undefined) ?? whereOf(rawServices, name);
  };
  const invalid = (message: string, name: string, key: string): ComposeFileError =>
    new ComposeFileError(`${message}: invalid compose project`, at(name, key));
  for (const s of Object.values(project.services)) {
    if (!s.build && !s.image)
      throw invalid(`service ${JSON.stringify(s.name)} has neither an image nor a build context specified`, s.name, 'image');
    for (const network of Object.keys(s.networks))
      if (!project.networks[network])
        throw invalid(`service ${JSON.stringify(s.name)} refers to undefined network ${network}`, s.name, 'networks');
    for (const [dep, options] of Object.entries(s.dependsOn))
      if (!project.services[dep] && (options.required || !project.disabledServices[dep]))
        throw invalid(`service ${JSON.stringify(s.name)} depends on undefined service ${JSON.stringify(dep)}`, s.name, 'depends_on');
    for (const v of s.volumes)
      if (v.type === 'volume' && v.source !== undefined && !project.volumes[v.source])
        throw invalid(`service ${JSON.stringify(s.name)} refers to undefined volume ${v.source}`, s.name, 'volumes');
  }
  // depends_on cycles, searched from each service in name order as Compose does
  const search = (path: string[]): void => {
    for (const dep of Object.keys(project.services[path[path.length - 1]!]?.dependsOn ?? {}).sort()) {
      if (!project.services[dep]) continue;
      const i = path.indexOf(dep);
      if (i >= 0)
        throw new ComposeFileError(
          `dependency cycle detected: ${path.slice(i).join(' -> ')} -> ${dep}`,
          at(path[path.length - 1]!, 'depends_on'),
        );
      search([...path, dep]);
    }
  };
  for (const name of Object.keys(project.services)) search([name]);
}

/** Loads, checks and normalises a Compose project (throws `ComposeFileError` with Compose's wording). */
export async function loadProject(options: LoadOptions): Promise<ComposeProject> {
  const first = options.files[0];
  if (!first) throw new ComposeFileError('no configuration file provided: not found');
  const warnings: string[] = [];
  const warn = (message: string): void => void (warnings.includes(message) || warnings.push(message));
  const workingDir = cleanPath(options.workingDir ?? dirname(first.path));
  let dotenv: Record<string, string> = {};
  if (options.dotenv !== undefined)
    try {
      dotenv = parseDotenv(options.dotenv, (k) => (Object.hasOwn(options.environment, k) ? options.environment[k] : undefined));
    } catch (e) {
      throw new ComposeFileError(`failed to read ${workingDir === '/' ? '' : workingDir}/.env: ${(e as Error).message}`);
    }
  const env: Record<string, string> = { ...dotenv, ...options.environment };
  const lookup: Lookup = (k) => (Object.hasOwn(env, k) ? env[k] : undefined);
  const docs = options.files.flatMap((f) => parseComposeFile(f.path, f.text));
  const name = projectName(options, env, docs, workingDir, lookup);
  env['COMPOSE_PROJECT_NAME'] = name;

  let dict = newRawMap();
  for (const doc of docs) {
    interpolateDocument(doc.value, { lookup, file: doc.file, warn });
    dict = mergeDocument(dict, doc);
    const error = validateCompose(dict);
    if (error)
      throw new ComposeFileError(
        `validating ${doc.file}: ${error.message}`,
        (error.container && error.key !== undefined ? whereOf(error.container, error.key) : undefined) ?? { file: doc.file, line: 1 },
      );
    if ('version' in dict) {
      warn(`${doc.file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
      delete dict['version'];
    }
  }
  if (!Object.keys(dict).length) throw new ComposeFileError('empty compose file', { file: first.path, line: 1 });
  refuseUnsupported(dict);

  const ctx = { workingDir, lookup, warn };
  const rawServices = isRawMap(dict['services']) ? dict['services'] : newRawMap();
  const all: Record<string, ServiceConfig> = {};
  const envFiles: Record<string, EnvFileRef[]> = {};
  for (const key of Object.keys(rawServices).sort()) {
    const normalized = placed(() => normalizeService(key, rawServices[key] as RawMap, ctx), rawServices, key);
    all[key] = normalized.service;
    envFiles[key] = normalized.envFiles;
  }
  const rawNetworks = isRawMap(dict['networks']) ? dict['networks'] : newRawMap();
  const networks: Record<string, NetworkConfig> = {};
  const usesDefault = Object.values(all).some((s) => 'default' in s.networks);
  if (usesDefault && !('default' in rawNetworks)) networks['default'] = { name: `${name}_default`, external: false, labels: {} };
  for (const key of Object.keys(rawNetworks))
    networks[key] = placed(() => topLevelNetwork(name, key, rawNetworks[key], warn), rawNetworks, key);
  const rawVolumes = isRawMap(dict['volumes']) ? dict['volumes'] : newRawMap();
  const volumes: Record<string, VolumeConfig> = {};
  for (const key of Object.keys(rawVolumes)) volumes[key] = placed(() => topLevelVolume(name, key, rawVolumes[key], warn), rawVolumes, key);

  const profiles = options.profiles?.length
    ? options.profiles
    : (env['COMPOSE_PROFILES'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
  const enabled = enabledServices(all, profiles, options.services ?? []);
  // as Compose does, only the enabled services read their env_file
  for (const key of enabled)
    try {
      all[key] = await readEnvFiles(all[key]!, envFiles[key] ?? [], options, lookup);
    } catch (e) {
      const raw = rawServices[key];
      if (e instanceof ComposeFileError && !e.where && isRawMap(raw)) throw new ComposeFileError(e.message, whereOf(raw, 'env_file'));
      throw e;
    }
  const project = {
    name,
    workingDir,
    composeFiles: options.files.map((f) => f.path),
    services: sortedRecord(Object.entries(all).filter(([k]) => enabled.has(k))),
    disabledServices: sortedRecord(Object.entries(all).filter(([k]) => !enabled.has(k))),
    networks,
    volumes,
  };
  checkConsistency(project, rawServices);
  // as `docker compose` does (without --all): only the networks and volumes the enabled services use
  const used = Object.values(project.services);
  return {
    ...project,
    networks: sortedRecord(Object.entries(networks).filter(([k]) => used.some((s) => k in s.networks))),
    volumes: sortedRecord(
      Object.entries(volumes).filter(([k]) => used.some((s) => s.volumes.some((v) => v.type === 'volume' && v.source === k))),
    ),
    ...(warnings.length ? { warnings } : {}),
  };
}
