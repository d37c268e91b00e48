/**
 * Restart policies and the other run flags of issue 18 on the real guest: `--restart on-failure:N`
 * restarts a failing container N times with Docker's growing delay, `always` restarts until
 * `docker stop` (which, like `docker kill`, keeps it stopped), `ps` says "Restarting (3) …" in
 * between; `--add-host` writes /etc/hosts (host-gateway: the machine); `--stop-timeout` and
 * `--stop-signal` change what `docker stop` does.
 */
import { describe, expect, it } from 'vitest';
import { guestShell } from '../../src/engine/guest/guest-fs.ts';
import { logText, until, useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('restart');

describe('--restart', () => {
  it('on-failure:2 runs a failing container three times in all, then leaves it exited', { timeout: 60_000 }, async () => {
    const { id } = await vm.engine.containers.create({
      image: 'busybox',
      name: 'flaky',
      cmd: ['sh', '-c', 'echo attempt; exit 3'],
      restartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
    });
    await vm.engine.containers.start(id);
    let sawRestarting = false;
    await until('two restarts', async () => {
      const c = (await vm.engine.containers.list({ all: true })).find((x) => x.name === 'flaky');
      if (c?.state === 'restarting') {
        sawRestarting = true;
        expect(c.status).toMatch(/^Restarting \(3\) (Less than a second|\d+ seconds?) ago$/);
      }
      const s = await vm.engine.containers.inspect('flaky');
      return s.RestartCount === 2 && s.State.Status === 'exited';
    });
    // the delays are 100 ms then 200 ms: the poll sees at least one of them
    expect(sawRestarting).toBe(true);
    const s = await vm.engine.containers.inspect('flaky');
    expect(s.State).toMatchObject({ Status: 'exited', ExitCode: 3, Restarting: false });
    expect(s.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
    expect(await logText(vm.engine, 'flaky')).toBe('attempt\nattempt\nattempt\n');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await vm.engine.containers.inspect('flaky')).RestartCount, 'no more after the limit').toBe(2);
    await vm.engine.containers.remove('flaky');
  });

  it(
    'always restarts a container that exits 0, until docker stop; a kill while it waits keeps it stopped',
    { timeout: 60_000 },
    async () => {
      const { id } = await vm.engine.containers.create({
        image: 'busybox',
        name: 'again',
        cmd: ['sh', '-c', 'echo up; sleep 0.3'],
        restartPolicy: { Name: 'always', MaximumRetryCount: 0 },
      });
      await vm.engine.containers.start(id);
      await until('a restart', async () => (await vm.engine.containers.inspect('again')).RestartCount >= 1);
      await expect(vm.engine.containers.remove('again')).rejects.toThrow(/container is (running|restarting)/);
      await vm.engine.containers.stop('again');
      const stopped = await vm.engine.containers.inspect('again');
      expect(stopped.State.Status).toBe('exited');
      const count = stopped.RestartCount;
      await new Promise((r) => setTimeout(r, 1500));
      expect((await vm.engine.containers.inspect('again')).RestartCount, 'docker stop keeps it stopped').toBe(count);
      // started again by hand, it restarts again; killed in its wait, it stays down
      await vm.engine.containers.start('again');
      await until('the wait between runs', async () => (await vm.engine.containers.inspect('again')).State.Status === 'restarting', 10_000);
      await vm.engine.containers.kill('again');
      await new Promise((r) => setTimeout(r, 1500));
      expect((await vm.engine.containers.inspect('again')).State.Status).toBe('exited');
      await vm.engine.containers.remove('again');
    },
  );
});

