/**
 * `docker compose up`, `down`, `create`, `start`, `stop`, `restart`, `rm`, `build` and `pull`:
 * the project loaded, the orchestrator (`compose/runner.ts`) run with Compose's progress display,
 * and `up` in the foreground attached to every service's output until they exit or Ctrl-C.
 */
import type { ContainerSummary } from '../../api.ts';
import { ComposeRunner, projectContainers, startOrder, withDependencies, type ComposeHooks } from '../../compose/runner.ts';
import { serviceImage } from '../../compose/labels.ts';
import type { ComposeProject, ServiceConfig } from '../../compose/model.ts';
import { EngineError } from '../../errors.ts';
import { readLine } from '../attach.ts';
import { buildCommand } from '../build.ts';
import { buildTree, CliError, StatusError, type Command, type CommandContext } from '../command.ts';
import { parseFlags } from '../flags.ts';
import type { PublishedPort } from '../io.ts';
import { loadComposeProject, loadOrNamedProject } from './project.ts';
import { LogPrinter, ProgressWriter } from './progress.ts';

/** The orchestrator's hooks for a command: progress on stderr, builds through `docker build`'s own output, pulls as progress lines. */
export function hooks(ctx: CommandContext, progress: ProgressWriter): ComposeHooks {
  return {
    progress: (e) => progress.event(e),
    build: async (service, image) => {
      progress.pause();
      const b = service.build!;
      const argv = ['-t', image, '-f', b.dockerfile];
      for (const [k, v] of Object.entries(b.args)) argv.push('--build-arg', `${k}=${v}`);
      if (b.target) argv.push('--target', b.target);
      // absolute: the host reads it as it is (Node: the disk; the page: its workspace at /workspace)
      argv.push(b.context);
      const cmd = buildCommand();
      const node = buildTree(cmd);
      const flags = parseFlags(argv, cmd.flags ?? []);
      const code = await cmd.run!({ ...ctx, flags, args: flags.args, node, path: 'docker build' });
      if (code !== 0) throw new StatusError(code, `failed to solve: service "${service.name}" could not be built`);
      progress.event({ resource: `Service ${service.name}`, status: 'Built', done: true });
    },
    pull: async (service, image) => {
      progress.event({ resource: service.name, status: 'Pulling', done: false });
      try {
        await ctx.engine.images.pull(image, undefined, ctx.io.signal);
      } catch (e) {
        progress.event({ resource: service.name, status: 'Error', done: true, failed: true });
        throw e;
      }
      progress.event({ resource: service.name, status: 'Pulled', done: true });
    },
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
  };
}

/** The services named on the command line (each must exist), or every enabled one. */
export function selectServices(project: ComposeProject, names: readonly string[]): ServiceConfig[] {
  for (const n of names) if (!project.services[n] && !project.disabledServices[n]) throw new CliError(`no such service: ${n}`);
  return names.length ? names.map((n) => (project.services[n] ?? project.disabledServices[n])!) : Object.values(project.services);
}

function timeoutFlag(ctx: CommandContext): number | undefined {
  return ctx.flags.changed('timeout') ? ctx.flags.int('timeout', 10) : undefined;
}

/** The ports a running container publishes. */
function publishedOf(c: ContainerSummary): PublishedPort[] {
  return (c.ports ?? [])
    .filter((p) => p.PublicPort)
    .map((p) => ({ hostIp: p.IP ?? '0.0.0.0', hostPort: p.PublicPort!, containerPort: p.PrivatePort }));
}

