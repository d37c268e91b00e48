/**
 * The structure of a compose file as the Compose Specification's JSON schema defines it, written
 * here as data of our own (the schema itself is never bundled: the app in the browser has no copy),
 * and a small checker that reports the first problem the way Compose words it
 * (`services.web.ports.0 must be a string, number or mapping`, `services.web Additional property
 * imag is not allowed`). `validate.conformance.test.ts` checks that it agrees with the real schema.
 */
import type { RawMap, RawValue } from './parse.ts';

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** One node of the structure: what a value may be. */
type Spec =
  | { readonly t: 'any' }
  | {
      readonly t: 'scalar';
      readonly kinds: readonly Kind[];
      readonly enum?: readonly string[];
      readonly pattern?: RegExp;
      readonly min?: number;
      readonly max?: number;
    }
  | {
      readonly t: 'map';
      readonly props: Readonly<Record<string, Spec>>;
      readonly patterns: readonly (readonly [RegExp, Spec])[];
      readonly closed: boolean;
      readonly required: readonly string[];
      readonly orNull: boolean;
    }
  | { readonly t: 'list'; readonly items: Spec; readonly unique: boolean }
  | { readonly t: 'oneOf'; readonly of: readonly Spec[] };

interface MapOptions {
  /** `x-*` keys allowed (anything under them). */
  readonly x?: boolean;
  /** Keys matching a pattern, and what their values may be. */
  readonly keys?: readonly (readonly [RegExp, Spec])[];
  /** Keys neither listed nor matched are allowed too. */
  readonly open?: boolean;
  readonly required?: readonly string[];
  /** `null` is allowed as well as a mapping. */
  readonly orNull?: boolean;
}

const any: Spec = { t: 'any' };
const scalar = (...kinds: Kind[]): Spec => ({ t: 'scalar', kinds });
const list = (items: Spec, unique = false): Spec => ({ t: 'list', items, unique });
const oneOf = (...of: Spec[]): Spec => ({ t: 'oneOf', of });
const map = (props: Record<string, Spec>, o: MapOptions = {}): Spec => ({
  t: 'map',
  props,
  patterns: [...(o.x ? [[/^x-/, any] as const] : []), ...(o.keys ?? [])],
  closed: !o.open,
  required: o.required ?? [],
  orNull: o.orNull ?? false,
});
const oneOfStrings = (...values: string[]): Spec => ({ t: 'scalar', kinds: ['string'], enum: values });

const str = scalar('string');
const bool = scalar('boolean');
const boolOrStr = scalar('boolean', 'string');
const numOrStr = scalar('number', 'string');
const intOrStr = scalar('integer', 'string');
const strings = list(str, true);
const strOrList = oneOf(str, strings);
const NAME_KEY = /^[a-zA-Z0-9._-]+$/;
const ANY_KEY = /^.+$/u;
const listOrDict = oneOf(map({}, { keys: [[/.+/u, scalar('string', 'number', 'boolean', 'null')]] }), list(str, true));
const command = oneOf(scalar('null'), str, list(str));
const extraHosts = oneOf(map({}, { keys: [[/.+/u, oneOf(str, list(str))]] }), list(str, true));
const driverOpts = map({}, { keys: [[ANY_KEY, scalar('string', 'number')]], open: true });
const ulimits = map(
  {},
  { keys: [[/^[a-z]+$/, oneOf(intOrStr, map({ hard: intOrStr, soft: intOrStr }, { x: true, required: ['soft', 'hard'] }))]], open: true },
);
const mounts = list(oneOf(str, map({ source: str, target: str, uid: str, gid: str, mode: numOrStr }, { x: true })));
const hook = map(
  { command, user: str, privileged: boolOrStr, working_dir: str, environment: listOrDict },
  { x: true, required: ['command'] },
);
const deviceRequest = { capabilities: strings, count: scalar('string', 'integer'), device_ids: strings, driver: str, options: listOrDict };
const externalOf = (closed: boolean): Spec => oneOf(boolOrStr, map({ name: str }, { x: closed, open: !closed }));

/** The same spec for each of the space-separated `names`. */
const each = <T>(names: string, value: T): Record<string, T> => Object.fromEntries(names.split(' ').map((n) => [n, value]));
const noSpec = (max?: number): Spec => ({ t: 'scalar', kinds: ['integer'], min: 0, ...(max !== undefined ? { max } : {}) });