describe('run flags', () => {
  it("--add-host writes /etc/hosts before the container's own line; host-gateway is the machine", { timeout: 60_000 }, async () => {
    const { id } = await vm.engine.containers.create({
      image: 'busybox',
      cmd: ['cat', '/etc/hosts'],
      extraHosts: ['db:10.0.0.5', 'host.docker.internal:host-gateway'],
    });
    await (await vm.engine.containers.start(id, {}))!.exit;
    const hosts = await logText(vm.engine, id);
    expect(hosts).toMatch(
      /ff02::2\tip6-allrouters\n10\.0\.0\.5\tdb\n172\.17\.0\.1\thost\.docker\.internal\n172\.17\.0\.\d+\t[0-9a-f]{12}\n$/,
    );
    expect((await vm.engine.containers.inspect(id)).HostConfig.ExtraHosts).toEqual(['db:10.0.0.5', 'host.docker.internal:host-gateway']);
    await vm.engine.containers.remove(id);
  });

  it(
    '--stop-timeout is how long docker stop waits for a process that ignores the signal; --stop-signal is the signal',
    { timeout: 60_000 },
    async () => {
      // sleep as PID 1 ignores SIGTERM: stop waits its timeout, then kills
      const { id } = await vm.engine.containers.create({ image: 'busybox', cmd: ['sleep', '100'], stopTimeout: 1 });
      await vm.engine.containers.start(id);
      const t0 = Date.now();
      await vm.engine.containers.stop(id);
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(5000);
      expect((await vm.engine.containers.inspect(id)).Config.StopTimeout).toBe(1);
      await vm.engine.containers.remove(id);
      // a shell that traps SIGINT ends at once when that is the stop signal
      const trap = await vm.engine.containers.create({
        image: 'busybox',
        cmd: ['sh', '-c', 'trap "echo got INT; exit 0" INT; while :; do sleep 0.1; done'],
        stopSignal: 'SIGINT',
      });
      await vm.engine.containers.start(trap.id);
      await new Promise((r) => setTimeout(r, 300));
      const t1 = Date.now();
      await vm.engine.containers.stop(trap.id);
      expect(Date.now() - t1).toBeLessThan(3000);
      const s = await vm.engine.containers.inspect(trap.id);
      expect(s.Config.StopSignal).toBe('SIGINT');
      expect(s.State.ExitCode).toBe(0);
      expect(await logText(vm.engine, trap.id)).toBe('got INT\n');
      await vm.engine.containers.remove(trap.id);
    },
  );
});

describe('docker update', () => {
  it(
    "changes a running container's memory and pids limits in its cgroup, and a stopped one's restart policy",
    { timeout: 60_000 },
    async () => {
      const { id } = await vm.engine.containers.create({
        image: 'busybox',
        name: 'limited',
        cmd: ['sleep', '100'],
        memory: 64 * 1024 * 1024,
      });
      await vm.engine.containers.start(id);
      await vm.engine.containers.update('limited', { memory: 32 * 1024 * 1024, pidsLimit: 20 });
      const cg = `/sys/fs/cgroup/c-${id.slice(0, 12)}`;
      const read = async () => (await guestShell(vm.node.machine()!, `cat ${cg}/memory.max ${cg}/pids.max`, 'reading the cgroup')).trim();
      expect(await read()).toBe(`${32 * 1024 * 1024}\n20`);
      expect((await vm.engine.containers.inspect('limited')).HostConfig).toMatchObject({ Memory: 32 * 1024 * 1024, PidsLimit: 20 });
      const [stats] = await vm.engine.containers.stats({ names: ['limited'], intervalMs: 100 });
      expect(stats?.memoryLimit).toBe(32 * 1024 * 1024);
      await vm.engine.containers.update('limited', { pidsLimit: -1 });
      expect(await read()).toBe(`${32 * 1024 * 1024}\nmax`);
      await expect(vm.engine.containers.update('limited', { memory: 1024 * 1024 })).rejects.toThrow('Minimum memory limit allowed is 6MB');
      await vm.engine.containers.kill('limited');
      // a stopped container takes its new restart policy at its next start
      await vm.engine.containers.update('limited', { restartPolicy: { Name: 'on-failure', MaximumRetryCount: 1 } });
      expect((await vm.engine.containers.inspect('limited')).HostConfig.RestartPolicy).toEqual({
        Name: 'on-failure',
        MaximumRetryCount: 1,
      });
      await vm.engine.containers.remove('limited');
      const rm = await vm.engine.containers.create({ image: 'busybox', cmd: ['true'], autoRemove: true });
      await expect(vm.engine.containers.update(rm.id, { restartPolicy: { Name: 'always', MaximumRetryCount: 0 } })).rejects.toThrow(
        'Restart policy cannot be updated because AutoRemove is enabled for the container',
      );
      await vm.engine.containers.remove(rm.id);
    },
  );
});
