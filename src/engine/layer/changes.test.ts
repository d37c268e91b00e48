import { describe, expect, it } from 'vitest';
import { diffTrees, formatChanges, layerStats } from './changes.ts';
import { readTar, writeTar, type TarEntryInit } from './tar.ts';
import { mergeLayers } from './tree.ts';

const enc = new TextEncoder();
const layer = (...entries: TarEntryInit[]) => readTar(writeTar(entries));
const file = (name: string, text = name, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({
  name,
  type: 'file',
  data: enc.encode(text),
  mtime: 100,
  ...extra,
});
const dir = (name: string, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({ name, type: 'directory', mtime: 100, ...extra });

const base = layer(
  dir('etc/'),
  file('etc/motd', 'welcome'),
  file('etc/passwd', 'root:x:0:0'),
  dir('tmp/', { mode: 0o1777 }),
  dir('a/'),
  dir('a/b/'),
  file('a/b/c', 'ccc'),
  file('a-c'),
  dir('srv/'),
  file('srv/old', 'o'),
  dir('srv/sub/'),
  file('srv/sub/deep', 'd'),
  { name: 'link', type: 'symlink', linkname: 'etc/motd', mtime: 100 },
  file('bin-ping', 'ping', { xattrs: { 'security.capability': new Uint8Array([1, 2]) } }),
);

function diff(...upper: TarEntryInit[]): string {
  const lower = mergeLayers([base]);
  const merged = mergeLayers([base, layer(...upper)]);
  return formatChanges(diffTrees(lower, merged));
}

describe('diffTrees (docker diff)', () => {
  it('creating /tmp/x lists C /tmp and A /tmp/x', () => {
    expect(diff(file('tmp/x'))).toBe('C /tmp\nA /tmp/x\n');
  });

  it('deleting /etc/motd lists C /etc and D /etc/motd', () => {
    expect(diff({ name: 'etc/.wh.motd', type: 'file' })).toBe('C /etc\nD /etc/motd\n');
  });

  it('changing a nested file lists every ancestor directory as C', () => {
    expect(diff(file('a/b/c', 'CCC', { mtime: 200 }))).toBe('C /a\nC /a/b\nC /a/b/c\n');
  });

  it('walks depth first with names in byte order (a/ before a-c)', () => {
    expect(diff(file('a-c', 'new', { mtime: 5 }), file('a/b/new'))).toBe('C /a\nC /a/b\nA /a/b/new\nC /a-c\n');
  });

  it('an added directory lists everything inside as A; a deleted one is a single D', () => {
    expect(diff(dir('opt/'), dir('opt/app/'), file('opt/app/run'), { name: '.wh.srv', type: 'file' })).toBe(
      'A /opt\nA /opt/app\nA /opt/app/run\nD /srv\n',
    );
  });

  it('an opaque directory shows its lower contents deleted', () => {
    expect(diff(dir('srv/'), { name: 'srv/.wh..wh..opq', type: 'file' }, file('srv/new'))).toBe(
      'C /srv\nA /srv/new\nD /srv/old\nD /srv/sub\n',
    );
  });

  it('a type change is C, and a new directory lists its children as A', () => {
    expect(diff(dir('etc/motd/'), file('etc/motd/part'))).toBe('C /etc\nC /etc/motd\nA /etc/motd/part\n');
    expect(diff(file('srv', 'flat'))).toBe('C /srv\n');
  });

  it('directory metadata: mode/owner count, mtime and size do not', () => {
    expect(diff(dir('etc/', { mode: 0o700 }))).toBe('C /etc\n');
    expect(diff(dir('etc/', { uid: 1 }))).toBe('C /etc\n');
    expect(diff(dir('etc/', { mtime: 999 }))).toBe('');
  });

  it('file metadata: mode, owner, mtime, size, symlink target, capabilities', () => {
    expect(diff(file('etc/motd', 'welcome', { mtime: 101 }))).toBe('C /etc\nC /etc/motd\n');
    expect(diff(file('etc/motd', 'welcome', { mode: 0o600 }))).toBe('C /etc\nC /etc/motd\n');
    expect(diff(file('etc/motd', 'welcome'))).toBe(''); // rewritten identically
    expect(diff({ name: 'link', type: 'symlink', linkname: 'etc/mot2', mtime: 100 })).toBe('C /link\n');
    expect(diff(file('bin-ping', 'ping'))).toBe('C /bin-ping\n');
    expect(diff(file('etc/motd', 'welcome', { xattrs: { 'user.note': enc.encode('x') } }))).toBe(''); // Docker ignores other xattrs
  });

  it('sees a content change that keeps size and mtime (Docker would not)', () => {
    expect(diff(file('etc/motd', 'WELCOME'))).toBe('C /etc\nC /etc/motd\n');
  });

  it('compares sub-second mtimes as Docker does (a missing fraction matches)', () => {
    const lower = mergeLayers([layer(file('f', 'x', { mtime: 100, mtimeNsec: 5 }))]);
    expect(diffTrees(lower, mergeLayers([layer(file('f', 'x', { mtime: 100 }))]))).toEqual([]);
    expect(diffTrees(lower, mergeLayers([layer(file('f', 'x', { mtime: 100, mtimeNsec: 6 }))]))).toEqual([{ path: '/f', kind: 'C' }]);
  });

  it('never lists the root', () => {
    expect(diff(dir('./', { mode: 0o700 }), file('top'))).toBe('A /top\n');
  });
});

describe('layerStats', () => {
  it('counts added, modified and removed paths and sizes', () => {
    const lower = mergeLayers([base]);
    const before = lower.size;
    const stats = layerStats(
      layer(
        dir('etc/'), // unchanged directory: not counted
        file('etc/motd', 'a new motd'), // modified
        file('etc/motd', 'again'), // same path twice: counted once
        { name: 'etc/.wh.passwd', type: 'file' }, // removed 1
        { name: '.wh.srv', type: 'file' }, // removed 4 (srv, old, sub, deep)
        file('opt/app/run', '12345'), // added 3 (opt, opt/app, run)
        dir('tmp/', { mode: 0o755 }), // modified (mode)
      ),
      lower,
    );
    expect(stats).toEqual({ added: 3, modified: 2, removed: 5, totalSize: 10 + 5 + 5, shadowedSize: 7 + 10 + 2 });
    expect(lower.size).toBe(before); // the lower tree is untouched
  });

  it('counts a replaced subtree as modified plus removed', () => {
    expect(layerStats(layer(file('srv', 'x')), mergeLayers([base]))).toEqual({
      added: 0,
      modified: 1,
      removed: 3,
      totalSize: 1,
      shadowedSize: 2,
    });
  });
});
