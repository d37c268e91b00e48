/**
 * docker/cli's prune flow, shared by `container`, `image`, `volume` and `system prune`: ask
 * (unless `--force`), prune kind by kind printing each kind's deletions, then the total reclaimed.
 */
import { readLine } from './attach.ts';
import { CliError, type CommandContext } from './command.ts';
import { unsupportedFlag } from './common.ts';
import type { FlagDef } from './flags.ts';
import { humanSize4 } from './format.ts';

/** The flags every prune command has: `--filter` (refused) and `-f, --force`. */
export const PRUNE_FLAGS: FlagDef[] = [
  unsupportedFlag('filter', 'prune filters are not available'),
  { name: 'force', short: 'f', kind: 'bool', usage: 'Do not prompt for confirmation' },
];

/** Prints one kind's deletions under `title` and counts the space they freed. */
export type PruneReporter = (title: string, deleted: readonly string[], spaceReclaimed: number) => void;

/** Asks `warning` (unless `--force`); on yes runs `prune`, which reports each kind; ends with the total. */
export async function runPrune(ctx: CommandContext, warning: string, prune: (report: PruneReporter) => Promise<void>): Promise<number> {
  if (!(await confirm(ctx, warning, ctx.flags.bool('force')))) return 0;
  let reclaimed = 0;
  await prune((title, deleted, bytes) => {
    reclaimed += bytes;
    ctx.out(deletedSection(title, deleted));
  });
  ctx.out(reclaimedLine(reclaimed));
  return 0;
}

/** Asks `warning [y/N]` unless `force`; false means the user said no (or could not answer). */
export async function confirm(ctx: CommandContext, warning: string, force: boolean): Promise<boolean> {
  if (force) return true;
  const answer = await readLine(ctx.io, `${warning} [y/N] `);
  if (answer === undefined) {
    ctx.err('\n');
    throw new CliError('Error: cannot ask for confirmation: no input available; use -f/--force to skip the prompt');
  }
  return answer !== null && answer.trim().toLowerCase() === 'y';
}

/** A prune's `Deleted Containers:` section (one line per item, then a blank line), or '' when nothing went. */
export function deletedSection(title: string, lines: readonly string[]): string {
  return lines.length > 0 ? `${title}:\n${lines.map((l) => `${l}\n`).join('')}\n` : '';
}

/** The `Total reclaimed space: 1.2MB` line that ends a prune. */
export function reclaimedLine(bytes: number): string {
  return `Total reclaimed space: ${humanSize4(bytes)}\n`;
}
