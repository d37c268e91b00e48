import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../engine/api.ts';
import { machineView, topProcesses, type MachineView, type TopRows } from './machine.ts';
import { expectGolden, wrap } from './testdata/golden.ts';
import playground from './testdata/playground.json' with { type: 'json' };

const containers = playground.containers as ContainerSummary[];
const top = new Map(Object.entries(playground.top) as [string, TopRows][]);

function formatMachine(v: MachineView): string {
  const out = [
    `VM ${v.kernelLabel} ${v.memLabel} (${v.memTotal} B): ${v.runningCount} running, ${v.stoppedCount} stopped, ${v.processCount} processes`,
  ];
  for (const c of v.containers) {
    out.push(`  ${c.name} (${c.shortId}) ${c.image} ${c.state} "${c.status}" processes=${c.processesKnown ? c.processes.length : '?'}`);
    for (const p of c.processes)
      out.push(`    ${p.main ? '*' : ' '} ${String(p.pid).padStart(5)} ${String(p.ppid).padStart(5)} ${p.user} ${p.command}`);
  }
  out.push('alt:', wrap(v.alt));
  return `${out.join('\n')}\n`;
}

describe('machineView', () => {
  it('draws the VM with its containers as processes (golden)', () => {
    const view = machineView(playground.info, containers, top);
    expectGolden('machine-playground', formatMachine(view));
    expect(view).toMatchObject({ kernelLabel: 'Linux 6.1.0', memLabel: '502.8MiB', runningCount: 1, stoppedCount: 3, processCount: 3 });
  });

  it('works before any docker top', () => {
    const view = machineView({ kernelVersion: '', memTotal: 512 * 1024 * 1024 }, containers);
    expect(view.memLabel).toBe('512MiB');
    expect(view.kernelLabel).toBe('Linux');
    expect(view.containers.every((c) => c.processes.length === 0 && !c.processesKnown)).toBe(true);
    expect(machineView({ kernelVersion: '6.1.0', memTotal: 0 }, []).alt).toBe(
      'A virtual machine running Linux 6.1.0 with 0 B of memory. No containers are on it.',
    );
  });
});

describe('topProcesses', () => {
  it('marks the processes whose parent is outside the container', () => {
    const rows = topProcesses({
      titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      processes: [
        ['root', '90', '70', '0', '-', '?', '00:00:00', 'sleep 5'],
        ['root', '70', '12', '0', '-', '?', '00:00:00', 'sh -c while true; do sleep 5; done'],
        ['1000', '95', '13', '0', '-', 'pts/0', '00:00:00', 'sh'],
      ],
    });
    expect(rows.map((p) => [p.pid, p.ppid, p.user, p.main])).toEqual([
      [70, 12, 'root', true],
      [90, 70, 'root', false],
      [95, 13, '1000', true],
    ]);
  });

  it('reads ps-style titles too', () => {
    const rows = topProcesses({ titles: ['USER', 'PID', 'PPID', 'COMMAND'], processes: [['root', '1', '0', 'nginx']] });
    expect(rows).toEqual([{ pid: 1, ppid: 0, user: 'root', command: 'nginx', main: true }]);
  });
});
