import { describe, expect, it } from 'vitest';
import { FsTree, applyLayer, layerStats, tarEntry, type TarEntry } from '../engine/layer/index.ts';
import {
  fileRows,
  imageFilesView,
  layerFilesView,
  permissionString,
  type FileRow,
  type ImageFilesView,
  type LayerFilesView,
} from './layer-files.ts';
import { expectGolden, wrap } from './testdata/golden.ts';
import { webLayers } from './testdata/web-image.ts';

const MARK = { added: '+', modified: '~', removed: '-', unchanged: ' ' } as const;

/** dive-like rows: permissions, owner, size, change mark, indented name. */
function formatRows(rows: readonly FileRow[]): string {
  return rows
    .map((r) => {
      const name = `${'  '.repeat(r.depth)}${r.name}${r.kind === 'dir' ? '/' : ''}`;
      const link = r.linkTarget ? ` -> ${r.linkTarget}${r.kind === 'hardlink' ? ' (hard link)' : ''}` : '';
      const h = r.hiddenChanges;
      const hidden = r.collapsed ? ` [+${r.hidden} hidden: ${h.added}A ${h.modified}M ${h.removed}D]` : '';
      return `${r.permissions} ${r.owner.padEnd(11)} ${r.sizeLabel.padStart(7)} ${MARK[r.change]} L${r.layer} ${name}${link}${hidden}`;
    })
    .join('\n');
}

function formatLayerFiles(v: LayerFilesView): string {
  const c = v.counts;
  return [
    `layers[${v.selected}] of ${v.layerCount}: +${c.added} ~${c.modified} -${c.removed} =${c.unchanged}`,
    `layerSize=${v.layerSize} totalSize=${v.totalSize} wastedSize=${v.wastedSize}`,
    formatRows(v.rows),
    'alt:',
    wrap(v.alt),
    '',
  ].join('\n');
}

function formatImageFiles(v: ImageFilesView): string {
  const c = v.counts;
  return [
    `image of ${v.layerCount} layers: ~${c.modified} -${c.removed} =${c.unchanged}`,
    `totalSize=${v.totalSize} layersSize=${v.layersSize} wastedSize=${v.wastedSize} efficiency=${v.efficiency.toFixed(4)}`,
    'wasted:',
    ...v.wasted.map((w) => `  ${String(w.size).padStart(6)} ${w.path} layers=${w.layers.join(',')}${w.removed ? ' (removed)' : ''}`),
    formatRows(v.rows),
    'alt:',
    wrap(v.alt),
    '',
  ].join('\n');
}