const build = oneOf(
  str,
  map(
    {
      ...each('context dockerfile dockerfile_inline network target isolation', str),
      ...each('entitlements cache_from cache_to tags platforms', list(str)),
      ...each('args ssh labels additional_contexts', listOrDict),
      ...each('no_cache pull privileged', boolOrStr),
      ...each('provenance sbom', scalar('string', 'boolean')),
      ...{ shm_size: intOrStr, extra_hosts: extraHosts, secrets: mounts, ulimits },
    },
    { x: true },
  ),
);

const rollout = map(
  {
    ...each('parallelism', intOrStr),
    ...each('delay failure_action monitor', str),
    max_failure_ratio: numOrStr,
    order: oneOfStrings('start-first', 'stop-first'),
  },
  { x: true },
);
const genericResources = list(map({ discrete_resource_spec: map({ kind: str, value: numOrStr }, { x: true }) }, { x: true }));
const reservations = {
  cpus: numOrStr,
  memory: str,
  generic_resources: genericResources,
  devices: list(map(deviceRequest, { x: true, required: ['capabilities'] })),
};
const deploy = map(
  {
    ...each('mode endpoint_mode', str),
    ...{ replicas: intOrStr, labels: listOrDict, rollback_config: rollout, update_config: rollout },
    resources: map(
      { limits: map({ cpus: numOrStr, memory: str, pids: intOrStr }, { x: true }), reservations: map(reservations, { x: true }) },
      { x: true },
    ),
    restart_policy: map({ ...each('condition delay window', str), max_attempts: intOrStr }, { x: true }),
    placement: map(
      { constraints: list(str), preferences: list(map({ spread: str }, { x: true })), max_replicas_per_node: intOrStr },
      { x: true },
    ),
  },
  { x: true, orNull: true },
);

const watch = map(
  {
    ...each('ignore include', strOrList),
    ...each('path target', str),
    ...{ action: oneOfStrings('rebuild', 'sync', 'restart', 'sync+restart', 'sync+exec'), exec: hook, initial_sync: bool },
  },
  { x: true, required: ['path', 'action'] },
);

const blkioLimit = map({ path: str, rate: intOrStr });
const bindOptions = {
  propagation: str,
  create_host_path: boolOrStr,
  recursive: oneOfStrings('enabled', 'disabled', 'writable', 'readonly'),
  selinux: oneOfStrings('z', 'Z'),
};
const serviceVolume = map(
  {
    type: oneOfStrings('bind', 'volume', 'tmpfs', 'cluster', 'npipe', 'image'),
    ...each('source target consistency', str),
    read_only: boolOrStr,
    bind: map(bindOptions, { x: true }),
    volume: map({ labels: listOrDict, nocopy: boolOrStr, subpath: str }, { x: true }),
    tmpfs: map({ size: oneOf(noSpec(), str), mode: numOrStr }, { x: true }),
    image: map({ subpath: str }, { x: true }),
  },
  { x: true, required: ['type'] },
);
const serviceNetwork = map(
  {
    ...each('interface_name ipv4_address ipv6_address mac_address', str),
    ...each('aliases link_local_ips', strings),
    ...each('priority gw_priority', scalar('number')),
    driver_opts: driverOpts,
  },
  { x: true },
);
const port = map(
  { ...each('name mode host_ip protocol app_protocol', str), target: intOrStr, published: scalar('string', 'integer') },
  { x: true },
);
const dependency = map(
  { restart: boolOrStr, required: bool, condition: oneOfStrings('service_started', 'service_healthy', 'service_completed_successfully') },
  { x: true, required: ['condition'] },
);
const providerOption = oneOf(scalar('string', 'number', 'boolean'), list(scalar('string', 'number', 'boolean')));
const healthcheck = map(
  { ...each('interval timeout start_period start_interval', str), disable: boolOrStr, retries: numOrStr, test: oneOf(str, list(str)) },
  { x: true },
);

