/**
 * `docker run` and `docker create`: pulling a missing image first (Docker's `--pull missing`),
 * attaching to the process, and docker/cli's error reports and exit statuses (125, 126, 127).
 */
import type { CreateContainerOptions } from '../api.ts';
import { NotFoundError } from '../errors.ts';
import { attachProcess } from './attach.ts';
import { progressDisplay } from './progress-display.ts';
import { CliError, type Command, type CommandContext } from './command.ts';
import { errorText } from './common.ts';
import { addFileOptions, CREATE_FLAGS, createOptions, RUN_FLAGS, validatePull } from './container-options.ts';
import { FlagError } from './flags.ts';
import { familiarTagged, isFullImageId } from './reference.ts';
import type { PublishedPort } from './io.ts';

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
  await ctx.engine.images.pull(ref, quiet ? undefined : progressDisplay((t) => ctx.err(t), ctx.io), ctx.io.signal);
}

/** Creates a container, pulling the image first when it is missing (Docker's `--pull missing`). */
async function createContainer(ctx: CommandContext, opts: CreateContainerOptions, pull: string, quiet: boolean): Promise<string> {
  if (pull === 'always') await pullForCreate(ctx, opts.image, quiet);
  let res: { id: string; warnings: string[] };
  try {
    res = await ctx.engine.containers.create(opts);
  } catch (e) {
    if (!(e instanceof NotFoundError) || !e.message.startsWith('No such image') || pull !== 'missing' || isFullImageId(opts.image)) throw e;
    if (!quiet) ctx.err(`Unable to find image '${familiarTagged(opts.image)}' locally\n`);
    await pullForCreate(ctx, opts.image, quiet);
    res = await ctx.engine.containers.create(opts);
  }
  for (const w of res.warnings) ctx.err(`WARNING: ${w}\n`);
  return res.id;
}

async function runRun(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  let opts: CreateContainerOptions;
  const pull = f.string('pull') ?? 'missing';
  try {
    validatePull(pull);
    opts = createOptions(f, ctx.args, ctx.io.hostFS?.cwd);
    await addFileOptions(f, ctx.io, opts);
  } catch (e) {
    // a flag's value docker/cli refuses while parsing flags: its words, without "docker:"
    if (e instanceof FlagError) {
      ctx.err(`${e.message}\nSee 'docker run --help'.\n`);
      return 125;
    }
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
    if (ctx.io.published) {
      const ports = await publishedPorts(ctx, id);
      if (ports.length) ctx.io.published(ports);
    }
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
  const unpublish = await publishPorts(ctx, id);
  try {
    const result = await attachProcess(proc, ctx.io, { tty, stdin: interactive, sigProxy: f.bool('sig-proxy', true) });
    return result.kind === 'exit' ? result.code : 0;
  } finally {
    unpublish();
  }
}

/** The ports a started container publishes. */
async function publishedPorts(ctx: CommandContext, id: string): Promise<PublishedPort[]> {
  const inspect = await ctx.engine.containers.inspect(id);
  const ports: PublishedPort[] = [];
  for (const [key, list] of Object.entries(inspect.NetworkSettings.Ports))
    for (const b of list ?? []) ports.push({ hostIp: b.HostIp, hostPort: Number(b.HostPort), containerPort: Number(key.split('/')[0]) });
  return ports;
}

/** Serves the container's published ports on the host while it runs in the foreground (where the host can). */
async function publishPorts(ctx: CommandContext, id: string): Promise<() => void> {
  if (!ctx.io.publish && !ctx.io.published) return () => {};
  const ports = await publishedPorts(ctx, id);
  if (ports.length === 0) return () => {};
  ctx.io.published?.(ports);
  if (!ctx.io.publish) return () => {};
  return ctx.io.publish(ports, (port) => ctx.engine.containers.dial(id, port));
}

async function runCreate(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  let opts: CreateContainerOptions;
  const pull = f.string('pull') ?? 'missing';
  try {
    validatePull(pull);
    opts = createOptions(f, ctx.args, ctx.io.hostFS?.cwd);
    await addFileOptions(f, ctx.io, opts);
  } catch (e) {
    // a flag's value docker/cli refuses while parsing flags: its words, without "docker:"
    if (e instanceof FlagError) {
      ctx.err(`${e.message}\nSee 'docker create --help'.\n`);
      return 125;
    }
    reportError(ctx, 'create', errorText(e), true);
    return 125;
  }
  const id = await createContainer(ctx, opts, pull, f.bool('quiet'));
  ctx.out(id + '\n');
  return 0;
}

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
