/**
 * Fixtures and checks shared by `save.test.ts` and `load.test.ts`: stores, sample images (two
 * layers with a whiteout and an opaque directory, a zstd layer), hand-made OCI layouts, snapshots
 * of a store, file trees as text, and the real tools (skopeo, umoci, GNU tar) when installed.
 * Test-only: nothing outside `*.test.ts` imports this file.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { gzip, readTar, writeTar, type FsNode, type FsTree, type TarEntryInit } from '../layer/index.ts';
import { appendLayer, emptyImage, MediaType, sha256Digest, withConfig, type Digest, type Image, type Layer } from '../oci/index.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../store/index.ts';
import { ImageStore } from './store.ts';
import { asRoot, hostTool } from '../../../tests/fixtures/host-tools.ts';

/** UTF-8 encoder and decoder for the tests' JSON and file contents. */
export const enc = new TextEncoder();
/** See `enc`. */
export const dec = new TextDecoder();
const T = 1_700_000_000;

/** A store to save from or load into: blobs, metadata and the image store over them. */
export interface Env {
  blobs: MemoryBlobStore;
  meta: MemoryMetadataStore;
  store: ImageStore;
}

/** An empty, offline store. */
export function newEnv(): Env {
  const blobs = new MemoryBlobStore();
  const meta = new MemoryMetadataStore();
  const store = new ImageStore({
    blobs,
    meta,
    source: {
      catalog: async () => [],
      index: async () => {
        throw new Error('offline');
      },
      blob: async () => {
        throw new Error('offline');
      },
    },
    now: () => new Date('2024-05-01T12:00:00Z'),
    containersUsing: async () => new Map(),
  });
  return { blobs, meta, store };
}