describe('layerFilesView', () => {
  const layers = webLayers();

  it('the python layer: apt lists removed, dpkg status rewritten (golden)', () => {
    const view = layerFilesView(layers, 1, { maxDepth: 9 });
    expectGolden('layer-files-web-1', formatLayerFiles(view));
    const row = (path: string) => view.rows.find((r) => r.path === path);
    expect(row('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-i386_Packages')).toMatchObject({
      change: 'removed',
      size: 30_000,
    });
    expect(row('/var/lib/dpkg/status')?.change).toBe('modified');
    expect(row('/usr/bin/python3.11')).toMatchObject({ change: 'added', layer: 1 });
    expect(row('/usr/bin/bash')).toMatchObject({ change: 'unchanged', layer: 0 });
    // directories: mixed children are modified, only-new children keep added
    expect(row('/usr')?.change).toBe('modified');
    expect(row('/usr/lib/python3.11')?.change).toBe('added');
    // dive's rule: an unchanged directory that lost a child is modified
    expect(row('/var/lib/apt/lists')?.change).toBe('modified');
    expect(row('/etc')?.change).toBe('unchanged');
  });

  it('the pip install layer, collapsed at depth 2 (golden)', () => {
    const view = layerFilesView(layers, 5);
    expectGolden('layer-files-web-5', formatLayerFiles(view));
    const lib = view.rows.find((r) => r.path === '/usr/local/lib');
    expect(lib).toMatchObject({ depth: 2, collapsed: true, hidden: 9 });
    expect(lib?.hiddenChanges).toEqual({ added: 9, modified: 0, removed: 0, unchanged: 0 });
  });

  it('COPY . /app, only what changed (golden)', () => {
    const view = layerFilesView(layers, 6, { changesOnly: true, maxDepth: 9 });
    expectGolden('layer-files-web-6', formatLayerFiles(view));
    expect(view.rows.map((r) => r.path)).toEqual([
      '/app',
      '/app/app.py',
      '/app/static',
      '/app/static/style.css',
      '/app/templates',
      '/app/templates/index.html',
    ]);
    // requirements.txt is copied again, unchanged: its 13 bytes are stored twice
    expect(view.wastedSize).toBe(13);
  });

  it('counts agree with the engine’s layerStats', () => {
    const tree = new FsTree();
    layers.forEach((layer, i) => {
      const stats = layerStats(layer, tree);
      applyLayer(tree, layer);
      const view = layerFilesView(layers, i);
      expect([view.counts.added, view.counts.removed], `layer ${i}`).toEqual([stats.added, stats.removed]);
      // layerStats counts a rewrite of identical content as modified; dive (and this view) do not
      expect(view.counts.modified, `layer ${i}`).toBeLessThanOrEqual(stats.modified);
      expect(view.layerSize).toBe(stats.totalSize);
    });
  });

  it('expands and collapses on request', () => {
    const view = layerFilesView(layers, 5, { maxDepth: 0, expand: ['/usr', '/usr/local'], collapse: ['/root'] });
    expect(view.rows.map((r) => `${r.depth}${r.path}${r.collapsed ? '+' : ''}`)).toEqual([
      '0/app+',
      '0/bin',
      '0/etc+',
      '0/lib',
      '0/root+',
      '0/tmp',
      '0/usr',
      '1/usr/bin+',
      '1/usr/lib+',
      '1/usr/local',
      '2/usr/local/bin+',
      '2/usr/local/lib+',
      '1/usr/share+',
      '0/var+',
    ]);
    expect(fileRows(view.root, { maxDepth: 0 }).map((r) => r.name)).toEqual(['app', 'bin', 'etc', 'lib', 'root', 'tmp', 'usr', 'var']);
  });

  it('counts a hard link once', () => {
    const view = layerFilesView(layers, 0, { maxDepth: 9 });
    const gunzip = view.rows.find((r) => r.path === '/usr/bin/gunzip');
    const uncompress = view.rows.find((r) => r.path === '/usr/bin/uncompress');
    expect(gunzip).toMatchObject({ kind: 'file', size: 2048 });
    expect(uncompress).toMatchObject({ kind: 'hardlink', size: 0, sizeLabel: '', linkTarget: '/usr/bin/gunzip' });
    expect(view.totalSize).toBe(view.layerSize);
  });

  it('rejects a layer that does not exist', () => {
    expect(() => layerFilesView(layers, 7)).toThrow(/layer 7 does not exist: the image has 7 layers/);
    expect(() => layerFilesView([], 0)).toThrow(RangeError);
  });

  it('shows a removed directory with everything below it', () => {
    const base: TarEntry[] = [
      tarEntry({ name: 'cache/', type: 'directory' }),
      tarEntry({ name: 'cache/a', type: 'file', data: new Uint8Array(100) }),
      tarEntry({ name: 'cache/b/c', type: 'file', data: new Uint8Array(50) }),
    ];
    const wipe: TarEntry[] = [tarEntry({ name: '.wh.cache', type: 'file' })];
    const view = layerFilesView([base, wipe], 1, { maxDepth: 9 });
    expect(view.rows.map((r) => [r.path, r.change, r.size])).toEqual([
      ['/cache', 'removed', 150],
      ['/cache/a', 'removed', 100],
      ['/cache/b', 'removed', 50],
      ['/cache/b/c', 'removed', 50],
    ]);
    expect(view.counts).toEqual({ added: 0, modified: 0, removed: 4, unchanged: 0 });
    expect(view.totalSize).toBe(0);
    expect(view.wastedSize).toBe(150);
    expect(view.root.size).toBe(0);
  });
});

