/**
 * CPU limits (`--cpus`, `--cpu-shares`, `--cpuset-cpus`) with the guest's cgroup v2 cpu
 * controller: `cpu.max` (quota per 100 ms period) and `cpu.weight` (runc's conversion from
 * shares). The controller is switched on for the machine's cgroups when a container first asks
 * for a CPU limit. Such a container's cgroup is made, with its limits, before its process starts
 * (so its first instruction is already limited); the agent then joins it without owning it, so
 * the engine ends what is left in it and removes it when the container stops.
 */
import type { GuestMachine } from '../../runtime/types.ts';
import { InvalidArgumentError } from '../errors.ts';
import { guestShell, shellQuote as quote } from '../guest/guest-fs.ts';
import { containerCgroup } from './sync.ts';
import type { ContainerRecord } from './types.ts';

/** The machine's CPUs: v86 emulates one. */
export const MACHINE_CPUS = 1;
/** Docker's CFS period, µs. */
const CPU_PERIOD = 100_000;

/** The CPU settings of a container, as `docker run` and `docker update` give them. */
export interface CpuSettings {
  /** `--cpus` × 1e9. */
  nanoCpus?: number;
  /** `-c`, `--cpu-shares`. */
  cpuShares?: number;
  /** `--cpuset-cpus`. */
  cpusetCpus?: string;
}

/** The daemon's checks of CPU settings on a machine of `MACHINE_CPUS` CPUs. */
export function checkCpuSettings(s: CpuSettings): void {
  if (s.nanoCpus && (s.nanoCpus < 1e7 || s.nanoCpus > MACHINE_CPUS * 1e9))
    throw new InvalidArgumentError(`Range of CPUs is from 0.01 to ${MACHINE_CPUS}.00, as there are only ${MACHINE_CPUS} CPUs available`);
  if (s.cpuShares !== undefined && s.cpuShares < 0) throw new InvalidArgumentError('invalid CPU shares: must not be negative');
  if (s.cpusetCpus !== undefined && s.cpusetCpus !== '') {
    const cpus = parseCpuList(s.cpusetCpus);
    if (!cpus) throw new InvalidArgumentError(`Invalid value ${s.cpusetCpus} for cpuset cpus`);
    const missing = cpus.filter((c) => c >= MACHINE_CPUS);
    if (missing.length)
      throw new InvalidArgumentError(
        `Requested CPUs are not available - requested ${s.cpusetCpus}, available: ${MACHINE_CPUS === 1 ? '0' : `0-${MACHINE_CPUS - 1}`}`,
      );
  }
}

/** `0-2,4` as [0, 1, 2, 4], or undefined when malformed. */
function parseCpuList(list: string): number[] | undefined {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return undefined;
    for (let c = from; c <= to; c++) out.push(c);
  }
  return out;
}

/** runc's conversion of cgroup v1 shares (2–262144) to a v2 weight (1–10000). */
export function sharesToWeight(shares: number): number {
  const s = Math.min(262_144, Math.max(2, shares));
  return Math.floor(1 + ((s - 2) * 9999) / 262_142);
}

/** Whether the container asks for a limit the cpu controller enforces. */
export function hasCpuLimits(r: ContainerRecord): boolean {
  return !!r.hostConfig.nanoCpus || !!r.hostConfig.cpuShares;
}

const enabled = new WeakSet<GuestMachine>();

/** Switches the cpu controller on for the machine's cgroups (once per machine). */
export async function enableCpuController(guest: GuestMachine): Promise<void> {
  if (enabled.has(guest)) return;
  await guestShell(
    guest,
    'grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu > /sys/fs/cgroup/cgroup.subtree_control',
    'enabling the cgroup cpu controller',
  );
  enabled.add(guest);
}

/** Makes a starting container's cgroup with its CPU limits in place (the controller switched on first). */
export async function prepareCpuCgroup(guest: GuestMachine, r: ContainerRecord): Promise<void> {
  await enableCpuController(guest);
  await guestShell(guest, `mkdir -p ${quote(containerCgroup(r.id))}`, `making the cgroup of ${r.name}`);
  await writeCpuLimits(guest, r);
}

/** Ends whatever is left in a stopped container's cgroup and removes it (the agent does it for the cgroups it made). */
export async function removeCgroup(guest: GuestMachine, id: string): Promise<void> {
  const cg = quote(containerCgroup(id));
  await guestShell(
    guest,
    `[ -d ${cg} ] || exit 0; echo 1 > ${cg}/cgroup.kill; i=0; while ! rmdir ${cg} 2>/dev/null && [ $i -lt 100 ]; do usleep 20000; i=$((i+1)); done`,
    'removing the container cgroup',
  );
}

/** Writes the container's `cpu.max` and `cpu.weight` (`max` and the default weight when unset). */
export async function writeCpuLimits(guest: GuestMachine, r: ContainerRecord): Promise<void> {
  const cg = containerCgroup(r.id);
  const nano = r.hostConfig.nanoCpus ?? 0;
  const max = nano > 0 ? `${Math.round((nano * CPU_PERIOD) / 1e9)} ${CPU_PERIOD}` : `max ${CPU_PERIOD}`;
  const weight = r.hostConfig.cpuShares ? sharesToWeight(r.hostConfig.cpuShares) : 100;
  await guestShell(
    guest,
    `echo ${max} > ${quote(`${cg}/cpu.max`)} && echo ${weight} > ${quote(`${cg}/cpu.weight`)}`,
    `limiting the CPU of ${r.name}`,
  );
}
