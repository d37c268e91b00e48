/**
 * A whole-buffer tar reader and writer: POSIX ustar with PAX extended headers (long names and
 * link names, large sizes and ids, fractional or negative mtimes, `SCHILY.xattr.*`), plus GNU
 * `L`/`K` long-name entries and base-256 numbers on read. Pure TypeScript, no platform APIs.
 */
import { LayerError } from './errors.ts';
import {
  BLOCK,
  MAPPED_PAX_KEYS,
  TYPE_BY_FLAG,
  XATTR_PREFIX,
  ascii,
  cString,
  decodeMember,
  isZeroBlock,
  lossyUtf8,
  parseNumeric,
  parsePax,
  verifyChecksum,
} from './tar-header.ts';

/** The kinds of archive member this package understands. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One archive member, with PAX and GNU extensions already folded in. */
export interface TarEntry {
  /** Member name as stored (PAX `path` / GNU long name / ustar prefix+name); directories end in `/`. */
  name: string;
  /** Member type. */
  type: TarEntryType;
  /** Permission bits (`0o7777` mask: setuid, setgid, sticky, rwx). */
  mode: number;
  /** Owner user id. */
  uid: number;
  /** Owner group id. */
  gid: number;
  /** Data length in bytes (0 for everything but regular files). */
  size: number;
  /** Modification time, whole seconds since the epoch (may be negative). */
  mtime: number;
  /** Nanoseconds past `mtime` (0..999999999), from a fractional PAX mtime. */
  mtimeNsec: number;
  /** Symlink target or hard-link target name ('' otherwise). */
  linkname: string;
  /** Device major number (char/block devices). */
  devmajor: number;
  /** Device minor number (char/block devices). */
  devminor: number;
  /** Owner user name ('' when absent). */
  uname: string;
  /** Owner group name ('' when absent). */
  gname: string;
  /** Extended attributes from `SCHILY.xattr.<name>` PAX records. */
  xattrs: Record<string, Uint8Array>;
  /** Other PAX records kept verbatim (atime, ctime, comment...), written back by the writer. */
  pax: Record<string, string>;
  /** File contents (a subarray of the archive when read); empty for non-files. */
  data: Uint8Array;
}

/** Writer input: `name` and `type` are required, everything else has a default. */
export type TarEntryInit = Partial<TarEntry> & Pick<TarEntry, 'name' | 'type'>;

/** Limits that protect the reader from hostile archives. */
export interface TarReadOptions {
  /** Largest accepted data size of one member (default 2 GiB). */
  maxEntrySize?: number;
  /** Largest accepted sum of member data sizes (default 2 GiB). */
  maxTotalSize?: number;
  /** Largest accepted PAX header or GNU long-name payload (default 1 MiB). */
  maxMetaSize?: number;
}

/** Default `maxEntrySize`: 2 GiB. */
export const DEFAULT_MAX_ENTRY_SIZE = 2 * 1024 ** 3;
/** Default `maxTotalSize`: 2 GiB. */
export const DEFAULT_MAX_TOTAL_SIZE = 2 * 1024 ** 3;
/** Default `maxMetaSize`: 1 MiB. */
export const DEFAULT_MAX_META_SIZE = 1024 ** 2;

const encoder = new TextEncoder();

const FLAG_BY_TYPE: Readonly<Record<TarEntryType, string>> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

/** Seconds since the epoch, maybe fractional, as a tar entry's whole `mtime` and `mtimeNsec` (a non-finite value is left for the writer to refuse). */
export function splitSeconds(seconds: number): { mtime: number; mtimeNsec: number } {
  if (!Number.isFinite(seconds) || Number.isInteger(seconds)) return { mtime: seconds, mtimeNsec: 0 };
  const whole = Math.floor(seconds);
  return { mtime: whole, mtimeNsec: Math.min(999_999_999, Math.round((seconds - whole) * 1e9)) };
}

/**
 * Fills in defaults for a writer input: mode 0644 (0755 dirs, 0777 symlinks), ids 0, mtime 0.
 * A fractional `mtime` without `mtimeNsec` is split into seconds and nanoseconds.
 */
