import { describe, expect, it } from 'vitest';
import { diffTrees, formatChanges } from './changes.ts';
import { LayerError } from './errors.ts';
import { readTar, writeTar, type TarEntry, type TarEntryInit } from './tar.ts';
import { mergeLayers } from './tree.ts';
import { isWhiteoutDevice, ociToUpper, upperToOci, whiteoutTarget } from './whiteout.ts';

const enc = new TextEncoder();
const T = 1_700_000_000;
const tar = (...entries: TarEntryInit[]) => readTar(writeTar(entries));
const names = (entries: readonly TarEntry[]) => entries.map((e) => `${e.type}:${e.name}${e.linkname ? ` -> ${e.linkname}` : ''}`);

/** An overlay upper dir as the guest's busybox tar archives it (`tar -C upper -cf - .`). */
function busyboxUpper(): TarEntry[] {
  return tar(
    { name: './', type: 'directory', mtime: T },
    { name: './etc/', type: 'directory', mtime: T, xattrs: { 'trusted.overlay.origin': new Uint8Array([0, 1]) } },
    { name: './etc/hostname', type: 'file', data: enc.encode('box\n'), mtime: T, uid: 0, gid: 0, uname: 'root', gname: 'root' },
    { name: './etc/motd', type: 'char', mode: 0, mtime: T + 1 },
    { name: './var/', type: 'directory', mtime: T },
    { name: './var/cache/', type: 'directory', mode: 0o750, uid: 7, gid: 8, uname: 'man', gname: 'man', mtime: T },
    { name: './var/cache/new.bin', type: 'file', data: enc.encode('fresh'), mtime: T },
    { name: './var/log/', type: 'directory', mtime: T },
    { name: './var/log/old.log', type: 'hardlink', linkname: './etc/motd', mtime: T + 1 },
    { name: `./opt/${'long-directory-name/'.repeat(8)}`, type: 'directory', mtime: T },
    { name: `./opt/${'long-directory-name/'.repeat(8)}gone`, type: 'hardlink', linkname: './etc/motd' },
    { name: './usr/bin/tool', type: 'file', data: enc.encode('#!'), mode: 0o755, mtime: T },
    { name: './usr/bin/tool2', type: 'hardlink', linkname: './usr/bin/tool' },
    { name: './usr/bin/sh', type: 'symlink', linkname: '/bin/busybox', mtime: T },
  );
}

function rejects(fn: () => unknown, kind: string, entry: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LayerError);
    expect({ kind: (err as LayerError).kind, entry: (err as LayerError).entry }).toEqual({ kind, entry });
    return;
  }
  throw new Error(`expected ${kind} for ${entry}`);
}

describe('whiteout helpers', () => {
  it('recognise whiteouts', () => {
    expect(isWhiteoutDevice({ type: 'char', devmajor: 0, devminor: 0 })).toBe(true);
    expect(isWhiteoutDevice({ type: 'char', devmajor: 1, devminor: 3 })).toBe(false);
    expect(isWhiteoutDevice({ type: 'block', devmajor: 0, devminor: 0 })).toBe(false);
    expect(whiteoutTarget('./etc/.wh.motd')).toBe('etc/motd');
    expect(whiteoutTarget('.wh.top')).toBe('top');
    expect(whiteoutTarget('etc/.wh..wh..opq')).toBeUndefined();
    expect(whiteoutTarget('etc/motd')).toBeUndefined();
  });
});

describe('upperToOci', () => {
  it('turns whiteout devices, hard links to them and opaque dirs into OCI whiteouts', () => {
    const oci = upperToOci(busyboxUpper(), ['./var/cache/']);
    const long = `opt/${'long-directory-name/'.repeat(8)}`;
    expect(names(oci)).toEqual([
      'directory:etc/',
      'file:etc/hostname',
      'file:etc/.wh.motd',
      'directory:var/',
      'directory:var/cache/',
      'file:var/cache/.wh..wh..opq',
      'file:var/cache/new.bin',
      'directory:var/log/',
      'file:var/log/.wh.old.log',
      `directory:${long}`,
      `file:${long}.wh.gone`,
      'file:usr/bin/tool',
      'hardlink:usr/bin/tool2 -> usr/bin/tool',
      'symlink:usr/bin/sh -> /bin/busybox',
    ]);
    const motd = oci[2]!;
    expect(motd).toMatchObject({ mode: 0o600, size: 0, mtime: T + 1, uid: 0 });
    const opq = oci[5]!;
    expect(opq).toMatchObject({ mode: 0o750, uid: 7, gid: 8, uname: 'man', gname: 'man', mtime: 0, size: 0 });
    expect(oci[0]!.xattrs).toEqual({}); // trusted.overlay.* dropped
  });

  it('also honours trusted.overlay.opaque=y when the archiver kept xattrs', () => {
    const oci = upperToOci(
      tar({ name: 'd/', type: 'directory', xattrs: { 'trusted.overlay.opaque': enc.encode('y'), 'user.keep': enc.encode('1') } }),
    );
    expect(names(oci)).toEqual(['directory:d/', 'file:d/.wh..wh..opq']);
    expect(Object.keys(oci[0]!.xattrs)).toEqual(['user.keep']);
  });

  it('supports an opaque root', () => {
    expect(names(upperToOci(tar({ name: './', type: 'directory' }, { name: './f', type: 'file' }), ['.']))).toEqual([
      'file:.wh..wh..opq',
      'file:f',
    ]);
  });

  it('rejects what a layer cannot express', () => {
    rejects(() => upperToOci(tar({ name: './dev/null', type: 'char', devmajor: 1, devminor: 3 })), 'device', './dev/null');
    rejects(() => upperToOci(tar({ name: './etc/.wh.sneaky', type: 'file' })), 'bad-whiteout', './etc/.wh.sneaky');
    rejects(() => upperToOci(tar({ name: './d/', type: 'directory' }), ['missing']), 'bad-whiteout', 'missing');
    rejects(() => upperToOci(tar({ name: './f', type: 'file' }), ['f']), 'bad-whiteout', 'f');
    rejects(
      () => upperToOci(tar({ name: './d/', type: 'directory', xattrs: { 'trusted.overlay.redirect': enc.encode('/x') } })),
      'unsupported',
      './d/',
    );
    rejects(() => upperToOci(tar({ name: './x/../y', type: 'file' })), 'path-escape', './x/../y');
    rejects(() => upperToOci(tar({ name: './l', type: 'symlink', linkname: '../../etc' })), 'path-escape', 'l');
  });
});

