/** A container's processes as the engine hands them out: environment merging, attached processes and `docker top`'s listing. */
import type { GuestMachine, GuestProcess, SpawnSpec } from '../../runtime/types.ts';
import { signalNumber } from '../../runtime/types.ts';
import type { AttachedProcess } from '../api.ts';
import { capabilityMask, effectiveCapabilities, noNewPrivileges } from './security.ts';
import { cgroupName } from './sync.ts';
import type { Attachment } from '../networks/manager.ts';
import type { ContainerRecord } from './types.ts';
import { guestShell } from '../guest/guest-fs.ts';

/** A spawn spec without the image it was prepared from. */
export function withoutImage<T extends { image: unknown }>(spec: T): Omit<T, 'image'> {
  const { image: _unused, ...rest } = spec;
  return rest;
}

/** Environment `NAME=value` entries: later entries replace earlier ones with the same NAME. */
export function mergeEnv(base: string[], extra: string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    const key = e.split('=')[0]!;
    const i = out.findIndex((x) => x.split('=')[0] === key);
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

/** A guest process as an attached container process, with `exit` as its exit code. */
export function attached(proc: GuestProcess, exit: Promise<number>): AttachedProcess {
  return {
    onStdout: (l) => proc.onStdout(l),
    onStderr: (l) => proc.onStderr(l),
    write: (d) => proc.write(d),
    closeStdin: () => proc.closeStdin(),
    resize: (rows, cols) => proc.resize(rows, cols),
    kill: (signal = 'SIGKILL') => proc.kill(signalNumber(signal)),
    exit,
  };
}

/** `docker top`: the processes in the PID namespace of guest process `pid`, as `ps -ef` columns. */
export async function containerProcesses(guest: GuestMachine, pid: number): Promise<{ titles: string[]; processes: string[][] }> {
  const out = await guestShell(
    guest,
    `ns=$(readlink /proc/${pid}/ns/pid); for p in /proc/[0-9]*; do [ "$(readlink $p/ns/pid 2>/dev/null)" = "$ns" ] || continue; ` +
      `pid=\${p#/proc/}; set -- $(cat $p/stat 2>/dev/null | sed 's/.*) //'); uid=$(awk '/^Uid:/{print $2}' $p/status); ` +
      `args=$(tr '\\0' ' ' < $p/cmdline); echo "$uid|$pid|$2|\${args:-[$(cat $p/comm)]}"; done`,
    'listing container processes',
  );
  const processes = out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [uid = '', pid = '', ppid = '', cmd = ''] = line.split('|');
      return [uid === '0' ? 'root' : uid, pid, ppid, '0', '-', '?', '00:00:00', cmd.trim()];
    })
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  return { titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], processes };
}

/** How the guest agent starts a container's main process: `base` (its overlay, mounts and argv) as user `user`, in new namespaces under the container's cgroup. */
export function containerSpawnSpec(
  r: ContainerRecord,
  base: Omit<SpawnSpec, 'env' | 'cwd' | 'uid' | 'gid'>,
  user: { uid: number; gid: number; groups: number[] },
  size: { rows: number; cols: number } | undefined,
  network: Attachment | undefined,
): SpawnSpec {
  const { uid, gid, groups } = user;
  const env = mergeEnv(r.config.env, [`HOSTNAME=${r.config.hostname}`, ...(r.config.tty ? ['TERM=xterm'] : [])]);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${uid === 0 ? '/root' : '/'}`);
  return {
    ...base,
    env,
    cwd: r.config.workingDir || '/',
    uid,
    gid,
    groups,
    // --network host: the machine's own network stack
    namespaces: network && !network.ownNamespace ? ['pid', 'uts', 'mnt', 'ipc'] : ['pid', 'uts', 'mnt', 'ipc', 'net'],
    ...(network?.interfaces.length ? { bridges: network.bridges, networks: network.interfaces } : {}),
    ...(network?.dnsFiles.length
      ? { dns: network.bridges.filter((b) => network.dnsFiles.some((f) => f.path.endsWith(`/${b.name}`))).map((b) => b.name) }
      : {}),
    hostname: r.config.hostname,
    proc: true,
    readonlyRoot: r.hostConfig.readOnly,
    cgroup: {
      name: cgroupName(r.id),
      ...(r.hostConfig.memory ? { memoryMax: r.hostConfig.memory } : {}),
      ...(r.hostConfig.pidsLimit ? { pidsMax: r.hostConfig.pidsLimit } : {}),
    },
    ...(r.config.tty ? { pty: size ?? { rows: 24, cols: 80 } } : {}),
    stdinNull: !r.config.openStdin,
    ...containerPrivileges(r),
  };
}

/** The capabilities, no_new_privs and masked paths of a container's processes (its main one and its execs). */
export function containerPrivileges(r: ContainerRecord): Pick<SpawnSpec, 'capabilities' | 'noNewPrivileges' | 'maskPaths'> {
  const h = r.hostConfig;
  return {
    capabilities: capabilityMask(effectiveCapabilities({ ...h })),
    ...(noNewPrivileges(h.securityOpt) ? { noNewPrivileges: true } : {}),
    ...(h.privileged ? {} : { maskPaths: true }),
  };
}
