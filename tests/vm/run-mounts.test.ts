/**
 * `docker run --init`, `--tmpfs`/`--mount type=tmpfs`, `--shm-size` and `--ulimit` on the real
 * guest (issue 18): docker-init is PID 1, reaps orphans and passes SIGTERM on (so `docker stop`
 * ends a `sleep` at once); a tmpfs is a size-limited memory filesystem whose files never reach
 * the read-write layer; /dev/shm has the asked size; ulimits are set before the command starts.
 */
import { describe, expect, it } from 'vitest';
import type { CreateContainerOptions, LogEntry } from '../../src/engine/api.ts';
import { useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('runmounts');

/** Runs a container to its end; its output and exit code. */
async function run(options: Omit<CreateContainerOptions, 'image'>): Promise<{ out: string; code: number; id: string }> {
  const { id } = await vm.engine.containers.create({ image: 'busybox', ...options });
  const code = await (await vm.engine.containers.start(id, {}))!.exit;
  const entries: LogEntry[] = [];
  await vm.engine.containers.logs(id, { onEntry: (e) => entries.push(e) });
  return { out: entries.map((e) => new TextDecoder().decode(e.data)).join(''), code, id };
}

describe('--init', () => {
  it('docker-init is PID 1 and reaps the orphans a shell leaves', { timeout: 60_000 }, async () => {
    const script = '(sleep 0.2 &); sleep 1; ps -o pid,stat,args';
    const withInit = await run({ cmd: ['sh', '-c', script], init: true });
    expect(withInit.out).toMatch(/^\s*1 \S+\s+\/sbin\/docker-init -- sh -c/m);
    expect(withInit.out, 'no zombie left').not.toMatch(/ Z /);
    expect((await vm.engine.containers.inspect(withInit.id)).HostConfig.Init).toBe(true);
    expect(
      (await vm.engine.containers.diff(withInit.id)).map((c) => c.path),
      'docker-init never lands in the read-write layer',
    ).not.toContain('/sbin/docker-init');
  });

  it('passes docker stop on to the command: a sleep ends at once instead of after the timeout', { timeout: 60_000 }, async () => {
    // without --init, sleep is PID 1, which ignores SIGTERM: docker stop waits, then kills
    const plain = await vm.engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
    await vm.engine.containers.start(plain.id);
    const p0 = Date.now();
    await vm.engine.containers.stop(plain.id, { timeoutSeconds: 2 });
    expect(Date.now() - p0).toBeGreaterThanOrEqual(1900);
    expect((await vm.engine.containers.inspect(plain.id)).State.ExitCode).toBe(137);
    await vm.engine.containers.remove(plain.id);
    // right after the start: a signal sent while docker-init is still starting waits for it
    const { id } = await vm.engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], init: true });
    await vm.engine.containers.start(id);
    const t0 = Date.now();
    await vm.engine.containers.stop(id, { timeoutSeconds: 8 });
    expect(Date.now() - t0).toBeLessThan(4000);
    expect((await vm.engine.containers.inspect(id)).State.ExitCode).toBe(143);
    await vm.engine.containers.remove(id);
  });
});

