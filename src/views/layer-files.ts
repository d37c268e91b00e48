/**
 * An image's files as dive shows them: the tree as of one layer, each path marked added,
 * modified, removed or unchanged relative to the layers below; and the whole image, with the
 * space wasted by files that later layers overwrite or delete. The tree is flattened into rows
 * for a virtualised list, collapsed below a depth with counts of what is hidden.
 */
import { compareNames, FsTree, applyLayer, nodeChanged, type FsNode, type TarEntry } from '../engine/layer/index.ts';
import { listWords, percent, plural, sizeLabel, spokenSize } from './format.ts';

/** dive's DiffType, plus `unchanged`: what a layer did to a path. */
export type FileChange = 'added' | 'modified' | 'removed' | 'unchanged';

/** What a path is; `hardlink` is a second name for a file already listed (its size counts once). */
export type FileKind = 'dir' | 'file' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** How many paths each change applies to. */
export interface ChangeCounts {
  added: number;
  modified: number;
  removed: number;
  unchanged: number;
}

/** One path of the tree. */
export interface FileNode {
  /** Last path component ('' for the root). */
  name: string;
  /** Absolute path (`/etc/passwd`, `/` for the root). */
  path: string;
  kind: FileKind;
  /** For a directory, dive's rule: its own change merged with its children's (mixed → modified). */
  change: FileChange;
  /** The change of the path itself, directories' children not considered. */
  ownChange: FileChange;
  /** File bytes (a directory: all files below it; a removed path: the bytes removed). */
  size: number;
  /** `drwxr-xr-x`, as `ls -l` and dive print it. */
  permissions: string;
  /** `uid:gid`. */
  owner: string;
  /** Symlink target, or the first name of a hard-linked file; '' otherwise. */
  linkTarget: string;
  /** Index of the layer that last wrote the path (for a removed path: the layer that removed it). */
  layer: number;
  /** Children, sorted bytewise by name (removed paths among them). */
  children: FileNode[];
  /** Number of paths below this one. */
  descendants: number;
  /** Own changes of the paths below this one. */
  below: ChangeCounts;
}

/** One line of the flattened tree, for a virtualised list. */
export interface FileRow {
  /** 0 for the entries of `/`. */
  depth: number;
  name: string;
  path: string;
  kind: FileKind;
  change: FileChange;
  size: number;
  /** `size` as Docker prints it ("4.1kB"); '' for symlinks, devices and hard links. */
  sizeLabel: string;
  permissions: string;
  owner: string;
  linkTarget: string;
  layer: number;
  /** Number of direct children (shown or not). */
  childCount: number;
  /** The row is a directory whose children are not shown. */
  collapsed: boolean;
  /** Paths below this row that are not shown (0 when expanded). */
  hidden: number;
  /** Own changes among the hidden paths. */
  hiddenChanges: ChangeCounts;
}

/** How to flatten the tree. */
export interface FileRowOptions {
  /** Deepest depth shown (0 = only the entries of `/`); deeper directories are collapsed. Default 2. */
  maxDepth?: number;
  /** Directories (absolute paths) whose children are shown whatever their depth. */
  expand?: Iterable<string>;
  /** Directories collapsed whatever their depth. */
  collapse?: Iterable<string>;
  /** Show only changed paths (and the directories leading to them), like dive's filter. */
  changesOnly?: boolean;
}

/** The image's files as of one layer (dive's layer view). */
export interface LayerFilesView {
  mode: 'layer';
  /** The layer shown (0 is the bottom). */
  selected: number;
  layerCount: number;
  /** The tree as of the selected layer, removed paths included. */
  root: FileNode;
  rows: FileRow[];
  /** Own changes of all paths. */
  counts: ChangeCounts;
  /** Bytes of file data in the selected layer. */
  layerSize: number;
  /** Bytes of files in the image as of the selected layer. */
  totalSize: number;
  /** Bytes that the selected layer made unreachable (lower files it overwrote or deleted, and its own duplicates). */
  wastedSize: number;
  alt: string;
}

/** A path whose bytes were overwritten or deleted by a later layer. */
export interface WastedFile {
  path: string;
  /** Bytes no longer visible in the image. */
  size: number;
  /** The layers that wrote, overwrote or deleted it, in order. */
  layers: number[];
  /** The path is gone from the final image. */
  removed: boolean;
}

