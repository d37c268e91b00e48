/**
 * `docker builder` and `docker buildx`: the same one builder as `docker build` (BuildKit's words,
 * LayerLab's engine), and `prune` for its cache.
 */
import { type Command, type CommandContext } from './command.ts';
import { buildCommand } from './build.ts';
import { unsupportedFlag } from './common.ts';
import { PRUNE_FLAGS, runPrune } from './prune.ts';

function runBuilderPrune(ctx: CommandContext): Promise<number> {
  const all = ctx.flags.bool('all');
  const warning = `WARNING! This will remove all${all ? '' : ' dangling'} build cache. Are you sure you want to continue?`;
  return runPrune(ctx, warning, async (report) => {
    const r = await ctx.engine.buildCache.prune();
    report('Deleted build cache objects', r.deleted, r.spaceReclaimed);
  });
}

function pruneCommand(): Command {
  return {
    name: 'prune',
    use: 'prune',
    short: 'Remove build cache',
    flags: [
      { name: 'all', short: 'a', kind: 'bool', usage: 'Remove all unused build cache, not just dangling ones' },
      ...PRUNE_FLAGS,
      unsupportedFlag('keep-storage', 'the build cache has no size limit to keep'),
    ],
    args: { kind: 'none' },
    run: runBuilderPrune,
  };
}

/** `docker builder`: build and prune. */
export function builderCommand(): Command {
  return {
    name: 'builder',
    use: 'builder COMMAND',
    short: 'Manage builds',
    args: { kind: 'none' },
    subcommands: [
      { ...buildCommand(), top: undefined, aliasesText: 'docker buildx build, docker buildx b, docker builder build' },
      pruneCommand(),
    ],
  };
}

/** `docker buildx`: build (and `b`) and prune, on the same builder. */
export function buildxCommand(): Command {
  return {
    name: 'buildx',
    use: 'buildx COMMAND',
    short: 'Docker Buildx',
    args: { kind: 'none' },
    subcommands: [
      { ...buildCommand(), top: undefined, aliases: ['b'], aliasesText: 'docker buildx build, docker buildx b, docker builder build' },
      pruneCommand(),
    ],
  };
}
