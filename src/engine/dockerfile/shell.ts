/**
 * Shell-style word processing for Dockerfile arguments, modelled on BuildKit's
 * frontend/dockerfile/shell (lex.go): quote removal, escapes, `$VAR` / `${VAR}` expansion with
 * the `:-` `-` `:+` `+` `:?` `?` `#` `##` `%` `%%` `/` `//` modifiers, and word splitting.
 */
import { goQuote, isDigit, isLetter, isSpace } from './text.ts';

/** The characters a Dockerfile may use as escape token (`# escape=` directive). */
export type EscapeToken = '\\' | '`';

/** Variables for expansion: `KEY=value` strings (later entries win), a Map, or a plain record. */
export type ShellEnv = readonly string[] | ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** Switches that change how the lexer treats quotes, escapes and unset variables. */
export interface ShellLexerOptions {
  /** Keep quote characters in the output (quoting still groups words). */
  rawQuotes?: boolean;
  /** Keep escape tokens in the output. */
  rawEscapes?: boolean;
  /** Treat quote characters as ordinary characters. */
  skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written (`$X`, `${X:-y}`) instead of expanding them. */
  skipUnsetEnv?: boolean;
}

/** Everything one lexer pass produces: the expanded string, its words and the variables looked up. */
export interface ProcessWordResult {
  /** The word with quotes removed and variables expanded (spacing kept). */
  result: string;
  /** The result split into words on unquoted white space. */
  words: string[];
  /** Names of variables that were referenced and set. */
  matched: Set<string>;
  /** Names of variables that were referenced but unset. */
  unmatched: Set<string>;
}

/** A word could not be processed (unterminated quote, bad `${}` substitution, `${X:?msg}`...). */
export class ShellExpansionError extends Error {
  override name = 'ShellExpansionError';
  /** Error category, for callers that branch on errors without parsing messages. */
  readonly kind = 'shell-expansion';

  /** `source` is the word being processed, `reason` what went wrong inside it. */
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`failed to process ${goQuote(source)}: ${reason}`);
  }
}

/** Internal failure, wrapped into a ShellExpansionError at the top of a pass. */
class LexFailure extends Error {}

/** Builds a variable map from `KEY=value` strings; an entry without `=` is set but empty. */
export function buildEnvs(env: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of env) {
    const i = e.indexOf('=');
    if (i < 0) map.set(e, '');
    else map.set(e.slice(0, i), e.slice(i + 1));
  }
  return map;
}

function toEnvMap(env: ShellEnv): ReadonlyMap<string, string> {
  if (Array.isArray(env)) return buildEnvs(env as readonly string[]);
  if (env instanceof Map) return env;
  const record = env as Readonly<Record<string, string>>;
  return new Map(Object.keys(record).map((k) => [k, record[k] ?? '']));
}

/**
 * Performs shell word splitting and variable expansion the way BuildKit does for ENV, ARG,
 * COPY, WORKDIR... arguments. Not a shell: no command substitution, globbing or arithmetic.
 */
export class ShellLexer {
  /** Keep quote characters in the output. */
  rawQuotes: boolean;
  /** Keep escape tokens in the output. */
  rawEscapes: boolean;
  /** Treat quotes as ordinary characters. */
  skipProcessQuotes: boolean;
  /** Leave references to unset variables unexpanded. */
  skipUnsetEnv: boolean;

  /** Creates a lexer using `escapeToken` (`\` by default, or `` ` ``) as escape character. */
  constructor(
    readonly escapeToken: EscapeToken = '\\',
    options: ShellLexerOptions = {},
  ) {
    this.rawQuotes = options.rawQuotes ?? false;
    this.rawEscapes = options.rawEscapes ?? false;
    this.skipProcessQuotes = options.skipProcessQuotes ?? false;
    this.skipUnsetEnv = options.skipUnsetEnv ?? false;
  }

  /** Expands variables in `word` and removes quotes, keeping spacing; throws ShellExpansionError. */
  processWord(word: string, env: ShellEnv): string {
    return this.processWordWithMatches(word, env).result;
  }

  /** Expands `word` and splits it into words on unquoted white space; throws ShellExpansionError. */
  processWords(word: string, env: ShellEnv): string[] {
    return this.processWordWithMatches(word, env).words;
  }

