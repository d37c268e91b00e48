/**
 * Whiteouts, and conversion between the two ways of writing a layer's deletions:
 *
 * - OCI layers (image-spec layer.md): `dir/.wh.name` deletes `dir/name` from lower layers and
 *   `dir/.wh..wh..opq` makes `dir` opaque (hides all of its lower contents).
 * - overlayfs upper directories: a deleted path is a character device 0/0, an opaque directory
 *   carries the `trusted.overlay.opaque=y` xattr. Archived by busybox tar, a second whiteout
 *   sharing the kernel's whiteout inode becomes a hard link to the first, and the xattr is
 *   lost, so opaque directories travel as a separate list.
 */
import { LayerError } from './errors.ts';
import { baseName, joinPath, normalizeLayerPath, parentPath } from './path.ts';
import { validateLayer, type ValidateOptions } from './security.ts';
import { tarEntry, type TarEntry } from './tar.ts';

/** Whiteout file-name prefix (`.wh.<name>` deletes `<name>`). */
export const WHITEOUT_PREFIX = '.wh.';
/** Opaque-directory marker: hides all lower contents of its directory. */
export const WHITEOUT_OPAQUE = '.wh..wh..opq';
/** Prefix of AUFS metadata names (`.wh..wh.plnk` ...), skipped on apply. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';
/** The xattr overlayfs uses to mark an opaque directory (value `y`). */
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

/** True for an overlayfs whiteout: a character device with device number 0/0. */
export function isWhiteoutDevice(entry: Pick<TarEntry, 'type' | 'devmajor' | 'devminor'>): boolean {
  return entry.type === 'char' && entry.devmajor === 0 && entry.devminor === 0;
}

/** For an OCI whiteout member name, the normalised path it deletes; undefined for other names. */
export function whiteoutTarget(name: string): string | undefined {
  const path = normalizeLayerPath(name);
  const base = baseName(path);
  if (!base.startsWith(WHITEOUT_PREFIX) || base.startsWith(WHITEOUT_META_PREFIX)) return undefined;
  return joinPath(parentPath(path), base.slice(WHITEOUT_PREFIX.length));
}

/** The overlay-side form of a layer: upper-dir members plus the directories to mark opaque. */
export interface UpperDirLayer {
  /** Members to extract into an overlay upper dir (whiteouts as char 0/0 devices). */
  entries: TarEntry[];
  /** Directories (normalised, `.` for the root) to mark with `trusted.overlay.opaque=y`. */
  opaqueDirs: string[];
}

function blank(name: string, from: TarEntry): TarEntry {
  return {
    name,
    type: 'file',
    mode: 0,
    uid: from.uid,
    gid: from.gid,
    size: 0,
    mtime: 0,
    mtimeNsec: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    uname: from.uname,
    gname: from.gname,
    xattrs: {},
    pax: {},
    data: new Uint8Array(0),
  };
}

function memberName(path: string, type: TarEntry['type']): string {
  if (path === '') return './';
  return type === 'directory' ? `${path}/` : path;
}

/** Drops overlayfs bookkeeping xattrs; a redirect or metacopy cannot be expressed in a layer. */
function stripOverlayXattrs(e: TarEntry): { xattrs: Record<string, Uint8Array>; opaque: boolean } {
  const xattrs: Record<string, Uint8Array> = {};
  let opaque = false;
  for (const [key, value] of Object.entries(e.xattrs)) {
    const m = /^(trusted|user)\.overlay\.(.*)$/.exec(key);
    if (!m) {
      xattrs[key] = value;
      continue;
    }
    const attr = m[2];
    if (attr === 'redirect' || attr === 'metacopy') {
      throw new LayerError('unsupported', e.name, `overlayfs ${attr} xattr: the upper dir does not hold the whole change`);
    }
    if (attr === 'opaque' && value.length === 1 && value[0] === 0x79) opaque = true;
  }
  return { xattrs, opaque };
}

/**
 * Turns an overlay upper dir's tar members (as busybox tar writes them) into an OCI layer:
 * a char 0/0 device, or a hard link to one, becomes an empty `.wh.<name>` file (mode 0600,
 * owner and mtime kept, as Docker's overlay2 differ does); each directory in `opaqueDirs` (or
 * carrying `trusted.overlay.opaque=y`) is followed by a `.wh..wh..opq` file (mode of the dir
 * & 0777, its owner, mtime 0). Names are normalised (`etc/`, `etc/motd`), the root entry is
 * dropped, `trusted.overlay.*` xattrs are removed, and the result is checked by `validateLayer`.
 */
