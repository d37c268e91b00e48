import { describe, expect, it } from 'vitest';
import { captureIO } from '../../cli/testkit.ts';
import { runDocker } from '../../cli/run.ts';
import { Engine, type EngineOptions } from '../../engine.ts';
import type { ImageSource } from '../../images/source.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../../store/index.ts';
import { CREDENTIALS_COLLECTION } from '../credentials.ts';
import { fileLayer, short, storeImage } from '../testkit.ts';
import { LOGIN_REFUSED } from '../transfer.ts';
import { parseChallenges } from './auth.ts';
import { FakeRegistry, TOKEN_REALM, type FakeAuth } from './testkit.ts';

/** An offline catalog that offers busybox:latest only (never read in these tests). */
const source: ImageSource = {
  catalog: async () => [{ references: ['busybox:latest'], path: 'busybox', description: '' }] as never,
  index: async () => {
    throw new Error('not in this test');
  },
  blob: async () => {
    throw new Error('not in this test');
  },
};

function engineFor(server: FakeRegistry, extra: Partial<EngineOptions> = {}): Engine {
  return new Engine({
    blobs: new MemoryBlobStore(),
    meta: new MemoryMetadataStore(),
    source,
    getGuest: async () => {
      throw new Error('no guest in this test');
    },
    fetch: server.fetch,
    ...extra,
  });
}

async function docker(engine: Engine, argv: string[], opts: Parameters<typeof captureIO>[0] = {}) {
  const cap = captureIO(opts);
  const code = await runDocker(argv, cap.io, engine);
  return { code, out: cap.out(), err: cap.err(), cap };
}

const USERS = { alice: 's3cret' };

