/**
 * An in-memory filesystem tree and OCI layer application: an image's merged root filesystem is
 * `applyLayer` over its layers in order, starting from an empty `FsTree`.
 */
import { LayerError } from './errors.ts';
import { baseName, joinPath, normalizeLayerPath, parentPath, pathParts } from './path.ts';
import { validateLayer, type ValidateOptions } from './security.ts';
import { isWhiteoutDevice, WHITEOUT_META_PREFIX, WHITEOUT_OPAQUE, WHITEOUT_PREFIX } from './whiteout.ts';
import type { TarEntry } from './tar.ts';

/** Node types of the tree (hard links are nodes that share an `ino`). */
export type FsNodeType = 'file' | 'directory' | 'symlink' | 'char' | 'block' | 'fifo';

/** The tar member metadata a tree node keeps as it is (documented on `TarEntry`). */
type TarMetadata = Pick<TarEntry, 'mode' | 'uid' | 'gid' | 'mtime' | 'mtimeNsec' | 'linkname' | 'devmajor' | 'devminor' | 'xattrs'>;

/** Metadata and (for regular files) content of one path: a tar member's metadata, its type, size and inode. */
export interface FsNode extends TarMetadata {
  /** Node type (a hard link is a node that shares another's `ino`, never a type of its own). */
  type: FsNodeType;
  /** Bytes of content (files) or of the target (symlinks); 0 otherwise. */
  size: number;
  /** File content when known (shared, never copied). */
  data?: Uint8Array;
  /** Content digest when known (`sha256:...`); compared when both sides have one. */
  digest?: string;
  /** Inode number: hard links share it. */
  ino: number;
}

interface Slot {
  node: FsNode;
  children?: Map<string, Slot>;
}

/** Metadata for a directory created implicitly (a missing parent): 0755 root:root, mtime 0. */
export function implicitDir(ino: number): FsNode {
  return {
    type: 'directory',
    mode: 0o755,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 0,
    mtimeNsec: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: {},
    ino,
  };
}

function cloneSlot(slot: Slot): Slot {
  const node: FsNode = { ...slot.node, xattrs: { ...slot.node.xattrs } };
  if (!slot.children) return { node };
  const children = new Map<string, Slot>();
  for (const [name, child] of slot.children) children.set(name, cloneSlot(child));
  return { node, children };
}

function countSlots(slot: Slot): number {
  let n = 1;
  if (slot.children) for (const child of slot.children.values()) n += countSlots(child);
  return n;
}

/** Byte-wise (UTF-8 / code point) order, the order Go's filepath.Walk visits names in. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/**
 * A directory tree keyed by normalised paths (`etc/passwd`; `/etc/passwd` and `./etc/passwd`
 * are accepted too, '' or '/' is the root). Lookups never follow symlinks.
 */
export class FsTree {
  private rootSlot: Slot;
  private inoCounter: number;

  /** Creates a tree holding only the root directory (0755 root:root, mtime 0). */
  constructor() {
    this.rootSlot = { node: implicitDir(1), children: new Map() };
    this.inoCounter = 1;
  }

  /** Allocates a fresh inode number for a new node. */
  nextIno(): number {
    return ++this.inoCounter;
  }

  /** The root directory's node. */
  get root(): FsNode {
    return this.rootSlot.node;
  }

  /** Number of paths in the tree, the root excluded. */
  get size(): number {
    return countSlots(this.rootSlot) - 1;
  }

  private slot(path: string): Slot | undefined {
    let cur: Slot | undefined = this.rootSlot;
    for (const part of pathParts(normalizeLayerPath(path === '' ? '/' : path))) {
      cur = cur.children?.get(part);
      if (!cur) return undefined;
    }
    return cur;
  }

  /** The node at `path`, if any. */
  get(path: string): FsNode | undefined {
    return this.slot(path)?.node;
  }

  /** True when `path` exists. */
  has(path: string): boolean {
    return this.slot(path) !== undefined;
  }

