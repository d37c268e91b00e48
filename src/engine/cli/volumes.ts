/**
 * `docker volume create|ls|inspect|rm|prune` with docker/cli's flags and output.
 */
import type { VolumeInfo } from '../api.ts';
import { CliError, type Command, type CommandContext } from './command.ts';
import {
  inspectEach,
  checkFilters,
  FORMAT_FLAG,
  forEachTarget,
  INSPECT_FORMAT_FLAG,
  labelMatches,
  parseFilters,
  unsupportedFlag,
} from './common.ts';
import { PRUNE_FLAGS, runPrune } from './prune.ts';
import { formatVolumes } from './tables.ts';

async function runVolumeCreate(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const driver = f.string('driver') ?? 'local';
  if (driver !== 'local')
    throw new CliError(`Error response from daemon: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  let name = ctx.args[0];
  const flagName = f.string('name');
  if (flagName !== undefined) {
    if (name !== undefined && name !== flagName) {
      throw new CliError(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`);
    }
    name = flagName;
  }
  const labels: Record<string, string> = {};
  for (const l of f.list('label')) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  const v = await ctx.engine.volumes.create(name, Object.keys(labels).length > 0 ? labels : undefined);
  ctx.out(v.Name + '\n');
  return 0;
}

async function usedVolumes(ctx: CommandContext): Promise<Set<string>> {
  const containers = await ctx.engine.containers.list({ all: true });
  return new Set(containers.flatMap((c) => c.mounts.filter((m) => m.Type === 'volume').map((m) => m.Name)));
}

async function runVolumeLs(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const filters = parseFilters(f.list('filter'));
  checkFilters(filters, ['dangling', 'name', 'label', 'driver']);
  let list: VolumeInfo[] = await ctx.engine.volumes.list();
  const dangling = filters.get('dangling');
  if (dangling) {
    const v = (dangling[dangling.length - 1] ?? '').toLowerCase();
    if (!['true', '1', 'false', '0'].includes(v)) throw new CliError(`Error response from daemon: invalid filter 'dangling=${v}'`);
    const used = await usedVolumes(ctx);
    const want = v === 'true' || v === '1';
    list = list.filter((vol) => !used.has(vol.Name) === want);
  }
  const names = filters.get('name');
  if (names) list = list.filter((v) => names.some((n) => v.Name.includes(n)));
  const drivers = filters.get('driver');
  if (drivers) list = list.filter((v) => drivers.includes(v.Driver));
  for (const l of filters.get('label') ?? []) list = list.filter((v) => labelMatches(v.Labels, l));
  list = [...list].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  ctx.out(formatVolumes(list, { format: f.string('format') ?? '', quiet: f.bool('quiet'), now: ctx.now() }));
  return 0;
}

function runVolumeInspect(ctx: CommandContext): Promise<number> {
  return inspectEach(ctx, (n) => ctx.engine.volumes.inspect(n));
}

async function runVolumeRm(ctx: CommandContext): Promise<number> {
  const force = ctx.flags.bool('force');
  return forEachTarget(ctx, ctx.args, (n) => ctx.engine.volumes.remove(n, { force }));
}

function runVolumePrune(ctx: CommandContext): Promise<number> {
  const all = ctx.flags.bool('all');
  const warning = all
    ? 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?'
    : 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
  return runPrune(ctx, warning, async (report) => {
    const r = await ctx.engine.volumes.prune({ all });
    report('Deleted Volumes', r.deleted, r.spaceReclaimed);
  });
}

/** `docker volume` and its subcommands. */
export function volumeCommand(): Command {
  return {
    name: 'volume',
    use: 'volume COMMAND',
    short: 'Manage volumes',
    args: { kind: 'none' },
    subcommands: [
      {
        name: 'create',
        use: 'create [OPTIONS] [VOLUME]',
        short: 'Create a volume',
        flags: [
          { name: 'driver', short: 'd', kind: 'string', usage: 'Specify volume driver name', defValue: 'local' },
          { name: 'label', kind: 'list', usage: 'Set metadata for a volume' },
          { name: 'name', kind: 'string', usage: 'Specify volume name', hidden: true },
          unsupportedFlag('opt', 'volumes take no driver options here', 'o'),
        ],
        args: { kind: 'max', n: 1 },
        run: runVolumeCreate,
      },
      {
        name: 'inspect',
        use: 'inspect [OPTIONS] VOLUME [VOLUME...]',
        short: 'Display detailed information on one or more volumes',
        flags: [INSPECT_FORMAT_FLAG],
        args: { kind: 'min', n: 1 },
        complete: ['volume'],
        run: runVolumeInspect,
      },
      {
        name: 'ls',
        aliases: ['list'],
        use: 'ls [OPTIONS]',
        short: 'List volumes',
        flags: [
          { name: 'filter', short: 'f', kind: 'filter', usage: 'Provide filter values (e.g. "dangling=true")' },
          FORMAT_FLAG,
          { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display volume names' },
        ],
        args: { kind: 'none' },
        completeFlags: { filter: ['dangling=true', 'dangling=false', 'name=', 'label=', 'driver='] },
        run: runVolumeLs,
      },
      {
        name: 'prune',
        use: 'prune [OPTIONS]',
        short: 'Remove unused local volumes',
        flags: [{ name: 'all', short: 'a', kind: 'bool', usage: 'Remove all unused volumes, not just anonymous ones' }, ...PRUNE_FLAGS],
        args: { kind: 'none' },
        run: runVolumePrune,
      },
      {
        name: 'rm',
        aliases: ['remove'],
        use: 'rm [OPTIONS] VOLUME [VOLUME...]',
        short: 'Remove one or more volumes',
        long: 'Remove one or more volumes. You cannot remove a volume that is in use by a container.',
        flags: [{ name: 'force', short: 'f', kind: 'bool', usage: 'Force the removal of one or more volumes' }],
        args: { kind: 'min', n: 1 },
        complete: ['volume'],
        run: runVolumeRm,
      },
    ],
  };
}
