/**
 * What a container sees besides its image, on the real guest, as Docker shows it: its own
 * /etc/hostname, /etc/hosts and /etc/resolv.conf (bind-mounted from the container's dir, never in
 * its read-write layer), sysfs and its own cgroup (a cgroup namespace) under /sys, and runc's
 * wording when its command cannot run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { CreateContainerOptions } from '../../src/engine/api.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { CONTAINER_HOSTS } from '../../src/engine/guest/guest-fs.ts';
import { NO_WAY_OUT_RESOLV_CONF } from '../../src/engine/networks/manager.ts';
import { decompress, readTar } from '../../src/engine/layer/index.ts';
import { output } from '../fixtures/process-output.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const home = mkdtempSync(join(tmpdir(), 'layerlab-mounts-'));
let node: NodeEngine;
let engine: Engine;

async function run(image: string, cmd: string[], extra: Partial<CreateContainerOptions> = {}) {
  const { id } = await engine.containers.create({ image, cmd, ...extra });
  return { id, ...(await output(await engine.containers.start(id, {}))) };
}

async function exec(id: string, cmd: string[]) {
  return output(await engine.containers.exec(id, { cmd }));
}

/** The single file a `docker cp CONTAINER:PATH -` tar holds. */
async function copyFrom(id: string, path: string): Promise<string> {
  const entries = readTar((await engine.containers.copyFrom(id, path)).tar);
  expect(entries.map((e) => e.name)).toEqual([path.split('/').pop()]);
  return text(entries[0]!.data ?? new Uint8Array());
}

/** Paths in the top layer of an image, as `docker save` writes it. */
async function topLayerPaths(ref: string): Promise<string[]> {
  const archive = readTar(await engine.images.save([ref]));
  const file = (name: string) => archive.find((e) => e.name === name)!.data!;
  const [manifest] = JSON.parse(text(file('manifest.json'))) as { Layers: string[] }[];
  return readTar(await decompress(file(manifest!.Layers.at(-1)!))).map((e) => e.name.replace(/\/$/, ''));
}

const ETC_FILES = /^\/?etc\/(hostname|hosts|resolv\.conf)$/;

beforeAll(async () => {
  node = await openNodeEngine({ home });
  engine = node.engine;
  await engine.images.pull('busybox');
  await engine.images.pull('debian:bookworm-slim');
});
afterAll(async () => {
  await node?.close();
});

describe('/etc/hostname, /etc/hosts and /etc/resolv.conf', () => {
  it("are the container's own (debian's image has /etc/hostname 'localhost'), writable, and never in diff or commit", async () => {
    const debian = await engine.imageStore.tree(await engine.imageStore.resolve('debian:bookworm-slim'));
    expect(text(debian.get('etc/hostname')!.data!)).toBe('localhost\n');
    const script =
      'cat /etc/hostname; hostname; cat /etc/hosts /etc/resolv.conf; echo 1.2.3.4 a >> /etc/hosts; tail -n 1 /etc/hosts; touch /etc/new-file';
    const r = await run('debian:bookworm-slim', ['sh', '-c', script]);
    const short = r.id.slice(0, 12);
    expect(r.err).toBe('');
    // on the default bridge: its address and hostname last in /etc/hosts, and no nameserver (no way out)
    const hosts = `${CONTAINER_HOSTS}172.17.0.2\t${short}\n`;
    expect(r.out).toBe(`${short}\n${short}\n${hosts}${NO_WAY_OUT_RESOLV_CONF}1.2.3.4 a\n`);
    expect(CONTAINER_HOSTS.split('\n')[0]).toBe('127.0.0.1\tlocalhost');
    // /etc itself was copied up (new-file), yet the three files are not changes of the container
    expect(await engine.containers.diff(r.id)).toEqual([
      { kind: 'C', path: '/etc' },
      { kind: 'A', path: '/etc/new-file' },
    ]);
    // docker cp of the stopped container gives its own hosts file, edits included, as Docker does
    expect(await copyFrom(r.id, '/etc/hosts')).toBe(`${hosts}1.2.3.4 a\n`);
    await engine.containers.commit(r.id, { reference: 'etc-commit:1' });
    const paths = await topLayerPaths('etc-commit:1');
    expect(paths).toContain('etc/new-file');
    expect(paths.filter((p) => ETC_FILES.test(p))).toEqual([]);
    // a start writes them afresh (Docker regenerates them on every start): the edit is gone
    const again = await output(await engine.containers.start(r.id, {}));
    expect(again.out).toBe(r.out);
    expect(await engine.containers.diff(r.id)).toEqual([
      { kind: 'C', path: '/etc' },
      { kind: 'A', path: '/etc/new-file' },
    ]);
    // a container of the committed image gets its own files too
    const child = await run('etc-commit:1', ['cat', '/etc/hostname']);
    expect(child.out).toBe(`${child.id.slice(0, 12)}\n`);
  });

  it('come from the init layer in an image without them (busybox), follow --hostname, and docker exec sees them', async () => {
    const image = await engine.imageStore.resolve('busybox');
    const tree = await engine.imageStore.tree(image);
    expect(['etc/hostname', 'etc/hosts', 'etc/resolv.conf'].filter((p) => tree.get(p))).toEqual([]);
    const { id } = await engine.containers.create({
      image: 'busybox',
      hostname: 'web',
      cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
    });
    await engine.containers.start(id);
    const hosts = `${CONTAINER_HOSTS}172.17.0.2\tweb\n`;
    expect(await exec(id, ['cat', '/etc/hostname', '/etc/hosts'])).toEqual({ code: 0, out: `web\n${hosts}`, err: '' });
    expect((await exec(id, ['sh', '-c', 'echo 5.6.7.8 b >> /etc/hosts && ls -l /etc/resolv.conf | cut -c1-10'])).out).toBe('-rw-r--r--\n');
    expect(await copyFrom(id, '/etc/hosts')).toBe(`${hosts}5.6.7.8 b\n`);
    expect(await engine.containers.diff(id)).toEqual([]);
    await engine.containers.stop(id, { timeoutSeconds: 5 });
    expect(await engine.containers.diff(id)).toEqual([]);
    await engine.containers.commit(id, { reference: 'etc-empty:1' });
    expect(await topLayerPaths('etc-empty:1')).toEqual([]);
  });

  it('lie over a volume mounted at /etc (mounts go parents first, as in Docker)', async () => {
    const r = await run('busybox', ['sh', '-c', 'cat /etc/hostname; head -n 1 /etc/hosts'], {
      hostname: 'v',
      volumes: [{ source: 'etcvol', target: '/etc' }],
    });
    expect(r).toMatchObject({ code: 0, out: 'v\n127.0.0.1\tlocalhost\n', err: '' });
  });
});

