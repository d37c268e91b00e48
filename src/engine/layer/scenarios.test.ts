/**
 * Golden scenarios: an image layer plus a container's overlay upper dir (as busybox tar
 * archives it, with the opaque-dir list gathered separately). For each scenario the OCI layer
 * listing, the overlay form of that layer and the `docker diff` output are compared with
 * `testdata/<scenario>.*.txt`. Regenerate with `UPDATE_GOLDEN=1`.
 * When GNU tar or umoci are installed they cross-check the OCI layer and its application.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenFiles } from '../../../tests/fixtures/golden.ts';
import { asRoot, hostTool } from '../../../tests/fixtures/host-tools.ts';
import { diffTrees, formatChanges, layerStats } from './changes.ts';
import { gzip } from './gzip.ts';
import { sha256Digest } from './digest.ts';
import { readTar, writeTar, type TarEntry, type TarEntryInit } from './tar.ts';
import { mergeLayers, type FsTree } from './tree.ts';
import { ociToUpper, upperToOci } from './whiteout.ts';

const enc = new TextEncoder();
const T = 1_700_000_000;

interface Scenario {
  name: string;
  image: TarEntryInit[][];
  upper: TarEntryInit[];
  opaque: string[];
}

const file = (name: string, text: string, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({
  name,
  type: 'file',
  data: enc.encode(text),
  mtime: T,
  ...extra,
});
const dir = (name: string, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({ name, type: 'directory', mtime: T, ...extra });
const whiteout = (name: string, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({
  name,
  type: 'char',
  mode: 0,
  mtime: T + 60,
  ...extra,
});

const SCENARIOS: Scenario[] = [
  {
    // RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* && rm /etc/motd
    name: 'install-package',
    image: [
      [
        { name: 'bin', type: 'symlink', linkname: 'usr/bin', mtime: T },
        dir('etc/'),
        file('etc/hostname', 'debian\n'),
        file('etc/motd', 'Welcome to Debian\n'),
        dir('etc/apt/'),
        file('etc/apt/sources.list', 'deb http://deb.debian.org/debian bookworm main\n'),
        dir('tmp/', { mode: 0o1777 }),
        dir('usr/'),
        dir('usr/bin/'),
        file('usr/bin/sh', 'ELF sh', { mode: 0o755 }),
        dir('usr/lib/'),
        dir('var/'),
        dir('var/cache/'),
        dir('var/cache/apt/'),
        file('var/cache/apt/pkgcache.bin', 'cache v1'),
        dir('var/lib/'),
        dir('var/lib/apt/'),
        dir('var/lib/apt/lists/'),
        dir('var/lib/apt/lists/partial/', { mode: 0o700 }),
        file('var/lib/apt/lists/deb.debian.org_bookworm_InRelease', 'old release'),
      ],
    ],
    upper: [
      dir('./'),
      dir('./etc/', { mtime: T + 60 }),
      whiteout('./etc/motd'),
      dir('./etc/ssl/', { mtime: T + 60 }),
      dir('./etc/ssl/certs/', { mtime: T + 60 }),
      file('./etc/ssl/certs/ca-certificates.crt', '-----BEGIN CERTIFICATE-----\n', { mtime: T + 60 }),
      dir('./usr/'),
      dir('./usr/bin/', { mtime: T + 60 }),
      file('./usr/bin/curl', 'ELF curl', { mode: 0o755, mtime: T + 60 }),
      dir('./usr/lib/', { mtime: T + 60 }),
      { name: './usr/lib/libcurl.so.4', type: 'symlink', linkname: 'libcurl.so.4.8.0', mtime: T + 60 },
      file('./usr/lib/libcurl.so.4.8.0', 'ELF libcurl', { mtime: T + 60 }),
      dir('./var/'),
      dir('./var/cache/'),
      dir('./var/cache/apt/', { mtime: T + 60 }),
      // the kernel reused the whiteout inode: busybox tar stores a hard link to the first one
      { name: './var/cache/apt/pkgcache.bin', type: 'hardlink', linkname: './etc/motd', mode: 0, mtime: T + 60 },
      dir('./var/lib/'),
      dir('./var/lib/apt/'),
      dir('./var/lib/apt/lists/', { mtime: T + 60 }),
      dir('./var/lib/apt/lists/partial/', { mode: 0o700, mtime: T + 60 }),
    ],
    opaque: ['var/lib/apt/lists'],
  },
  {
    // An app directory reorganised: a dir becomes a file, a file a dir, chmod/chown, long paths.
    name: 'reshape-app',
    image: [
      [
        dir('app/'),
        file('app/run.sh', '#!/bin/sh\nexec app\n', { mode: 0o755 }),
        dir('app/config/'),
        file('app/config/a.yml', 'a: 1\n'),
        file('app/config/b.yml', 'b: 2\n'),
      ],
      [
        dir('app/'),
        dir('app/data/'),
        file('app/data/seed.db', 'SQLite'),
        file('app/VERSION', '1.0\n'),
        { name: 'app/current', type: 'symlink', linkname: 'releases/v1', mtime: T },
        dir('srv/', { uid: 33, gid: 33, uname: 'www-data', gname: 'www-data' }),
      ],
    ],
    upper: [
      dir('./'),
      dir('./app/', { mtime: T + 120 }),
      file('./app/config', 'a: 1\nb: 2\n', { mtime: T + 120 }), // dir -> file: a file in upper hides the lower dir
      dir('./app/VERSION/', { mtime: T + 120 }), // file -> dir
      file('./app/VERSION/number', '2.0\n', { mtime: T + 120 }),
      file('./app/run.sh', '#!/bin/sh\nexec app\n', { mode: 0o700 }), // chmod: copied up, same content
      { name: './app/current', type: 'symlink', linkname: 'releases/v2', mtime: T + 120 },
      dir('./app/data/', { mtime: T + 120 }), // rm -rf app/data && mkdir app/data
      file(`./app/data/${'node_modules/'.repeat(10)}index.js`, 'module.exports = 1;\n', { mtime: T + 120 }),
      dir('./srv/', { uid: 0, gid: 0, mtime: T }), // chown root:root /srv
    ],
    opaque: ['app/data'],
  },
];

function perm(e: { type: string; mode: number }): string {
  const t =
    ({ file: '-', directory: 'd', symlink: 'l', hardlink: 'h', char: 'c', block: 'b', fifo: 'p' } as Record<string, string>)[e.type] ?? '?';
  let s = t;
  for (let shift = 6; shift >= 0; shift -= 3) {
    const bits = (e.mode >> shift) & 7;
    s += (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  }
  return s + (e.mode & 0o7000 ? ` +${(e.mode & 0o7000).toString(8)}` : '');
}

/** A `tar -tv`-like listing with numeric owners and epoch mtimes (no time zones). */
function listing(entries: readonly TarEntry[]): string {
  return entries
    .map((e) => {
      const size = e.type === 'char' || e.type === 'block' ? `${e.devmajor},${e.devminor}` : String(e.size);
      const link = e.type === 'symlink' ? ` -> ${e.linkname}` : e.type === 'hardlink' ? ` link to ${e.linkname}` : '';
      return `${perm(e)} ${e.uid}/${e.gid} ${size} ${e.mtime} ${e.name}${link}\n`;
    })
    .join('');
}

