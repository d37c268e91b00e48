/** A remote pull checks each layer as it streams (`LayerStreamVerifier`): what it refuses and what it stores. */
import { describe, expect, it } from 'vitest';
import { gzip, LayerError, tarEntry, writeTar, type TarEntryInit } from '../../layer/index.ts';
import { sha256Digest } from '../../oci/digest.ts';
import type { Layer } from '../../oci/image.ts';
import { MediaType } from '../../oci/types.ts';
import { RegistryMemory } from '../credentials.ts';
import { newImageStore, recorder, short, storeImage } from '../testkit.ts';
import { pullRemote } from './pull.ts';
import { pushRemote } from './push.ts';
import { FakeRegistry } from './testkit.ts';

function client(server: FakeRegistry) {
  const s = newImageStore();
  const memory = new RegistryMemory(s.meta);
  return { ...s, deps: { fetch: server.fetch, memory, images: s.store, blobs: s.blobs } };
}

/** Pushes an image of one layer made of `entries` (stored as is, unchecked), its diffID `diffID` if given. */
async function served(entries: TarEntryInit[], diffID?: string) {
  const server = new FakeRegistry('127.0.0.1:5001');
  const a = client(server);
  const tar = writeTar(entries.map((e) => tarEntry({ mtime: 1714521600, ...e })));
  const blob = await gzip(tar);
  const layer: Layer = {
    digest: await sha256Digest(blob),
    diffID: (diffID ?? (await sha256Digest(tar))) as Layer['diffID'],
    size: blob.length,
    mediaType: MediaType.OciLayerGzip,
  } as Layer;
  await a.blobs.put(blob, layer.digest);
  await storeImage(a.store, '127.0.0.1:5001/web:1', [layer]);
  await pushRemote(a.deps, '127.0.0.1:5001/web:1');
  return { server, layer, tar, blob, b: client(server) };
}

const enc = new TextEncoder();
const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);

describe('pull checks each layer while it streams', () => {
  it('stores a good layer with the contentSize of its tar, the blob read as it arrived', async () => {
    const { b, layer } = await served([
      { name: 'bin/', type: 'directory' },
      { name: 'bin/big', type: 'file', data: big },
      { name: 'bin/again', type: 'hardlink', linkname: 'bin/big' },
      { name: '.wh.gone', type: 'file' },
    ]);
    const rec = recorder();
    await pullRemote(b.deps, '127.0.0.1:5001/web:1', rec.sink);
    expect(rec.lines()).toContain(`${short(layer.digest)}: Pull complete`);
    expect(await b.store.hasLayer(layer)).toBe(true);
    expect(await b.meta.get('layers', layer.diffID)).toEqual({ digest: layer.digest, diffID: layer.diffID, size: big.length });
  });

  it('refuses a layer whose tar is not the diffID its config names, and stores nothing', async () => {
    const { b, layer } = await served([{ name: 'a', type: 'file', data: enc.encode('a') }], `sha256:${'0'.repeat(64)}`);
    await expect(pullRemote(b.deps, '127.0.0.1:5001/web:1')).rejects.toThrow(`layer ${short(layer.digest)}: diffID mismatch`);
    expect(await b.blobs.has(layer.digest)).toBe(false);
    expect(await b.store.hasLayer(layer)).toBe(false);
  });

  it("refuses a hostile tar with validateLayer's error, and stores nothing", async () => {
    const { b, layer } = await served([
      { name: 'f', type: 'file', data: big },
      { name: 'evil', type: 'symlink', linkname: '../../../etc' },
    ]);
    const err = await pullRemote(b.deps, '127.0.0.1:5001/web:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LayerError);
    expect((err as LayerError).kind).toBe('path-escape');
    expect(await b.blobs.has(layer.digest)).toBe(false);
  });

  it('checks a blob an interrupted pull left stored, read piece by piece, the same way', async () => {
    const good = await served([{ name: 'big', type: 'file', data: big }]);
    await good.b.blobs.put(good.blob, good.layer.digest);
    const from = good.server.requests.length;
    await pullRemote(good.b.deps, '127.0.0.1:5001/web:1');
    expect(good.server.requests.slice(from).map((r) => r.path)).not.toContain(`/v2/web/blobs/${good.layer.digest}`);
    expect(await good.b.meta.get('layers', good.layer.diffID)).toMatchObject({ size: big.length });

    const bad = await served([{ name: '../x', type: 'file' }]);
    await bad.b.blobs.put(bad.blob, bad.layer.digest);
    await expect(pullRemote(bad.b.deps, '127.0.0.1:5001/web:1')).rejects.toMatchObject({ kind: 'path-escape' });
    expect(await bad.b.store.hasLayer(bad.layer)).toBe(false);
  });

  it('reports a blob that is not the one asked for as a failed download, and stores nothing', async () => {
    const { b, layer, blob } = await served([{ name: 'big', type: 'file', data: big }]);
    // the registry's copy is what the manifest names, but it is not gzip past its header
    const broken = blob.slice();
    broken.fill(0xff, 20, 200);
    const digest = await sha256Digest(broken);
    expect(digest).not.toBe(layer.digest);
    // a blob that is not the one asked for is a download failure, not a bad layer
    const origFetch = b.deps.fetch;
    b.deps.fetch = async (input, init) => {
      const r = await origFetch(input, init);
      return String(input).includes(`/blobs/${layer.digest}`) ? new Response(broken, { status: 200, headers: r.headers }) : r;
    };
    await expect(pullRemote(b.deps, '127.0.0.1:5001/web:1')).rejects.toThrow(
      `filesystem layer verification failed for digest ${layer.digest}`,
    );
    expect(await b.blobs.has(layer.digest)).toBe(false);
  });
});
