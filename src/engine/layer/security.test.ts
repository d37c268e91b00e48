import { describe, expect, it } from 'vitest';
import { LayerError } from './errors.ts';
import { normalizeLayerPath, symlinkEscapes } from './path.ts';
import { validateLayer } from './security.ts';
import { readTar, tarEntry, writeTar, type TarEntryInit } from './tar.ts';
import { FsTree, applyLayer } from './tree.ts';

const enc = new TextEncoder();
const layer = (...entries: TarEntryInit[]) => readTar(writeTar(entries));

function rejects(fn: () => unknown, kind: string, entry: string, reason?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LayerError);
    const e = err as LayerError;
    expect({ kind: e.kind, entry: e.entry }).toEqual({ kind, entry });
    expect(e.message).toContain(JSON.stringify(entry));
    if (reason) expect(e.reason).toMatch(reason);
    return;
  }
  throw new Error(`expected ${kind} for ${entry}`);
}

describe('normalizeLayerPath', () => {
  it('drops leading / and ./, collapses // and ., drops the trailing /', () => {
    expect(normalizeLayerPath('./etc/passwd')).toBe('etc/passwd');
    expect(normalizeLayerPath('/etc/passwd')).toBe('etc/passwd');
    expect(normalizeLayerPath('//etc//./x/')).toBe('etc/x');
    expect(normalizeLayerPath('././a')).toBe('a');
    expect(normalizeLayerPath('./')).toBe('');
    expect(normalizeLayerPath('/')).toBe('');
    expect(normalizeLayerPath('.wh..wh..opq')).toBe('.wh..wh..opq');
    expect(normalizeLayerPath('...')).toBe('...');
  });

  it('rejects .., NUL and empty names', () => {
    rejects(() => normalizeLayerPath('../etc/passwd'), 'path-escape', '../etc/passwd');
    rejects(() => normalizeLayerPath('a/../b'), 'path-escape', 'a/../b', /"\.\."/);
    rejects(() => normalizeLayerPath('/..'), 'path-escape', '/..');
    rejects(() => normalizeLayerPath('a\0b'), 'bad-path', 'a\0b');
    rejects(() => normalizeLayerPath(''), 'bad-path', '');
  });

  it('judges symlink targets lexically from the link directory', () => {
    expect(symlinkEscapes('a/b/link', '../../etc')).toBe(false);
    expect(symlinkEscapes('a/b/link', '../../../etc')).toBe(true);
    expect(symlinkEscapes('link', '..')).toBe(true);
    expect(symlinkEscapes('link', '/../../etc/passwd')).toBe(false); // absolute: resolves in the root
    expect(symlinkEscapes('a/link', 'x/../../y')).toBe(false);
    expect(symlinkEscapes('a/link', 'x/../../../y')).toBe(true);
  });
});

