/**
 * Pulling from the offline catalog (static OCI layouts) with zstd and gzip layers: blobs are
 * stored as shipped, their content is verified by digest and diffID, and a layer that does not
 * decompress is refused naming the layer and the problem.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnavailableError } from '../errors.ts';
import { gzip, unzstd, writeTar } from '../layer/index.ts';
import { appendLayer, emptyImage, manifestDescriptor, serializeImage, withConfig, type Image, type Layer } from '../oci/image.ts';
import { sha256Digest } from '../oci/digest.ts';
import { MediaType } from '../oci/types.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../store/index.ts';
import { staticImageSource } from './source.ts';
import { ImageStore, NotOfferedError } from './store.ts';

const enc = new TextEncoder();
const T = 1767225600;

/** `zstd -19` of OS_TAR (one directory and one file), as the Debian base layer is shipped. */
const OS_ZSTD = Uint8Array.from(
  Buffer.from(
    'KLUv/WQAC4UEABIHGRlgeQMzgym1kjimAGAIjofYax3mRxiECHgKDQQDhy+o3XsJ0fgYfl3mFBTUxK5ml12ChHkUyKqmiZEij00pfenIS4nYXO1mMZFvuzeuXv56xpbv/t7uUh7HNH5+e89JvQvMswEQIJAXF4sBeMRflCqsChh1dwQ4TgYHWEA6CsBnMOkEUwcGJIgpwHhyb8Xglls=',
    'base64',
  ),
);
const OS_TAR = writeTar([
  { name: 'etc/', type: 'directory', mtime: T },
  { name: 'etc/os-release', type: 'file', data: enc.encode('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'.repeat(20)), mtime: T },
]);
const APP_TAR = writeTar([{ name: 'app.txt', type: 'file', data: enc.encode('hello\n'), mtime: T }]);

/** An offline catalog with one image, `os:1`, of a zstd layer (`blob`, by default OS_ZSTD) and a gzip one. */
async function catalogOf(blob = OS_ZSTD): Promise<{ store: ImageStore; image: Image; files: Map<string, Uint8Array> }> {
  const files = new Map<string, Uint8Array>();
  const put = async (bytes: Uint8Array) => {
    const digest = await sha256Digest(bytes);
    files.set(`os/blobs/sha256/${digest.slice(7)}`, bytes);
    return digest;
  };
  const app = await gzip(APP_TAR);
  const zstdLayer: Layer = {
    digest: await put(blob),
    diffID: await sha256Digest(OS_TAR),
    size: blob.length,
    mediaType: MediaType.OciLayerZstd,
  };
  const gzipLayer: Layer = {
    digest: await put(app),
    diffID: await sha256Digest(APP_TAR),
    size: app.length,
    mediaType: MediaType.OciLayerGzip,
  };
  let image = await appendLayer(await emptyImage(), zstdLayer, { created: '2026-01-01T00:00:00Z', created_by: 'ADD os.tar /' });
  image = await appendLayer(image, gzipLayer, { created: '2026-01-01T00:00:00Z', created_by: 'COPY app.txt /' });
  image = await withConfig(image, { Cmd: ['sh'] });
  const { manifestBytes, configBytes } = serializeImage(image);
  await put(manifestBytes);
  await put(configBytes);
  files.set('os/index.json', enc.encode(JSON.stringify({ schemaVersion: 2, manifests: [manifestDescriptor(image, {})] })));
  files.set('catalog.json', enc.encode(JSON.stringify({ images: [{ references: ['os:1', 'os:1-slim'], layout: 'os', size: 0 }] })));
  const source = staticImageSource(async (path) => {
    const f = files.get(path);
    if (!f) throw new Error(`no ${path}`);
    return f;
  });
  const store = new ImageStore({
    blobs: new MemoryBlobStore(),
    meta: new MemoryMetadataStore(),
    source,
    now: () => new Date(T * 1000),
    containersUsing: async () => new Map(),
  });
  return { store, image, files };
}

