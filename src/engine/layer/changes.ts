/**
 * `docker diff`-style change lists between two trees, and per-layer statistics.
 */
import { joinPath } from './path.ts';
import type { TarEntry } from './tar.ts';
import { applyLayer, compareNames, type ApplyOptions, type FsNode, type FsTree } from './tree.ts';

/** One line of `docker diff`: A(dded), C(hanged) or D(eleted), with an absolute path. */
export interface Change {
  /** Absolute path, e.g. `/etc/motd`. */
  path: string;
  /** `A` added, `C` changed, `D` deleted. */
  kind: 'A' | 'C' | 'D';
}

function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Docker's sameFsTimeSpec: same second and same nanoseconds, or one side has none. */
function sameTime(a: FsNode, b: FsNode): boolean {
  return a.mtime === b.mtime && (a.mtimeNsec === b.mtimeNsec || a.mtimeNsec === 0 || b.mtimeNsec === 0);
}

/**
 * Docker's statDifferent (type, mode, uid, gid, rdev; size and mtime except for directories;
 * the `security.capability` xattr), plus what a real stat would reveal anyway here: a changed
 * symlink target, or file content whose digest/bytes differ (when both sides know it).
 */
export function nodeChanged(a: FsNode, b: FsNode): boolean {
  if (a.type !== b.type || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return true;
  if ((a.type === 'char' || a.type === 'block') && (a.devmajor !== b.devmajor || a.devminor !== b.devminor)) return true;
  if (a.type !== 'directory' && (!sameTime(a, b) || a.size !== b.size)) return true;
  if (!bytesEqual(a.xattrs['security.capability'], b.xattrs['security.capability'])) return true;
  if (a.type === 'symlink' && a.linkname !== b.linkname) return true;
  if (a.type === 'file') {
    if (a.digest !== undefined && b.digest !== undefined) return a.digest !== b.digest;
    if (a.data !== undefined && b.data !== undefined) return !bytesEqual(a.data, b.data);
  }
  return false;
}

/**
 * The changes that turn `lower` into `upper`, as `docker diff` reports them: an added
 * directory lists all its contents as A; a deleted directory is one D; a directory is C when
 * its own metadata changed or anything below it did (the root is never listed); a node that
 * changed type is C and a new directory's children are A. Order is a depth-first walk with
 * names sorted bytewise (the order of overlay2's walk), a directory before its contents.
 */
export function diffTrees(lower: FsTree, upper: FsTree): Change[] {
  const out: Change[] = [];
  const visit = (path: string, node: FsNode, old: FsNode | undefined, alreadyListed: boolean): void => {
    const at = out.length;
    let listed = alreadyListed;
    if (path !== '' && !old) {
      out.push({ path: `/${path}`, kind: 'A' });
      listed = true;
    }
    if (node.type === 'directory') {
      const oldNames = old?.type === 'directory' ? lower.list(path) : [];
      const newNames = upper.list(path);
      const names = [...new Set([...oldNames, ...newNames])].sort(compareNames);
      const oldSet = new Set(oldNames);
      const newSet = new Set(newNames);
      for (const name of names) {
        const child = joinPath(path, name);
        if (!newSet.has(name)) {
          out.push({ path: `/${child}`, kind: 'D' });
          continue;
        }
        const newChild = upper.get(child);
        if (!newChild) continue;
        const oldChild = oldSet.has(name) ? lower.get(child) : undefined;
        let childListed = false;
        if (oldChild && nodeChanged(oldChild, newChild)) {
          out.push({ path: `/${child}`, kind: 'C' });
          childListed = true;
        }
        visit(child, newChild, oldChild, childListed);
      }
    }
    if (out.length > at && node.type === 'directory' && !listed && path !== '') {
      out.splice(at, 0, { path: `/${path}`, kind: 'C' });
    }
  };
  visit('', upper.root, lower.root, true);
  return out;
}

/** Prints changes the way the `docker diff` CLI does: `C /etc` one per line. */
export function formatChanges(changes: readonly Change[]): string {
  return changes.map((c) => `${c.kind} ${c.path}\n`).join('');
}

/** What one layer does to the filesystem below it (for a dive-like layer view). */
export interface LayerStats {
  /** Paths the layer creates (implicit parent directories included). */
  added: number;
  /** Paths the layer replaces, plus directories whose metadata it changes. */
  modified: number;
  /** Lower paths the layer removes (whiteouts, opaque directories, replaced subtrees). */
  removed: number;
  /** Bytes of regular-file data in the layer. */
  totalSize: number;
  /** Bytes of lower files the layer deletes or overwrites (space wasted in the image). */
  shadowedSize: number;
}

/**
 * Counts what the layer `entries` adds, modifies and removes relative to `lowerTree` (which is
 * not modified). A path written twice in the layer counts once.
 */
export function layerStats(entries: readonly TarEntry[], lowerTree: FsTree, options: Omit<ApplyOptions, 'onEvent'> = {}): LayerStats {
  const stats: LayerStats = { added: 0, modified: 0, removed: 0, totalSize: 0, shadowedSize: 0 };
  for (const e of entries) if (e.type === 'file') stats.totalSize += e.data.length;
  const touched = new Set<string>();
  applyLayer(lowerTree.clone(), entries, {
    ...options,
    onEvent: (ev) => {
      switch (ev.kind) {
        case 'remove':
          stats.removed += ev.removed;
          stats.shadowedSize += ev.removedSize;
          break;
        case 'add':
          if (!touched.has(ev.path)) stats.added++;
          touched.add(ev.path);
          break;
        case 'replace':
          if (!touched.has(ev.path)) {
            stats.modified++;
            stats.shadowedSize += ev.removedSize;
          }
          stats.removed += ev.removedBelow;
          touched.add(ev.path);
          break;
        case 'merge':
          if (!touched.has(ev.path) && nodeChanged(ev.old, ev.node)) {
            stats.modified++;
            touched.add(ev.path);
          }
          break;
      }
    },
  });
  return stats;
}