describe('validateLayer rejects hostile layers, naming the entry', () => {
  it('.. components and escaping names', () => {
    rejects(() => validateLayer(layer({ name: '../evil', type: 'file' })), 'path-escape', '../evil');
    rejects(() => validateLayer(layer({ name: 'usr/../../evil', type: 'file' })), 'path-escape', 'usr/../../evil');
  });

  it('accepts absolute and ./ names (normalised as Docker does)', () => {
    expect(() => validateLayer(layer({ name: '/etc/motd', type: 'file' }, { name: './etc/issue', type: 'file' }))).not.toThrow();
  });

  it('a non-directory root', () => {
    rejects(() => validateLayer(layer({ name: './', type: 'file' })), 'bad-path', './');
  });

  it('symlinks that climb out of the root; absolute targets are fine', () => {
    rejects(
      () => validateLayer(layer({ name: 'etc/shadow', type: 'symlink', linkname: '../../host/shadow' })),
      'path-escape',
      'etc/shadow',
      /escapes the root/,
    );
    expect(() => validateLayer(layer({ name: 'etc/localtime', type: 'symlink', linkname: '/usr/share/zoneinfo/UTC' }))).not.toThrow();
    expect(() => validateLayer(layer({ name: 'lib', type: 'symlink', linkname: 'usr/lib' }))).not.toThrow();
  });

  it('hard links to nothing, to later entries, to directories, with ..', () => {
    rejects(() => validateLayer(layer({ name: 'x', type: 'hardlink', linkname: 'etc/passwd' })), 'bad-link', 'x', /not an earlier member/);
    rejects(() => validateLayer(layer({ name: 'x', type: 'hardlink', linkname: 'y' }, { name: 'y', type: 'file' })), 'bad-link', 'x');
    rejects(
      () => validateLayer(layer({ name: 'd/', type: 'directory' }, { name: 'x', type: 'hardlink', linkname: 'd' })),
      'bad-link',
      'x',
      /directory/,
    );
    rejects(() => validateLayer(layer({ name: 'x', type: 'hardlink', linkname: '../../etc/passwd' })), 'path-escape', 'x');
    rejects(() => validateLayer(layer({ name: 'f', type: 'file' }, { name: 'f', type: 'hardlink', linkname: 'f' })), 'bad-link', 'f');
    expect(() =>
      validateLayer(
        layer(
          { name: 'a', type: 'file' },
          { name: 'b', type: 'hardlink', linkname: '/a' },
          { name: 'c', type: 'hardlink', linkname: './b' },
        ),
      ),
    ).not.toThrow();
  });

  it('devices other than the overlay whiteout char 0/0', () => {
    rejects(() => validateLayer(layer({ name: 'dev/sda', type: 'block', devmajor: 8 })), 'device', 'dev/sda');
    rejects(() => validateLayer(layer({ name: 'dev/mem', type: 'char', devmajor: 1, devminor: 1 })), 'device', 'dev/mem', /1\/1/);
    rejects(() => validateLayer(layer({ name: 'dev/zero0', type: 'block' })), 'device', 'dev/zero0');
    expect(() => validateLayer(layer({ name: 'etc/motd', type: 'char' }))).not.toThrow();
    expect(() => validateLayer(layer({ name: 'dev/mem', type: 'char', devmajor: 1, devminor: 1 }), { allowDevices: true })).not.toThrow();
    expect(() => validateLayer(layer({ name: 'run/fifo', type: 'fifo' }))).not.toThrow();
  });

  it('whiteouts that name nothing, and hard links to whiteouts', () => {
    rejects(() => validateLayer(layer({ name: 'etc/.wh.', type: 'file' })), 'bad-whiteout', 'etc/.wh.');
    rejects(() => validateLayer(layer({ name: 'etc/.wh..', type: 'file' })), 'bad-whiteout', 'etc/.wh..');
    rejects(
      () => validateLayer(layer({ name: '.wh.x', type: 'file' }, { name: 'y', type: 'hardlink', linkname: '.wh.x' })),
      'bad-link',
      'y',
    );
    expect(() => validateLayer(layer({ name: 'etc/.wh..wh..opq', type: 'file' }, { name: 'etc/.wh.motd', type: 'file' }))).not.toThrow();
  });

  it('size mismatches', () => {
    const f = tarEntry({ name: 'f', type: 'file', data: enc.encode('abc') });
    rejects(() => validateLayer([{ ...f, size: 10 }]), 'size-mismatch', 'f');
    rejects(() => validateLayer([{ ...tarEntry({ name: 'd/', type: 'directory' }), data: enc.encode('x') }]), 'size-mismatch', 'd/');
  });

  it('applyLayer validates by default', () => {
    rejects(() => applyLayer(new FsTree(), layer({ name: 'a/../../b', type: 'file' })), 'path-escape', 'a/../../b');
    rejects(() => applyLayer(new FsTree(), layer({ name: 'l', type: 'symlink', linkname: '../x' })), 'path-escape', 'l');
  });

  it('applyLayer keeps writes through symlinks inside the root', () => {
    // "a" points at the host's /etc; in a container it means the container's /etc.
    const tree = applyLayer(
      new FsTree(),
      layer({ name: 'a', type: 'symlink', linkname: '/etc' }, { name: 'a/passwd', type: 'file', data: enc.encode('x') }),
    );
    expect(tree.get('etc/passwd')?.type).toBe('file');
    const loop = layer(
      { name: 'x', type: 'symlink', linkname: 'y' },
      { name: 'y', type: 'symlink', linkname: 'x' },
      { name: 'x/f', type: 'file' },
    );
    rejects(() => applyLayer(new FsTree(), loop), 'bad-link', 'x/f', /symbolic links/);
    const up = layer(
      { name: 'd/', type: 'directory' },
      { name: 'd/up', type: 'symlink', linkname: '/../../..' },
      { name: 'd/up/escaped', type: 'file' },
    );
    expect(applyLayer(new FsTree(), up).get('escaped')?.type).toBe('file');
  });
});
