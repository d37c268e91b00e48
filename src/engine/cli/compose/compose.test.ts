import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScriptedGuest } from '../../../../tests/fixtures/scripted-guest.ts';
import { Engine } from '../../engine.ts';
import { staticImageSource } from '../../images/source.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../../store/index.ts';
import { MemFs } from '../memfs.ts';
import { runDocker, type CliIO } from '../run.ts';

const IMAGES = new URL('../../../../public/images/', import.meta.url);

/** A real engine over a scripted guest whose containers run until stopped (or as `container` says), and a project folder. */
async function setup(files: Record<string, string>, container?: ScriptedGuest['container']) {
  const guest = new ScriptedGuest();
  guest.container = container ?? (() => {});
  const engine = new Engine({
    blobs: new MemoryBlobStore(),
    meta: new MemoryMetadataStore(),
    source: staticImageSource(async (path) => new Uint8Array(readFileSync(new URL(path, IMAGES)))),
    getGuest: async () => guest,
  });
  await engine.images.pull('busybox');
  const fs = new MemFs('/home/sam/app');
  fs.dir('/home/sam/app');
  for (const [name, text] of Object.entries(files)) fs.file(`/home/sam/app/${name}`, text);
  const compose = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const controller = new AbortController();
    const io: CliIO = {
      stdout: (t) => (out += String(typeof t === 'string' ? t : new TextDecoder().decode(t))),
      stderr: (t) => (err += String(typeof t === 'string' ? t : new TextDecoder().decode(t))),
      isTTY: false,
      columns: 100,
      rows: 24,
      signal: controller.signal,
      hostFS: fs,
      environment: { TAG: 'latest' },
    };
    const code = await runDocker(['compose', ...argv], io, engine);
    return { code, out, err };
  };
  return { engine, guest, fs, compose };
}

const COUNTER = `services:
  web:
    image: busybox:\${TAG}
    command: httpd -f -p 8000
    ports:
      - "8000:8000"
    environment:
      REDIS_HOST: redis
    depends_on:
      - redis
  redis:
    image: busybox
    command: ["sleep", "1000"]
    volumes:
      - data:/data
volumes:
  data:
`;

