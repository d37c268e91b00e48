/**
 * The options `docker run` and `docker create` share: their flags (with the ones LayerLab cannot
 * honour refused by name), `-v` specs, and the engine's create options built from them.
 */
import type { CreateContainerOptions, RestartPolicy, Ulimit } from '../api.ts';
import { ramInBytes } from './format.ts';
import { CliError } from './command.ts';
import { unsupportedFlag } from './common.ts';
import { parseExpose, parsePublish } from '../networks/ports.ts';
import { FlagError, type FlagDef, type ParsedFlags } from './flags.ts';
import type { CliIO } from './io.ts';
import type { Healthcheck } from '../oci/types.ts';
import { parseGoDuration } from './timestamp.ts';

/** Flags shared by `docker run` and `docker create` (docker/cli's container options). */
function containerFlags(pullHelp: string): FlagDef[] {
  return [
    { name: 'add-host', kind: 'list', usage: 'Add a custom host-to-IP mapping (host:ip)' },
    { name: 'cap-add', kind: 'list', usage: 'Add Linux capabilities' },
    { name: 'cap-drop', kind: 'list', usage: 'Drop Linux capabilities' },
    { name: 'cpu-shares', short: 'c', kind: 'int', usage: 'CPU shares (relative weight)' },
    { name: 'cpus', kind: 'string', typeName: 'decimal', usage: 'Number of CPUs' },
    { name: 'cpuset-cpus', kind: 'string', usage: 'CPUs in which to allow execution (0-3, 0,1)' },
    { name: 'env', short: 'e', kind: 'list', usage: 'Set environment variables' },
    { name: 'entrypoint', kind: 'string', usage: 'Overwrite the default ENTRYPOINT of the image' },
    { name: 'env-file', kind: 'list', usage: 'Read in a file of environment variables' },
    { name: 'health-cmd', kind: 'string', usage: 'Command to run to check health' },
    { name: 'health-interval', kind: 'duration', usage: 'Time between running the check (ms|s|m|h) (default 0s)' },
    { name: 'health-retries', kind: 'int', usage: 'Consecutive failures needed to report unhealthy' },
    {
      name: 'health-start-interval',
      kind: 'duration',
      usage: 'Time between running the check during the start period (ms|s|m|h) (default 0s)',
    },
    {
      name: 'health-start-period',
      kind: 'duration',
      usage: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)',
    },
    { name: 'health-timeout', kind: 'duration', usage: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' },
    { name: 'hostname', short: 'h', kind: 'string', usage: 'Container host name' },
    { name: 'init', kind: 'bool', usage: 'Run an init inside the container that forwards signals and reaps processes' },
    { name: 'interactive', short: 'i', kind: 'bool', usage: 'Keep STDIN open even if not attached' },
    { name: 'ip', kind: 'string', usage: 'IPv4 address (e.g., 172.30.100.104)' },
    { name: 'label', short: 'l', kind: 'list', usage: 'Set meta data on a container' },
    { name: 'label-file', kind: 'list', usage: 'Read in a line delimited file of labels' },
    { name: 'log-driver', kind: 'string', usage: 'Logging driver for the container' },
    { name: 'log-opt', kind: 'list', usage: 'Log driver options' },
    { name: 'memory', short: 'm', kind: 'bytes', usage: 'Memory limit' },
    {
      name: 'memory-swap',
      kind: 'string',
      typeName: 'bytes',
      usage: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
    },
    { name: 'mount', kind: 'list', typeName: 'mount', usage: 'Attach a filesystem mount to the container' },
    { name: 'name', kind: 'string', usage: 'Assign a name to the container' },
    { name: 'network', kind: 'string', usage: 'Connect a container to a network', defValue: 'default' },
    { name: 'network-alias', kind: 'list', usage: 'Add network-scoped alias for the container' },
    { name: 'no-healthcheck', kind: 'bool', usage: 'Disable any container-specified HEALTHCHECK' },
    { name: 'pids-limit', kind: 'int', usage: 'Tune container pids limit (set -1 for unlimited)' },
    { name: 'pull', kind: 'string', usage: pullHelp, defValue: 'missing' },
    { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress the pull output' },
    { name: 'privileged', kind: 'bool', usage: 'Give extended privileges to this container' },
    { name: 'read-only', kind: 'bool', usage: "Mount the container's root filesystem as read only" },
    { name: 'restart', kind: 'string', usage: 'Restart policy to apply when a container exits', defValue: 'no' },
    { name: 'rm', kind: 'bool', usage: 'Automatically remove the container when it exits' },
    { name: 'security-opt', kind: 'list', usage: 'Security Options' },
    { name: 'shm-size', kind: 'bytes', usage: 'Size of /dev/shm' },
    { name: 'stop-signal', kind: 'string', usage: 'Signal to stop the container' },
    { name: 'stop-timeout', kind: 'int', usage: 'Timeout (in seconds) to stop a container' },
    { name: 'tmpfs', kind: 'list', usage: 'Mount a tmpfs directory' },
    { name: 'tty', short: 't', kind: 'bool', usage: 'Allocate a pseudo-TTY' },
    { name: 'ulimit', kind: 'list', typeName: 'ulimit', usage: 'Ulimit options' },
    { name: 'user', short: 'u', kind: 'string', usage: 'Username or UID (format: <name|uid>[:<group|gid>])' },
    { name: 'volume', short: 'v', kind: 'list', usage: 'Bind mount a volume' },
    { name: 'workdir', short: 'w', kind: 'string', usage: 'Working directory inside the container' },
    { name: 'publish', short: 'p', kind: 'list', usage: "Publish a container's port(s) to the host" },
    { name: 'publish-all', short: 'P', kind: 'bool', usage: 'Publish all exposed ports to random ports' },
    { name: 'expose', kind: 'list', usage: 'Expose a port or a range of ports' },
    unsupportedFlag('dns', 'the machine has no way out, so there is no other DNS server to use'),
    unsupportedFlag('platform', 'images run on the one platform of the built-in machine'),
    unsupportedFlag('attach', 'run attaches to stdout and stderr unless -d is given', 'a'),
    unsupportedFlag('detach-keys', 'the detach keys are always ctrl-p,ctrl-q'),
  ];
}

/** `docker run`'s flags. */
export const RUN_FLAGS: FlagDef[] = [
  { name: 'detach', short: 'd', kind: 'bool', usage: 'Run container in background and print container ID' },
  { name: 'sig-proxy', kind: 'bool', usage: 'Proxy received signals to the process', defValue: 'true' },
  ...containerFlags('Pull image before running ("always", "missing", "never")'),
];

/** `docker create`'s flags. */
export const CREATE_FLAGS: FlagDef[] = containerFlags('Pull image before creating ("always", "|missing", "never")');

const VALID_MODES = new Set(['ro', 'rw']);

/** A `-v` or `--mount` spec: a volume (named, or anonymous without `source`) or a bind of a host path (`bind`: `source` is absolute). */
export interface VolumeSpec {
  source?: string;
  target: string;
  readonly?: boolean;
  bind?: true;
}

/** A host path made absolute against `cwd`, as docker/cli does with `filepath.Abs`. */
export function absoluteHostPath(path: string, cwd: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Parses `-v` specs: `NAME:/path[:ro]` (named), `/path` (anonymous), `HOSTPATH:/path[:ro]` (a bind: absolute, or relative starting with `.`). */
export function parseVolumeSpec(spec: string, cwd = '/'): VolumeSpec {
  const parts = spec.split(':');
  let source: string | undefined;
  let target: string;
  let mode: string | undefined;
  if (parts.length === 1) target = parts[0] ?? '';
  else if (parts.length === 2 && VALID_MODES.has(parts[1] ?? '') && (parts[0] ?? '').startsWith('/')) {
    target = parts[0] ?? '';
    mode = parts[1];
  } else if (parts.length === 2) {
    source = parts[0];
    target = parts[1] ?? '';
  } else if (parts.length === 3) {
    source = parts[0];
    target = parts[1] ?? '';
    mode = parts[2];
  } else throw new CliError(`invalid volume specification: '${spec}'`);
  if (source === '') throw new CliError(`invalid volume specification: '${spec}'`);
  const bind = source !== undefined && /^(\/|\.\.?(\/|$))/.test(source);
  if (!target.startsWith('/')) {
    throw new CliError(
      `invalid volume specification: '${spec}': invalid mount config for type "${bind ? 'bind' : 'volume'}": invalid mount path: '${target}' mount path must be absolute`,
    );
  }
  for (const m of (mode ?? '').split(',').filter(Boolean)) if (!VALID_MODES.has(m)) throw new CliError(`invalid mode: ${m}`);
  const out: VolumeSpec = { target };
  if (source !== undefined) out.source = bind ? absoluteHostPath(source, cwd) : source;
  if (bind) out.bind = true;
  if (mode?.split(',').includes('ro')) out.readonly = true;
  return out;
}

/** Builds the engine's create options from `docker run`/`create` flags and arguments. */
export function createOptions(flags: ParsedFlags, args: string[], cwd = '/'): CreateContainerOptions {
  const [image = '', ...cmd] = args;
  const opts: CreateContainerOptions = { image };
  if (cmd.length > 0) opts.cmd = cmd;
  const name = flags.string('name');
  if (name !== undefined) opts.name = name;
  if (flags.changed('entrypoint')) {
    const ep = flags.string('entrypoint') ?? '';
    opts.entrypoint = ep === '' ? [] : [ep];
  }
  const env: string[] = [];
  for (const e of flags.list('env')) {
    const i = e.indexOf('=');
    if (i === 0) throw new CliError(`invalid environment variable: ${e}`);
    // `-e NAME` copies the caller's variable; the terminal has no environment, so it is unset.
    if (i > 0) env.push(e);
  }
  if (env.length > 0) opts.env = env;
  const workdir = flags.string('workdir');
  if (workdir !== undefined) {
    if (workdir !== '' && !workdir.startsWith('/'))
      throw new CliError(`the working directory '${workdir}' is invalid, it needs to be an absolute path`);
    opts.workingDir = workdir;
  }
  const user = flags.string('user');
  if (user !== undefined) opts.user = user;
  const hostname = flags.string('hostname');
  if (hostname !== undefined) opts.hostname = hostname;
  const network = flags.string('network');
  if (network !== undefined && network !== 'default') opts.network = network;
  if (flags.list('network-alias').length) opts.networkAliases = flags.list('network-alias');
  const ip = flags.string('ip');
  if (ip !== undefined) opts.ip = ip;
  const published = parsePublish(flags.list('publish'));
  if (Object.keys(published.bindings).length) opts.portBindings = published.bindings;
  if (flags.bool('publish-all')) opts.publishAll = true;
  if (flags.list('expose').length) opts.expose = parseExpose(flags.list('expose'));
  if (flags.bool('tty')) opts.tty = true;
  if (flags.bool('interactive')) opts.openStdin = true;
  if (flags.bool('rm')) opts.autoRemove = true;
  const specs = flags.list('volume').map((v) => parseVolumeSpec(v, cwd));
  const tmpfs: Record<string, string> = {};
  for (const t of flags.list('tmpfs')) {
    const i = t.indexOf(':');
    tmpfs[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
  }
  // -v makes a missing host folder; --mount type=bind refuses it
  const create = new Set(specs);
  for (const m of flags.list('mount')) {
    const mount = parseMount(m, cwd);
    if (mount.type === 'tmpfs') tmpfs[mount.target] = mount.options;
    else specs.push(mount.volume);
  }
  const volumes = specs
    .filter((v) => !v.bind)
    .map(({ source, target, readonly }) => ({ ...(source !== undefined ? { source } : {}), target, ...(readonly ? { readonly } : {}) }));
  const binds = specs
    .filter((v) => v.bind)
    .map((v) => ({
      source: v.source!,
      target: v.target,
      ...(v.readonly ? { readonly: true } : {}),
      ...(create.has(v) ? { create: true } : {}),
    }));
  if (volumes.length > 0) opts.volumes = volumes;
  if (binds.length > 0) opts.binds = binds;
  if (Object.keys(tmpfs).length) opts.tmpfs = tmpfs;
  if (flags.changed('shm-size')) opts.shmSize = flags.int('shm-size', 0);
  const logDriver = flags.string('log-driver');
  const logOpts = flags.list('log-opt');
  if (logDriver || logOpts.length) {
    const config: Record<string, string> = {};
    for (const o of logOpts) {
      const i = o.indexOf('=');
      if (i <= 0) throw new FlagError(`invalid argument "${o}" for "--log-opt" flag: invalid key value pair format in logging opts`);
      config[o.slice(0, i)] = o.slice(i + 1);
    }
    opts.logConfig = { Type: logDriver ?? '', Config: config };
  }
  const swap = flags.string('memory-swap');
  if (swap !== undefined && swap !== '') {
    try {
      opts.memorySwap = swap === '-1' ? -1 : ramInBytes(swap);
    } catch {
      throw new FlagError(`invalid argument "${swap}" for "--memory-swap" flag: invalid size: '${swap}'`);
    }
  }
  const ulimits = flags.list('ulimit').map(parseUlimit);
  if (ulimits.length) opts.ulimits = ulimits;
  if (flags.bool('init')) opts.init = true;
  if (flags.changed('memory')) opts.memory = flags.int('memory', 0);
  if (flags.changed('pids-limit')) opts.pidsLimit = flags.int('pids-limit', 0);
  if (flags.bool('read-only')) opts.readOnly = true;
  if (flags.list('cap-add').length) opts.capAdd = flags.list('cap-add');
  if (flags.list('cap-drop').length) opts.capDrop = flags.list('cap-drop');
  if (flags.bool('privileged')) opts.privileged = true;
  if (flags.list('security-opt').length) opts.securityOpt = flags.list('security-opt');
  const labels: Record<string, string> = {};
  let haveLabels = false;
  for (const l of flags.list('label')) {
    const i = l.indexOf('=');
    const key = (i < 0 ? l : l.slice(0, i)).trim();
    if (key === '') throw new CliError(`invalid label '${l}': empty name`);
    labels[key] = i < 0 ? '' : l.slice(i + 1);
    haveLabels = true;
  }
  if (haveLabels) opts.labels = labels;
  Object.assign(opts, cpuOptions(flags));
  const healthcheck = healthcheckOptions(flags);
  if (healthcheck) opts.healthcheck = healthcheck;
  const hosts = flags.list('add-host').map(validateExtraHost);
  if (hosts.length) opts.extraHosts = hosts;
  const stopSignal = flags.string('stop-signal');
  if (stopSignal !== undefined) opts.stopSignal = stopSignal;
  if (flags.changed('stop-timeout')) opts.stopTimeout = flags.int('stop-timeout', 0);
  const restart = parseRestartPolicy(flags.string('restart') ?? '');
  if (restart) {
    if (opts.autoRemove && restart.Name !== 'no') throw new CliError('Conflicting options: --restart and --rm');
    opts.restartPolicy = restart;
  }
  return opts;
}

/**
 * Adds what `--env-file` and `--label-file` name to `opts`: the files' entries first, then `-e`
 * and `--label` (which win), as docker/cli reads them (local files: the workspace in the page).
 */
export async function addFileOptions(flags: ParsedFlags, io: CliIO, opts: CreateContainerOptions): Promise<void> {
  const envFiles = flags.list('env-file');
  if (envFiles.length) {
    const fromFiles = (await Promise.all(envFiles.map(async (f) => parseKeyValueFile(await readLocal(io, f), 'env')))).flat();
    opts.env = [...fromFiles, ...(opts.env ?? [])];
  }
  const labelFiles = flags.list('label-file');
  if (labelFiles.length) {
    const labels: Record<string, string> = {};
    for (const f of labelFiles)
      for (const l of parseKeyValueFile(await readLocal(io, f), 'label')) {
        const i = l.indexOf('=');
        labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
      }
    opts.labels = { ...labels, ...(opts.labels ?? {}) };
  }
}

async function readLocal(io: CliIO, path: string): Promise<string> {
  if (!io.readFile) throw new CliError(`open ${path}: no such file or directory`);
  try {
    return new TextDecoder().decode(await io.readFile(path));
  } catch {
    throw new CliError(`open ${path}: no such file or directory`);
  }
}

/**
 * docker/cli's key=value files: blank lines and `#` comments skipped, leading blanks trimmed, the
 * value taken as written (no quotes removed). In an env file a bare `NAME` copies the caller's
 * variable: the terminal has none, so it is left out; in a label file it is a label with no value.
 */
export function parseKeyValueFile(text: string, kind: 'env' | 'label'): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.replace(/^[ \t\v\f\r]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf('=');
    const key = i < 0 ? line : line.slice(0, i);
    if (key === '') throw new CliError(`no variable name on line '${line}'`);
    if (/[ \t\n\v\f\r]/.test(key))
      throw new CliError(
        `${kind === 'env' ? 'poorly formatted environment' : 'poorly formatted labels'}: variable '${key}' contains whitespaces`,
      );
    if (i >= 0) out.push(line);
    else if (kind === 'label') out.push(key);
  }
  return out;
}

/** docker/cli's health options: `--no-healthcheck` (Test NONE) or `--health-*` (a CMD-SHELL test and durations in ns). */
function healthcheckOptions(flags: ParsedFlags): Healthcheck | undefined {
  const names = ['health-cmd', 'health-interval', 'health-timeout', 'health-start-period', 'health-retries', 'health-start-interval'];
  const given = names.filter(
    (n) => flags.changed(n) && (flags.string(n) ?? '') !== '' && flags.string(n) !== '0' && flags.string(n) !== '0s',
  );
  if (flags.bool('no-healthcheck')) {
    if (given.length) throw new CliError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!given.length) return undefined;
  const ns = (n: string) => {
    const v = flags.string(n);
    if (!v) return 0;
    const d = parseGoDuration(v);
    if (d < 0) throw new CliError(`--${n} cannot be negative`);
    return d;
  };
  const retries = flags.int('health-retries', 0);
  if (retries < 0) throw new CliError('--health-retries cannot be negative');
  const cmd = flags.string('health-cmd') ?? '';
  return {
    Test: cmd ? ['CMD-SHELL', cmd] : [],
    ...(ns('health-interval') ? { Interval: ns('health-interval') } : {}),
    ...(ns('health-timeout') ? { Timeout: ns('health-timeout') } : {}),
    ...(ns('health-start-period') ? { StartPeriod: ns('health-start-period') } : {}),
    ...(ns('health-start-interval') ? { StartInterval: ns('health-start-interval') } : {}),
    ...(retries ? { Retries: retries } : {}),
  };
}

/** `--cpus`, `--cpu-shares` and `--cpuset-cpus` as the engine takes them (shared with `docker update`). */
export function cpuOptions(flags: ParsedFlags): { nanoCpus?: number; cpuShares?: number; cpusetCpus?: string } {
  const out: { nanoCpus?: number; cpuShares?: number; cpusetCpus?: string } = {};
  const cpus = flags.string('cpus');
  if (cpus !== undefined) {
    if (!/^(\d+\.?\d*|\.\d+)$/.test(cpus))
      throw new FlagError(`invalid argument "${cpus}" for "--cpus" flag: failed to parse ${cpus} as a rational number`);
    out.nanoCpus = Math.round(Number(cpus) * 1e9);
  }
  if (flags.changed('cpu-shares')) out.cpuShares = flags.int('cpu-shares', 0);
  const cpuset = flags.string('cpuset-cpus');
  if (cpuset !== undefined) out.cpusetCpus = cpuset;
  return out;
}

/** docker/cli's ValidateExtraHost: `host:ip` or `host=ip`, the address an IP or `host-gateway`. */
function validateExtraHost(value: string): string {
  const i = value.search(/[:=]/);
  if (i <= 0) throw new FlagError(`invalid argument "${value}" for "--add-host" flag: bad format for add-host: "${value}"`);
  const host = value.slice(0, i);
  const ip = value.slice(i + 1).replace(/^\[(.*)\]$/, '$1');
  const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(ip);
  if (ip !== 'host-gateway' && !ipv4 && !/^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/.test(ip))
    throw new FlagError(`invalid argument "${value}" for "--add-host" flag: invalid IP address in add-host: "${ip}"`);
  return `${host}:${ip}`;
}

/** docker/cli's ParseRestartPolicy (`no`, `always`, `unless-stopped`, `on-failure[:N]`); the daemon checks the name. */
export function parseRestartPolicy(value: string): RestartPolicy | undefined {
  if (value === '') return undefined;
  const i = value.indexOf(':');
  if (i === 0) throw new CliError('invalid restart policy format: no policy provided before colon');
  const name = i < 0 ? value : value.slice(0, i);
  let count = 0;
  if (i > 0) {
    const text = value.slice(i + 1);
    if (!/^[+-]?\d+$/.test(text)) throw new CliError('invalid restart policy format: maximum retry count must be an integer');
    count = Number(text);
  }
  return { Name: name as RestartPolicy['Name'], MaximumRetryCount: count };
}

/** docker/cli's `--mount`: type=volume, bind (a host path, relative to `cwd`) or tmpfs. */
export function parseMount(
  value: string,
  cwd = '/',
): { type: 'volume' | 'bind'; volume: VolumeSpec } | { type: 'tmpfs'; target: string; options: string } {
  const bad = (why: string) => new FlagError(`invalid argument "${value}" for "--mount" flag: ${why}`);
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : part.slice(i + 1);
    if (
      ![
        'type',
        'source',
        'src',
        'target',
        'destination',
        'dst',
        'readonly',
        'ro',
        'tmpfs-size',
        'tmpfs-mode',
        'volume-nocopy',
        'bind-propagation',
        'bind-nonrecursive',
        'bind-recursive',
        'consistency',
      ].includes(key)
    )
      throw bad(`unexpected key '${key}' in '${part}'`);
    fields.set(key, i < 0 && (key === 'readonly' || key === 'ro') ? 'true' : val);
  }
  const type = fields.get('type') ?? 'volume';
  const target = fields.get('target') ?? fields.get('destination') ?? fields.get('dst') ?? '';
  const source = fields.get('source') ?? fields.get('src');
  const readonly = ['true', '1'].includes(fields.get('readonly') ?? fields.get('ro') ?? 'false');
  if (type !== 'volume' && type !== 'tmpfs' && type !== 'bind') throw bad(`invalid mount type: ${type}`);
  if (!target) throw new CliError('invalid mount config: field Target must not be empty');
  if (!target.startsWith('/'))
    throw new CliError(`invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`);
  if (type === 'tmpfs') {
    if (source) throw new CliError('invalid mount config for type "tmpfs": field Source must not be specified');
    const options: string[] = [];
    if (readonly) options.push('ro');
    const size = fields.get('tmpfs-size');
    if (size) options.push(`size=${/^\d+$/.test(size) ? size : ramInBytes(size)}`);
    const mode = fields.get('tmpfs-mode');
    if (mode) options.push(`mode=${mode}`);
    return { type, target, options: options.join(',') };
  }
  if (type === 'bind') {
    if (!source) throw new CliError('invalid mount config for type "bind": field Source must not be empty');
    const propagation = fields.get('bind-propagation');
    if (propagation && propagation !== 'rprivate' && propagation !== 'private')
      throw new CliError(
        `invalid mount config for type "bind": bind-propagation ${propagation} is not supported by LayerLab: a container's mounts stay private to it`,
      );
    return { type, volume: { source: absoluteHostPath(source, cwd), target, bind: true, ...(readonly ? { readonly: true } : {}) } };
  }
  return { type, volume: { ...(source ? { source } : {}), target, ...(readonly ? { readonly: true } : {}) } };
}

/** docker/cli's ParseUlimit: `NAME=SOFT[:HARD]` (-1 or unlimited for no limit). */
export function parseUlimit(value: string): Ulimit {
  const names = [
    'core',
    'cpu',
    'data',
    'fsize',
    'locks',
    'memlock',
    'msgqueue',
    'nice',
    'nofile',
    'nproc',
    'rss',
    'rtprio',
    'rttime',
    'sigpending',
    'stack',
    'as',
  ];
  const i = value.indexOf('=');
  if (i < 0) throw new FlagError(`invalid argument "${value}" for "--ulimit" flag: invalid ulimit argument: ${value}`);
  const name = value.slice(0, i);
  if (!names.includes(name)) throw new FlagError(`invalid argument "${value}" for "--ulimit" flag: invalid ulimit type: ${name}`);
  const [soft = '', hard, more] = value.slice(i + 1).split(':');
  const num = (v: string) => {
    if (v === 'unlimited' || v === '-1') return -1;
    if (!/^\d+$/.test(v)) throw new FlagError(`invalid argument "${value}" for "--ulimit" flag: invalid ulimit argument: ${value}`);
    return Number(v);
  };
  if (more !== undefined)
    throw new FlagError(
      `invalid argument "${value}" for "--ulimit" flag: too many limit value arguments - ${value.slice(i + 1)}, can only have up to two, \`soft[:hard]\``,
    );
  const s = num(soft);
  return { Name: name, Soft: s, Hard: hard === undefined ? s : num(hard) };
}

/** Refuses a `--pull` value docker/cli refuses. */
export function validatePull(pull: string): void {
  if (!['always', 'missing', 'never', ''].includes(pull)) {
    throw new CliError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  }
}
