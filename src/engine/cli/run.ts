/**
 * `runDocker(argv, io, engine)`: the `docker` command line over LayerLab's engine, used by the
 * browser terminal and by `npx layerlab docker …`. Dispatch, help, and exit statuses follow
 * docker/cli: 0 ok; 1 for daemon and client errors; 125 for flag errors (and `docker run`'s own
 * failures); `docker run`/`start -a`/`exec` return the process's exit status.
 */
import type { DockerEngine } from '../api.ts';
import { EngineError } from '../errors.ts';
import {
  checkArgs,
  CliError,
  commandPath,
  findChild,
  helpText,
  StatusError,
  usageString,
  type CommandContext,
  type CommandNode,
} from './command.ts';
import { errorText } from './common.ts';
import { FlagError, parseFlags, type ParsedFlags } from './flags.ts';
import type { CliIO } from './io.ts';
import { CLI_VERSION } from './system.ts';
import { dockerTree } from './tree.ts';

export type { CliIO } from './io.ts';

function hasSubcommands(node: CommandNode): boolean {
  return node.children.some((c) => !c.cmd.hidden);
}

/** docker/cli's FlagErrorFunc: the error, `See 'docker ps --help'.`, and the usage for management commands. */
function flagError(node: CommandNode, e: FlagError, cols: number): StatusError {
  const usage = hasSubcommands(node) ? '\n\n' + usageString(node, cols) : '';
  return new StatusError(125, `${e.message}\nSee '${commandPath(node)} --help'.${usage}`);
}

function parse(node: CommandNode, argv: string[], cols: number): ParsedFlags {
  try {
    // the root stops at the first word (the command), like docker/cli's global flag parsing
    const interspersed = node.parent ? (node.cmd.interspersed ?? true) : false;
    return parseFlags(argv, node.cmd.flags ?? [], { interspersed });
  } catch (e) {
    if (e instanceof FlagError) throw flagError(node, e, cols);
    throw e;
  }
}

/** Finds the command named by the leading words of `args`; returns it and the remaining words. */
export function resolveCommand(root: CommandNode, args: string[]): { node: CommandNode; rest: string[] } {
  let node = root;
  let i = 0;
  while (i < args.length && hasSubcommands(node)) {
    const child = findChild(node, args[i] ?? '');
    if (!child) break;
    node = child;
    i++;
  }
  return { node, rest: args.slice(i) };
}

async function dispatch(argv: string[], io: CliIO, engine: DockerEngine, cols: number): Promise<number> {
  const root = dockerTree();
  const rootFlags = parse(root, argv, cols);
  const args = rootFlags.args;
  if (rootFlags.help) {
    const { node } = resolveCommand(root, args);
    io.stdout(helpText(node, cols));
    return 0;
  }
  if (rootFlags.bool('version')) {
    io.stdout(`Docker version ${CLI_VERSION}-layerlab, build layerlab\n`);
    return 0;
  }
  if (args.length === 0) {
    io.stderr(helpText(root, cols));
    return 0;
  }
  if (args[0] === 'help') {
    const { node, rest } = resolveCommand(root, args.slice(1));
    if (rest.length > 0) throw new CliError(`unknown help topic: ${args.slice(1).join(' ')}`);
    io.stdout(helpText(node, cols));
    return 0;
  }
  const { node, rest } = resolveCommand(root, args);
  if (node === root) throw new CliError(`docker: '${args[0] ?? ''}' is not a docker command.\nSee 'docker --help'`);
  const flags = parse(node, rest, cols);
  if (flags.help) {
    io.stdout(helpText(node, cols));
    return 0;
  }
  if (hasSubcommands(node) && flags.args.length === 0) {
    io.stderr(helpText(node, cols));
    return 0;
  }
  const argsError = checkArgs(node, flags.args.length, cols);
  if (argsError !== undefined) throw new CliError(argsError);
  const run = node.cmd.run;
  if (!run) {
    io.stderr(helpText(node, cols));
    return 0;
  }
  const now = io.now ? io.now.bind(io) : (): Date => new Date();
  const ctx: CommandContext = {
    io,
    engine,
    flags,
    args: flags.args,
    path: commandPath(node),
    node,
    now,
    out: (t) => io.stdout(t),
    err: (t) => io.stderr(t),
  };
  return run(ctx);
}

/** Runs one `docker …` command line (argv without the word `docker`) and resolves with its exit status. */
export async function runDocker(argv: string[], io: CliIO, engine: DockerEngine): Promise<number> {
  const cols = io.columns > 0 ? io.columns : 80;
  try {
    return await dispatch(argv, io, engine, cols);
  } catch (e) {
    if (e instanceof StatusError) {
      if (e.message) io.stderr(e.message + '\n');
      return e.status === 0 ? 1 : e.status;
    }
    if (e instanceof CliError) {
      io.stderr(e.message + '\n');
      return e.status;
    }
    if ((e instanceof EngineError && e.kind === 'cancelled') || io.signal?.aborted) return 130;
    io.stderr(errorText(e) + '\n');
    return 1;
  }
}
