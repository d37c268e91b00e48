/**
 * The service images on the real guest: redis and nginx (Debian bookworm packages, laid out like
 * the Docker Official Images, see guest/service-images.ts) reached by name from other containers
 * on a user-defined network, and the redis client in python's offline index.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGES_DIR } from '../../bin/node-engine.ts';
import type { CliIO } from '../../src/engine/cli/io.ts';
import { runDocker } from '../../src/engine/cli/run.ts';
import { readTar, unzstd } from '../../src/engine/layer/index.ts';
import { logText, until, useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('service-images');
beforeAll(async () => {
  for (const image of ['redis:7', 'nginx', 'python:3.11-slim']) await vm.engine.images.pull(image);
  // the user-defined network every test's containers meet on
  await vm.engine.networks.create('svc');
}, 300_000);

/** Runs `docker …` as typed, returning what a terminal shows. */
async function docker(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => (out += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    stderr: (t) => (err += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    isTTY: false,
    columns: 120,
    rows: 24,
    onStdin: () => () => {},
    onStdinEnd: (l) => (queueMicrotask(l), () => {}),
  };
  const code = await runDocker(argv, io, vm.engine);
  return { code, out, err };
}

/** The tar entries of layer `index` of `image` (as pulled). */
async function layerEntries(image: string, index: number) {
  const diffID = (await vm.engine.images.inspect(image)).RootFS.Layers[index]!;
  const layout = (path: string) => JSON.parse(readFileSync(join(IMAGES_DIR, image.split(':')[0]!, path), 'utf8'));
  const manifest = layout(`blobs/sha256/${layout('index.json').manifests[0].digest.slice(7)}`);
  const config = layout(`blobs/sha256/${manifest.config.digest.slice(7)}`);
  const digest: string = manifest.layers[config.rootfs.diff_ids.indexOf(diffID)].digest;
  return readTar(unzstd(new Uint8Array(readFileSync(join(IMAGES_DIR, image.split(':')[0]!, 'blobs/sha256', digest.slice(7))))));
}

/** The real and effective uid and gid of a container's process `pid` (from /proc/PID/status). */
async function ids(container: string, pid: string): Promise<string> {
  const status = (await docker('exec', container, 'cat', `/proc/${pid}/status`)).out;
  return ['Uid', 'Gid'].map((k) => new RegExp(`^${k}:\\t(\\d+)\\t(\\d+)`, 'm').exec(status)?.slice(1, 3).join('/')).join(' ');
}

describe('service images', () => {
  it(
    'redis:7 answers redis-cli by name on a user-defined network, runs as redis, keeps /data in a volume',
    { timeout: 300_000 },
    async () => {
      const started = await docker('run', '-d', '--name', 'cache', '--network', 'svc', 'redis:7');
      expect(started.err).toBe('');
      expect(started.code).toBe(0);
      await until(
        'redis to accept connections',
        async () => (await logText(vm.engine, 'cache')).includes('Ready to accept connections'),
        120_000,
      );
      // another container on the network, with the image's own redis-cli: protected mode is off
      const cli = (...args: string[]) => docker('run', '--rm', '--network', 'svc', 'redis:7', 'redis-cli', '-h', 'cache', ...args);
      const ping = await cli('ping');
      expect(ping.err).toBe('');
      expect(ping.out).toBe('PONG\n');
      expect((await cli('INCR', 'hits')).out).toBe('1\n');
      expect((await cli('INCR', 'hits')).out).toBe('2\n');
      expect((await cli('CONFIG', 'GET', 'protected-mode')).out).toBe('protected-mode\nno\n');
      // the entrypoint dropped from root to redis (999) before starting redis-server as PID 1
      const top = await vm.engine.containers.top('cache');
      expect(top.processes).toHaveLength(1);
      expect(top.processes[0]![top.titles.indexOf('CMD')]).toMatch(/^redis-server \*:6379/);
      expect(await ids('cache', '1')).toBe('999/999 999/999');
      // the volume is the entrypoint's to give to redis (the image's /data is redis:redis, as the layer shows)
      expect((await docker('exec', 'cache', 'sh', '-c', 'pwd; stat -c "%U %a" /data; grep ^redis: /etc/passwd /etc/group')).out).toBe(
        '/data\nredis 755\n/etc/passwd:redis:x:999:999::/home/redis:/bin/sh\n/etc/group:redis:x:999:\n',
      );
      const data = (await layerEntries('redis:7', 1)).find((e) => e.name.replace(/\/$/, '') === 'data');
      expect(data).toMatchObject({ type: 'directory', uid: 999, gid: 999, mode: 0o755 });
      const image = JSON.parse((await docker('image', 'inspect', 'redis:7')).out)[0];
      expect(image.Config).toMatchObject({
        Entrypoint: ['docker-entrypoint.sh'],
        Cmd: ['redis-server'],
        WorkingDir: '/data',
        ExposedPorts: { '6379/tcp': {} },
        Volumes: { '/data': {} },
      });
      const inspect = JSON.parse((await docker('inspect', 'cache')).out)[0];
      expect(inspect.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Destination: '/data', RW: true })]);
      expect(inspect.Mounts[0].Name).toMatch(/^[0-9a-f]{64}$/);
      // SAVE writes dump.rdb into /data, owned by redis and private (the entrypoint's umask)
      expect((await cli('SAVE')).out).toBe('OK\n');
      expect((await docker('exec', 'cache', 'stat', '-c', '%U %a', '/data/dump.rdb')).out).toBe('redis 600\n');
      // options alone start redis-server with them (the official entrypoint's rule)
      const version = await docker('run', '--rm', 'redis:7', '--version');
      expect(version.out).toMatch(/^Redis server v=7\.0\.\d+ /);
      expect(await docker('rm', '-f', 'cache')).toMatchObject({ code: 0 });
    },
  );

  it('nginx serves its welcome page by name and logs each request to docker logs', { timeout: 300_000 }, async () => {
    const started = await docker('run', '-d', '--name', 'web', '--network', 'svc', 'nginx');
    expect(started.err).toBe('');
    expect(started.code).toBe(0);
    let page = { code: 1, out: '', err: '' };
    await until(
      'nginx to answer',
      async () => (page = await docker('run', '--rm', '--network', 'svc', 'busybox', 'wget', '-qO-', 'http://web/')).code === 0,
      60_000,
    );
    expect(page.out).toContain('<title>Welcome to nginx!</title>');
    // access.log is a link to /dev/stdout: the request is in docker logs
    await until('the access log line', async () => (await logText(vm.engine, 'web')).includes('"GET / HTTP/1.1" 200'));
    expect(await logText(vm.engine, 'web')).toMatch(/^172\.\d+\.0\.\d+ - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "Wget"/m);
    // error.log is a link to /dev/stderr
    const missing = await docker('run', '--rm', '--network', 'svc', 'busybox', 'wget', '-qO-', 'http://web/nope');
    expect(missing.err).toContain('404 Not Found');
    await until('the error log line', async () => (await logText(vm.engine, 'web')).includes('open() "/usr/share/nginx/html/nope" failed'));
    // the master runs as root, its worker as nginx (101)
    const top = await vm.engine.containers.top('web');
    const cmds = top.processes.map((p) => p[top.titles.indexOf('CMD')]);
    expect(cmds).toEqual(['nginx: master process nginx -g daemon off;', 'nginx: worker process']);
    expect(await ids('web', '1')).toBe('0/0 0/0');
    const worker = await docker('exec', 'web', 'sh', '-c', 'grep -l "^nginx: worker" /proc/[0-9]*/cmdline');
    expect(worker.out).toMatch(/^\/proc\/\d+\/cmdline\n$/);
    expect(await ids('web', worker.out.split('/')[2]!)).toBe('101/101 101/101');
    const inspect = JSON.parse((await docker('inspect', 'web')).out)[0];
    expect(inspect.Config).toMatchObject({
      Entrypoint: ['/docker-entrypoint.sh'],
      Cmd: ['nginx', '-g', 'daemon off;'],
      ExposedPorts: { '80/tcp': {} },
      StopSignal: 'SIGQUIT',
    });
    // SIGQUIT: nginx finishes gracefully, exit status 0
    expect((await docker('stop', 'web')).code).toBe(0);
    expect(JSON.parse((await docker('inspect', 'web')).out)[0].State.ExitCode).toBe(0);
    await docker('rm', '-f', 'web');
  });

  it('pip installs the redis client offline in python:3.11-slim, and it talks to redis by name', { timeout: 600_000 }, async () => {
    expect((await docker('run', '-d', '--name', 'store', '--network', 'svc', 'redis:7')).code).toBe(0);
    await until(
      'redis to accept connections',
      async () => (await logText(vm.engine, 'store')).includes('Ready to accept connections'),
      120_000,
    );
    const py = await docker(
      'run',
      '--rm',
      '--network',
      'svc',
      'python:3.11-slim',
      'sh',
      '-c',
      "pip install -q redis && python -c \"import redis; r = redis.Redis(host='store'); print(redis.__version__, r.incr('visits'), r.incr('visits'))\"",
    );
    expect(py.err).toBe('');
    expect(py.out).toBe('4.3.4 1 2\n');
    await docker('rm', '-f', 'store');
    expect((await docker('network', 'rm', 'svc')).code).toBe(0);
  });
});
