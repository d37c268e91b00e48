/**
 * What `docker compose` reports: `ps`, `ls`, `images`, `top`, `port`, `logs`, `config` and
 * `version`, with Compose v2's columns, flags and wording.
 */
import type { LogEntry } from '../../api.ts';
import { configYaml } from '../../compose/load.ts';
import { COMPOSE_VERSION, Label } from '../../compose/labels.ts';
import { projectContainers, type ProjectContainer } from '../../compose/runner.ts';
import { CliError, type Command, type CommandContext } from '../command.ts';
import { humanSize, truncateId } from '../format.ts';
import { FORMAT_HELP } from '../flags.ts';
import { containerContext, formatTop, write } from '../tables.ts';
import { getTimestamp } from '../timestamp.ts';
import { hostFS, loadComposeProject, loadOrNamedProject } from './project.ts';
import { selectServices } from './lifecycle.ts';
import { LogPrinter } from './progress.ts';

const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Name: 'NAME',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  Project: 'PROJECT',
  Service: 'SERVICE',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Health: 'HEALTH',
  ExitCode: 'EXIT CODE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Size: 'SIZE',
};

const STATES = ['paused', 'restarting', 'removing', 'running', 'dead', 'created', 'exited'];

async function runPs(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const project = await loadOrNamedProject(ctx);
  selectServices(project, ctx.args);
  const statuses = [...f.list('status')];
  for (const flt of f.list('filter')) {
    const [key, value = ''] = flt.split('=');
    if (key !== 'status') throw new CliError(`invalid filter '${key}'`);
    statuses.push(value);
  }
  for (const s of statuses) if (!STATES.includes(s)) throw new CliError(`invalid filter 'status=${s}'`);
  let rows = (await projectContainers(ctx.engine, project.name, { oneoff: true })).filter(
    (c) => !ctx.args.length || ctx.args.includes(c.service),
  );
  if (!f.bool('all') && !statuses.length)
    rows = rows.filter((c) => c.summary.state === 'running' || c.summary.state === 'paused' || c.summary.state === 'restarting');
  if (statuses.length) rows = rows.filter((c) => statuses.includes(c.summary.state));
  if (!f.bool('orphans', true)) rows = rows.filter((c) => project.services[c.service] || project.disabledServices[c.service]);
  rows.sort((a, b) => (a.summary.name < b.summary.name ? -1 : 1));
  if (f.bool('services')) {
    ctx.out([...new Set(rows.map((r) => r.service))].map((s) => s + '\n').join(''));
    return 0;
  }
  const trunc = !f.bool('no-trunc');
  const now = ctx.now();
  const contexts = rows.map((r) => {
    const base = containerContext(r.summary, trunc, now);
    const health = /\((healthy|unhealthy|health: starting)\)/.exec(r.summary.status)?.[1]?.replace('health: ', '') ?? '';
    return { ...base, Name: r.summary.name, Project: project.name, Service: r.service, Health: health, ExitCode: r.summary.exitCode };
  });
  ctx.out(
    write(
      {
        defaultTable: 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}',
        quiet: '{{.ID}}',
        headers: PS_HEADERS,
        typeName: 'formatter.ContainerContext',
        rows: contexts,
      },
      { format: f.string('format') ?? '', quiet: f.bool('quiet'), trunc, now },
    ),
  );
  return 0;
}

async function runLs(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const all = await ctx.engine.containers.list({ all: true });
  const projects = new Map<string, { states: Map<string, number>; files: string }>();
  for (const c of all) {
    const name = c.labels?.[Label.project];
    if (!name) continue;
    const p = projects.get(name) ?? { states: new Map(), files: c.labels?.[Label.configFiles] ?? '' };
    p.states.set(c.state, (p.states.get(c.state) ?? 0) + 1);
    projects.set(name, p);
  }
  const rows = [...projects.entries()]
    .filter(([, p]) => f.bool('all') || p.states.has('running') || p.states.has('restarting') || p.states.has('paused'))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, p]) => ({
      Name: name,
      Status: [...p.states.entries()].map(([s, n]) => `${s}(${n})`).join(', '),
      ConfigFiles: p.files,
    }));
  const format = f.string('format') ?? 'table';
  if (format === 'json') {
    ctx.out(JSON.stringify(rows) + '\n');
    return 0;
  }
  ctx.out(
    write(
      {
        defaultTable: 'table {{.Name}}\t{{.Status}}\t{{.ConfigFiles}}',
        quiet: '{{.Name}}',
        headers: { Name: 'NAME', Status: 'STATUS', ConfigFiles: 'CONFIG FILES' },
        typeName: 'api.Stack',
        rows,
      },
      { format: format === 'table' ? '' : format, quiet: f.bool('quiet'), now: ctx.now() },
    ),
  );
  return 0;
}

