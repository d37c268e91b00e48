/**
 * Container commands: run, create, start, stop, restart, kill, rm, ps, inspect, diff,
 * commit, exec, top, wait and prune, with docker/cli's flags, output and exit statuses (`cp` is
 * in cp.ts, `logs` in logs.ts).
 */
import type { ContainerSummary, CreateContainerOptions } from '../api.ts';
import { NotFoundError } from '../errors.ts';
import { attachProcess, pullPrinter } from './attach.ts';
import { CliError, StatusError, type Command, type CommandContext } from './command.ts';
import {
  inspectEach,
  checkFilters,
  confirm,
  errorText,
  FILTER_FLAG,
  FORMAT_FLAG,
  forEachTarget,
  INSPECT_FORMAT_FLAG,
  labelMatches,
  parseFilters,
  deletedSection,
  reclaimedLine,
  unsupportedFlag,
} from './common.ts';
import type { FlagDef, ParsedFlags } from './flags.ts';
import { formatContainers, formatTop } from './tables.ts';
import { familiarTagged, isFullImageId } from './reference.ts';

// ---------------------------------------------------------------- run / create options

const NO_NETWORK = 'containers have no network here';
const FIXED_PRIVILEGES = 'containers run with a fixed set of privileges';

/** Flags shared by `docker run` and `docker create` (docker/cli's container options). */
function containerFlags(pullHelp: string): FlagDef[] {
  return [
    { name: 'env', short: 'e', kind: 'list', usage: 'Set environment variables' },
    { name: 'entrypoint', kind: 'string', usage: 'Overwrite the default ENTRYPOINT of the image' },
    { name: 'hostname', short: 'h', kind: 'string', usage: 'Container host name' },
    { name: 'interactive', short: 'i', kind: 'bool', usage: 'Keep STDIN open even if not attached' },
    { name: 'label', short: 'l', kind: 'list', usage: 'Set meta data on a container' },
    { name: 'memory', short: 'm', kind: 'bytes', usage: 'Memory limit' },
    { name: 'name', kind: 'string', usage: 'Assign a name to the container' },
    { name: 'pids-limit', kind: 'int', usage: 'Tune container pids limit (set -1 for unlimited)' },
    { name: 'pull', kind: 'string', usage: pullHelp, defValue: 'missing' },
    { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress the pull output' },
    { name: 'read-only', kind: 'bool', usage: "Mount the container's root filesystem as read only" },
    { name: 'rm', kind: 'bool', usage: 'Automatically remove the container when it exits' },
    { name: 'tty', short: 't', kind: 'bool', usage: 'Allocate a pseudo-TTY' },
    { name: 'user', short: 'u', kind: 'string', usage: 'Username or UID (format: <name|uid>[:<group|gid>])' },
    { name: 'volume', short: 'v', kind: 'list', usage: 'Bind mount a volume' },
    { name: 'workdir', short: 'w', kind: 'string', usage: 'Working directory inside the container' },
    unsupportedFlag('publish', NO_NETWORK, 'p'),
    unsupportedFlag('publish-all', NO_NETWORK, 'P', 'bool'),
    unsupportedFlag('network', NO_NETWORK),
    unsupportedFlag('expose', NO_NETWORK),
    unsupportedFlag('add-host', NO_NETWORK),
    unsupportedFlag('dns', NO_NETWORK),
    unsupportedFlag('restart', 'containers are never restarted automatically'),
    unsupportedFlag('privileged', FIXED_PRIVILEGES, undefined, 'bool'),
    unsupportedFlag('cap-add', FIXED_PRIVILEGES),
    unsupportedFlag('cap-drop', FIXED_PRIVILEGES),
    unsupportedFlag('security-opt', FIXED_PRIVILEGES),
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

const RUN_FLAGS: FlagDef[] = [
  { name: 'detach', short: 'd', kind: 'bool', usage: 'Run container in background and print container ID' },
  { name: 'sig-proxy', kind: 'bool', usage: 'Proxy received signals to the process', defValue: 'true' },
  ...containerFlags('Pull image before running ("always", "missing", "never")'),
];

const CREATE_FLAGS: FlagDef[] = containerFlags('Pull image before creating ("always", "|missing", "never")');

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
    throw new CliError(`invalid volume specification: '${spec}': invalid mount config for type "volume": invalid mount path: '${target}' mount path must be absolute`);
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
    if (workdir !== '' && !workdir.startsWith('/')) throw new CliError(`the working directory '${workdir}' is invalid, it needs to be an absolute path`);
    opts.workingDir = workdir;
  }
  const user = flags.string('user');
  if (user !== undefined) opts.user = user;
  const hostname = flags.string('hostname');
  if (hostname !== undefined) opts.hostname = hostname;
  if (flags.bool('tty')) opts.tty = true;
  if (flags.bool('interactive')) opts.openStdin = true;
  if (flags.bool('rm')) opts.autoRemove = true;
  const volumes = flags.list('volume').map(parseVolumeSpec);
  if (volumes.length > 0) opts.volumes = volumes;
  if (flags.changed('memory')) opts.memory = flags.int('memory', 0);
  if (flags.changed('pids-limit')) opts.pidsLimit = flags.int('pids-limit', 0);
  if (flags.bool('read-only')) opts.readOnly = true;
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

/** docker/cli's reportError: `docker: <message>.` plus `See 'docker run --help'.` */
export function reportError(ctx: CommandContext, name: string, message: string, withHelp: boolean): void {
  let text = message.replace(/\.$/, '') + '.';
  if (withHelp) text += `\nSee 'docker ${name} --help'.`;
  ctx.err(`docker: ${text}\n`);
}

/** docker/cli's runStartContainerErr: 127 for a missing executable, 126 for permission problems, else 125. */
export function startErrorStatus(e: unknown): number {
  const message = e instanceof Error ? e.message : String(e);
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}

/** Pulls `ref`, printing progress to stderr unless quiet. */
async function pullForCreate(ctx: CommandContext, ref: string, quiet: boolean): Promise<void> {
  await ctx.engine.images.pull(ref, quiet ? undefined : pullPrinter((t) => ctx.err(t)), ctx.io.signal);
}

/** Creates a container, pulling the image first when it is missing (Docker's `--pull missing`). */
async function createContainer(ctx: CommandContext, opts: CreateContainerOptions, pull: string, quiet: boolean): Promise<string> {
  if (pull === 'always') await pullForCreate(ctx, opts.image, quiet);
  let res: { id: string; warnings: string[] };
  try {
    res = await ctx.engine.containers.create(opts);
  } catch (e) {
    if (!(e instanceof NotFoundError) || pull !== 'missing' || isFullImageId(opts.image)) throw e;
    if (!quiet) ctx.err(`Unable to find image '${familiarTagged(opts.image)}' locally\n`);
    await pullForCreate(ctx, opts.image, quiet);
    res = await ctx.engine.containers.create(opts);
  }
  for (const w of res.warnings) ctx.err(`WARNING: ${w}\n`);
  return res.id;
}

function validatePull(pull: string): void {
  if (!['always', 'missing', 'never', ''].includes(pull)) {
    throw new CliError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  }
}

async function runRun(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  let opts: CreateContainerOptions;
  const pull = f.string('pull') ?? 'missing';
  try {
    validatePull(pull);
    opts = createOptions(f, ctx.args);
  } catch (e) {
    reportError(ctx, 'run', errorText(e), true);
    return 125;
  }
  const detach = f.bool('detach');
  const tty = f.bool('tty');
  const interactive = f.bool('interactive');
  if (!detach && tty && interactive && !ctx.io.isTTY) throw new CliError('the input device is not a TTY');
  let id: string;
  try {
    id = await createContainer(ctx, opts, pull, f.bool('quiet'));
  } catch (e) {
    reportError(ctx, 'run', errorText(e), true);
    return startErrorStatus(e);
  }
  if (detach) {
    try {
      await ctx.engine.containers.start(id);
    } catch (e) {
      reportError(ctx, 'run', errorText(e), false);
      return startErrorStatus(e);
    }
    ctx.out(id + '\n');
    return 0;
  }
  let proc;
  try {
    proc = await ctx.engine.containers.start(id, tty ? { size: { rows: ctx.io.rows, cols: ctx.io.columns } } : {});
  } catch (e) {
    reportError(ctx, 'run', errorText(e), false);
    return startErrorStatus(e);
  }
  if (!proc) return ctx.engine.containers.wait(id);
  const result = await attachProcess(proc, ctx.io, { tty, stdin: interactive, sigProxy: f.bool('sig-proxy', true) });
  return result.kind === 'exit' ? result.code : 0;
}

async function runCreate(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  let opts: CreateContainerOptions;
  const pull = f.string('pull') ?? 'missing';
  try {
    validatePull(pull);
    opts = createOptions(f, ctx.args);
  } catch (e) {
    reportError(ctx, 'create', errorText(e), true);
    return 125;
  }
  const id = await createContainer(ctx, opts, pull, f.bool('quiet'));
  ctx.out(id + '\n');
  return 0;
}

// ---------------------------------------------------------------- start / stop / restart / kill / rm / wait

async function runStart(ctx: CommandContext): Promise<number> {
  const attach = ctx.flags.bool('attach');
  const interactive = ctx.flags.bool('interactive');
  if (!attach && !interactive) {
    const failed: string[] = [];
    for (const name of ctx.args) {
      try {
        await ctx.engine.containers.start(name);
        ctx.out(name + '\n');
      } catch (e) {
        ctx.err(errorText(e) + '\n');
        failed.push(name);
      }
    }
    if (failed.length > 0) throw new CliError(`Error: failed to start containers: ${failed.join(', ')}`);
    return 0;
  }
  if (ctx.args.length > 1) throw new CliError('you cannot start and attach multiple containers at once');
  const name = ctx.args[0] ?? '';
  const info = await ctx.engine.containers.inspect(name);
  const tty = info.Config.Tty;
  const proc = await ctx.engine.containers.start(info.Id, tty ? { size: { rows: ctx.io.rows, cols: ctx.io.columns } } : {});
  if (!proc) {
    const code = await ctx.engine.containers.wait(info.Id);
    if (code !== 0) throw new StatusError(code);
    return 0;
  }
  const result = await attachProcess(proc, ctx.io, { tty, stdin: interactive && info.Config.OpenStdin, sigProxy: !tty });
  if (result.kind === 'exit' && result.code !== 0) throw new StatusError(result.code);
  return 0;
}

const TIME_FLAG: FlagDef = { name: 'time', short: 't', kind: 'int', usage: 'Seconds to wait before killing the container' };
const SIGNAL_FLAG: FlagDef = { name: 'signal', short: 's', kind: 'string', usage: 'Signal to send to the container' };

async function runStop(ctx: CommandContext): Promise<number> {
  const opts: { timeoutSeconds?: number; signal?: string } = {};
  if (ctx.flags.changed('time')) opts.timeoutSeconds = ctx.flags.int('time', 10);
  const signal = ctx.flags.string('signal');
  if (signal) opts.signal = signal;
  return forEachTarget(ctx, ctx.args, (n) => ctx.engine.containers.stop(n, opts));
}

async function runRestart(ctx: CommandContext): Promise<number> {
  const opts: { timeoutSeconds?: number } = {};
  if (ctx.flags.changed('time')) opts.timeoutSeconds = ctx.flags.int('time', 10);
  return forEachTarget(ctx, ctx.args, (n) => ctx.engine.containers.restart(n, opts));
}

async function runKill(ctx: CommandContext): Promise<number> {
  const signal = ctx.flags.string('signal');
  return forEachTarget(ctx, ctx.args, (n) => ctx.engine.containers.kill(n, signal || undefined));
}

async function runRm(ctx: CommandContext): Promise<number> {
  const force = ctx.flags.bool('force');
  const volumes = ctx.flags.bool('volumes');
  const errors: string[] = [];
  for (const raw of ctx.args) {
    const name = raw.replace(/^\/+|\/+$/g, '');
    try {
      await ctx.engine.containers.remove(name, { force, volumes });
      ctx.out(name + '\n');
    } catch (e) {
      if (force && e instanceof NotFoundError) continue;
      errors.push(errorText(e));
    }
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

async function runWait(ctx: CommandContext): Promise<number> {
  return forEachTarget(ctx, ctx.args, async (n) => String(await ctx.engine.containers.wait(n)));
}

// ---------------------------------------------------------------- ps

const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

async function filterContainers(ctx: CommandContext, list: ContainerSummary[], filters: Map<string, string[]>): Promise<ContainerSummary[]> {
  checkFilters(filters, ['id', 'name', 'status', 'label', 'ancestor', 'exited', 'volume']);
  for (const s of filters.get('status') ?? []) {
    if (!STATES.includes(s)) throw new CliError(`Error response from daemon: invalid filter 'status=${s}'`);
  }
  const any = (key: string, test: (v: string) => boolean): boolean => {
    const values = filters.get(key);
    return !values || values.some(test);
  };
  // ContainerSummary carries no labels: look them up only when a label filter asks for them.
  const labels = new Map<string, Record<string, string>>();
  if (filters.has('label')) {
    for (const c of list) labels.set(c.id, (await ctx.engine.containers.inspect(c.id)).Config.Labels ?? {});
  }
  return list.filter(
    (c) =>
      any('id', (v) => c.id.startsWith(v)) &&
      any('name', (v) => {
        try {
          return new RegExp(v).test(c.name) || new RegExp(v).test('/' + c.name);
        } catch {
          return c.name.includes(v);
        }
      }) &&
      any('status', (v) => c.state === v) &&
      any('exited', (v) => c.state === 'exited' && String(c.exitCode) === v) &&
      any('ancestor', (v) => c.image === v || familiarTagged(c.image) === familiarTagged(v) || c.imageId.replace(/^sha256:/, '').startsWith(v.replace(/^sha256:/, ''))) &&
      any('volume', (v) => c.mounts.some((m) => m.Name === v || m.Destination === v)) &&
      (filters.get('label') ?? []).every((v) => labelMatches(labels.get(c.id) ?? {}, v)),
  );
}

async function runPs(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const last = f.int('last', -1);
  const latest = f.bool('latest');
  const limit = last !== -1 ? last : latest ? 1 : -1;
  const filters = parseFilters(f.list('filter'));
  const all = f.bool('all') || limit > 0 || filters.has('status') || filters.has('exited');
  let list = await ctx.engine.containers.list({ all });
  list = [...list].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  list = await filterContainers(ctx, list, filters);
  if (limit > 0) list = list.slice(0, limit);
  const format = f.string('format') ?? '';
  if (format && f.bool('quiet')) ctx.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
  ctx.out(formatContainers(list, { format, quiet: f.bool('quiet'), trunc: !f.bool('no-trunc'), now: ctx.now() }));
  return 0;
}

// ---------------------------------------------------------------- inspect / diff / commit / top

function runContainerInspect(ctx: CommandContext): Promise<number> {
  return inspectEach(ctx, (n) => ctx.engine.containers.inspect(n));
}

async function runDiff(ctx: CommandContext): Promise<number> {
  const changes = await ctx.engine.containers.diff(ctx.args[0] ?? '');
  for (const c of changes) ctx.out(`${c.kind} ${c.path}\n`);
  return 0;
}

async function runCommit(ctx: CommandContext): Promise<number> {
  const opts: { reference?: string; message?: string; author?: string } = {};
  const ref = ctx.args[1];
  if (ref) opts.reference = ref;
  const message = ctx.flags.string('message');
  if (message) opts.message = message;
  const author = ctx.flags.string('author');
  if (author) opts.author = author;
  const id = await ctx.engine.containers.commit(ctx.args[0] ?? '', opts);
  ctx.out(id + '\n');
  return 0;
}

async function runTop(ctx: CommandContext): Promise<number> {
  const { titles, processes } = await ctx.engine.containers.top(ctx.args[0] ?? '');
  ctx.out(formatTop(titles, processes));
  return 0;
}

// ---------------------------------------------------------------- exec

async function runExec(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const [name = '', ...cmd] = ctx.args;
  const tty = f.bool('tty');
  const interactive = f.bool('interactive');
  const detach = f.bool('detach');
  const info = await ctx.engine.containers.inspect(name);
  if (!detach && tty && interactive && !ctx.io.isTTY) throw new CliError('the input device is not a TTY');
  const env: string[] = [];
  for (const e of f.list('env')) {
    const i = e.indexOf('=');
    if (i === 0) throw new CliError(`invalid environment variable: ${e}`);
    if (i > 0) env.push(e);
  }
  const opts: Parameters<typeof ctx.engine.containers.exec>[1] = { cmd, tty, interactive: interactive && !detach };
  if (env.length) opts.env = env;
  const user = f.string('user');
  if (user) opts.user = user;
  const workdir = f.string('workdir');
  if (workdir) opts.workingDir = workdir;
  if (tty) opts.size = { rows: ctx.io.rows, cols: ctx.io.columns };
  let proc;
  try {
    proc = await ctx.engine.containers.exec(info.Id, opts);
  } catch (e) {
    const status = startErrorStatus(e);
    throw new StatusError(status === 125 ? 1 : status, errorText(e));
  }
  if (detach) return 0;
  const result = await attachProcess(proc, ctx.io, { tty, stdin: interactive });
  return result.kind === 'exit' ? result.code : 0;
}

// ---------------------------------------------------------------- prune

async function runContainerPrune(ctx: CommandContext): Promise<number> {
  if (!(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?', ctx.flags.bool('force')))) return 0;
  const report = await ctx.engine.containers.prune();
  ctx.out(deletedSection('Deleted Containers', report.deleted));
  ctx.out(reclaimedLine(report.spaceReclaimed));
  return 0;
}

// ---------------------------------------------------------------- command definitions

/** `docker run` / `docker container run`. */
export function runCommand(): Command {
  return {
    name: 'run',
    use: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
    short: 'Create and run a new container from an image',
    aliasesText: 'docker container run, docker run',
    top: 1,
    flags: RUN_FLAGS,
    interspersed: false,
    args: { kind: 'min', n: 1 },
    complete: ['image-remote', 'none'],
    completeFlags: { volume: 'volume' },
    run: runRun,
  };
}

/** `docker create`. */
export function createCommand(): Command {
  return {
    name: 'create',
    use: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
    short: 'Create a new container',
    aliasesText: 'docker container create, docker create',
    flags: CREATE_FLAGS,
    interspersed: false,
    args: { kind: 'min', n: 1 },
    complete: ['image-remote', 'none'],
    completeFlags: { volume: 'volume' },
    run: runCreate,
  };
}

/** `docker start`. */
export function startCommand(): Command {
  return {
    name: 'start',
    use: 'start [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Start one or more stopped containers',
    aliasesText: 'docker container start, docker start',
    flags: [
      { name: 'attach', short: 'a', kind: 'bool', usage: 'Attach STDOUT/STDERR and forward signals' },
      { name: 'interactive', short: 'i', kind: 'bool', usage: "Attach container's STDIN" },
      unsupportedFlag('detach-keys', 'the detach keys are always ctrl-p,ctrl-q'),
    ],
    args: { kind: 'min', n: 1 },
    complete: ['container-stopped'],
    run: runStart,
  };
}

/** `docker stop`. */
export function stopCommand(): Command {
  return {
    name: 'stop',
    use: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Stop one or more running containers',
    aliasesText: 'docker container stop, docker stop',
    flags: [SIGNAL_FLAG, TIME_FLAG],
    args: { kind: 'min', n: 1 },
    complete: ['container-running'],
    completeFlags: { signal: ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] },
    run: runStop,
  };
}

/** `docker restart`. */
export function restartCommand(): Command {
  return {
    name: 'restart',
    use: 'restart [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Restart one or more containers',
    aliasesText: 'docker container restart, docker restart',
    flags: [TIME_FLAG],
    args: { kind: 'min', n: 1 },
    complete: ['container'],
    run: runRestart,
  };
}

/** `docker kill`. */
export function killCommand(): Command {
  return {
    name: 'kill',
    use: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Kill one or more running containers',
    aliasesText: 'docker container kill, docker kill',
    flags: [SIGNAL_FLAG],
    args: { kind: 'min', n: 1 },
    complete: ['container-running'],
    completeFlags: { signal: ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] },
    run: runKill,
  };
}

/** `docker rm` / `docker container rm` (alias `remove`). */
export function rmCommand(): Command {
  return {
    name: 'rm',
    use: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Remove one or more containers',
    aliasesText: 'docker container rm, docker container remove, docker rm',
    flags: [
      { name: 'force', short: 'f', kind: 'bool', usage: 'Force the removal of a running container (uses SIGKILL)' },
      { name: 'volumes', short: 'v', kind: 'bool', usage: 'Remove anonymous volumes associated with the container' },
      unsupportedFlag('link', 'containers have no links', 'l', 'bool'),
    ],
    args: { kind: 'min', n: 1 },
    complete: ['container'],
    run: runRm,
  };
}

/** `docker ps` / `docker container ls` (aliases `list`, `ps`). */
export function psCommand(name = 'ps'): Command {
  return {
    name,
    use: `${name} [OPTIONS]`,
    short: 'List containers',
    aliasesText: 'docker container ls, docker container list, docker container ps, docker ps',
    top: name === 'ps' ? 3 : undefined,
    flags: [
      { name: 'all', short: 'a', kind: 'bool', usage: 'Show all containers (default shows just running)' },
      FILTER_FLAG,
      FORMAT_FLAG,
      { name: 'last', short: 'n', kind: 'int', usage: 'Show n last created containers (includes all states)', defValue: '-1' },
      { name: 'latest', short: 'l', kind: 'bool', usage: 'Show the latest created container (includes all states)' },
      { name: 'no-trunc', kind: 'bool', usage: "Don't truncate output" },
      { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display container IDs' },
      unsupportedFlag('size', 'container sizes are not measured', 's', 'bool'),
    ],
    args: { kind: 'none' },
    completeFlags: { filter: ['status=', 'name=', 'id=', 'ancestor=', 'exited=', 'volume='] },
    run: runPs,
  };
}

/** `docker container inspect`. */
export function containerInspectCommand(): Command {
  return {
    name: 'inspect',
    use: 'inspect [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Display detailed information on one or more containers',
    flags: [INSPECT_FORMAT_FLAG, { name: 'size', short: 's', kind: 'bool', usage: 'Display total file sizes' }],
    args: { kind: 'min', n: 1 },
    complete: ['container'],
    run: runContainerInspect,
  };
}

/** `docker diff`. */
export function diffCommand(): Command {
  return {
    name: 'diff',
    use: 'diff CONTAINER',
    short: "Inspect changes to files or directories on a container's filesystem",
    aliasesText: 'docker container diff, docker diff',
    args: { kind: 'exact', n: 1 },
    complete: ['container'],
    run: runDiff,
  };
}

/** `docker commit`. */
export function commitCommand(): Command {
  return {
    name: 'commit',
    use: 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
    short: "Create a new image from a container's changes",
    aliasesText: 'docker container commit, docker commit',
    flags: [
      { name: 'author', short: 'a', kind: 'string', usage: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
      { name: 'message', short: 'm', kind: 'string', usage: 'Commit message' },
      { name: 'pause', short: 'p', kind: 'bool', usage: 'Pause container during commit', defValue: 'true' },
      unsupportedFlag('change', 'Dockerfile changes on commit are not available; write a Dockerfile instead', 'c'),
    ],
    args: { kind: 'range', min: 1, max: 2 },
    complete: ['container', 'image'],
    run: runCommit,
  };
}

/** `docker exec`. */
export function execCommand(): Command {
  return {
    name: 'exec',
    use: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
    short: 'Execute a command in a running container',
    aliasesText: 'docker container exec, docker exec',
    top: 2,
    flags: [
      { name: 'detach', short: 'd', kind: 'bool', usage: 'Detached mode: run command in the background' },
      { name: 'env', short: 'e', kind: 'list', usage: 'Set environment variables' },
      { name: 'interactive', short: 'i', kind: 'bool', usage: 'Keep STDIN open even if not attached' },
      { name: 'tty', short: 't', kind: 'bool', usage: 'Allocate a pseudo-TTY' },
      { name: 'user', short: 'u', kind: 'string', usage: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
      { name: 'workdir', short: 'w', kind: 'string', usage: 'Working directory inside the container' },
      unsupportedFlag('privileged', FIXED_PRIVILEGES, undefined, 'bool'),
      unsupportedFlag('env-file', 'there are no local files to read it from; use -e NAME=value'),
      unsupportedFlag('detach-keys', 'the detach keys are always ctrl-p,ctrl-q'),
    ],
    interspersed: false,
    args: { kind: 'min', n: 2 },
    complete: ['container-running', 'command', 'none'],
    run: runExec,
  };
}

/** `docker top`. */
export function topCommand(): Command {
  return {
    name: 'top',
    use: 'top CONTAINER [ps OPTIONS]',
    short: 'Display the running processes of a container',
    aliasesText: 'docker container top, docker top',
    args: { kind: 'min', n: 1 },
    complete: ['container-running', 'none'],
    run: runTop,
  };
}

/** `docker wait`. */
export function waitCommand(): Command {
  return {
    name: 'wait',
    use: 'wait CONTAINER [CONTAINER...]',
    short: 'Block until one or more containers stop, then print their exit codes',
    aliasesText: 'docker container wait, docker wait',
    args: { kind: 'min', n: 1 },
    complete: ['container'],
    run: runWait,
  };
}

/** `docker container prune`. */
export function containerPruneCommand(): Command {
  return {
    name: 'prune',
    use: 'prune [OPTIONS]',
    short: 'Remove all stopped containers',
    flags: [
      unsupportedFlag('filter', 'prune filters are not available'),
      { name: 'force', short: 'f', kind: 'bool', usage: 'Do not prompt for confirmation' },
    ],
    args: { kind: 'none' },
    run: runContainerPrune,
  };
}