describe('ociToUpper', () => {
  it('turns OCI whiteouts into char 0/0 devices and lists opaque dirs', () => {
    const up = ociToUpper(
      tar(
        { name: 'etc/', type: 'directory' },
        { name: 'etc/.wh.motd', type: 'file', mode: 0o600, uid: 3, mtime: 42 },
        { name: 'var/cache/.wh..wh..opq', type: 'file', uid: 1, gid: 2 }, // no directory entry for var/cache
        { name: '.wh..wh.plnk/', type: 'directory' },
        { name: './.wh..wh..opq', type: 'file' },
        { name: '/usr/bin/x', type: 'file' },
        { name: 'usr/bin/y', type: 'hardlink', linkname: '/usr/bin/x' },
      ),
    );
    expect(names(up.entries)).toEqual([
      'directory:etc/',
      'char:etc/motd',
      'directory:var/cache/',
      'file:usr/bin/x',
      'hardlink:usr/bin/y -> usr/bin/x',
    ]);
    expect(up.entries[1]).toMatchObject({ mode: 0, uid: 3, mtime: 42, devmajor: 0, devminor: 0 });
    expect(up.entries[2]).toMatchObject({ mode: 0o755, uid: 1, gid: 2 });
    expect(up.opaqueDirs).toEqual(['var/cache', '.']);
  });

  it('validates its input', () => {
    rejects(() => ociToUpper(tar({ name: 'dev/sda', type: 'block', devmajor: 8 })), 'device', 'dev/sda');
    rejects(() => ociToUpper(tar({ name: 'etc/.wh.', type: 'file' })), 'bad-whiteout', 'etc/.wh.');
  });
});

describe('round trips', () => {
  it('upper-dir tar -> OCI layer -> upper entries -> OCI layer is byte-identical', () => {
    const first = writeTar(upperToOci(busyboxUpper(), ['var/cache']));
    const up = ociToUpper(readTar(first));
    expect(up.opaqueDirs).toEqual(['var/cache']);
    const upperBytes = writeTar(up.entries);
    const second = writeTar(upperToOci(readTar(upperBytes), up.opaqueDirs));
    expect(second).toEqual(first);
    // and once more from the materialised form
    const up2 = ociToUpper(readTar(second));
    expect(writeTar(up2.entries)).toEqual(upperBytes);
  });

  it('an OCI layer from an upper dir reproduces the container view on top of the image', () => {
    const imageLayer = tar(
      { name: 'etc/', type: 'directory', mtime: T },
      { name: 'etc/motd', type: 'file', data: enc.encode('hi'), mtime: T },
      { name: 'var/', type: 'directory', mtime: T },
      { name: 'var/cache/', type: 'directory', mode: 0o750, uid: 7, gid: 8, mtime: T },
      { name: 'var/cache/stale', type: 'file', mtime: T },
      { name: 'var/log/', type: 'directory', mtime: T },
      { name: 'var/log/old.log', type: 'file', mtime: T },
    );
    const image = mergeLayers([imageLayer]);
    const applied = mergeLayers([imageLayer, upperToOci(busyboxUpper(), ['var/cache'])]);
    expect(formatChanges(diffTrees(image, applied))).toBe(
      [
        'C /etc',
        'A /etc/hostname',
        'D /etc/motd',
        'A /opt',
        ...Array.from({ length: 8 }, (_, i) => `A /opt/${Array.from({ length: i + 1 }, () => 'long-directory-name').join('/')}`),
        'A /usr',
        'A /usr/bin',
        'A /usr/bin/sh',
        'A /usr/bin/tool',
        'A /usr/bin/tool2',
        'C /var',
        'C /var/cache',
        'A /var/cache/new.bin',
        'D /var/cache/stale',
        'C /var/log',
        'D /var/log/old.log',
        '',
      ].join('\n'),
    );
  });
});