  /** Sorted child names of the directory at `path` ([] for non-directories and missing paths). */
  list(path: string): string[] {
    const slot = this.slot(path);
    return slot?.children ? [...slot.children.keys()].sort(compareNames) : [];
  }

  /**
   * Puts `node` at `path`, replacing whatever was there (a directory replaced by a directory
   * keeps its children). Missing parents are created as implicit directories; a parent that is
   * not a directory is a 'conflict'.
   */
  set(path: string, node: FsNode): void {
    const norm = normalizeLayerPath(path === '' ? '/' : path);
    if (norm === '') {
      if (node.type !== 'directory') throw new LayerError('bad-path', path, 'the root can only be a directory');
      this.rootSlot.node = node;
      return;
    }
    const parts = pathParts(norm);
    const last = parts.pop() ?? '';
    let cur = this.rootSlot;
    let walked = '';
    for (const part of parts) {
      walked = joinPath(walked, part);
      if (!cur.children) throw new LayerError('conflict', path, `parent ${JSON.stringify(walked)} is not a directory`);
      let next = cur.children.get(part);
      if (!next) {
        next = { node: implicitDir(this.nextIno()), children: new Map() };
        cur.children.set(part, next);
      }
      cur = next;
    }
    if (!cur.children) throw new LayerError('conflict', path, `parent ${JSON.stringify(parentPath(norm))} is not a directory`);
    const old = cur.children.get(last);
    if (node.type === 'directory') {
      cur.children.set(last, { node, children: old?.children ?? new Map() });
    } else {
      cur.children.set(last, { node });
    }
  }

  /** Removes `path` and everything below it; returns the number of paths removed. */
  delete(path: string): number {
    const norm = normalizeLayerPath(path === '' ? '/' : path);
    if (norm === '') {
      const n = this.size;
      this.rootSlot.children = new Map();
      return n;
    }
    const parent = this.slot(parentPath(norm));
    const name = baseName(norm);
    const victim = parent?.children?.get(name);
    if (!parent?.children || !victim) return 0;
    parent.children.delete(name);
    return countSlots(victim);
  }

  /** Removes everything below the directory at `path`; returns the number of paths removed. */
  clear(path: string): number {
    const slot = this.slot(path);
    if (!slot?.children) return 0;
    const n = countSlots(slot) - 1;
    slot.children = new Map();
    return n;
  }

  /** All `[path, node]` pairs below `path` (default the root), parents first, names sorted. */
  *walk(path = ''): Generator<[string, FsNode], void, undefined> {
    const start = this.slot(path);
    if (!start) return;
    const base = normalizeLayerPath(path === '' ? '/' : path);
    function* visit(dir: string, slot: Slot): Generator<[string, FsNode], void, undefined> {
      if (!slot.children) return;
      for (const name of [...slot.children.keys()].sort(compareNames)) {
        const child = slot.children.get(name);
        if (!child) continue;
        const p = joinPath(dir, name);
        yield [p, child.node];
        yield* visit(p, child);
      }
    }
    yield* visit(base, start);
  }

  /** A deep copy of the structure and metadata (file contents are shared). */
  clone(): FsTree {
    const copy = new FsTree();
    copy.rootSlot = cloneSlot(this.rootSlot);
    copy.inoCounter = this.inoCounter;
    return copy;
  }
}

/** The longest chain of symlinks followed while resolving one path (Linux's MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/**
 * Resolves a normalised path inside the tree the way a chroot would: symlinks in parent
 * components are followed (absolute targets from the root, `..` clamped at the root); the last
 * component is followed only when `followLast`.
 */
