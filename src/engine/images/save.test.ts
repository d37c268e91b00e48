/**
 * `docker save`: the format we write (an OCI layout and a docker-save manifest.json in one tar,
 * deterministically), and the real tools reading it: skopeo's docker-archive and oci-archive
 * transports (zstd layers too), umoci unpack (umoci 0.4.7 cannot unpack tar+zstd layers, so its
 * test uses gzip and plain ones). Tool tests skip (with a notice) when skopeo or umoci are missing
 * or we are not root.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { mergeLayers, readTar, writeTar } from '../layer/index.ts';
import { MediaType, type Image } from '../oci/index.ts';
import {
  BASE_LAYER,
  containerView,
  dec,
  diskTree,
  enc,
  filesOf,
  HAVE_SKOPEO,
  HAVE_TAR,
  HAVE_UMOCI,
  IS_ROOT,
  layoutImageId,
  makeBusybox,
  makeOther,
  makeZstdBusybox,
  newEnv,
  ourTree,
  run,
  skopeo,
  TOP_LAYER,
  type Env,
} from './archive-testkit.ts';
import { loadImages } from './load.ts';
import { saveImages } from './save.ts';

// ---------------------------------------------------------------------------------------------
// save format and round trips

describe('saveImages', () => {
  it('writes an OCI layout and a docker-save manifest.json, deterministically', async () => {
    const env = newEnv();
    const image = await makeBusybox(env, ['busybox:latest', 'busybox:1.36']);
    const archive = await saveImages(env.store, env.blobs, ['busybox:latest']);
    expect(await saveImages(env.store, env.blobs, ['busybox:latest'])).toEqual(archive);
    const entries = readTar(archive);
    const blobNames = [image.manifestDigest, image.configDigest, ...image.layers.map((l) => l.digest)]
      .map((d) => `blobs/sha256/${d.slice(7)}`)
      .sort();
    expect(entries.map((e) => e.name)).toEqual(['blobs/', 'blobs/sha256/', ...blobNames, 'index.json', 'manifest.json', 'oci-layout']);
    const files = filesOf(archive);
    expect(JSON.parse(dec.decode(files.get('oci-layout')))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(JSON.parse(dec.decode(files.get('index.json')))).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [
        {
          mediaType: MediaType.OciManifest,
          digest: image.manifestDigest,
          size: enc.encode(image.rawManifest).length,
          annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    });
    expect(JSON.parse(dec.decode(files.get('manifest.json')))).toEqual([
      {
        Config: `blobs/sha256/${image.configDigest.slice(7)}`,
        RepoTags: ['busybox:latest'],
        Layers: image.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
      },
    ]);
    // blobs are written exactly as stored
    for (const l of image.layers) expect(files.get(`blobs/sha256/${l.digest.slice(7)}`)).toEqual(await env.blobs.get(l.digest));
  });

  it('saves every tag of a repository, IDs without tags, and rejects unknown names', async () => {
    const env = newEnv();
    const image = await makeBusybox(env, ['busybox:latest', 'busybox:1.36']);
    const other = await makeOther(env);
    const files = filesOf(await saveImages(env.store, env.blobs, ['busybox', other.configDigest.slice(7, 19)]));
    const index = JSON.parse(dec.decode(files.get('index.json'))) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    expect(index.manifests.map((m) => [m.digest, m.annotations?.['org.opencontainers.image.ref.name']])).toEqual([
      [image.manifestDigest, '1.36'],
      [image.manifestDigest, 'latest'],
      [other.manifestDigest, undefined],
    ]);
    expect(index.manifests[2]!.annotations).toBeUndefined();
    const manifest = JSON.parse(dec.decode(files.get('manifest.json'))) as { RepoTags: string[] }[];
    expect(manifest.map((m) => m.RepoTags)).toEqual([['busybox:1.36', 'busybox:latest'], []]);
    await expect(saveImages(env.store, env.blobs, ['nope:latest'])).rejects.toThrow('No such image: nope:latest');
    await expect(saveImages(env.store, env.blobs, [])).rejects.toThrow(InvalidArgumentError);
  });
});

// ---------------------------------------------------------------------------------------------
// the real tools on what we write

describe.skipIf(!HAVE_SKOPEO)('skopeo reads our archives', () => {
  let work: string;
  let src: Env;
  let image: Image;
  let archivePath: string;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-skopeo-'));
    src = newEnv();
    image = await makeBusybox(src);
    archivePath = path.join(work, 'f.tar');
    fs.writeFileSync(archivePath, await saveImages(src.store, src.blobs, ['busybox:latest']));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('skopeo copy docker-archive:f.tar oci:DIR:x keeps the image ID, and the result loads back', async () => {
    const out = path.join(work, 'o');
    skopeo(work, ['copy', `docker-archive:${archivePath}`, `oci:${out}:x`]);
    expect(layoutImageId(out, 'x')).toBe(image.configDigest);
    const env = newEnv();
    const tar = path.join(work, 'o.tar');
    run('tar', ['-C', out, '-cf', tar, '.']);
    const result = await loadImages(env.store, env.blobs, env.meta, new Uint8Array(fs.readFileSync(tar)));
    expect(result.loaded).toEqual([`Loaded image ID: ${image.configDigest}`]);
    expect(await containerView(env, image.configDigest)).toEqual(await containerView(src, image.configDigest));
  });

  it('skopeo copy oci-archive:f.tar dir:DIR copies our manifest byte for byte', () => {
    const out = path.join(work, 'd');
    skopeo(work, ['copy', `oci-archive:${archivePath}`, `dir:${out}`]);
    expect(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe(image.rawManifest);
    for (const l of image.layers) expect(fs.existsSync(path.join(out, l.digest.slice(7)))).toBe(true);
  });

  it('skopeo picks images out of a multi-image archive by name and by index (an untagged one too)', async () => {
    const other = await makeOther(src);
    const multi = path.join(work, 'multi.tar');
    fs.writeFileSync(multi, await saveImages(src.store, src.blobs, ['busybox:latest', other.configDigest]));
    const out = path.join(work, 'multi-oci');
    skopeo(work, ['copy', `docker-archive:${multi}:busybox:latest`, `oci:${out}:busybox`]);
    skopeo(work, ['copy', `docker-archive:${multi}:@1`, `oci:${out}:other`]);
    skopeo(work, ['copy', `oci-archive:${multi}:latest`, `oci:${out}:via-oci`]);
    expect(layoutImageId(out, 'busybox')).toBe(image.configDigest);
    expect(layoutImageId(out, 'other')).toBe(other.configDigest);
    expect(layoutImageId(out, 'via-oci')).toBe(image.configDigest);
  });

  it('skopeo copies an image with a tar+zstd layer (umoci 0.4 cannot: "blob is not correct mediatype")', async () => {
    const env = newEnv();
    const zimage = await makeZstdBusybox(env);
    const saved = path.join(work, 'zbox.tar');
    fs.writeFileSync(saved, await saveImages(env.store, env.blobs, ['zbox:latest']));
    const out = path.join(work, 'zd');
    skopeo(work, ['copy', `oci-archive:${saved}`, `dir:${out}`]);
    expect(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe(zimage.rawManifest);
    const oci = path.join(work, 'zo');
    skopeo(work, ['copy', `docker-archive:${saved}`, `oci:${oci}:x`]);
    expect(layoutImageId(oci, 'x')).toBe(zimage.configDigest);
  });

  it('a docker-archive written by skopeo loads with its name and our image ID', async () => {
    const out = path.join(work, 'skopeo-docker.tar');
    skopeo(work, ['copy', `oci-archive:${archivePath}`, `docker-archive:${out}:example.com/copied:1`]);
    const env = newEnv();
    const result = await loadImages(env.store, env.blobs, env.meta, new Uint8Array(fs.readFileSync(out)));
    expect(result.loaded).toEqual(['Loaded image: example.com/copied:1']);
    expect(await env.store.resolveId('example.com/copied:1')).toBe(image.configDigest);
    expect(await containerView(env, image.configDigest)).toEqual(await containerView(src, image.configDigest));
  });
});

describe.skipIf(!HAVE_UMOCI || !HAVE_TAR || !IS_ROOT)('umoci', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-umoci-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('unpacks our saved archive to exactly the files of our container view', async () => {
    const env = newEnv();
    const image = await makeBusybox(env);
    const layout = path.join(work, 'saved');
    fs.mkdirSync(layout);
    const tar = path.join(work, 'saved.tar');
    fs.writeFileSync(tar, await saveImages(env.store, env.blobs, ['busybox:latest']));
    run('tar', ['-C', layout, '-xf', tar]);
    const bundle = path.join(work, 'saved-bundle');
    run('umoci', ['unpack', '--image', `${layout}:latest`, bundle]);
    const layers = [readTar(writeTar(BASE_LAYER)), readTar(writeTar(TOP_LAYER))];
    expect(diskTree(path.join(bundle, 'rootfs'))).toEqual(ourTree(mergeLayers(layers)));
    expect(await containerView(env, image.configDigest)).toEqual(diskTree(path.join(bundle, 'rootfs')));
  });
});
