/**
 * Dockerfile parser modelled on BuildKit's frontend/dockerfile/parser (parser.go,
 * line_parsers.go, split_command.go, directives.go). It turns text into one node per
 * instruction, exactly as BuildKit's parser does: line continuations, comments, parser
 * directives (`# escape=`, `# syntax=`, `# check=`), flags, JSON (exec) form, ENV/LABEL pairs,
 * ONBUILD and heredocs. Unknown instructions are kept; rejecting them is the builder's job.
 */
import { ShellLexer, type EscapeToken } from './shell.ts';
import { goQuote, isSpace, toWellFormed, trimLeftSpace, trimSpace } from './text.ts';

/** What went wrong while parsing, for callers that branch on errors. */
export type DockerfileErrorKind =
  | 'no-instructions'
  | 'duplicate-directive'
  | 'invalid-escape-token'
  | 'missing-arguments'
  | 'invalid-key-value'
  | 'invalid-json-array'
  | 'invalid-heredoc'
  | 'unterminated-heredoc';

/** A Dockerfile that cannot be parsed; the message names the line like BuildKit does. */
export class DockerfileSyntaxError extends Error {
  override name = 'DockerfileSyntaxError';

  /** `line` (1-based) is where the offending instruction starts, `endLine` where it ends. */
  constructor(
    readonly line: number,
    readonly reason: string,
    readonly kind: DockerfileErrorKind,
    readonly endLine: number = line,
  ) {
    super(`dockerfile parse error on line ${line}: ${reason}`);
  }
}

/** A heredoc (`<<EOF` ... `EOF`) attached to a RUN, COPY or ADD instruction. */
export interface Heredoc {
  /** The terminator word, with quotes removed. */
  name: string;
  /** File descriptor before `<<` (`3<<EOF`), 0 when absent. */
  fileDescriptor: number;
  /** False when the terminator was quoted (`<<'EOF'`): the content must not be expanded. */
  expand: boolean;
  /** True for `<<-`: leading tabs are stripped from the terminator (and content, when used). */
  chomp: boolean;
  /** The lines between the instruction and the terminator, newlines included. */
  content: string;
}

/** One instruction, shaped like BuildKit's Node. */
export interface DockerfileNode {
  /** Instruction keyword, lower-cased (`run`); unknown keywords are kept as written, lower-cased. */
  value: string;
  /** The logical line after continuation joining and comment removal. */
  original: string;
  /** Leading `--flag[=value]` words, as written (`--from=build`). */
  flags: string[];
  /** The arguments (BuildKit's Next chain), split according to the instruction. */
  next: string[];
  /** The nested instruction of an ONBUILD. */
  subcommand?: DockerfileNode;
  /** True when the arguments were given in JSON (exec) form. */
  json: boolean;
  /** Heredocs read after the instruction line (RUN, COPY, ADD). */
  heredocs: Heredoc[];
  /** First source line of the instruction (1-based). */
  startLine: number;
  /** Last source line of the instruction, continuation and heredoc lines included. */
  endLine: number;
  /** Comment lines directly above the instruction, without the `#`. */
  prevComment: string[];
}

/** A parser directive found at the top of the file (`# syntax=docker/dockerfile:1`). */
export interface ParserDirective {
  /** Lower-cased directive name: `escape`, `syntax` or `check`. */
  name: string;
  /** The value after `=`, trimmed. */
  value: string;
  /** Source line (1-based). */
  line: number;
}

/** A non-fatal problem, such as an empty line inside a continuation. */
export interface ParseWarning {
  /** One-line description including the offending instruction. */
  short: string;
  /** Longer explanation. */
  detail: string;
  /** Documentation for the rule. */
  url: string;
  /** Line where the offending instruction ends (1-based). */
  line: number;
}

/** A parsed Dockerfile: its instructions plus what the parser learned along the way. */
export interface DockerfileAST {
  /** The instructions in source order. */
  children: DockerfileNode[];
  /** First line of the first instruction. */
  startLine: number;
  /** Last line of the last instruction. */
  endLine: number;
  /** Escape token in effect (`\` unless `# escape=` changed it). */
  escapeToken: EscapeToken;
  /** Parser directives at the top of the file. */
  directives: ParserDirective[];
  /** Non-fatal findings. */
  warnings: ParseWarning[];
}

