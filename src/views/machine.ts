/**
 * The virtual machine as a box: its Linux kernel and memory, and every container on it as what
 * it really is there, a group of processes (`docker top`) sharing that one kernel.
 */
import type { ContainerState, ContainerSummary } from '../engine/api.ts';
import { listWords, memoryLabel, plural, shortHex, spokenMemory } from './format.ts';

/** `docker top` output: column titles and one row of cells per process. */
export interface TopRows {
  titles: string[];
  processes: string[][];
}

/** One process of a container, as the VM numbers it. */
export interface MachineProcess {
  pid: number;
  ppid: number;
  user: string;
  /** The command line (`CMD` column). */
  command: string;
  /** The container's first process (its parent is not in the container). */
  main: boolean;
}

/** A container on the machine. */
export interface MachineContainer {
  id: string;
  shortId: string;
  name: string;
  image: string;
  state: ContainerState;
  running: boolean;
  status: string;
  /** Its processes, by PID; [] when stopped or not listed. */
  processes: MachineProcess[];
  /** Whether `docker top` was given for it. */
  processesKnown: boolean;
}

/** The machine picture. */
export interface MachineView {
  /** Kernel release, e.g. `6.1.0`. */
  kernelVersion: string;
  /** `Linux 6.1.0`. */
  kernelLabel: string;
  /** Bytes of memory. */
  memTotal: number;
  /** `512MiB`, as `docker info` prints Total Memory. */
  memLabel: string;
  containers: MachineContainer[];
  runningCount: number;
  stoppedCount: number;
  /** Processes listed over all containers. */
  processCount: number;
  alt: string;
}

function column(titles: readonly string[], name: string): number {
  return titles.findIndex((t) => t.toUpperCase() === name);
}

/** `docker top` rows as processes; the main ones are those whose parent is outside the container. */
export function topProcesses(top: TopRows): MachineProcess[] {
  const col = {
    pid: column(top.titles, 'PID'),
    ppid: column(top.titles, 'PPID'),
    user: column(top.titles, 'UID'),
    cmd: column(top.titles, 'CMD'),
  };
  const userCol = col.user >= 0 ? col.user : column(top.titles, 'USER');
  const cmdCol = col.cmd >= 0 ? col.cmd : column(top.titles, 'COMMAND');
  const rows = top.processes.map((cells) => ({
    pid: Number(cells[col.pid] ?? NaN),
    ppid: Number(cells[col.ppid] ?? NaN),
    user: cells[userCol] ?? '',
    command: cmdCol >= 0 ? (cells[cmdCol] ?? '') : (cells[cells.length - 1] ?? ''),
  }));
  const pids = new Set(rows.map((r) => r.pid));
  return rows.map((r) => ({ ...r, main: !pids.has(r.ppid) })).sort((a, b) => a.pid - b.pid);
}

/** The VM box from `docker info`'s kernel and memory, `docker ps -a`, and `docker top` per running container id. */
export function machineView(
  info: { kernelVersion: string; memTotal: number },
  containers: readonly ContainerSummary[],
  processes?: ReadonlyMap<string, TopRows>,
): MachineView {
  const list = containers.map((c): MachineContainer => {
    const top = processes?.get(c.id);
    return {
      id: c.id,
      shortId: shortHex(c.id),
      name: c.name,
      image: c.image,
      state: c.state,
      running: c.state === 'running',
      status: c.status,
      processes: top && c.state === 'running' ? topProcesses(top) : [],
      processesKnown: top !== undefined,
    };
  });
  const runningCount = list.filter((c) => c.running).length;
  const view: Omit<MachineView, 'alt'> = {
    kernelVersion: info.kernelVersion,
    kernelLabel: info.kernelVersion ? `Linux ${info.kernelVersion}` : 'Linux',
    memTotal: info.memTotal,
    memLabel: memoryLabel(info.memTotal),
    containers: list,
    runningCount,
    stoppedCount: list.length - runningCount,
    processCount: list.reduce((n, c) => n + c.processes.length, 0),
  };
  return { ...view, alt: machineAlt(view) };
}

function machineAlt(v: Omit<MachineView, 'alt'>): string {
  const out = [`A virtual machine running ${v.kernelLabel} with ${spokenMemory(v.memTotal)} of memory.`];
  if (v.containers.length === 0) {
    out.push('No containers are on it.');
    return out.join(' ');
  }
  out.push(`It has ${plural(v.containers.length, 'container')}, ${v.runningCount} running; all share this one kernel.`);
  for (const c of v.containers) {
    if (!c.running) {
      const state = c.state === 'exited' ? 'has exited' : c.state === 'created' ? 'has not started' : `is ${c.state}`;
      out.push(`${c.name} (${c.image}) ${state}, so it has no processes.`);
    } else if (c.processes.length === 0) {
      out.push(`${c.name} (${c.image}) is running.`);
    } else {
      const procs = c.processes.map((p) => `PID ${p.pid} ${p.command}`);
      out.push(
        `${c.name} (${c.image}) is running as ${plural(c.processes.length, 'process', 'processes')} on the machine: ${listWords(procs)}.`,
      );
    }
  }
  return out.join(' ');
}
