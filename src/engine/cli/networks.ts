/**
 * `docker network create|ls|inspect|rm|prune|connect|disconnect` with docker/cli's flags, tables and
 * errors, on the engine's networks (Linux bridges in the machine).
 */
import type { NetworkInspect } from '../api.ts';
import { CliError, type Command, type CommandContext } from './command.ts';
import {
  checkFilters,
  forEachTarget,
  FILTER_FLAG,
  FORMAT_FLAG,
  inspectEach,
  INSPECT_FORMAT_FLAG,
  labelMatches,
  parseFilters,
  unsupportedFlag,
} from './common.ts';
import type { FlagDef } from './flags.ts';
import { confirm, deletedSection } from './prune.ts';
import { formatNetworks } from './tables.ts';

const ONE_MACHINE = 'LayerLab has one machine and IPv4 bridge networks only';

function keyValues(values: string[], what: string): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    const key = (i < 0 ? v : v.slice(0, i)).trim();
    if (key === '') throw new CliError(`invalid ${what} '${v}': empty name`);
    out[key] = i < 0 ? '' : v.slice(i + 1);
  }
  return out;
}

async function runNetworkCreate(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const subnets = f.list('subnet');
  const gateways = f.list('gateway');
  if (subnets.length > 1 || gateways.length > 1) throw new CliError(`--subnet and --gateway: ${ONE_MACHINE}, one subnet per network`);
  if (gateways.length && !subnets.length) throw new CliError('every ip-range or gateway must have a corresponding subnet');
  const labels = keyValues(f.list('label'), 'label');
  const options = keyValues(f.list('opt'), 'option');
  const id = await ctx.engine.networks.create(ctx.args[0]!, {
    driver: f.string('driver') ?? 'bridge',
    ...(subnets[0] ? { subnet: subnets[0] } : {}),
    ...(gateways[0] ? { gateway: gateways[0] } : {}),
    ...(f.bool('internal') ? { internal: true } : {}),
    ...(f.bool('attachable') ? { attachable: true } : {}),
    ...(labels ? { labels } : {}),
    ...(options ? { options } : {}),
  });
  ctx.out(id + '\n');
  return 0;
}

