import { describe, expect, it, vi } from 'vitest';
import { MediaType } from '../../oci/types.ts';
import { RegistryMemory } from '../credentials.ts';
import { fileLayer, gzipLayer, newImageStore, recorder, short, storeImage } from '../testkit.ts';
import { pullRemote } from './pull.ts';
import { pushRemote } from './push.ts';
import { FakeRegistry, type FakeAuth } from './testkit.ts';

/** A LayerLab (image store, its memory of registries) talking to `server`. */
function client(server: FakeRegistry, chunkSize?: number) {
  const s = newImageStore();
  const memory = new RegistryMemory(s.meta);
  return {
    ...s,
    memory,
    deps: { fetch: server.fetch, memory, images: s.store, blobs: s.blobs, ...(chunkSize ? { chunkSize } : {}) },
  };
}

function setup(auth?: FakeAuth) {
  const server = new FakeRegistry('127.0.0.1:5001', auth);
  return { server, a: client(server), b: client(server) };
}

/** A text that does not compress (so a layer of it is as big as it says). */
function noise(n: number, seed = 1): string {
  let x = seed;
  let out = '';
  while (out.length < n) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += (x >>> 8).toString(36);
  }
  return out.slice(0, n);
}

describe('push to a remote registry', () => {
  it('uploads the layers, config and manifest, printing what Docker prints', async () => {
    const { server, a } = setup();
    const base = await fileLayer(a.store, 'etc/os-release', 'NAME=tiny\n');
    const app = await gzipLayer(a.store, 'app/index.html', '<h1>hi</h1>\n');
    const image = await storeImage(a.store, '127.0.0.1:5001/web:1', [base, app]);
    const rec = recorder();
    const result = await pushRemote(a.deps, '127.0.0.1:5001/web:1', rec.sink);
    const size = new TextEncoder().encode(image.rawManifest).length;
    expect(rec.lines()).toEqual([
      'The push refers to repository [127.0.0.1:5001/web]',
      `${short(app.diffID)}: Preparing`,
      `${short(base.diffID)}: Preparing`,
      `${short(app.diffID)}: Pushed`,
      `${short(base.diffID)}: Pushed`,
      `1: digest: ${image.manifestDigest} size: ${size}`,
    ]);
    expect(result.layers.map((l) => l.result)).toEqual(['pushed', 'pushed']);
    expect(new TextDecoder().decode((await server.registry.getManifest('web', '1')).bytes)).toBe(image.rawManifest);
    expect((await a.store.inspect('127.0.0.1:5001/web:1')).RepoDigests).toEqual([`127.0.0.1:5001/web@${image.manifestDigest}`]);
    // the exact requests: HEAD, POST, PATCH, PUT ?digest= per blob, then the manifest
    const paths = server.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`);
    expect(paths[0]).toBe('GET /v2/');
    expect(paths).toContain(`HEAD /v2/web/blobs/${app.digest}`);
    expect(paths).toContain('POST /v2/web/blobs/uploads/');
    expect(paths.at(-1)).toBe('PUT /v2/web/manifests/1');
    expect(server.requests.at(-1)?.bytes).toBe(size);
  });

  it('says Layer already exists and Mounted from, as Docker does', async () => {
    const { server, a } = setup();
    const base = await fileLayer(a.store, 'etc/os-release', 'NAME=tiny\n');
    const app = await fileLayer(a.store, 'app/index.html', '<h1>hi</h1>\n');
    await storeImage(a.store, '127.0.0.1:5001/base:1', [base]);
    await pushRemote(a.deps, '127.0.0.1:5001/base:1');
    await storeImage(a.store, '127.0.0.1:5001/web:1', [base, app]);
    const rec = recorder();
    const r = await pushRemote(a.deps, '127.0.0.1:5001/web:1', rec.sink);
    expect(rec.lines()).toContain(`${short(base.diffID)}: Mounted from base`);
    expect(rec.lines()).toContain(`${short(app.diffID)}: Pushed`);
    expect(r.layers.map((l) => [l.result, l.from])).toEqual([
      ['pushed', undefined],
      ['mounted', 'base'],
    ]);
    expect(server.requests.some((q) => q.method === 'POST' && q.path.includes(`mount=${encodeURIComponent(base.digest)}&from=base`))).toBe(
      true,
    );
    const again = recorder();
    await pushRemote(a.deps, '127.0.0.1:5001/web:1', again.sink);
    expect(again.lines().filter((l) => l.endsWith('Layer already exists'))).toHaveLength(2);
  });

  it('uploads a large blob in chunks with Content-Range, following Location headers', async () => {
    const server = new FakeRegistry();
    server.absoluteLocations = true;
    const a = client(server, 64 * 1024);
    const big = await fileLayer(a.store, 'big.txt', noise(300_000));
    const image = await storeImage(a.store, '127.0.0.1:5001/big:1', [big]);
    const rec = recorder();
    const gets = vi.spyOn(a.blobs, 'get');
    const reads = vi.spyOn(a.blobs, 'read');
    await pushRemote(a.deps, '127.0.0.1:5001/big:1', rec.sink);
    // the layer is never read whole: each PATCH reads its own chunk from the store
    expect(gets.mock.calls.filter(([d]) => d === big.digest)).toEqual([]);
    const layerReads = reads.mock.calls.filter(([d]) => d === big.digest);
    expect(layerReads.length).toBe(Math.ceil(big.size / (64 * 1024)));
    expect(Math.max(...layerReads.map(([, , length]) => length))).toBe(64 * 1024);
    // the layer's chunks, then the config's one
    const patches = server.requests.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBe(Math.ceil(big.size / (64 * 1024)) + 1);
    expect(patches.slice(0, -1).reduce((n, p) => n + p.bytes, 0)).toBe(big.size);
    expect(patches.at(-1)?.bytes).toBe(new TextEncoder().encode(image.rawConfig).length);
    const progress = rec.events.filter((e) => e.status === 'Pushing' && e.current !== undefined).map((e) => e.current);
    expect(progress.at(-1)).toBe(big.size);
    expect(progress.length).toBeGreaterThan(3);
    expect(await server.registry.headBlob('big', big.digest)).toEqual({ digest: big.digest, size: big.size });
  });

  it('an interrupted push, run again, resends nothing the registry has and resumes the upload', async () => {
    const server = new FakeRegistry();
    const a = client(server, 64 * 1024);
    const small = await fileLayer(a.store, 'etc/hostname', 'box\n');
    const big = await fileLayer(a.store, 'big.txt', noise(300_000, 7));
    const image = await storeImage(a.store, '127.0.0.1:5001/web:1', [small, big]);
    const configSize = new TextEncoder().encode(image.rawConfig).length;
    // the third PATCH of the big layer gets no answer
    let patches = 0;
    server.fail = ({ method }) => (method === 'PATCH' && ++patches === 3 ? 'network' : undefined);
    await expect(pushRemote(a.deps, '127.0.0.1:5001/web:1')).rejects.toThrow(
      /^Patch "http:\/\/127\.0\.0\.1:5001\/v2\/web\/blobs\/uploads\/u\d+\?_state=s131072": socket hang up$/,
    );
    const sentBefore = server.requests.filter((r) => r.method === 'PATCH').reduce((n, r) => n + r.bytes, 0);
    expect(sentBefore).toBe(2 * 64 * 1024);
    server.fail = () => undefined;
    const from = server.requests.length;
    const rec = recorder();
    await pushRemote(a.deps, '127.0.0.1:5001/web:1', rec.sink);
    const second = server.requests.slice(from);
    // the unfinished upload's status was asked, and only the rest was sent
    expect(second.some((r) => r.method === 'GET' && r.path.includes('/blobs/uploads/'))).toBe(true);
    expect(second.filter((r) => r.method === 'PATCH').reduce((n, r) => n + r.bytes, 0)).toBe(
      big.size - sentBefore + small.size + configSize,
    );
    expect(rec.events).toContainEqual({ id: short(big.diffID), status: 'Pushing', current: sentBefore, total: big.size });
    expect(await server.registry.headBlob('web', big.digest)).toBeDefined();
    // and a third run sends no blob bytes at all
    const from3 = server.requests.length;
    const third = recorder();
    await pushRemote(a.deps, '127.0.0.1:5001/web:1', third.sink);
    expect(server.requests.slice(from3).filter((r) => r.method === 'PATCH' || r.method === 'POST')).toEqual([]);
    expect(third.lines().filter((l) => l.endsWith('Layer already exists'))).toHaveLength(2);
  });

  it('an unfinished upload the registry forgot is started over', async () => {
    const server = new FakeRegistry();
    const a = client(server, 64 * 1024);
    const big = await fileLayer(a.store, 'big.txt', noise(200_000, 3));
    await storeImage(a.store, '127.0.0.1:5001/web:1', [big]);
    let patches = 0;
    server.fail = ({ method }) => (method === 'PATCH' && ++patches === 2 ? 'network' : undefined);
    await expect(pushRemote(a.deps, '127.0.0.1:5001/web:1')).rejects.toThrow(/socket hang up/);
    server.fail = () => undefined;
    (server as unknown as { uploads: Map<string, unknown> }).uploads.clear();
    const from = server.requests.length;
    await pushRemote(a.deps, '127.0.0.1:5001/web:1');
    const second = server.requests.slice(from).map((r) => `${r.method} ${r.status}`);
    expect(second).toContain('GET 404');
    expect(await server.registry.headBlob('web', big.digest)).toBeDefined();
  });

  it('refuses an image that is not stored, in Docker words', async () => {
    const { a } = setup();
    const rec = recorder();
    await expect(pushRemote(a.deps, '127.0.0.1:5001/nope:1', rec.sink)).rejects.toThrow(
      'An image does not exist locally with the tag: 127.0.0.1:5001/nope',
    );
    expect(rec.lines()).toEqual(['The push refers to repository [127.0.0.1:5001/nope]']);
  });
});

describe('pull from a remote registry', () => {
  async function pushed() {
    const s = setup();
    const base = await fileLayer(s.a.store, 'etc/os-release', 'NAME=tiny\n');
    const app = await gzipLayer(s.a.store, 'app/index.html', '<h1>hi</h1>\n');
    const image = await storeImage(s.a.store, '127.0.0.1:5001/web:1', [base, app]);
    await pushRemote(s.a.deps, '127.0.0.1:5001/web:1');
    return { ...s, base, app, image };
  }

  it('pulls by tag into an empty store, printing what Docker prints, and records RepoDigests', async () => {
    const { b, base, app, image } = await pushed();
    const rec = recorder();
    const r = await pullRemote(b.deps, '127.0.0.1:5001/web:1', rec.sink);
    expect(rec.lines()).toEqual([
      '1: Pulling from web',
      `${short(base.digest)}: Pulling fs layer`,
      `${short(app.digest)}: Pulling fs layer`,
      `${short(base.digest)}: Verifying Checksum`,
      `${short(base.digest)}: Download complete`,
      `${short(base.digest)}: Pull complete`,
      `${short(app.digest)}: Verifying Checksum`,
      `${short(app.digest)}: Download complete`,
      `${short(app.digest)}: Pull complete`,
      `Digest: ${image.manifestDigest}`,
      'Status: Downloaded newer image for 127.0.0.1:5001/web:1',
    ]);
    expect(rec.events).toContainEqual({ id: short(app.digest), status: 'Downloading', current: app.size, total: app.size });
    expect(r).toEqual({ id: image.configDigest, reference: '127.0.0.1:5001/web:1', digest: image.manifestDigest });
    const inspect = await b.store.inspect('127.0.0.1:5001/web:1');
    expect(inspect.RepoDigests).toEqual([`127.0.0.1:5001/web@${image.manifestDigest}`]);
    expect(await b.store.hasLayer(app)).toBe(true);
    const again = recorder();
    await pullRemote(b.deps, '127.0.0.1:5001/web:1', again.sink);
    expect(again.lines().at(-1)).toBe('Status: Image is up to date for 127.0.0.1:5001/web:1');
  });

  it('pulls by digest (and tags nothing)', async () => {
    const { b, image } = await pushed();
    const rec = recorder();
    const ref = `127.0.0.1:5001/web@${image.manifestDigest}`;
    const r = await pullRemote(b.deps, ref, rec.sink);
    expect(rec.lines()[0]).toBe(`${image.manifestDigest}: Pulling from web`);
    expect(rec.lines().at(-1)).toBe(`Status: Downloaded newer image for ${ref}`);
    expect(r.id).toBe(image.configDigest);
    expect(await b.store.references()).toEqual([]);
    expect((await b.store.inspect(image.configDigest)).RepoDigests).toEqual([`127.0.0.1:5001/web@${image.manifestDigest}`]);
  });

  it('says Already exists for layers the store has', async () => {
    const { b, base, app } = await pushed();
    await fileLayer(b.store, 'etc/os-release', 'NAME=tiny\n');
    const rec = recorder();
    await pullRemote(b.deps, '127.0.0.1:5001/web:1', rec.sink);
    expect(rec.lines()).toContain(`${short(base.digest)}: Already exists`);
    expect(rec.lines()).toContain(`${short(app.digest)}: Pull complete`);
  });

  it('an interrupted pull, run again, downloads only the layers not yet stored', async () => {
    const { server, b, base, app } = await pushed();
    server.fail = ({ path }) => (path === `/v2/web/blobs/${app.digest}` ? 'cut' : undefined);
    // the app layer's body breaks off after its first chunk
    await expect(pullRemote(b.deps, '127.0.0.1:5001/web:1')).rejects.toThrow();
    expect(await b.store.hasLayer(base)).toBe(true);
    server.fail = () => undefined;
    const from = server.requests.length;
    const rec = recorder();
    await pullRemote(b.deps, '127.0.0.1:5001/web:1', rec.sink);
    expect(rec.lines()).toContain(`${short(base.digest)}: Already exists`);
    const blobGets = server.requests.slice(from).filter((r) => r.method === 'GET' && r.path.includes('/blobs/sha256'));
    expect(blobGets.map((r) => r.path)).not.toContain(`/v2/web/blobs/${base.digest}`);
    expect(blobGets.map((r) => r.path)).toContain(`/v2/web/blobs/${app.digest}`);
  });

  it('chooses linux/386 from an index, and refuses an index without it listing its platforms', async () => {
    const { server, b, image } = await pushed();
    const size = new TextEncoder().encode(image.rawManifest).length;
    const entry = (architecture: string, variant?: string) => ({
      mediaType: MediaType.OciManifest,
      digest: image.manifestDigest,
      size,
      platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
    });
    const index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [entry('amd64'), entry('386')] };
    const indexDigest = await server.putManifest('web', 'multi', index, MediaType.OciIndex);
    const rec = recorder();
    const r = await pullRemote(b.deps, '127.0.0.1:5001/web:multi', rec.sink);
    expect(r.id).toBe(image.configDigest);
    expect(rec.lines()).toContain(`Digest: ${indexDigest}`);
    expect((await b.store.inspect('127.0.0.1:5001/web:multi')).RepoDigests).toContain(`127.0.0.1:5001/web@${indexDigest}`);

    const other = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [entry('amd64'), entry('arm64', 'v8')] };
    await server.putManifest('web', 'elsewhere', other, MediaType.OciIndex);
    await expect(pullRemote(b.deps, '127.0.0.1:5001/web:elsewhere')).rejects.toThrow(
      'no matching manifest for linux/386 in the manifest list entries\n' +
        "LayerLab's machine is 32-bit x86 (linux/386); 127.0.0.1:5001/web:elsewhere offers linux/amd64, linux/arm64/v8. Push a linux/386 image, or pull one that has it.",
    );
  });

  it('words unknown tags and repositories as Docker does', async () => {
    const { b } = await pushed();
    await expect(pullRemote(b.deps, '127.0.0.1:5001/web:2')).rejects.toThrow(
      'manifest for 127.0.0.1:5001/web:2 not found: manifest unknown: manifest unknown',
    );
    await expect(pullRemote(b.deps, '127.0.0.1:5001/nothing:1')).rejects.toThrow(
      'repository 127.0.0.1:5001/nothing not found: name unknown: repository name not known to registry',
    );
  });

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    const { server, b, image } = await pushed();
    const real = server.fetch;
    b.deps.fetch = async (input, init) => {
      const r = await real(input, init);
      return String(input).includes('/manifests/') ? new Response('{"schemaVersion":2}', { status: 200, headers: r.headers }) : r;
    };
    await expect(pullRemote(b.deps, `127.0.0.1:5001/web@${image.manifestDigest}`)).rejects.toThrow(
      `manifest verification failed for digest ${image.manifestDigest}: the registry sent sha256:`,
    );
  });
});
