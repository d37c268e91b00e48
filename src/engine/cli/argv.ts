/**
 * A shell-like splitter for one terminal line: white space separates words, single quotes keep
 * everything literal, double quotes keep everything but `\"` `\\` `\$` `` \` `` and a
 * backslash-newline, a backslash outside quotes escapes the next character. `$VAR` stays literal
 * (the browser terminal has no environment to expand it from).
 */

/** A line that cannot be split: an open quote or a trailing backslash. */
export class CommandLineSyntaxError extends Error {
  override name = 'CommandLineSyntaxError';
  constructor(
    message: string,
    /** What is still open at the end of the line. */
    readonly open: '"' | "'" | '\\',
  ) {
    super(message);
  }
}

/** What `tokenizeCommandLine` learned about a possibly unfinished line. */
export interface CommandLineTokens {
  /** The words, the unfinished last one included. */
  words: string[];
  /** A quote or backslash still open at the end of the line, or null. */
  open: '"' | "'" | '\\' | null;
  /** True when the line ends inside a word (no white space after the last word). */
  inWord: boolean;
}

const DOUBLE_QUOTE_ESCAPABLE = new Set(['"', '\\', '$', '`', '\n']);

/** Splits tolerantly: never throws, reports an open quote instead (for completion and prompts). */
export function tokenizeCommandLine(line: string): CommandLineTokens {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  let i = 0;
  while (i < line.length) {
    const ch = line[i] ?? '';
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
      i++;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') {
        quote = null;
        i++;
        continue;
      }
      if (ch === '\\') {
        const next = line[i + 1];
        if (next === undefined) return { words: [...words, word], open: '\\', inWord: true };
        if (DOUBLE_QUOTE_ESCAPABLE.has(next)) {
          if (next !== '\n') word += next;
          i += 2;
          continue;
        }
      }
      word += ch;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') {
      quote = ch;
      i++;
      continue;
    }
    if (ch === '\\') {
      const next = line[i + 1];
      if (next === undefined) return { words: [...words, word], open: '\\', inWord: true };
      if (next === '\n') {
        // line continuation: nothing is added
        i += 2;
        if (word === '') inWord = false;
        continue;
      }
      word += next;
      i += 2;
      continue;
    }
    word += ch;
    i++;
  }
  if (quote) return { words: [...words, word], open: quote, inWord: true };
  if (inWord) words.push(word);
  return { words, open: null, inWord };
}

/** Splits a terminal line into words: `docker run -e "A=b c" busybox` → `docker`, `run`, `-e`, `A=b c`, `busybox`. */
export function splitCommandLine(line: string): string[] {
  const t = tokenizeCommandLine(line);
  if (t.open === '\\') throw new CommandLineSyntaxError('unexpected end of line after backslash', '\\');
  if (t.open) throw new CommandLineSyntaxError(`unterminated ${t.open === '"' ? 'double' : 'single'} quote`, t.open);
  return t.words;
}