const service = map(
  {
    ...each(
      'cgroup_parent cpuset domainname hostname image ipc isolation mac_address network_mode platform pull_refresh_after restart runtime ' +
        'stop_grace_period stop_signal user uts userns_mode working_dir',
      str,
    ),
    ...each('attach init oom_kill_disable privileged read_only stdin_open tty', boolOrStr),
    ...each('cpu_shares cpu_quota cpu_period cpu_rt_period cpu_rt_runtime cpus mem_limit memswap_limit pids_limit shm_size', numOrStr),
    ...each('cap_add cap_drop dns_opt external_links links security_opt volumes_from', list(str, true)),
    ...each('device_cgroup_rules profiles', strings),
    ...each('annotations environment labels sysctls', listOrDict),
    ...each('dns dns_search tmpfs', strOrList),
    ...each('expose group_add', list(scalar('string', 'number'), true)),
    ...each('command entrypoint', command),
    ...each('configs secrets', mounts),
    ...each('post_start pre_stop', list(hook)),
    ...{ develop: map({ watch: list(watch) }, { x: true, orNull: true }), deploy, build, healthcheck, ulimits, extra_hosts: extraHosts },
    blkio_config: map({
      ...each('device_read_bps device_read_iops device_write_bps device_write_iops', list(blkioLimit)),
      ...{ weight: intOrStr, weight_device: list(map({ path: str, weight: intOrStr })) },
    }),
    cgroup: oneOfStrings('host', 'private'),
    container_name: { t: 'scalar', kinds: ['string'], pattern: /[a-zA-Z0-9][a-zA-Z0-9_.-]+/u },
    ...{ cpu_count: oneOf(str, noSpec()), cpu_percent: oneOf(str, noSpec(100)) },
    credential_spec: map(each('config file registry', str), { x: true }),
    depends_on: oneOf(strings, map({}, { keys: [[NAME_KEY, dependency]] })),
    devices: list(oneOf(str, map(each('source target permissions', str), { x: true, required: ['source'] }))),
    env_file: oneOf(str, list(oneOf(str, map({ path: str, format: str, required: boolOrStr }, { required: ['path'] })))),
    label_file: oneOf(str, list(str)),
    extends: oneOf(str, map({ service: str, file: str }, { required: ['service'] })),
    provider: map({ type: str, options: map({}, { keys: [[ANY_KEY, providerOption]], open: true }) }, { x: true, required: ['type'] }),
    gpus: oneOf(oneOfStrings('all'), list(map(deviceRequest, { open: true }))),
    logging: map({ driver: str, options: map({}, { keys: [[ANY_KEY, scalar('string', 'number', 'null')]], open: true }) }, { x: true }),
    mem_reservation: scalar('string', 'integer'),
    mem_swappiness: intOrStr,
    models: oneOf(strings, map({}, { keys: [[NAME_KEY, map({ endpoint_var: str, model_var: str }, { x: true })]], open: true })),
    networks: oneOf(strings, map({}, { keys: [[NAME_KEY, oneOf(serviceNetwork, scalar('null'))]] })),
    oom_score_adj: oneOf(str, { t: 'scalar', kinds: ['integer'], min: -1000, max: 1000 }),
    pid: scalar('string', 'null'),
    ports: list(oneOf(str, scalar('number'), port), true),
    pull_policy: {
      t: 'scalar',
      kinds: ['string'],
      pattern: /always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+/u,
    },
    scale: intOrStr,
    storage_opt: map({}, { open: true }),
    use_api_socket: bool,
    volumes: list(oneOf(str, serviceVolume), true),
  },
  { x: true },
);

const ipamConfig = map({ ...each('subnet ip_range gateway', str), aux_addresses: map({}, { keys: [[ANY_KEY, str]] }) }, { x: true });
const network = map(
  {
    ...each('name driver', str),
    ...each('internal enable_ipv4 enable_ipv6 attachable', boolOrStr),
    driver_opts: driverOpts,
    ipam: map({ driver: str, config: list(ipamConfig), options: map({}, { keys: [[ANY_KEY, str]] }) }, { x: true }),
    external: externalOf(true),
    labels: listOrDict,
  },
  { x: true, orNull: true },
);
const volume = map(
  { ...each('name driver', str), driver_opts: driverOpts, external: externalOf(true), labels: listOrDict },
  { x: true, orNull: true },
);
const secret = map(
  {
    ...each('name environment file driver template_driver', str),
    external: externalOf(false),
    labels: listOrDict,
    driver_opts: driverOpts,
  },
  { x: true },
);
const config = map(
  { ...each('name content environment file template_driver', str), external: externalOf(false), labels: listOrDict },
  { x: true },
);
const model = map({ name: str, model: str, context_size: scalar('integer'), runtime_flags: list(str) }, { x: true, required: ['model'] });

const COMPOSE_FILE = map(
  {
    ...each('version name', str),
    include: list(oneOf(str, map({ path: strOrList, env_file: strOrList, project_directory: str }))),
    services: map({}, { keys: [[NAME_KEY, service]] }),
    models: map({}, { keys: [[NAME_KEY, model]], open: true }),
    networks: map({}, { keys: [[NAME_KEY, network]], open: true }),
    volumes: map({}, { keys: [[NAME_KEY, volume]] }),
    secrets: map({}, { keys: [[NAME_KEY, secret]] }),
    configs: map({}, { keys: [[NAME_KEY, config]] }),
  },
  { x: true },
);