  /** Expands `word` and reports the result, its words and which variables were (un)matched. */
  processWordWithMatches(word: string, env: ShellEnv): ProcessWordResult {
    const sw = new ShellWord(this, word, toEnvMap(env));
    try {
      const [result, words] = sw.processStopOn(undefined, this.rawEscapes);
      return { result, words, matched: sw.matches, unmatched: sw.unmatches };
    } catch (err) {
      if (err instanceof LexFailure) throw new ShellExpansionError(word, err.message);
      throw err;
    }
  }
}

/** Reads a string one code point at a time, like Go's text/scanner Next/Peek. */
class Scanner {
  private readonly chars: string[];
  private pos = 0;

  constructor(src: string) {
    this.chars = Array.from(src);
  }

  peek(): string | undefined {
    return this.chars[this.pos];
  }

  next(): string | undefined {
    const ch = this.chars[this.pos];
    if (ch !== undefined) this.pos++;
    return ch;
  }
}

/**
 * The longest a word may grow while variables expand (1 MiB). `ARG A=${A}${A}` repeated doubles a
 * value each time; without a bound forty of them ask for terabytes and end the process.
 */
export const MAX_EXPANDED_WORD = 1024 * 1024;

/** `result + more`, refused past MAX_EXPANDED_WORD. */
function bounded(result: string, more: string): string {
  if (result.length + more.length > MAX_EXPANDED_WORD) {
    throw new LexFailure(
      `the expanded word would be longer than ${MAX_EXPANDED_WORD} characters (1 MiB): variables expanding into each other grow without bound`,
    );
  }
  return result + more;
}

/** Accumulates words: unquoted white space separates them, quoted text never does. */
class Words {
  private word = '';
  private readonly words: string[] = [];
  private inWord = false;

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.word.length !== 0) {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: string): void {
    this.word += ch;
    this.inWord = true;
  }

  addString(str: string): void {
    for (const ch of str) this.addChar(ch);
  }

  addRawString(str: string): void {
    this.word += str;
    this.inWord = true;
  }

  getWords(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = '';
      this.inWord = false;
    }
    return this.words;
  }
}

function isSpecialParam(ch: string): boolean {
  return '@*#?-$!0'.includes(ch);
}

/** State of one pass over one word. */
class ShellWord {
  readonly scanner: Scanner;
  readonly matches = new Set<string>();
  readonly unmatches = new Set<string>();
  private rawEscapes: boolean;

  constructor(
    private readonly lex: ShellLexer,
    word: string,
    private readonly envs: ReadonlyMap<string, string>,
  ) {
    this.scanner = new Scanner(word);
    this.rawEscapes = lex.rawEscapes;
  }

