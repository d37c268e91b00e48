/**
 * `docker compose`: the management command and its subcommands. Compose's project flags (`-f`,
 * `-p`, …) are cobra persistent flags: they may come before the subcommand
 * (`docker compose -f x.yaml up`) or after it (`docker compose up -p demo`), so each subcommand
 * takes them too (not listed in its help), and `docker compose -f x.yaml up` is dispatched here.
 */
import {
  buildTree,
  checkArgs,
  CliError,
  commandPath,
  findChild,
  helpText,
  StatusError,
  type Command,
  type CommandContext,
} from '../command.ts';
import { FlagError, parseFlags } from '../flags.ts';
import { execCommands } from './exec.ts';
import { infoCommands } from './info.ts';
import { lifecycleCommands } from './lifecycle.ts';
import { PROJECT_FLAGS } from './project.ts';

/** `docker compose -f x.yaml up -d`: the subcommand after the project flags, run with both. */
async function dispatch(ctx: CommandContext): Promise<number> {
  const [name = '', ...rest] = ctx.args;
  const node = findChild(ctx.node, name);
  if (!node) throw new CliError(`unknown docker command: "compose ${name}"`);
  let flags;
  try {
    flags = parseFlags(rest, node.cmd.flags ?? [], { interspersed: node.cmd.interspersed ?? true });
  } catch (e) {
    if (e instanceof FlagError) throw new StatusError(1, `${e.message}\nSee '${commandPath(node)} --help'.`);
    throw e;
  }
  if (flags.help) {
    ctx.out(helpText(node, ctx.io.columns || 80));
    return 0;
  }
  for (const [k, v] of ctx.flags.values) if (!flags.values.has(k)) flags.values.set(k, v);
  const argsError = checkArgs(node, flags.args.length, ctx.io.columns || 80);
  if (argsError !== undefined) throw new CliError(argsError);
  return node.cmd.run!({ ...ctx, flags, args: flags.args, node, path: commandPath(node) });
}

/** `docker compose` with every subcommand LayerLab implements. */
export function composeCommand(): Command {
  const hidden = PROJECT_FLAGS.map((f) => ({ ...f, hidden: true }));
  const subcommands = [...lifecycleCommands(), ...infoCommands(), ...execCommands()].map((c) => ({
    ...c,
    flags: [...(c.flags ?? []), ...hidden],
  }));
  return {
    name: 'compose',
    use: 'compose [OPTIONS] COMMAND',
    short: 'Docker Compose',
    long: 'Define and run multi-container applications with Docker',
    flags: PROJECT_FLAGS,
    interspersed: false,
    args: { kind: 'any' },
    subcommands,
    run: dispatch,
  };
}

/** The compose command's node tree (for tests). */
export function composeTree(): ReturnType<typeof buildTree> {
  return buildTree(composeCommand());
}