/** Internal failure carrying its kind; given a line number where it is caught. */
class ParseFailure extends Error {
  constructor(
    readonly kind: DockerfileErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Instructions whose arguments may hold heredocs, and those that may wrap such instructions. */
const HEREDOC_INSTRUCTIONS = new Set(['add', 'copy', 'run']);
const HEREDOC_COMPOUND_INSTRUCTIONS = new Set(['onbuild']);

const RE_WHITESPACE = /[\t\v\f\r ]+/;
const RE_DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;
const RE_HEREDOC = /^([0-9]*)<<(-?)([^<]*)$/;
const VALID_DIRECTIVES = new Set(['escape', 'syntax', 'check']);

/** Mutable parser state: escape token and directive detection. */
class Directives {
  escapeToken: EscapeToken = '\\';
  private continuation = /([^\\])\\[ \t]*$|^\\[ \t]*$/;
  private done = false;
  private line = 0;
  private readonly seen = new Set<string>();
  readonly found: ParserDirective[] = [];

  setEscapeToken(s: string): void {
    if (s !== '`' && s !== '\\') {
      throw new ParseFailure('invalid-escape-token', `invalid escape token '${s}' does not match \` or \\`);
    }
    this.escapeToken = s;
    const e = '\\' + s;
    // The escape token ends a line to continue it, unless it is itself escaped.
    this.continuation = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
  }

  /** Looks for `# name=value` before the first instruction, blank line or other comment. */
  possibleParserDirective(token: string): void {
    this.line++;
    if (this.done) return;
    if (!token.startsWith('#')) {
      this.done = true;
      return;
    }
    const match = RE_DIRECTIVE.exec(trimLeftSpace(token.slice(1)));
    const key = match?.[1]?.toLowerCase();
    if (match === null || key === undefined || !VALID_DIRECTIVES.has(key)) {
      this.done = true;
      return;
    }
    if (this.seen.has(key)) {
      throw new ParseFailure('duplicate-directive', `only one ${key} parser directive can be used`);
    }
    this.seen.add(key);
    const value = match[2] ?? '';
    this.found.push({ name: key, value, line: this.line });
    if (key === 'escape') this.setEscapeToken(value);
  }

  /** Removes a trailing continuation token; returns [line, isEndOfLine]. */
  trimContinuation(line: string): [string, boolean] {
    if (this.continuation.test(line)) return [line.replace(this.continuation, '$1'), false];
    return [line, true];
  }
}

function isComment(line: string): boolean {
  return trimLeftSpace(line).startsWith('#');
}

function trimNewline(s: string): string {
  return s.replace(/[\r\n]+$/, '');
}

function isEmptyContinuationLine(line: string): boolean {
  return trimLeftSpace(trimNewline(line)).length === 0;
}

function processLine(d: Directives, token: string, stripLeftWhitespace: boolean): string {
  token = trimNewline(token);
  if (stripLeftWhitespace) token = trimLeftSpace(token);
  d.possibleParserDirective(token);
  return isComment(token) ? '' : token;
}

/** Splits text into lines that keep their `\n`, like BuildKit's scanner. */
function scanLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    lines.push(text.slice(start, end));
    start = end;
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Line parsers: each turns the argument text of one instruction into its argument list.

interface LineResult {
  next: string[];
  subcommand?: DockerfileNode;
  json?: boolean;
}

type LineParser = (rest: string, d: Directives) => LineResult;

/**
 * Splits on white space, keeping quotes and escapes (they are removed later, when the
 * builder expands the words): `a "b c"` -> [`a`, `"b c"`].
 */
function parseWords(rest: string, d: Directives): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOK = false;
  let word = '';

  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = chars[pos] ?? '';
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (atEnd) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === d.escapeToken) {
        if (pos + 1 === chars.length) continue; // skip an escape token at the end of the line
        // Unquoted escape: keep the escape token and the next character, even a quote.
        word += ch;
        pos++;
        ch = chars[pos] ?? '';
      }
      word += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) phase = 'word';
    // The escape token is special except inside single quotes.
    if (ch === d.escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue; // skip the escape token at the end
      }
      pos++;
      word += ch;
      ch = chars[pos] ?? '';
    }
    word += ch;
  }
  return words;
}

/** Go's regexp.Split(s, n) for RE_WHITESPACE (n = -1 for all). */
function splitWhitespace(s: string, n: number): string[] {
  if (s === '') return [''];
  if (n < 0) return s.split(new RegExp(RE_WHITESPACE.source));
  const m = RE_WHITESPACE.exec(s);
  if (m === null || n === 1) return [s];
  return [s.slice(0, m.index), s.slice(m.index + m[0].length)];
}

