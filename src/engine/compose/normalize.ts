/**
 * A validated compose document's services, networks and volumes turned into the model
 * (compose-go's canonical form): short syntaxes expanded (`ports`, `volumes`, `depends_on`,
 * `networks`), paths made absolute, `command` split into words, durations and sizes parsed. The
 * keys LayerLab refuses were refused before (`load.ts`); what shows only once a value is parsed
 * (a `/sctp` port, a volume's `:nocopy`) is refused here, by name.
 */
import { cleanPath } from '../util/paths.ts';
import type { Lookup } from './interpolate.ts';
import {
  ComposeFileError,
  type NetworkConfig,
  type VolumeConfig,
  type BuildConfig,
  type DependsOn,
  type HealthcheckConfig,
  type PortConfig,
  type ServiceConfig,
  type ServiceNetwork,
  type ServiceVolume,
} from './model.ts';
import { errorAt, isRawMap, newRawMap, notSupported, type RawMap, type RawValue } from './parse.ts';
import { splitShellWords } from './shell-words.ts';
import {
  absolutePath,
  bytes,
  duration,
  entries,
  float,
  isIP,
  parsePortSpec,
  parseVolumeSpec,
  resolvedEntries,
  stringList,
  text,
  toBoolean,
} from './units.ts';

/** What normalising needs from the project. */
export interface NormalizeContext {
  /** The project folder (absolute). */
  readonly workingDir: string;
  /** The project's environment (the caller's over `.env`), for `KEY`-only entries and `~`. */
  readonly lookup: Lookup;
  readonly warn: (message: string) => void;
}

/** An `env_file:` entry, read by the loader (it needs the file system). */
export interface EnvFileRef {
  readonly path: string;
  readonly required: boolean;
  readonly format?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function words(value: RawValue | undefined, at: string, warn: (m: string) => void): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  const split = (() => {
    try {
      return splitShellWords(String(value));
    } catch (e) {
      throw new ComposeFileError(`${at}: ${(e as Error).message}`);
    }
  })();
  if (split.stoppedAt)
    warn(
      `${at}: Compose runs no shell, so the command ends before ${JSON.stringify(split.stoppedAt.dropped)}; ` +
        `write it as ["sh", "-c", ${JSON.stringify(String(value))}] to run it in a shell`,
    );
  return split.args;
}

function normalizeBuild(raw: RawValue, ctx: NormalizeContext): BuildConfig {
  const build: RawMap = isRawMap(raw) ? raw : { context: raw };
  const context = String(build['context'] ?? '.');
  const args: Record<string, string> = {};
  for (const [k, v] of entries(build['args'])) {
    const value = v ?? ctx.lookup(k);
    if (value !== undefined) args[k] = value;
  }
  return {
    context: absolutePath(ctx.workingDir, expandUser(context, ctx)),
    dockerfile: String(build['dockerfile'] ?? 'Dockerfile'),
    args,
    ...(build['target'] !== undefined ? { target: String(build['target']) } : {}),
  };
}

function expandUser(path: string, ctx: NormalizeContext): string {
  if (!path.startsWith('~')) return path;
  const home = ctx.lookup('HOME');
  if (home === undefined) {
    ctx.warn("cannot expand '~', because the environment lacks HOME");
    return path;
  }
  return `${home}/${path.slice(1)}`;
}

