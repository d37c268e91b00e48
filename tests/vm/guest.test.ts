/**
 * The real guest in Node: restored from the committed snapshot, driven through the agent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeMachine } from '../../src/runtime/node.ts';
import { collect, type GuestProcess } from '../../src/runtime/types.ts';
import type { V86Machine } from '../../src/runtime/v86-machine.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
let m: V86Machine;

async function run(argv: string[], extra: Parameters<V86Machine['spawn']>[0] extends infer S ? Partial<S> : never = {}) {
  return collect(await m.spawn({ argv, stdinNull: true, ...extra }));
}

async function sh(script: string) {
  const r = await run(['sh', '-c', script]);
  if (r.status.code !== 0) throw new Error(`sh failed (${r.status.code}): ${text(r.stderr)}`);
  return text(r.stdout);
}

/** Reads a stream until `pattern` appears. */
function waitFor(proc: GuestProcess, pattern: RegExp, ms = 10_000): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; saw ${JSON.stringify(seen)}`)), ms);
    proc.onStdout((d) => {
      seen += text(d);
      if (pattern.test(seen)) {
        clearTimeout(t);
        resolve(seen);
      }
    });
  });
}

beforeAll(async () => {
  m = await startNodeMachine({ boot: 'snapshot', healthInterval: 0 });
});
afterAll(async () => {
  await m?.stop();
});

describe('guest from the snapshot', () => {
  it('restores into a running agent with the host clock', async () => {
    expect(m.status).toMatchObject({ state: 'running', bootedFrom: 'snapshot' });
    const r = await run(['date', '+%s']);
    expect(Math.abs(Number(text(r.stdout)) - Date.now() / 1000)).toBeLessThan(5);
    expect(text((await run(['uname', '-r'])).stdout).trim()).toBe(m.manifest.kernelRelease);
  });

  it('reports exit codes and keeps stdout and stderr apart', async () => {
    const r = await run(['sh', '-c', 'echo to-out; echo to-err >&2; exit 42']);
    expect(r.status).toEqual({ code: 42, signal: 0, oomKilled: false });
    expect(text(r.stdout)).toBe('to-out\n');
    expect(text(r.stderr)).toBe('to-err\n');
  });

  it('exits 127 with the guest message for an unknown command', async () => {
    const r = await run(['no-such-command']);
    expect(r.status.code).toBe(127);
    expect(text(r.stderr)).toContain('executable file not found');
    const r2 = await run(['sh', '-c', 'no-such-command']);
    expect(r2.status.code).toBe(127);
    expect(text(r2.stderr)).toContain('not found');
  });

  it('is binary-safe in both directions', async () => {
    const bytes = new Uint8Array(randomBytes(300_000));
    bytes.set(Uint8Array.from({ length: 256 }, (_, i) => i));
    const proc = await m.spawn({ argv: ['cat'] });
    const result = collect(proc);
    proc.write(bytes);
    proc.closeStdin();
    const { stdout, status } = await result;
    expect(status.code).toBe(0);
    expect(stdout.length).toBe(bytes.length);
    expect(Buffer.from(stdout).equals(Buffer.from(bytes))).toBe(true);
  });

  it('runs 20 sessions at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => run(['sh', '-c', `sleep 0.$((${i} % 5)); echo session-${i}; exit ${i}`])),
    );
    results.forEach((r, i) => {
      expect(r.status.code).toBe(i);
      expect(text(r.stdout)).toBe(`session-${i}\n`);
    });
  });

  it('attaches a pty whose size follows resize', async () => {
    const proc = await m.spawn({ argv: ['sh'], pty: { rows: 33, cols: 101 } });
    const first = waitFor(proc, /33 101/);
    proc.write('stty size\n');
    await first;
    proc.resize(40, 120);
    const second = waitFor(proc, /40 120\r?\n\/dev\/pts\/\d+/);
    proc.write('stty size; tty\n');
    await second;
    proc.write('exit 5\n');
    expect((await proc.exit).code).toBe(5);
  });

  it('round-trips a 20 MB file through 9p with matching sha256', async () => {
    const data = new Uint8Array(randomBytes(20 * 1024 * 1024));
    const want = createHash('sha256').update(data).digest('hex');
    await m.writeFile('xfer/in.bin', data);
    const guestSum = await sh('sha256sum /mnt/host/xfer/in.bin | cut -d" " -f1; cp /mnt/host/xfer/in.bin /mnt/host/xfer/out.bin');
    expect(guestSum.trim()).toBe(want);
    const back = await m.readFile('xfer/out.bin');
    expect(createHash('sha256').update(back).digest('hex')).toBe(want);
    await m.deleteFile('xfer');
    await expect(m.readFile('xfer/out.bin')).rejects.toThrow();
  });

  it('runs a process on an overlay of two lower dirs in new pid, uts and mount namespaces', async () => {
    const base = '/var/lib/layerlab/t-overlay';
    await sh(`
      set -e
      mkdir -p ${base}/l1/bin ${base}/l2/etc ${base}/upper ${base}/work ${base}/merged
      cp /bin/busybox ${base}/l1/bin/busybox
      for a in sh cat echo hostname ls ps; do ln -sf busybox ${base}/l1/bin/$a; done
      echo from-l1 > ${base}/l1/shared; echo from-l2 > ${base}/l2/shared; echo only-l1 > ${base}/l1/one
    `);
    const r = await run(
      ['sh', '-c', 'echo pid=$$; hostname; cat /shared /one; echo new > /created; ls /proc/1/exe >/dev/null && echo proc-ok'],
      {
        root: `${base}/merged`,
        overlay: { lower: [`${base}/l2`, `${base}/l1`], upper: `${base}/upper`, work: `${base}/work` },
        namespaces: ['pid', 'uts', 'mnt', 'ipc', 'net'],
        hostname: 'box1',
        proc: true,
      },
    );
    expect(text(r.stderr)).toBe('');
    expect(text(r.stdout)).toBe('pid=1\nbox1\nfrom-l2\nonly-l1\nproc-ok\n');
    // the write landed in the upper dir; the host's hostname and mounts are untouched
    expect(await sh(`cat ${base}/upper/created; hostname; grep -c ${base}/merged /proc/mounts || true`)).toBe('new\nlayerlab\n0\n');
  });

  it('OOM-kills a process over its cgroup memory limit and keeps working', async () => {
    const r = await run(['sh', '-c', 'x=$(head -c 40000000 /dev/zero | tr "\\0" a); echo survived'], {
      cgroup: { name: 'test-oom', memoryMax: 8 * 1024 * 1024 },
    });
    expect(r.status).toEqual({ code: 137, signal: 9, oomKilled: true });
    expect(text(r.stdout)).not.toContain('survived');
    expect(await sh('echo still-here; test -d /sys/fs/cgroup/test-oom && echo leaked || true')).toBe('still-here\n');
  });

  it('holds a fork bomb with pids.max and kills it on request', async () => {
    const bomb = await m.spawn({
      // PID 1 must not need a fork itself once the bomb has taken every pid
      argv: ['sh', '-c', '(bomb() { bomb | bomb & }; bomb); exec sleep 100000'],
      namespaces: ['pid'],
      cgroup: { name: 'test-bomb', pidsMax: 24 },
      stdinNull: true,
    });
    const out = collect(bomb);
    await new Promise((r) => setTimeout(r, 2500));
    const current = Number((await sh('cat /sys/fs/cgroup/test-bomb/pids.current')).trim());
    expect(current).toBeGreaterThan(1);
    expect(current).toBeLessThanOrEqual(24);
    expect(await m.ping(2000)).toBeLessThan(2000);
    bomb.kill('SIGKILL');
    const { status } = await out;
    expect(status.code).toBe(137);
    expect(await sh('test -d /sys/fs/cgroup/test-bomb && echo leaked || echo gone')).toBe('gone\n');
  });

  it('kills a process that never exits', async () => {
    const proc = await m.spawn({ argv: ['sleep', '100000'], stdinNull: true });
    setTimeout(() => proc.kill('SIGTERM'), 200);
    expect(await proc.exit).toEqual({ code: 143, signal: 15, oomKilled: false });
  });

  it('blocks a process that prints without end while the host is not reading', async () => {
    const proc = await m.spawn({ argv: ['yes', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'], stdinNull: true });
    let received = 0;
    proc.pause();
    proc.onStdout((d) => (received += d.length));
    await new Promise((r) => setTimeout(r, 1000));
    expect(received).toBe(0);
    proc.resume();
    await new Promise((r) => setTimeout(r, 300));
    // the agent stopped at its credit: everything held arrives, and more flows once credit returns
    expect(received).toBeGreaterThan(200 * 1024);
    proc.kill();
    await proc.exit;
    expect(await m.ping(2000)).toBeLessThan(2000);
  });

  it('runs a process as another user in a working directory it creates', async () => {
    const r = await run(['sh', '-c', 'id -u; id -g; pwd'], { uid: 1000, gid: 1000, cwd: '/tmp/work/dir' });
    expect(text(r.stdout)).toBe('1000\n1000\n/tmp/work/dir\n');
  });
});
