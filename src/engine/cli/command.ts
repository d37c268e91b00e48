/**
 * The command tree: each command's name, usage line, description, flags and argument rule, and
 * cobra's usage/help templates as docker/cli sets them up (`Usage:`, `Aliases:`, `Options:`,
 * `Commands:`), plus docker/cli's argument-count errors.
 */
import type { DockerEngine } from '../api.ts';
import { flagUsages, type FlagDef, type ParsedFlags } from './flags.ts';
import type { CliIO } from './io.ts';

/** How many positional arguments a command takes (docker/cli's `cli.NoArgs`, `RequiresMinArgs`...). */
export type ArgsRule =
  | { kind: 'any' }
  | { kind: 'none' }
  | { kind: 'min'; n: number }
  | { kind: 'max'; n: number }
  | { kind: 'exact'; n: number }
  | { kind: 'range'; min: number; max: number };

/** What tab completion offers for a positional argument. */
export type Completion =
  | 'container'
  | 'container-running'
  | 'container-stopped'
  | 'container-path'
  | 'image'
  | 'image-remote'
  | 'volume'
  | 'network'
  | 'object'
  | 'command'
  | 'none';

/** Everything a command's implementation gets. */
export interface CommandContext {
  io: CliIO;
  engine: DockerEngine;
  flags: ParsedFlags;
  args: string[];
  /** `docker container ls`. */
  path: string;
  node: CommandNode;
  /** The current time. */
  now(): Date;
  /** Writes to stdout. */
  out(text: string | Uint8Array): void;
  /** Writes to stderr. */
  err(text: string | Uint8Array): void;
}

/** One command (leaf) or management command (with subcommands). */
export interface Command {
  name: string;
  /** Other names cobra accepts (`ls` has `list`, `ps`). */
  aliases?: string[];
  /** Cobra's Use: `ps [OPTIONS]`. */
  use: string;
  short: string;
  long?: string;
  /** docker/cli's "aliases" annotation (shown under `Aliases:`). */
  aliasesText?: string;
  /** Position in the root help's "Common Commands" (docker/cli's category-top). */
  top?: number;
  hidden?: boolean;
  flags?: FlagDef[];
  /** False for `run`, `create`, `exec`: flags stop at the first positional. */
  interspersed?: boolean;
  args?: ArgsRule;
  /** Completion for positional arguments by index (a kind or fixed words); the last entry repeats. */
  complete?: (Completion | string[])[];
  /** Completion of flag values by long flag name. */
  completeFlags?: Record<string, Completion | string[]>;
  run?(ctx: CommandContext): Promise<number>;
  subcommands?: Command[];
}

/** A command placed in the tree. */
export interface CommandNode {
  cmd: Command;
  parent?: CommandNode;
  children: CommandNode[];
}

/** A client-side failure printed as-is (exit status 1 unless given). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly status = 1,
  ) {
    super(message);
  }
}

/** An exit status with an optional message already worded for stderr (docker/cli's StatusError). */
export class StatusError extends Error {
  override name = 'StatusError';
  constructor(
    readonly status: number,
    message = '',
  ) {
    super(message);
  }
}

/** Builds the node tree under `cmd`. */
export function buildTree(cmd: Command, parent?: CommandNode): CommandNode {
  const node: CommandNode = { cmd, children: [] };
  if (parent) node.parent = parent;
  node.children = (cmd.subcommands ?? []).map((c) => buildTree(c, node));
  return node;
}

/** Finds the child named `name` (or with that alias). */
export function findChild(node: CommandNode, name: string): CommandNode | undefined {
  return node.children.find((c) => c.cmd.name === name || (c.cmd.aliases ?? []).includes(name));
}

/** `docker container ls`. */
export function commandPath(node: CommandNode): string {
  return node.parent ? `${commandPath(node.parent)} ${node.cmd.name}` : node.cmd.name;
}

/** Cobra's UseLine: the parent path and the Use text (`docker ps [OPTIONS]`). */
export function useLine(node: CommandNode): string {
  return node.parent ? `${commandPath(node.parent)} ${node.cmd.use}` : node.cmd.use;
}

function hasSubcommands(node: CommandNode): boolean {
  return node.children.some((c) => !c.cmd.hidden);
}

function visibleFlags(node: CommandNode): FlagDef[] {
  return (node.cmd.flags ?? []).filter((f) => !f.hidden && !f.unsupported);
}

function namePadding(node: CommandNode): number {
  const max = Math.max(0, ...(node.parent?.children ?? []).map((c) => c.cmd.name.length));
  return Math.max(11, max);
}

