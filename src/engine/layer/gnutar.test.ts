/**
 * Cross-checks against GNU tar (and gzip): archives we write must be listed and extracted by
 * GNU tar exactly as intended, and archives GNU tar writes (gnu, pax, ustar formats) must read
 * back as the files on disk. Skipped when GNU tar is missing; device nodes need root.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzip, gzip } from './gzip.ts';
import { normalizeLayerPath } from './path.ts';
import { readTar, tarEntry, writeTar, type TarEntry, type TarEntryInit } from './tar.ts';
import { ociToUpper, upperToOci } from './whiteout.ts';

const enc = new TextEncoder();

function gnuTarAvailable(): boolean {
  try {
    return execFileSync('tar', ['--version']).toString().includes('GNU tar');
  } catch {
    return false;
  }
}
const HAVE_TAR = gnuTarAvailable();
const IS_ROOT = process.getuid?.() === 0;
/** Device nodes need root with CAP_MKNOD (absent in some containers). */
function canMknod(): boolean {
  if (!IS_ROOT) return false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-mknod-'));
  try {
    execFileSync('mknod', [path.join(dir, 'wh'), 'c', '0', '0'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const CAN_MKNOD = canMknod();
if (!HAVE_TAR) console.warn('GNU tar not found: skipping the GNU tar cross-checks');

const ENV = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };
function run(cmd: string, args: string[], input?: Uint8Array): Buffer {
  return execFileSync(cmd, args, { env: ENV, input, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
}

let work = '';
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-tar-'));
});
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});
function tmp(name: string): string {
  const p = path.join(work, name);
  fs.mkdirSync(p, { recursive: true });
  return p;
}

// ---------------------------------------------------------------------------------------------
// `tar -tv` listing

interface Listed {
  perms: string;
  owner: string;
  size: string;
  date: string;
  name: string;
  link: string;
}

function parseListing(text: string): Listed[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const m = /^(\S{10}) (\d+\/\d+)\s+(\S+) (\d{4,}-\d\d-\d\d \d\d:\d\d) (.*)$/.exec(line);
      if (!m) throw new Error(`unparsed tar -tv line: ${line}`);
      let name = m[5]!;
      let link = '';
      const arrow = name.indexOf(' -> ');
      const hard = name.indexOf(' link to ');
      if (m[1]!.startsWith('l') && arrow >= 0) {
        link = name.slice(arrow + 4);
        name = name.slice(0, arrow);
      } else if (m[1]!.startsWith('h') && hard >= 0) {
        link = name.slice(hard + 9);
        name = name.slice(0, hard);
      }
      return { perms: m[1]!, owner: m[2]!, size: m[3]!, date: m[4]!, name, link };
    });
}

function permString(e: TarEntry): string {
  const t = { file: '-', directory: 'd', symlink: 'l', hardlink: 'h', char: 'c', block: 'b', fifo: 'p' }[e.type];
  const m = e.mode;
  const bit = (mask: number, c: string) => (m & mask ? c : '-');
  const exec = (x: number, special: number, set: string, unset: string) => (m & special ? (m & x ? set : unset) : m & x ? 'x' : '-');
  return (
    t +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    exec(0o100, 0o4000, 's', 'S') +
    bit(0o40, 'r') +
    bit(0o20, 'w') +
    exec(0o10, 0o2000, 's', 'S') +
    bit(0o4, 'r') +
    bit(0o2, 'w') +
    exec(0o1, 0o1000, 't', 'T')
  );
}

