/**
 * Commands that look at containers: ps (with docker/cli's filters), container inspect, diff, top,
 * and commit (a container's changes as a new image).
 */
import type { ContainerSummary } from '../api.ts';
import { CliError, type Command, type CommandContext } from './command.ts';
import {
  checkFilters,
  FILTER_FLAG,
  FORMAT_FLAG,
  inspectEach,
  INSPECT_FORMAT_FLAG,
  labelMatches,
  parseFilters,
  unsupportedFlag,
} from './common.ts';
import { familiarTagged } from './reference.ts';
import { formatContainers, formatStats, formatTop } from './tables.ts';

const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

async function filterContainers(
  ctx: CommandContext,
  list: ContainerSummary[],
  filters: Map<string, string[]>,
): Promise<ContainerSummary[]> {
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
      any(
        'ancestor',
        (v) =>
          c.image === v ||
          familiarTagged(c.image) === familiarTagged(v) ||
          c.imageId.replace(/^sha256:/, '').startsWith(v.replace(/^sha256:/, '')),
      ) &&
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
  const format = f.string('format') ?? '';
  // as docker/cli: a --format that shows .Size asks for sizes too
  const size = (f.bool('size') || format.includes('.Size')) && !f.bool('quiet');
  let list = await ctx.engine.containers.list({ all, ...(size ? { size: true } : {}) });
  list = [...list].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  list = await filterContainers(ctx, list, filters);
  if (limit > 0) list = list.slice(0, limit);
  if (format && f.bool('quiet')) ctx.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
  ctx.out(formatContainers(list, { format, quiet: f.bool('quiet'), trunc: !f.bool('no-trunc'), now: ctx.now(), size }));
  return 0;
}

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
      { name: 'size', short: 's', kind: 'bool', usage: 'Display total file sizes' },
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

/** `docker stats`: live (the table redrawn every 2 s until Ctrl-C), or one reading with --no-stream. */
export function statsCommand(): Command {
  return {
    name: 'stats',
    use: 'stats [OPTIONS] [CONTAINER...]',
    short: 'Display a live stream of container(s) resource usage statistics',
    aliasesText: 'docker container stats, docker stats',
    flags: [
      { name: 'all', short: 'a', kind: 'bool', usage: 'Show all containers (default shows just running)' },
      FORMAT_FLAG,
      { name: 'no-stream', kind: 'bool', usage: 'Disable streaming stats and only pull the first result' },
      { name: 'no-trunc', kind: 'bool', usage: 'Do not truncate output' },
    ],
    args: { kind: 'any' },
    complete: ['container-running'],
    run: runStats,
  };
}

async function runStats(ctx: CommandContext): Promise<number> {
  const read = async () =>
    formatStats(await ctx.engine.containers.stats({ all: ctx.flags.bool('all'), names: ctx.args }), {
      format: ctx.flags.string('format') ?? '',
      trunc: !ctx.flags.bool('no-trunc'),
      now: ctx.io.now?.() ?? new Date(),
    });
  if (ctx.flags.bool('no-stream')) {
    ctx.out(await read());
    return 0;
  }
  // like the docker CLI on a terminal: clear, draw, again until interrupted
  const signal = ctx.io.signal;
  while (!signal?.aborted) {
    const table = await read();
    if (signal?.aborted) break;
    ctx.out(ctx.io.isTTY ? `\x1b[2J\x1b[H${table}` : table);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1500);
      signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
  return 0;
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

async function runPort(ctx: CommandContext): Promise<number> {
  const [name, wanted] = ctx.args as [string, string | undefined];
  const inspect = await ctx.engine.containers.inspect(name);
  const ports = inspect.NetworkSettings.Ports;
  if (wanted !== undefined) {
    const [port = '', proto = 'tcp'] = wanted.split('/');
    if (!/^\d+$/.test(port)) throw new CliError(`Error: invalid port (${port}): invalid syntax`);
    const list = ports[`${port}/${proto}`];
    if (!list?.length) throw new CliError(`Error: No public port '${port}/${proto}' published for ${name}`);
    for (const b of list) ctx.out(`${b.HostIp}:${b.HostPort}\n`);
    return 0;
  }
  const keys = Object.keys(ports).sort((a, b) => Number(a.split('/')[0]) - Number(b.split('/')[0]));
  for (const key of keys) for (const b of ports[key] ?? []) ctx.out(`${key} -> ${b.HostIp}:${b.HostPort}\n`);
  return 0;
}

/** `docker port`. */
export function portCommand(): Command {
  return {
    name: 'port',
    use: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
    short: 'List port mappings or a specific mapping for the container',
    aliasesText: 'docker container port, docker port',
    args: { kind: 'range', min: 1, max: 2 },
    complete: ['container-running', 'none'],
    run: runPort,
  };
}