export function tarEntry(init: TarEntryInit): TarEntry {
  const data = init.data ?? new Uint8Array(0);
  const { mtime, mtimeNsec } =
    init.mtimeNsec === undefined ? splitSeconds(init.mtime ?? 0) : { mtime: init.mtime ?? 0, mtimeNsec: init.mtimeNsec };
  const defaultMode = init.type === 'directory' ? 0o755 : init.type === 'symlink' ? 0o777 : 0o644;
  return {
    name: init.name,
    type: init.type,
    mode: init.mode ?? defaultMode,
    uid: init.uid ?? 0,
    gid: init.gid ?? 0,
    size: init.size ?? (init.type === 'file' ? data.length : 0),
    mtime,
    mtimeNsec,
    linkname: init.linkname ?? '',
    devmajor: init.devmajor ?? 0,
    devminor: init.devminor ?? 0,
    uname: init.uname ?? '',
    gname: init.gname ?? '',
    xattrs: { ...init.xattrs },
    pax: { ...init.pax },
    data,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Iterates over the members of an uncompressed tar archive. Headers are checksum-verified;
 * PAX (`x`, `g`) and GNU long-name (`L`, `K`) entries are folded into the member that follows.
 * A single zero block counts as the end (like GNU tar); running out of bytes before it is
 * 'truncated'. Sparse files, volume labels and other vendor types are 'unsupported'.
 */
export function* iterateTar(bytes: Uint8Array, options: TarReadOptions = {}): Generator<TarEntry, void, undefined> {
  const maxEntry = options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE;
  const maxTotal = options.maxTotalSize ?? DEFAULT_MAX_TOTAL_SIZE;
  const maxMeta = options.maxMetaSize ?? DEFAULT_MAX_META_SIZE;
  let off = 0;
  let total = 0;
  let globalPax = new Map<string, Uint8Array>();
  let localPax: Map<string, Uint8Array> | undefined;
  let longName: Uint8Array | undefined;
  let longLink: Uint8Array | undefined;
  let lastName: string | undefined;

  for (;;) {
    const pendingLabel = localPax?.has('path') ? lossyUtf8.decode(localPax.get('path')) : longName ? lossyUtf8.decode(longName) : undefined;
    if (off + BLOCK > bytes.length) {
      const where = off >= bytes.length ? 'archive ends without an end-of-archive marker' : 'archive ends inside a header block';
      throw new LayerError('truncated', pendingLabel ?? lastName, `${where} (offset ${off} of ${bytes.length})`);
    }
    const block = bytes.subarray(off, off + BLOCK);
    if (isZeroBlock(block)) {
      if (localPax || longName || longLink) {
        throw new LayerError('truncated', pendingLabel, 'extended header is not followed by a member');
      }
      return;
    }

    const flag = String.fromCharCode(block[156] ?? 0);
    const magic = ascii(block.subarray(257, 263));
    const version = ascii(block.subarray(263, 265));
    const posix = magic === 'ustar\0';
    const gnu = magic === 'ustar ' && version === ' \0';
    const rawName = cString(block, 0, 100);
    const prefix = posix ? cString(block, 345, 155) : new Uint8Array(0);
    const headerLabel = prefix.length > 0 ? `${lossyUtf8.decode(prefix)}/${lossyUtf8.decode(rawName)}` : lossyUtf8.decode(rawName);
    const label = pendingLabel ?? headerLabel;

    verifyChecksum(block, label, off);
    const headerSize = parseNumeric(block, 124, 12, 'size', label);

    // Metadata members describe the member that follows.
    if (flag === 'x' || flag === 'X' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (headerSize > maxMeta) {
        throw new LayerError('size-limit', label, `extended header of ${headerSize} bytes exceeds the ${maxMeta}-byte limit`);
      }
      const start = off + BLOCK;
      if (start + headerSize > bytes.length) throw new LayerError('truncated', label, 'extended header data is cut off');
      const payload = bytes.subarray(start, start + headerSize);
      off = start + Math.ceil(headerSize / BLOCK) * BLOCK;
      if (flag === 'L' || flag === 'K') {
        const nul = payload.indexOf(0);
        const value = nul < 0 ? payload : payload.subarray(0, nul);
        if (flag === 'L') longName = value;
        else longLink = value;
      } else if (flag === 'g') {
        globalPax = new Map([...globalPax, ...parsePax(payload, label)]);
      } else {
        localPax = new Map([...(localPax ?? []), ...parsePax(payload, label)]);
      }
      continue;
    }

    const type = TYPE_BY_FLAG[flag];
    if (type === undefined) {
      const what =
        flag === 'S'
          ? 'GNU sparse file'
          : flag === 'V'
            ? 'volume label'
            : flag === 'M'
              ? 'multi-volume continuation'
              : flag === 'D'
                ? 'GNU dump directory'
                : `type flag ${JSON.stringify(flag)}`;
      throw new LayerError('unsupported', label, `unsupported tar member: ${what}`);
    }

    const pax = new Map([...globalPax, ...(localPax ?? [])]);
    for (const [key, value] of pax) {
      // An empty value cancels a record (e.g. a global one), except for extended attributes.
      if (value.length === 0 && !key.startsWith(XATTR_PREFIX)) pax.delete(key);
    }
    for (const key of pax.keys()) {
      if (key.startsWith('GNU.sparse.')) throw new LayerError('unsupported', label, 'unsupported tar member: GNU sparse file (PAX)');
    }

    const { entry, size } = decodeMember({
      block,
      flag,
      type,
      posix,
      gnu,
      rawName,
      prefix,
      headerSize,
      label,
      pax,
      longName,
      longLink,
    });
    const { name } = entry;

    if (size > maxEntry) {
      throw new LayerError('size-limit', name, `member size ${size} exceeds the ${maxEntry}-byte limit`);
    }
    if (entry.type !== 'file' && size !== 0) {
      throw new LayerError('size-mismatch', name, `${entry.type} member declares ${size} bytes of data`);
    }
    total += size;
    if (total > maxTotal) {
      throw new LayerError('size-limit', name, `archive data exceeds the ${maxTotal}-byte total limit`);
    }
    const start = off + BLOCK;
    if (start + size > bytes.length) {
      throw new LayerError('truncated', name, `member data needs ${size} bytes but only ${Math.max(0, bytes.length - start)} remain`);
    }
    entry.size = size;
    entry.data = bytes.subarray(start, start + size);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
    localPax = undefined;
    longName = undefined;
    longLink = undefined;
    lastName = name;
    yield entry;
  }
}

/** Reads a whole uncompressed tar archive; file data are subarrays of `bytes`. */
export function readTar(bytes: Uint8Array, options: TarReadOptions = {}): TarEntry[] {
  return [...iterateTar(bytes, options)];
}

// ---------------------------------------------------------------------------------------------
// Writing

const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

function isAscii(s: string): boolean {
  return /^[\x01-\x7f]*$/.test(s);
}

/** The longest prefix of `s` whose UTF-8 encoding fits in `max` bytes. */
function fitUtf8(s: string, max: number): Uint8Array<ArrayBuffer> {
  let bytes = encoder.encode(s);
  if (bytes.length <= max) return bytes;
  let cut = max;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  bytes = bytes.subarray(0, cut);
  return bytes;
}

function putBytes(block: Uint8Array, off: number, len: number, bytes: Uint8Array): void {
  block.set(bytes.subarray(0, len), off);
}

function putOctal(block: Uint8Array, off: number, len: number, value: number): void {
  const text = value.toString(8).padStart(len - 1, '0');
  for (let i = 0; i < len - 1; i++) block[off + i] = text.charCodeAt(i);
  block[off + len - 1] = 0;
}

function paxRecord(key: string, value: Uint8Array): Uint8Array {
  const keyBytes = encoder.encode(key);
  const base = keyBytes.length + value.length + 3; // ' ', '=', '\n'
  let digits = String(base).length;
  while (String(base + digits).length !== digits) digits++;
  const len = base + digits;
  const out = new Uint8Array(len);
  const head = encoder.encode(`${len} `);
  out.set(head, 0);
  out.set(keyBytes, head.length);
  out[head.length + keyBytes.length] = 0x3d;
  out.set(value, head.length + keyBytes.length + 1);
  out[len - 1] = 0x0a;
  return out;
}

/** Formats seconds + nanoseconds as a PAX time, exactly (`-1.25` for -2 s + 750000000 ns). */
function formatPaxTime(sec: number, nsec: number): string {
  if (nsec === 0) return String(sec);
  const negative = sec < 0;
  const whole = negative ? -(sec + 1) : sec;
  const frac = String(negative ? 1_000_000_000 - nsec : nsec)
    .padStart(9, '0')
    .replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/** Splits a long ASCII name into ustar prefix and name the way Go's archive/tar does. */
function splitUstarPath(name: string): [string, string] | undefined {
  let length = name.length;
  if (length <= 100 || !isAscii(name)) return undefined;
  if (length > 156) length = 156;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const suffix = name.length - i - 1;
  if (i <= 0 || suffix > 100 || suffix === 0 || i > 155) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}

function checkUint(value: number, field: string, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new LayerError('bad-header', name, `${field} must be a non-negative integer, got ${value}`);
}

function header(fields: {
  name: Uint8Array;
  prefix: Uint8Array;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  flag: string;
  linkname: Uint8Array;
  uname: Uint8Array;
  gname: Uint8Array;
  devmajor: number;
  devminor: number;
}): Uint8Array {
  const block = new Uint8Array(BLOCK);
  putBytes(block, 0, 100, fields.name);
  putOctal(block, 100, 8, fields.mode);
  putOctal(block, 108, 8, fields.uid);
  putOctal(block, 116, 8, fields.gid);
  putOctal(block, 124, 12, fields.size);
  putOctal(block, 136, 12, fields.mtime);
  block[156] = fields.flag.charCodeAt(0);
  putBytes(block, 157, 100, fields.linkname);
  putBytes(block, 257, 8, encoder.encode('ustar\x0000'));
  putBytes(block, 265, 32, fields.uname);
  putBytes(block, 297, 32, fields.gname);
  putOctal(block, 329, 8, fields.devmajor);
  putOctal(block, 337, 8, fields.devminor);
  putBytes(block, 345, 155, fields.prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  const text = sum.toString(8).padStart(6, '0');
  for (let i = 0; i < 6; i++) block[148 + i] = text.charCodeAt(i);
  block[154] = 0;
  block[155] = 0x20;
  return block;
}

function encodeEntry(init: TarEntryInit, out: Uint8Array[]): void {
  const e = tarEntry(init);
  const label = e.name;
  if (typeof e.name !== 'string' || e.name === '') throw new LayerError('bad-path', label, 'member needs a name');
  if (e.name.includes('\0') || e.linkname.includes('\0'))
    throw new LayerError('bad-path', label, 'name or link target contains a NUL byte');
  const flag = FLAG_BY_TYPE[e.type];
  if (flag === undefined) throw new LayerError('bad-header', label, `unknown member type ${JSON.stringify(e.type)}`);
  for (const [field, value] of [
    ['mode', e.mode],
    ['uid', e.uid],
    ['gid', e.gid],
    ['size', e.size],
    ['devmajor', e.devmajor],
    ['devminor', e.devminor],
  ] as const) {
    checkUint(value, field, label);
  }
  if (!Number.isSafeInteger(e.mtime)) throw new LayerError('bad-header', label, `mtime must be a finite number of seconds, got ${e.mtime}`);
  if (!Number.isInteger(e.mtimeNsec) || e.mtimeNsec < 0 || e.mtimeNsec > 999_999_999) {
    throw new LayerError('bad-header', label, `mtimeNsec must be 0..999999999, got ${e.mtimeNsec}`);
  }
  if (e.devmajor > MAX_OCTAL_7 || e.devminor > MAX_OCTAL_7)
    throw new LayerError('bad-header', label, 'device number too large for a tar header');
  if (e.type === 'file') {
    if (e.size !== e.data.length) throw new LayerError('size-mismatch', label, `size says ${e.size} bytes but data has ${e.data.length}`);
  } else if (e.size !== 0 || e.data.length !== 0) {
    throw new LayerError('size-mismatch', label, `${e.type} members carry no data`);
  }
  if ((e.type === 'symlink' || e.type === 'hardlink') && e.linkname === '')
    throw new LayerError('bad-link', label, `${e.type} needs a link target`);

  const name = e.type === 'directory' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
  const linkname = e.type === 'symlink' || e.type === 'hardlink' ? e.linkname : '';
  const records: Uint8Array[] = [];
  const text = (key: string, value: string): void => void records.push(paxRecord(key, encoder.encode(value)));

  let nameField = encoder.encode(name);
  let prefixField = new Uint8Array(0);
  if (!isAscii(name) || nameField.length > 100) {
    const split = splitUstarPath(name);
    if (split) {
      prefixField = encoder.encode(split[0]);
      nameField = encoder.encode(split[1]);
    } else {
      text('path', name);
      nameField = fitUtf8(name, 100);
    }
  }
  let linkField = encoder.encode(linkname);
  if (!isAscii(linkname) || linkField.length > 100) {
    text('linkpath', linkname);
    linkField = fitUtf8(linkname, 100);
  }
  let sizeField = e.size;
  if (e.size > MAX_OCTAL_11) {
    text('size', String(e.size));
    sizeField = 0;
  }
  let uidField = e.uid;
  if (e.uid > MAX_OCTAL_7) {
    text('uid', String(e.uid));
    uidField = 0;
  }
  let gidField = e.gid;
  if (e.gid > MAX_OCTAL_7) {
    text('gid', String(e.gid));
    gidField = 0;
  }
  let unameField = encoder.encode(e.uname);
  if (!isAscii(e.uname) || unameField.length > 31) {
    text('uname', e.uname);
    unameField = new Uint8Array(0);
  }
  let gnameField = encoder.encode(e.gname);
  if (!isAscii(e.gname) || gnameField.length > 31) {
    text('gname', e.gname);
    gnameField = new Uint8Array(0);
  }
  let mtimeField = e.mtime;
  if (e.mtimeNsec !== 0 || e.mtime < 0 || e.mtime > MAX_OCTAL_11) {
    text('mtime', formatPaxTime(e.mtime, e.mtimeNsec));
    mtimeField = Math.min(Math.max(e.mtime, 0), MAX_OCTAL_11);
  }
  for (const key of Object.keys(e.pax).sort()) {
    if (MAPPED_PAX_KEYS.has(key) || key.startsWith(XATTR_PREFIX)) continue; // structured fields win
    text(key, e.pax[key] ?? '');
  }
  for (const key of Object.keys(e.xattrs).sort()) {
    if (key === '' || key.includes('=') || key.includes('\0'))
      throw new LayerError('bad-header', label, `invalid xattr name ${JSON.stringify(key)}`);
    records.push(paxRecord(XATTR_PREFIX + key, e.xattrs[key] ?? new Uint8Array(0)));
  }

  if (records.length > 0) {
    const paxSize = records.reduce((n, r) => n + r.length, 0);
    const base = name.replace(/\/+$/, '').split('/').pop() ?? '';
    out.push(
      header({
        name: fitUtf8(`PaxHeaders/${base}`, 100),
        prefix: new Uint8Array(0),
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: paxSize,
        mtime: 0,
        flag: 'x',
        linkname: new Uint8Array(0),
        uname: new Uint8Array(0),
        gname: new Uint8Array(0),
        devmajor: 0,
        devminor: 0,
      }),
    );
    out.push(...records);
    const pad = (BLOCK - (paxSize % BLOCK)) % BLOCK;
    if (pad) out.push(new Uint8Array(pad));
  }
  out.push(
    header({
      name: nameField,
      prefix: prefixField,
      mode: e.mode & 0o7777,
      uid: uidField,
      gid: gidField,
      size: sizeField,
      mtime: mtimeField,
      flag,
      linkname: linkField,
      uname: unameField,
      gname: gnameField,
      devmajor: e.devmajor,
      devminor: e.devminor,
    }),
  );
  if (e.data.length > 0) {
    out.push(e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) out.push(new Uint8Array(pad));
  }
}

/**
 * Writes members, in the caller's order, as a POSIX pax archive: ustar headers (ustar
 * prefix/name split when it fits), a PAX `x` header only when a value does not fit, sorted PAX
 * records, zero padding and two zero blocks. Same input, same bytes. Directory names get a
 * trailing `/`; mode is masked to `0o7777`.
 */
export function writeTar(entries: Iterable<TarEntryInit>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) encodeEntry(entry, parts);
  parts.push(new Uint8Array(2 * BLOCK));
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/**
 * Bytes of file content in a layer tar: the sum of its regular files' sizes (hard links count
 * once). This is the layer size Docker prints in `docker history` and `docker images`, not the
 * tar's length with its 512-byte headers.
 */
export function contentSize(tar: Uint8Array | Iterable<TarEntry>): number {
  let n = 0;
  for (const e of tar instanceof Uint8Array ? iterateTar(tar) : tar) if (e.type === 'file') n += e.size;
  return n;
}
