/** `docker stats`: a container's CPU, memory and process counts, read from its cgroup in the guest. */
import type { GuestMachine } from '../../runtime/types.ts';
import { guestShell } from '../guest/guest-fs.ts';
import type { ContainerStats } from '../api.ts';
import { containerCgroup } from './sync.ts';
import type { ContainerRecord } from './types.ts';

/** One cgroup reading. */
export interface CgroupSample {
  /** CPU time used so far (microseconds). */
  usageUsec: number;
  /** Memory in use minus the inactive file cache, as Docker reports it (bytes). */
  memory: number;
  /** memory.max, or undefined when unlimited. */
  memoryMax: number | undefined;
  pids: number;
  /** When it was read (ms, the guest's monotonic clock does not matter: the host's does). */
  at: number;
}

/** Reads the cgroups of `ids` in one guest command (a container whose cgroup is gone is left out). */
export async function readCgroups(guest: GuestMachine, ids: readonly string[]): Promise<Map<string, CgroupSample>> {
  if (ids.length === 0) return new Map();
  const script = ids
    .map((id) => {
      const cg = containerCgroup(id);
      return (
        `[ -d ${cg} ] && echo "${id} $(cat ${cg}/memory.current) $(cat ${cg}/memory.max) $(cat ${cg}/pids.current) ` +
        `$(awk '/^usage_usec/{print $2}' ${cg}/cpu.stat) $(awk '/^inactive_file/{print $2}' ${cg}/memory.stat)"`
      );
    })
    .join('; ');
  const at = Date.now();
  const out = await guestShell(guest, `${script}; true`, 'reading container statistics');
  const samples = new Map<string, CgroupSample>();
  for (const line of out.split('\n')) {
    const [id, current, max, pids, usage, inactive] = line.trim().split(/\s+/);
    if (!id || current === undefined) continue;
    samples.set(id, {
      usageUsec: Number(usage) || 0,
      memory: Math.max(0, Number(current) - (Number(inactive) || 0)),
      memoryMax: max === 'max' || max === undefined ? undefined : Number(max),
      pids: Number(pids) || 0,
      at,
    });
  }
  return samples;
}

/** CPU % between two readings, as Docker computes it on a one-CPU machine. */
export function cpuPercent(before: CgroupSample, after: CgroupSample): number {
  const wall = (after.at - before.at) * 1000;
  return wall > 0 ? Math.max(0, ((after.usageUsec - before.usageUsec) / wall) * 100) : 0;
}

/** `docker stats` rows for `chosen`: two readings `intervalMs` apart of the running ones' cgroups. */
export async function statsOf(
  chosen: ContainerRecord[],
  guest: GuestMachine | undefined,
  running: ContainerRecord[],
  intervalMs = 500,
): Promise<ContainerStats[]> {
  const ids = running.map((r) => r.id);
  const before = guest ? await readCgroups(guest, ids) : new Map<string, CgroupSample>();
  if (guest) await new Promise((r) => setTimeout(r, intervalMs));
  const after = guest ? await readCgroups(guest, ids) : new Map<string, CgroupSample>();
  const total = guest ? await machineMemory(guest) : 0;
  return chosen.map((r) => {
    const a = before.get(r.id);
    const b = after.get(r.id);
    return {
      id: r.id,
      name: r.name,
      cpuPercent: a && b ? cpuPercent(a, b) : 0,
      memoryUsage: b?.memory ?? 0,
      memoryLimit: b?.memoryMax ?? (r.hostConfig.memory || total),
      pids: b?.pids ?? 0,
      running: !!b,
    };
  });
}

/** The machine's memory (bytes), the limit of a container that has none. */
async function machineMemory(guest: GuestMachine): Promise<number> {
  const kb = await guestShell(guest, "awk '/^MemTotal/{print $2}' /proc/meminfo", 'reading the machine memory').catch(() => '0');
  return Number(kb.trim()) * 1024 || 0;
}
