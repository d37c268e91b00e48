/**
 * `docker system df|prune|info`, `docker info`, `docker version` and `docker inspect` (any
 * object), worded like docker/cli and saying that the engine is LayerLab's.
 */
import { eventsCommand } from './events.ts';
import { NotFoundError } from '../errors.ts';
import { CliError, StatusError, type Command, type CommandContext } from './command.ts';
import { errorText, FORMAT_FLAG, INSPECT_FORMAT_FLAG, printInspect } from './common.ts';
import { PRUNE_FLAGS, runPrune } from './prune.ts';
import { bytesSize } from './format.ts';
import { imagePruneLines } from './images.ts';
import { renderTemplate } from './template.ts';
import { formatDiskUsage, formatDiskUsageVerbose } from './tables.ts';

/** The client version LayerLab's CLI reports, and the Docker CLI release whose behaviour it follows. */
export const CLI_VERSION = '0.1.0';
/** The Docker CLI release whose wording and layout this CLI follows. */
export const DOCKER_COMPAT_VERSION = '27.5';
/** The Engine API version whose shapes `api.ts` follows. */
export const API_VERSION = '1.47';

async function runDf(ctx: CommandContext): Promise<number> {
  const du = await ctx.engine.system.df();
  const format = ctx.flags.string('format') ?? '';
  if (ctx.flags.bool('verbose') && (format === '' || format === 'table')) {
    const [images, containers, volumes] = await Promise.all([
      ctx.engine.images.list({ all: true }),
      ctx.engine.containers.list({ all: true }),
      ctx.engine.volumes.list(),
    ]);
    ctx.out(formatDiskUsageVerbose(du, images, containers, volumes, ctx.now()));
    return 0;
  }
  ctx.out(formatDiskUsage(du, { format }));
  return 0;
}

function runSystemPrune(ctx: CommandContext): Promise<number> {
  const all = ctx.flags.bool('all');
  const volumes = ctx.flags.bool('volumes');
  const warnings = ['all stopped containers', 'all networks not used by at least one container'];
  if (volumes) warnings.push('all anonymous volumes not used by at least one container');
  warnings.push(all ? 'all images without at least one container associated to them' : 'all dangling images');
  warnings.push(all ? 'all build cache' : 'unused build cache');
  const message = `WARNING! This will remove:\n${warnings.map((w) => `  - ${w}\n`).join('')}\nAre you sure you want to continue?`;
  // docker/cli prunes kind by kind and reports each; system.prune then clears the build cache.
  return runPrune(ctx, message, async (report) => {
    const containers = await ctx.engine.containers.prune();
    report('Deleted Containers', containers.deleted, containers.spaceReclaimed);
    const networks = await ctx.engine.networks.prune();
    report('Deleted Networks', networks.deleted, 0);
    if (volumes) {
      const v = await ctx.engine.volumes.prune();
      report('Deleted Volumes', v.deleted, v.spaceReclaimed);
    }
    const images = await ctx.engine.images.prune({ all });
    report('Deleted Images', imagePruneLines(images.deleted), images.spaceReclaimed);
    const rest = await ctx.engine.system.prune({ all, volumes });
    report('Deleted build cache objects', rest.deleted, rest.spaceReclaimed);
  });
}

async function runInfo(ctx: CommandContext): Promise<number> {
  const info = await ctx.engine.system.info();
  const format = ctx.flags.string('format');
  if (format) {
    const data = {
      Containers: info.containers,
      ContainersRunning: info.running,
      ContainersPaused: info.paused ?? 0,
      ContainersStopped: info.containers - info.running - (info.paused ?? 0),
      Images: info.images,
      Driver: 'overlay2',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: '2',
      KernelVersion: info.kernelVersion,
      OperatingSystem: 'LayerLab (Linux in v86)',
      OSType: 'linux',
      Architecture: 'i686',
      MemTotal: info.memTotal,
      ServerVersion: info.serverVersion,
      Name: 'layerlab',
    };
    ctx.out(renderTemplate(format === 'json' ? '{{json .}}' : format, data) + '\n');
    return 0;
  }
  ctx.out(
    [
      'Client:',
      ` Version:    ${CLI_VERSION} (LayerLab)`,
      ' Context:    layerlab',
      ' Debug Mode: false',
      '',
      'Server:',
      ` Containers: ${info.containers}`,
      `  Running: ${info.running}`,
      `  Paused: ${info.paused ?? 0}`,
      `  Stopped: ${info.containers - info.running - (info.paused ?? 0)}`,
      ` Images: ${info.images}`,
      ` Server Version: ${info.serverVersion} (LayerLab engine)`,
      ' Storage Driver: overlay2',
      ' Logging Driver: json-file',
      // memory and pids limits are enforced with cgroup v2's controllers, written directly (no systemd)
      ' Cgroup Driver: cgroupfs',
      ' Cgroup Version: 2',
      ' Runtimes: layerlab',
      ' Default Runtime: layerlab',
      ` Kernel Version: ${info.kernelVersion}`,
      ' Operating System: LayerLab (Linux in the v86 emulator)',
      ' OSType: linux',
      ' Architecture: i686',
      ' CPUs: 1',
      ` Total Memory: ${bytesSize(info.memTotal)}`,
      ' Name: layerlab',
      ' Docker Root Dir: /var/lib/layerlab',
      ' Debug Mode: false',
      ' Experimental: false',
      ' Live Restore Enabled: false',
      '',
    ].join('\n'),
  );
  return 0;
}

