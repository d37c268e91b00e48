/**
 * `docker load`: round trips through our store, docker-save and OCI-layout archives alone (old
 * style, nested indexes, zstd layers, unterminated layer tars repaired), images umoci made, and
 * hostile archives rejected without touching the store. umoci 0.4.7 (Debian 12) cannot unpack
 * tar+zstd layers, so its test uses gzip and plain layers. The umoci test skips (with a notice)
 * when umoci or GNU tar is missing or we are not root.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSize, gunzip, gzip, isGzip, isZstd, mergeLayers, readTar, unzstd, writeTar } from '../layer/index.ts';
import { MediaType, sha256Digest } from '../oci/index.ts';
import {
  BASE_LAYER,
  BASE_LAYER_ZSTD,
  containerView,
  dec,
  dir,
  diskTree,
  enc,
  file,
  filesOf,
  HAVE_TAR,
  HAVE_UMOCI,
  IS_ROOT,
  layoutFiles,
  layoutImageId,
  makeBusybox,
  makeOther,
  makeZstdBusybox,
  newEnv,
  ourTree,
  rejects,
  run,
  snapshot,
  tarOf,
  TOP_LAYER,
  type Env,
} from './archive-testkit.ts';
import { loadImages, type LoadResult } from './load.ts';
import { saveImages } from './save.ts';

describe('save → load round trip', () => {
  it('loads into an empty store with the same IDs, manifests, references and files', async () => {
    const src = newEnv();
    const image = await makeBusybox(src, ['busybox:latest', 'busybox:1.36']);
    const other = await makeOther(src);
    const archive = await saveImages(src.store, src.blobs, ['busybox:latest', 'busybox:1.36', other.configDigest]);

    const dst = newEnv();
    const events: string[] = [];
    const result = await loadImages(dst.store, dst.blobs, dst.meta, archive, (e) => events.push(e.id ? `${e.id}: ${e.status}` : e.status));
    expect(result.loaded).toEqual(['Loaded image: busybox:latest', 'Loaded image: busybox:1.36', `Loaded image ID: ${other.configDigest}`]);
    expect(result.images).toEqual([
      { id: image.configDigest, references: ['busybox:latest', 'busybox:1.36'] },
      { id: other.configDigest, references: [] },
    ]);
    expect(events).toContain(`${image.layers[0]!.diffID.slice(7, 19)}: Loading layer`);
    expect(events.slice(-3)).toEqual(result.loaded);
    expect(await dst.store.resolveId('busybox:1.36')).toBe(image.configDigest);
    expect((await dst.store.load(image.configDigest)).manifestDigest).toBe(image.manifestDigest);
    expect((await dst.store.load(other.configDigest)).manifestDigest).toBe(other.manifestDigest);
    expect(await dst.store.references()).toEqual(await src.store.references());
    expect(await containerView(dst, image.configDigest)).toEqual(await containerView(src, image.configDigest));
    expect((await dst.store.inspect('busybox:latest')).Size).toBeGreaterThan(0);

    // Loading the same archive again changes nothing.
    const before = await snapshot(dst);
    const again = await loadImages(dst.store, dst.blobs, undefined, archive);
    expect(again.loaded).toEqual(result.loaded);
    expect(await snapshot(dst)).toBe(before);
  });

  it('accepts a gzip-compressed archive and moves a tag that pointed elsewhere', async () => {
    const src = newEnv();
    const image = await makeBusybox(src);
    const dst = newEnv();
    const old = await makeOther(dst);
    await dst.store.setReference('busybox:latest', old.configDigest);
    const events: string[] = [];
    const result = await loadImages(dst.store, dst.blobs, dst.meta, await gzip(await saveImages(src.store, src.blobs, ['busybox'])), (e) =>
      events.push(e.status),
    );
    expect(result.loaded).toEqual(['Loaded image: busybox:latest']);
    expect(events).toContain(`The image busybox:latest already exists, renaming the old one with ID ${old.configDigest} to empty string`);
    expect(await dst.store.resolveId('busybox:latest')).toBe(image.configDigest);
    expect(await dst.store.hasImage(old.configDigest)).toBe(true);
  });

  it('keeps a zstd layer as it is: saved with its tar+zstd media type, loaded back with the same IDs', async () => {
    expect(Buffer.compare(unzstd(BASE_LAYER_ZSTD), writeTar(BASE_LAYER))).toBe(0);
    const src = newEnv();
    const image = await makeZstdBusybox(src);
    const archive = await saveImages(src.store, src.blobs, ['zbox:latest']);
    const files = filesOf(archive);
    const manifest = JSON.parse(dec.decode(files.get(`blobs/sha256/${image.manifestDigest.slice(7)}`))) as {
      layers: { mediaType: string }[];
    };
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayerZstd, MediaType.OciLayerGzip]);
    expect(isZstd(files.get(`blobs/sha256/${image.layers[0]!.digest.slice(7)}`)!)).toBe(true);
    const dst = newEnv();
    const result = await loadImages(dst.store, dst.blobs, dst.meta, archive);
    expect(result.loaded).toEqual(['Loaded image: zbox:latest']);
    expect((await dst.store.load(image.configDigest)).manifestDigest).toBe(image.manifestDigest);
    expect(await containerView(dst, image.configDigest)).toEqual(await containerView(src, image.configDigest));
    expect((await dst.store.inspect('zbox:latest')).Size).toBe(contentSize(writeTar(BASE_LAYER)) + contentSize(writeTar(TOP_LAYER)));
  });

  it('loads a docker-save archive alone whose layer is zstd (a tar+zstd descriptor), and a zstd-compressed archive', async () => {
    const src = newEnv();
    const image = await makeZstdBusybox(src);
    const files = filesOf(await saveImages(src.store, src.blobs, ['zbox:latest']));
    files.delete('index.json');
    files.delete('oci-layout');
    files.delete(`blobs/sha256/${image.manifestDigest.slice(7)}`);
    const dst = newEnv();
    const result = await loadImages(dst.store, dst.blobs, dst.meta, tarOf(files));
    expect(result.images.map((i) => i.id)).toEqual([image.configDigest]);
    const loaded = await dst.store.load(image.configDigest);
    expect(loaded.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayerZstd, MediaType.OciLayerGzip]);
    expect(await containerView(dst, image.configDigest)).toEqual(await containerView(src, image.configDigest));
    // `zstd f.tar` then `docker load -i f.tar.zst`
    const zstd = (() => {
      try {
        return new Uint8Array(execFileSync('zstd', ['-q', '-c'], { input: tarOf(files) }));
      } catch {
        return undefined; // no zstd CLI here
      }
    })();
    if (zstd) {
      const z = newEnv();
      expect((await loadImages(z.store, z.blobs, undefined, zstd)).images.map((i) => i.id)).toEqual([image.configDigest]);
    }
  });

  it('rejects a truncated or corrupt zstd layer, naming the layer and the problem', async () => {
    const diffID = await sha256Digest(writeTar(BASE_LAYER));
    for (const [bytes, problem] of [
      [BASE_LAYER_ZSTD.subarray(0, 200), /zstd stream is truncated/],
      [Uint8Array.from([...BASE_LAYER_ZSTD.subarray(0, 4), 0x6c, ...BASE_LAYER_ZSTD.subarray(5)]), /zstd stream is corrupt: reserved bit/],
    ] as const) {
      const files = new Map<string, Uint8Array>();
      const put = async (b: Uint8Array) => {
        const digest = await sha256Digest(b);
        files.set(`blobs/sha256/${digest.slice(7)}`, b);
        return { digest, size: b.length };
      };
      const layer = { mediaType: MediaType.OciLayerZstd, ...(await put(bytes)) };
      const config = await put(
        enc.encode(JSON.stringify({ architecture: '386', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffID] } })),
      );
      const manifest = await put(
        enc.encode(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MediaType.OciManifest,
            config: { mediaType: MediaType.OciConfig, ...config },
            layers: [layer],
          }),
        ),
      );
      files.set('oci-layout', enc.encode('{"imageLayoutVersion":"1.0.0"}'));
      files.set(
        'index.json',
        enc.encode(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.OciManifest, ...manifest }] })),
      );
      const env = newEnv();
      const message = await rejects(loadImages(env.store, env.blobs, env.meta, tarOf(files)));
      expect(message).toContain(`invalid archive: layer blobs/sha256/${layer.digest.slice(7)}: `);
      expect(message).toMatch(problem);
      expect(await env.blobs.list()).toEqual([]);
    }
  });

  it('loads a docker-save archive alone, old style (<id>/layer.tar, symlinked duplicates)', async () => {
    const base = writeTar(BASE_LAYER);
    const top = writeTar(TOP_LAYER);
    const cfg = async (layers: Uint8Array[]) =>
      enc.encode(
        JSON.stringify({
          architecture: '386',
          os: 'linux',
          config: { Cmd: ['sh'] },
          rootfs: { type: 'layers', diff_ids: await Promise.all(layers.map((l) => sha256Digest(l))) },
        }),
      );
    const cfgA = await cfg([base]);
    const cfgB = await cfg([base, top]);
    const idA = await sha256Digest(cfgA);
    const idB = await sha256Digest(cfgB);
    const v1 = (n: number) => String(n).repeat(64);
    const files = new Map<string, Uint8Array>([
      [`${idA.slice(7)}.json`, cfgA],
      [`${idB.slice(7)}.json`, cfgB],
      [`${v1(1)}/layer.tar`, base],
      [`${v1(1)}/VERSION`, enc.encode('1.0')],
      [`${v1(2)}/layer.tar`, await gzip(top)],
      [
        'manifest.json',
        enc.encode(
          JSON.stringify([
            { Config: `${idA.slice(7)}.json`, RepoTags: ['docker.io/library/alpine:3.19'], Layers: [`${v1(1)}/layer.tar`] },
            { Config: `${idB.slice(7)}.json`, RepoTags: null, Layers: [`${v1(3)}/layer.tar`, `${v1(2)}/layer.tar`] },
          ]),
        ),
      ],
      ['repositories', enc.encode('{}')],
    ]);
    const archive = tarOf(files, [
      { name: `${v1(3)}/`, type: 'directory' },
      { name: `${v1(3)}/layer.tar`, type: 'symlink', linkname: `../${v1(1)}/layer.tar` },
    ]);
    const env = newEnv();
    const result = await loadImages(env.store, env.blobs, env.meta, archive);
    expect(result.loaded).toEqual(['Loaded image: alpine:3.19', `Loaded image ID: ${idB}`]);
    const b = await env.store.load(idB);
    expect(b.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayer, MediaType.OciLayerGzip]);
    expect(await containerView(env, idB)).toEqual(ourTree(mergeLayers([readTar(base), readTar(top)])));
  });

  it('repairs a layer tar that stops after its last member (Go readers accept it), and says so', async () => {
    const full = writeTar([dir('app/'), file('app/run', 'echo hi\n', { mode: 0o755 })]);
    const unterminated = full.subarray(0, 2 * 512 + 8); // dir header, file header, 8 data bytes: no padding, no end blocks
    const { files, configDigest } = await layoutFiles([unterminated], { gzipLayers: true, refName: 'repaired:1' });
    const env = newEnv();
    const events: string[] = [];
    const result = await loadImages(env.store, env.blobs, env.meta, tarOf(files), (e) => events.push(e.status));
    expect(result.warnings).toHaveLength(1);
    expect(events).toContain(`Warning: ${result.warnings[0]}`);
    const id = result.images[0]!.id;
    expect(id).not.toBe(configDigest);
    expect(result.loaded).toEqual(['Loaded image: repaired:1']);
    const image = await env.store.load(id);
    expect(image.layers[0]!.diffID).toBe(await sha256Digest(full));
    expect(image.layers[0]!.mediaType).toBe(MediaType.OciLayerGzip);
    expect(await containerView(env, id)).toEqual(ourTree(mergeLayers([readTar(full)])));
  });

  it('loads an OCI layout alone: nested index, linux/386 picked, names from annotations', async () => {
    const layer386 = writeTar([file('arch', '386\n')]);
    const layerAmd = writeTar([file('arch', 'amd64\n')]);
    const files = new Map<string, Uint8Array>();
    const put = async (bytes: Uint8Array) => {
      const digest = await sha256Digest(bytes);
      files.set(`blobs/sha256/${digest.slice(7)}`, bytes);
      return { digest, size: bytes.length };
    };
    const image = async (arch: string, layer: Uint8Array) => {
      const config = await put(
        enc.encode(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [await sha256Digest(layer)] } })),
      );
      const gz = await gzip(layer);
      const manifest = await put(
        enc.encode(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MediaType.DockerManifest,
            config: { mediaType: MediaType.DockerConfig, ...config },
            layers: [{ mediaType: MediaType.DockerLayerGzip, ...(await put(gz)) }],
          }),
        ),
      );
      return {
        mediaType: MediaType.DockerManifest,
        ...manifest,
        platform: { architecture: arch, os: 'linux' },
        configDigest: config.digest,
      };
    };
    const amd = await image('amd64', layerAmd);
    const i386 = await image('386', layer386);
    const attestation = {
      mediaType: MediaType.OciManifest,
      ...(await put(enc.encode('{}'))),
      platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
    };
    const strip = ({ configDigest: _, ...d }: typeof amd) => d;
    const list = await put(
      enc.encode(
        JSON.stringify({ schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: [strip(amd), strip(i386), attestation] }),
      ),
    );
    files.set('oci-layout', enc.encode('{"imageLayoutVersion":"1.0.0"}'));
    files.set(
      'index.json',
      enc.encode(
        JSON.stringify({
          schemaVersion: 2,
          manifests: [
            {
              mediaType: MediaType.DockerManifestList,
              ...list,
              annotations: { 'org.opencontainers.image.ref.name': 'example.com/team/app:2.0' },
            },
          ],
        }),
      ),
    );
    const env = newEnv();
    const result = await loadImages(env.store, env.blobs, env.meta, tarOf(files));
    expect(result.loaded).toEqual(['Loaded image: example.com/team/app:2.0']);
    expect(await env.store.resolveId('example.com/team/app:2.0')).toBe(i386.configDigest);
    expect(await containerView(env, i386.configDigest)).toEqual(['file 644 0/0 arch "386\\n"']);
    expect(await env.store.hasImage(amd.configDigest)).toBe(false);

    // A bare tag names no repository: the image loads untagged.
    const bare = await layoutFiles([layer386], { refName: 'latest' });
    const r2 = await loadImages(env.store, env.blobs, env.meta, tarOf(bare.files));
    expect(r2.loaded).toEqual([`Loaded image ID: ${bare.configDigest}`]);
  });
});

describe.skipIf(!HAVE_UMOCI || !HAVE_TAR || !IS_ROOT)('umoci', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-umoci-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('loads images umoci built (whiteouts, opaque directory) with exactly the files umoci unpacks', async () => {
    const L = path.join(work, 'L');
    run('umoci', ['init', '--layout', L]);
    run('umoci', ['new', '--image', `${L}:base`]);
    const B = path.join(work, 'B');
    run('umoci', ['unpack', '--image', `${L}:base`, B]);
    const rootfs = path.join(B, 'rootfs');
    const write = (p: string, text: string, mode = 0o644) => {
      fs.mkdirSync(path.dirname(path.join(rootfs, p)), { recursive: true });
      fs.writeFileSync(path.join(rootfs, p), text);
      fs.chmodSync(path.join(rootfs, p), mode);
    };
    write('etc/motd', 'hello\n');
    write('etc/gone', 'to be deleted\n');
    write('app/conf/a.yml', 'a: 1\n');
    write('app/conf/b.yml', 'b: 2\n');
    write('app/data/old.db', 'old\n');
    write('usr/bin/tool', '#!/bin/sh\necho tool\n', 0o755);
    fs.linkSync(path.join(rootfs, 'usr/bin/tool'), path.join(rootfs, 'usr/bin/tool-alias'));
    fs.symlinkSync('/etc/motd', path.join(rootfs, 'motd'));
    fs.mkdirSync(path.join(rootfs, 'srv/www'), { recursive: true });
    fs.chownSync(path.join(rootfs, 'srv/www'), 33, 33);
    run('umoci', ['repack', '--image', `${L}:base`, B]);

    // Second layer: a deleted file and a directory replaced by a new one (umoci writes whiteouts).
    const B2 = path.join(work, 'B2');
    run('umoci', ['unpack', '--image', `${L}:base`, B2]);
    const rootfs2 = path.join(B2, 'rootfs');
    fs.rmSync(path.join(rootfs2, 'etc/gone'));
    fs.rmSync(path.join(rootfs2, 'app/conf'), { recursive: true });
    fs.mkdirSync(path.join(rootfs2, 'app/conf'));
    fs.writeFileSync(path.join(rootfs2, 'app/conf/c.yml'), 'c: 3\n');
    run('umoci', ['repack', '--image', `${L}:v2`, B2]);

    // Third layer: an opaque directory (umoci repack never writes one; umoci insert --opaque does).
    const data = path.join(work, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'new.db'), 'new\n');
    run('umoci', ['insert', '--image', `${L}:v2`, '--tag', 'v3', '--opaque', data, '/app/data']);

    const tar = path.join(work, 'umoci.tar');
    run('tar', ['-C', L, '-cf', tar, '.']);
    const env = newEnv();
    const result = await loadImages(env.store, env.blobs, env.meta, new Uint8Array(fs.readFileSync(tar)));
    expect(result.images).toHaveLength(3);

    // umoci 0.4's insert writes its layer without the end-of-archive blocks: it is loaded
    // properly terminated, so v3 gets a new ID (base and v2 keep theirs).
    const ids = new Map(['base', 'v2', 'v3'].map((tag, i) => [tag, result.images[i]!.id]));
    expect(ids.get('base')).toBe(layoutImageId(L, 'base'));
    expect(ids.get('v2')).toBe(layoutImageId(L, 'v2'));
    if (result.warnings.length) {
      expect(result.warnings).toEqual([
        expect.stringMatching(/: the tar ends without its end-of-archive blocks .* so the image gets a new ID$/),
      ]);
      expect(ids.get('v3')).not.toBe(layoutImageId(L, 'v3'));
    } else expect(ids.get('v3')).toBe(layoutImageId(L, 'v3'));
    const id = ids.get('v3')!;
    const image = await env.store.load(id);
    const names: string[] = [];
    for (const l of image.layers) {
      const blob = await env.blobs.get(l.digest);
      names.push(...readTar(isGzip(blob) ? await gunzip(blob) : blob).map((e) => e.name));
    }
    expect(names.some((n) => n.endsWith('/.wh.gone'))).toBe(true);
    expect(names.some((n) => n.endsWith('app/conf/.wh.a.yml'))).toBe(true);
    expect(names.some((n) => n.endsWith('app/data/.wh..wh..opq'))).toBe(true);

    for (const tag of ['base', 'v2', 'v3']) {
      const bundle = path.join(work, `unpacked-${tag}`);
      run('umoci', ['unpack', '--image', `${L}:${tag}`, bundle]);
      const disk = diskTree(path.join(bundle, 'rootfs'));
      expect(await containerView(env, ids.get(tag)!)).toEqual(disk);
    }
    const v3 = await containerView(env, id);
    expect(v3.filter((l) => l.includes(' app/'))).toEqual(
      [
        'directory 755 0/0 app/conf',
        'directory 755 0/0 app/data',
        'file 644 0/0 app/conf/c.yml "c: 3\\n"',
        'file 644 0/0 app/data/new.db "new\\n"',
      ].sort(),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// hostile archives

describe('hostile archives are rejected and change nothing', () => {
  let env: Env;
  let before: string;
  beforeAll(async () => {
    env = newEnv();
    const src = newEnv();
    await makeBusybox(src);
    await loadImages(env.store, env.blobs, env.meta, await saveImages(src.store, src.blobs, ['busybox:latest']));
    before = await snapshot(env);
  });

  const expectRejected = async (archive: Uint8Array, ...needles: (string | RegExp)[]) => {
    const message = await rejects(loadImages(env.store, env.blobs, env.meta, archive));
    expect(message).toMatch(/^invalid archive: /);
    for (const n of needles) expect(message).toMatch(n);
    expect(await snapshot(env)).toBe(before);
    return message;
  };
  /** A good image first, then the bad one, so a half-done load would show. */
  const withGood = async (files: Map<string, Uint8Array>) => {
    const good = await layoutFiles([writeTar([file('ok', 'fine\n')])], { refName: 'good:1' });
    const goodIndex = JSON.parse(dec.decode(good.files.get('index.json'))) as { manifests: unknown[] };
    const badIndex = JSON.parse(dec.decode(files.get('index.json'))) as { manifests: unknown[] };
    const merged = new Map([...good.files, ...files]);
    merged.set('index.json', enc.encode(JSON.stringify({ schemaVersion: 2, manifests: [...goodIndex.manifests, ...badIndex.manifests] })));
    return merged;
  };

  it('a layer entry with ".."', async () => {
    const { files, layerDigests } = await layoutFiles([writeTar([file('../etc/passwd', 'root::0:0::/:/bin/sh\n')])]);
    const message = await expectRejected(
      tarOf(await withGood(files)),
      `layer blobs/sha256/${layerDigests[0]!.slice(7)}: entry "../etc/passwd" escapes the root`,
    );
    expect(message).toContain('".."');
  });

  it('escaping links: a relative symlink, a hard link out of the layer, absolute links in the archive', async () => {
    const symlink = await layoutFiles([writeTar([{ name: 'etc/evil', type: 'symlink', linkname: '../../../../etc/shadow' }])], {
      gzipLayers: true,
    });
    await expectRejected(
      tarOf(await withGood(symlink.files)),
      'entry "etc/evil" escapes the root',
      'symlink target "../../../../etc/shadow"',
    );
    const hardUp = await layoutFiles([writeTar([{ name: 'shadow', type: 'hardlink', linkname: '../../etc/shadow' }])]);
    await expectRejected(tarOf(await withGood(hardUp.files)), 'entry "shadow" escapes the root');
    const hardAbs = await layoutFiles([writeTar([{ name: 'shadow', type: 'hardlink', linkname: '/etc/shadow' }])]);
    await expectRejected(tarOf(await withGood(hardAbs.files)), 'entry "shadow"', 'hard link target "/etc/shadow" is not an earlier member');
    // In the outer archive: a blob that is an absolute symlink, a hard link to an absolute path.
    const ok = await layoutFiles([writeTar([file('ok', 'fine\n')])]);
    const blobPath = `blobs/sha256/${ok.layerDigests[0]!.slice(7)}`;
    const files = new Map(ok.files);
    files.delete(blobPath);
    await expectRejected(
      tarOf(files, [{ name: blobPath, type: 'symlink', linkname: '/etc/passwd' }]),
      `entry "${blobPath}"`,
      'symlink target "/etc/passwd" is absolute',
    );
    await expectRejected(
      tarOf(files, [{ name: blobPath, type: 'hardlink', linkname: '/etc/passwd' }]),
      `entry "${blobPath}"`,
      'hard link target "/etc/passwd" is absolute',
    );
    await expectRejected(
      tarOf(files, [{ name: blobPath, type: 'symlink', linkname: '../../../etc/passwd' }]),
      `entry "${blobPath}" escapes the root`,
    );
  });

  it('a device file, in a layer or in the archive', async () => {
    const { files } = await layoutFiles([
      writeTar([
        dir('dev/'),
        { name: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 },
        { name: 'dev/mem', type: 'char', devmajor: 1, devminor: 1 },
      ]),
    ]);
    await expectRejected(tarOf(await withGood(files)), 'entry "dev/sda" is a device file', 'block device 8/0');
    const ok = await layoutFiles([writeTar([file('ok', 'fine\n')])]);
    await expectRejected(
      tarOf(ok.files, [{ name: 'dev-null', type: 'char', devmajor: 1, devminor: 3 }]),
      'entry "dev-null" is a device file',
    );
  });

  it('a digest mismatch: a blob whose bytes are not its name', async () => {
    const { files, layerDigests } = await layoutFiles([writeTar([file('a', 'aaaa\n')])]);
    const p = `blobs/sha256/${layerDigests[0]!.slice(7)}`;
    const tampered = files.get(p)!.slice();
    tampered[tampered.length - 1] = 1; // in the end-of-archive padding: still a readable tar
    files.set(p, tampered);
    await expectRejected(tarOf(await withGood(files)), `layer ${p}: digest mismatch: expected ${layerDigests[0]}`);
  });

  it("a diffID mismatch: a layer that does not match the config's diff_ids", async () => {
    const { files, configDigest } = await layoutFiles([writeTar([file('a', 'aaaa\n')])], { dockerManifest: true });
    files.delete('index.json');
    const config = JSON.parse(dec.decode(files.get(`blobs/sha256/${configDigest.slice(7)}`))) as { rootfs: { diff_ids: string[] } };
    config.rootfs.diff_ids = [`sha256:${'0'.repeat(64)}`];
    const bytes = enc.encode(JSON.stringify(config));
    const name = `${(await sha256Digest(bytes)).slice(7)}.json`;
    files.set(name, bytes);
    const manifest = JSON.parse(dec.decode(files.get('manifest.json'))) as { Config: string }[];
    manifest[0]!.Config = name;
    files.set('manifest.json', enc.encode(JSON.stringify(manifest)));
    await expectRejected(tarOf(files), "diffID mismatch: the config's rootfs.diff_ids says sha256:0000");
  });

  it('a size mismatch between a descriptor and its blob', async () => {
    const { files, manifestDigest } = await layoutFiles([writeTar([file('a', 'aaaa\n')])]);
    const index = JSON.parse(dec.decode(files.get('index.json'))) as { manifests: { size: number }[] };
    index.manifests[0]!.size += 1;
    files.set('index.json', enc.encode(JSON.stringify(index)));
    await expectRejected(
      tarOf(await withGood(files)),
      `manifest blobs/sha256/${manifestDigest.slice(7)}: size mismatch: the descriptor says`,
    );
  });

  it('a truncated gzip archive, and a truncated gzip layer', async () => {
    const { files } = await layoutFiles([writeTar([file('a', 'aaaa\n')])]);
    const gz = await gzip(tarOf(files));
    await expectRejected(gz.subarray(0, gz.length - 20), /gzip stream is truncated/);

    const layer = await gzip(writeTar([file('big', 'x'.repeat(5000))]));
    const cut = layer.subarray(0, layer.length - 30);
    const l2 = await layoutFiles([writeTar([file('big', 'x'.repeat(5000))])], { gzipLayers: true });
    // Replace the layer blob with the cut one and fix the manifest so only the gzip is wrong.
    const manifestPath = [...l2.files.keys()].find((k) => k.endsWith(l2.manifestDigest.slice(7)))!;
    const manifest = JSON.parse(dec.decode(l2.files.get(manifestPath))) as { layers: { digest: string; size: number }[] };
    l2.files.delete(`blobs/sha256/${l2.layerDigests[0]!.slice(7)}`);
    const cutDigest = await sha256Digest(cut);
    l2.files.set(`blobs/sha256/${cutDigest.slice(7)}`, cut);
    manifest.layers[0] = { ...manifest.layers[0]!, digest: cutDigest, size: cut.length };
    const mBytes = enc.encode(JSON.stringify(manifest));
    const mDigest = await sha256Digest(mBytes);
    l2.files.delete(manifestPath);
    l2.files.set(`blobs/sha256/${mDigest.slice(7)}`, mBytes);
    l2.files.set(
      'index.json',
      enc.encode(
        JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.OciManifest, digest: mDigest, size: mBytes.length }] }),
      ),
    );
    await expectRejected(tarOf(await withGood(l2.files)), `layer blobs/sha256/${cutDigest.slice(7)}: gzip stream is truncated`);
  });

  it("a layer cut inside a member's data", async () => {
    const full = writeTar([file('data.bin', 'x'.repeat(2000))]);
    const { files, layerDigests } = await layoutFiles([full.subarray(0, 512 + 1000)]);
    await expectRejected(
      tarOf(await withGood(files)),
      `layer blobs/sha256/${layerDigests[0]!.slice(7)}: entry "data.bin": member data needs 2000 bytes but only 1000 remain`,
    );
  });

  it('a tar header claiming a gigantic size, and a layer that inflates past the limit', async () => {
    const { files } = await layoutFiles([writeTar([file('a', 'aaaa\n')])]);
    const archive = tarOf(files, [file('huge.bin', 'x')]);
    // Patch the last member's size field to 100 GB (GNU base-256) and fix the checksum.
    const entries = readTar(archive);
    const offset = archive.length - 1024 - 512 - 512; // header of the last member (1 data block, 2 zero blocks)
    expect(entries.at(-1)!.name).toBe('huge.bin');
    const header = archive.subarray(offset, offset + 512);
    const size = 100 * 1000 ** 3;
    header.fill(0, 124, 136);
    header[124] = 0x80;
    for (let i = 0, v = size; i < 8; i++, v = Math.floor(v / 256)) header[135 - i] = v % 256;
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.set(enc.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    const huge = await expectRejected(archive, 'entry "huge.bin" is too large', `member size ${size} exceeds`);
    expect(huge).not.toContain('not a readable');

    const bomb = await layoutFiles([writeTar([file('zeros', '\0'.repeat(64 * 1024))])], { gzipLayers: true });
    const message = await rejects(loadImages(env.store, env.blobs, env.meta, tarOf(bomb.files), undefined, { maxLayerSize: 16 * 1024 }));
    expect(message).toMatch(/decompressed data exceeds the 16384-byte limit/);
    expect(await snapshot(env)).toBe(before);
  });

  it('a manifest.json pointing outside the archive', async () => {
    const { files, configDigest, layerDigests } = await layoutFiles([writeTar([file('a', 'aaaa\n')])], { dockerManifest: true });
    files.delete('index.json');
    for (const [config, layers] of [
      ['../../etc/passwd', [`blobs/sha256/${layerDigests[0]!.slice(7)}`]],
      ['/etc/passwd', [`blobs/sha256/${layerDigests[0]!.slice(7)}`]],
      [`blobs/sha256/${configDigest.slice(7)}`, ['blobs/../../../var/lib/docker/layer.tar']],
    ] as const) {
      files.set('manifest.json', enc.encode(JSON.stringify([{ Config: config, RepoTags: ['evil:1'], Layers: layers }])));
      const message = await expectRejected(tarOf(files), 'points outside the archive');
      expect(message).toMatch(/manifest\.json: manifest\.json\[0\]\.(Config|Layers\[0\]) /);
    }
  });

  it('a missing blob', async () => {
    const { files, layerDigests } = await layoutFiles([writeTar([file('a', 'aaaa\n')])]);
    files.delete(`blobs/sha256/${layerDigests[0]!.slice(7)}`);
    await expectRejected(
      tarOf(await withGood(files)),
      `layer ${layerDigests[0]} is missing: the archive has no blobs/sha256/${layerDigests[0]!.slice(7)}`,
    );
  });

  it('garbage: not a tar, no image, bad JSON, bad references', async () => {
    await expectRejected(enc.encode('hello world, this is not a tar archive at all'.repeat(20)), 'not a readable tar archive');
    await expectRejected(writeTar([file('README', 'hi')]), 'neither manifest.json nor index.json found');
    await expectRejected(tarOf(new Map([['manifest.json', enc.encode('{not json')]])), 'manifest.json is not JSON');
    const { files } = await layoutFiles([writeTar([file('a', 'aaaa\n')])], { dockerManifest: true });
    files.delete('index.json');
    const manifest = JSON.parse(dec.decode(files.get('manifest.json'))) as { RepoTags: string[] }[];
    manifest[0]!.RepoTags = ['Not A Valid:Name'];
    files.set('manifest.json', enc.encode(JSON.stringify(manifest)));
    await expectRejected(tarOf(files), 'manifest.json[0].RepoTags: invalid reference format');
  });

  it('a store failure while committing leaves nothing behind', async () => {
    const src = newEnv();
    await makeOther(src);
    const id = (await src.store.list({ all: true }))[0]!.id;
    const archive = await saveImages(src.store, src.blobs, [id]);
    const dst = newEnv();
    const snap = await snapshot(dst);
    const original = dst.store.importImages.bind(dst.store);
    dst.store.importImages = async () => {
      throw new Error('disk full');
    };
    await expect(loadImages(dst.store, dst.blobs, dst.meta, archive)).rejects.toThrow('disk full');
    expect(await snapshot(dst)).toBe(snap);
    dst.store.importImages = original;
    const ok: LoadResult = await loadImages(dst.store, dst.blobs, dst.meta, archive);
    expect(ok.loaded).toEqual([`Loaded image ID: ${id}`]);
  });
});