describe('opaque directories and big trees', () => {
  const enc = new TextEncoder();
  const base: TarEntry[] = [
    tarEntry({ name: 'etc/apt/sources.list.d/', type: 'directory' }),
    tarEntry({ name: 'etc/apt/sources.list.d/a.list', type: 'file', data: enc.encode('deb a\n') }),
    tarEntry({ name: 'etc/apt/sources.list.d/b.list', type: 'file', data: enc.encode('deb b\n') }),
  ];
  const replace: TarEntry[] = [
    tarEntry({ name: 'etc/apt/sources.list.d/', type: 'directory' }),
    tarEntry({ name: 'etc/apt/sources.list.d/.wh..wh..opq', type: 'file' }),
    tarEntry({ name: 'etc/apt/sources.list.d/c.list', type: 'file', data: enc.encode('deb c\n') }),
  ];

  it('an opaque directory removes what was below it', () => {
    const rows = layerFilesView([base, replace], 1, { maxDepth: 9 }).rows;
    expect(rows.map((r) => [r.path, r.change])).toEqual([
      ['/etc', 'modified'],
      ['/etc/apt', 'modified'],
      ['/etc/apt/sources.list.d', 'modified'],
      ['/etc/apt/sources.list.d/a.list', 'removed'],
      ['/etc/apt/sources.list.d/b.list', 'removed'],
      ['/etc/apt/sources.list.d/c.list', 'added'],
    ]);
    const image = imageFilesView([base, replace], { maxDepth: 9 });
    expect(image.rows.slice(3).map((r) => [r.name, r.change, r.layer])).toEqual([
      ['a.list', 'removed', 1],
      ['b.list', 'removed', 1],
      ['c.list', 'unchanged', 1],
    ]);
    expect(image.wastedSize).toBe(12);
  });

  it('handles thousands of files', () => {
    const many: TarEntry[] = [];
    for (let d = 0; d < 100; d++)
      for (let f = 0; f < 40; f++)
        many.push(tarEntry({ name: `usr/share/doc/pkg${d}/file${f}.txt`, type: 'file', data: enc.encode(`${d}/${f}\n`) }));
    const wipe = [tarEntry({ name: 'usr/share/.wh.doc', type: 'file' })];
    const view = layerFilesView([many, wipe], 1);
    expect(view.counts.removed).toBe(1 + 100 + 4000);
    expect(view.rows.map((r) => r.path)).toEqual(['/usr', '/usr/share', '/usr/share/doc']);
    expect(view.rows[2]).toMatchObject({ change: 'removed', collapsed: true, hidden: 4100 });
    const image = imageFilesView([many, wipe]);
    expect(image.totalSize).toBe(0);
    expect(image.wasted).toEqual([{ path: '/usr/share/doc', size: image.layersSize, layers: [0, 1], removed: true }]);
  });
});

describe('imageFilesView', () => {
  it('web:1 as a whole: wasted space and efficiency (golden)', () => {
    const layers = webLayers();
    const view = imageFilesView(layers, { maxDepth: 3 });
    expectGolden('image-files-web', formatImageFiles(view));
    expect(view.wastedSize).toBe(view.layersSize - view.totalSize);
    expect(view.wasted.map((w) => w.path)).toEqual([
      '/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-i386_Packages',
      '/var/cache/debconf/templates.dat',
      '/var/lib/dpkg/status',
      '/app/requirements.txt',
    ]);
    expect(view.wasted.reduce((n, w) => n + w.size, 0)).toBe(view.wastedSize);
    expect(
      view.rows.find((r) => r.path === '/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-i386_Packages'),
    ).toBeUndefined();
    const lists = imageFilesView(layers, { maxDepth: 9 }).rows.find((r) => r.path.endsWith('_Packages'));
    expect(lists).toMatchObject({ change: 'removed', size: 30_000, layer: 1 });
  });

  it('an image that wastes nothing', () => {
    const view = imageFilesView([[tarEntry({ name: 'hello', type: 'file', data: new TextEncoder().encode('hi\n') })]]);
    expect(view).toMatchObject({ totalSize: 3, layersSize: 3, wastedSize: 0, efficiency: 1, wasted: [] });
    expect(view.alt).toContain('No space is wasted');
    expect(imageFilesView([]).efficiency).toBe(1);
  });
});

describe('permissionString', () => {
  it.each([
    ['directory', 0o755, 'drwxr-xr-x'],
    ['directory', 0o1777, 'drwxrwxrwt'],
    ['file', 0o4755, '-rwsr-xr-x'],
    ['file', 0o2644, '-rw-r-Sr--'],
    ['symlink', 0o777, 'lrwxrwxrwx'],
    ['char', 0o600, 'crw-------'],
  ] as const)('%s %o', (type, mode, want) => {
    expect(permissionString(type, mode)).toBe(want);
  });
});
