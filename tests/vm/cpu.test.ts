/**
 * CPU limits on the real guest (issue 18): `--cpus 0.25` holds a busy loop near a quarter of the
 * CPU (cgroup v2 cpu.max, measured from the cgroup's cpu.stat), `docker update --cpus` changes it
 * live, `--cpu-shares` becomes cpu.weight, and the daemon's errors for what one CPU cannot give.
 */
import { describe, expect, it } from 'vitest';
import { guestShell } from '../../src/engine/guest/guest-fs.ts';
import { useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('cpu');

/** The share of one CPU the container used over `ms`, from its cgroup's usage_usec. */
async function cpuShare(id: string, ms: number): Promise<number> {
  const read = async () =>
    Number(
      (await guestShell(vm.node.machine()!, `sed -n 's/^usage_usec //p' /sys/fs/cgroup/c-${id.slice(0, 12)}/cpu.stat`, 'cpu.stat')).trim(),
    );
  const a = await read();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = await read();
  return (b - a) / 1000 / (Date.now() - t0);
}

describe('CPU limits', () => {
  it('--cpus holds a busy loop to its share; docker update --cpus changes it while it runs', { timeout: 90_000 }, async () => {
    const { id } = await vm.engine.containers.create({
      image: 'busybox',
      cmd: ['sh', '-c', 'while :; do :; done'],
      nanoCpus: 0.25e9,
      cpuShares: 512,
    });
    await vm.engine.containers.start(id);
    const cg = `/sys/fs/cgroup/c-${id.slice(0, 12)}`;
    expect((await guestShell(vm.node.machine()!, `cat ${cg}/cpu.max ${cg}/cpu.weight`, 'cpu files')).trim()).toBe('25000 100000\n20');
    const limited = await cpuShare(id, 3000);
    expect(limited).toBeGreaterThan(0.15);
    expect(limited).toBeLessThan(0.35);
    await vm.engine.containers.update(id, { nanoCpus: 0 });
    expect((await guestShell(vm.node.machine()!, `cat ${cg}/cpu.max`, 'cpu.max')).trim()).toBe('max 100000');
    expect(await cpuShare(id, 3000), 'unlimited, the loop takes most of the CPU').toBeGreaterThan(0.6);
    const inspect = await vm.engine.containers.inspect(id);
    expect(inspect.HostConfig).toMatchObject({ NanoCpus: 0, CpuShares: 512 });
    await vm.engine.containers.remove(id, { force: true });
  });

  it('a container sees its CPU limit from its first instruction, and what it leaves behind ends with it', { timeout: 60_000 }, async () => {
    const { id } = await vm.engine.containers.create({ image: 'busybox', cmd: ['cat', '/sys/fs/cgroup/cpu.max'], nanoCpus: 0.5e9 });
    await (await vm.engine.containers.start(id, {}))!.exit;
    const out: string[] = [];
    await vm.engine.containers.logs(id, { onEntry: (e) => out.push(new TextDecoder().decode(e.data)) });
    expect(out.join('')).toBe('50000 100000\n');
    await vm.engine.containers.remove(id);
    const bg = await vm.engine.containers.create({ image: 'busybox', cmd: ['sh', '-c', 'sleep 300 & exit 0'], nanoCpus: 0.5e9 });
    await (await vm.engine.containers.start(bg.id, {}))!.exit;
    await new Promise((r) => setTimeout(r, 300));
    const cg = `/sys/fs/cgroup/c-${bg.id.slice(0, 12)}`;
    expect(
      (await guestShell(vm.node.machine()!, `test -d ${cg} && echo left || echo gone; pgrep -f 'sleep 300' || true`, 'left')).trim(),
    ).toBe('gone');
    await vm.engine.containers.remove(bg.id);
  });

  it("refuses what one CPU cannot give, in the daemon's words", async () => {
    await expect(vm.engine.containers.create({ image: 'busybox', cmd: ['true'], nanoCpus: 2e9 })).rejects.toThrow(
      'Range of CPUs is from 0.01 to 1.00, as there are only 1 CPUs available',
    );
    await expect(vm.engine.containers.create({ image: 'busybox', cmd: ['true'], cpusetCpus: '0-1' })).rejects.toThrow(
      'Requested CPUs are not available - requested 0-1, available: 0',
    );
    const { id } = await vm.engine.containers.create({ image: 'busybox', cmd: ['true'], cpusetCpus: '0' });
    expect((await vm.engine.containers.inspect(id)).HostConfig.CpusetCpus).toBe('0');
    await vm.engine.containers.remove(id);
  });
});
