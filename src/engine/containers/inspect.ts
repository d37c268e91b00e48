/** What `docker ps` and `docker inspect` say about a container record: its status line, its summary row and its inspect document. */
import type { ContainerInspect, ContainerNetworkSettings, ContainerSummary, EndpointSettings } from '../api.ts';
import { networkModeOf } from './record.ts';
import { containerDirs, INIT_LAYER_DIR, layerDir } from '../guest/guest-fs.ts';
import { humanDuration } from '../util/time.ts';
import { activeHealthcheck } from './health.ts';
import type { ContainerRecord, ResolvedImage } from './types.ts';

/** Docker's STATUS column: `Up 5 minutes`, `Exited (0) 2 seconds ago`, `Created`. */
export function containerStatus(r: ContainerRecord, now: Date): string {
  const at = now.getTime();
  switch (r.state.status) {
    case 'running': {
      const health = r.state.health && activeHealthcheck(r) ? r.state.health.status : undefined;
      const suffix = health === 'starting' ? ' (health: starting)' : health ? ` (${health})` : '';
      return `Up ${humanDuration(at - Date.parse(r.state.startedAt))}${suffix}`;
    }
    case 'paused':
      return `Up ${humanDuration(at - Date.parse(r.state.startedAt))} (Paused)`;
    case 'exited':
      return `Exited (${r.state.exitCode}) ${humanDuration(at - Date.parse(r.state.finishedAt))} ago`;
    case 'created':
      return 'Created';
    case 'restarting':
      return `Restarting (${r.state.exitCode}) ${humanDuration(at - Date.parse(r.state.finishedAt))} ago`;
    default:
      return r.state.status[0]!.toUpperCase() + r.state.status.slice(1);
  }
}

/** A `docker ps` row. */
export function containerSummary(r: ContainerRecord, now: Date): ContainerSummary {
  return {
    id: r.id,
    name: r.name,
    image: r.image,
    imageId: r.imageId,
    // like the daemon: arguments with spaces are single-quoted
    command: [r.path, ...r.args.map((a) => (a.includes(' ') ? `'${a}'` : a))].join(' '),
    created: r.created,
    state: r.state.status,
    status: containerStatus(r, now),
    exitCode: r.state.exitCode,
    labels: r.config.labels,
    mounts: r.mounts,
    networks: Object.keys(r.networks ?? { [networkModeOf(r)]: {} }),
    ports: (r.exposedPorts ?? []).flatMap((key) => {
      const bound = r.ports?.[key];
      const PrivatePort = Number(key.split('/')[0]);
      return bound?.length
        ? bound.map((b) => ({ IP: b.HostIp, PrivatePort, PublicPort: Number(b.HostPort), Type: 'tcp' as const }))
        : [{ PrivatePort, Type: 'tcp' as const }];
    }),
  };
}

