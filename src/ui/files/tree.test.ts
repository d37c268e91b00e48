import { describe, expect, it } from 'vitest';
import { buildTree, countFiles, dirname, visibleNodes } from './tree.ts';

const files = [
  { path: 'Dockerfile' },
  { path: 'src/b.py' },
  { path: 'app.py' },
  { path: 'src/lib/util10.py' },
  { path: 'src/lib/util9.py' },
  { path: 'static/logo.png', data: new Uint8Array([1]) },
  { path: '.dockerignore' },
];

describe('file tree', () => {
  it('puts folders first and sorts names naturally', () => {
    const shown = visibleNodes(buildTree(files), new Set()).map((v) => `${'  '.repeat(v.level - 1)}${v.node.name}`);
    expect(shown).toEqual([
      'src',
      '  lib',
      '    util9.py',
      '    util10.py',
      '  b.py',
      'static',
      '  logo.png',
      '.dockerignore',
      'app.py',
      'Dockerfile',
    ]);
  });

  it('hides the insides of collapsed folders and knows parents', () => {
    const shown = visibleNodes(buildTree(files), new Set(['src']));
    expect(shown.map((v) => v.node.path)).toEqual(['src', 'static', 'static/logo.png', '.dockerignore', 'app.py', 'Dockerfile']);
    expect(shown[2]).toMatchObject({ level: 2, parent: 'static', node: { kind: 'file', binary: true } });
  });

  it('counts files and splits paths', () => {
    const src = buildTree(files).children[0]!;
    expect(countFiles(src)).toBe(3);
    expect(dirname('src/lib/a.py')).toBe('src/lib');
    expect(dirname('a.py')).toBe('');
  });

  it('handles an empty workspace', () => {
    expect(visibleNodes(buildTree([]), new Set())).toEqual([]);
  });
});