/** A file entry for `writeTar`. */
export const file = (name: string, text: string, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({
  name,
  type: 'file',
  data: enc.encode(text),
  mtime: T,
  ...extra,
});
/** A directory entry for `writeTar`. */
export const dir = (name: string, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({ name, type: 'directory', mtime: T, ...extra });

async function storeLayer(env: Env, entries: TarEntryInit[], compress: boolean): Promise<Layer> {
  const tar = writeTar(entries);
  const blob = compress ? await gzip(tar) : tar;
  const info = await env.blobs.put(blob);
  return {
    digest: info.digest,
    diffID: await sha256Digest(tar),
    size: blob.length,
    mediaType: compress ? MediaType.OciLayerGzip : MediaType.OciLayer,
  };
}

/** A base layer: busybox with links, a sticky /tmp, a nested doc folder, an owned /home. */
export const BASE_LAYER: TarEntryInit[] = [
  dir('bin/'),
  file('bin/busybox', '\x7fELF busybox', { mode: 0o755 }),
  { name: 'bin/sh', type: 'symlink', linkname: 'busybox', mtime: T },
  { name: 'bin/ls', type: 'hardlink', linkname: 'bin/busybox', mtime: T },
  dir('etc/'),
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n'),
  file('etc/motd', 'Welcome!\n'),
  dir('tmp/', { mode: 0o1777 }),
  dir('usr/'),
  dir('usr/share/'),
  dir('usr/share/doc/'),
  file('usr/share/doc/old.txt', 'old docs\n'),
  dir('usr/share/doc/sub/'),
  file('usr/share/doc/sub/deep.txt', 'deep\n'),
  dir('home/', { uid: 1000, gid: 1000 }),
];
/** A layer over BASE_LAYER: a whiteout, an opaque directory, an absolute symlink. */
export const TOP_LAYER: TarEntryInit[] = [
  dir('etc/'),
  file('etc/.wh.motd', ''),
  file('etc/hostname', 'layerlab\n'),
  dir('usr/share/doc/'),
  file('usr/share/doc/.wh..wh..opq', ''),
  file('usr/share/doc/new.txt', 'new docs\n'),
  { name: 'usr/bin/env', type: 'symlink', linkname: '/bin/busybox', mtime: T },
];

/** A two-layer image (gzip base, plain top, whiteout and opaque dir), tagged; returns its ID. */
export async function makeBusybox(env: Env, tags: string[] = ['busybox:latest']): Promise<Image> {
  let image = await emptyImage();
  image = await appendLayer(image, await storeLayer(env, BASE_LAYER, true), {
    created: '2024-01-01T00:00:00Z',
    created_by: 'ADD rootfs.tar /',
  });
  image = await appendLayer(image, await storeLayer(env, TOP_LAYER, false), {
    created: '2024-01-02T00:00:00Z',
    created_by: 'RUN configure',
  });
  image = await withConfig(image, { Cmd: ['sh'], Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] });
  const id = await env.store.put(image);
  for (const t of tags) await env.store.setReference(t, id);
  return image;
}

/** BASE_LAYER's tar as `zstd -19` compressed it (a tar+zstd layer like the shipped Debian and Python ones). */
export const BASE_LAYER_ZSTD = Uint8Array.from(
  Buffer.from(
    'KLUv/WQAK/UKAIKMJRlwzwPs0wsSKZoa2fvx4EGRm0hKDTAAyKEM7Hr3PTf5TIaf/UVSxn7dlInSZcYgOhO6drWqQ3Rmf1tmhNyklDB0oUQnf//P0VMF+czFkcjuL3Os8wHaEhVR55SeN3SRojSJupcq+bU7pE7D53+GBsZRXBsw55ydq6lYdFLYLpOSSif2Ava8y8t2ff+9nzNb9t4va1CjBE6ggRl1Eo21d+BIJBSh8v1VGKN+gfvbOR04AvX/IRXfNWMDqiroSgOaBIKxDtjLbgOi2sCAoAxQbvWoHKvKA2QKmMDyZANarWGotE02YKoQozENuHpMKkgGmOrYqoSJMCDp/gzcvaoZQ4066gE0HSDrvykkpQYkRs7oc0GAHGO1hSg8ANIAV49FBcmAUKusFtSIECsGsG9tmeqS8iZdB4BNggGRDRBreFJHwMvBVqfb62SANelSwCIxS2og4zqIDAeQPIEzhV6ZrA==',
    'base64',
  ),
);

/** makeBusybox with its base layer stored as tar+zstd. */
export async function makeZstdBusybox(env: Env, tags: string[] = ['zbox:latest']): Promise<Image> {
  const info = await env.blobs.put(BASE_LAYER_ZSTD);
  const base: Layer = {
    digest: info.digest,
    diffID: await sha256Digest(writeTar(BASE_LAYER)),
    size: BASE_LAYER_ZSTD.length,
    mediaType: MediaType.OciLayerZstd,
  };
  let image = await emptyImage();
  image = await appendLayer(image, base, { created: '2024-01-01T00:00:00Z', created_by: 'ADD rootfs.tar /' });
  image = await appendLayer(image, await storeLayer(env, TOP_LAYER, true), {
    created: '2024-01-02T00:00:00Z',
    created_by: 'RUN configure',
  });
  image = await withConfig(image, { Cmd: ['sh'] });
  const id = await env.store.put(image);
  for (const t of tags) await env.store.setReference(t, id);
  return image;
}

/** A one-layer image, untagged. */
export async function makeOther(env: Env): Promise<Image> {
  let image = await emptyImage();
  image = await appendLayer(image, await storeLayer(env, [dir('srv/'), file('srv/index.html', '<h1>hi</h1>\n')], true), {
    created: '2024-02-01T00:00:00Z',
    created_by: 'COPY . /srv',
  });
  await env.store.put(image);
  return image;
}

/** Everything a load could change: every blob's bytes and the image, ref and layer records. */
export async function snapshot(env: Env): Promise<string> {
  const blobs: [string, string][] = [];
  for (const b of await env.blobs.list()) blobs.push([b.digest, Buffer.from(await env.blobs.get(b.digest)).toString('base64')]);
  const meta: Record<string, [string, string][]> = {};
  for (const c of ['images', 'refs', 'layers']) meta[c] = await env.meta.listText(c);
  return JSON.stringify({ blobs, meta });
}

type Described = Pick<FsNode, 'type' | 'mode' | 'uid' | 'gid' | 'linkname'> & { data?: Uint8Array };

/** One line per path: type, mode, owner, link target, content. */
function describeTree(entries: Iterable<[string, Described]>): string[] {
  const out: string[] = [];
  for (const [p, n] of entries) {
    const content = n.type === 'file' ? ` ${JSON.stringify(dec.decode(n.data ?? new Uint8Array(0)))}` : '';
    out.push(`${n.type} ${n.mode.toString(8)} ${n.uid}/${n.gid} ${p}${n.type === 'symlink' ? ` -> ${n.linkname}` : ''}${content}`);
  }
  return out.sort();
}

/** A tree of ours as `describeTree` lines. */
export function ourTree(tree: FsTree): string[] {
  return describeTree(tree.walk());
}

/** A directory on disk (umoci's unpacked rootfs) as `describeTree` lines. */
export function diskTree(root: string): string[] {
  const out: [string, Described][] = [];
  const visit = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(root, r);
      const st = fs.lstatSync(abs);
      const type = st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other';
      out.push([
        r,
        {
          type: type as FsNode['type'],
          mode: st.mode & 0o7777,
          uid: st.uid,
          gid: st.gid,
          linkname: type === 'symlink' ? fs.readlinkSync(abs) : '',
          ...(type === 'file' ? { data: new Uint8Array(fs.readFileSync(abs)) } : {}),
        },
      ]);
      if (type === 'directory') visit(r);
    }
  };
  visit('');
  return describeTree(out);
}