function dateString(mtime: number): string {
  const d = new Date(Math.floor(mtime) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

function expectedListing(e: TarEntry): Listed {
  return {
    perms: permString(e),
    owner: `${e.uid}/${e.gid}`,
    size: e.type === 'char' || e.type === 'block' ? `${e.devmajor},${e.devminor}` : String(e.size),
    date: dateString(e.mtime),
    name: e.name,
    link: e.linkname,
  };
}

// ---------------------------------------------------------------------------------------------
// Snapshot of a directory on disk

interface OnDisk {
  type: TarEntry['type'];
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeNs: bigint;
  link: string;
  data: Uint8Array;
  ino: bigint;
  nlink: number;
  major: number;
  minor: number;
}

function snapshot(root: string): Map<string, OnDisk> {
  const out = new Map<string, OnDisk>();
  const visit = (rel: string) => {
    const abs = path.join(root, rel);
    for (const name of fs.readdirSync(abs).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const p = path.join(root, r);
      const st = fs.lstatSync(p, { bigint: true });
      const type: TarEntry['type'] = st.isDirectory()
        ? 'directory'
        : st.isSymbolicLink()
          ? 'symlink'
          : st.isCharacterDevice()
            ? 'char'
            : st.isBlockDevice()
              ? 'block'
              : st.isFIFO()
                ? 'fifo'
                : 'file';
      const rdev = Number(st.rdev);
      out.set(r, {
        type,
        mode: Number(st.mode) & 0o7777,
        uid: Number(st.uid),
        gid: Number(st.gid),
        size: type === 'file' ? Number(st.size) : 0,
        mtimeNs: st.mtimeNs,
        link: type === 'symlink' ? fs.readlinkSync(p, 'utf8') : '',
        data: type === 'file' ? new Uint8Array(fs.readFileSync(p)) : new Uint8Array(0),
        ino: st.ino,
        nlink: Number(st.nlink),
        major: (rdev >> 8) & 0xfff,
        minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
      });
      if (type === 'directory') visit(r);
    }
  };
  visit('');
  return out;
}

function mtimeNs(e: TarEntry): bigint {
  return BigInt(e.mtime) * 1_000_000_000n + BigInt(e.mtimeNsec);
}

// ---------------------------------------------------------------------------------------------

const T = 1_700_000_000;
const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const longDir = `long/${'x'.repeat(100)}`;
const longFile = `${longDir}/${'y'.repeat(120)}`;
const deepFile = `deep/${Array.from({ length: 6 }, (_, i) => String(i).repeat(50)).join('/')}/leaf.txt`;

function ourEntries(): TarEntryInit[] {
  const list: TarEntryInit[] = [
    { name: 'empty/', type: 'directory', mode: 0o700, mtime: T },
    { name: 'etc/', type: 'directory', mode: 0o755, mtime: T + 1, uname: 'root', gname: 'root' },
    { name: 'etc/zero', type: 'file', mode: 0o600, mtime: T + 2 },
    { name: 'etc/small', type: 'file', data: enc.encode('hello\n'), uid: 1000, gid: 1000, uname: 'alice', gname: 'staff', mtime: T + 3 },
    { name: 'etc/block512', type: 'file', data: pattern(512, 1), mtime: T + 4 },
    { name: 'etc/big', type: 'file', data: pattern(70_001, 2), mode: 0o640, mtime: T + 5 },
    { name: 'bin/', type: 'directory', mtime: T },
    { name: 'bin/suid', type: 'file', data: enc.encode('#!/bin/sh\n'), mode: 0o4755, mtime: T },
    { name: 'bin/sgid', type: 'file', mode: 0o2711, mtime: T },
    { name: 'tmp/', type: 'directory', mode: 0o1777, mtime: T },
    { name: 'long/', type: 'directory', mtime: T },
    { name: `${longDir}/`, type: 'directory', mtime: T },
    { name: longFile, type: 'file', data: enc.encode('long name\n'), mtime: T },
    { name: deepFile, type: 'file', data: enc.encode('deep\n'), mtime: T },
    { name: 'links/', type: 'directory', mtime: T },
    { name: 'links/rel', type: 'symlink', linkname: '../etc/small', mtime: T },
    { name: 'links/abs', type: 'symlink', linkname: '/etc/small', mtime: T },
    { name: 'links/dangling-long', type: 'symlink', linkname: `/nowhere/${'z'.repeat(150)}`, mtime: T },
    { name: 'links/hard', type: 'hardlink', linkname: 'etc/small' },
    { name: `links/${'h'.repeat(150)}`, type: 'hardlink', linkname: longFile },
    { name: 'unicode/', type: 'directory', mtime: T },
    { name: 'unicode/héllo wörld-名前.txt', type: 'file', data: enc.encode('ü'), mtime: T },
    { name: 'ids/', type: 'directory', mtime: T },
    { name: 'ids/bigid', type: 'file', uid: 3_000_000, gid: 3_000_001, mtime: T },
    { name: 'times/', type: 'directory', mtime: T },
    { name: 'times/frac', type: 'file', mtime: T + 0.25 },
    { name: 'times/old', type: 'file', mtime: -86_400 },
    { name: 'times/future', type: 'file', mtime: 2 ** 33 + 5 }, // needs PAX; ext4 stops at 2446
    { name: 'special/', type: 'directory', mtime: T },
    { name: 'special/fifo', type: 'fifo', mode: 0o640, mtime: T },
    { name: 'xattr/', type: 'directory', mtime: T },
    {
      name: 'xattr/f',
      type: 'file',
      data: enc.encode('x'),
      mtime: T,
      xattrs: { 'user.color': enc.encode('blue'), 'user.bin': new Uint8Array([0, 1, 0xff, 0x3d, 0x0a]) },
    },
  ];
  if (CAN_MKNOD) {
    // right after special/fifo: GNU tar restores a directory's mtime once it leaves it
    const at = list.findIndex((e) => e.name === 'special/fifo') + 1;
    list.splice(
      at,
      0,
      { name: 'special/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666, mtime: T },
      { name: 'special/sda', type: 'block', devmajor: 8, devminor: 16, mode: 0o660, mtime: T },
    );
  }
  return list;
}

describe.skipIf(!HAVE_TAR)('archives we write, read by GNU tar', () => {
  const entries = ourEntries().map(tarEntry);
  let archive = '';
  beforeAll(() => {
    archive = path.join(tmp('ours'), 'ours.tar');
    fs.writeFileSync(archive, writeTar(entries));
  });

  it('tar -tvf lists every member with our metadata', () => {
    const listed = parseListing(run('tar', ['-tvf', archive, '--numeric-owner', '--quoting-style=literal']).toString('utf8'));
    const expected = entries.map((e) =>
      expectedListing({ ...e, name: e.type === 'directory' && !e.name.endsWith('/') ? `${e.name}/` : e.name }),
    );
    expect(listed).toEqual(expected);
  });

  it('tar -xf extracts exactly what the entries describe (modes, owners, times, links, devices, xattrs)', () => {
    const dir = tmp('ours-x');
    run('tar', ['-xpf', archive, '-C', dir, '--numeric-owner', '--xattrs', '--xattrs-include=*']);
    const disk = snapshot(dir);
    const names = entries.map((e) => normalizeLayerPath(e.name));
    // Everything on disk is a member, or a parent directory tar had to create for one.
    const parents = new Set(
      names.flatMap((n) =>
        n
          .split('/')
          .slice(0, -1)
          .map((_, i, a) => a.slice(0, i + 1).join('/')),
      ),
    );
    expect([...disk.keys()].filter((p) => !names.includes(p) && !(parents.has(p) && disk.get(p)?.type === 'directory'))).toEqual([]);
    for (const n of names) expect(disk.has(n), n).toBe(true);
    for (const e of entries) {
      const p = normalizeLayerPath(e.name);
      const f = disk.get(p)!;
      if (e.type === 'hardlink') {
        const target = disk.get(normalizeLayerPath(e.linkname))!;
        expect(f.ino, p).toBe(target.ino);
        continue;
      }
      expect({ p, type: f.type, mode: f.mode, link: f.link }).toEqual({ p, type: e.type, mode: e.mode, link: e.linkname });
      if (IS_ROOT) expect({ p, uid: f.uid, gid: f.gid }).toEqual({ p, uid: e.uid, gid: e.gid });
      expect(f.data, p).toEqual(e.data);
      if (e.type !== 'symlink') expect(f.mtimeNs, p).toBe(mtimeNs(e));
      if (e.type === 'char' || e.type === 'block') expect([f.major, f.minor], p).toEqual([e.devmajor, e.devminor]);
    }
    // xattrs: GNU tar re-archives the extracted tree; our reader must see the same values.
    const again = readTar(new Uint8Array(run('tar', ['-C', dir, '--xattrs', '--xattrs-include=*', '--format=pax', '-cf', '-', 'xattr/f'])));
    const f = again.find((x) => x.name === 'xattr/f')!;
    expect(f.xattrs['user.color']).toEqual(enc.encode('blue'));
    expect(f.xattrs['user.bin']).toEqual(new Uint8Array([0, 1, 0xff, 0x3d, 0x0a]));
  });

  it('gzip output is read by gzip -d and tar -xz, and gunzip reads gzip -c', async () => {
    const bytes = writeTar(entries);
    const gz = await gzip(bytes);
    expect(new Uint8Array(run('gzip', ['-dc'], gz))).toEqual(bytes);
    const listed = run('tar', ['-tzf', '-', '--quoting-style=literal'], gz).toString('utf8').trim().split('\n');
    expect(listed.length).toBe(entries.length);
    const theirs = new Uint8Array(run('gzip', ['-9c'], bytes));
    expect(await gunzip(theirs)).toEqual(bytes);
  });
});

// ---------------------------------------------------------------------------------------------

/** Builds a source tree on disk with everything GNU tar should be able to archive. */
function makeSourceTree(dir: string, withLongNames: boolean): void {
  const w = (rel: string, data: Uint8Array | string, mode = 0o644) => {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
    fs.chmodSync(p, mode);
  };
  fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
  w('etc/hostname', 'layerlab\n');
  w('etc/zero', '');
  w('etc/big.bin', pattern(100_000, 7), 0o600);
  w('bin/tool', '#!/bin/sh\necho hi\n', 0o4755);
  fs.symlinkSync('../etc/hostname', path.join(dir, 'bin/rel-link'));
  fs.symlinkSync('/etc/hostname', path.join(dir, 'bin/abs-link'));
  fs.linkSync(path.join(dir, 'etc/hostname'), path.join(dir, 'bin/hard-link'));
  w('unicode/grüße.txt', 'ä');
  run('mkfifo', [path.join(dir, 'bin/fifo')]);
  if (CAN_MKNOD) run('mknod', [path.join(dir, 'bin/null'), 'c', '1', '3']);
  if (IS_ROOT) fs.chownSync(path.join(dir, 'etc/hostname'), 1000, 1001);
  if (withLongNames) {
    const long = `${'a'.repeat(120)}/${'b'.repeat(200)}/${'c'.repeat(150)}.txt`;
    w(long, 'long\n');
    fs.symlinkSync(`../../${'t'.repeat(180)}`, path.join(dir, 'bin/long-target'));
    fs.linkSync(path.join(dir, long), path.join(dir, `bin/${'h'.repeat(140)}`));
    w('ids/bigid', 'x');
    if (IS_ROOT) fs.chownSync(path.join(dir, 'ids/bigid'), 3_000_000, 3_000_001);
  }
  fs.utimesSync(path.join(dir, 'etc/zero'), T + 0.5, T + 0.5);
  for (const [rel] of snapshot(dir)) {
    if (rel.endsWith('zero')) continue;
    const p = path.join(dir, rel);
    if (!fs.lstatSync(p).isSymbolicLink()) fs.utimesSync(p, T, T);
  }
}

function checkAgainstDisk(entries: TarEntry[], disk: Map<string, OnDisk>, opts: { fractional: boolean }): void {
  const byPath = new Map<string, TarEntry>();
  for (const e of entries) byPath.set(normalizeLayerPath(e.name), e);
  byPath.delete('');
  expect([...byPath.keys()].sort()).toEqual([...disk.keys()].sort());
  for (const [p, f] of disk) {
    const e = byPath.get(p)!;
    if (e.type === 'hardlink') {
      const target = disk.get(normalizeLayerPath(e.linkname));
      expect(target?.ino, p).toBe(f.ino);
      continue;
    }
    expect({ p, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, link: e.linkname }).toEqual({
      p,
      type: f.type,
      mode: f.mode,
      uid: f.uid,
      gid: f.gid,
      size: f.size,
      link: f.link,
    });
    expect(e.data, p).toEqual(f.data);
    if (f.type !== 'symlink') {
      if (opts.fractional) expect(mtimeNs(e), p).toBe(f.mtimeNs);
      else expect(e.mtime, p).toBe(Number(f.mtimeNs / 1_000_000_000n));
    }
    if (f.type === 'char' || f.type === 'block') expect([e.devmajor, e.devminor], p).toEqual([f.major, f.minor]);
  }
}

describe.skipIf(!HAVE_TAR)('archives GNU tar writes, read by us', () => {
  let src = '';
  let shortSrc = '';
  beforeAll(() => {
    src = tmp('src');
    makeSourceTree(src, true);
    shortSrc = tmp('src-short');
    makeSourceTree(shortSrc, false);
  });

  for (const format of ['gnu', 'pax', 'posix', 'oldgnu'] as const) {
    it(`reads --format=${format} with long names, links, hard links, empty dirs`, () => {
      const bytes = new Uint8Array(run('tar', ['-C', src, '--sort=name', `--format=${format}`, '-cf', '-', '.']));
      const entries = readTar(bytes);
      expect(entries[0]!.name).toBe('./');
      checkAgainstDisk(entries, snapshot(src), { fractional: format === 'pax' || format === 'posix' });
      if (format === 'pax') {
        // GNU tar records atime/ctime as extra PAX records: we keep them verbatim.
        const zero = entries.find((e) => e.name === './etc/zero')!;
        expect([zero.mtime, zero.mtimeNsec]).toEqual([T, 500_000_000]);
        expect(Object.keys(zero.pax)).toEqual(expect.arrayContaining(['atime', 'ctime']));
        // ...and write them back so GNU tar still sees the same archive.
        const rewritten = writeTar(entries);
        expect(run('tar', ['-tvf', '-', '--numeric-owner', '--quoting-style=literal', '--full-time'], rewritten).toString()).toBe(
          run('tar', ['-tvf', '-', '--numeric-owner', '--quoting-style=literal', '--full-time'], bytes).toString(),
        );
      }
    });
  }

  it('reads --format=ustar and --format=v7 (short names only)', () => {
    for (const format of ['ustar', 'v7']) {
      const args = ['-C', shortSrc, '--sort=name', `--format=${format}`, '-cf', '-'];
      // v7 has no device or fifo support
      const bytes = new Uint8Array(
        run('tar', format === 'v7' ? [...args, '--exclude=./bin/fifo', '--exclude=./bin/null', '.'] : [...args, '.']),
      );
      const disk = snapshot(shortSrc);
      if (format === 'v7') {
        disk.delete('bin/fifo');
        disk.delete('bin/null');
      }
      checkAgainstDisk(readTar(bytes), disk, { fractional: false });
    }
  });

  it('reads xattrs written by tar --xattrs', () => {
    // Set the xattrs by extracting one of our archives, then let GNU tar archive the result.
    const dir = tmp('xattr-src');
    const ours = writeTar([{ name: 'f', type: 'file', data: enc.encode('x'), xattrs: { 'user.mime_type': enc.encode('text/plain') } }]);
    run('tar', ['-xf', '-', '-C', dir, '--xattrs', '--xattrs-include=*'], ours);
    const bytes = new Uint8Array(run('tar', ['-C', dir, '--xattrs', '--xattrs-include=*', '--format=pax', '-cf', '-', 'f']));
    const [f] = readTar(bytes);
    expect(f!.xattrs).toEqual({ 'user.mime_type': enc.encode('text/plain') });
  });

  it('reads base-256 numbers GNU tar uses for big ids', () => {
    const bytes = new Uint8Array(run('tar', ['-C', src, '--format=gnu', '-cf', '-', 'ids/bigid']));
    const [f] = readTar(bytes);
    if (IS_ROOT) expect(f).toMatchObject({ uid: 3_000_000, gid: 3_000_001 });
    expect(bytes[108]! & 0x80).toBe(IS_ROOT ? 0x80 : 0);
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!HAVE_TAR || !CAN_MKNOD)('a real overlay-style upper dir archived by tar', () => {
  it('converts whiteout devices (and hard links to them) to an OCI layer and back, byte for byte', () => {
    const upper = tmp('upper');
    fs.mkdirSync(path.join(upper, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(upper, 'var/log'), { recursive: true });
    fs.mkdirSync(path.join(upper, 'var/cache/apt'), { recursive: true });
    fs.writeFileSync(path.join(upper, 'etc/hostname'), 'box\n');
    fs.writeFileSync(path.join(upper, 'var/cache/apt/new.bin'), 'fresh');
    // The kernel may reuse one whiteout inode: the second whiteout is a hard link to the first.
    run('mknod', [path.join(upper, 'etc/motd'), 'c', '0', '0']);
    fs.linkSync(path.join(upper, 'etc/motd'), path.join(upper, 'var/log/old.log'));
    run('mknod', [path.join(upper, 'etc/issue'), 'c', '0', '0']);
    for (const [rel] of snapshot(upper)) fs.lutimesSync(path.join(upper, rel), T, T);
    fs.utimesSync(upper, T, T);

    const upperTar = new Uint8Array(run('tar', ['-C', upper, '--sort=name', '--format=gnu', '--numeric-owner', '-cf', '-', '.']));
    const gnuEntries = readTar(upperTar);
    // GNU tar archives each device on its own; busybox tar (the guest's) writes the second name
    // of a shared whiteout inode as a hard link to the first. Make that variant too.
    expect(gnuEntries.find((e) => e.name === './var/log/old.log')).toMatchObject({ type: 'char', devmajor: 0, devminor: 0 });
    const busyboxEntries = readTar(
      writeTar(gnuEntries.map((e) => (e.name === './var/log/old.log' ? { ...e, type: 'hardlink' as const, linkname: './etc/motd' } : e))),
    );

    const oci = upperToOci(busyboxEntries, ['var/cache']);
    const ociBytes = writeTar(oci);
    expect(writeTar(upperToOci(gnuEntries, ['var/cache']))).toEqual(ociBytes);
    const listing = run('tar', ['-tvf', '-', '--numeric-owner', '--quoting-style=literal'], ociBytes).toString();
    expect(
      listing
        .split('\n')
        .map((l) => l.replace(/^\S+ \S+\s+\S+ \S+ \S+ /, ''))
        .filter(Boolean),
    ).toEqual([
      'etc/',
      'etc/hostname',
      'etc/.wh.issue',
      'etc/.wh.motd',
      'var/',
      'var/cache/',
      'var/cache/.wh..wh..opq',
      'var/cache/apt/',
      'var/cache/apt/new.bin',
      'var/log/',
      'var/log/.wh.old.log',
    ]);

    const back = ociToUpper(readTar(ociBytes));
    expect(back.opaqueDirs).toEqual(['var/cache']);
    const upperBytes = writeTar(back.entries);
    const again = writeTar(upperToOci(readTar(upperBytes), back.opaqueDirs));
    expect(again).toEqual(ociBytes);

    // GNU tar materialises the upper-dir form: whiteouts come back as char 0/0 devices.
    const out = tmp('upper-again');
    run('tar', ['-xpf', '-', '-C', out, '--numeric-owner'], upperBytes);
    const disk = snapshot(out);
    for (const p of ['etc/motd', 'etc/issue', 'var/log/old.log'])
      expect(disk.get(p), p).toMatchObject({ type: 'char', major: 0, minor: 0 });
    expect(new TextDecoder().decode(disk.get('var/cache/apt/new.bin')!.data)).toBe('fresh');
  });
});
