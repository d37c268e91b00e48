/**
 * Bind mounts on the real guest (issue 18): a host folder bound into a container is there when it
 * starts, follows the host's edits while it runs, and what the container writes reaches the host
 * (while it runs, and at the latest when it stops); `:ro` refuses writes; a single file can be
 * bound; `--mount type=bind` wants an existing source where `-v` makes one; inspect shows Docker's
 * Mounts; none of it lands in the container's read-write layer.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CreateContainerOptions } from '../../src/engine/api.ts';
import { logText, until, useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('binds');

/** Runs a container to its end; its output and exit code. */
async function run(options: Omit<CreateContainerOptions, 'image'>): Promise<{ out: string; code: number; id: string }> {
  const { id } = await vm.engine.containers.create({ image: 'busybox', ...options });
  const code = await (await vm.engine.containers.start(id, {}))!.exit;
  return { out: await logText(vm.engine, id), code, id };
}

function hostFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-bind-src-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('bind mounts', () => {
  it(
    "gives the container the host's files and hands the host what it writes, keeping neither in its layer",
    { timeout: 60_000 },
    async () => {
      const dir = hostFolder({ 'app.py': 'print("hi")\n', 'src/lib.txt': 'lib\n' });
      const r = await run({
        cmd: [
          'sh',
          '-c',
          'cat /app/app.py /app/src/lib.txt; echo made > /app/out.txt; mkdir -p /app/logs && echo 1 > /app/logs/a; rm /app/src/lib.txt',
        ],
        binds: [{ source: dir, target: '/app', create: true }],
      });
      expect(r.code).toBe(0);
      expect(r.out).toBe('print("hi")\nlib\n');
      expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('made\n');
      expect(readFileSync(join(dir, 'logs/a'), 'utf8')).toBe('1\n');
      expect(existsSync(join(dir, 'src/lib.txt'))).toBe(false);
      expect(readFileSync(join(dir, 'app.py'), 'utf8')).toBe('print("hi")\n');
      const changes = (await vm.engine.containers.diff(r.id)).map((c) => c.path);
      expect(changes.filter((p) => p.startsWith('/app/'))).toEqual([]);
      const inspect = await vm.engine.containers.inspect(r.id);
      expect(inspect.Mounts).toEqual([{ Type: 'bind', Name: '', Source: dir, Destination: '/app', RW: true, Propagation: 'rprivate' }]);
      expect(inspect.HostConfig.Binds).toEqual([`${dir}:/app`]);
      rmSync(dir, { recursive: true });
    },
  );

  it("follows the host's edits while it runs, and the host sees its writes without waiting for the end", { timeout: 60_000 }, async () => {
    const dir = hostFolder({ 'msg.txt': 'one\n' });
    const { id } = await vm.engine.containers.create({
      image: 'busybox',
      name: 'follower',
      // prints the file whenever it changes, and writes a heartbeat into the folder
      cmd: [
        'sh',
        '-c',
        'last=; while :; do m=$(cat /w/msg.txt); [ "$m" != "$last" ] && echo "saw $m" && last=$m; date +%s > /w/beat; usleep 100000; done',
      ],
      binds: [{ source: dir, target: '/w', create: true }],
    });
    await vm.engine.containers.start(id);
    await until('the first line', async () => (await logText(vm.engine, id)).includes('saw one'));
    writeFileSync(join(dir, 'msg.txt'), 'two\n');
    await until('the edit inside the container', async () => (await logText(vm.engine, id)).includes('saw two'), 15_000);
    await until('the heartbeat on the host', async () => existsSync(join(dir, 'beat')), 15_000);
    await vm.engine.containers.remove(id, { force: true });
    rmSync(dir, { recursive: true });
  });

  it('refuses writes to a :ro bind, and binds a single file', { timeout: 60_000 }, async () => {
    const dir = hostFolder({ 'conf/app.conf': 'port=80\n' });
    const ro = await run({
      cmd: ['sh', '-c', 'cat /etc/app/app.conf; echo x > /etc/app/new'],
      binds: [{ source: join(dir, 'conf'), target: '/etc/app', readonly: true }],
    });
    expect(ro.out).toContain('port=80');
    expect(ro.out).toMatch(/Read-only file system/);
    expect(ro.code).not.toBe(0);
    expect(existsSync(join(dir, 'conf/new'))).toBe(false);
    const file = await run({
      cmd: ['sh', '-c', 'cat /app.conf && echo port=81 > /app.conf'],
      binds: [{ source: join(dir, 'conf/app.conf'), target: '/app.conf' }],
    });
    expect(file.out).toBe('port=80\n');
    expect(readFileSync(join(dir, 'conf/app.conf'), 'utf8')).toBe('port=81\n');
    rmSync(dir, { recursive: true });
  });

  it('a folder heavier than the machine takes is refused before it is read', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-bind-big-'));
    writeFileSync(join(dir, 'disk.img'), '');
    truncateSync(join(dir, 'disk.img'), 40 * 1024 * 1024); // sparse: 40 MB on paper, nothing on disk
    const { id } = await vm.engine.containers.create({
      image: 'busybox',
      cmd: ['true'],
      binds: [{ source: dir, target: '/data', create: true }],
    });
    await expect(vm.engine.containers.start(id)).rejects.toThrow(`error while mounting bind source path ${dir}: it holds more than 32MB`);
    await vm.engine.containers.remove(id);
    rmSync(dir, { recursive: true });
  });

  it('-v makes a missing source folder; --mount type=bind refuses one', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-bind-missing-'));
    const missing = join(dir, 'data');
    await expect(
      vm.engine.containers.create({ image: 'busybox', cmd: ['true'], binds: [{ source: missing, target: '/data' }] }),
    ).rejects.toThrow(`invalid mount config for type "bind": bind source path does not exist: ${missing}`);
    const made = await run({ cmd: ['sh', '-c', 'echo hello > /data/f'], binds: [{ source: missing, target: '/data', create: true }] });
    expect(made.code).toBe(0);
    expect(statSync(missing).isDirectory()).toBe(true);
    expect(readFileSync(join(missing, 'f'), 'utf8')).toBe('hello\n');
    rmSync(dir, { recursive: true });
  });
});
