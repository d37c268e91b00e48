/** `docker top` on the real guest (issue 18): C, STIME, TTY and TIME come from /proc, as `ps -ef` prints them. */
import { describe, expect, it } from 'vitest';
import { useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('top');

describe('docker top', () => {
  it('shows a busy process using the CPU, its start time, its terminal and its CPU time', { timeout: 60_000 }, async () => {
    const { id } = await vm.engine.containers.create({
      image: 'busybox',
      tty: true,
      cmd: ['sh', '-c', 'sleep 1000 & while :; do :; done'],
    });
    const started = new Date();
    await vm.engine.containers.start(id, { size: { rows: 24, cols: 80 } });
    await new Promise((r) => setTimeout(r, 2500));
    const top = await vm.engine.containers.top(id);
    expect(top.titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    const [shell, sleeper] = top.processes;
    expect(shell?.[7]).toBe('sh -c sleep 1000 & while :; do :; done');
    expect(Number(shell?.[3]), 'the busy loop uses the CPU').toBeGreaterThan(20);
    expect(sleeper?.[7]).toBe('sleep 1000');
    // C is CPU time over the time since the process started, so the sleeper's own start-up (an
    // exec in the emulator, slower under load) can show as 1% this early; read it again later.
    expect(Number(sleeper?.[3])).toBeLessThanOrEqual(1);
    const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    expect([hhmm(started), hhmm(new Date(started.getTime() - 60_000)), hhmm(new Date())]).toContain(shell?.[4]);
    expect(shell?.[5]).toMatch(/^pts\/\d+$/);
    expect(shell?.[6]).toMatch(/^00:00:0[1-3]$/);
    expect(sleeper?.[6]).toBe('00:00:00');
    await new Promise((r) => setTimeout(r, 6000));
    const later = await vm.engine.containers.top(id);
    const idle = later.processes.find((p) => p[7] === 'sleep 1000');
    expect(idle?.[3], 'an idle process uses no CPU').toBe('0');
    expect(Number(later.processes[0]?.[3]), 'the busy loop still uses the CPU').toBeGreaterThan(20);
    await vm.engine.containers.remove(id, { force: true });
  });
});