async function runUp(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  if (f.bool('build') && f.bool('no-build')) throw new CliError('--build and --no-build are incompatible');
  if (f.bool('detach') && f.bool('abort-on-container-exit')) throw new CliError('--abort-on-container-exit and --detach are incompatible');
  if (f.bool('force-recreate') && f.bool('no-recreate')) throw new CliError('--force-recreate and --no-recreate are incompatible');
  const project = await loadComposeProject(ctx, { services: ctx.args });
  const names = withDependencies(project, ctx.args);
  const services = startOrder(project, names);
  const progress = new ProgressWriter(ctx.io);
  const runner = new ComposeRunner(ctx.engine, project, hooks(ctx, progress));
  const build = f.bool('build') ? 'always' : f.bool('no-build') ? 'never' : 'missing';
  const known = new Set([...Object.keys(project.services), ...Object.keys(project.disabledServices)]);
  const existing = await projectContainers(ctx.engine, project.name);
  const orphans = existing.filter((c) => !known.has(c.service));
  if (orphans.length && !f.bool('remove-orphans'))
    progress.event({
      resource: '',
      status: `WARN[0000] Found orphan containers ([${orphans.map((c) => c.summary.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
      done: true,
    });
  try {
    await runner.ensureImages(services, { build });
    await runner.ensureNetworks(services);
    await runner.ensureVolumes(services);
    for (const o of f.bool('remove-orphans') ? orphans : []) await runner.removeContainer(o.summary, { stop: true });
    await runner.create(services, { forceRecreate: f.bool('force-recreate'), noRecreate: f.bool('no-recreate') });
    if (f.bool('detach') || f.bool('no-start')) {
      if (!f.bool('no-start')) await runner.start(services);
      await tellPublished(ctx, project, names);
      return 0;
    }
  } catch (e) {
    if (e instanceof EngineError && e.kind === 'cancelled') return 130;
    throw e;
  }
  return foreground(ctx, project, runner, services, progress);
}

/** Tells the page where each published port is shown (its Preview). */
async function tellPublished(ctx: CommandContext, project: ComposeProject, names: string[]): Promise<PublishedPort[]> {
  const ports = (await projectContainers(ctx.engine, project.name))
    .filter((c) => names.includes(c.service) && c.summary.state === 'running')
    .flatMap((c) => publishedOf(c.summary));
  if (ports.length) ctx.io.published?.(ports);
  return ports;
}

/**
 * `up` without `-d`: `Attaching to …`, every container's output with its prefix, `NAME exited with
 * code N` as each ends; done when all have exited, or on Ctrl-C (`Gracefully stopping...`, the
 * services stopped), or at the first exit with `--abort-on-container-exit`.
 */
async function foreground(
  ctx: CommandContext,
  project: ComposeProject,
  runner: ComposeRunner,
  services: ServiceConfig[],
  progress: ProgressWriter,
): Promise<number> {
  const f = ctx.flags;
  const names = services.map((s) => s.name);
  const containers = (await projectContainers(ctx.engine, project.name)).filter((c) => names.includes(c.service));
  const printer = new LogPrinter(ctx.io, { colour: ctx.io.isTTY && !f.bool('no-color'), prefix: !f.bool('no-log-prefix') });
  const label = (c: { service: string; number: number }): string => `${c.service}-${c.number}`;
  for (const c of containers) printer.register(label(c));
  progress.pause();
  const follow = new AbortController();
  const startedAt = Date.now() / 1000;
  const since = startedAt.toFixed(9);
  const interrupted = new Promise<'interrupt'>((resolve) => {
    if (ctx.io.signal?.aborted) resolve('interrupt');
    ctx.io.signal?.addEventListener('abort', () => resolve('interrupt'), { once: true });
  });
  let first: { name: string; code: number } | undefined;
  let unpublish: (() => void) | undefined;
  try {
    await runner.start(services);
    progress.pause();
    ctx.out(`Attaching to ${containers.map(label).join(', ')}\n`);
    const ports = await tellPublished(ctx, project, names);
    if (ctx.io.publish && ports.length) {
      const running = (await projectContainers(ctx.engine, project.name)).filter((c) => names.includes(c.service));
      const stops: (() => void)[] = [];
      for (const c of running) {
        const mine = publishedOf(c.summary);
        if (mine.length) stops.push(await ctx.io.publish(mine, (port) => ctx.engine.containers.dial(c.summary.id, port)));
      }
      unpublish = () => stops.forEach((s) => s());
    }
    const exits = containers.map(async (c) => {
      const name = label(c);
      const logs = ctx.engine.containers
        .logs(c.summary.id, { follow: true, since, signal: follow.signal, onEntry: (e) => printer.write(name, e.data, e.stream) })
        .catch(() => {});
      const code = await ctx.engine.containers.wait(c.summary.id);
      await Promise.race([logs, new Promise((r) => setTimeout(r, 200))]);
      printer.status(name, `exited with code ${code}`);
      first ??= { name, code };
      return code;
    });
    const allDone = Promise.all(exits).then(() => 'done' as const);
    const firstDone = f.bool('abort-on-container-exit') ? Promise.race(exits).then(() => 'abort' as const) : allDone;
    const outcome = await Promise.race([firstDone, interrupted]);
    if (outcome === 'done') return exitCodeFrom(f.string('exit-code-from'), first, 0);
    progress.pause();
    if (outcome === 'abort') ctx.out('Aborting on container exit...\n');
    else ctx.out('Gracefully stopping... (press Ctrl+C again to force)\n');
    // stopping must not be cancelled by the Ctrl-C that asked for it
    const { signal: _interrupted, ...calm } = runner.hooks;
    await new ComposeRunner(ctx.engine, project, calm).stop(names, f.changed('timeout') ? f.int('timeout', 10) : undefined);
    if (outcome === 'interrupt') return 130;
    return exitCodeFrom(f.string('exit-code-from'), first, first?.code ?? 0);
  } catch (e) {
    if (e instanceof EngineError && e.kind === 'cancelled') return 130;
    throw e;
  } finally {
    follow.abort();
    unpublish?.();
  }
}

function exitCodeFrom(service: string | undefined, first: { name: string; code: number } | undefined, fallback: number): number {
  if (!service || !first) return fallback;
  return first.name.startsWith(service + '-') ? first.code : fallback;
}

async function runDown(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const rmi = f.string('rmi');
  if (rmi !== undefined && rmi !== 'local' && rmi !== 'all') throw new CliError(`invalid value for --rmi: ${rmi}`);
  const project = await loadOrNamedProject(ctx);
  const progress = new ProgressWriter(ctx.io);
  const runner = new ComposeRunner(ctx.engine, project, hooks(ctx, progress));
  const timeout = timeoutFlag(ctx);
  await runner.down({
    ...(f.bool('volumes') ? { volumes: true } : {}),
    ...(rmi ? { rmi: rmi as 'local' | 'all' } : {}),
    ...(f.bool('remove-orphans') ? { removeOrphans: true } : {}),
    ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
  });
  return 0;
}

async function runCreate(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const project = await loadComposeProject(ctx, { services: ctx.args });
  const services = startOrder(project, withDependencies(project, ctx.args));
  const progress = new ProgressWriter(ctx.io);
  const runner = new ComposeRunner(ctx.engine, project, hooks(ctx, progress));
  await runner.ensureImages(services, { build: f.bool('build') ? 'always' : f.bool('no-build') ? 'never' : 'missing' });
  await runner.ensureNetworks(services);
  await runner.ensureVolumes(services);
  await runner.create(services, { forceRecreate: f.bool('force-recreate'), noRecreate: f.bool('no-recreate') });
  return 0;
}

async function runStart(ctx: CommandContext): Promise<number> {
  const project = await loadComposeProject(ctx, { services: ctx.args });
  const services = selectServices(project, ctx.args);
  const existing = await projectContainers(ctx.engine, project.name);
  for (const s of services)
    if (!existing.some((c) => c.service === s.name)) throw new CliError(`service "${s.name}" has no container to start`);
  const progress = new ProgressWriter(ctx.io);
  await new ComposeRunner(ctx.engine, project, hooks(ctx, progress)).start(services);
  return 0;
}

async function runStop(ctx: CommandContext): Promise<number> {
  const project = await loadOrNamedProject(ctx);
  selectServices(project, ctx.args);
  const progress = new ProgressWriter(ctx.io);
  await new ComposeRunner(ctx.engine, project, hooks(ctx, progress)).stop(ctx.args, timeoutFlag(ctx));
  return 0;
}

async function runRestart(ctx: CommandContext): Promise<number> {
  const project = await loadComposeProject(ctx);
  const services = selectServices(project, ctx.args);
  const names = services.map((s) => s.name);
  const progress = new ProgressWriter(ctx.io);
  const containers = (await projectContainers(ctx.engine, project.name)).filter((c) => names.includes(c.service));
  const order = startOrder(project, names).map((s) => s.name);
  containers.sort((a, b) => order.indexOf(a.service) - order.indexOf(b.service));
  const timeout = timeoutFlag(ctx);
  for (const c of containers) {
    const resource = `Container ${c.summary.name}`;
    progress.event({ resource, status: 'Restarting', done: false });
    await ctx.engine.containers.restart(c.summary.id, timeout === undefined ? {} : { timeoutSeconds: timeout });
    progress.event({ resource, status: 'Started', done: true });
  }
  return 0;
}

async function runRm(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const project = await loadOrNamedProject(ctx);
  const names = ctx.args;
  selectServices(project, names);
  const progress = new ProgressWriter(ctx.io);
  const runner = new ComposeRunner(ctx.engine, project, hooks(ctx, progress));
  const all = (await projectContainers(ctx.engine, project.name, { oneoff: true })).filter(
    (c) => !names.length || names.includes(c.service),
  );
  if (f.bool('stop')) await runner.stop(names);
  const fresh = (await projectContainers(ctx.engine, project.name, { oneoff: true })).filter((c) =>
    all.some((a) => a.summary.id === c.summary.id),
  );
  const stopped = fresh.filter((c) => c.summary.state !== 'running' && c.summary.state !== 'paused' && c.summary.state !== 'restarting');
  if (stopped.length === 0) {
    ctx.err('No stopped containers\n');
    return 0;
  }
  if (!f.bool('force')) {
    const answer = await readLine(
      ctx.io,
      `Going to remove ${stopped.map((c) => c.summary.name).join(', ')}\n? Are you sure you want to remove them? (y/N) `,
    );
    if (!answer || !/^y(es)?$/i.test(answer.trim())) return 0;
  }
  for (const c of stopped) await runner.removeContainer(c.summary, { ...(f.bool('volumes') ? { volumes: true } : {}) });
  return 0;
}

async function runBuild(ctx: CommandContext): Promise<number> {
  const project = await loadComposeProject(ctx, { services: ctx.args });
  const services = selectServices(project, ctx.args).filter((s) => s.build);
  const progress = new ProgressWriter(ctx.io);
  const h = hooks(ctx, progress);
  for (const s of services) {
    const build = s.build!;
    const args = { ...build.args };
    for (const a of ctx.flags.list('build-arg')) {
      const i = a.indexOf('=');
      if (i > 0) args[a.slice(0, i)] = a.slice(i + 1);
    }
    await h.build({ ...s, build: { ...build, args } }, serviceImage(project, s));
  }
  return 0;
}

async function runPull(ctx: CommandContext): Promise<number> {
  const project = await loadComposeProject(ctx, { services: ctx.args });
  const services = selectServices(project, ctx.args).filter((s) => s.image);
  const progress = new ProgressWriter(ctx.io, 'Pulling');
  const h = hooks(ctx, progress);
  for (const s of services) {
    try {
      await h.pull(s, serviceImage(project, s));
    } catch (e) {
      if (s.build && ctx.flags.bool('ignore-buildable')) continue;
      if (!ctx.flags.bool('ignore-pull-failures')) throw e;
    }
  }
  return 0;
}

const TIMEOUT = { name: 'timeout', short: 't', kind: 'int' as const, usage: 'Specify a shutdown timeout in seconds' };

/** The lifecycle subcommands of `docker compose`. */
export function lifecycleCommands(): Command[] {
  return [
    {
      name: 'up',
      use: 'up [OPTIONS] [SERVICE...]',
      short: 'Create and start containers',
      flags: [
        { name: 'detach', short: 'd', kind: 'bool', usage: 'Detached mode: Run containers in the background' },
        { name: 'build', kind: 'bool', usage: 'Build images before starting containers' },
        { name: 'no-build', kind: 'bool', usage: "Don't build an image, even if it's policy" },
        { name: 'force-recreate', kind: 'bool', usage: "Recreate containers even if their configuration and image haven't changed" },
        {
          name: 'no-recreate',
          kind: 'bool',
          usage: "If containers already exist, don't recreate them. Incompatible with --force-recreate.",
        },
        { name: 'no-start', kind: 'bool', usage: "Don't start the services after creating them" },
        { name: 'abort-on-container-exit', kind: 'bool', usage: 'Stops all containers if any container was stopped. Incompatible with -d' },
        {
          name: 'exit-code-from',
          kind: 'string',
          usage: 'Return the exit code of the selected service container. Implies --abort-on-container-exit',
        },
        { name: 'remove-orphans', kind: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
        { name: 'no-color', kind: 'bool', usage: 'Produce monochrome output' },
        { name: 'no-log-prefix', kind: 'bool', usage: "Don't print prefix in logs" },
        { ...TIMEOUT, usage: 'Use this timeout in seconds for container shutdown when attached or when containers are already running' },
        { name: 'wait', kind: 'bool', usage: 'Wait for services to be running|healthy. Implies detached mode.' },
      ],
      args: { kind: 'any' },
      run: (ctx) => {
        if (ctx.flags.bool('wait')) ctx.flags.values.set('detach', ['true']);
        if (ctx.flags.changed('exit-code-from')) ctx.flags.values.set('abort-on-container-exit', ['true']);
        return runUp(ctx);
      },
    },
    {
      name: 'down',
      use: 'down [OPTIONS] [SERVICES]',
      short: 'Stop and remove containers, networks',
      flags: [
        {
          name: 'volumes',
          short: 'v',
          kind: 'bool',
          usage: 'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers',
        },
        {
          name: 'rmi',
          kind: 'string',
          usage: 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")',
        },
        { name: 'remove-orphans', kind: 'bool', usage: 'Remove containers for services not defined in the Compose file' },
        TIMEOUT,
      ],
      args: { kind: 'none' },
      run: runDown,
    },
    {
      name: 'create',
      use: 'create [OPTIONS] [SERVICE...]',
      short: 'Creates containers for a service',
      flags: [
        { name: 'build', kind: 'bool', usage: 'Build images before starting containers' },
        { name: 'no-build', kind: 'bool', usage: "Don't build an image, even if it's policy" },
        { name: 'force-recreate', kind: 'bool', usage: "Recreate containers even if their configuration and image haven't changed" },
        {
          name: 'no-recreate',
          kind: 'bool',
          usage: "If containers already exist, don't recreate them. Incompatible with --force-recreate.",
        },
      ],
      args: { kind: 'any' },
      run: runCreate,
    },
    { name: 'start', use: 'start [SERVICE...]', short: 'Start services', args: { kind: 'any' }, run: runStart },
    { name: 'stop', use: 'stop [OPTIONS] [SERVICE...]', short: 'Stop services', flags: [TIMEOUT], args: { kind: 'any' }, run: runStop },
    {
      name: 'restart',
      use: 'restart [OPTIONS] [SERVICE...]',
      short: 'Restart service containers',
      flags: [TIMEOUT],
      args: { kind: 'any' },
      run: runRestart,
    },
    {
      name: 'rm',
      use: 'rm [OPTIONS] [SERVICE...]',
      short: 'Removes stopped service containers',
      long: `Removes stopped service containers

By default, anonymous volumes attached to containers will not be removed. You
can override this with -v. To list all volumes, use "docker volume ls".

Any data which is not in a volume will be lost.`,
      flags: [
        { name: 'force', short: 'f', kind: 'bool', usage: "Don't ask to confirm removal" },
        { name: 'stop', short: 's', kind: 'bool', usage: 'Stop the containers, if required, before removing' },
        { name: 'volumes', short: 'v', kind: 'bool', usage: 'Remove any anonymous volumes attached to containers' },
      ],
      args: { kind: 'any' },
      run: runRm,
    },
    {
      name: 'build',
      use: 'build [OPTIONS] [SERVICE...]',
      short: 'Build or rebuild services',
      flags: [{ name: 'build-arg', kind: 'stringArray', usage: 'Set build-time variables for services' }],
      args: { kind: 'any' },
      run: runBuild,
    },
    {
      name: 'pull',
      use: 'pull [OPTIONS] [SERVICE...]',
      short: 'Pull service images',
      flags: [
        { name: 'ignore-pull-failures', kind: 'bool', usage: 'Pull what it can and ignores images with pull failures' },
        { name: 'ignore-buildable', kind: 'bool', usage: 'Ignore images that can be built' },
        { name: 'quiet', short: 'q', kind: 'bool', usage: 'Pull without printing progress information' },
      ],
      args: { kind: 'any' },
      run: runPull,
    },
  ];
}
