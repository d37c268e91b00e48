/** A new container's record, from `docker create`'s options and its image: the name, command, environment and volumes Docker would give it. */
import type { CreateContainerOptions, MountPoint, RestartPolicy } from '../api.ts';
import type { Healthcheck } from '../oci/types.ts';
import { ConflictError, InvalidArgumentError } from '../errors.ts';
import { NAME_PATTERN, randomHex, randomName } from '../util/ids.ts';
import type { BindMounts } from './binds.ts';
import type { VolumeManager } from '../volumes/manager.ts';
import { mergeEnv } from './process.ts';
import { checkCpuSettings } from './cpu.ts';
import { effectiveCapabilities, noNewPrivileges } from './security.ts';
import { ZERO_TIME, type ContainerRecord, type ResolvedImage } from './types.ts';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Docker's smallest memory limit (`-m`): 6 MiB. */
export const MIN_MEMORY = 6 * 1024 * 1024;

/** moby's merge of `--health-*` over the image's HEALTHCHECK: what the flags leave unset comes from the image. */
function healthcheckOf(user: Healthcheck | undefined, image: Healthcheck | undefined): { healthcheck?: Healthcheck } {
  if (!user && !image) return {};
  const u = user ?? {};
  const i = image ?? {};
  const merged: Healthcheck = {
    Test: u.Test?.length ? u.Test : (i.Test ?? []),
    ...(u.Interval || i.Interval ? { Interval: u.Interval || i.Interval } : {}),
    ...(u.Timeout || i.Timeout ? { Timeout: u.Timeout || i.Timeout } : {}),
    ...(u.StartPeriod || i.StartPeriod ? { StartPeriod: u.StartPeriod || i.StartPeriod } : {}),
    ...(u.StartInterval || i.StartInterval ? { StartInterval: u.StartInterval || i.StartInterval } : {}),
    ...(u.Retries || i.Retries ? { Retries: u.Retries || i.Retries } : {}),
  };
  return { healthcheck: merged };
}

/** The daemon's check of `--log-driver` and `--log-opt`: json-file (with max-size and max-file) or none. */
function checkLogConfig(c: { Type: string; Config: Record<string, string> }): {
  Type: 'json-file' | 'none';
  Config: Record<string, string>;
} {
  const type = c.Type || 'json-file';
  if (type !== 'json-file' && type !== 'none')
    throw new InvalidArgumentError(
      `failed to create task for container: logger: no log driver named '${type}' is registered (LayerLab has json-file and none)`,
    );
  for (const key of Object.keys(c.Config))
    if (type === 'none' || !['max-size', 'max-file'].includes(key))
      throw new InvalidArgumentError(`unknown log opt '${key}' for ${type} log driver`);
  if (c.Config['max-file'] && !c.Config['max-size']) throw new InvalidArgumentError('max-file can only be used with max-size');
  if (c.Config['max-size']) rotationOf(c.Config);
  return { Type: type, Config: c.Config };
}

/** json-file's max-size (go-units RAMInBytes) and max-file (default 1) as numbers. */
export function rotationOf(config: Record<string, string>): { maxSize: number; maxFile: number } {
  const size = config['max-size'] ?? '';
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?$/i.exec(size);
  if (!m) throw new InvalidArgumentError(`invalid size: '${size}'`);
  const maxSize = Math.floor(Number(m[1]) * 1024 ** ' kmgtp'.indexOf((m[2] || ' ').toLowerCase()));
  const maxFile = config['max-file'] ? Number(config['max-file']) : 1;
  if (!Number.isInteger(maxFile) || maxFile < 1) throw new InvalidArgumentError('max-file cannot be less than 1');
  return { maxSize, maxFile };
}

