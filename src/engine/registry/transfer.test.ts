import { describe, expect, it } from 'vitest';
import { NotFoundError, UnavailableError } from '../errors.ts';
import { tarEntry, unzstd, writeTar } from '../layer/index.ts';
import { sha256Digest } from '../oci/digest.ts';
import { MediaType } from '../oci/types.ts';
import { isLocalRegistryReference, login, LOGIN_REFUSED, pullFromRegistry, push } from './transfer.ts';
import { fileLayer, gzipLayer, newImageStore, newRegistry, recorder, short, storeImage } from './testkit.ts';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
/** `zstd -19` of a tar holding etc/os-release ("NAME=tiny\n", mtime 1714521600), base64. */
const ZSTD_OS_RELEASE =
  'KLUv/WQAB7UCAPLDDRGgb6CZjV4QRzO6bluzgsDDKQ3yjDctplq7d3XX4vbQf9B/8WL+mG/y7t7GHG9oHZSwCkvHuzAKICAxtQ7y/U4iFeAI4NIBnY698KIwKICVCdcBdfIXcQ==';

describe('push', () => {
  it('uploads every layer the first time, printing what Docker prints', async () => {
    const { store } = newImageStore();
    const { registry } = newRegistry();
    const base = await fileLayer(store, 'etc/os-release', 'NAME=tiny\n');
    const app = await fileLayer(store, 'app/index.html', '<h1>hi</h1>\n');
    const image = await storeImage(store, 'localhost:5000/web:1', [base, app]);
    const rec = recorder();
    const result = await push(store, registry, 'localhost:5000/web:1', rec.sink);
    const size = new TextEncoder().encode(image.rawManifest).length;
    expect((await store.inspect('localhost:5000/web:1')).RepoDigests).toEqual([`localhost:5000/web@${image.manifestDigest}`]);
    expect(rec.lines()).toEqual([
      'The push refers to repository [localhost:5000/web]',
      `${short(app.diffID)}: Preparing`,
      `${short(base.diffID)}: Preparing`,
      `${short(app.diffID)}: Pushed`,
      `${short(base.diffID)}: Pushed`,
      `1: digest: ${image.manifestDigest} size: ${size}`,
    ]);
    // Progress events carry byte counts (the terminal shows them as a bar).
    expect(rec.events.filter((e) => e.current !== undefined)).toContainEqual({
      id: short(app.diffID),
      status: 'Pushing',
      current: app.size,
      total: app.size,
    });
    expect(result).toMatchObject({ reference: 'localhost:5000/web:1', digest: image.manifestDigest, size });
    expect(result.layers.map((l) => l.result)).toEqual(['pushed', 'pushed']);
    expect(await registry.listTags('web')).toEqual({ name: 'web', tags: ['1'] });
    expect(text((await registry.getManifest('web', '1')).bytes)).toBe(image.rawManifest);
  });

  it('a second push uploads nothing: every layer already exists', async () => {
    const { store } = newImageStore();
    const { registry, blobs } = newRegistry();
    const base = await fileLayer(store, 'etc/os-release', 'NAME=tiny\n');
    const app = await fileLayer(store, 'app/index.html', '<h1>hi</h1>\n');
    const image = await storeImage(store, 'localhost:5000/web:1', [base, app]);
    await push(store, registry, 'localhost:5000/web:1');
    const before = await blobs.list();
    const rec = recorder();
    const result = await push(store, registry, 'localhost:5000/web:1', rec.sink);
    expect(rec.lines()).toEqual([
      'The push refers to repository [localhost:5000/web]',
      `${short(app.diffID)}: Preparing`,
      `${short(base.diffID)}: Preparing`,
      `${short(app.diffID)}: Layer already exists`,
      `${short(base.diffID)}: Layer already exists`,
      `1: digest: ${image.manifestDigest} size: ${result.size}`,
    ]);
    expect(rec.events.some((e) => e.status === 'Pushing')).toBe(false);
    expect(await blobs.list()).toEqual(before);
  });

  it('an image sharing its base layer with a pushed one uploads only its new layer', async () => {
    const { store } = newImageStore();
    const { registry } = newRegistry();
    const base = await fileLayer(store, 'etc/os-release', 'NAME=tiny\n');
    const v1 = await fileLayer(store, 'app/index.html', '<h1>version 1</h1>\n');
    const v2 = await fileLayer(store, 'app/index.html', '<h1>version 2</h1>\n');
    await storeImage(store, 'localhost:5000/web:1', [base, v1]);
    const image2 = await storeImage(store, 'localhost:5000/web:2', [base, v2]);
    await push(store, registry, 'localhost:5000/web:1');
    const rec = recorder();
    const result = await push(store, registry, 'localhost:5000/web:2', rec.sink);
    expect(rec.lines()).toEqual([
      'The push refers to repository [localhost:5000/web]',
      `${short(v2.diffID)}: Preparing`,
      `${short(base.diffID)}: Preparing`,
      `${short(v2.diffID)}: Pushed`,
      `${short(base.diffID)}: Layer already exists`,
      `2: digest: ${image2.manifestDigest} size: ${result.size}`,
    ]);
    // Only the new layer's bytes travel.
    expect(rec.events.filter((e) => e.status === 'Pushing')).toEqual([
      { id: short(v2.diffID), status: 'Pushing', current: 0, total: v2.size },
      { id: short(v2.diffID), status: 'Pushing', current: v2.size, total: v2.size },
    ]);
    expect(result.layers).toEqual([
      { digest: v2.digest, diffID: v2.diffID, size: v2.size, result: 'pushed' },
      { digest: base.digest, diffID: base.diffID, size: base.size, result: 'exists' },
    ]);
    expect((await registry.listTags('web')).tags).toEqual(['1', '2']);
  });

  it('mounts a layer another repository of the registry holds instead of uploading it', async () => {
    const { store } = newImageStore();
    const { registry, blobs } = newRegistry();
    const base = await fileLayer(store, 'etc/os-release', 'NAME=tiny\n');
    const app = await fileLayer(store, 'app/run.sh', 'echo hi\n');
    await storeImage(store, 'localhost:5000/base:1', [base]);
    const image = await storeImage(store, 'localhost:5000/team/app:1', [base, app]);
    await push(store, registry, 'localhost:5000/base:1');
    const rec = recorder();
    const result = await push(store, registry, 'localhost:5000/team/app:1', rec.sink);
    expect(rec.lines()).toEqual([
      'The push refers to repository [localhost:5000/team/app]',
      `${short(app.diffID)}: Preparing`,
      `${short(base.diffID)}: Preparing`,
      `${short(app.diffID)}: Pushed`,
      `${short(base.diffID)}: Mounted from base`,
      `1: digest: ${image.manifestDigest} size: ${result.size}`,
    ]);
    expect(result.layers[1]).toMatchObject({ result: 'mounted', from: 'base' });
    expect(await registry.headBlob('team/app', base.digest)).toBeDefined();
    expect((await registry.catalog()).repositories).toEqual(['base', 'team/app']);
    // The bytes are stored once.
    expect((await blobs.list()).filter((b) => b.digest === base.digest)).toHaveLength(1);
  });

  it('over the engine’s own blob store, pushing stores no new bytes at all', async () => {
    const { store, blobs } = newImageStore();
    const { registry } = newRegistry(blobs);
    const base = await fileLayer(store, 'etc/os-release', 'NAME=tiny\n');
    await storeImage(store, 'localhost:5000/web:1', [base]);
    const usage = await blobs.usage();
    await push(store, registry, 'localhost:5000/web:1');
    expect(await blobs.usage()).toBe(usage);
    expect(await registry.headBlob('web', base.digest)).toEqual({ digest: base.digest, size: base.size });
  });

  it('refuses an image that is not tagged locally, like Docker', async () => {
    const { store } = newImageStore();
    const { registry } = newRegistry();
    const rec = recorder();
    const err = await push(store, registry, 'localhost:5000/nope:1', rec.sink).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe('An image does not exist locally with the tag: localhost:5000/nope');
    expect(rec.lines()).toEqual(['The push refers to repository [localhost:5000/nope]']);
    expect((await registry.catalog()).repositories).toEqual([]);
  });

  it('refuses other registries: only localhost:5000 exists offline', async () => {
    const { store } = newImageStore();
    const { registry } = newRegistry();
    await storeImage(store, 'busybox:latest', [await fileLayer(store, 'bin/sh', '#!')]);
    const rec = recorder();
    const err = await push(store, registry, 'busybox', rec.sink).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain('only registry is the local one at localhost:5000');
    expect((err as Error).message).toContain('docker tag busybox:latest localhost:5000/busybox:latest');
    expect(rec.lines()).toEqual(['The push refers to repository [docker.io/library/busybox]']);
    expect((await push(store, registry, 'docker.io/someone/else:1').catch((e: unknown) => e)) as Error).toMatchObject({
      message: 'An image does not exist locally with the tag: someone/else',
    });
  });
});