async function runImages(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const project = await loadOrNamedProject(ctx);
  const containers = (await projectContainers(ctx.engine, project.name)).filter((c) => !ctx.args.length || ctx.args.includes(c.service));
  const rows: Record<string, string>[] = [];
  for (const c of containers) {
    const image = await ctx.engine.images.inspect(c.summary.imageId).catch(() => undefined);
    if (!image) continue;
    const tag =
      image.RepoTags.find((t) => t === c.summary.image || t === `${c.summary.image}:latest`) ?? image.RepoTags[0] ?? '<none>:<none>';
    const i = tag.lastIndexOf(':');
    rows.push({
      Container: c.summary.name,
      Repository: tag.slice(0, i),
      Tag: tag.slice(i + 1),
      ID: truncateId(image.Id),
      Size: humanSize(image.Size),
    });
  }
  if (f.bool('quiet')) {
    ctx.out([...new Set(rows.map((r) => r['ID']))].map((id) => id + '\n').join(''));
    return 0;
  }
  ctx.out(
    write(
      {
        defaultTable: 'table {{.Container}}\t{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}',
        quiet: '{{.ID}}',
        headers: { Container: 'CONTAINER', Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', Size: 'SIZE' },
        typeName: 'api.ImageSummary',
        rows,
      },
      { format: f.string('format') === 'table' ? '' : (f.string('format') ?? ''), now: ctx.now() },
    ),
  );
  return 0;
}

async function runTop(ctx: CommandContext): Promise<number> {
  const project = await loadOrNamedProject(ctx);
  const containers = (await projectContainers(ctx.engine, project.name)).filter(
    (c) => (!ctx.args.length || ctx.args.includes(c.service)) && c.summary.state === 'running',
  );
  for (const c of containers) {
    const top = await ctx.engine.containers.top(c.summary.id);
    ctx.out(`${c.summary.name}\n${formatTop(top.titles, top.processes)}\n`);
  }
  return 0;
}

async function runPort(ctx: CommandContext): Promise<number> {
  const [service = '', port = ''] = ctx.args;
  const project = await loadComposeProject(ctx);
  selectServices(project, [service]);
  const [num = '', proto = ctx.flags.string('protocol') ?? 'tcp'] = port.split('/');
  if (!/^\d+$/.test(num)) throw new CliError(`invalid port: ${port}`);
  const index = ctx.flags.int('index', 1);
  const c = (await projectContainers(ctx.engine, project.name)).find((x) => x.service === service && x.number === index);
  if (!c) throw new CliError(`service "${service}" is not running`);
  const info = await ctx.engine.containers.inspect(c.summary.id);
  const binding = info.NetworkSettings.Ports[`${num}/${proto}`]?.[0];
  if (!binding) throw new CliError(`no port ${num}/${proto} for container ${c.summary.name}: port is not published`);
  ctx.out(`${binding.HostIp || '0.0.0.0'}:${binding.HostPort}\n`);
  return 0;
}

async function runConfig(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const project = await loadComposeProject(ctx, { services: ctx.args });
  if (f.bool('quiet')) return 0;
  if (f.bool('services'))
    ctx.out(
      Object.keys(project.services)
        .map((s) => s + '\n')
        .join(''),
    );
  else if (f.bool('volumes'))
    ctx.out(
      Object.keys(project.volumes)
        .map((s) => s + '\n')
        .join(''),
    );
  else if (f.bool('networks'))
    ctx.out(
      Object.keys(project.networks)
        .map((s) => s + '\n')
        .join(''),
    );
  else if (f.bool('images'))
    ctx.out(
      Object.values(project.services)
        .map((s) => (s.image ?? `${project.name}-${s.name}`) + '\n')
        .join(''),
    );
  else if (f.bool('profiles'))
    ctx.out(
      [...new Set([...Object.values(project.services), ...Object.values(project.disabledServices)].flatMap((s) => s.profiles))]
        .sort()
        .map((p) => p + '\n')
        .join(''),
    );
  else {
    const format = f.string('format') ?? 'yaml';
    if (format !== 'yaml') throw new CliError(`unsupported format "${format}": LayerLab prints the model as YAML`);
    const text = configYaml(project);
    const output = f.string('output');
    if (output) {
      const fs = hostFS(ctx);
      const path = output.startsWith('/') ? output : `${fs.cwd}/${output}`;
      await fs.writeFile(path, new TextEncoder().encode(text), { mode: 0o644, mtime: Math.floor(ctx.now().getTime() / 1000) });
    } else ctx.out(text);
  }
  return 0;
}

async function runLogs(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const project = await loadOrNamedProject(ctx);
  selectServices(project, ctx.args);
  const index = f.changed('index') ? f.int('index', 1) : undefined;
  const containers: ProjectContainer[] = (await projectContainers(ctx.engine, project.name)).filter(
    (c) => (!ctx.args.length || ctx.args.includes(c.service)) && (index === undefined || c.number === index),
  );
  const printer = new LogPrinter(ctx.io, {
    colour: ctx.io.isTTY && !f.bool('no-color'),
    prefix: !f.bool('no-log-prefix'),
    timestamps: f.bool('timestamps'),
  });
  const label = (c: ProjectContainer): string => `${c.service}-${c.number}`;
  for (const c of containers) printer.register(label(c));
  const tailText = f.string('tail') ?? 'all';
  const tail = /^\d+$/.test(tailText) ? Number(tailText) : -1;
  const since = f.string('since') ? getTimestamp(f.string('since')!, ctx.now()) : undefined;
  const until = f.string('until') ? getTimestamp(f.string('until')!, ctx.now()) : undefined;
  const options = { tail, ...(since ? { since } : {}), ...(until ? { until } : {}) };
  if (!f.bool('follow')) {
    // every container's lines, merged by time as Compose's concurrent readers mostly print them
    const entries: { name: string; e: LogEntry }[] = [];
    for (const c of containers)
      await ctx.engine.containers.logs(c.summary.id, { ...options, onEntry: (e) => entries.push({ name: label(c), e }) });
    entries.sort((a, b) => (a.e.time < b.e.time ? -1 : a.e.time > b.e.time ? 1 : 0));
    for (const { name, e } of entries) printer.write(name, e.data, e.stream, e.time);
    return 0;
  }
  await Promise.all(
    containers.map((c) =>
      ctx.engine.containers.logs(c.summary.id, {
        ...options,
        follow: true,
        ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
        onEntry: (e) => printer.write(label(c), e.data, e.stream, e.time),
      }),
    ),
  );
  return 0;
}

/** The reporting subcommands of `docker compose`. */
export function infoCommands(): Command[] {
  return [
    {
      name: 'ps',
      use: 'ps [OPTIONS] [SERVICE...]',
      short: 'List containers',
      flags: [
        { name: 'all', short: 'a', kind: 'bool', usage: 'Show all stopped containers (including those created by the run command)' },
        { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display IDs' },
        { name: 'services', kind: 'bool', usage: 'Display services' },
        {
          name: 'status',
          kind: 'stringArray',
          usage: 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]',
        },
        { name: 'filter', kind: 'string', usage: 'Filter services by a property (supported filters: status).' },
        { name: 'format', kind: 'string', usage: FORMAT_HELP, defValue: 'table' },
        { name: 'no-trunc', kind: 'bool', usage: "Don't truncate output" },
        { name: 'orphans', kind: 'bool', usage: 'Include orphaned services (not declared by project)', defValue: 'true' },
      ],
      args: { kind: 'any' },
      run: runPs,
    },
    {
      name: 'ls',
      use: 'ls [OPTIONS]',
      short: 'List running compose projects',
      flags: [
        { name: 'all', short: 'a', kind: 'bool', usage: 'Show all stopped Compose projects' },
        { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display project names' },
        { name: 'format', kind: 'string', usage: 'Format the output. Values: [table | json]', defValue: 'table' },
      ],
      args: { kind: 'none' },
      run: runLs,
    },
    {
      name: 'images',
      use: 'images [OPTIONS] [SERVICE...]',
      short: 'List images used by the created containers',
      flags: [
        { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display IDs' },
        { name: 'format', kind: 'string', usage: 'Format the output. Values: [table | json]', defValue: 'table' },
      ],
      args: { kind: 'any' },
      run: runImages,
    },
    { name: 'top', use: 'top [SERVICES...]', short: 'Display the running processes', args: { kind: 'any' }, run: runTop },
    {
      name: 'port',
      use: 'port [OPTIONS] SERVICE PRIVATE_PORT',
      short: 'Print the public port for a port binding',
      flags: [
        { name: 'index', kind: 'int', usage: 'Index of the container if service has multiple replicas', defValue: '0' },
        { name: 'protocol', kind: 'string', usage: 'tcp or udp', defValue: 'tcp' },
      ],
      args: { kind: 'exact', n: 2 },
      run: runPort,
    },
    {
      name: 'logs',
      use: 'logs [OPTIONS] [SERVICE...]',
      short: 'View output from containers',
      flags: [
        { name: 'follow', short: 'f', kind: 'bool', usage: 'Follow log output' },
        {
          name: 'tail',
          short: 'n',
          kind: 'string',
          usage: 'Number of lines to show from the end of the logs for each container',
          defValue: 'all',
        },
        { name: 'timestamps', short: 't', kind: 'bool', usage: 'Show timestamps' },
        {
          name: 'since',
          kind: 'string',
          usage: 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)',
        },
        {
          name: 'until',
          kind: 'string',
          usage: 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)',
        },
        { name: 'no-color', kind: 'bool', usage: 'Produce monochrome output' },
        { name: 'no-log-prefix', kind: 'bool', usage: "Don't print prefix in logs" },
        { name: 'index', kind: 'int', usage: 'index of the container if service has multiple replicas', defValue: '0' },
      ],
      args: { kind: 'any' },
      run: runLogs,
    },
    {
      name: 'config',
      use: 'config [OPTIONS] [SERVICE...]',
      short: 'Parse, resolve and render compose file in canonical format',
      flags: [
        { name: 'quiet', short: 'q', kind: 'bool', usage: "Only validate the configuration, don't print anything" },
        { name: 'services', kind: 'bool', usage: 'Print the service names, one per line' },
        { name: 'volumes', kind: 'bool', usage: 'Print the volume names, one per line' },
        { name: 'networks', kind: 'bool', usage: 'Print the network names, one per line' },
        { name: 'images', kind: 'bool', usage: 'Print the image names, one per line' },
        { name: 'profiles', kind: 'bool', usage: 'Print the profile names, one per line' },
        { name: 'format', kind: 'string', usage: 'Format the output. Values: [yaml | json]', defValue: 'yaml' },
        { name: 'output', short: 'o', kind: 'string', usage: 'Save to file (default to stdout)' },
      ],
      args: { kind: 'any' },
      run: runConfig,
    },
    {
      name: 'version',
      use: 'version [OPTIONS]',
      short: 'Show the Docker Compose version information',
      flags: [
        { name: 'short', kind: 'bool', usage: "Shows only Compose's version number" },
        { name: 'format', short: 'f', kind: 'string', usage: 'Format the output. Values: [pretty | json]. (Default: pretty)' },
      ],
      args: { kind: 'none' },
      run: async (ctx) => {
        const v = `v${COMPOSE_VERSION}-layerlab`;
        if (ctx.flags.bool('short')) ctx.out(v.slice(1) + '\n');
        else if (ctx.flags.string('format') === 'json') ctx.out(JSON.stringify({ version: v }) + '\n');
        else ctx.out(`Docker Compose version ${v}\n`);
        return 0;
      },
    },
  ];
}
