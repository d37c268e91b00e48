/**
 * Check patterns (JavaScript regular expressions) and plain text: a teacher's text turned into a
 * pattern that matches it literally, and a pattern read back as text when it is only a literal
 * (so a message can quote it; a real regular expression is described in words instead).
 */

/** Characters with a meaning in a regular expression. */
const SPECIAL = /[\\^$.*+?()[\]{}|]/g;

/** A pattern that matches `text` literally, anywhere. */
export function escapePattern(text: string): string {
  return text.replace(SPECIAL, (c) => `\\${c}`);
}

/** A literal pattern, read back: its text and whether it was anchored to the start or the end. */
export interface PatternLiteral {
  text: string;
  atStart: boolean;
  atEnd: boolean;
}

/**
 * The text a pattern matches when it is a plain literal (letters, spaces, escaped punctuation,
 * optionally `^` and `$`), else undefined: `^docker run` → "docker run" at the start;
 * `docker (container )?run` → undefined.
 */
export function literalOf(pattern: string): PatternLiteral | undefined {
  let body = pattern;
  const atStart = body.startsWith('^');
  if (atStart) body = body.slice(1);
  // a trailing `$` anchors unless it is escaped (`\$`)
  const atEnd = /(^|[^\\])(\\\\)*\$$/.test(body);
  if (atEnd) body = body.slice(0, -1);
  let text = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      const next = body[i + 1];
      // \d, \s, \b, \n…: a class or an escape, not a literal character
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return undefined;
      text += next;
      i++;
    } else if ('^$.*+?()[]{}|'.includes(c)) {
      return undefined;
    } else {
      text += c;
    }
  }
  return text === '' ? undefined : { text, atStart, atEnd };
}