  /** Processes until `stopChar` (consumed) or the end of input; returns [result, words]. */
  processStopOn(stopChar: string | undefined, rawEscapes: boolean): [string, string[]] {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      return this.processStopOnInner(stopChar);
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processStopOnInner(stopChar: string | undefined): [string, string[]] {
    const s = this.scanner;
    const esc = this.lex.escapeToken;
    let result = '';
    const words = new Words();

    for (let ch = s.peek(); ch !== undefined; ch = s.peek()) {
      if (stopChar !== undefined && ch === stopChar) {
        s.next();
        return [result, words.getWords()];
      }
      if (ch === '$') {
        const tmp = this.processDollar();
        result = bounded(result, tmp);
        words.addString(tmp);
        continue;
      }
      if (!this.lex.skipProcessQuotes && (ch === "'" || ch === '"')) {
        const tmp = ch === "'" ? this.processSingleQuote() : this.processDoubleQuote();
        result = bounded(result, tmp);
        words.addRawString(tmp);
        continue;
      }
      // Not special, just add it to the result.
      let c = s.next() as string;
      if (c === esc) {
        if (this.rawEscapes) {
          words.addRawChar(c);
          result += c;
        }
        // The escape token escapes the next character; at the end of input it is dropped.
        const escaped = s.next();
        if (escaped === undefined) break;
        c = escaped;
        words.addRawChar(c);
      } else {
        words.addChar(c);
      }
      result += c;
    }
    if (stopChar !== undefined) {
      throw new LexFailure(`unexpected end of statement while looking for matching ${stopChar}`);
    }
    return [result, words.getWords()];
  }

  private processSingleQuote(): string {
    // Everything between single quotes is literal; a single quote cannot be escaped.
    const s = this.scanner;
    let result = '';
    const open = s.next() as string;
    if (this.lex.rawQuotes) result += open;
    for (;;) {
      const ch = s.next();
      if (ch === undefined) {
        throw new LexFailure('unexpected end of statement while looking for matching single-quote');
      }
      if (ch === "'") {
        if (this.lex.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except `$` expansion; the escape token only escapes `"`, `$` and itself.
    const s = this.scanner;
    const esc = this.lex.escapeToken;
    let result = '';
    const open = s.next() as string;
    if (this.lex.rawQuotes) result += open;
    for (;;) {
      const peek = s.peek();
      if (peek === undefined) {
        throw new LexFailure('unexpected end of statement while looking for matching double-quote');
      }
      if (peek === '"') {
        s.next();
        if (this.lex.rawQuotes) result += peek;
        return result;
      }
      if (peek === '$') {
        result = bounded(result, this.processDollar());
        continue;
      }
      let ch = s.next() as string;
      if (ch === esc) {
        if (this.rawEscapes) result += ch;
        const after = s.peek();
        if (after === undefined) continue; // ignore an escape at the end of the word
        if (after === '"' || after === '$' || after === esc) ch = s.next() as string;
      }
      result += ch;
    }
  }

  private processDollar(): string {
    const s = this.scanner;
    s.next(); // the '$'

    // $xxx case
    if (s.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const [value, found] = this.getEnv(name);
      if (!found && this.lex.skipUnsetEnv) return '$' + name;
      return value;
    }

    s.next(); // the '{'
    const first = s.peek();
    if (first === undefined) throw new LexFailure("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') {
      throw new LexFailure('syntax error: bad substitution');
    }
    const name = this.processName();
    let ch = s.next();
    let chs = ch ?? '\uFFFD';

    switch (ch) {
      case '}': {
        const [value, set] = this.getEnv(name);
        if (!set && this.lex.skipUnsetEnv) return `\${${name}}`;
        return value;
      }
      case ':':
      case '+':
      case '-':
      case '?':
      case '#':
      case '%': {
        let nullIsUnset = false;
        if (ch === ':') {
          nullIsUnset = true;
          ch = s.next();
          chs += ch ?? '\uFFFD';
        }
        const rawEscapes = ch === '#' || ch === '%';
        let word: string;
        try {
          [word] = this.processStopOn('}', rawEscapes);
        } catch (err) {
          if (err instanceof LexFailure && s.peek() === undefined) {
            throw new LexFailure("syntax error: missing '}'");
          }
          throw err;
        }

        const [value, set] = this.getEnv(name);
        if (this.lex.skipUnsetEnv && !set) return `\${${name}${chs}${word}}`;

        switch (ch) {
          case '-':
            return !set || (nullIsUnset && value === '') ? word : value;
          case '+':
            return !set || (nullIsUnset && value === '') ? '' : word;
          case '?':
            if (!set) throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
            if (nullIsUnset && value === '') {
              throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
            }
            return value;
          case '%':
          case '#': {
            // `#`/`%` remove the shortest match, `##`/`%%` the longest.
            let greedy = false;
            if (word.startsWith(ch)) {
              greedy = true;
              word = word.slice(1);
            }
            return ch === '%' ? trimSuffix(word, value, greedy) : trimPrefix(word, value, greedy);
          }
          default:
            throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
        }
      }
      case '/': {
        const replaceAll = s.peek() === '/';
        if (replaceAll) s.next();
        let pattern: string;
        try {
          [pattern] = this.processStopOn('/', true);
        } catch (err) {
          if (err instanceof LexFailure && s.peek() === undefined) {
            throw new LexFailure("syntax error: missing '/' in ${}");
          }
          throw err;
        }
        let replacement: string;
        try {
          [replacement] = this.processStopOn('}', true);
        } catch (err) {
          if (err instanceof LexFailure && s.peek() === undefined) {
            throw new LexFailure("syntax error: missing '}'");
          }
          throw err;
        }
        const [value, set] = this.getEnv(name);
        if (this.lex.skipUnsetEnv && !set) return `\${${name}/${pattern}/${replacement}}`;
        const re = compilePattern(pattern, true, false);
        if (replaceAll) return goReplaceAll(re, value, replacement);
        const m = re.exec(value);
        if (m === null) return value;
        return value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length);
      }
      default:
        throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
    }
  }

  /** Reads a variable name: letters/digits/_, or a run of digits, or one special parameter. */
  private processName(): string {
    const s = this.scanner;
    let name = '';
    for (let ch = s.peek(); ch !== undefined; ch = s.peek()) {
      if (name.length === 0 && isDigit(ch)) {
        for (let d = s.peek(); d !== undefined && isDigit(d); d = s.peek()) name += s.next();
        return name;
      }
      if (name.length === 0 && isSpecialParam(ch)) return s.next() as string;
      if (!isLetter(ch) && !isDigit(ch) && ch !== '_') break;
      name += s.next();
    }
    return name;
  }

  private getEnv(name: string): [string, boolean] {
    const value = this.envs.get(name);
    if (value !== undefined) {
      this.matches.add(name);
      return [value, true];
    }
    this.unmatches.add(name);
    return ['', false];
  }
}

/**
 * Converts a shell wildcard pattern (`?` one character, `*` any run, `\` escapes `*` `?` `\`)
 * to a regular expression; `\}` and `\/` stand for the plain characters.
 */
function compilePattern(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  const star = greedy ? '[^\\n]*' : '[^\\n]*?';
  for (let i = 0; i < chars.length; i++) {
    let tok = chars[i] as string;
    switch (tok) {
      case '*':
        out += star;
        continue;
      case '?':
        out += '[^\\n]';
        continue;
      case '\\': {
        const next = chars[i + 1];
        if (next === '}' || next === '/') continue;
        out += '\\';
        i++;
        if (next !== '*' && next !== '?' && next !== '\\') {
          throw new LexFailure(`invalid pattern (${pattern}) in substitution: invalid escape '\\${next ?? '\uFFFD'}'`);
        }
        tok = next;
        break;
      }
      case '[':
      case ']':
      case '{':
      case '}':
      case '.':
      case '+':
      case '(':
      case ')':
      case '|':
      case '^':
      case '$':
        out += '\\';
        break;
    }
    out += tok;
  }
  try {
    return new RegExp(out, 'u');
  } catch (err) {
    throw new LexFailure(`invalid pattern (${pattern}) in substitution: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = compilePattern(pattern, greedy, true).exec(value);
  return m === null ? value : value.slice(m.index + m[0].length);
}

/** Reverses a pattern but keeps each escape before the character it escapes (`a\*c` -> `c\*a`). */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last;) {
    const tok = chars[i] as string;
    const outIdx = last - i;
    if (tok === '\\' && i !== last) {
      out[outIdx - 1] = tok;
      out[outIdx] = chars[i + 1] as string;
      i += 2;
    } else {
      out[outIdx] = tok;
      i++;
    }
  }
  return out.join('');
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  // A leftmost regex search cannot find the shortest rightmost match, so search reversed.
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}

/** Go's Regexp.ReplaceAllString: skips empty matches abutting a previous match, expands `$0`/`$$`. */
function goReplaceAll(re: RegExp, src: string, template: string): string {
  const global = new RegExp(re.source, 'gu');
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    global.lastIndex = searchPos;
    const m = global.exec(src);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expandTemplate(template, m[0]);
    lastMatchEnd = end;
    const cp = src.codePointAt(searchPos);
    const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}

/** Go's Regexp.Expand for a pattern without capture groups: `$$` is `$`, `$0` the match. */
function expandTemplate(template: string, match: string): string {
  let out = '';
  let rest = template;
  for (;;) {
    const i = rest.indexOf('$');
    if (i < 0) break;
    out += rest.slice(0, i);
    rest = rest.slice(i);
    if (rest.length > 1 && rest[1] === '$') {
      out += '$';
      rest = rest.slice(2);
      continue;
    }
    const ref = /^\$(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (ref === null) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    rest = rest.slice(ref[0].length);
    const name = ref[1] ?? ref[2] ?? '';
    if (name === '0') out += match;
  }
  return out + rest;
}