/** Waits (a few ms at a time) until `ready()`. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ready(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!ready()) throw new Error('timed out');
}

describe('WWW-Authenticate', () => {
  it('parses Basic and Bearer challenges', () => {
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    expect(
      parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:i386/alpine:pull"'),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:i386/alpine:pull' },
      },
    ]);
    expect(parseChallenges('Bearer realm="a\\"b", error=insufficient_scope, Basic realm=x')).toEqual([
      { scheme: 'bearer', params: { realm: 'a"b', error: 'insufficient_scope' } },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
  });
});

describe.each<[string, FakeAuth]>([
  ['Basic', { kind: 'basic', users: USERS }],
  ['Bearer', { kind: 'bearer', users: USERS }],
])('docker login / push / pull with %s auth', (_name, auth) => {
  it('logs in, pushes, pulls into another engine, logs out', async () => {
    const server = new FakeRegistry('127.0.0.1:5001', auth);
    const a = engineFor(server);
    const login = await docker(a, ['login', '127.0.0.1:5001', '-u', 'alice', '-p', 's3cret']);
    expect(login).toMatchObject({ code: 0, out: 'Login Succeeded\n' });
    expect(login.err).toMatch(
      /^WARNING! Using --password via the CLI is insecure\. Use --password-stdin\.\nWARNING! Your credentials are stored unencrypted/,
    );

    const base = await fileLayer(a.imageStore, 'etc/os-release', 'NAME=tiny\n');
    const image = await storeImage(a.imageStore, '127.0.0.1:5001/web:1', [base]);
    const push = await docker(a, ['push', '127.0.0.1:5001/web:1']);
    const size = new TextEncoder().encode(image.rawManifest).length;
    expect(push).toMatchObject({
      code: 0,
      out:
        'The push refers to repository [127.0.0.1:5001/web]\n' +
        `${short(base.diffID)}: Preparing\n` +
        `${short(base.diffID)}: Pushed\n` +
        `1: digest: ${image.manifestDigest} size: ${size}\n`,
    });
    if (auth.kind === 'bearer') expect(server.requests.some((r) => r.path.startsWith(TOKEN_REALM))).toBe(true);

    // another LayerLab: without a login it may not pull; with --password-stdin it may
    const c = engineFor(server);
    expect(await docker(c, ['pull', '127.0.0.1:5001/web:1'])).toMatchObject({ code: 1, out: '' });
    const cap = captureIO();
    const loggingIn = runDocker(['login', '-u', 'alice', '--password-stdin', '127.0.0.1:5001'], cap.io, c);
    await until(() => cap.listeners().end > 0);
    cap.stdin('s3cret\n');
    cap.end();
    expect(await loggingIn).toBe(0);
    expect(cap.out()).toBe('Login Succeeded\n');
    const pull = await docker(c, ['pull', '127.0.0.1:5001/web:1']);
    expect(pull).toMatchObject({
      code: 0,
      out:
        '1: Pulling from web\n' +
        `${short(base.digest)}: Pulling fs layer\n` +
        `${short(base.digest)}: Verifying Checksum\n` +
        `${short(base.digest)}: Download complete\n` +
        `${short(base.digest)}: Pull complete\n` +
        `Digest: ${image.manifestDigest}\n` +
        'Status: Downloaded newer image for 127.0.0.1:5001/web:1\n' +
        '127.0.0.1:5001/web:1\n',
    });
    expect((await c.images.inspect('127.0.0.1:5001/web:1')).RepoDigests).toEqual([`127.0.0.1:5001/web@${image.manifestDigest}`]);

    expect(await docker(c, ['logout', '127.0.0.1:5001'])).toMatchObject({
      code: 0,
      out: 'Removing login credentials for 127.0.0.1:5001\n',
    });
    expect(await docker(c, ['logout', '127.0.0.1:5001'])).toMatchObject({ code: 0, out: 'Not logged in to 127.0.0.1:5001\n' });
  });

  it('refuses a bad password in Docker words, and stores nothing', async () => {
    const server = new FakeRegistry('127.0.0.1:5001', auth);
    const a = engineFor(server);
    const r = await docker(a, ['login', '127.0.0.1:5001', '-u', 'alice', '-p', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n' +
        (auth.kind === 'basic'
          ? 'Error response from daemon: Get "http://127.0.0.1:5001/v2/": unauthorized: authentication required\n'
          : 'Error response from daemon: Get "http://127.0.0.1:5001/v2/": unauthorized: incorrect username or password\n'),
    );
    expect(await docker(a, ['logout', '127.0.0.1:5001'])).toMatchObject({ out: 'Not logged in to 127.0.0.1:5001\n' });
  });

  it('without a login, push and pull fail as Docker says', async () => {
    const server = new FakeRegistry('127.0.0.1:5001', auth);
    const a = engineFor(server);
    const base = await fileLayer(a.imageStore, 'etc/os-release', 'NAME=tiny\n');
    await storeImage(a.imageStore, '127.0.0.1:5001/web:1', [base]);
    const push = await docker(a, ['push', '127.0.0.1:5001/web:1']);
    expect(push.code).toBe(1);
    const pull = await docker(a, ['pull', '127.0.0.1:5001/web:2']);
    expect(pull.code).toBe(1);
    if (auth.kind === 'basic') {
      expect(push.err).toBe('no basic auth credentials\n');
      expect(pull.err).toBe('Error response from daemon: Get "http://127.0.0.1:5001/v2/web/manifests/2": no basic auth credentials\n');
    } else {
      expect(push.err).toBe('unauthorized: authentication required\n');
      expect(pull.err).toBe(
        'Error response from daemon: Get "http://127.0.0.1:5001/v2/web/manifests/2": unauthorized: authentication required\n',
      );
    }
  });
});

describe('docker login prompts', () => {
  it('asks Username and Password on a terminal, the password not echoed', async () => {
    const server = new FakeRegistry('127.0.0.1:5001', { kind: 'basic', users: USERS });
    const a = engineFor(server);
    const cap = captureIO({ tty: true });
    const running = runDocker(['login', '127.0.0.1:5001'], cap.io, a);
    await until(() => cap.out() === 'Username: ');
    cap.stdin('alice\r');
    await until(() => cap.out().endsWith('Password: '));
    cap.stdin('s3cret\r');
    expect(await running).toBe(0);
    expect(cap.out()).toBe('Username: alice\nPassword: \nLogin Succeeded\n');
    // logged in: the stored login is tried first
    const again = await docker(a, ['login', '127.0.0.1:5001']);
    expect(again).toMatchObject({ code: 0, out: 'Authenticating with existing credentials...\nLogin Succeeded\n' });
  });

  it('refuses to ask without a terminal', async () => {
    const a = engineFor(new FakeRegistry('127.0.0.1:5001', { kind: 'basic', users: USERS }));
    expect(await docker(a, ['login', '127.0.0.1:5001'])).toMatchObject({
      code: 1,
      err: 'Error: Cannot perform an interactive login from a non TTY device\n',
    });
  });

  it('localhost:5000 still has no accounts', async () => {
    const a = engineFor(new FakeRegistry());
    expect(await docker(a, ['login', 'localhost:5000', '-u', 'me', '-p', 'x'])).toMatchObject({
      code: 1,
      err: `WARNING! Using --password via the CLI is insecure. Use --password-stdin.\nError response from daemon: ${LOGIN_REFUSED}\n`,
    });
  });
});

describe('routing', () => {
  it('sends localhost:5000 to the engine registry, other hosts over HTTP, docker.io to the catalog', async () => {
    const server = new FakeRegistry('127.0.0.1:5001');
    const page = engineFor(server);
    const offered = async () => ['busybox:latest'];
    expect(await page.remote.pulls('localhost:5000/web:1', offered)).toBe(false);
    expect(await page.remote.pulls('127.0.0.1:5001/web:1', offered)).toBe(true);
    expect(await page.remote.pulls('registry.school.example/class/app', offered)).toBe(true);
    expect(await page.remote.pulls('i386/alpine', offered)).toBe(false);
    expect(page.remote.pushes('127.0.0.1:5001/web:1')).toBe(true);
    expect(page.remote.pushes('localhost:5000/web:1')).toBe(false);
    expect(page.remote.pushes('web:1')).toBe(false);
    const cli = engineFor(server, { dockerHub: true });
    expect(await cli.remote.pulls('i386/alpine', offered)).toBe(true);
    expect(await cli.remote.pulls('busybox', offered)).toBe(false);
    const offline = new Engine({
      blobs: new MemoryBlobStore(),
      meta: new MemoryMetadataStore(),
      source,
      getGuest: async () => {
        throw new Error('no guest');
      },
    });
    expect(await offline.remote.pulls('127.0.0.1:5001/web:1', offered)).toBe(false);
  });

  it("a build's FROM pulls from the registry as docker pull does", async () => {
    const server = new FakeRegistry('127.0.0.1:5001');
    const a = engineFor(server);
    const base = await fileLayer(a.imageStore, 'etc/os-release', 'NAME=tiny\n');
    const image = await storeImage(a.imageStore, '127.0.0.1:5001/class/base:1', [base]);
    expect((await docker(a, ['push', '127.0.0.1:5001/class/base:1'])).code).toBe(0);
    const b = engineFor(server);
    const dockerfile = new TextEncoder().encode('FROM 127.0.0.1:5001/class/base:1\nLABEL lesson=registries\n');
    const built = await b.build({ context: new Map([['Dockerfile', { data: dockerfile }]]), tags: ['app:1'] });
    const app = await b.images.inspect('app:1');
    expect(app.Config.Labels).toEqual({ lesson: 'registries' });
    expect(app.RootFS.Layers).toEqual([base.diffID]);
    expect(built.imageId).toBe(app.Id);
    expect((await b.images.inspect('127.0.0.1:5001/class/base:1')).RepoDigests).toEqual([
      `127.0.0.1:5001/class/base@${image.manifestDigest}`,
    ]);
  });

  it('pulls a docker.io image the catalog lacks from Docker Hub (the Node CLI), with an anonymous token', async () => {
    const hub = new FakeRegistry('registry-1.docker.io', { kind: 'bearer', users: {}, anonymousPull: true });
    // publish an image on the double as i386/alpine
    const publisher = new FakeRegistry('registry-1.docker.io');
    const p = engineFor(publisher, { dockerHub: true });
    const l = await fileLayer(p.imageStore, 'etc/alpine-release', '3.20.0\n');
    await storeImage(p.imageStore, 'i386/alpine:latest', [l]);
    await p.images.push('i386/alpine:latest');
    // the double's stores are its own: copy the repository over
    for (const b of await publisher.blobs.list()) await hub.blobs.put(await publisher.blobs.get(b.digest));
    for (const e of await publisher.meta.list('registry-repos')) await hub.meta.put('registry-repos', e.key, e.value);
    const cli = engineFor(hub, { dockerHub: true });
    const r = await docker(cli, ['pull', 'i386/alpine']);
    expect(r.out).toMatch(/^Using default tag: latest\nlatest: Pulling from i386\/alpine\n/);
    expect(r.out).toMatch(/Status: Downloaded newer image for i386\/alpine:latest\ndocker\.io\/i386\/alpine:latest\n$/);
    expect(
      hub.requests.some((q) => q.path.startsWith(`${TOKEN_REALM}?service=fake-registry&scope=repository%3Ai386%2Falpine%3Apull`)),
    ).toBe(true);
  });

  it('in a page, a registry that does not answer (CORS) is explained', async () => {
    const server = new FakeRegistry('registry.school.example');
    server.cors = true;
    const page = engineFor(server, { origin: 'https://layerlab.example' });
    const r = await docker(page, ['pull', 'registry.school.example/class/app:1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'Error response from daemon: Get "https://registry.school.example/v2/": the registry at registry.school.example did not answer, or did not allow this page\'s origin (https://layerlab.example) to read its answers (CORS)\nA page can only use a registry',
    );
    expect(r.err).toContain("Access-Control-Allow-Origin: ['*']");
    expect(r.err).toContain('Docker Hub does not');
    expect(r.err).toContain('zot: http.accessControl');
  });

  it('refuses to search a remote registry, and keeps credentials out of everything but their collection', async () => {
    const server = new FakeRegistry('127.0.0.1:5001', { kind: 'basic', users: USERS });
    const a = engineFor(server);
    const s = await docker(a, ['search', '127.0.0.1:5001/web']);
    expect(s.code).toBe(1);
    expect(s.err).toMatch(/^Error response from daemon: Unexpected status code 404\nLayerLab cannot search 127\.0\.0\.1:5001: /);
    await docker(a, ['login', '127.0.0.1:5001', '-u', 'alice', '-p', 's3cret']);
    expect(await a.remote.memory.login('127.0.0.1:5001')).toEqual({ username: 'alice', password: 's3cret' });
    expect(
      (await (a as unknown as { options: { meta: MemoryMetadataStore } }).options.meta.list(CREDENTIALS_COLLECTION)).map((e) => e.key),
    ).toEqual(['127.0.0.1:5001']);
  });

  it('Ctrl-C aborts a pull', async () => {
    const server = new FakeRegistry('127.0.0.1:5001');
    const a = engineFor(server);
    const controller = new AbortController();
    controller.abort();
    await expect(a.images.pull('127.0.0.1:5001/web:1', undefined, controller.signal)).rejects.toMatchObject({ kind: 'cancelled' });
  });
});