export function upperToOci(entries: readonly TarEntry[], opaqueDirs: Iterable<string> = [], options: ValidateOptions = {}): TarEntry[] {
  const opaque = new Set<string>();
  for (const dir of opaqueDirs) opaque.add(normalizeLayerPath(dir === '' ? '.' : dir, dir));
  const emitted = new Set<string>();
  const whiteouts = new Set<string>();
  const out: TarEntry[] = [];
  const opaqueMarker = (dir: string, from: TarEntry): void => {
    if (emitted.has(dir)) return;
    emitted.add(dir);
    out.push({ ...blank(joinPath(dir, WHITEOUT_OPAQUE), from), mode: from.mode & 0o777 });
  };
  if (opaque.has('')) {
    const root = entries.find((e) => normalizeLayerPath(e.name, e.name) === '');
    opaqueMarker('', root ?? tarEntry({ name: './', type: 'directory' }));
  }

  for (const e of entries) {
    const path = normalizeLayerPath(e.name, e.name);
    if (path === '') {
      if (e.type !== 'directory') throw new LayerError('bad-path', e.name, `the root can only be a directory, not a ${e.type}`);
      continue;
    }
    const base = baseName(path);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      throw new LayerError(
        'bad-whiteout',
        e.name,
        `a file named ${JSON.stringify(base)} cannot be stored in an OCI layer (reserved whiteout prefix)`,
      );
    }
    const linkTarget = e.type === 'hardlink' ? normalizeLayerPath(e.linkname, e.name) : undefined;
    if (isWhiteoutDevice(e) || (linkTarget !== undefined && whiteouts.has(linkTarget))) {
      whiteouts.add(path);
      out.push({ ...blank(joinPath(parentPath(path), WHITEOUT_PREFIX + base), e), mode: 0o600, mtime: e.mtime, mtimeNsec: e.mtimeNsec });
      continue;
    }
    if (e.type === 'char' || e.type === 'block') {
      if (!options.allowDevices)
        throw new LayerError('device', e.name, `${e.type} device ${e.devmajor}/${e.devminor} is not allowed in a layer`);
    }
    const { xattrs, opaque: xattrOpaque } = stripOverlayXattrs(e);
    out.push({ ...e, name: memberName(path, e.type), linkname: linkTarget ?? e.linkname, xattrs, pax: { ...e.pax } });
    if (e.type === 'directory' && (opaque.has(path) || xattrOpaque)) opaqueMarker(path, e);
  }

  for (const dir of opaque) {
    if (!emitted.has(dir)) throw new LayerError('bad-whiteout', dir, 'opaque directory is not a directory in the upper-dir archive');
  }
  validateLayer(out, options);
  return out;
}

/**
 * The reverse of `upperToOci`: turns an OCI layer's members into what an overlay upper (or
 * lower) dir needs. `.wh.<name>` becomes a char 0/0 device `<name>` (mode 0, owner and mtime
 * of the whiteout kept), `.wh..wh..opq` is dropped and its directory listed in `opaqueDirs`
 * (a directory entry is synthesised if the layer has none), AUFS `.wh..wh.*` metadata is
 * dropped, and names are normalised. The input is checked by `validateLayer` first.
 */
export function ociToUpper(entries: readonly TarEntry[], options: ValidateOptions = {}): UpperDirLayer {
  validateLayer(entries, options);
  const dirs = new Set<string>();
  for (const e of entries) if (e.type === 'directory') dirs.add(normalizeLayerPath(e.name, e.name));
  const opaque: string[] = [];
  const opaqueSeen = new Set<string>();
  const out: TarEntry[] = [];
  for (const e of entries) {
    const path = normalizeLayerPath(e.name, e.name);
    const base = baseName(path);
    if (base === WHITEOUT_OPAQUE) {
      const dir = parentPath(path);
      if (opaqueSeen.has(dir)) continue;
      opaqueSeen.add(dir);
      opaque.push(dir === '' ? '.' : dir);
      if (dir !== '' && !dirs.has(dir)) {
        dirs.add(dir);
        out.push({ ...blank(`${dir}/`, e), type: 'directory', mode: 0o755 });
      }
      continue;
    }
    if (base.startsWith(WHITEOUT_META_PREFIX)) continue;
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const name = base.slice(WHITEOUT_PREFIX.length);
      if (name === '' || name === '.' || name === '..') throw new LayerError('bad-whiteout', e.name, 'whiteout names no file');
      out.push({ ...blank(joinPath(parentPath(path), name), e), type: 'char', mtime: e.mtime, mtimeNsec: e.mtimeNsec });
      continue;
    }
    const linkname = e.type === 'hardlink' ? normalizeLayerPath(e.linkname, e.name) : e.linkname;
    out.push({ ...e, name: memberName(path, e.type), linkname, xattrs: { ...e.xattrs }, pax: { ...e.pax } });
  }
  return { entries: out, opaqueDirs: opaque };
}
