/** What `docker ps` and `docker inspect` say about a container record: its status line, its summary row and its inspect document. */
import type { ContainerInspect, ContainerSummary } from '../api.ts';
import { containerDirs, INIT_LAYER_DIR, layerDir } from '../guest/guest-fs.ts';
import { humanDuration } from '../util/time.ts';
import type { ContainerRecord, ResolvedImage } from './types.ts';

/** Docker's STATUS column: `Up 5 minutes`, `Exited (0) 2 seconds ago`, `Created`. */
export function containerStatus(r: ContainerRecord, now: Date): string {
  const at = now.getTime();
  switch (r.state.status) {
    case 'running':
      return `Up ${humanDuration(at - Date.parse(r.state.startedAt))}`;
    case 'paused':
      return `Up ${humanDuration(at - Date.parse(r.state.startedAt))} (Paused)`;
    case 'exited':
      return `Exited (${r.state.exitCode}) ${humanDuration(at - Date.parse(r.state.finishedAt))} ago`;
    case 'created':
      return 'Created';
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
    mounts: r.mounts,
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
      Restarting: false,
      OOMKilled: r.state.oomKilled,
      Dead: false,
      Pid: r.state.pid,
      ExitCode: r.state.exitCode,
      Error: r.state.error,
      StartedAt: r.state.startedAt,
      FinishedAt: r.state.finishedAt,
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
    },
    HostConfig: {
      Memory: r.hostConfig.memory,
      PidsLimit: r.hostConfig.pidsLimit,
      ReadonlyRootfs: r.hostConfig.readOnly,
      AutoRemove: r.hostConfig.autoRemove,
      Binds: r.mounts.map((m) => `${m.Name}:${m.Destination}${m.RW ? '' : ':ro'}`),
      CapAdd: r.hostConfig.capAdd ?? null,
      CapDrop: r.hostConfig.capDrop ?? null,
      Privileged: !!r.hostConfig.privileged,
      SecurityOpt: r.hostConfig.securityOpt ?? null,
    },
    Mounts: r.mounts,
    GraphDriver: { Name: 'overlay2', Data: { LowerDir: lower, UpperDir: dirs.upper, WorkDir: dirs.work, MergedDir: dirs.merged } },
  };
}