function normalizePorts(raw: RawValue | undefined, at: string): PortConfig[] {
  const out: PortConfig[] = [];
  const seen = new Set<string>();
  const add = (p: PortConfig, list: object, i: number): void => {
    if (p.protocol !== 'tcp' && p.protocol !== 'udp')
      throw notSupported(`${at}.${i}`, `protocol ${JSON.stringify(p.protocol)}`, 'the machine relays TCP and UDP only', list, i);
    const key = `${p.hostIp ?? ''}:${p.published ?? ''}:${p.target}/${p.protocol}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  (Array.isArray(raw) ? raw : []).forEach((entry, i, list) => {
    if (!isRawMap(entry)) {
      let specs;
      try {
        specs = parsePortSpec(String(entry));
      } catch (e) {
        throw errorAt((e as Error).message, list, i);
      }
      for (const s of specs) add(s as PortConfig, list, i);
      return;
    }
    const hostIp = entry['host_ip'];
    if (hostIp !== undefined && !isIP(String(hostIp))) throw errorAt(`${at}.${i}: invalid ip address: ${text(hostIp)}`, list, i);
    if (entry['target'] === undefined) throw errorAt(`service ports ${at}[${i}] is missing a target port`, list, i);
    const target = Number(entry['target']);
    if (!Number.isInteger(target))
      throw errorAt(`${at}.${i}.target: strconv.Atoi: parsing ${JSON.stringify(text(entry['target']))}: invalid syntax`, list, i);
    add(
      {
        target,
        protocol: String(entry['protocol'] ?? 'tcp') as PortConfig['protocol'],
        ...(entry['published'] !== undefined && entry['published'] !== '' ? { published: text(entry['published']) } : {}),
        ...(hostIp !== undefined ? { hostIp: String(hostIp) } : {}),
      },
      list,
      i,
    );
  });
  return out;
}

function normalizeExpose(raw: RawValue | undefined, at: string): string[] {
  const out: string[] = [];
  (Array.isArray(raw) ? raw : []).forEach((entry, i, list) => {
    const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(String(entry));
    if (!m || Number(m[2] ?? m[1]) < Number(m[1]) || Number(m[2] ?? m[1]) > 65535)
      throw errorAt(`${at}.${i}: invalid containerPort: ${String(entry)}`, list, i);
    for (let p = Number(m[1]); p <= Number(m[2] ?? m[1]); p++) {
      const port = `${p}/${(m[3] ?? 'tcp').toLowerCase()}`;
      if (!out.includes(port)) out.push(port);
    }
  });
  return out;
}

function normalizeVolumes(raw: RawValue | undefined, at: string, ctx: NormalizeContext, tmpfs: readonly string[]): ServiceVolume[] {
  const out: ServiceVolume[] = [];
  const mounted = new Map<string, string>(tmpfs.map((t, i) => [t.split(':')[0]!, `${at.replace(/\.volumes$/, '.tmpfs')}[${i}]`]));
  (Array.isArray(raw) ? raw : []).forEach((entry, i, list) => {
    const here = `${at}.${i}`;
    let volume: Mutable<ServiceVolume>;
    if (!isRawMap(entry)) {
      let spec;
      try {
        spec = parseVolumeSpec(String(entry));
      } catch (e) {
        throw errorAt((e as Error).message, list, i);
      }
      for (const option of spec.options) {
        if (option === 'nocopy')
          throw notSupported(here, 'the volume option "nocopy"', "LayerLab's engine always fills a new volume from the image", list, i);
        if (/^r?(shared|slave)$/.test(option))
          throw notSupported(
            here,
            `the bind propagation ${JSON.stringify(option)}`,
            "the machine's mounts are private to each container",
            list,
            i,
          );
      }
      volume = { type: spec.type, target: cleanPath(spec.target), readOnly: spec.readOnly };
      if (spec.source !== undefined) volume.source = spec.source;
      if (spec.type === 'bind') volume.createHostPath = true;
    } else {
      const type = String(entry['type']) as ServiceVolume['type'];
      const bind = isRawMap(entry['bind']) ? entry['bind'] : undefined;
      const source = entry['source'] === undefined || entry['source'] === '' ? undefined : String(entry['source']);
      if (type === 'bind' && source === undefined)
        throw errorAt('invalid mount config for type "bind": field Source must not be empty', list, i);
      volume = {
        type,
        target: cleanPath(String(entry['target'] ?? '')),
        readOnly: toBoolean(entry['read_only'], `${here}.read_only`) ?? false,
      };
      if (source !== undefined && type !== 'tmpfs') volume.source = source;
      if (type === 'bind') volume.createHostPath = toBoolean(bind?.['create_host_path'], `${here}.bind.create_host_path`) ?? false;
    }
    if (volume.type === 'bind' && volume.source !== undefined) volume.source = absolutePath(ctx.workingDir, expandUser(volume.source, ctx));
    const previous = mounted.get(volume.target);
    if (previous) throw errorAt(`${at}[${i}]: target ${volume.target} already mounted as ${previous}`, list, i);
    mounted.set(volume.target, `${at}[${i}]`);
    out.push(volume);
  });
  return out;
}

function normalizeNetworks(raw: RawValue | undefined): Record<string, ServiceNetwork> {
  const out: Record<string, ServiceNetwork> = {};
  if (Array.isArray(raw)) for (const n of raw) out[String(n)] = {};
  else if (isRawMap(raw))
    for (const [key, options] of Object.entries(raw)) {
      if (!isRawMap(options)) {
        out[key] = {};
        continue;
      }
      out[key] = {
        ...(options['aliases'] !== undefined ? { aliases: stringList(options['aliases'])! } : {}),
        ...(options['ipv4_address'] !== undefined ? { ipv4Address: String(options['ipv4_address']) } : {}),
      };
    }
  return Object.keys(out).length ? out : { default: {} };
}

function normalizeDependsOn(raw: RawValue | undefined, at: string): Record<string, DependsOn> {
  const out: Record<string, DependsOn> = {};
  if (Array.isArray(raw)) for (const d of raw) out[String(d)] = { condition: 'service_started', restart: false, required: true };
  else if (isRawMap(raw))
    for (const [name, d] of Object.entries(raw)) {
      const options = isRawMap(d) ? d : {};
      out[name] = {
        condition: (options['condition'] ?? 'service_started') as DependsOn['condition'],
        restart: toBoolean(options['restart'], `${at}.${name}.restart`) ?? false,
        required: toBoolean(options['required'], `${at}.${name}.required`) ?? true,
      };
    }
  return out;
}

function normalizeHealthcheck(raw: RawValue | undefined, at: string): HealthcheckConfig | undefined {
  if (!isRawMap(raw)) return undefined;
  const test = raw['test'];
  const argv = typeof test === 'string' ? ['CMD-SHELL', test] : Array.isArray(test) ? test.map(String) : undefined;
  if (argv?.length && !['CMD', 'CMD-SHELL', 'NONE'].includes(argv[0]!))
    throw errorAt('healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"', raw, 'test');
  const hc: Mutable<HealthcheckConfig> = {};
  if (argv) hc.test = argv;
  const interval = duration(raw['interval'], `${at}.interval`);
  const timeout = duration(raw['timeout'], `${at}.timeout`);
  const startPeriod = duration(raw['start_period'], `${at}.start_period`);
  const startInterval = duration(raw['start_interval'], `${at}.start_interval`);
  if (interval !== undefined) hc.interval = interval;
  if (timeout !== undefined) hc.timeout = timeout;
  if (startPeriod !== undefined) hc.startPeriod = startPeriod;
  if (startInterval !== undefined) hc.startInterval = startInterval;
  if (raw['retries'] !== undefined && raw['retries'] !== null) hc.retries = Math.trunc(float(raw['retries'], `${at}.retries`)!);
  const disable = toBoolean(raw['disable'], `${at}.disable`);
  if (disable) hc.disable = true;
  return hc;
}

function extraHosts(raw: RawValue | undefined): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const pairs: [string, string][] = [];
  if (isRawMap(raw))
    for (const [host, ips] of Object.entries(raw)) for (const ip of Array.isArray(ips) ? ips : [ips ?? '']) pairs.push([host, String(ip)]);
  else
    for (const entry of Array.isArray(raw) ? raw : []) {
      const s = String(entry);
      const sep = s.includes('=') ? '=' : ':';
      const i = s.indexOf(sep);
      if (i < 0) throw new ComposeFileError(`invalid additional host, missing IP: ${s}`);
      for (const ip of s.slice(i + 1).split(',')) pairs.push([s.slice(0, i), ip]);
    }
  return pairs.map(([host, ip]) => `${host}:${ip.replace(/^\[(.*)\]$/, '$1')}`);
}

function deployLimits(raw: RawValue | undefined, at: string): { replicas?: number; memory?: number; cpus?: number; pids?: number } {
  if (!isRawMap(raw)) return {};
  const resources = isRawMap(raw['resources']) ? raw['resources'] : {};
  const limits = isRawMap(resources['limits']) ? resources['limits'] : {};
  const out: { replicas?: number; memory?: number; cpus?: number; pids?: number } = {};
  if (typeof raw['replicas'] === 'number') out.replicas = raw['replicas'];
  const memory = bytes(limits['memory'], `${at}.resources.limits.memory`);
  const cpus = float(limits['cpus'], `${at}.resources.limits.cpus`);
  const pids = float(limits['pids'], `${at}.resources.limits.pids`);
  if (memory !== undefined) out.memory = memory;
  if (cpus !== undefined) out.cpus = cpus;
  if (pids !== undefined) out.pids = pids;
  return out;
}

/** Normalises service `name` of a validated document; `env_file:` entries are returned for the loader to read. */
export function normalizeService(name: string, raw: RawMap, ctx: NormalizeContext): { service: ServiceConfig; envFiles: EnvFileRef[] } {
  const at = `services.${name}`;
  const s: Mutable<ServiceConfig> = {
    name,
    environment: resolvedEntries(raw['environment'], ctx.lookup),
    ports: normalizePorts(raw['ports'], `${at}.ports`),
    expose: normalizeExpose(raw['expose'], `${at}.expose`),
    volumes: [],
    networks: {},
    dependsOn: normalizeDependsOn(raw['depends_on'], `${at}.depends_on`),
    labels: Object.fromEntries(entries(raw['labels']).map(([k, v]) => [k, v ?? ''])),
    profiles: stringList(raw['profiles']) ?? [],
    scale: 1,
    pullPolicy:
      raw['pull_policy'] === undefined || raw['pull_policy'] === 'if_not_present'
        ? 'missing'
        : (String(raw['pull_policy']) as ServiceConfig['pullPolicy']),
  };
  const str = (key: string): string | undefined => (raw[key] === undefined || raw[key] === null ? undefined : String(raw[key]));
  const flag = (key: string): boolean | undefined => toBoolean(raw[key], `${at}.${key}`);
  if (str('image') !== undefined) s.image = str('image');
  if (raw['build'] !== undefined && raw['build'] !== null) s.build = normalizeBuild(raw['build'], ctx);
  const command = words(raw['command'], `${at}.command`, ctx.warn);
  const entrypoint = words(raw['entrypoint'], `${at}.entrypoint`, ctx.warn);
  if (command) s.command = command;
  if (entrypoint) s.entrypoint = entrypoint;
  const tmpfs = stringList(raw['tmpfs']);
  if (tmpfs) s.tmpfs = tmpfs;
  s.volumes = normalizeVolumes(raw['volumes'], `${at}.volumes`, ctx, tmpfs ?? []);
  if (raw['network_mode'] !== undefined) {
    if (raw['networks'] !== undefined)
      throw errorAt(
        `service ${name} declares mutually exclusive \`network_mode\` and \`networks\`: invalid compose project`,
        raw,
        'networks',
      );
    s.networkMode = String(raw['network_mode']);
    s.networks = {};
  } else s.networks = normalizeNetworks(raw['networks']);
  const hc = normalizeHealthcheck(raw['healthcheck'], `${at}.healthcheck`);
  if (hc) s.healthcheck = hc;
  for (const [key, field] of [
    ['restart', 'restart'],
    ['working_dir', 'workingDir'],
    ['user', 'user'],
    ['hostname', 'hostname'],
    ['container_name', 'containerName'],
    ['stop_signal', 'stopSignal'],
  ] as const)
    if (str(key) !== undefined) s[field] = str(key);
  for (const [key, field] of [
    ['tty', 'tty'],
    ['stdin_open', 'stdinOpen'],
    ['init', 'init'],
    ['read_only', 'readOnly'],
    ['privileged', 'privileged'],
  ] as const) {
    const value = flag(key);
    if (value !== undefined) s[field] = value;
  }
  const grace = duration(raw['stop_grace_period'], `${at}.stop_grace_period`);
  if (grace !== undefined) s.stopGracePeriod = grace / 1e9;
  if (raw['cap_add'] !== undefined) s.capAdd = stringList(raw['cap_add'])!;
  if (raw['cap_drop'] !== undefined) s.capDrop = stringList(raw['cap_drop'])!;
  const hosts = extraHosts(raw['extra_hosts']);
  if (hosts) s.extraHosts = hosts;
  // limits: the service's keys and deploy.resources.limits must agree (as Compose checks)
  const deploy = deployLimits(raw['deploy'], `${at}.deploy`);
  const memLimit = bytes(raw['mem_limit'], `${at}.mem_limit`);
  const cpus = float(raw['cpus'], `${at}.cpus`);
  const pids = float(raw['pids_limit'], `${at}.pids_limit`);
  const scale = raw['scale'] === undefined || raw['scale'] === null ? undefined : float(raw['scale'], `${at}.scale`);
  const distinct = (a: number | undefined, b: number | undefined, what: string, deployWhat: string): void => {
    if (a !== undefined && b !== undefined && a !== b)
      throw errorAt(`${at}: can't set distinct values on '${what}' and 'deploy.${deployWhat}': invalid compose project`, raw, 'deploy');
  };
  distinct(scale, deploy.replicas, 'scale', 'replicas');
  distinct(cpus || undefined, deploy.cpus, 'cpus', 'resources.limits.cpus');
  distinct(memLimit || undefined, deploy.memory, 'mem_limit', 'resources.limits.memory');
  distinct(pids || undefined, deploy.pids, 'pids_limit', 'resources.limits.pids');
  if (scale !== undefined && scale < 0) throw errorAt(`${at}.scale: must be greater than or equal to 0`, raw, 'scale');
  if (deploy.replicas !== undefined && deploy.replicas < 0)
    throw errorAt(`${at}.deploy.replicas: must be greater than or equal to 0`, raw, 'deploy');
  s.scale = scale ?? deploy.replicas ?? 1;
  if ((memLimit ?? deploy.memory) !== undefined) s.memLimit = memLimit ?? deploy.memory;
  if ((cpus ?? deploy.cpus) !== undefined) s.cpus = cpus ?? deploy.cpus;
  if ((pids ?? deploy.pids) !== undefined) s.pidsLimit = pids ?? deploy.pids;
  if (s.scale > 1 && s.containerName !== undefined)
    throw errorAt(
      `${at}: can't set container_name and ${raw['scale'] !== undefined ? 'scale' : 'deploy.replicas'} as container name must be unique: invalid compose project`,
      raw,
      'container_name',
    );
  const envFiles: EnvFileRef[] = [];
  const envFile = raw['env_file'];
  for (const entry of Array.isArray(envFile) ? envFile : envFile === undefined || envFile === null ? [] : [envFile]) {
    const ref = isRawMap(entry) ? entry : { path: entry };
    const format = ref['format'] === undefined ? undefined : String(ref['format']);
    envFiles.push({
      path: absolutePath(ctx.workingDir, expandUser(String(ref['path']), ctx)),
      required: toBoolean(ref['required'], `${at}.env_file.required`) ?? true,
      ...(format !== undefined ? { format } : {}),
    });
  }
  return { service: s, envFiles };
}

