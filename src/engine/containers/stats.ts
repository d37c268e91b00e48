/** `docker stats`: a container's CPU, memory and process counts, read from its cgroup in the guest. */
import type { GuestMachine } from '../../runtime/types.ts';
import { guestShell } from '../guest/guest-fs.ts';
import { containerCgroup } from './sync.ts';

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