const golden = goldenFiles(new URL('./testdata/', import.meta.url));

function build(s: Scenario) {
  const imageLayers = s.image.map((l) => readTar(writeTar(l)));
  const upperEntries = readTar(writeTar(s.upper));
  const oci = upperToOci(upperEntries, s.opaque);
  const ociBytes = writeTar(oci);
  const lower = mergeLayers(imageLayers);
  const merged = mergeLayers([...imageLayers, readTar(ociBytes)]);
  return { imageLayers, upperEntries, oci, ociBytes, lower, merged };
}

/** Writes an OCI image layout holding the given layers, for umoci to unpack. */
async function writeOciLayout(dir: string, layers: Uint8Array[]): Promise<void> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = async (bytes: Uint8Array) => {
    const digest = await sha256Digest(bytes);
    fs.writeFileSync(path.join(blobs, digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const diffIds: string[] = [];
  const descriptors = [];
  for (const layer of layers) {
    diffIds.push(await sha256Digest(layer));
    descriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...(await put(await gzip(layer))) });
  }
  const config = await put(
    enc.encode(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } })),
  );
  const manifest = await put(
    enc.encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: descriptors,
      }),
    ),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
}

/** Paths, types, modes, owners, link targets and contents of a tree, one line each. */
function describeTree(
  entries: Iterable<[string, { type: string; mode: number; uid: number; gid: number; linkname: string; data?: Uint8Array }]>,
): string[] {
  const out: string[] = [];
  for (const [p, n] of entries) {
    const content = n.type === 'file' ? ` ${JSON.stringify(new TextDecoder().decode(n.data ?? new Uint8Array(0)))}` : '';
    out.push(`${perm(n)} ${n.uid}/${n.gid} ${p}${n.type === 'symlink' ? ` -> ${n.linkname}` : ''}${content}`);
  }
  return out.sort();
}

