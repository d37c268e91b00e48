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

/** Clock ticks per second of /proc's times (Linux's USER_HZ on x86). */
const HZ = 100;

/** `docker top`: the processes in the PID namespace of guest process `pid`, as `ps -ef` columns (C, STIME, TTY and TIME from /proc). */
export async function containerProcesses(
  guest: GuestMachine,
  pid: number,
  now: Date = new Date(),
): Promise<{ titles: string[]; processes: string[][] }> {
  const out = await guestShell(
    guest,
    `cut -d' ' -f1 /proc/uptime; ns=$(readlink /proc/${pid}/ns/pid); for p in /proc/[0-9]*; do [ "$(readlink $p/ns/pid 2>/dev/null)" = "$ns" ] || continue; ` +
      `pid=\${p#/proc/}; set -- $(cat $p/stat 2>/dev/null | sed 's/.*) //'); uid=$(awk '/^Uid:/{print $2}' $p/status); ` +
      `args=$(tr '\\0' ' ' < $p/cmdline); echo "$uid|$pid|$2|$5|\${12}|\${13}|\${20}|\${args:-[$(cat $p/comm)]}"; done`,
    'listing container processes',
  );
  const [uptimeLine = '0', ...lines] = out.trim().split('\n');
  const uptime = Number(uptimeLine);
  const processes = lines
    .filter(Boolean)
    .map((line) => {
      const [uid = '', pid = '', ppid = '', ttyNr = '0', utime = '0', stime = '0', start = '0', cmd = ''] = line.split('|');
      const cpuSeconds = (Number(utime) + Number(stime)) / HZ;
      const ranFor = Math.max(0, uptime - Number(start) / HZ);
      const c = ranFor > 0 ? Math.min(99, Math.floor((cpuSeconds / ranFor) * 100)) : 0;
      const startedAt = new Date(now.getTime() - ranFor * 1000);
      return [
        uid === '0' ? 'root' : uid,
        pid,
        ppid,
        String(c),
        psStartTime(startedAt, now),
        ttyName(Number(ttyNr)),
        psTime(cpuSeconds),
        cmd.trim(),
      ];
    })
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  return { titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], processes };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** procps' STIME: `HH:MM` within a day, `MonDD` within a year, else the year (local time). */
export function psStartTime(started: Date, now: Date): string {
  const age = now.getTime() - started.getTime();
  const pad = (n: number) => String(n).padStart(2, '0');
  if (age < 24 * 3600_000) return `${pad(started.getHours())}:${pad(started.getMinutes())}`;
  if (age < 365 * 24 * 3600_000) return `${MONTHS[started.getMonth()]}${pad(started.getDate())}`;
  return String(started.getFullYear());
}

/** procps' TIME: cumulative CPU time as `[DD-]HH:MM:SS`. */
export function psTime(seconds: number): string {
  const s = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(s / 86400);
  const hms = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days > 0 ? `${days}-${hms}` : hms;
}

/** A controlling terminal's name from /proc's tty_nr (`pts/0`, `tty1`, `ttyS0`), `?` for none. */
export function ttyName(ttyNr: number): string {
  if (!ttyNr) return '?';
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  if (major === 5 && minor === 1) return 'console';
  return '?';
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
