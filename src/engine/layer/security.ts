/**
 * Checks a layer's members before anything is applied: hostile archives are rejected with a
 * LayerError naming the member and the problem.
 */
import { LayerError } from './errors.ts';
import { normalizeLayerPath, symlinkEscapes } from './path.ts';
import type { TarEntry } from './tar.ts';

/** Switches for `validateLayer`. */
export interface ValidateOptions {
  /** Accept char/block devices other than whiteouts (trusted sources only; default false). */
  allowDevices?: boolean;
}

function isWhiteoutDevice(entry: Pick<TarEntry, 'type' | 'devmajor' | 'devminor'>): boolean {
  return entry.type === 'char' && entry.devmajor === 0 && entry.devminor === 0;
}

/**
 * Rejects a layer that could escape or corrupt the root: `..` in names or hard-link targets
 * ('path-escape'), NUL/empty names or a non-directory root ('bad-path'), relative symlinks
 * that climb above the root ('path-escape'; absolute targets are fine), hard links that do not
 * point at an earlier non-directory member ('bad-link'), devices other than char 0/0
 * ('device'), data whose length disagrees with the size ('size-mismatch') and whiteouts that
 * name nothing (`.wh.`, `.wh..`: 'bad-whiteout').
 * Names are judged after normalisation (a leading `/` or `./` is dropped, as Docker does).
 */
export function validateLayer(entries: Iterable<TarEntry>, options: ValidateOptions = {}): void {
  const seen = new Map<string, TarEntry['type']>();
  for (const e of entries) {
    const path = normalizeLayerPath(e.name, e.name);
    if (path === '' && e.type !== 'directory')
      throw new LayerError('bad-path', e.name, `the root can only be a directory, not a ${e.type}`);
    if (e.type === 'file') {
      if (e.size !== e.data.length)
        throw new LayerError('size-mismatch', e.name, `size says ${e.size} bytes but the data has ${e.data.length}`);
    } else if (e.size !== 0 || e.data.length !== 0) {
      throw new LayerError('size-mismatch', e.name, `a ${e.type} cannot carry data (size ${e.size}, data ${e.data.length})`);
    }
    switch (e.type) {
      case 'symlink':
        if (e.linkname === '') throw new LayerError('bad-link', e.name, 'symlink has an empty target');
        if (e.linkname.includes('\0')) throw new LayerError('bad-path', e.name, 'symlink target contains a NUL byte');
        if (symlinkEscapes(path, e.linkname)) {
          throw new LayerError('path-escape', e.name, `symlink target ${JSON.stringify(e.linkname)} escapes the root`);
        }
        break;
      case 'hardlink': {
        if (e.linkname === '') throw new LayerError('bad-link', e.name, 'hard link has an empty target');
        const target = normalizeLayerPath(e.linkname, e.name);
        const targetType = seen.get(target);
        if (targetType === undefined) {
          throw new LayerError('bad-link', e.name, `hard link target ${JSON.stringify(e.linkname)} is not an earlier member of the layer`);
        }
        if (targetType === 'directory')
          throw new LayerError('bad-link', e.name, `hard link target ${JSON.stringify(e.linkname)} is a directory`);
        if (target === path) throw new LayerError('bad-link', e.name, 'hard link points at itself');
        break;
      }
      case 'char':
      case 'block':
        if (!options.allowDevices && !isWhiteoutDevice(e)) {
          throw new LayerError('device', e.name, `${e.type} device ${e.devmajor}/${e.devminor} is not allowed in a layer`);
        }
        break;
      default:
        break;
    }
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base.startsWith('.wh.') && !base.startsWith('.wh..wh.')) {
      const target = base.slice(4);
      if (target === '' || target === '.' || target === '..') throw new LayerError('bad-whiteout', e.name, 'whiteout names no file');
      continue; // a whiteout is not a file of the layer: nothing may hard-link to it
    }
    seen.set(path, e.type === 'hardlink' ? (seen.get(normalizeLayerPath(e.linkname, e.name)) ?? 'file') : e.type);
  }
}
