/**
 * Reading tar headers, shared by the whole-archive reader (`tar.ts`) and the streaming one
 * (`tar-stream.ts`): ustar fields, octal and GNU base-256 numbers, checksums, PAX records.
 */
import { LayerError } from './errors.ts';
import type { TarEntry, TarEntryType } from './tar.ts';

/** Size of a tar block. */
export const BLOCK = 512;
// UTF-8 that throws on invalid bytes (names, link targets)
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** UTF-8 that replaces invalid bytes (PAX keys). */
export const lossyUtf8 = new TextDecoder('utf-8');

/** Entry type by ustar type flag. */
export const TYPE_BY_FLAG: Readonly<Record<string, TarEntryType>> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

/** A NUL-terminated header field (the whole field if it has no NUL). */
export function cString(block: Uint8Array, off: number, len: number): Uint8Array {
  const field = block.subarray(off, off + len);
  const nul = field.indexOf(0);
  return nul < 0 ? field : field.subarray(0, nul);
}

/** Bytes as Latin-1 text (header fields are ASCII). */
export function ascii(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** A name or link target as strict UTF-8; a LayerError (`bad-path`) otherwise. */
export function decodeName(bytes: Uint8Array, label: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new LayerError('bad-path', label, 'name or link target is not valid UTF-8');
  }
}

/** Whether a 512-byte block is all zeros (the end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (const b of block) if (b !== 0) return false;
  return true;
}

/** Parses an octal (or GNU base-256) numeric header field. */
export function parseNumeric(block: Uint8Array, off: number, len: number, field: string, label: string, signed = false): number {
  const first = block[off] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement, the top bit of the first byte is the marker.
    const negative = first === 0xff;
    if (negative && !signed) throw new LayerError('bad-header', label, `negative ${field} field`);
    let value = negative ? -1 : first & 0x7f;
    for (let i = 1; i < len; i++) {
      value = value * 256 + (block[off + i] ?? 0);
      if (!Number.isSafeInteger(value)) throw new LayerError('bad-header', label, `${field} field is out of range`);
    }
    return value;
  }
  const text = ascii(cString(block, off, len)).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new LayerError('bad-header', label, `${field} field is not an octal number: ${JSON.stringify(text)}`);
  const value = parseInt(text, 8);
  if (!Number.isSafeInteger(value)) throw new LayerError('bad-header', label, `${field} field is out of range`);
  return value;
}

/** Checks a header block's checksum (unsigned or signed sum); a LayerError (`bad-header`) otherwise. */
export function verifyChecksum(block: Uint8Array, label: string, offset: number): void {
  const stored = parseNumeric(block, 148, 8, 'checksum', label);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) {
    throw new LayerError('bad-header', label, `header checksum mismatch at byte ${offset} (stored ${stored}, computed ${unsigned})`);
  }
}

/** Parses PAX extended header records (`"%d %s=%s\n"`); values stay bytes. */
export function parsePax(data: Uint8Array, label: string): Map<string, Uint8Array> {
  const records = new Map<string, Uint8Array>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad the record area with NULs
    const space = data.indexOf(0x20, pos);
    if (space < 0 || space - pos > 20) throw new LayerError('bad-header', label, 'malformed PAX record length');
    const lenText = ascii(data.subarray(pos, space));
    if (!/^[0-9]+$/.test(lenText)) throw new LayerError('bad-header', label, 'malformed PAX record length');
    const len = parseInt(lenText, 10);
    const end = pos + len;
    if (len <= space - pos + 1 || end > data.length || data[end - 1] !== 0x0a) {
      throw new LayerError('bad-header', label, 'PAX record overruns its header or lacks a newline');
    }
    const record = data.subarray(space + 1, end - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw new LayerError('bad-header', label, 'PAX record has no key');
    const key = lossyUtf8.decode(record.subarray(0, eq));
    records.set(key, record.subarray(eq + 1));
    pos = end;
  }
  return records;
}