/** The whole image's files (dive's aggregated view and efficiency). */
export interface ImageFilesView {
  mode: 'image';
  layerCount: number;
  /**
   * The final tree. Files are `unchanged`, or `modified` when a later layer overwrote them;
   * paths deleted by a later layer appear once, as `removed`, with the bytes they took.
   */
  root: FileNode;
  rows: FileRow[];
  counts: ChangeCounts;
  /** Bytes of files in the final image. */
  totalSize: number;
  /** Bytes of file data in all layers together. */
  layersSize: number;
  /** Bytes in layers that the final image does not show: `layersSize - totalSize`. */
  wastedSize: number;
  /** `totalSize / layersSize` (1 for an image without file data), dive's "efficiency". */
  efficiency: number;
  /** Paths that waste space, largest first. */
  wasted: WastedFile[];
  alt: string;
}

const ZERO: ChangeCounts = { added: 0, modified: 0, removed: 0, unchanged: 0 };

function counts(): ChangeCounts {
  return { ...ZERO };
}

function addCounts(into: ChangeCounts, from: ChangeCounts): void {
  into.added += from.added;
  into.modified += from.modified;
  into.removed += from.removed;
  into.unchanged += from.unchanged;
}

/** dive's DiffType.merge: equal stays, anything mixed is modified. */
function merge(a: FileChange, b: FileChange): FileChange {
  return a === b ? a : 'modified';
}

const TYPE_CHAR: Record<FsNode['type'], string> = { directory: 'd', file: '-', symlink: 'l', char: 'c', block: 'b', fifo: 'p' };

/** `ls -l` permissions of a node: type letter, rwx triplets with setuid/setgid/sticky. */
export function permissionString(type: FsNode['type'], mode: number): string {
  const bit = (mask: number, ch: string) => ((mode & mask) !== 0 ? ch : '-');
  const special = (exec: number, flag: number, on: string, off: string) =>
    (mode & flag) !== 0 ? ((mode & exec) !== 0 ? on : off) : bit(exec, 'x');
  return (
    TYPE_CHAR[type] +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's', 'S') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's', 'S') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't', 'T')
  );
}

function kindOf(node: FsNode): FileKind {
  return node.type === 'directory' ? 'dir' : node.type;
}

const abs = (path: string) => `/${path}`;

/** First path (in walk order) of every inode, so hard-linked files count once. */
function primaryPaths(tree: FsTree): Map<number, string> {
  const first = new Map<number, string>();
  for (const [path, node] of tree.walk()) if (node.type === 'file' && !first.has(node.ino)) first.set(node.ino, path);
  return first;
}

/** Bytes of files in `tree`, each inode once. */
function treeBytes(tree: FsTree): number {
  let total = 0;
  const seen = new Set<number>();
  for (const [, node] of tree.walk()) {
    if (node.type !== 'file' || seen.has(node.ino)) continue;
    seen.add(node.ino);
    total += node.size;
  }
  return total;
}

function layerBytes(entries: readonly TarEntry[]): number {
  let total = 0;
  for (const e of entries) if (e.type === 'file') total += e.data.length;
  return total;
}

interface Leaf {
  node: FsNode;
  own: FileChange;
  layer: number;
  size: number;
  kind: FileKind;
  linkTarget: string;
}

/** Builds a FileNode with children, deriving directory change, sizes and counts bottom-up. */
function finish(name: string, path: string, leaf: Leaf, children: FileNode[]): FileNode {
  const below = counts();
  let descendants = 0;
  let size = leaf.size;
  let change = leaf.own;
  for (const child of children) {
    below[child.ownChange]++;
    addCounts(below, child.below);
    descendants += 1 + child.descendants;
    // A directory's size is what is still there; removed children show their own bytes.
    if (child.ownChange !== 'removed' || leaf.own === 'removed') size += child.size;
    change = merge(change, child.change);
  }
  return {
    name,
    path,
    kind: leaf.kind,
    change,
    ownChange: leaf.own,
    size,
    permissions: permissionString(leaf.node.type, leaf.node.mode),
    owner: `${leaf.node.uid}:${leaf.node.gid}`,
    linkTarget: leaf.linkTarget,
    layer: leaf.layer,
    children,
    descendants,
    below,
  };
}