function byName(a: CommandNode, b: CommandNode): number {
  return a.cmd.name < b.cmd.name ? -1 : a.cmd.name > b.cmd.name ? 1 : 0;
}

function rpad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Root-level extra help line (docker/cli's additionalHelp annotation). */
const ADDITIONAL_HELP = 'For more help on how to use Docker, head to https://docs.docker.com/go/guides/';

/** Cobra's UsageString with docker/cli's template; `cols` is the terminal width (flags wrap at cols - 1). */
export function usageString(node: CommandNode, cols = 80): string {
  const cmd = node.cmd;
  const sub = hasSubcommands(node);
  const flags = visibleFlags(node);
  let s = 'Usage:';
  if (!sub) s += '  ' + useLine(node);
  else s += '  ' + commandPath(node) + (flags.length > 0 ? ' [OPTIONS]' : '') + ' COMMAND';
  s += '\n\n' + (cmd.long ?? cmd.short).trim();
  if (cmd.aliasesText || (cmd.aliases && cmd.aliases.length > 0)) {
    let text = cmd.aliasesText;
    if (!text) {
      const parentPath = node.parent ? commandPath(node.parent) + ' ' : '';
      text = [commandPath(node), ...(cmd.aliases ?? []).map((a) => parentPath + a)].join(', ');
    }
    s += '\n\nAliases:\n  ' + text;
  }
  const width = cols > 1 ? cols - 1 : 79;
  if (node.parent && flags.length > 0) s += '\n\nOptions:\n' + flagUsages(flags, width).trimEnd();
  const visible = node.children.filter((c) => !c.cmd.hidden);
  if (!node.parent) {
    const top = visible.filter((c) => c.cmd.top !== undefined).sort((a, b) => (a.cmd.top ?? 0) - (b.cmd.top ?? 0));
    if (top.length > 0) {
      s += '\n\nCommon Commands:';
      for (const c of top) s += '\n  ' + rpad(c.cmd.name + ' ', namePadding(c) + 1) + c.cmd.short;
    }
  }
  const management = visible.filter((c) => hasSubcommands(c)).sort(byName);
  if (management.length > 0) {
    s += '\n\nManagement Commands:';
    for (const c of management) s += '\n  ' + rpad(c.cmd.name + ' ', namePadding(c) + 1) + c.cmd.short;
  }
  const operations = visible.filter((c) => !hasSubcommands(c) && (node.parent || c.cmd.top === undefined)).sort(byName);
  if (operations.length > 0) {
    s += '\n\nCommands:';
    for (const c of operations) s += '\n  ' + rpad(c.cmd.name, namePadding(c)) + ' ' + c.cmd.short;
  }
  if (!node.parent && flags.length > 0) s += '\n\nGlobal Options:\n' + flagUsages(flags, width).trimEnd();
  if (sub) s += `\n\nRun '${commandPath(node)} COMMAND --help' for more information on a command.`;
  if (!node.parent) s += '\n\n' + ADDITIONAL_HELP;
  return s + '\n';
}

/** What `docker X --help` prints: a blank line, then the usage. */
export function helpText(node: CommandNode, cols = 80): string {
  return '\n' + usageString(node, cols);
}

function plural(word: string, n: number): string {
  return n === 1 ? word : word + 's';
}

/** docker/cli's argument-count error for `node`, or undefined when `count` fits its rule. */
export function checkArgs(node: CommandNode, count: number, cols = 80): string | undefined {
  const rule = node.cmd.args ?? { kind: 'any' };
  const path = commandPath(node);
  const tail = `.\nSee '${path} --help'.\n\nUsage:  ${useLine(node)}\n\n${node.cmd.short}`;
  switch (rule.kind) {
    case 'any':
      return undefined;
    case 'none':
      if (count === 0) return undefined;
      if (hasSubcommands(node)) return '\n' + usageString(node, cols).trimEnd();
      return `"${path}" accepts no arguments${tail}`;
    case 'min':
      return count >= rule.n ? undefined : `"${path}" requires at least ${rule.n} ${plural('argument', rule.n)}${tail}`;
    case 'max':
      return count <= rule.n ? undefined : `"${path}" requires at most ${rule.n} ${plural('argument', rule.n)}${tail}`;
    case 'exact':
      return count === rule.n ? undefined : `"${path}" requires exactly ${rule.n} ${plural('argument', rule.n)}${tail}`;
    case 'range':
      return count >= rule.min && count <= rule.max
        ? undefined
        : `"${path}" requires at least ${rule.min} and at most ${rule.max} ${plural('argument', rule.max)}${tail}`;
  }
}
