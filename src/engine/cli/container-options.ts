/**
 * The options `docker run` and `docker create` share: their flags (with the ones LayerLab cannot
 * honour refused by name), `-v` specs, and the engine's create options built from them.
 */
import type { CreateContainerOptions } from '../api.ts';
import { CliError } from './command.ts';
import { unsupportedFlag } from './common.ts';
import { parseExpose, parsePublish } from '../networks/ports.ts';
import type { FlagDef, ParsedFlags } from './flags.ts';

/** Flags shared by `docker run` and `docker create` (docker/cli's container options). */
function containerFlags(pullHelp: string): FlagDef[] {
  return [
    { name: 'cap-add', kind: 'list', usage: 'Add Linux capabilities' },
    { name: 'cap-drop', kind: 'list', usage: 'Drop Linux capabilities' },
    { name: 'env', short: 'e', kind: 'list', usage: 'Set environment variables' },
    { name: 'entrypoint', kind: 'string', usage: 'Overwrite the default ENTRYPOINT of the image' },
    { name: 'hostname', short: 'h', kind: 'string', usage: 'Container host name' },
    { name: 'interactive', short: 'i', kind: 'bool', usage: 'Keep STDIN open even if not attached' },
    { name: 'ip', kind: 'string', usage: 'IPv4 address (e.g., 172.30.100.104)' },
    { name: 'label', short: 'l', kind: 'list', usage: 'Set meta data on a container' },
    { name: 'memory', short: 'm', kind: 'bytes', usage: 'Memory limit' },
    { name: 'name', kind: 'string', usage: 'Assign a name to the container' },
    { name: 'network', kind: 'string', usage: 'Connect a container to a network', defValue: 'default' },
    { name: 'network-alias', kind: 'list', usage: 'Add network-scoped alias for the container' },
    { name: 'pids-limit', kind: 'int', usage: 'Tune container pids limit (set -1 for unlimited)' },
    { name: 'pull', kind: 'string', usage: pullHelp, defValue: 'missing' },
    { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress the pull output' },
    { name: 'privileged', kind: 'bool', usage: 'Give extended privileges to this container' },
    { name: 'read-only', kind: 'bool', usage: "Mount the container's root filesystem as read only" },
    { name: 'rm', kind: 'bool', usage: 'Automatically remove the container when it exits' },
    { name: 'security-opt', kind: 'list', usage: 'Security Options' },
    { name: 'tty', short: 't', kind: 'bool', usage: 'Allocate a pseudo-TTY' },
    { name: 'user', short: 'u', kind: 'string', usage: 'Username or UID (format: <name|uid>[:<group|gid>])' },
    { name: 'volume', short: 'v', kind: 'list', usage: 'Bind mount a volume' },
    { name: 'workdir', short: 'w', kind: 'string', usage: 'Working directory inside the container' },
    { name: 'publish', short: 'p', kind: 'list', usage: "Publish a container's port(s) to the host" },
    { name: 'publish-all', short: 'P', kind: 'bool', usage: 'Publish all exposed ports to random ports' },
    { name: 'expose', kind: 'list', usage: 'Expose a port or a range of ports' },
    unsupportedFlag('add-host', 'containers find each other by name on a user-defined network (docker network create)'),
    unsupportedFlag('dns', 'the machine has no way out, so there is no other DNS server to use'),
    unsupportedFlag('restart', 'containers are never restarted automatically'),
    unsupportedFlag('platform', 'images run on the one platform of the built-in machine'),
    unsupportedFlag('mount', 'use -v NAME:/path for a named volume'),
    unsupportedFlag('tmpfs', 'use -v /path for an anonymous volume'),
    unsupportedFlag('env-file', 'there are no local files to read it from; use -e NAME=value'),
    unsupportedFlag('attach', 'run attaches to stdout and stderr unless -d is given', 'a'),
    unsupportedFlag('cpus', 'CPU limits are not available'),
    unsupportedFlag('cpu-shares', 'CPU limits are not available', 'c'),
    unsupportedFlag('init', 'no init binary is available', undefined, 'bool'),
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

/** Parses `-v` specs: `NAME:/path[:ro]` (named) or `/path` (anonymous); host paths are refused. */
export function parseVolumeSpec(spec: string): { source?: string; target: string; readonly?: boolean } {
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
  if (source !== undefined && /^[/.~]/.test(source)) {
    throw new CliError(
      `invalid volume specification: '${spec}': bind mounts are not supported in LayerLab (there is no host filesystem); use a named volume such as -v data:${target}`,
    );
  }
  if (!target.startsWith('/')) {
    throw new CliError(
      `invalid volume specification: '${spec}': invalid mount config for type "volume": invalid mount path: '${target}' mount path must be absolute`,
    );
  }
  for (const m of (mode ?? '').split(',').filter(Boolean)) if (!VALID_MODES.has(m)) throw new CliError(`invalid mode: ${m}`);
  const out: { source?: string; target: string; readonly?: boolean } = { target };
  if (source !== undefined) out.source = source;
  if (mode?.split(',').includes('ro')) out.readonly = true;
  return out;
}

/** Builds the engine's create options from `docker run`/`create` flags and arguments. */
export function createOptions(flags: ParsedFlags, args: string[]): CreateContainerOptions {
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
  const volumes = flags.list('volume').map(parseVolumeSpec);
  if (volumes.length > 0) opts.volumes = volumes;
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
  return opts;
}

/** Refuses a `--pull` value docker/cli refuses. */
export function validatePull(pull: string): void {
  if (!['always', 'missing', 'never', ''].includes(pull)) {
    throw new CliError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  }
}
