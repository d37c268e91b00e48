/**
 * The terminal's host-shell syntax, as `sh` reads a line: words with quotes and escapes, `$VAR`,
 * `${VAR}`, `$?` and `$(pwd)`, pipes `|`, lists with `;`, `&&` and `||`, and redirects `>`, `>>`,
 * `<`, `2>`, `2>>`, `2>&1`. What the terminal cannot do (`&`, other `$(…)`, backquotes, `<<`) is a
 * `ShellSyntaxError` that says so in one line, never arguments passed on by mistake.
 */

/** A line the terminal's shell cannot read, with why. */
export class ShellSyntaxError extends Error {
  override name = 'ShellSyntaxError';
}

/** A piece of a word: literal text, or an expansion (quoted ones are never split into words). */
export type WordPart =
  { kind: 'text'; text: string; quoted: boolean } | { kind: 'var'; name: string; quoted: boolean } | { kind: 'pwd'; quoted: boolean };

/** One word as typed, expanded when its command runs (`$?` is known only then). */
export type Word = WordPart[];

/** Where a command's stdin comes from or its stdout or stderr goes. */
export type Redirect = { fd: 0; op: '<'; target: Word } | { fd: 1 | 2; op: '>' | '>>'; target: Word } | { fd: 2; op: '>&1' };

/** One command: `NAME=value` assignments, its words and redirects. */
export interface SimpleCommand {
  assignments: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}

/** Commands joined by `|`. */
export type Pipeline = SimpleCommand[];

/** Pipelines run one after another; `op` says whether one runs after the last one's status. */
export interface ScriptItem {
  /** How this pipeline follows the previous one (`;` for the first). */
  op: ';' | '&&' | '||';
  pipeline: Pipeline;
}

type Token = { t: 'word'; word: Word } | { t: 'op'; op: string } | { t: 'redirect'; fd: 0 | 1 | 2; op: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const DOUBLE_ESCAPABLE = new Set(['"', '\\', '$', '`']);

/** Reads `$…` at `line[i]` (the `$` itself); returns the part and the index after it. */
function dollar(line: string, i: number, quoted: boolean): [WordPart, number] {
  const rest = line.slice(i + 1);
  if (rest.startsWith('?')) return [{ kind: 'var', name: '?', quoted }, i + 2];
  if (rest.startsWith('{')) {
    const end = rest.indexOf('}');
    if (end < 0) throw new ShellSyntaxError('bad substitution: a ${ without its }');
    const name = rest.slice(1, end);
    if (!NAME.test(name) || NAME.exec(name)![0] !== name)
      throw new ShellSyntaxError(`\${${name}}: this terminal expands \${NAME} only (no :- or other operators)`);
    return [{ kind: 'var', name, quoted }, i + 2 + end];
  }
  if (rest.startsWith('(')) {
    const end = rest.indexOf(')');
    const inner = end < 0 ? rest.slice(1) : rest.slice(1, end);
    if (end >= 0 && inner.trim() === 'pwd') return [{ kind: 'pwd', quoted }, i + 2 + end];
    throw new ShellSyntaxError(`$(${inner.trim()}): this terminal substitutes $(pwd) only (the workspace folder)`);
  }
  const m = NAME.exec(rest);
  if (m) return [{ kind: 'var', name: m[0], quoted }, i + 1 + m[0].length];
  // a lone $ is literal, as in sh
  return [{ kind: 'text', text: '$', quoted }, i + 1];
}

/** Splits a line into words, operators and redirects. */
function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let word: Word | null = null;
  const text = (s: string, quoted: boolean) => {
    word ??= [];
    const last = word[word.length - 1];
    if (last?.kind === 'text' && last.quoted === quoted) last.text += s;
    else word.push({ kind: 'text', text: s, quoted });
  };
  const endWord = () => {
    if (word) tokens.push({ t: 'word', word });
    word = null;
  };
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      endWord();
      i++;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("unexpected end of line: a ' is not closed");
      text(line.slice(i + 1, end), true);
      i = end + 1;
    } else if (ch === '"') {
      word ??= [];
      text('', true);
      i++;
      for (;;) {
        if (i >= line.length) throw new ShellSyntaxError('unexpected end of line: a " is not closed');
        const c = line[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && DOUBLE_ESCAPABLE.has(line[i + 1] ?? '')) {
          text(line[i + 1]!, true);
          i += 2;
        } else if (c === '$') {
          const [part, next] = dollar(line, i, true);
          word!.push(part);
          i = next;
        } else if (c === '`') {
          throw new ShellSyntaxError('`…`: this terminal does not substitute commands');
        } else {
          text(c, true);
          i++;
        }
      }
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new ShellSyntaxError('unexpected end of line after \\');
      text(line[i + 1]!, true);
      i += 2;
    } else if (ch === '$') {
      word ??= [];
      const [part, next] = dollar(line, i, false);
      word.push(part);
      i = next;
    } else if (ch === '`') {
      throw new ShellSyntaxError('`…`: this terminal does not substitute commands');
    } else if (ch === '|' || ch === ';' || ch === '&') {
      endWord();
      const two = line.slice(i, i + 2);
      if (two === '||' || two === '&&') {
        tokens.push({ t: 'op', op: two });
        i += 2;
      } else if (ch === '&' && line[i + 1] === '>') {
        throw new ShellSyntaxError('&>: write > FILE 2>&1 instead');
      } else if (ch === '&') {
        throw new ShellSyntaxError('&: this terminal runs one command at a time; use docker run -d for a container in the background');
      } else {
        tokens.push({ t: 'op', op: ch });
        i++;
      }
    } else if (ch === '>' || ch === '<') {
      // a 2 right before > (and alone as a word) is the file descriptor
      let fd: 0 | 1 | 2 = ch === '<' ? 0 : 1;
      const w = word as Word | null;
      if (ch === '>' && w && w.length === 1 && w[0]!.kind === 'text' && !w[0]!.quoted && (w[0]!.text === '2' || w[0]!.text === '1')) {
        fd = w[0]!.text === '2' ? 2 : 1;
        word = null;
      } else endWord();
      if (line.startsWith('<<', i))
        throw new ShellSyntaxError('<<: this terminal has no here-documents; put the text in a workspace file and use < FILE');
      if (line.startsWith('>&1', i) && fd === 2) {
        tokens.push({ t: 'redirect', fd: 2, op: '>&1' });
        i += 3;
      } else if (line.startsWith('>&', i)) {
        throw new ShellSyntaxError('>&: this terminal joins streams with 2>&1 only');
      } else if (line.startsWith('>>', i)) {
        tokens.push({ t: 'redirect', fd, op: '>>' });
        i += 2;
      } else {
        tokens.push({ t: 'redirect', fd, op: ch });
        i++;
      }
    } else {
      text(ch, false);
      i++;
    }
  }
  endWord();
  return tokens;
}

