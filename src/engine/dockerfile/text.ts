/**
 * String helpers that reproduce Go's semantics (unicode.IsSpace, strings.TrimSpace,
 * strconv.Quote) so the parser and lexer behave byte-for-byte like BuildKit.
 */

const WHITE_SPACE = /^\p{White_Space}$/u;
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const HEX = '0123456789abcdef';

/** Go's unicode.IsSpace for one code point (given as a string). */
export function isSpace(ch: string): boolean {
  return WHITE_SPACE.test(ch);
}

/** Go's unicode.IsLetter for one code point. */
export function isLetter(ch: string): boolean {
  return /^\p{L}$/u.test(ch);
}

/** Go's unicode.IsDigit (category Nd) for one code point. */
export function isDigit(ch: string): boolean {
  return /^\p{Nd}$/u.test(ch);
}

/** Go's strings.TrimLeftFunc(s, unicode.IsSpace). */
export function trimLeftSpace(s: string): string {
  return s.replace(/^\p{White_Space}+/u, '');
}

/** Go's strings.TrimSpace (Unicode white space on both ends). */
export function trimSpace(s: string): string {
  return s.replace(/^\p{White_Space}+/u, '').replace(/\p{White_Space}+$/u, '');
}

function isPrint(cp: number): boolean {
  if (cp <= 0xff) {
    if (cp >= 0x20 && cp < 0x7f) return true;
    return cp >= 0xa1 && cp !== 0xad;
  }
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(cp: number, width: number): string {
  let out = '';
  for (let i = width - 1; i >= 0; i--) out += HEX[(cp >> (4 * i)) & 0xf];
  return out;
}

/** Go's strconv.Quote: a double-quoted string literal with Go escapes (`\"`, `\n`, `\x00`, `\u00a0`). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    let cp = ch.codePointAt(0) ?? 0xfffd;
    if (ch === '"' || ch === '\\') {
      out += '\\' + ch;
      continue;
    }
    // A lone surrogate is not a valid rune; Go would see invalid UTF-8.
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (isPrint(cp)) {
      out += String.fromCodePoint(cp);
      continue;
    }
    switch (cp) {
      case 0x07:
        out += '\\a';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      case 0x0b:
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + '"';
}

/** Replaces unpaired UTF-16 surrogates with U+FFFD, as Go does when decoding JSON or UTF-8. */
export function toWellFormed(s: string): string {
  let out = '';
  for (const ch of s) {
    // String iteration yields surrogate pairs whole, so a lone surrogate is a length-1 item.
    const cu = ch.charCodeAt(0);
    out += ch.length === 1 && cu >= 0xd800 && cu <= 0xdfff ? '\uFFFD' : ch;
  }
  return out;
}