export function resolveInTree(tree: FsTree, path: string, followLast = false, label: string = path): string {
  const queue = pathParts(path);
  const cur: string[] = [];
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift() ?? '';
    if (part === '' || part === '.') continue;
    if (part === '..') {
      cur.pop();
      continue;
    }
    const candidate = [...cur, part].join('/');
    const node = tree.get(candidate);
    if (node?.type === 'symlink' && (queue.length > 0 || followLast)) {
      if (++hops > MAX_SYMLINKS) throw new LayerError('bad-link', label, 'too many levels of symbolic links');
      if (node.linkname.startsWith('/')) cur.length = 0;
      queue.unshift(...node.linkname.split('/'));
      continue;
    }
    cur.push(part);
  }
  return cur.join('/');
}

/** What `applyLayer` did, reported per path (used for layer statistics). */
export type ApplyEvent =
  | { kind: 'add'; path: string; node: FsNode }
  | { kind: 'replace'; path: string; node: FsNode; old: FsNode; removedBelow: number; removedSize: number }
  | { kind: 'merge'; path: string; node: FsNode; old: FsNode }
  | { kind: 'remove'; path: string; old: FsNode; removed: number; removedSize: number };

/** Switches for `applyLayer`. */
export interface ApplyOptions extends ValidateOptions {
  /** Run `validateLayer` first (default true). Without it hard links may target lower layers. */
  validate?: boolean;
  /** Called for every path the layer adds, replaces, merges or removes. */
  onEvent?: (event: ApplyEvent) => void;
}

function sumFileSizes(tree: FsTree, path: string, node: FsNode): number {
  let total = node.type === 'file' ? node.size : 0;
  if (node.type === 'directory') for (const [, child] of tree.walk(path)) if (child.type === 'file') total += child.size;
  return total;
}

function nodeFromEntry(e: TarEntry, ino: number): FsNode {
  const node: FsNode = {
    type: e.type === 'hardlink' ? 'file' : e.type,
    mode: e.mode & 0o7777,
    uid: e.uid,
    gid: e.gid,
    size: e.type === 'file' ? e.data.length : e.type === 'symlink' ? new TextEncoder().encode(e.linkname).length : 0,
    mtime: e.mtime,
    mtimeNsec: e.mtimeNsec,
    linkname: e.type === 'symlink' ? e.linkname : '',
    devmajor: e.type === 'char' || e.type === 'block' ? e.devmajor : 0,
    devminor: e.type === 'char' || e.type === 'block' ? e.devminor : 0,
    xattrs: { ...e.xattrs },
    ino,
  };
  if (e.type === 'file') node.data = e.data;
  return node;
}

/**
 * Applies one OCI layer (its tar members, uncompressed) to `tree` in place and returns it.
 * Whiteouts only hide lower content, so they are applied first: `.wh.<name>` deletes `<name>`,
 * `.wh..wh..opq` empties its directory, an overlay whiteout (char 0/0, or a hard link to one)
 * deletes its own path,
 * `.wh..wh.*` AUFS metadata is ignored. Then members are applied in order: a directory over a
 * directory merges metadata, anything else replaces what was there (a whole subtree if need
 * be), missing parents become 0755 directories, symlinks in parent components are followed
 * inside the root, and a hard link copies its target node (sharing its `ino`).
 */
