/**
 * Path rules for layer entries. Names are normalised the way Docker's unpacker treats them
 * (`filepath.Clean` then join under the root): a leading `/` or `./` is dropped, `//` and `.`
 * components collapse, a trailing `/` goes. Unlike Docker, any `..` component is rejected,
 * even one that would stay inside the root (`a/../b`).
 */
import { LayerError } from './errors.ts';

/** Normalises an archive member name to `a/b/c` ('' is the root); throws on `..`, NUL or ''. */
export function normalizeLayerPath(name: string, entry: string = name): string {
  if (name.includes('\0')) throw new LayerError('bad-path', entry, 'name contains a NUL byte');
  if (name === '') throw new LayerError('bad-path', entry, 'empty name');
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new LayerError('path-escape', entry, 'name has a ".." component');
    out.push(part);
  }
  return out.join('/');
}

/** Splits a normalised path into components ('' gives none). */
export function pathParts(path: string): string[] {
  return path === '' ? [] : path.split('/');
}

/** The parent of a normalised path ('' for top-level names and for the root). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The last component of a normalised path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a normalised directory path and a child name. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * True when a relative symlink target, resolved lexically from the link's directory, climbs
 * above the root. Absolute targets never escape: inside a container they resolve from its root.
 */
export function symlinkEscapes(linkPath: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  let depth = pathParts(parentPath(linkPath)).length;
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      depth--;
      if (depth < 0) return true;
    } else depth++;
  }
  return false;
}