/** The daemon's check of a restart policy (the CLI passes any name through). */
export function checkRestartPolicy(policy: RestartPolicy): void {
  const name: string = policy.Name;
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(name))
    throw new InvalidArgumentError(
      `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
    );
  if (name !== 'on-failure' && policy.MaximumRetryCount !== 0)
    throw new InvalidArgumentError("invalid restart policy: maximum retry count can only be used with 'on-failure'");
  if (policy.MaximumRetryCount < 0) throw new InvalidArgumentError('invalid restart policy: maximum retry count cannot be negative');
}

/** `host:ip` (docker/cli also takes `host=ip`) as [host, ip]; `host-gateway` stays for the network to fill in. */
export function parseExtraHost(spec: string): [string, string] {
  const i = spec.search(/[:=]/);
  const host = i < 0 ? spec : spec.slice(0, i);
  const ip = i < 0 ? '' : spec.slice(i + 1).replace(/^\[(.*)\]$/, '$1');
  if (!host || (ip !== 'host-gateway' && !/^(\d{1,3})(\.\d{1,3}){3}$/.test(ip) && !/^[0-9a-fA-F:]+:[0-9a-fA-F:]*$/.test(ip)))
    throw new InvalidArgumentError(`invalid IP address in add-host: "${ip}"`);
  return [host, ip];
}

/** A container's `--network` (records from before LayerLab had networks were made with loopback only). */
export function networkModeOf(r: ContainerRecord): string {
  return r.hostConfig.networkMode ?? 'none';
}

/** Checks the host settings of `options` as the daemon does before it looks at the image (the memory floor). */
export function checkHostConfig(options: CreateContainerOptions): void {
  if (options.autoRemove && options.restartPolicy && options.restartPolicy.Name !== 'no')
    throw new InvalidArgumentError("can't create 'AutoRemove' container with restart policy");
  for (const h of options.extraHosts ?? []) parseExtraHost(h);
  if (options.restartPolicy) checkRestartPolicy(options.restartPolicy);
  checkCpuSettings(options);
  for (const path of Object.keys(options.tmpfs ?? {}))
    if (!path.startsWith('/'))
      throw new InvalidArgumentError(`invalid mount config for type "tmpfs": invalid mount path: '${path}' mount path must be absolute`);
  // the daemon's checks of --memory-swap
  if (options.memorySwap && options.memorySwap > 0 && !options.memory)
    throw new InvalidArgumentError('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (options.memorySwap && options.memorySwap > 0 && options.memory && options.memorySwap < options.memory)
    throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (options.shmSize !== undefined && options.shmSize < 0) throw new InvalidArgumentError('SHM size can not be less than 0');
  for (const u of options.ulimits ?? [])
    if (u.Soft > u.Hard && u.Hard !== -1)
      throw new InvalidArgumentError(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
  // the daemon's own floor (below it a container cannot even start its process)
  if (options.memory && options.memory < MIN_MEMORY) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  // unknown capabilities and security options are refused at create, as the daemon does
  effectiveCapabilities(options);
  noNewPrivileges(options.securityOpt);
}

/**
 * Checks `options` as the daemon does (name syntax and clashes with `existing`,
 * a command) and makes the record; creates the volumes it names and the anonymous ones its image
 * declares (`buildStep`: a builder's RUN container, which sees VOLUME paths as plain directories).
 */
export async function newContainerRecord(
  options: CreateContainerOptions,
  image: ResolvedImage,
  all: ContainerRecord[],
  context: { volumes: VolumeManager; binds: BindMounts; now: Date; buildStep: boolean; networkMode: string },
): Promise<ContainerRecord> {
  const { volumes, now } = context;
  const internal = { buildStep: context.buildStep };
  if (options.name !== undefined) {
    if (!NAME_PATTERN.test(options.name))
      throw new InvalidArgumentError(`Invalid container name (${options.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const clash = all.find((r) => r.name === options.name && !r.build);
    if (clash)
      throw new ConflictError(
        `Conflict. The container name "/${options.name}" is already in use by container "${clash.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
  }
  const ic = image.config;
  const entrypoint = options.entrypoint !== undefined ? (options.entrypoint.length ? options.entrypoint : null) : (ic.Entrypoint ?? null);
  const cmd = options.cmd?.length ? options.cmd : options.entrypoint !== undefined ? null : (ic.Cmd ?? null);
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (argv.length === 0) throw new InvalidArgumentError('no command specified');
  const id = randomHex(32);
  const name = options.name ?? randomName((n) => all.some((r) => r.name === n));
  const env = mergeEnv([...(ic.Env ?? [DEFAULT_PATH])], options.env ?? []);
  const mounts: MountPoint[] = [];
  const targets = new Set<string>();
  for (const v of options.volumes ?? []) {
    if (!v.target.startsWith('/'))
      throw new InvalidArgumentError(
        `invalid mount config for type "volume": invalid mount path: '${v.target}' mount path must be absolute`,
      );
    const vol = await volumes.create(v.source, {}, v.source === undefined);
    mounts.push({ Type: 'volume', Name: vol.Name, Source: vol.Mountpoint, Destination: v.target, RW: !v.readonly });
    targets.add(v.target);
  }
  for (const b of options.binds ?? []) {
    if (!b.target.startsWith('/'))
      throw new InvalidArgumentError(`invalid mount config for type "bind": invalid mount path: '${b.target}' mount path must be absolute`);
    if (targets.has(b.target)) throw new InvalidArgumentError(`Duplicate mount point: ${b.target}`);
    await context.binds.check(b.source, !!b.create);
    mounts.push({ Type: 'bind', Name: '', Source: b.source, Destination: b.target, RW: !b.readonly, Propagation: 'rprivate' });
    targets.add(b.target);
  }
  // a RUN step sees the image's VOLUME paths as plain directories, like BuildKit
  for (const target of internal.buildStep ? [] : Object.keys(ic.Volumes ?? {})) {
    if (targets.has(target)) continue;
    const vol = await volumes.create(undefined, {}, true);
    mounts.push({ Type: 'volume', Name: vol.Name, Source: vol.Mountpoint, Destination: target, RW: true });
  }
  const record: ContainerRecord = {
    id,
    name,
    image: options.image,
    imageId: image.id,
    created: now.toISOString(),
    path: argv[0]!,
    args: argv.slice(1),
    config: {
      env,
      workingDir: options.workingDir ?? ic.WorkingDir ?? '',
      user: options.user ?? ic.User ?? '',
      hostname: options.hostname ?? id.slice(0, 12),
      tty: !!options.tty,
      openStdin: !!options.openStdin,
      labels: { ...(ic.Labels ?? {}), ...(options.labels ?? {}) },
      stopSignal: options.stopSignal ?? ic.StopSignal ?? 'SIGTERM',
      ...healthcheckOf(options.healthcheck, ic.Healthcheck),
      ...(options.stopTimeout !== undefined ? { stopTimeout: options.stopTimeout } : {}),
      entrypoint,
      cmd,
    },
    hostConfig: {
      memory: options.memory ?? 0,
      pidsLimit: options.pidsLimit ?? null,
      readOnly: !!options.readOnly,
      autoRemove: !!options.autoRemove,
      ...(options.capAdd?.length ? { capAdd: options.capAdd } : {}),
      ...(options.capDrop?.length ? { capDrop: options.capDrop } : {}),
      ...(options.privileged ? { privileged: true } : {}),
      ...(options.securityOpt?.length ? { securityOpt: options.securityOpt } : {}),
      networkMode: context.networkMode,
      ...(options.portBindings && Object.keys(options.portBindings).length ? { portBindings: options.portBindings } : {}),
      ...(options.publishAll ? { publishAllPorts: true } : {}),
      ...(options.restartPolicy && options.restartPolicy.Name !== 'no' ? { restartPolicy: options.restartPolicy } : {}),
      ...(options.extraHosts?.length ? { extraHosts: options.extraHosts } : {}),
      ...(options.nanoCpus ? { nanoCpus: options.nanoCpus } : {}),
      ...(options.cpuShares ? { cpuShares: options.cpuShares } : {}),
      ...(options.cpusetCpus ? { cpusetCpus: options.cpusetCpus } : {}),
      ...(options.tmpfs && Object.keys(options.tmpfs).length ? { tmpfs: options.tmpfs } : {}),
      ...(options.shmSize ? { shmSize: options.shmSize } : {}),
      ...(options.memorySwap ? { memorySwap: options.memorySwap } : {}),
      ...(options.logConfig ? { logConfig: checkLogConfig(options.logConfig) } : {}),
      ...(options.ulimits?.length ? { ulimits: options.ulimits } : {}),
      ...(options.init ? { init: true } : {}),
    },
    exposedPorts: [
      ...new Set([...Object.keys(ic.ExposedPorts ?? {}), ...(options.expose ?? []), ...Object.keys(options.portBindings ?? {})]),
    ],
    // like Docker: a container is on the network of its mode (host and none too), with its aliases and --ip
    networks: {
      [context.networkMode]: {
        ...(options.networkAliases?.length ? { aliases: options.networkAliases } : {}),
        ...(options.ip ? { ipv4Address: options.ip } : {}),
      },
    },
    mounts,
    state: { status: 'created', pid: 0, exitCode: 0, oomKilled: false, error: '', startedAt: ZERO_TIME, finishedAt: ZERO_TIME },
    restartCount: 0,
    ...(internal.buildStep ? { build: true } : {}),
  };
  return record;
}