/** Leaf facts for a present node: hard links after the first name count no bytes. */
function presentLeaf(path: string, node: FsNode, own: FileChange, layer: number, primary: Map<number, string>): Leaf {
  const first = node.type === 'file' ? primary.get(node.ino) : undefined;
  const isLink = first !== undefined && first !== path;
  return {
    node,
    own,
    layer,
    size: node.type === 'file' && !isLink ? node.size : 0,
    kind: isLink ? 'hardlink' : kindOf(node),
    linkTarget: isLink ? abs(first) : node.type === 'symlink' ? node.linkname : '',
  };
}

/** A removed subtree of `lower`, every path `removed`; inodes still alive elsewhere count no bytes. */
function ghost(lower: FsTree, path: string, node: FsNode, layer: number, alive: Set<number>): FileNode {
  const children =
    node.type === 'directory'
      ? lower.list(path).flatMap((name) => {
          const p = path === '' ? name : `${path}/${name}`;
          const child = lower.get(p);
          return child ? [ghost(lower, p, child, layer, alive)] : [];
        })
      : [];
  let size = 0;
  if (node.type === 'file' && !alive.has(node.ino)) {
    size = node.size;
    alive.add(node.ino);
  }
  const leaf: Leaf = { node, own: 'removed', layer, size, kind: kindOf(node), linkTarget: node.type === 'symlink' ? node.linkname : '' };
  return finish(path.slice(path.lastIndexOf('/') + 1), abs(path), leaf, children);
}

/** Replays `layers` onto an empty tree, recording the last layer that wrote each path. */
function replay(layers: readonly (readonly TarEntry[])[], until: number, onLayer?: (index: number, before: FsTree) => void) {
  const tree = new FsTree();
  const writer = new Map<string, number>();
  for (let i = 0; i <= until && i < layers.length; i++) {
    onLayer?.(i, tree);
    applyLayer(tree, layers[i] ?? [], {
      onEvent: (ev) => {
        if (ev.kind === 'remove') return;
        if (ev.kind === 'merge' && !nodeChanged(ev.old, ev.node)) return;
        writer.set(ev.path, i);
      },
    });
  }
  return { tree, writer };
}

/**
 * The image's file tree as of layer `selected` (0 is the bottom of `layers`, each layer's tar
 * members), marked relative to the layers below it, flattened with `options`.
 */
export function layerFilesView(layers: readonly (readonly TarEntry[])[], selected: number, options: FileRowOptions = {}): LayerFilesView {
  if (!Number.isInteger(selected) || selected < 0 || selected >= layers.length) {
    throw new RangeError(`layer ${selected} does not exist: the image has ${plural(layers.length, 'layer')}`);
  }
  let lower = new FsTree();
  const { tree: upper, writer } = replay(layers, selected, (i, before) => {
    if (i === selected) lower = before.clone();
  });
  const primary = primaryPaths(upper);
  const alive = new Set(primary.keys());

  const build = (path: string, node: FsNode): FileNode => {
    const old = lower.get(path);
    const own: FileChange = path === '' ? 'unchanged' : !old ? 'added' : nodeChanged(old, node) ? 'modified' : 'unchanged';
    const children: FileNode[] = [];
    if (node.type === 'directory') {
      const names = new Set(upper.list(path));
      if (old?.type === 'directory') for (const name of lower.list(path)) names.add(name);
      for (const name of [...names].sort(compareNames)) {
        const p = path === '' ? name : `${path}/${name}`;
        const now = upper.get(p);
        if (now) children.push(build(p, now));
        else {
          const gone = lower.get(p);
          if (gone) children.push(ghost(lower, p, gone, selected, alive));
        }
      }
    }
    const leaf = presentLeaf(path, node, own, writer.get(path) ?? 0, primary);
    return finish(path.slice(path.lastIndexOf('/') + 1), abs(path), leaf, children);
  };

  const root = build('', upper.root);
  const all = counts();
  addCounts(all, root.below);
  const entries = layers[selected] ?? [];
  const layerSize = layerBytes(entries);
  const totalSize = treeBytes(upper);
  const wastedSize = Math.max(0, treeBytes(lower) + layerSize - totalSize);
  const view: Omit<LayerFilesView, 'alt'> = {
    mode: 'layer',
    selected,
    layerCount: layers.length,
    root,
    rows: fileRows(root, options),
    counts: all,
    layerSize,
    totalSize,
    wastedSize,
  };
  return { ...view, alt: layerFilesAlt(view) };
}

/**
 * The whole image's files: the final tree with overwritten files marked `modified` and deleted
 * ones `removed`, its size, the bytes wasted in layers and dive's efficiency.
 */