/** Reads a line into pipelines joined by `;`, `&&` and `||`; throws `ShellSyntaxError`. */
export function parseShellLine(line: string): ScriptItem[] {
  const tokens = tokenize(line);
  const items: ScriptItem[] = [];
  let op: ScriptItem['op'] = ';';
  let pipeline: Pipeline = [];
  let command: SimpleCommand = { assignments: [], words: [], redirects: [] };
  const empty = (c: SimpleCommand) => c.words.length === 0 && c.assignments.length === 0 && c.redirects.length === 0;
  const endCommand = (what: string) => {
    if (empty(command)) throw new ShellSyntaxError(`syntax error near unexpected token \`${what}'`);
    pipeline.push(command);
    command = { assignments: [], words: [], redirects: [] };
  };
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k]!;
    if (tok.t === 'word') {
      const first = tok.word[0];
      const assignment =
        command.words.length === 0 && first?.kind === 'text' && !first.quoted ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text) : null;
      if (assignment && first?.kind === 'text') {
        const value: Word = [{ ...first, text: first.text.slice(assignment[0].length) }, ...tok.word.slice(1)];
        command.assignments.push({ name: assignment[1]!, value });
      } else command.words.push(tok.word);
    } else if (tok.t === 'redirect') {
      if (tok.op === '>&1') {
        command.redirects.push({ fd: 2, op: '>&1' });
        continue;
      }
      const target = tokens[k + 1];
      if (target?.t !== 'word') throw new ShellSyntaxError(`syntax error: ${tok.op} needs a file name after it`);
      k++;
      if (tok.fd === 0) command.redirects.push({ fd: 0, op: '<', target: target.word });
      else command.redirects.push({ fd: tok.fd, op: tok.op as '>' | '>>', target: target.word });
    } else if (tok.op === '|') {
      endCommand('|');
    } else {
      // ; && ||
      if (empty(command) && pipeline.length === 0) {
        if (tok.op === ';' && k === tokens.length - 1 && items.length > 0) continue;
        throw new ShellSyntaxError(`syntax error near unexpected token \`${tok.op}'`);
      }
      endCommand(tok.op);
      items.push({ op, pipeline });
      pipeline = [];
      op = tok.op as ScriptItem['op'];
    }
  }
  if (!empty(command)) pipeline.push(command);
  else if (pipeline.length > 0) throw new ShellSyntaxError('syntax error: a | with nothing after it');
  else if (op !== ';') throw new ShellSyntaxError(`syntax error: ${op} with nothing after it`);
  if (pipeline.length > 0) items.push({ op, pipeline });
  return items;
}

/** Expands a word: variables from `env`, `$?` from `status`, `$(pwd)` to `pwd`; unquoted expansions split at white space. */
export function expandWord(word: Word, env: ReadonlyMap<string, string>, status: number, pwd: string): string[] {
  const out: string[] = [];
  let current: string | null = null;
  const add = (s: string) => (current = (current ?? '') + s);
  for (const part of word) {
    const value =
      part.kind === 'text' ? part.text : part.kind === 'pwd' ? pwd : part.name === '?' ? String(status) : (env.get(part.name) ?? '');
    if (part.kind === 'text' || part.quoted) {
      add(value);
      continue;
    }
    // an unquoted expansion: split into words at white space, as sh does
    const pieces = value.split(/[ \t\n]+/);
    pieces.forEach((piece, n) => {
      if (n > 0) {
        if (current !== null) out.push(current);
        current = null;
      }
      if (piece !== '') add(piece);
    });
  }
  if (current !== null) out.push(current);
  return out;
}