async function runNetworkLs(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const filters = parseFilters(f.list('filter'));
  checkFilters(filters, ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling']);
  let list: NetworkInspect[] = await ctx.engine.networks.list();
  const predefined = new Set(['bridge', 'host', 'none']);
  for (const [key, values] of filters) {
    if (key === 'driver') list = list.filter((n) => values.includes(n.Driver));
    else if (key === 'id') list = list.filter((n) => values.some((v) => n.Id.startsWith(v)));
    else if (key === 'name') list = list.filter((n) => values.some((v) => n.Name.includes(v)));
    else if (key === 'scope') list = list.filter((n) => values.includes(n.Scope));
    else if (key === 'label') for (const l of values) list = list.filter((n) => labelMatches(n.Labels, l));
    else if (key === 'type') {
      for (const v of values)
        if (v !== 'custom' && v !== 'builtin') throw new CliError(`Error response from daemon: invalid filter: 'type'='${v}'`);
      list = list.filter((n) => values.includes(predefined.has(n.Name) ? 'builtin' : 'custom'));
    } else if (key === 'dangling') {
      const v = (values[values.length - 1] ?? '').toLowerCase();
      if (!['true', '1', 'false', '0'].includes(v)) throw new CliError(`Error response from daemon: invalid filter 'dangling=${v}'`);
      const want = v === 'true' || v === '1';
      const containers = await ctx.engine.containers.list({ all: true });
      const inUse = new Set<string>();
      for (const c of containers)
        for (const n of Object.keys((await ctx.engine.containers.inspect(c.id)).NetworkSettings.Networks)) inUse.add(n);
      list = list.filter((n) => !predefined.has(n.Name) && !inUse.has(n.Name) === want);
    }
  }
  // docker/cli sorts by name
  list = [...list].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  ctx.out(formatNetworks(list, { format: f.string('format') ?? '', quiet: f.bool('quiet'), noTrunc: f.bool('no-trunc'), now: ctx.now() }));
  return 0;
}

function runNetworkInspect(ctx: CommandContext): Promise<number> {
  return inspectEach(ctx, (n) => ctx.engine.networks.inspect(n));
}

async function runNetworkRm(ctx: CommandContext): Promise<number> {
  const force = ctx.flags.bool('force');
  return forEachTarget(ctx, ctx.args, async (n) => {
    try {
      await ctx.engine.networks.remove(n);
    } catch (err) {
      // -f: a network that is not there is no error
      if (!(force && (err as Error).name === 'NotFoundError')) throw err;
    }
  });
}

async function runNetworkPrune(ctx: CommandContext): Promise<number> {
  const warning = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';
  if (!(await confirm(ctx, warning, ctx.flags.bool('force')))) return 0;
  const report = await ctx.engine.networks.prune();
  ctx.out(deletedSection('Deleted Networks', report.deleted));
  return 0;
}

async function runNetworkConnect(ctx: CommandContext): Promise<number> {
  const [network, container] = ctx.args as [string, string];
  const ip = ctx.flags.string('ip');
  await ctx.engine.networks.connect(network, container, {
    ...(ctx.flags.list('alias').length ? { aliases: ctx.flags.list('alias') } : {}),
    ...(ip ? { ip } : {}),
  });
  return 0;
}

async function runNetworkDisconnect(ctx: CommandContext): Promise<number> {
  const [network, container] = ctx.args as [string, string];
  await ctx.engine.networks.disconnect(network, container, { force: ctx.flags.bool('force') });
  return 0;
}

const CREATE_FLAGS: FlagDef[] = [
  { name: 'attachable', kind: 'bool', usage: 'Enable manual container attachment' },
  { name: 'driver', short: 'd', kind: 'string', usage: 'Driver to manage the Network', defValue: 'bridge' },
  { name: 'gateway', kind: 'list', usage: 'IPv4 or IPv6 Gateway for the master subnet' },
  { name: 'internal', kind: 'bool', usage: 'Restrict external access to the network' },
  { name: 'label', kind: 'list', usage: 'Set metadata on a network' },
  { name: 'opt', short: 'o', kind: 'list', usage: 'Set driver specific options' },
  { name: 'subnet', kind: 'list', usage: 'Subnet in CIDR format that represents a network segment' },
  unsupportedFlag('aux-address', ONE_MACHINE),
  unsupportedFlag('config-from', ONE_MACHINE),
  unsupportedFlag('config-only', ONE_MACHINE, undefined, 'bool'),
  unsupportedFlag('ingress', 'there is no swarm here', undefined, 'bool'),
  unsupportedFlag('ip-range', ONE_MACHINE),
  unsupportedFlag('ipam-driver', ONE_MACHINE),
  unsupportedFlag('ipam-opt', ONE_MACHINE),
  unsupportedFlag('ipv6', ONE_MACHINE, undefined, 'bool'),
  unsupportedFlag('scope', ONE_MACHINE),
];

/** `docker network` and its subcommands. */
export function networkCommand(): Command {
  return {
    name: 'network',
    use: 'network COMMAND',
    short: 'Manage networks',
    args: { kind: 'none' },
    subcommands: [
      {
        name: 'connect',
        use: 'connect [OPTIONS] NETWORK CONTAINER',
        short: 'Connect a container to a network',
        flags: [
          { name: 'alias', kind: 'list', usage: 'Add network-scoped alias for the container' },
          { name: 'ip', kind: 'string', usage: 'IPv4 address (e.g., "172.30.100.104")' },
          unsupportedFlag('ip6', ONE_MACHINE),
          unsupportedFlag('link', 'legacy links are not supported; use a user-defined network and names'),
          unsupportedFlag('link-local-ip', ONE_MACHINE),
          unsupportedFlag('driver-opt', ONE_MACHINE),
        ],
        args: { kind: 'exact', n: 2 },
        complete: ['network', 'container'],
        run: runNetworkConnect,
      },
      {
        name: 'create',
        use: 'create [OPTIONS] NETWORK',
        short: 'Create a network',
        flags: CREATE_FLAGS,
        args: { kind: 'exact', n: 1 },
        run: runNetworkCreate,
      },
      {
        name: 'disconnect',
        use: 'disconnect [OPTIONS] NETWORK CONTAINER',
        short: 'Disconnect a container from a network',
        flags: [{ name: 'force', short: 'f', kind: 'bool', usage: 'Force the container to disconnect from a network' }],
        args: { kind: 'exact', n: 2 },
        complete: ['network', 'container'],
        run: runNetworkDisconnect,
      },
      {
        name: 'inspect',
        use: 'inspect [OPTIONS] NETWORK [NETWORK...]',
        short: 'Display detailed information on one or more networks',
        flags: [INSPECT_FORMAT_FLAG, unsupportedFlag('verbose', 'there is no swarm here', 'v', 'bool')],
        args: { kind: 'min', n: 1 },
        complete: ['network'],
        run: runNetworkInspect,
      },
      {
        name: 'ls',
        aliases: ['list'],
        use: 'ls [OPTIONS]',
        short: 'List networks',
        flags: [
          { ...FILTER_FLAG, usage: 'Provide filter values (e.g. "driver=bridge")' },
          FORMAT_FLAG,
          { name: 'no-trunc', kind: 'bool', usage: 'Do not truncate the output' },
          { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display network IDs' },
        ],
        args: { kind: 'none' },
        completeFlags: { filter: ['driver=', 'id=', 'label=', 'name=', 'scope=', 'type=custom', 'type=builtin', 'dangling=true'] },
        run: runNetworkLs,
      },
      {
        name: 'prune',
        use: 'prune [OPTIONS]',
        short: 'Remove all unused networks',
        flags: [
          unsupportedFlag('filter', 'prune filters are not available'),
          { name: 'force', short: 'f', kind: 'bool', usage: 'Do not prompt for confirmation' },
        ],
        args: { kind: 'none' },
        run: runNetworkPrune,
      },
      {
        name: 'rm',
        aliases: ['remove'],
        use: 'rm NETWORK [NETWORK...]',
        short: 'Remove one or more networks',
        flags: [{ name: 'force', short: 'f', kind: 'bool', usage: 'Do not error if the network does not exist' }],
        args: { kind: 'min', n: 1 },
        complete: ['network'],
        run: runNetworkRm,
      },
    ],
  };
}