export function imageFilesView(layers: readonly (readonly TarEntry[])[], options: FileRowOptions = {}): ImageFilesView {
  const tree = new FsTree();
  const writer = new Map<string, number>();
  const wastedAt = new Map<string, { size: number; layers: number[] }>();
  const removedAt = new Map<string, { node: FsNode; layer: number; size: number; count: number }>();
  const writers = new Map<string, number[]>();
  let layersSize = 0;
  const note = (path: string, layer: number, size: number) => {
    const w = wastedAt.get(path) ?? { size: 0, layers: [...(writers.get(path) ?? [])] };
    w.size += size;
    if (w.layers[w.layers.length - 1] !== layer) w.layers.push(layer);
    wastedAt.set(path, w);
  };
  layers.forEach((entries, i) => {
    layersSize += layerBytes(entries);
    applyLayer(tree, entries, {
      onEvent: (ev) => {
        if (ev.kind === 'remove') {
          note(ev.path, i, ev.removedSize);
          removedAt.set(ev.path, { node: ev.old, layer: i, size: ev.removedSize, count: ev.removed });
          return;
        }
        if (ev.kind === 'merge' && !nodeChanged(ev.old, ev.node)) return;
        if (ev.kind === 'replace') note(ev.path, i, ev.removedSize);
        writer.set(ev.path, i);
        removedAt.delete(ev.path);
        const list = writers.get(ev.path) ?? [];
        if (list[list.length - 1] !== i) list.push(i);
        writers.set(ev.path, list);
      },
    });
  });
  const primary = primaryPaths(tree);
  const removedIn = new Map<string, string[]>();
  for (const p of removedAt.keys()) {
    const at = p.lastIndexOf('/');
    const parent = at < 0 ? '' : p.slice(0, at);
    removedIn.set(parent, [...(removedIn.get(parent) ?? []), p.slice(at + 1)]);
  }

  const build = (path: string, node: FsNode): FileNode => {
    const own: FileChange = wastedAt.has(path) && path !== '' ? 'modified' : 'unchanged';
    const children: FileNode[] = [];
    if (node.type === 'directory') {
      const names = new Set([...tree.list(path), ...(removedIn.get(path) ?? [])]);
      const prefix = path === '' ? '' : `${path}/`;
      for (const name of [...names].sort(compareNames)) {
        const p = prefix + name;
        const now = tree.get(p);
        const gone = removedAt.get(p);
        if (now) children.push(build(p, now));
        else if (gone) {
          const leaf: Leaf = {
            node: gone.node,
            own: 'removed',
            layer: gone.layer,
            size: gone.size,
            kind: kindOf(gone.node),
            linkTarget: gone.node.type === 'symlink' ? gone.node.linkname : '',
          };
          const n = finish(name, abs(p), leaf, []);
          // The subtree is shown as one path: its descendants are counted, not listed.
          n.descendants = Math.max(0, gone.count - 1);
          n.below = { ...ZERO, removed: n.descendants };
          children.push(n);
        }
      }
    }
    const leaf = presentLeaf(path, node, own, writer.get(path) ?? 0, primary);
    return finish(path.slice(path.lastIndexOf('/') + 1), abs(path), leaf, children);
  };

  const root = build('', tree.root);
  // Removed paths show the bytes they took; the final image's size counts only what is there.
  const totalSize = treeBytes(tree);
  const all = counts();
  addCounts(all, root.below);
  const wastedSize = Math.max(0, layersSize - totalSize);
  const wasted: WastedFile[] = [...wastedAt]
    .filter(([, w]) => w.size > 0)
    .map(([path, w]) => ({ path: abs(path), size: w.size, layers: w.layers, removed: !tree.has(path) }))
    .sort((a, b) => b.size - a.size || compareNames(a.path, b.path));
  const view: Omit<ImageFilesView, 'alt'> = {
    mode: 'image',
    layerCount: layers.length,
    root,
    rows: fileRows(root, options),
    counts: all,
    totalSize,
    layersSize,
    wastedSize,
    efficiency: layersSize > 0 ? totalSize / layersSize : 1,
    wasted,
  };
  return { ...view, alt: imageFilesAlt(view) };
}