async function runVersion(ctx: CommandContext): Promise<number> {
  let server: { serverVersion: string; kernelVersion: string } | undefined;
  let serverError: unknown;
  try {
    server = await ctx.engine.system.info();
  } catch (e) {
    serverError = e;
  }
  const format = ctx.flags.string('format');
  if (format) {
    const data = {
      Client: { Version: CLI_VERSION, ApiVersion: API_VERSION, Os: 'linux', Arch: '386', Platform: { Name: 'LayerLab' } },
      Server: server ? { Version: server.serverVersion, KernelVersion: server.kernelVersion, Os: 'linux', Arch: '386' } : null,
    };
    ctx.out(renderTemplate(format === 'json' ? '{{json .}}' : format, data) + '\n');
    return 0;
  }
  let out =
    'Client: LayerLab\n' +
    ` Version:           ${CLI_VERSION}\n` +
    ` API version:       ${API_VERSION}\n` +
    ` Compatible with:   Docker CLI ${DOCKER_COMPAT_VERSION}\n` +
    ' OS/Arch:           linux/386\n' +
    ' Context:           default\n';
  if (server) {
    out +=
      '\nServer: LayerLab Engine\n' +
      ' Engine:\n' +
      `  Version:          ${server.serverVersion}\n` +
      `  API version:      ${API_VERSION} (minimum version ${API_VERSION})\n` +
      `  Kernel Version:   ${server.kernelVersion}\n` +
      '  OS/Arch:          linux/386\n' +
      '  Experimental:     false\n';
  }
  ctx.out(out);
  if (serverError !== undefined) throw new StatusError(1, errorText(serverError));
  return 0;
}

async function runInspect(ctx: CommandContext): Promise<number> {
  const type = ctx.flags.string('type') ?? '';
  if (!['', 'container', 'image', 'volume', 'network'].includes(type)) throw new CliError(`"${type}" is not a valid value for --type`);
  const found: unknown[] = [];
  const errors: string[] = [];
  const attempts: [string, (name: string) => Promise<unknown>][] = [
    ['container', (n) => ctx.engine.containers.inspect(n)],
    ['image', (n) => ctx.engine.images.inspect(n)],
    ['network', (n) => ctx.engine.networks.inspect(n)],
    ['volume', (n) => ctx.engine.volumes.inspect(n)],
  ];
  for (const name of ctx.args) {
    let done = false;
    for (const [kind, fn] of attempts) {
      if (type && type !== kind) continue;
      try {
        found.push(await fn(name));
        done = true;
        break;
      } catch (e) {
        if (!(e instanceof NotFoundError)) {
          errors.push(errorText(e));
          done = true;
          break;
        }
      }
    }
    if (!done) errors.push(type ? `Error: No such ${type}: ${name}` : `Error: No such object: ${name}`);
  }
  printInspect(ctx, found, ctx.flags.string('format'));
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

/** `docker info` / `docker system info`. */
export function infoCommand(): Command {
  return {
    name: 'info',
    use: 'info [OPTIONS]',
    short: 'Display system-wide information',
    aliasesText: 'docker system info, docker info',
    top: 12,
    flags: [INSPECT_FORMAT_FLAG],
    args: { kind: 'none' },
    run: runInfo,
  };
}

/** `docker version`. */
export function versionCommand(): Command {
  return {
    name: 'version',
    use: 'version [OPTIONS]',
    short: 'Show the Docker version information',
    top: 11,
    flags: [INSPECT_FORMAT_FLAG],
    args: { kind: 'none' },
    run: runVersion,
  };
}

/** `docker inspect` (containers, images, networks or volumes). */
export function inspectCommand(): Command {
  return {
    name: 'inspect',
    use: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
    short: 'Return low-level information on Docker objects',
    flags: [
      INSPECT_FORMAT_FLAG,
      { name: 'size', short: 's', kind: 'bool', usage: 'Display total file sizes if the type is container' },
      { name: 'type', kind: 'string', usage: 'Only inspect objects of the given type' },
    ],
    args: { kind: 'min', n: 1 },
    complete: ['object'],
    completeFlags: { type: ['container', 'image', 'network', 'volume'] },
    run: runInspect,
  };
}

/** `docker system` and its subcommands. */
export function systemCommand(): Command {
  return {
    name: 'system',
    use: 'system COMMAND',
    short: 'Manage Docker',
    args: { kind: 'none' },
    subcommands: [
      {
        name: 'df',
        use: 'df [OPTIONS]',
        short: 'Show docker disk usage',
        flags: [FORMAT_FLAG, { name: 'verbose', short: 'v', kind: 'bool', usage: 'Show detailed information on space usage' }],
        args: { kind: 'none' },
        run: runDf,
      },
      { ...eventsCommand(), top: undefined },
      { ...infoCommand(), top: undefined },
      {
        name: 'prune',
        use: 'prune [OPTIONS]',
        short: 'Remove unused data',
        flags: [
          { name: 'all', short: 'a', kind: 'bool', usage: 'Remove all unused images not just dangling ones' },
          ...PRUNE_FLAGS,
          { name: 'volumes', kind: 'bool', usage: 'Prune anonymous volumes' },
        ],
        args: { kind: 'none' },
        run: runSystemPrune,
      },
    ],
  };
}