/** A PAX record value as a non-negative safe integer. */
export function paxInteger(value: Uint8Array, key: string, label: string): number {
  const text = ascii(value);
  if (!/^[0-9]+$/.test(text))
    throw new LayerError('bad-header', label, `PAX ${key} is not a non-negative integer: ${JSON.stringify(text)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new LayerError('bad-header', label, `PAX ${key} is out of range`);
  return n;
}

/** Parses a PAX time (`-?digits[.digits]`) exactly into whole seconds (floor) and nanoseconds. */
export function paxTime(value: Uint8Array, key: string, label: string): [number, number] {
  const text = ascii(value);
  const m = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(text);
  if (!m) throw new LayerError('bad-header', label, `PAX ${key} is not a decimal time: ${JSON.stringify(text)}`);
  const whole = Number(m[2]);
  if (!Number.isSafeInteger(whole)) throw new LayerError('bad-header', label, `PAX ${key} is out of range`);
  const nsec = Number((m[3] ?? '').slice(0, 9).padEnd(9, '0'));
  if (m[1] !== '-') return [whole, nsec];
  return nsec === 0 ? [-whole, 0] : [-whole - 1, 1_000_000_000 - nsec];
}

/** PAX key prefix of extended attributes. */
export const XATTR_PREFIX = 'SCHILY.xattr.';
/** PAX keys that override ustar header fields. */
export const MAPPED_PAX_KEYS = new Set(['path', 'linkpath', 'size', 'uid', 'gid', 'mtime', 'uname', 'gname']);

/** What the header block and the records before it say of one member (see `decodeMember`). */
export interface MemberHeader {
  /** The member's 512-byte header block. */
  block: Uint8Array;
  /** Its type flag and the type it maps to. */
  flag: string;
  type: TarEntryType;
  /** ustar (POSIX) or GNU magic: device numbers and owner names are read from the block. */
  posix: boolean;
  gnu: boolean;
  /** The name and prefix fields, and the size field. */
  rawName: Uint8Array;
  prefix: Uint8Array;
  headerSize: number;
  /** How errors name the member before its name is known. */
  label: string;
  /** PAX records (global, then local) and GNU long name/link payloads that apply to it. */
  pax: Map<string, Uint8Array>;
  longName: Uint8Array | undefined;
  longLink: Uint8Array | undefined;
}

/**
 * The member as `TarEntry` fields (PAX records over GNU long names over ustar fields), its `size`
 * and `data` left empty, and its data size; the readers check the size against their limits.
 */
export function decodeMember(m: MemberHeader): { entry: TarEntry; size: number } {
  const { block, pax, label } = m;
  let type = m.type;
  const paxPath = pax.get('path');
  let name: string;
  if (paxPath !== undefined) name = decodeName(paxPath, label);
  else if (m.longName !== undefined) name = decodeName(m.longName, label);
  else if (m.prefix.length > 0) name = `${decodeName(m.prefix, label)}/${decodeName(m.rawName, label)}`;
  else name = decodeName(m.rawName, label);
  if (name === '') throw new LayerError('bad-path', label, 'member has an empty name');

  const paxLink = pax.get('linkpath');
  const linkname =
    paxLink !== undefined
      ? decodeName(paxLink, name)
      : m.longLink !== undefined
        ? decodeName(m.longLink, name)
        : decodeName(cString(block, 157, 100), name);

  const sizeRecord = pax.get('size');
  const size = sizeRecord !== undefined ? paxInteger(sizeRecord, 'size', name) : m.headerSize;
  if (m.flag === '\0' && name.endsWith('/')) type = 'directory'; // pre-POSIX convention

  const uidRecord = pax.get('uid');
  const gidRecord = pax.get('gid');
  const mtimeRecord = pax.get('mtime');
  const unameRecord = pax.get('uname');
  const gnameRecord = pax.get('gname');
  const ustarish = m.posix || m.gnu;
  const entry: TarEntry = {
    name,
    type,
    mode: parseNumeric(block, 100, 8, 'mode', name) & 0o7777,
    uid: uidRecord !== undefined ? paxInteger(uidRecord, 'uid', name) : parseNumeric(block, 108, 8, 'uid', name),
    gid: gidRecord !== undefined ? paxInteger(gidRecord, 'gid', name) : parseNumeric(block, 116, 8, 'gid', name),
    size: 0,
    mtime: 0,
    mtimeNsec: 0,
    linkname: type === 'symlink' || type === 'hardlink' ? linkname : '',
    devmajor: ustarish && (type === 'char' || type === 'block') ? parseNumeric(block, 329, 8, 'devmajor', name) : 0,
    devminor: ustarish && (type === 'char' || type === 'block') ? parseNumeric(block, 337, 8, 'devminor', name) : 0,
    uname: unameRecord !== undefined ? lossyUtf8.decode(unameRecord) : ustarish ? lossyUtf8.decode(cString(block, 265, 32)) : '',
    gname: gnameRecord !== undefined ? lossyUtf8.decode(gnameRecord) : ustarish ? lossyUtf8.decode(cString(block, 297, 32)) : '',
    xattrs: {},
    pax: {},
    data: new Uint8Array(0),
  };
  if (mtimeRecord !== undefined) [entry.mtime, entry.mtimeNsec] = paxTime(mtimeRecord, 'mtime', name);
  else entry.mtime = parseNumeric(block, 136, 12, 'mtime', name, true);
  for (const [key, value] of pax) {
    // copies: a PAX payload may be a reader's buffer, reused once the member is done
    if (key.startsWith(XATTR_PREFIX)) entry.xattrs[key.slice(XATTR_PREFIX.length)] = value.slice();
    else if (!MAPPED_PAX_KEYS.has(key)) entry.pax[key] = lossyUtf8.decode(value);
  }
  return { entry, size };
}
