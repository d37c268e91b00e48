import { describe, expect, it } from 'vitest';
import { LayerError } from './errors.ts';
import { readTar, writeTar, type TarEntryInit } from './tar.ts';
import { FsTree, applyLayer, mergeLayers, resolveInTree, type ApplyEvent } from './tree.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const layer = (...entries: TarEntryInit[]) => readTar(writeTar(entries));
const file = (name: string, text = name, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({
  name,
  type: 'file',
  data: enc.encode(text),
  ...extra,
});
const dir = (name: string, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({ name, type: 'directory', ...extra });

function paths(tree: FsTree): string[] {
  return [...tree.walk()].map(([p, n]) => (n.type === 'directory' ? `${p}/` : n.type === 'symlink' ? `${p} -> ${n.linkname}` : p));
}
function text(tree: FsTree, path: string): string {
  return dec.decode(tree.get(path)?.data);
}

const base = layer(
  dir('etc/'),
  file('etc/motd', 'welcome'),
  file('etc/passwd', 'root:x:0:0'),
  dir('var/'),
  dir('var/cache/'),
  dir('var/cache/apt/'),
  file('var/cache/apt/pkgcache.bin', 'cache'),
  file('var/cache/keep', 'k'),
  { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
  dir('usr/'),
  dir('usr/bin/'),
  file('usr/bin/sh', 'sh'),
);

describe('FsTree', () => {
  it('stores, lists, walks in sorted order, deletes subtrees and clones', () => {
    const t = new FsTree();
    expect(t.size).toBe(0);
    expect(t.root.type).toBe('directory');
    applyLayer(t, base);
    expect(paths(t)).toEqual([
      'bin -> usr/bin',
      'etc/',
      'etc/motd',
      'etc/passwd',
      'usr/',
      'usr/bin/',
      'usr/bin/sh',
      'var/',
      'var/cache/',
      'var/cache/apt/',
      'var/cache/apt/pkgcache.bin',
      'var/cache/keep',
    ]);
    expect(t.get('/etc/motd')).toBe(t.get('./etc/motd'));
    expect(t.list('var/cache')).toEqual(['apt', 'keep']);
    const c = t.clone();
    expect(c.delete('var/cache')).toBe(4);
    expect(t.has('var/cache/keep')).toBe(true);
    c.get('etc/motd')!.mode = 0o600;
    expect(t.get('etc/motd')!.mode).toBe(0o644);
    expect(c.size).toBe(t.size - 4);
    expect(c.clear('etc')).toBe(2);
    expect(c.list('etc')).toEqual([]);
  });

  it('refuses a non-directory parent', () => {
    const t = applyLayer(new FsTree(), layer(file('f')));
    expect(() => t.set('f/x', { ...t.get('f')! })).toThrow(LayerError);
  });

  it('resolves symlinks inside the root, clamping ..', () => {
    const t = applyLayer(new FsTree(), base);
    expect(resolveInTree(t, 'bin/sh')).toBe('usr/bin/sh');
    expect(resolveInTree(t, 'bin', false)).toBe('bin');
    expect(resolveInTree(t, 'bin', true)).toBe('usr/bin');
  });
});

describe('applyLayer', () => {
  it('applies whiteouts to lower layers: files and whole directories', () => {
    const t = mergeLayers([base, layer({ name: 'etc/.wh.motd', type: 'file' }, { name: 'var/.wh.cache', type: 'file' })]);
    expect(t.has('etc/motd')).toBe(false);
    expect(t.has('etc/.wh.motd')).toBe(false);
    expect(t.has('var/cache')).toBe(false);
    expect(t.has('var')).toBe(true);
    expect(t.has('etc/passwd')).toBe(true);
  });

  it('never lets a whiteout hide a path from its own layer, whatever the order', () => {
    for (const order of [0, 1]) {
      const entries = [file('etc/motd', 'new motd'), { name: 'etc/.wh.motd', type: 'file' as const }];
      if (order) entries.reverse();
      const t = mergeLayers([base, layer(...entries)]);
      expect(text(t, 'etc/motd')).toBe('new motd');
    }
  });

  it('opaque directories hide all lower contents but keep their own', () => {
    for (const order of [0, 1]) {
      const entries: TarEntryInit[] = [
        dir('var/cache/', { mode: 0o700 }),
        file('var/cache/fresh', 'f'),
        { name: 'var/cache/.wh..wh..opq', type: 'file' },
      ];
      if (order) entries.reverse();
      const t = mergeLayers([base, layer(...entries)]);
      expect(t.list('var/cache')).toEqual(['fresh']);
      expect(t.get('var/cache')!.mode).toBe(0o700);
    }
  });

  it('ignores a whiteout for a path that does not exist and AUFS metadata', () => {
    const t = mergeLayers([
      base,
      layer({ name: 'nope/.wh.x', type: 'file' }, { name: '.wh..wh.plnk/', type: 'directory' }, { name: 'etc/.wh..wh.aufs', type: 'file' }),
    ]);
    expect(t.has('nope')).toBe(false);
    expect(t.has('.wh..wh.plnk')).toBe(false);
    expect(t.list('etc')).toEqual(['motd', 'passwd']);
  });

  it('treats an overlay whiteout (char 0/0, or a hard link to one) as a deletion', () => {
    const t = mergeLayers([
      base,
      layer({ name: 'etc/motd', type: 'char' }, { name: 'usr/bin/sh', type: 'hardlink', linkname: 'etc/motd' }),
    ]);
    expect(t.has('etc/motd')).toBe(false);
    expect(t.has('usr/bin/sh')).toBe(false);
    expect(t.has('usr/bin')).toBe(true);
  });

  it('replaces a directory by a file and a file by a directory', () => {
    const t = mergeLayers([base, layer(file('var/cache', 'now a file'), dir('etc/motd/'), file('etc/motd/inside'))]);
    expect(t.get('var/cache')!.type).toBe('file');
    expect(t.has('var/cache/keep')).toBe(false);
    expect(t.get('etc/motd')!.type).toBe('directory');
    expect(t.list('etc/motd')).toEqual(['inside']);
  });

  it('merges directory metadata and keeps children', () => {
    const t = mergeLayers([base, layer(dir('etc/', { mode: 0o700, uid: 5, mtime: 99 }))]);
    expect(t.get('etc')).toMatchObject({ mode: 0o700, uid: 5, mtime: 99 });
    expect(t.list('etc')).toEqual(['motd', 'passwd']);
  });

  it('creates missing parents as 0755 root directories, follows parent symlinks', () => {
    const t = mergeLayers([base, layer(file('opt/app/bin/run'), file('bin/ls', 'ls'))]);
    expect(t.get('opt/app')).toMatchObject({ type: 'directory', mode: 0o755, uid: 0 });
    expect(text(t, 'usr/bin/ls')).toBe('ls');
    expect(t.get('bin')!.type).toBe('symlink');
  });

  it('links hard links to their target node (shared ino and content)', () => {
    const t = mergeLayers([layer(file('a', 'content', { mode: 0o755 }), { name: 'b', type: 'hardlink', linkname: 'a' })]);
    expect(t.get('b')).toMatchObject({ type: 'file', mode: 0o755, ino: t.get('a')!.ino });
    expect(text(t, 'b')).toBe('content');
    // Without validation a hard link may point into a lower layer.
    const lower = mergeLayers([base]);
    applyLayer(lower, layer({ name: 'etc/passwd-', type: 'hardlink', linkname: 'etc/passwd' }), { validate: false });
    expect(lower.get('etc/passwd-')!.ino).toBe(lower.get('etc/passwd')!.ino);
    expect(() => applyLayer(mergeLayers([base]), layer({ name: 'x', type: 'hardlink', linkname: 'missing' }), { validate: false })).toThrow(
      /does not exist/,
    );
  });

  it('rejects a member under a regular file', () => {
    try {
      mergeLayers([base, layer(file('etc/passwd/oops'))]);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ kind: 'conflict', entry: 'etc/passwd/oops' });
    }
  });

  it('updates the root from a ./ entry', () => {
    const t = mergeLayers([layer(dir('./', { mode: 0o700 }))]);
    expect(t.root.mode).toBe(0o700);
  });

  it('reports events', () => {
    const events: ApplyEvent['kind'][] = [];
    applyLayer(
      mergeLayers([base]),
      layer({ name: 'etc/.wh.motd', type: 'file' }, file('etc/passwd', 'new'), dir('etc/'), file('new/file')),
      {
        onEvent: (e) => events.push(e.kind),
      },
    );
    expect(events).toEqual(['remove', 'replace', 'merge', 'add', 'add']);
  });
});