/** Flattens a tree (its root not included) into rows, collapsing as `options` say. */
export function fileRows(root: FileNode, options: FileRowOptions = {}): FileRow[] {
  const maxDepth = options.maxDepth ?? 2;
  const expand = new Set(options.expand ?? []);
  const collapse = new Set(options.collapse ?? []);
  const rows: FileRow[] = [];
  const visible = (n: FileNode) => !options.changesOnly || n.change !== 'unchanged';
  const visit = (node: FileNode, depth: number) => {
    for (const child of node.children) {
      if (!visible(child)) continue;
      const shown = child.children.filter(visible);
      const open = shown.length > 0 && !collapse.has(child.path) && (depth < maxDepth || expand.has(child.path));
      const hiddenChanges = counts();
      let hidden = 0;
      if (!open) {
        hiddenChanges.added = child.below.added;
        hiddenChanges.modified = child.below.modified;
        hiddenChanges.removed = child.below.removed;
        hiddenChanges.unchanged = options.changesOnly ? 0 : child.below.unchanged;
        hidden = options.changesOnly ? hiddenChanges.added + hiddenChanges.modified + hiddenChanges.removed : child.descendants;
      }
      const noBytes =
        child.kind === 'symlink' || child.kind === 'hardlink' || child.kind === 'char' || child.kind === 'block' || child.kind === 'fifo';
      rows.push({
        depth,
        name: child.name,
        path: child.path,
        kind: child.kind,
        change: child.change,
        size: child.size,
        sizeLabel: noBytes ? '' : sizeLabel(child.size),
        permissions: child.permissions,
        owner: child.owner,
        linkTarget: child.linkTarget,
        layer: child.layer,
        childCount: child.children.length,
        collapsed: !open && child.kind === 'dir' && child.descendants > 0,
        hidden,
        hiddenChanges,
      });
      if (open) visit(child, depth + 1);
    }
  };
  visit(root, 0);
  return rows;
}

function changeWords(c: ChangeCounts): string {
  const parts: string[] = [];
  if (c.added) parts.push(`${plural(c.added, 'path')} added`);
  if (c.modified) parts.push(`${plural(c.modified, 'path')} modified`);
  if (c.removed) parts.push(`${plural(c.removed, 'path')} removed`);
  return parts.length ? listWords(parts) : 'no changes';
}

/** The changed paths nearest the root (a changed directory stands for what is below it). */
function topChanges(root: FileNode, limit: number): FileNode[] {
  const out: FileNode[] = [];
  const visit = (node: FileNode) => {
    for (const child of node.children) {
      if (out.length >= limit) return;
      const whole = child.ownChange === 'added' || child.ownChange === 'removed';
      if (whole || (child.ownChange === 'modified' && child.kind !== 'dir')) out.push(child);
      else if (child.change !== 'unchanged') visit(child);
    }
  };
  visit(root);
  return out;
}

function layerFilesAlt(view: Omit<LayerFilesView, 'alt'>): string {
  const out = [
    `Files as of layer ${view.selected + 1} of ${view.layerCount}: ${changeWords(view.counts)} compared with the layers below.`,
    `This layer holds ${spokenSize(view.layerSize)} of files; the image holds ${spokenSize(view.totalSize)} at this point.`,
  ];
  const top = topChanges(view.root, 5);
  if (top.length)
    out.push(`Changes: ${listWords(top.map((n) => `${n.path} ${n.ownChange}${n.kind === 'file' ? ` (${spokenSize(n.size)})` : ''}`))}.`);
  if (view.wastedSize > 0) out.push(`${spokenSize(view.wastedSize)} of lower files are hidden by this layer but still stored below it.`);
  return out.join(' ');
}

function imageFilesAlt(view: Omit<ImageFilesView, 'alt'>): string {
  const out = [
    `The image's ${plural(view.layerCount, 'layer')} hold ${spokenSize(view.layersSize)} of files; the finished image shows ${spokenSize(view.totalSize)}.`,
  ];
  if (view.wastedSize > 0) {
    out.push(
      `${spokenSize(view.wastedSize)} (${percent(view.wastedSize, view.layersSize)}) is wasted on files that later layers overwrite or delete; efficiency ${percent(view.totalSize, view.layersSize)}.`,
    );
    const worst = view.wasted
      .slice(0, 3)
      .map(
        (w) =>
          `${w.path} (${spokenSize(w.size)}, ${w.removed ? 'deleted' : 'overwritten'} in layer ${(w.layers[w.layers.length - 1] ?? 0) + 1})`,
      );
    out.push(`Largest: ${listWords(worst)}.`);
  } else {
    out.push('No space is wasted: no layer overwrites or deletes files of another.');
  }
  return out.join(' ');
}