/** `docker inspect` of a container (`image`: its image, when it still exists, for the overlay's lower dirs). */
export function containerInspect(r: ContainerRecord, image: ResolvedImage | undefined): ContainerInspect {
  const dirs = containerDirs(r.id);
  // the overlay's lower directories as mounted: the init layer, then the image's layers top first
  const lower = [INIT_LAYER_DIR, ...(image?.layers ?? []).map((l) => layerDir(l.diffID)).reverse()].join(':');
  return {
    Id: r.id,
    Created: r.created,
    Path: r.path,
    Args: r.args,
    State: {
      Status: r.state.status,
      Running: r.state.status === 'running' || r.state.status === 'paused',
      Paused: r.state.status === 'paused',
      Restarting: r.state.status === 'restarting',
      OOMKilled: r.state.oomKilled,
      Dead: false,
      Pid: r.state.pid,
      ExitCode: r.state.exitCode,
      Error: r.state.error,
      StartedAt: r.state.startedAt,
      FinishedAt: r.state.finishedAt,
      ...(r.state.health && activeHealthcheck(r)
        ? {
            Health: {
              Status: r.state.health.status,
              FailingStreak: r.state.health.failingStreak,
              Log: r.state.health.log.map((l) => ({ Start: l.start, End: l.end, ExitCode: l.exitCode, Output: l.output })),
            },
          }
        : {}),
    },
    Image: r.imageId,
    Name: `/${r.name}`,
    RestartCount: r.restartCount,
    Config: {
      Hostname: r.config.hostname,
      Image: r.image,
      Tty: r.config.tty,
      OpenStdin: r.config.openStdin,
      AttachStdin: r.config.openStdin,
      Env: r.config.env,
      Cmd: r.config.cmd,
      Entrypoint: r.config.entrypoint,
      WorkingDir: r.config.workingDir,
      User: r.config.user,
      Labels: r.config.labels,
      StopSignal: r.config.stopSignal,
      ...(r.config.healthcheck ? { Healthcheck: { ...r.config.healthcheck, Test: [...(r.config.healthcheck.Test ?? [])] } } : {}),
      ...(r.config.stopTimeout !== undefined ? { StopTimeout: r.config.stopTimeout } : {}),
      ...(r.exposedPorts?.length ? { ExposedPorts: Object.fromEntries(r.exposedPorts.map((k) => [k, {}])) } : {}),
    },
    HostConfig: {
      Memory: r.hostConfig.memory,
      PidsLimit: r.hostConfig.pidsLimit,
      ReadonlyRootfs: r.hostConfig.readOnly,
      AutoRemove: r.hostConfig.autoRemove,
      Binds: r.mounts.map((m) => `${m.Type === 'bind' ? m.Source : m.Name}:${m.Destination}${m.RW ? '' : ':ro'}`),
      CapAdd: r.hostConfig.capAdd ?? null,
      CapDrop: r.hostConfig.capDrop ?? null,
      Privileged: !!r.hostConfig.privileged,
      SecurityOpt: r.hostConfig.securityOpt ?? null,
      NetworkMode: networkModeOf(r),
      PortBindings: r.hostConfig.portBindings ?? {},
      PublishAllPorts: !!r.hostConfig.publishAllPorts,
      RestartPolicy: r.hostConfig.restartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
      ExtraHosts: r.hostConfig.extraHosts ?? null,
      NanoCpus: r.hostConfig.nanoCpus ?? 0,
      CpuShares: r.hostConfig.cpuShares ?? 0,
      CpuPeriod: 0,
      CpuQuota: 0,
      CpusetCpus: r.hostConfig.cpusetCpus ?? '',
      Tmpfs: r.hostConfig.tmpfs ?? null,
      LogConfig: r.hostConfig.logConfig ?? { Type: 'json-file', Config: {} },
      MemorySwap: r.hostConfig.memorySwap ?? (r.hostConfig.memory ? r.hostConfig.memory * 2 : 0),
      ShmSize: r.hostConfig.shmSize ?? 64 * 1024 * 1024,
      Ulimits: r.hostConfig.ulimits ?? null,
      Init: r.hostConfig.init ?? null,
    },
    Mounts: r.mounts,
    GraphDriver: { Name: 'overlay2', Data: { LowerDir: lower, UpperDir: dirs.upper, WorkDir: dirs.work, MergedDir: dirs.merged } },
    NetworkSettings: networkSettings(r),
  };
}

/** A container's NetworkSettings: each configured network, with its address while the container runs. */
export function networkSettings(r: ContainerRecord): ContainerNetworkSettings {
  const mode = networkModeOf(r);
  const networks: Record<string, EndpointSettings> = {};
  for (const [name, cfg] of Object.entries(r.networks ?? { [mode]: {} })) {
    const e = r.endpoints?.[name];
    networks[name] = {
      IPAMConfig: cfg.ipv4Address ? { IPv4Address: cfg.ipv4Address } : null,
      Links: null,
      Aliases: cfg.aliases?.length ? cfg.aliases : null,
      MacAddress: e?.macAddress ?? '',
      DriverOpts: null,
      NetworkID: e?.networkId ?? '',
      EndpointID: e?.endpointId ?? '',
      Gateway: e?.gateway ?? '',
      IPAddress: e?.ipAddress ?? '',
      IPPrefixLen: e?.prefixLen ?? 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DNSNames: e?.dnsNames.length ? e.dnsNames : null,
    };
  }
  // the deprecated top-level fields are the default bridge's, as in Docker
  const b = r.endpoints?.['bridge'];
  return {
    Bridge: '',
    SandboxID: '',
    // the container's network namespace in the machine (Docker's is a bind mount of the same file)
    SandboxKey: r.state.pid && networkModeOf(r) !== 'host' ? `/proc/${r.state.pid}/ns/net` : '',
    // while it runs: every exposed port, with where it is published (null: not published)
    Ports: r.endpoints ? Object.fromEntries((r.exposedPorts ?? []).map((k) => [k, r.ports?.[k] ?? null])) : {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: b?.endpointId ?? '',
    Gateway: b?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: b?.ipAddress ?? '',
    IPPrefixLen: b?.prefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: b?.macAddress ?? '',
    Networks: networks,
  };
}
