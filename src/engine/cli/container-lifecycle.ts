/**
 * Container lifecycle commands: start, stop, restart, kill, rm, wait and container prune, with
 * docker/cli's flags, output and exit statuses.
 */
import type { ContainerUpdate } from '../api.ts';
import { NotFoundError } from '../errors.ts';
import { cpuOptions, parseRestartPolicy } from './container-options.ts';
import { attachProcess } from './attach.ts';
import { CliError, StatusError, type Command, type CommandContext } from './command.ts';
import { errorText, forEachTarget, unsupportedFlag } from './common.ts';
import type { FlagDef } from './flags.ts';
import { PRUNE_FLAGS, runPrune } from './prune.ts';

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

function runContainerPrune(ctx: CommandContext): Promise<number> {
  return runPrune(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?', async (report) => {
    const r = await ctx.engine.containers.prune();
    report('Deleted Containers', r.deleted, r.spaceReclaimed);
  });
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

/** `docker rename`. */
export function renameCommand(): Command {
  return {
    name: 'rename',
    use: 'rename CONTAINER NEW_NAME',
    short: 'Rename a container',
    aliasesText: 'docker container rename, docker rename',
    flags: [],
    args: { kind: 'exact', n: 2 },
    complete: ['container'],
    run: async (ctx) => {
      await ctx.engine.containers.rename(ctx.args[0]!, ctx.args[1]!);
      return 0;
    },
  };
}

/** `docker pause`. */
export function pauseCommand(): Command {
  return {
    name: 'pause',
    use: 'pause CONTAINER [CONTAINER...]',
    short: 'Pause all processes within one or more containers',
    aliasesText: 'docker container pause, docker pause',
    flags: [],
    args: { kind: 'min', n: 1 },
    complete: ['container-running'],
    run: (ctx) => forEachTarget(ctx, ctx.args, (n) => ctx.engine.containers.pause(n)),
  };
}

/** `docker unpause`. */
export function unpauseCommand(): Command {
  return {
    name: 'unpause',
    use: 'unpause CONTAINER [CONTAINER...]',
    short: 'Unpause all processes within one or more containers',
    aliasesText: 'docker container unpause, docker unpause',
    flags: [],
    args: { kind: 'min', n: 1 },
    complete: ['container-running'],
    run: (ctx) => forEachTarget(ctx, ctx.args, (n) => ctx.engine.containers.unpause(n)),
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
    flags: PRUNE_FLAGS,
    args: { kind: 'none' },
    run: runContainerPrune,
  };
}

/** `docker update`: the limits and restart policy LayerLab's machine can change on a container. */
export function updateCommand(): Command {
  const cpu = 'use --cpus, which sets the same CFS quota';
  return {
    name: 'update',
    use: 'update [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Update configuration of one or more containers',
    aliasesText: 'docker container update, docker update',
    flags: [
      { name: 'memory', short: 'm', kind: 'bytes', usage: 'Memory limit' },
      { name: 'pids-limit', kind: 'int', usage: 'Tune container pids limit (set -1 for unlimited)' },
      { name: 'restart', kind: 'string', usage: 'Restart policy to apply when a container exits' },
      { name: 'cpu-shares', short: 'c', kind: 'int', usage: 'CPU shares (relative weight)' },
      { name: 'cpus', kind: 'string', typeName: 'decimal', usage: 'Number of CPUs' },
      unsupportedFlag('cpu-period', cpu),
      unsupportedFlag('cpu-quota', cpu),
      unsupportedFlag('cpuset-cpus', 'the machine has one CPU'),
      unsupportedFlag('memory-swap', 'the machine has no swap'),
      unsupportedFlag('memory-reservation', 'memory reservations are not available'),
      unsupportedFlag('blkio-weight', 'block I/O limits are not available'),
    ],
    args: { kind: 'min', n: 1 },
    complete: ['container'],
    run: async (ctx) => {
      const f = ctx.flags;
      const update: ContainerUpdate = {};
      if (f.changed('memory')) update.memory = f.int('memory', 0);
      if (f.changed('pids-limit')) update.pidsLimit = f.int('pids-limit', 0);
      Object.assign(update, cpuOptions(f));
      if (f.changed('restart'))
        update.restartPolicy = parseRestartPolicy(f.string('restart') ?? '') ?? { Name: 'no', MaximumRetryCount: 0 };
      if (Object.keys(update).length === 0) throw new CliError('you must provide one or more flags when using this command');
      return forEachTarget(ctx, ctx.args, (n) => ctx.engine.containers.update(n, update));
    },
  };
}