export function applyLayer(tree: FsTree, entries: readonly TarEntry[], options: ApplyOptions = {}): FsTree {
  if (options.validate !== false) validateLayer(entries, options);
  const emit = options.onEvent;

  // Overlay-style whiteouts: char 0/0 devices, and hard links to them (busybox tar's form).
  const deviceWhiteouts = new Set<string>();
  for (const e of entries) {
    const path = normalizeLayerPath(e.name, e.name);
    if (path === '') continue;
    if (isWhiteoutDevice(e) || (e.type === 'hardlink' && deviceWhiteouts.has(normalizeLayerPath(e.linkname, e.name))))
      deviceWhiteouts.add(path);
  }

  // Phase 1: whiteouts, against the lower layers only.
  for (const e of entries) {
    const path = normalizeLayerPath(e.name, e.name);
    const base = baseName(path);
    let target: string | undefined;
    if (base === WHITEOUT_OPAQUE) {
      const dir = resolveInTree(tree, parentPath(path), false, e.name);
      const node = tree.get(dir);
      if (node?.type !== 'directory') continue;
      for (const name of tree.list(dir)) {
        const child = joinPath(dir, name);
        const old = tree.get(child);
        if (!old) continue;
        const removedSize = sumFileSizes(tree, child, old);
        const removed = tree.delete(child);
        emit?.({ kind: 'remove', path: child, old, removed, removedSize });
      }
      continue;
    }
    if (base.startsWith(WHITEOUT_META_PREFIX)) continue;
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const name = base.slice(WHITEOUT_PREFIX.length);
      if (name === '' || name === '.' || name === '..') throw new LayerError('bad-whiteout', e.name, 'whiteout names no file');
      target = joinPath(resolveInTree(tree, parentPath(path), true, e.name), name);
    } else if (deviceWhiteouts.has(path)) {
      target = joinPath(resolveInTree(tree, parentPath(path), true, e.name), base);
    }
    if (target === undefined) continue;
    const old = tree.get(target);
    if (!old) continue;
    const removedSize = sumFileSizes(tree, target, old);
    const removed = tree.delete(target);
    emit?.({ kind: 'remove', path: target, old, removed, removedSize });
  }

  // Phase 2: everything else, in archive order.
  for (const e of entries) {
    const path = normalizeLayerPath(e.name, e.name);
    const base = baseName(path);
    if (base.startsWith(WHITEOUT_PREFIX) || deviceWhiteouts.has(path)) continue;
    const parent = resolveInTree(tree, parentPath(path), true, e.name);
    const dest = path === '' ? '' : joinPath(parent, base);
    // Create missing parents first so they are reported (and a non-directory parent is caught).
    let walked = '';
    for (const part of pathParts(parent)) {
      walked = joinPath(walked, part);
      const node = tree.get(walked);
      if (!node) {
        const dir = implicitDir(tree.nextIno());
        tree.set(walked, dir);
        emit?.({ kind: 'add', path: walked, node: dir });
      } else if (node.type !== 'directory') {
        throw new LayerError('conflict', e.name, `parent ${JSON.stringify(walked)} is a ${node.type}, not a directory`);
      }
    }

    let node: FsNode;
    if (e.type === 'hardlink') {
      const targetPath = resolveInTree(tree, normalizeLayerPath(e.linkname, e.name), false, e.name);
      const target = tree.get(targetPath);
      if (!target) throw new LayerError('bad-link', e.name, `hard link target ${JSON.stringify(e.linkname)} does not exist`);
      if (target.type === 'directory')
        throw new LayerError('bad-link', e.name, `hard link target ${JSON.stringify(e.linkname)} is a directory`);
      if (targetPath === dest) continue; // linking a file to itself changes nothing
      node = { ...target, xattrs: { ...target.xattrs } };
    } else {
      node = nodeFromEntry(e, tree.nextIno());
    }

    const old = tree.get(dest);
    if (!old) {
      tree.set(dest, node);
      emit?.({ kind: 'add', path: dest, node });
    } else if (old.type === 'directory' && node.type === 'directory') {
      node.ino = old.ino;
      tree.set(dest, node);
      emit?.({ kind: 'merge', path: dest, node, old });
    } else {
      const removedSize = sumFileSizes(tree, dest, old);
      const removedBelow = tree.delete(dest) - 1;
      tree.set(dest, node);
      emit?.({ kind: 'replace', path: dest, node, old, removedBelow, removedSize });
    }
  }
  return tree;
}

/** Builds the merged root filesystem of an image from its layers' members, bottom layer first. */
export function mergeLayers(layers: Iterable<readonly TarEntry[]>, options: ApplyOptions = {}): FsTree {
  const tree = new FsTree();
  for (const layer of layers) applyLayer(tree, layer, options);
  return tree;
}