describe('pull from the offline catalog', () => {
  it('stores a zstd layer as shipped and reads its files', async () => {
    expect(Buffer.compare(unzstd(OS_ZSTD), OS_TAR)).toBe(0);
    const { store, image } = await catalogOf();
    const { id } = await store.pull('os:1');
    expect(id).toBe(image.configDigest);
    const loaded = await store.load(id);
    expect(loaded.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayerZstd, MediaType.OciLayerGzip]);
    expect(Buffer.compare(await store.readBlob(image.layers[0]!.digest), OS_ZSTD)).toBe(0);
    const tree = await store.tree(await store.resolve('os:1'));
    expect(new TextDecoder().decode(tree.get('etc/os-release')!.data!)).toMatch(/^PRETTY_NAME="Debian/);
    expect(tree.get('app.txt')).toBeDefined();
    // Docker's size: bytes of file content, not tar bytes with their headers
    expect((await store.inspect('os:1')).Size).toBe(20 * 45 + 6);
  });

  it("records the repository's manifest digest, as Docker's RepoDigests, once however often it is pulled", async () => {
    const { store, image } = await catalogOf();
    await store.pull('os:1');
    await store.pull('os:1');
    expect((await store.inspect('os:1')).RepoDigests).toEqual([`os@${image.manifestDigest}`]);
    expect((await store.list())[0]?.repoDigests).toEqual([`os@${image.manifestDigest}`]);
  });

  it('finds an image by NAME@DIGEST (its RepoDigest), as docker run and inspect take it', async () => {
    const { store, image } = await catalogOf();
    const { id } = await store.pull('os:1');
    expect(await store.resolveId(`os@${image.manifestDigest}`)).toBe(id);
    expect(await store.resolveId(`docker.io/library/os@${image.manifestDigest}`)).toBe(id);
    await expect(store.resolveId(`other@${image.manifestDigest}`)).rejects.toThrow(`No such image: other@${image.manifestDigest}`);
  });

  it('refuses a truncated or corrupt zstd layer, naming the layer and the problem', async () => {
    const truncated = await catalogOf(OS_ZSTD.subarray(0, 100));
    const short = (await sha256Digest(OS_ZSTD.subarray(0, 100))).slice(7, 19);
    const err = await truncated.store.pull('os:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(new RegExp(`^layer ${short}: zstd stream is truncated`));
    const reserved = OS_ZSTD.slice();
    reserved[4]! |= 0x08;
    await expect((await catalogOf(reserved)).store.pull('os:1')).rejects.toThrow(
      /zstd stream is corrupt: reserved bit set in the frame header/,
    );
  });

  it('refuses a layer whose decoded tar does not match its diffID', async () => {
    // flip a bit of the compressed data where the frame still decodes, to other bytes (the frame
    // checksum is not verified: the diffID is)
    const z = OS_ZSTD.slice();
    const { store } = await catalogOf(
      await (async () => {
        for (let i = 20; i < z.length - 8; i++) {
          const t = z.slice();
          t[i]! ^= 0x01;
          try {
            if (Buffer.compare(unzstd(t), OS_TAR) !== 0 && unzstd(t).length === OS_TAR.length) return t;
          } catch {
            // this byte breaks the frame: try the next
          }
        }
        throw new Error('no byte that decodes differently');
      })(),
    );
    await expect(store.pull('os:1')).rejects.toThrow(/diffID mismatch/);
  });

  it("refuses a tag the catalog lacks with Docker's words and the closest tags, pulling nothing", async () => {
    const { store } = await catalogOf();
    const err = await store.pull('os:2-slim').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotOfferedError);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as NotOfferedError).repositoryKnown).toBe(true);
    expect((err as Error).message).toBe(
      'manifest for os:2-slim not found: manifest unknown: manifest unknown\n' +
        'LayerLab runs offline and has no os:2-slim; the closest tags it has: os:1-slim, os:1.',
    );
    expect(await store.list()).toEqual([]);
  });

  it("refuses a repository the catalog lacks with Docker's pull access denied", async () => {
    const { store } = await catalogOf();
    const err = (await store.pull('docker.io/library/oss').catch((e: unknown) => e)) as NotOfferedError;
    expect(err.repositoryKnown).toBe(false);
    expect(err.reference.familiar).toBe('oss:latest');
    expect(err.message).toBe(
      "pull access denied for oss, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n" +
        'LayerLab runs offline and has no image named oss; the closest it has: os:1, os:1-slim.',
    );
  });
});