// ---- the checker ----

/** The first way a document breaks the structure, worded as Compose words it. */
export interface SchemaError {
  readonly message: string;
  /** The path of the offending value (`['services', 'web', 'ports', '0']`). */
  readonly path: readonly string[];
  /** The mapping or list holding the offending entry, and its key there (for the entry's position). */
  readonly container?: object;
  readonly key?: string | number;
}

const TYPE_NAMES: Readonly<Record<string, string>> = { map: 'mapping', list: 'list' };

function kindOf(value: RawValue): Kind | 'map' | 'list' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  return typeof value as 'string' | 'number' | 'boolean';
}

function fits(spec: Spec, value: RawValue): boolean {
  const kind = kindOf(value);
  switch (spec.t) {
    case 'any':
      return true;
    case 'scalar':
      return spec.kinds.some((k) => k === kind || (k === 'integer' && kind === 'number' && Number.isInteger(value)));
    case 'map':
      return kind === 'map' || (spec.orNull && kind === 'null');
    case 'list':
      return kind === 'list';
    case 'oneOf':
      return spec.of.some((s) => fits(s, value));
  }
}

function expected(spec: Spec): string[] {
  switch (spec.t) {
    case 'any':
      return [];
    case 'scalar':
      return [...spec.kinds];
    case 'map':
      return spec.orNull ? ['mapping', 'null'] : ['mapping'];
    case 'list':
      return ['list'];
    case 'oneOf':
      return [...new Set(spec.of.flatMap(expected))];
  }
}

function sameJSON(a: RawValue, b: RawValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJSON(x, b[i]!));
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameJSON(a[k]!, b[k]!));
}

function check(spec: Spec, value: RawValue, path: string[], container?: object, key?: string | number): SchemaError | undefined {
  const at = path.length ? path.join('.') : '(root)';
  const fail = (message: string, c = container, k = key): SchemaError => ({
    message: `${at} ${message}`,
    path,
    ...(c ? { container: c, key: k! } : {}),
  });
  if (!fits(spec, value)) {
    const names = expected(spec).map((n) => TYPE_NAMES[n] ?? n);
    const words = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names[0];
    return fail(`must be a ${words}`);
  }
  switch (spec.t) {
    case 'any':
      return undefined;
    case 'scalar':
      if (spec.enum && !spec.enum.includes(value as string))
        return fail(`must be one of the following: ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}`);
      if (spec.pattern && !spec.pattern.test(value as string)) return fail(`Does not match pattern '${spec.pattern.source}'`);
      if (spec.min !== undefined && (value as number) < spec.min) return fail(`must be greater than or equal to ${spec.min}`);
      if (spec.max !== undefined && (value as number) > spec.max) return fail(`must be less than or equal to ${spec.max}`);
      return undefined;
    case 'list': {
      const items = value as RawValue[];
      for (let i = 0; i < items.length; i++) {
        const error = check(spec.items, items[i]!, [...path, String(i)], items, i);
        if (error) return error;
      }
      if (spec.unique)
        for (let i = 0; i < items.length; i++)
          for (let j = i + 1; j < items.length; j++)
            if (sameJSON(items[i]!, items[j]!)) return fail(`array items[${i},${j}] must be unique`, items, j);
      return undefined;
    }
    case 'map': {
      if (value === null) return undefined;
      const entries = value as RawMap;
      for (const name of spec.required) if (!(name in entries)) return fail(`${name} is required`);
      for (const [k, v] of Object.entries(entries)) {
        let known = false;
        if (Object.prototype.hasOwnProperty.call(spec.props, k)) {
          known = true;
          const error = check(spec.props[k]!, v, [...path, k], entries, k);
          if (error) return error;
        }
        for (const [pattern, s] of spec.patterns)
          if (pattern.test(k)) {
            known = true;
            const error = check(s, v, [...path, k], entries, k);
            if (error) return error;
          }
        if (!known && spec.closed) return fail(`Additional property ${k} is not allowed`, entries, k);
      }
      return undefined;
    }
    case 'oneOf': {
      const candidates = spec.of.filter((s) => fits(s, value));
      const errors = candidates.map((s) => check(s, value, path, container, key));
      const valid = errors.filter((e) => e === undefined).length;
      if (valid === 1) return undefined;
      if (valid > 1) return fail('must validate one and only one schema (oneOf)');
      return errors[0];
    }
  }
}

/** Checks a whole compose document (after interpolation) against the Compose Specification's structure. */
export function validateCompose(document: RawValue): SchemaError | undefined {
  return check(COMPOSE_FILE, document, []);
}