describe('docker compose up, ps, down', () => {
  it('makes the network, volume and containers with Compose names and labels, then takes them down', async () => {
    const { engine, compose } = await setup({ 'compose.yaml': COUNTER });
    const up = await compose('up', '-d');
    expect(up.code, up.err).toBe(0);
    expect(up.err).toBe(
      [
        ' Network app_default  Creating',
        ' Network app_default  Created',
        ' Volume "app_data"  Creating',
        ' Volume "app_data"  Created',
        ' Container app-redis-1  Creating',
        ' Container app-redis-1  Created',
        ' Container app-web-1  Creating',
        ' Container app-web-1  Created',
        ' Container app-redis-1  Starting',
        ' Container app-redis-1  Started',
        ' Container app-web-1  Starting',
        ' Container app-web-1  Started',
        '',
      ].join('\n'),
    );
    const web = await engine.containers.inspect('app-web-1');
    expect(web.Config.Labels).toMatchObject({
      'com.docker.compose.project': 'app',
      'com.docker.compose.service': 'web',
      'com.docker.compose.container-number': '1',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.project.working_dir': '/home/sam/app',
      'com.docker.compose.project.config_files': '/home/sam/app/compose.yaml',
      'com.docker.compose.depends_on': 'redis:service_started:false',
    });
    expect(web.Config.Env).toContain('REDIS_HOST=redis');
    expect(Object.keys(web.NetworkSettings.Networks)).toEqual(['app_default']);
    expect(web.NetworkSettings.Networks['app_default']?.Aliases).toContain('web');
    expect(web.HostConfig.PortBindings).toEqual({ '8000/tcp': [{ HostIp: '', HostPort: '8000' }] });
    const redis = await engine.containers.inspect('app-redis-1');
    expect(redis.Mounts).toMatchObject([{ Type: 'volume', Name: 'app_data', Destination: '/data' }]);
    expect((await engine.networks.inspect('app_default')).Labels).toMatchObject({
      'com.docker.compose.network': 'default',
      'com.docker.compose.project': 'app',
    });

    const ps = await compose('ps', '--format', '{{.Name}} {{.Service}} {{.State}} {{.Ports}}');
    expect(ps.out).toBe('app-redis-1 redis running \napp-web-1 web running 0.0.0.0:8000->8000/tcp\n');
    const table = (await compose('ps')).out.split('\n')[0];
    expect(table).toMatch(/^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$/);
    expect((await compose('ls')).out).toMatch(/^NAME\s+STATUS\s+CONFIG FILES\napp\s+running\(2\)\s+\/home\/sam\/app\/compose.yaml\n$/);

    // nothing changed: nothing recreated
    const again = await compose('up', '-d');
    expect(again.err).toBe(' Container app-redis-1  Running\n Container app-web-1  Running\n');

    const down = await compose('down');
    expect(down.code, down.err).toBe(0);
    expect(down.err).toBe(
      [
        ' Container app-web-1  Stopping',
        ' Container app-web-1  Stopped',
        ' Container app-web-1  Removing',
        ' Container app-web-1  Removed',
        ' Container app-redis-1  Stopping',
        ' Container app-redis-1  Stopped',
        ' Container app-redis-1  Removing',
        ' Container app-redis-1  Removed',
        ' Network app_default  Removing',
        ' Network app_default  Removed',
        '',
      ].join('\n'),
    );
    expect(await engine.containers.list({ all: true })).toEqual([]);
    expect((await engine.volumes.list()).map((v) => v.Name)).toEqual(['app_data']);
    await compose('up', '-d');
    const downV = await compose('down', '-v');
    expect(downV.err).toContain(' Volume app_data  Removed\n');
    expect(await engine.volumes.list()).toEqual([]);
  });

  it('recreates only the service whose config changed, and every one with --force-recreate', async () => {
    const { engine, fs, compose } = await setup({ 'compose.yaml': COUNTER });
    await compose('up', '-d');
    const before = (await engine.containers.inspect('app-redis-1')).Id;
    fs.file('/home/sam/app/compose.yaml', COUNTER.replace('REDIS_HOST: redis', 'REDIS_HOST: redis\n      GREETING: hi'));
    const up = await compose('up', '-d');
    expect(up.err).toContain(' Container app-web-1  Recreate\n Container app-web-1  Recreated\n');
    expect(up.err).toContain(' Container app-redis-1  Running\n');
    expect((await engine.containers.inspect('app-redis-1')).Id).toBe(before);
    expect((await engine.containers.inspect('app-web-1')).Config.Env).toContain('GREETING=hi');
    const forced = await compose('up', '-d', '--force-recreate');
    expect(forced.err).toContain(' Container app-redis-1  Recreated\n');
    expect((await engine.containers.inspect('app-redis-1')).Id).not.toBe(before);
  });

  it('takes the project flags before or after the subcommand', async () => {
    const { engine, compose } = await setup({ 'other.yaml': 'services:\n  one:\n    image: busybox\n    command: sleep 100\n' });
    expect((await compose('up', '-d')).err).toBe('no configuration file provided: not found\n');
    const up = await compose('-f', 'other.yaml', '-p', 'demo', 'up', '-d');
    expect(up.code, up.err).toBe(0);
    expect((await engine.containers.list()).map((c) => c.name)).toEqual(['demo-one-1']);
    const ps = await compose('ps', '-f', 'other.yaml', '-p', 'demo', '-q');
    expect(ps.out).toMatch(/^[0-9a-f]{12}\n$/);
    // down by the project name alone, as Compose finds a project by its labels
    expect((await compose('down', '-p', 'demo')).code).toBe(0);
    expect(await engine.containers.list({ all: true })).toEqual([]);
  });

  it('says which service is unknown, and refuses a dependency that did not complete', async () => {
    const { compose } = await setup(
      {
        'compose.yaml': `services:
  migrate:
    image: busybox
    command: ["false"]
  app:
    image: busybox
    depends_on:
      migrate:
        condition: service_completed_successfully
`,
      },
      (p) => p.end(p.spec.argv.includes('false') ? 1 : 0),
    );
    expect(await compose('up', '-d', 'nothing')).toMatchObject({ code: 1, err: expect.stringContaining('no such service: nothing') });
    const up = await compose('up', '-d');
    expect(up.code).toBe(1);
    expect(up.err).toContain(`service "migrate" didn't complete successfully: exit 1`);
  });

  it('runs in the foreground: attaches, prefixes each line, and ends when every container has exited', async () => {
    const { compose } = await setup({ 'compose.yaml': 'services:\n  hello:\n    image: busybox\n    command: echo hi\n' }, (p) => {
      setTimeout(() => {
        p.print('hello from the container\n');
        p.end(0);
      }, 30);
    });
    const up = await compose('up');
    expect(up.code, up.err).toBe(0);
    expect(up.out).toBe('Attaching to hello-1\nhello-1  | hello from the container\nhello-1 exited with code 0\n');
  });

  it('prints the version', async () => {
    const { compose } = await setup({});
    expect((await compose('version')).out).toMatch(/^Docker Compose version v2\.\d+\.\d+-layerlab\n$/);
  });
});