function diskTree(root: string): [string, { type: string; mode: number; uid: number; gid: number; linkname: string; data?: Uint8Array }][] {
  const out: [string, { type: string; mode: number; uid: number; gid: number; linkname: string; data?: Uint8Array }][] = [];
  const visit = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(root, r);
      const st = fs.lstatSync(abs);
      const type = st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other';
      out.push([
        r,
        {
          type,
          mode: st.mode & 0o7777,
          uid: st.uid,
          gid: st.gid,
          linkname: type === 'symlink' ? fs.readlinkSync(abs) : '',
          data: type === 'file' ? new Uint8Array(fs.readFileSync(abs)) : undefined,
        },
      ]);
      if (type === 'directory') visit(r);
    }
  };
  visit('');
  return out;
}

function treeEntries(tree: FsTree) {
  return [...tree.walk()];
}

describe('golden scenarios', () => {
  const HAVE_TAR = hostTool('tar', ['--version'], 'GNU tar', 'the GNU tar listings of each scenario');
  const HAVE_UMOCI = hostTool('umoci', ['--version'], 'umoci', 'the umoci unpack comparisons');
  const IS_ROOT = asRoot('the umoci unpack comparisons');
  for (const s of SCENARIOS) {
    describe(s.name, () => {
      const b = build(s);

      it('OCI layer listing matches testdata', () => {
        golden(`${s.name}.layer.txt`, listing(b.oci));
      });

      it('overlay (upper dir) form of the layer matches testdata and round-trips exactly', () => {
        const up = ociToUpper(readTar(b.ociBytes));
        golden(`${s.name}.upper.txt`, `${listing(up.entries)}opaque: ${up.opaqueDirs.join(' ')}\n`);
        expect(writeTar(upperToOci(readTar(writeTar(up.entries)), up.opaqueDirs))).toEqual(b.ociBytes);
      });

      it('docker diff output matches testdata', () => {
        golden(`${s.name}.diff.txt`, formatChanges(diffTrees(b.lower, b.merged)));
      });

      it('layer statistics match testdata', () => {
        golden(`${s.name}.stats.txt`, `${JSON.stringify(layerStats(readTar(b.ociBytes), b.lower))}\n`);
      });

      it.skipIf(!HAVE_TAR)('GNU tar lists the OCI layer with the same names', () => {
        const names = execFileSync('tar', ['-tf', '-', '--quoting-style=literal'], { input: b.ociBytes })
          .toString()
          .split('\n')
          .filter(Boolean);
        expect(names).toEqual(b.oci.map((e) => e.name));
      });

      it.skipIf(!HAVE_UMOCI || !IS_ROOT)('umoci unpacks the image to the same root filesystem as mergeLayers', async () => {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-umoci-'));
        try {
          const layout = path.join(work, 'image');
          await writeOciLayout(layout, [...s.image.map((l) => writeTar(l)), b.ociBytes]);
          const bundle = path.join(work, 'bundle');
          execFileSync('umoci', ['raw', 'unpack', '--image', `${layout}:latest`, bundle], { stdio: ['ignore', 'pipe', 'pipe'] });
          const disk = diskTree(bundle);
          expect(disk.length).toBe(b.merged.size);
          expect(describeTree(disk)).toEqual(describeTree(treeEntries(b.merged)));
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
        }
      });
    });
  }
});
