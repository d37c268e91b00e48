/**
 * `docker compose exec` (a command in a service's running container, with a terminal when there
 * is one, as Compose gives by default) and `docker compose run` (a one-off container of a
 * service, its dependencies started first, attached, `--rm` removing it after).
 */
import { ComposeRunner, projectContainers, startOrder, withDependencies } from '../../compose/runner.ts';
import type { ServiceConfig } from '../../compose/model.ts';
import { attachProcess } from '../attach.ts';
import { CliError, StatusError, type Command, type CommandContext } from '../command.ts';
import { errorText } from '../common.ts';
import { startErrorStatus } from '../container-run.ts';
import { execEnv } from '../exec.ts';
import { hooks, selectServices } from './lifecycle.ts';
import { loadComposeProject } from './project.ts';
import { ProgressWriter } from './progress.ts';

function envFlags(ctx: CommandContext): string[] {
  return execEnv(ctx.flags.list('env'), ctx.io.environment);
}

async function runExec(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const [service = '', ...cmd] = ctx.args;
  const project = await loadComposeProject(ctx);
  selectServices(project, [service]);
  const index = f.int('index', 1) || 1;
  const c = (await projectContainers(ctx.engine, project.name)).find((x) => x.service === service && x.number === index);
  if (!c || c.summary.state !== 'running') throw new CliError(`service "${service}" is not running`);
  const tty = !f.bool('no-TTY') && ctx.io.isTTY && !f.bool('detach');
  const env = envFlags(ctx);
  const opts: Parameters<typeof ctx.engine.containers.exec>[1] = { cmd, tty, interactive: !f.bool('detach') };
  if (env.length) opts.env = env;
  const user = f.string('user');
  if (user) opts.user = user;
  const workdir = f.string('workdir');
  if (workdir) opts.workingDir = workdir;
  if (tty) opts.size = { rows: ctx.io.rows, cols: ctx.io.columns };
  let proc;
  try {
    proc = await ctx.engine.containers.exec(c.summary.id, opts);
  } catch (e) {
    const status = startErrorStatus(e);
    throw new StatusError(status === 125 ? 1 : status, errorText(e));
  }
  if (f.bool('detach')) return 0;
  const result = await attachProcess(proc, ctx.io, { tty, stdin: true });
  return result.kind === 'exit' ? result.code : 0;
}

async function runRun(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const [name = '', ...cmd] = ctx.args;
  const project = await loadComposeProject(ctx, { services: [name] });
  const [base] = selectServices(project, [name]);
  const progress = new ProgressWriter(ctx.io);
  const runner = new ComposeRunner(ctx.engine, project, hooks(ctx, progress));
  // its dependencies first, as `up -d` would start them
  const deps = f.bool('no-deps') ? [] : withDependencies(project, [name]).filter((s) => s !== name);
  const depServices = startOrder(project, deps);
  const all = [...depServices, base!];
  await runner.ensureImages(all, { build: f.bool('build') ? 'always' : 'missing' });
  await runner.ensureNetworks(all);
  await runner.ensureVolumes(all);
  if (depServices.length) {
    await runner.create(depServices, { noRecreate: true });
    await runner.start(depServices);
  }
  progress.pause();
  const detach = f.bool('detach');
  const tty = !f.bool('no-TTY') && ctx.io.isTTY && !detach;
  const env = envFlags(ctx);
  const environment = { ...base!.environment };
  for (const e of env) environment[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
  const entrypoint = f.string('entrypoint');
  const spec: ServiceConfig = {
    ...base!,
    environment,
    tty,
    stdinOpen: !detach,
    ports: f.bool('service-ports') ? base!.ports : [],
    ...(entrypoint !== undefined ? { entrypoint: entrypoint === '' ? [] : [entrypoint] } : {}),
    ...(f.string('user') ? { user: f.string('user')! } : {}),
    ...(f.string('workdir') ? { workingDir: f.string('workdir')! } : {}),
  };
  const { id, name: containerName } = await runner.createOneOff(spec, {
    ...(cmd.length ? { cmd } : {}),
    ...(f.string('name') ? { name: f.string('name')! } : {}),
  });
  if (detach) {
    await ctx.engine.containers.start(id);
    ctx.out(containerName + '\n');
    return 0;
  }
  try {
    const proc = await ctx.engine.containers.start(id, tty ? { size: { rows: ctx.io.rows, cols: ctx.io.columns } } : {});
    if (!proc) return await ctx.engine.containers.wait(id);
    const result = await attachProcess(proc, ctx.io, { tty, stdin: true });
    return result.kind === 'exit' ? result.code : 0;
  } finally {
    if (f.bool('rm')) await ctx.engine.containers.remove(id, { force: true, volumes: true }).catch(() => {});
  }
}

/** `docker compose exec` and `docker compose run`. */
export function execCommands(): Command[] {
  const common = [
    { name: 'env', short: 'e', kind: 'stringArray' as const, usage: 'Set environment variables' },
    {
      name: 'no-TTY',
      short: 'T',
      kind: 'bool' as const,
      usage: 'Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.',
    },
    { name: 'user', short: 'u', kind: 'string' as const, usage: 'Run the command as this user' },
    { name: 'workdir', short: 'w', kind: 'string' as const, usage: 'Path to workdir directory for this command' },
    { name: 'detach', short: 'd', kind: 'bool' as const, usage: 'Detached mode: Run command in the background' },
    {
      name: 'interactive',
      short: 'i',
      kind: 'bool' as const,
      usage: 'Keep STDIN open even if not attached',
      defValue: 'true',
      hidden: true,
    },
    { name: 'tty', short: 't', kind: 'bool' as const, usage: 'Allocate a pseudo-TTY', defValue: 'true', hidden: true },
  ];
  return [
    {
      name: 'exec',
      use: 'exec [OPTIONS] SERVICE COMMAND [ARGS...]',
      short: 'Execute a command in a running container',
      flags: [...common, { name: 'index', kind: 'int', usage: 'Index of the container if service has multiple replicas', defValue: '0' }],
      interspersed: false,
      args: { kind: 'min', n: 2 },
      run: runExec,
    },
    {
      name: 'run',
      use: 'run [OPTIONS] SERVICE [COMMAND] [ARGS...]',
      short: 'Run a one-off command on a service',
      flags: [
        ...common,
        { name: 'rm', kind: 'bool', usage: 'Automatically remove the container when it exits' },
        { name: 'name', kind: 'string', usage: 'Assign a name to the container' },
        { name: 'entrypoint', kind: 'string', usage: 'Override the entrypoint of the image' },
        { name: 'no-deps', kind: 'bool', usage: "Don't start linked services" },
        { name: 'service-ports', short: 'P', kind: 'bool', usage: "Run command with all service's ports enabled and mapped to the host" },
        { name: 'build', kind: 'bool', usage: 'Build image before starting container' },
      ],
      interspersed: false,
      args: { kind: 'min', n: 1 },
      run: runRun,
    },
  ];
}