describe('/sys and the cgroup namespace', () => {
  it('shows the memory and pids limits at /sys/fs/cgroup, read-only, and / in /proc/self/cgroup', async () => {
    const script =
      'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /proc/self/cgroup; ls /sys/class/net | grep -x lo; touch /sys/fs/cgroup/x /sys/x 2>&1; grep -E " /sys(/fs/cgroup)? " /proc/self/mounts | cut -d" " -f1-4';
    const limited = await run('debian:bookworm-slim', ['sh', '-c', script], { memory: 64 * 1024 * 1024, pidsLimit: 50 });
    expect(limited.out).toBe(
      '67108864\n50\n0::/\nlo\n' +
        "touch: cannot touch '/sys/fs/cgroup/x': Read-only file system\ntouch: cannot touch '/sys/x': Read-only file system\n" +
        'sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime\ncgroup2 /sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec,relatime\n',
    );
    const unlimited = await run('busybox', ['cat', '/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/pids.max', '/proc/self/cgroup']);
    expect(unlimited.out).toBe('max\nmax\n0::/\n');
    expect(await engine.containers.diff(unlimited.id)).toEqual([]);
  });

  it('docker exec joins the cgroup namespace', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', memory: 32 * 1024 * 1024, cmd: ['sleep', '1000'] });
    await engine.containers.start(id);
    expect(await exec(id, ['cat', '/proc/self/cgroup', '/sys/fs/cgroup/memory.max'])).toEqual({
      code: 0,
      out: '0::/\n33554432\n',
      err: '',
    });
    // both processes are in the container's cgroup, seen from inside
    expect((await exec(id, ['cat', '/sys/fs/cgroup/cgroup.procs'])).out.trim().split('\n').length).toBeGreaterThanOrEqual(2);
    await engine.containers.remove(id, { force: true });
  });
});

describe("runc's wording when the command cannot run", () => {
  it('looks the command up first (127, 126) and reports a failed execve as the process (exit 1)', async () => {
    expect(await run('busybox', ['/etc/passwd'])).toMatchObject({ code: 126, out: '', err: 'exec: "/etc/passwd": permission denied\n' });
    expect(await run('busybox', ['/etc'])).toMatchObject({ code: 126, err: 'exec: "/etc": is a directory\n' });
    expect(await run('busybox', ['/nope'])).toMatchObject({ code: 127, err: 'exec: "/nope": stat /nope: no such file or directory\n' });
    expect(await run('busybox', ['nope'])).toMatchObject({ code: 127, err: 'exec: "nope": executable file not found in $PATH\n' });
    // an executable that is no program for this CPU, and a script whose interpreter is missing
    const made = await run('busybox', [
      'sh',
      '-c',
      'printf "\\0\\0\\0\\0" > /bin/blob; printf "#!/no/such/sh\\n" > /bin/script; chmod +x /bin/blob /bin/script',
    ]);
    expect(made.code).toBe(0);
    await engine.containers.commit(made.id, { reference: 'unrunnable:1' });
    expect(await run('unrunnable:1', ['blob'])).toMatchObject({ code: 1, err: 'exec /bin/blob: exec format error\n' });
    expect(await run('unrunnable:1', ['/bin/script'])).toMatchObject({ code: 1, err: 'exec /bin/script: no such file or directory\n' });
  });
});

describe('modification times', () => {
  it("are the layer's, for directories too (extraction writes into a directory after making it)", async () => {
    // debian's layer dates everything 2026-01-01 00:00:00 UTC (guest/debian-images.ts EPOCH)
    const r = await run('debian:bookworm-slim', ['ls', '-ld', '--full-time', '/usr', '/usr/lib', '/usr/bin/ls'], { autoRemove: true });
    expect(r.err).toBe('');
    const dates = r.out
      .trim()
      .split('\n')
      .map((l) => / (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.\d+ \+0000 /.exec(l)?.[1]);
    expect(dates).toEqual(Array(3).fill('2026-01-01 00:00:00'));
  });
});
