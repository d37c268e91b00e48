/** `docker exec` (a new process in a running container) and `docker attach` (its main process), attached as docker/cli attaches them. */
import { attachProcess } from './attach.ts';
import { CliError, StatusError, type Command, type CommandContext } from './command.ts';
import { errorText, unsupportedFlag } from './common.ts';
import { startErrorStatus } from './container-run.ts';

/**
 * `-e` values as docker/cli reads them: `NAME=value` as given, a bare `NAME` from the client's
 * environment (left out when it has none), `=value` refused.
 */
export function execEnv(values: readonly string[], environment: Readonly<Record<string, string>> = {}): string[] {
  const env: string[] = [];
  for (const e of values) {
    const i = e.indexOf('=');
    if (i === 0) throw new CliError(`invalid environment variable: ${e}`);
    if (i > 0) env.push(e);
    else if (environment[e] !== undefined) env.push(`${e}=${environment[e]}`);
  }
  return env;
}

async function runExec(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const [name = '', ...cmd] = ctx.args;
  const tty = f.bool('tty');
  const interactive = f.bool('interactive');
  const detach = f.bool('detach');
  const info = await ctx.engine.containers.inspect(name);
  if (!detach && tty && interactive && !ctx.io.isTTY) throw new CliError('the input device is not a TTY');
  const env = execEnv(f.list('env'), ctx.io.environment);
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
      unsupportedFlag('privileged', "an exec has its container's privileges: start the container with --privileged", undefined, 'bool'),
      unsupportedFlag('env-file', 'there are no local files to read it from; use -e NAME=value'),
      unsupportedFlag('detach-keys', 'the detach keys are always ctrl-p,ctrl-q'),
    ],
    interspersed: false,
    args: { kind: 'min', n: 2 },
    complete: ['container-running', 'command', 'none'],
    run: runExec,
  };
}

async function runAttach(ctx: CommandContext): Promise<number> {
  const name = ctx.args[0]!;
  const info = await ctx.engine.containers.inspect(name);
  const stdin = !ctx.flags.bool('no-stdin') && info.Config.OpenStdin;
  if (stdin && info.Config.Tty && !ctx.io.isTTY) throw new CliError('the input device is not a TTY');
  const proc = await ctx.engine.containers.attach(name);
  if (info.Config.Tty && ctx.io.isTTY) proc.resize(ctx.io.rows, ctx.io.columns);
  const result = await attachProcess(proc, ctx.io, { tty: info.Config.Tty, stdin, sigProxy: ctx.flags.bool('sig-proxy', true) });
  return result.kind === 'exit' ? result.code : 0;
}

/** `docker attach` / `docker container attach`: the terminal to a running container's main process. */
export function attachCommand(): Command {
  return {
    name: 'attach',
    use: 'attach [OPTIONS] CONTAINER',
    short: 'Attach local standard input, output, and error streams to a running container',
    aliasesText: 'docker container attach, docker attach',
    flags: [
      { name: 'no-stdin', kind: 'bool', usage: 'Do not attach STDIN' },
      { name: 'sig-proxy', kind: 'bool', usage: 'Proxy all received signals to the process', defValue: 'true' },
      unsupportedFlag('detach-keys', 'the detach keys are always ctrl-p,ctrl-q'),
    ],
    args: { kind: 'exact', n: 1 },
    complete: ['container-running'],
    run: runAttach,
  };
}
