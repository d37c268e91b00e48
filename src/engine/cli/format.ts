/**
 * Small re-implementations of the Go helpers the Docker CLI formats with: docker/go-units
 * (`HumanSizeWithPrecision`, `HumanSize`, `BytesSize`, `HumanDuration`, `RAMInBytes`), Go's
 * `%g` verb and `strconv.Quote`, and docker/cli's `TruncateID` and `Ellipsis`.
 */
import { humanDuration, humanSizeWithPrecision } from '../oci/display.ts';

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Go's `fmt.Sprintf("%.*g", precision, x)`: shortest of %e/%f, trailing zeros trimmed, ties to even. */
export function formatG(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const p = precision <= 0 ? 1 : precision;
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const negative = x < 0;
  // toExponential(99) is exact for every double we format (sizes and durations).
  const exact = Math.abs(x).toExponential(99);
  const [mant = '0', expText = '0'] = exact.split('e');
  let exp = Number(expText);
  const all = mant.replace('.', '');
  let digits = all.slice(0, p).split('').map(Number);
  const rest = all.slice(p);
  const first = rest.charCodeAt(0) - 48;
  const tail = rest.slice(1);
  let roundUp = false;
  if (first > 5) roundUp = true;
  else if (first === 5) {
    if (/[1-9]/.test(tail)) roundUp = true;
    else roundUp = ((digits[digits.length - 1] ?? 0) & 1) === 1; // exact tie: round half to even
  }
  if (roundUp) {
    let i = digits.length - 1;
    while (i >= 0) {
      const d = (digits[i] ?? 0) + 1;
      if (d < 10) {
        digits[i] = d;
        break;
      }
      digits[i] = 0;
      i--;
    }
    if (i < 0) {
      digits = [1, ...digits.slice(0, p - 1)];
      exp++;
    }
  }
  const str = digits.join('');
  let out: string;
  if (exp < -4 || exp >= p) {
    let m = str.slice(0, 1);
    const frac = str.slice(1).replace(/0+$/, '');
    if (frac) m += '.' + frac;
    const e = Math.abs(exp);
    out = `${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  } else if (exp >= 0) {
    const intPart = str.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = str.slice(exp + 1).replace(/0+$/, '');
    out = frac ? `${intPart}.${frac}` : intPart;
  } else {
    const frac = ('0'.repeat(-exp - 1) + str).replace(/0+$/, '');
    out = `0.${frac}`;
  }
  return negative ? '-' + out : out;
}

function sizeAndUnit(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  const limit = units.length - 1;
  while (size >= base && i < limit) {
    size /= base;
    i++;
  }
  return [size, units[i] ?? 'B'];
}

/** go-units `HumanSizeWithPrecision(size, precision)`: decimal units, e.g. "4.26MB" (default precision 3, as `docker ps`/`images` use). */
export function humanSize(bytes: number, precision = 3): string {
  return humanSizeWithPrecision(bytes, precision);
}

/** go-units `HumanSize`: four significant digits ("1.234MB"), as `docker system df` uses. */
export function humanSize4(bytes: number): string {
  return humanSizeWithPrecision(bytes, 4);
}

/** go-units `BytesSize`: binary units with four significant digits ("7.667GiB"). */
export function bytesSize(bytes: number): string {
  const [size, unit] = sizeAndUnit(bytes, 1024, BINARY_UNITS);
  return formatG(size, 4) + unit;
}

/** go-units `HumanDuration` of a duration in milliseconds (one implementation, in oci/display). */
export { humanDuration };

/** "2 hours ago" for an ISO time relative to `now`, or '' when the time is missing or the zero time. */
export function timeAgo(iso: string, now: Date): string {
  const t = Date.parse(iso);
  if (!iso || Number.isNaN(t) || t <= -62135596800000) return '';
  // Docker truncates creation times to whole seconds (time.Unix(created, 0)).
  const created = Math.floor(t / 1000) * 1000;
  return humanDuration(now.getTime() - created) + ' ago';
}

/** Go's `time.Time.String()` in UTC: "2024-05-01 12:00:00 +0000 UTC". */
export function goTimeString(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(Math.floor(t / 1000) * 1000);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' +0000 UTC');
}

/** RFC 3339 in UTC without fractions ("2024-05-01T12:00:00Z"), as `docker history --human=false` prints. */
export function rfc3339(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A size string that `RAMInBytes` rejects, with go-units' message. */
export class InvalidSizeError extends Error {
  override name = 'InvalidSizeError';
}

const SIZE_RE = /^(\d+(\.\d+)*) ?([kmgtp])?i?b?$/i;
const BINARY_MULT: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units `RAMInBytes`: "16m", "1g", "512k", "1.5GiB", "1024" → bytes (binary multiples). */
export function ramInBytes(text: string): number {
  const m = SIZE_RE.exec(text);
  if (!m) throw new InvalidSizeError(`invalid size: '${text}'`);
  const num = m[1] ?? '';
  if (!/^\d+(\.\d+)?$/.test(num)) throw new InvalidSizeError(`strconv.ParseFloat: parsing "${num}": invalid syntax`);
  let size = Number(num);
  const unit = (m[3] ?? '').toLowerCase();
  const mult = BINARY_MULT[unit];
  if (mult !== undefined) size *= mult;
  return Math.trunc(size);
}

/** docker/cli `TruncateID`: drops an algorithm prefix (`sha256:`) and keeps 12 characters. */
export function truncateId(id: string): string {
  const i = id.indexOf(':');
  const hex = i >= 0 ? id.slice(i + 1) : id;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** Display width of one code point: 2 for East Asian wide/fullwidth and emoji, 0 for combining marks. */
export function charWidth(cp: number): number {
  if (cp === 0) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Display width of a string (what Go's runewidth.StringWidth would count). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** docker/cli `Ellipsis`: cut to `max` display columns, the last one an ellipsis ("sh -c 'echo hello w…"). */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return '';
  const chars = Array.from(s);
  if (max === 1) return chars[0] ?? '';
  if (displayWidth(s) <= max) return s;
  let width = 0;
  let out = '';
  for (const ch of chars) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (width + cw > max - 1) break;
    width += cw;
    out += ch;
  }
  return out + '…';
}

function isPrintable(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0x80 && cp <= 0x9f) return false;
  if (cp === 0xad || cp === 0x2028 || cp === 0x2029 || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff) return false;
  return true;
}

/** Go's `strconv.Quote`: double quotes, `\"` `\\` and Go escapes for control characters. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (isPrintable(cp)) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x80) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/**
 * Go's text/tabwriter as docker/cli configures it (`NewWriter(out, 10, 1, 3, ' ', 0)`): cells end
 * at tabs, a column is as wide as its widest cell plus 3 (at least 10), the last cell of a line
 * is not padded, and column blocks follow contiguous lines exactly like the Go implementation.
 */
export function tabwrite(text: string, minwidth = 10, padding = 3): string {
  const endsWithNewline = text.endsWith('\n');
  const rawLines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  const lines = rawLines.map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i] ?? [];
      let s = '';
      cells.forEach((cell, j) => {
        s += cell;
        const w = widths[j];
        if (j < cells.length - 1 && w !== undefined) s += ' '.repeat(Math.max(0, w - displayWidth(cell)));
      });
      out.push(s);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= (lines[t]?.length ?? 0) - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let width = minwidth;
      for (; t < line1; t++) {
        const cells = lines[t] ?? [];
        if (column >= cells.length - 1) break;
        const w = displayWidth(cells[column] ?? '') + padding;
        if (w > width) width = w;
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t; // line t has no cell in this column, so the loop's t++ may skip it (as Go's does)
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}