describe('pull from the local registry', () => {
  it('round trip: push, then pull into a store that shares nothing but the registry', async () => {
    const a = newImageStore();
    const { registry } = newRegistry();
    const base = await fileLayer(a.store, 'etc/os-release', 'NAME=tiny\n');
    const app = await gzipLayer(a.store, 'app/index.html', '<h1>hi</h1>\n');
    expect(app.digest).not.toBe(app.diffID);
    const image = await storeImage(a.store, 'localhost:5000/web:1', [base, app], ['httpd', '-f']);
    await push(a.store, registry, 'localhost:5000/web:1');

    const b = newImageStore();
    const rec = recorder();
    const result = await pullFromRegistry(b.store, registry, 'localhost:5000/web:1', rec.sink);
    expect(result).toEqual({ id: image.configDigest, reference: 'localhost:5000/web:1', digest: image.manifestDigest });
    expect(rec.lines()).toEqual([
      '1: Pulling from web',
      ...[base, app].flatMap((l) =>
        ['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Pull complete'].map((s) => `${short(l.digest)}: ${s}`),
      ),
      `Digest: ${image.manifestDigest}`,
      'Status: Downloaded newer image for localhost:5000/web:1',
    ]);
    expect(await b.store.resolveId('localhost:5000/web:1')).toBe(image.configDigest);
    const resolved = await b.store.resolve('localhost:5000/web:1');
    expect(resolved.config.Cmd).toEqual(['httpd', '-f']);
    const tree = await b.store.tree(resolved);
    expect(tree.get('/app/index.html')).toBeDefined();
    expect((await b.store.inspect('localhost:5000/web:1')).RootFS.Layers).toEqual([base.diffID, app.diffID]);
  });

  it('round trip of an image on a tar+zstd base layer (as python:3.11-slim is shipped): the blob travels as it is', async () => {
    const a = newImageStore();
    const { registry } = newRegistry();
    const tar = writeTar([
      tarEntry({ name: 'etc/os-release', type: 'file', data: new TextEncoder().encode('NAME=tiny\n'), mtime: 1714521600 }),
    ]);
    const blob = Uint8Array.from(Buffer.from(ZSTD_OS_RELEASE, 'base64'));
    expect(Buffer.compare(unzstd(blob), tar)).toBe(0);
    const base = {
      digest: await sha256Digest(blob),
      diffID: await sha256Digest(tar),
      size: blob.length,
      mediaType: MediaType.OciLayerZstd,
    };
    await a.store.putLayerBlob(base, blob);
    const app = await gzipLayer(a.store, 'app/index.html', '<h1>hi</h1>\n');
    const image = await storeImage(a.store, 'localhost:5000/zweb:1', [base, app]);
    await push(a.store, registry, 'localhost:5000/zweb:1');
    const b = newImageStore();
    await pullFromRegistry(b.store, registry, 'localhost:5000/zweb:1');
    expect(Buffer.compare(await b.store.readBlob(base.digest), blob)).toBe(0);
    expect((await b.store.load(image.configDigest)).layers.map((l) => l.mediaType)).toEqual([
      MediaType.OciLayerZstd,
      MediaType.OciLayerGzip,
    ]);
    const tree = await b.store.tree(await b.store.resolve('localhost:5000/zweb:1'));
    expect(new TextDecoder().decode(tree.get('/etc/os-release')!.data!)).toBe('NAME=tiny\n');
  });

  it('a second pull is up to date and downloads nothing', async () => {
    const a = newImageStore();
    const { registry } = newRegistry();
    const image = await storeImage(a.store, 'localhost:5000/web:1', [await fileLayer(a.store, 'a', 'a')]);
    await push(a.store, registry, 'localhost:5000/web:1');
    const b = newImageStore();
    await pullFromRegistry(b.store, registry, 'localhost:5000/web:1');
    const rec = recorder();
    await pullFromRegistry(b.store, registry, 'localhost:5000/web:1', rec.sink);
    expect(rec.lines()).toEqual([
      '1: Pulling from web',
      `Digest: ${image.manifestDigest}`,
      'Status: Image is up to date for localhost:5000/web:1',
    ]);
  });

  it('skips layers the local store already has', async () => {
    const a = newImageStore();
    const { registry } = newRegistry();
    const base = await fileLayer(a.store, 'etc/os-release', 'NAME=tiny\n');
    const v1 = await fileLayer(a.store, 'app', 'v1');
    const v2 = await fileLayer(a.store, 'app', 'v2');
    await storeImage(a.store, 'localhost:5000/web:1', [base, v1]);
    const image2 = await storeImage(a.store, 'localhost:5000/web:2', [base, v2]);
    await push(a.store, registry, 'localhost:5000/web:1');
    await push(a.store, registry, 'localhost:5000/web:2');
    const b = newImageStore();
    await pullFromRegistry(b.store, registry, 'localhost:5000/web:1');
    const rec = recorder();
    await pullFromRegistry(b.store, registry, 'localhost:5000/web:2', rec.sink);
    expect(rec.lines()).toEqual([
      '2: Pulling from web',
      `${short(base.digest)}: Already exists`,
      `${short(v2.digest)}: Pulling fs layer`,
      `${short(v2.digest)}: Verifying Checksum`,
      `${short(v2.digest)}: Download complete`,
      `${short(v2.digest)}: Pull complete`,
      `Digest: ${image2.manifestDigest}`,
      'Status: Downloaded newer image for localhost:5000/web:2',
    ]);
  });

  it('names an unknown tag or repository like Docker does', async () => {
    const a = newImageStore();
    const { registry } = newRegistry();
    await storeImage(a.store, 'localhost:5000/web:1', [await fileLayer(a.store, 'a', 'a')]);
    await push(a.store, registry, 'localhost:5000/web:1');
    const rec = recorder();
    for (const [ref, familiar] of [
      ['localhost:5000/web:2', 'localhost:5000/web:2'],
      ['localhost:5000/nope', 'localhost:5000/nope:latest'],
    ]) {
      const err = await pullFromRegistry(a.store, registry, ref!, rec.sink).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toBe(`manifest for ${familiar} not found: manifest unknown`);
    }
    expect(rec.events).toEqual([]);
  });

  it('refuses references outside the local registry', async () => {
    const { store } = newImageStore();
    const { registry } = newRegistry();
    const err = await pullFromRegistry(store, registry, 'quay.io/x/y:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain('localhost:5000');
  });

  it('rejects a layer whose bytes in the registry do not match (nothing tagged)', async () => {
    const a = newImageStore();
    const { registry } = newRegistry();
    const layer = await fileLayer(a.store, 'a', 'a');
    await storeImage(a.store, 'localhost:5000/web:1', [layer]);
    await push(a.store, registry, 'localhost:5000/web:1');
    // A manifest whose diff ID lies: same blob, config claiming another diff ID.
    const liar = await storeImage(a.store, 'localhost:5000/web:bad', [{ ...layer, diffID: await sha256Digest('other') }]);
    await push(a.store, registry, 'localhost:5000/web:bad');
    expect(liar.layers[0]!.digest).toBe(layer.digest);
    const b = newImageStore();
    await expect(pullFromRegistry(b.store, registry, 'localhost:5000/web:bad')).rejects.toThrow('diffID mismatch');
    await expect(b.store.resolveId('localhost:5000/web:bad')).rejects.toThrow('No such image');
  });
});

describe('login', () => {
  it('is always refused with a clear message', async () => {
    for (const server of [undefined, 'localhost:5000', 'docker.io', 'ghcr.io']) {
      const err = await login(server).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect((err as Error).message).toBe(LOGIN_REFUSED);
    }
    expect(LOGIN_REFUSED).toContain('localhost:5000');
  });
});

describe('isLocalRegistryReference', () => {
  it('recognises localhost:5000 names only', () => {
    expect(isLocalRegistryReference('localhost:5000/web:1')).toBe(true);
    expect(isLocalRegistryReference('localhost:5000/team/web')).toBe(true);
    expect(isLocalRegistryReference('localhost/web')).toBe(false);
    expect(isLocalRegistryReference('busybox')).toBe(false);
    expect(isLocalRegistryReference('Not A Ref')).toBe(false);
  });
});
