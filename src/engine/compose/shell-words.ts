/**
 * A `command:` or `entrypoint:` string split into argv as Compose splits it (go-shellwords, without
 * environment or backtick expansion): blanks separate words, single quotes keep everything, double
 * quotes keep blanks, a backslash escapes the next character outside single quotes. No shell runs:
 * an unquoted `;`, `&`, `|`, `<` or `>` ends the command there and the rest is dropped, as Compose does.
 */

/** The words of a line, and where an unquoted shell operator cut it short. */
export interface ShellWords {
  readonly args: string[];
  /** The operator that ended the split (`;`, `&&`'s first `&`, `|`, `<`, `>`) and the text dropped from it on. */
  readonly stoppedAt?: { readonly char: string; readonly dropped: string };
}

const BLANK = new Set([' ', '\t', '\r', '\n']);

/** Splits `line` into words; throws `invalid command line string` for an unclosed quote or a dangling backslash. */
export function splitShellWords(line: string): ShellWords {
  const args: string[] = [];
  let buf = '';
  let escaped = false;
  let doubleQuoted = false;
  let singleQuoted = false;
  let backQuote = false;
  let dollarQuote = false;
  // 0: no word yet, 1: a word, 2: a word that ends with a closing quote (kept even when empty)
  let got = 0;
  let stoppedAt: ShellWords['stoppedAt'];
  const chars = [...line];
  let offset = 0;
  for (const c of chars) {
    const here = offset;
    offset += c.length;
    if (escaped) {
      buf += c;
      escaped = false;
      got = 1;
      continue;
    }
    if (c === '\\') {
      if (singleQuoted) buf += c;
      else escaped = true;
      continue;
    }
    if (BLANK.has(c)) {
      if (singleQuoted || doubleQuoted || backQuote || dollarQuote) buf += c;
      else if (got !== 0) {
        args.push(buf);
        buf = '';
        got = 0;
      }
      continue;
    }
    const quoted = singleQuoted || doubleQuoted;
    if (c === '`' && !quoted && !dollarQuote) backQuote = !backQuote;
    else if (c === ')' && !quoted && !backQuote) dollarQuote = !dollarQuote;
    else if (c === '(' && !quoted && !backQuote) {
      if (dollarQuote || !buf.endsWith('$')) throw new Error('invalid command line string');
      dollarQuote = true;
      buf += c;
      continue;
    } else if (c === '"' && !singleQuoted && !dollarQuote) {
      if (doubleQuoted) got = 2;
      doubleQuoted = !doubleQuoted;
      continue;
    } else if (c === "'" && !doubleQuoted && !dollarQuote) {
      if (singleQuoted) got = 2;
      singleQuoted = !singleQuoted;
      continue;
    } else if (';&|<>'.includes(c) && !(quoted || backQuote || dollarQuote)) {
      // `2>file`: a redirection's descriptor number is not a word either
      if (c === '>' && /^[0-9]/.test(buf)) got = 0;
      stoppedAt = { char: c, dropped: line.slice(here) };
      break;
    }
    got = 1;
    buf += c;
  }
  if (got !== 0) args.push(buf);
  if (escaped || singleQuoted || doubleQuoted || backQuote || dollarQuote) throw new Error('invalid command line string');
  return stoppedAt ? { args, stoppedAt } : { args };
}
