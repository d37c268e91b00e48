/**
 * `.env` and `env_file:` files read with Compose's dotenv rules: `KEY=value` or `KEY: value`, `export `
 * before a key, `#` comments (a line's, or after ` #` in an unquoted value), single quotes kept as
 * written, double quotes with `\n`-style escapes, variables (`$VAR`, `${VAR:-x}`) expanded in unquoted
 * and double-quoted values, and a bare `KEY` taking its value from the lookup.
 */
import { InvalidTemplateError, substitute, type Lookup } from './interpolate.ts';

const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

/** Compose's `isSpace`: blanks but not line breaks. */
const isSpace = (c: string | undefined): boolean => c !== undefined && '\t\v\f\r \x85\xa0'.includes(c);
const isAnySpace = (c: string | undefined): boolean => c !== undefined && /\s|\x85/.test(c);

function trimLeftSpace(s: string): string {
  let i = 0;
  while (isSpace(s[i])) i++;
  return s.slice(i);
}

function expandEscapes(value: string): string {
  return value.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (m) => {
    if (m === '\\$') return '$$';
    if (m.startsWith('\\0')) {
      const octal = m.slice(2);
      return /^[0-7]{3}$/.test(octal) && parseInt(octal, 8) < 256 ? String.fromCharCode(parseInt(octal, 8)) : m;
    }
    return ESCAPES[m[1]!] ?? m;
  });
}

/**
 * Parses dotenv text into variables. `lookup` answers `${VAR}` and bare `KEY` lines first (the
 * caller's environment); variables defined earlier in the file answer next. Throws with Compose's
 * `line N: …` wording.
 */
export function parseDotenv(text: string, lookup: Lookup = () => undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const expand = (value: string): string => {
    try {
      return substitute(value, (k) => lookup(k) ?? out[k]);
    } catch (e) {
      throw e instanceof InvalidTemplateError ? new Error(`Invalid template: ${JSON.stringify(value)}`) : e;
    }
  };
  let line = 1;
  let src = text.startsWith('\ufeff') ? text.slice(1) : text;
  for (;;) {
    // the start of the next statement: blank lines and comments skipped
    for (;;) {
      let i = 0;
      while (i < src.length && isAnySpace(src[i])) if (src[i++] === '\n') line++;
      src = src.slice(i);
      if (!src.startsWith('#')) break;
      const nl = src.indexOf('\n');
      src = nl < 0 ? '' : src.slice(nl);
    }
    if (src === '') break;
    if (/^export\s+/.test(src)) src = trimLeftSpace(src.slice('export'.length));
    // a last line without `=` is a bare KEY too
    let key = src;
    let offset = src.length;
    let inherited = true;
    for (let i = 0; i < src.length; i++) {
      const c = src[i]!;
      if (isSpace(c)) continue;
      if (c === '=' || c === ':' || c === '\n') {
        key = src.slice(0, i);
        offset = i + 1;
        inherited = c === '\n';
        break;
      }
      if (!/[\p{L}\p{N}_.\-[\]]/u.test(c))
        throw new Error(`line ${line}: unexpected character ${JSON.stringify(c)} in variable name ${JSON.stringify(src.split('\n')[0])}`);
    }
    if (inherited && !key.includes(' ')) line++;
    key = key.replace(/\s+$/, '');
    src = trimLeftSpace(src.slice(offset));
    if (key.includes(' ')) throw new Error(`line ${line}: key cannot contain a space`);
    if (inherited) {
      const value = lookup(key);
      if (value !== undefined) out[key] = value;
      continue;
    }
    const quote = src[0];
    if (quote !== '"' && quote !== "'") {
      const nl = src.indexOf('\n');
      let value = nl < 0 ? src : src.slice(0, nl);
      src = nl < 0 ? '' : src.slice(nl + 1);
      line++;
      const comment = value.indexOf(' #');
      if (comment >= 0) value = value.slice(0, comment);
      out[key] = expand(value.replace(/\s+$/, ''));
      continue;
    }
    let escaped = false;
    let chars = '';
    let end = -1;
    for (let i = 1; i < src.length; i++) {
      const c = src[i]!;
      if (c === '\n') line++;
      if (c !== quote) {
        if (!escaped && c === '\\') {
          escaped = true;
          continue;
        }
        if (escaped) chars += '\\';
        escaped = false;
        chars += c;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += c;
        continue;
      }
      end = i;
      break;
    }
    if (end < 0) {
      const nl = src.indexOf('\n');
      throw new Error(`line ${line}: unterminated quoted value ${nl < 0 ? src : src.slice(0, nl)}`);
    }
    out[key] = quote === '"' ? expand(expandEscapes(chars)) : chars;
    src = src.slice(end + 1);
  }
  return { ...out };
}