/** The merged tree of an image as our containers see it. */
export async function containerView(env: Env, id: string): Promise<string[]> {
  return ourTree(await env.store.tree(await env.store.resolve(id)));
}

/** A tar of `files` (path → bytes or link spec), parent directories included, sorted. */
export function tarOf(files: Map<string, Uint8Array>, extra: TarEntryInit[] = []): Uint8Array {
  const dirs = new Set<string>();
  for (const p of files.keys()) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  const entries: TarEntryInit[] = [...dirs].sort().map((d) => ({ name: d, type: 'directory' }));
  for (const p of [...files.keys()].sort()) entries.push({ name: p, type: 'file', data: files.get(p)! });
  return writeTar([...entries, ...extra]);
}

/** The files of a tar (no links), for tampering. */
export function filesOf(archive: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const e of readTar(archive)) if (e.type === 'file') out.set(e.name.replace(/^\.\//, ''), e.data.slice());
  return out;
}

/** An OCI layout (+ optional docker manifest.json) of one image with the given layer tars. */
export async function layoutFiles(
  layerTars: Uint8Array[],
  options: { gzipLayers?: boolean; refName?: string; dockerManifest?: boolean } = {},
): Promise<{ files: Map<string, Uint8Array>; manifestDigest: Digest; configDigest: Digest; layerDigests: Digest[] }> {
  const files = new Map<string, Uint8Array>();
  const put = async (bytes: Uint8Array) => {
    const digest = await sha256Digest(bytes);
    files.set(`blobs/sha256/${digest.slice(7)}`, bytes);
    return { digest, size: bytes.length };
  };
  const diffIDs: string[] = [];
  const layers = [];
  for (const tar of layerTars) {
    diffIDs.push(await sha256Digest(tar));
    const blob = options.gzipLayers ? await gzip(tar) : tar;
    layers.push({ mediaType: options.gzipLayers ? MediaType.OciLayerGzip : MediaType.OciLayer, ...(await put(blob)) });
  }
  const config = await put(
    enc.encode(JSON.stringify({ architecture: '386', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIDs } })),
  );
  const manifest = await put(
    enc.encode(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, ...config }, layers }),
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
            mediaType: MediaType.OciManifest,
            ...manifest,
            annotations: { 'org.opencontainers.image.ref.name': options.refName ?? 'evil:latest' },
          },
        ],
      }),
    ),
  );
  if (options.dockerManifest) {
    files.set(
      'manifest.json',
      enc.encode(
        JSON.stringify([
          {
            Config: `blobs/sha256/${config.digest.slice(7)}`,
            RepoTags: ['evil:latest'],
            Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
          },
        ]),
      ),
    );
  }
  return { files, manifestDigest: manifest.digest, configDigest: config.digest, layerDigests: layers.map((l) => l.digest) };
}

/** Which real tools this machine has: their tests skip without them, and a test that always runs says so (failing under CI). */
export const HAVE_SKOPEO = hostTool('skopeo', ['--version'], 'skopeo', 'the skopeo reads of our archives');
export const HAVE_UMOCI = hostTool('umoci', ['--version'], 'umoci', 'the umoci unpacks of our archives');
export const HAVE_TAR = hostTool('tar', ['--version'], 'GNU tar', 'the umoci unpacks of our archives');
export const IS_ROOT = asRoot('the umoci unpacks of our archives');

/** Runs a tool; a failure throws with its output. */
export function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`, { cause: err });
  }
}

/** skopeo with a policy that accepts anything (a temporary one if the system has none). */
export function skopeo(work: string, args: string[]): string {
  const policy = '/etc/containers/policy.json';
  if (fs.existsSync(policy)) return run('skopeo', ['--insecure-policy', ...args]);
  const tmp = path.join(work, 'policy.json');
  fs.writeFileSync(tmp, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  return run('skopeo', ['--policy', tmp, ...args]);
}

function readJson<T>(p: string): T {
  return JSON.parse(fs.readFileSync(p, 'utf8')) as T;
}

/** The config digest (image ID) of the manifest tagged `tag` in an OCI layout directory. */
export function layoutImageId(layout: string, tag: string): string {
  const index = readJson<{ manifests: { digest: string; annotations?: Record<string, string> }[] }>(path.join(layout, 'index.json'));
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`no ${tag} in ${layout}`);
  return readJson<{ config: { digest: string } }>(path.join(layout, 'blobs/sha256', desc.digest.slice(7))).config.digest;
}

/** The message of the `InvalidArgumentError` `promise` rejects with (fails the test otherwise). */
export async function rejects(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as Error).message;
  }
  throw new Error('expected the load to be rejected');
}