/** `external:` as Compose reads it (a mapping is the deprecated `external: {name: …}`); the resource's name, or undefined. */
function external(at: string, raw: RawMap, warn: (m: string) => void): { external: boolean; name?: string } {
  const ext = raw['external'];
  const explicit = raw['name'] === undefined || raw['name'] === null ? undefined : String(raw['name']);
  if (isRawMap(ext)) {
    const legacy = ext['name'] === undefined ? undefined : String(ext['name']);
    if (legacy !== undefined) {
      warn(`${at}: external.name is deprecated. Please set name and external: true`);
      if (explicit !== undefined && explicit !== legacy)
        throw errorAt(`${at}: name and external.name conflict; only use name`, raw, 'external');
    }
    const name = explicit ?? legacy;
    return name === undefined ? { external: true } : { external: true, name };
  }
  const isExternal = toBoolean(ext, `${at}.external`) ?? false;
  return explicit === undefined ? { external: isExternal } : { external: isExternal, name: explicit };
}

function labels(raw: RawValue | undefined): Record<string, string> {
  return Object.fromEntries(entries(raw).map(([k, v]) => [k, v ?? '']));
}

/** A top-level network: named `PROJECT_KEY` unless `name:` is given or it is external. */
export function topLevelNetwork(project: string, key: string, raw: RawValue | undefined, warn: (m: string) => void): NetworkConfig {
  const map = isRawMap(raw) ? raw : newRawMap();
  const ext = external(`networks.${key}`, map, warn);
  const ipam = isRawMap(map['ipam']) ? map['ipam'] : undefined;
  const pool = Array.isArray(ipam?.['config']) && isRawMap(ipam['config'][0]) ? ipam['config'][0] : undefined;
  const flag = (k: string): boolean | undefined => toBoolean(map[k], `networks.${key}.${k}`);
  return {
    name: ext.name ?? (ext.external ? key : `${project}_${key}`),
    ...(map['driver'] !== undefined ? { driver: String(map['driver']) } : {}),
    external: ext.external,
    ...(flag('internal') !== undefined ? { internal: flag('internal') } : {}),
    ...(flag('attachable') !== undefined ? { attachable: flag('attachable') } : {}),
    labels: labels(map['labels']),
    ...(pool?.['subnet'] !== undefined ? { subnet: String(pool['subnet']) } : {}),
    ...(pool?.['gateway'] !== undefined ? { gateway: String(pool['gateway']) } : {}),
  };
}

/** A top-level volume: named `PROJECT_KEY` unless `name:` is given or it is external. */
export function topLevelVolume(project: string, key: string, raw: RawValue | undefined, warn: (m: string) => void): VolumeConfig {
  const map = isRawMap(raw) ? raw : newRawMap();
  const ext = external(`volumes.${key}`, map, warn);
  if (ext.external)
    for (const k of Object.keys(map))
      if (k !== 'name' && k !== 'external' && !k.startsWith('x-'))
        throw errorAt(`volumes.${key}: conflicting parameters "external" and ${JSON.stringify(k)} specified`, map, k);
  return { name: ext.name ?? (ext.external ? key : `${project}_${key}`), external: ext.external, labels: labels(map['labels']) };
}