describe('memory filesystems and limits', () => {
  it('--tmpfs and --mount type=tmpfs: a sized tmpfs whose files stay out of the read-write layer', { timeout: 60_000 }, async () => {
    const r = await run({
      cmd: ['sh', '-c', 'echo x > /scratch/f; echo y > /t/g; df -k /scratch /t | tail -2; grep -E " /(scratch|t) " /proc/mounts'],
      tmpfs: { '/scratch': 'size=1m', '/t': 'size=2097152,mode=700' },
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/tmpfs\s+1024\s+\d+\s+\d+\s+\d+% \/scratch/);
    expect(r.out).toMatch(/tmpfs\s+2048\s+\d+\s+\d+\s+\d+% \/t/);
    expect(r.out).toMatch(/tmpfs \/t tmpfs rw,nosuid,nodev,[^ ]*mode=700/);
    expect((await vm.engine.containers.diff(r.id)).filter((c) => c.path.startsWith('/scratch/') || c.path.startsWith('/t/'))).toEqual([]);
    const full = await run({ cmd: ['sh', '-c', 'dd if=/dev/zero of=/scratch/big bs=1k count=2048'], tmpfs: { '/scratch': 'size=1m' } });
    expect(full.code).toBe(1);
    expect(full.out).toContain('No space left on device');
  });

  it('--shm-size sizes /dev/shm (64 MiB by default, as Docker); --ulimit is set before the command', { timeout: 60_000 }, async () => {
    expect((await run({ cmd: ['sh', '-c', 'df -k /dev/shm | tail -1'] })).out).toMatch(/^shm\s+65536\s/);
    expect((await run({ cmd: ['sh', '-c', 'df -k /dev/shm | tail -1'], shmSize: 16 * 1024 * 1024 })).out).toMatch(/^shm\s+16384\s/);
    const limits = await run({
      cmd: ['sh', '-c', 'ulimit -n; ulimit -Hn; ulimit -s'],
      ulimits: [
        { Name: 'nofile', Soft: 100, Hard: 200 },
        { Name: 'stack', Soft: -1, Hard: -1 },
      ],
    });
    expect(limits.out).toBe('100\n200\nunlimited\n');
  });
});

describe('--log-opt and --log-driver', () => {
  it('max-size rotates the json-file log (max-file keeps that many files); none keeps nothing', { timeout: 60_000 }, async () => {
    // 40 lines of ~80-byte records: max-size=1k rotates about every 12 lines, max-file=2 keeps the last two files
    const script = 'i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo line-$i; done';
    const r = await run({ cmd: ['sh', '-c', script], logConfig: { Type: 'json-file', Config: { 'max-size': '1k', 'max-file': '2' } } });
    const kept = r.out.trim().split('\n');
    expect(kept.at(-1)).toBe('line-40');
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(30);
    expect(kept[0]).not.toBe('line-1');
    expect((await vm.engine.containers.inspect(r.id)).HostConfig.LogConfig).toEqual({
      Type: 'json-file',
      Config: { 'max-size': '1k', 'max-file': '2' },
    });
    const none = await vm.engine.containers.create({ image: 'busybox', cmd: ['echo', 'hi'], logConfig: { Type: 'none', Config: {} } });
    await (await vm.engine.containers.start(none.id, {}))!.exit;
    await expect(vm.engine.containers.logs(none.id, { onEntry: () => {} })).rejects.toThrow(
      'configured logging driver does not support reading',
    );
    await expect(
      vm.engine.containers.create({ image: 'busybox', cmd: ['true'], logConfig: { Type: 'syslog', Config: {} } }),
    ).rejects.toThrow("no log driver named 'syslog' is registered");
    await expect(
      vm.engine.containers.create({ image: 'busybox', cmd: ['true'], logConfig: { Type: 'json-file', Config: { colour: 'red' } } }),
    ).rejects.toThrow("unknown log opt 'colour' for json-file log driver");
  });
});

describe('volume copy-up', () => {
  it(
    "an empty volume first gets the image's files at its mount point, with their owner; a used one is left as it is",
    { timeout: 60_000 },
    async () => {
      // busybox's /etc holds passwd and group; /home/nobody is not in the image (nothing to copy)
      const first = await run({
        cmd: ['sh', '-c', 'ls /etc; stat -c "%u:%g %a" /etc; echo mine > /etc/added'],
        volumes: [{ source: 'etcvol', target: '/etc' }],
      });
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/^group\n/m);
      expect(first.out).toMatch(/^passwd\n/m);
      expect(first.out).toMatch(/^0:0 755$/m);
      // a second container sees the volume as the first left it (nothing copied over it again)
      const second = await run({ cmd: ['sh', '-c', 'rm /etc/passwd; ls /etc'], volumes: [{ source: 'etcvol', target: '/etc' }] });
      expect(second.out).toMatch(/^added\n/m);
      const third = await run({ cmd: ['ls', '/etc'], volumes: [{ source: 'etcvol', target: '/etc' }] });
      expect(third.out).not.toMatch(/^passwd$/m);
      const other = await run({ cmd: ['ls', '-A', '/nothing-here'], volumes: [{ target: '/nothing-here' }] });
      expect(other).toMatchObject({ code: 0, out: '' });
    },
  );
});
