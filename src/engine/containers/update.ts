/** `docker update`: a container's memory and pids limits and its restart policy, changed in its record and, while it runs, in its cgroup. */
import type { GuestMachine } from '../../runtime/types.ts';
import type { ContainerUpdate } from '../api.ts';
import { InvalidArgumentError } from '../errors.ts';
import { guestShell, shellQuote as quote } from '../guest/guest-fs.ts';
import { checkCpuSettings, enableCpuController, writeCpuLimits } from './cpu.ts';
import { checkRestartPolicy, MIN_MEMORY } from './record.ts';
import { containerCgroup } from './sync.ts';
import type { ContainerRecord } from './types.ts';

/** Checks `update` as the daemon does and returns `r` with it applied (the record only). */
export function updatedRecord(r: ContainerRecord, update: ContainerUpdate): ContainerRecord {
  const next: ContainerRecord = { ...r, hostConfig: { ...r.hostConfig } };
  if (update.restartPolicy) {
    checkRestartPolicy(update.restartPolicy);
    if (r.hostConfig.autoRemove && update.restartPolicy.Name !== 'no')
      throw new InvalidArgumentError('Restart policy cannot be updated because AutoRemove is enabled for the container');
    if (update.restartPolicy.Name === 'no') delete next.hostConfig.restartPolicy;
    else next.hostConfig.restartPolicy = update.restartPolicy;
  }
  // 0 leaves the memory limit as it is, as the daemon's update does
  if (update.memory) {
    if (update.memory < MIN_MEMORY) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
    next.hostConfig.memory = update.memory;
  }
  // 0 or -1: no limit
  if (update.pidsLimit !== undefined) next.hostConfig.pidsLimit = update.pidsLimit > 0 ? update.pidsLimit : null;
  checkCpuSettings(update);
  if (update.nanoCpus !== undefined) {
    if (update.nanoCpus) next.hostConfig.nanoCpus = update.nanoCpus;
    else delete next.hostConfig.nanoCpus;
  }
  if (update.cpuShares !== undefined) {
    if (update.cpuShares) next.hostConfig.cpuShares = update.cpuShares;
    else delete next.hostConfig.cpuShares;
  }
  return next;
}

/** Writes a running container's new limits into its cgroup (the kernel applies them at once). */
export async function applyLimits(guest: GuestMachine, r: ContainerRecord, update: ContainerUpdate): Promise<void> {
  const cg = containerCgroup(r.id);
  const writes: string[] = [];
  if (update.memory) writes.push(`echo ${r.hostConfig.memory} > ${quote(`${cg}/memory.max`)}`);
  if (update.pidsLimit !== undefined) writes.push(`echo ${r.hostConfig.pidsLimit ?? 'max'} > ${quote(`${cg}/pids.max`)}`);
  if (writes.length) await guestShell(guest, writes.join(' && '), `updating the limits of ${r.name}`);
  if (update.nanoCpus !== undefined || update.cpuShares !== undefined) {
    await enableCpuController(guest);
    await writeCpuLimits(guest, r);
  }
}