/** ENV and LABEL: legacy `KEY value` or `k=v k2=v2`, as triples key, value, separator. */
function parseNameVal(rest: string, key: string, d: Directives): LineResult {
  const words = parseWords(rest, d);
  if (words.length === 0) return { next: [] };
  const [first] = words;
  if (first !== undefined && !first.includes('=')) {
    const parts = splitWhitespace(rest, 2);
    if (parts.length < 2) throw new ParseFailure('missing-arguments', `${key} must have two arguments`);
    return { next: [parts[0] ?? '', parts[1] ?? '', ''] };
  }
  const next: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new ParseFailure('invalid-key-value', `Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    }
    next.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return { next };
}

const parseEnv: LineParser = (rest, d) => parseNameVal(rest, 'ENV', d);
const parseLabel: LineParser = (rest, d) => parseNameVal(rest, 'LABEL', d);

/** ARG: `name`, `name=`, `name=value`, one argument per word. */
const parseNameOrNameVal: LineParser = (rest, d) => ({ next: parseWords(rest, d) });

const parseStringsWhitespaceDelimited: LineParser = (rest) => (rest === '' ? { next: [] } : { next: splitWhitespace(rest, -1) });

const parseString: LineParser = (rest) => ({ next: rest === '' ? [] : [rest] });

const parseIgnore: LineParser = () => ({ next: [''] });

const parseSubCommand: LineParser = (rest, d) => {
  if (rest === '') return { next: [] };
  return { next: [], subcommand: newNodeFromLine(rest, d, []) };
};

const NOT_JSON = Symbol('not a JSON array');

/** Parses `[ "a", "b" ]`; NOT_JSON when the text is not a JSON array at all. */
function parseJSON(rest: string): LineResult | typeof NOT_JSON {
  rest = trimLeftSpace(rest);
  if (!rest.startsWith('[')) return NOT_JSON;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    return NOT_JSON;
  }
  if (!Array.isArray(parsed)) return NOT_JSON;
  const next: string[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== 'string') {
      throw new ParseFailure('invalid-json-array', 'when using JSON array syntax, arrays must be comprised of strings only');
    }
    next.push(toWellFormed(item));
  }
  return { next, json: true };
}

/** CMD, RUN, ENTRYPOINT, SHELL: a JSON array, or else the whole text as one argument. */
const parseMaybeJSON: LineParser = (rest) => {
  if (rest === '') return { next: [] };
  const json = parseJSON(rest);
  return json === NOT_JSON ? { next: [rest] } : json;
};

/** ADD, COPY, VOLUME: a JSON array, or else white-space separated words. */
const parseMaybeJSONToList: LineParser = (rest, d) => {
  const json = parseJSON(rest);
  return json === NOT_JSON ? parseStringsWhitespaceDelimited(rest, d) : json;
};

/** HEALTHCHECK: a type word (`CMD`, `NONE`) followed by a command like CMD's. */
const parseHealthConfig: LineParser = (rest, d) => {
  let sep = 0;
  while (sep < rest.length && !isSpace(rest[sep] ?? '')) sep++;
  let next = sep;
  while (next < rest.length && isSpace(rest[next] ?? '')) next++;
  if (sep === 0) return { next: [] };
  const cmd = parseMaybeJSON(rest.slice(next), d);
  return { ...cmd, next: [rest.slice(0, sep), ...cmd.next] };
};

const DISPATCH: ReadonlyMap<string, LineParser> = new Map([
  ['add', parseMaybeJSONToList],
  ['arg', parseNameOrNameVal],
  ['cmd', parseMaybeJSON],
  ['copy', parseMaybeJSONToList],
  ['entrypoint', parseMaybeJSON],
  ['env', parseEnv],
  ['expose', parseStringsWhitespaceDelimited],
  ['from', parseStringsWhitespaceDelimited],
  ['healthcheck', parseHealthConfig],
  ['label', parseLabel],
  ['maintainer', parseString],
  ['onbuild', parseSubCommand],
  ['run', parseMaybeJSON],
  ['shell', parseMaybeJSON],
  ['stopsignal', parseString],
  ['user', parseString],
  ['volume', parseMaybeJSONToList],
  ['workdir', parseString],
]);

/** Splits leading `--flag` words off the arguments; `--` ends the flags. Returns [rest, flags]. */
function extractBuilderFlags(line: string): [string, string[]] {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;

  for (let pos = 0; pos <= line.length; pos++) {
    const atEnd = pos === line.length;
    let ch = line[pos] ?? '';
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      // Only keep going if the next word starts with "--".
      if (ch !== '-' || pos + 1 === line.length || line[pos + 1] !== '-') return [line.slice(pos), words];
      phase = 'word';
    }
    if (atEnd) {
      if (word !== '--' && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return [line.slice(pos), words];
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue; // skip a backslash at the end
        pos++;
        ch = line[pos] ?? '';
      }
      word += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      pos++;
      ch = line[pos] ?? '';
    }
    word += ch;
  }
  return ['', words];
}

/** Splits a logical line into [keyword (lower-cased), flags, arguments]. */
function splitCommand(line: string): [string, string[], string] {
  const cmdline = splitWhitespace(trimSpace(line), 2);
  const cmd = (cmdline[0] ?? '').toLowerCase();
  let args = '';
  let flags: string[] = [];
  if (cmdline.length === 2) [args, flags] = extractBuilderFlags(cmdline[1] ?? '');
  return [cmd, flags, trimSpace(args)];
}

function newNodeFromLine(line: string, d: Directives, comments: string[]): DockerfileNode {
  const [cmd, flags, args] = splitCommand(line);
  const fn = DISPATCH.get(cmd) ?? parseIgnore;
  const result = fn(args, d);
  const node: DockerfileNode = {
    value: cmd,
    original: line,
    flags,
    next: result.next,
    json: result.json ?? false,
    heredocs: [],
    startLine: 0,
    endLine: 0,
    prevComment: comments,
  };
  if (result.subcommand !== undefined) node.subcommand = result.subcommand;
  return node;
}

function canContainHeredoc(node: DockerfileNode): boolean {
  if (HEREDOC_COMPOUND_INSTRUCTIONS.has(node.value) && node.subcommand !== undefined) {
    node = node.subcommand;
  }
  return HEREDOC_INSTRUCTIONS.has(node.value) && !node.json;
}

// ---------------------------------------------------------------------------------------------
// Heredocs

/**
 * Parses one heredoc word such as `<<EOF`, `<<-'EOF'` or `3<<EOF`; null when `src` is not a
 * heredoc; throws ParseFailure when it is malformed (`<<'EOF`).
 */
function heredocFromWord(src: string): Omit<Heredoc, 'content'> | null {
  const match = RE_HEREDOC.exec(src);
  if (match === null) return null;
  const rest = match[3] ?? '';
  if (rest === '') return null;
  const fileDescriptor = Number.parseInt(match[1] ?? '', 10);
  const chomp = match[2] === '-';

  const lex = new ShellLexer('\\', { skipUnsetEnv: true });
  let words: string[];
  let wordsRaw: string[];
  try {
    // Lex with and without quotes: if they differ, part of the word was quoted (no expansion).
    words = lex.processWords(rest, []);
    if (words.length !== 1) return null;
    lex.rawQuotes = true;
    wordsRaw = lex.processWords(rest, []);
  } catch (err) {
    throw new ParseFailure('invalid-heredoc', err instanceof Error ? err.message : String(err));
  }
  if (wordsRaw.length !== words.length) {
    throw new ParseFailure('invalid-heredoc', `internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  const word = words[0] ?? '';
  const quotes = (w: string): number => w.split('').filter((c) => c === "'" || c === '"').length;
  return {
    name: word,
    fileDescriptor: Number.isNaN(fileDescriptor) ? 0 : fileDescriptor,
    expand: quotes(word) === quotes(wordsRaw[0] ?? ''),
    chomp,
  };
}

/** Removes leading tabs from every line of heredoc content (for `<<-`). */
export function chompHeredocContent(src: string): string {
  return src.replace(/^\t+/gm, '');
}

function heredocsFromLine(line: string): Omit<Heredoc, 'content'>[] {
  const lex = new ShellLexer('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  let words: string[];
  try {
    words = lex.processWords(line, []);
  } catch {
    return [];
  }
  const docs: Omit<Heredoc, 'content'>[] = [];
  for (let i = 0; i < words.length; i++) {
    let word = words[i] ?? '';
    // `<< EOF`: the operator and its word were split apart; rejoin them.
    const following = words[i + 1];
    if (/^[0-9]*<<-?$/.test(word) && following !== undefined) {
      word = `${word} ${following}`;
      i++;
    }
    const doc = heredocFromWord(word);
    if (doc !== null) docs.push(doc);
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------

/**
 * Parses Dockerfile text into one node per instruction, like BuildKit's `parser.Parse`.
 * Throws DockerfileSyntaxError for malformed input or a file without instructions.
 */
export function parseDockerfile(text: string): DockerfileAST {
  const d = new Directives();
  const lines = scanLines(text);
  const children: DockerfileNode[] = [];
  const warnings: ParseWarning[] = [];
  let comments: string[] = [];
  let currentLine = 0;
  let idx = 0;

  const fail = (err: unknown, start: number, end = start): never => {
    if (err instanceof ParseFailure) throw new DockerfileSyntaxError(start, err.message, err.kind, end);
    throw err;
  };

  while (idx < lines.length) {
    let raw = lines[idx++] ?? '';
    if (currentLine === 0 && raw.startsWith('\uFEFF')) raw = raw.slice(1);
    if (isComment(raw)) {
      // BuildKit drops the line's first character (normally the `#`).
      const comment = trimSpace(raw.slice(1));
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    let processed = '';
    try {
      processed = processLine(d, raw, true);
    } catch (err) {
      fail(err, currentLine + 1);
    }
    currentLine++;

    const startLine = currentLine;
    let [line, isEndOfLine] = d.trimContinuation(processed);
    if (isEndOfLine && line === '') continue;

    let hasEmptyContinuationLine = false;
    while (!isEndOfLine && idx < lines.length) {
      const next = lines[idx++] ?? '';
      let cont = '';
      try {
        cont = processLine(d, next, false);
      } catch (err) {
        fail(err, currentLine + 1);
      }
      currentLine++;
      if (isComment(next)) continue;
      if (isEmptyContinuationLine(cont)) {
        hasEmptyContinuationLine = true;
        continue;
      }
      let part: string;
      [part, isEndOfLine] = d.trimContinuation(cont);
      line += part;
    }

    if (hasEmptyContinuationLine) {
      warnings.push({
        short: `Empty continuation line found in: ${line}`,
        detail: 'Empty continuation lines will become errors in a future release',
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
        line: currentLine,
      });
    }

    let child: DockerfileNode;
    try {
      child = newNodeFromLine(line, d, comments);
    } catch (err) {
      return fail(err, startLine, currentLine);
    }

    if (canContainHeredoc(child) && line.includes('<<')) {
      let docs: Omit<Heredoc, 'content'>[] = [];
      try {
        docs = heredocsFromLine(line);
      } catch (err) {
        fail(err, startLine, currentLine);
      }
      for (const doc of docs) {
        let content = '';
        let terminated = false;
        while (idx < lines.length) {
          const body = lines[idx++] ?? '';
          currentLine++;
          let possibleTerminator = trimNewline(body);
          if (doc.chomp) possibleTerminator = possibleTerminator.replace(/^\t+/, '');
          if (possibleTerminator === doc.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) {
          throw new DockerfileSyntaxError(startLine, 'unterminated heredoc', 'unterminated-heredoc', currentLine);
        }
        child.heredocs.push({ ...doc, content });
      }
    }

    child.startLine = startLine;
    child.endLine = currentLine;
    if (child.subcommand !== undefined) {
      child.subcommand.startLine = startLine;
      child.subcommand.endLine = currentLine;
    }
    children.push(child);
    comments = [];
  }

  const first = children[0];
  const last = children[children.length - 1];
  if (first === undefined || last === undefined) {
    throw new DockerfileSyntaxError(Math.max(currentLine, 1), 'file with no instructions', 'no-instructions');
  }
  return {
    children,
    startLine: first.startLine,
    endLine: last.endLine,
    escapeToken: d.escapeToken,
    directives: d.found,
    warnings,
  };
}

function dumpNode(node: DockerfileNode): string {
  let str = node.value.toLowerCase();
  if (node.flags.length > 0) str += ` [${node.flags.map(goQuote).join(' ')}]`;
  if (node.subcommand !== undefined) str += ` (${dumpNode(node.subcommand)})`;
  for (const arg of node.next) str += ' ' + goQuote(arg);
  return trimSpace(str);
}

/** Renders one instruction as a BuildKit s-expression: `run "echo hi"` (no parentheses). */
export function dumpInstruction(node: DockerfileNode): string {
  return dumpNode(node);
}

/** Renders the AST exactly like BuildKit's `Node.Dump()`: one `(instruction args...)` per line. */
export function dump(ast: DockerfileAST): string {
  return trimSpace(ast.children.map((c) => `(${dumpNode(c)})\n`).join(''));
}
