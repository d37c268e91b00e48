/**
 * A subset of Go's text/template, enough for `--format` the way Docker users write it:
 * `{{.ID}}`, `{{.State.Status}}`, `{{json .Config}}`, pipelines (`{{.Name | upper}}`),
 * `{{if}}`/`{{else}}`/`{{range}}`/`{{with}}`/`{{end}}`, variables (`{{range $k, $v := .Labels}}`),
 * `{{- trim -}}` markers, Go's builtins (`index`, `len`, `eq`, `printf`...) and Docker's
 * template functions (`json`, `join`, `split`, `upper`, `lower`, `title`, `pad`, `truncate`).
 */
import { goQuote } from './format.ts';

/** A template that failed to parse or execute; the message follows Go's ("template: :1: ..."). */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Arg =
  | { t: 'field'; path: string[]; src: string }
  | { t: 'var'; name: string; path: string[]; src: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'ident'; name: string }
  | { t: 'pipe'; pipe: Pipe; path: string[] };

interface Pipe {
  decl: string[];
  cmds: Arg[][];
}

type Node =
  | { t: 'text'; s: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if' | 'with'; pipe: Pipe; body: Node[]; alt: Node[] }
  | { t: 'range'; pipe: Pipe; body: Node[]; alt: Node[] };

/** How to look up fields: row contexts fail on unknown fields like Go structs do, inspect data prints "<no value>". */
export interface TemplateOptions {
  /** Type named in "can't evaluate field X in type T" errors; when unset, missing fields are "<no value>". */
  strictType?: string;
  /** Header mode: fields resolve through this map and functions pass their first argument through (Docker's HeaderFunctions). */
  header?: Record<string, string>;
}

// ---------------------------------------------------------------- lexing actions

type Tok = { k: 'field' | 'var' | 'str' | 'num' | 'ident' | 'punct' | 'bool' | 'nil'; v: string };

function lexAction(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new TemplateError(`template: :1: ${msg}`);
  };
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '|' || c === ',') {
      toks.push({ k: 'punct', v: c });
      i++;
      continue;
    }
    if (c === ':' && src[i + 1] === '=') {
      toks.push({ k: 'punct', v: ':=' });
      i += 2;
      continue;
    }
    if (c === '=') {
      toks.push({ k: 'punct', v: '=' });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') {
          const n = src[j + 1] ?? '';
          const map: Record<string, string> = {
            n: '\n',
            t: '\t',
            r: '\r',
            '\\': '\\',
            '"': '"',
            "'": "'",
            a: '\x07',
            b: '\b',
            f: '\f',
            v: '\v',
          };
          s += map[n] ?? n;
          j += 2;
        } else {
          s += src[j];
          j++;
        }
      }
      if (j >= src.length) fail('unterminated quoted string');
      toks.push({ k: 'str', v: s });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) fail('unterminated raw quoted string');
      toks.push({ k: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const m = /^(\.[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*)/.exec(
      src.slice(i),
    );
    if (!m) return fail(`unexpected "${c}" in command`);
    const w = m[0];
    if (w.startsWith('.')) toks.push({ k: 'field', v: w });
    else if (w.startsWith('$')) toks.push({ k: 'var', v: w });
    else if (/^-?\d/.test(w)) toks.push({ k: 'num', v: w });
    else if (w === 'true' || w === 'false') toks.push({ k: 'bool', v: w });
    else if (w === 'nil') toks.push({ k: 'nil', v: w });
    else toks.push({ k: 'ident', v: w });
    i += w.length;
  }
  return toks;
}

function parsePipe(toks: Tok[], pos: { i: number }, closer?: string): Pipe {
  const pipe: Pipe = { decl: [], cmds: [] };
  // variable declarations: $x := ... or $i, $v := ...
  const save = pos.i;
  const decl: string[] = [];
  while (toks[pos.i]?.k === 'var') {
    decl.push((toks[pos.i]?.v ?? '').slice(1));
    pos.i++;
    if (toks[pos.i]?.v === ',') {
      pos.i++;
      continue;
    }
    break;
  }
  if (decl.length > 0 && (toks[pos.i]?.v === ':=' || toks[pos.i]?.v === '=')) {
    pos.i++;
    pipe.decl = decl;
  } else {
    pos.i = save;
  }
  let cmd: Arg[] = [];
  while (pos.i < toks.length) {
    const tok = toks[pos.i] as Tok;
    if (tok.k === 'punct' && tok.v === closer) break;
    pos.i++;
    if (tok.k === 'punct') {
      if (tok.v === '|') {
        if (cmd.length === 0) throw new TemplateError('template: :1: missing command');
        pipe.cmds.push(cmd);
        cmd = [];
        continue;
      }
      if (tok.v === '(') {
        const inner = parsePipe(toks, pos, ')');
        if (toks[pos.i]?.v !== ')') throw new TemplateError('template: :1: unclosed left paren');
        pos.i++;
        let path: string[] = [];
        const next = toks[pos.i];
        if (next?.k === 'field' && next.v !== '.') {
          path = next.v.slice(1).split('.');
          pos.i++;
        }
        cmd.push({ t: 'pipe', pipe: inner, path });
        continue;
      }
      throw new TemplateError(`template: :1: unexpected "${tok.v}" in command`);
    }
    switch (tok.k) {
      case 'field':
        cmd.push({ t: 'field', path: tok.v === '.' ? [] : tok.v.slice(1).split('.'), src: tok.v });
        break;
      case 'var': {
        const [name = '', ...path] = tok.v.slice(1).split('.');
        cmd.push({ t: 'var', name, path, src: tok.v });
        break;
      }
      case 'str':
        cmd.push({ t: 'str', v: tok.v });
        break;
      case 'num':
        cmd.push({ t: 'num', v: Number(tok.v) });
        break;
      case 'bool':
        cmd.push({ t: 'bool', v: tok.v === 'true' });
        break;
      case 'nil':
        cmd.push({ t: 'nil' });
        break;
      default:
        cmd.push({ t: 'ident', name: tok.v });
    }
  }
  if (cmd.length > 0) pipe.cmds.push(cmd);
  else if (pipe.cmds.length > 0) throw new TemplateError('template: :1: missing command');
  if (pipe.cmds.length === 0) throw new TemplateError('template: :1: missing value for command');
  return pipe;
}

/** A parsed template, ready to execute against any number of values. */
export class Template {
  private constructor(private readonly nodes: Node[]) {}

  /** Parses `src`; throws TemplateError with Go's wording for the common mistakes. */
  static parse(src: string): Template {
    const root: Node[] = [];
    const stack: { node: Node & { body: Node[]; alt: Node[] }; inElse: boolean; chained?: boolean }[] = [];
    const target = (): Node[] => {
      const top = stack[stack.length - 1];
      if (!top) return root;
      return top.inElse ? top.node.alt : top.node.body;
    };
    let i = 0;
    let trimNext = false;
    while (i < src.length) {
      const open = src.indexOf('{{', i);
      let text = open < 0 ? src.slice(i) : src.slice(i, open);
      if (trimNext) text = text.replace(/^\s+/, '');
      trimNext = false;
      if (open < 0) {
        if (text) target().push({ t: 'text', s: text });
        break;
      }
      const close = src.indexOf('}}', open + 2);
      if (close < 0) throw new TemplateError('template: :1: unclosed action');
      let inner = src.slice(open + 2, close);
      if (/^-\s/.test(inner)) {
        text = text.replace(/\s+$/, '');
        inner = inner.slice(1);
      }
      if (/\s-$/.test(inner)) {
        trimNext = true;
        inner = inner.slice(0, -1);
      }
      if (text) target().push({ t: 'text', s: text });
      i = close + 2;
      inner = inner.trim();
      if (inner.startsWith('/*')) continue;
      const toks = lexAction(inner);
      const first = toks[0];
      if (!first) throw new TemplateError('template: :1: missing value for command');
      const kw = first.k === 'ident' ? first.v : '';
      if (kw === 'end') {
        // an {{else if}} opened a chained if that closes together with its parent
        let popped = stack.pop();
        if (!popped) throw new TemplateError('template: :1: unexpected {{end}}');
        while (popped?.chained) popped = stack.pop();
        continue;
      }
      if (kw === 'else') {
        const top = stack[stack.length - 1];
        if (!top || top.inElse) throw new TemplateError('template: :1: unexpected {{else}}');
        top.inElse = true;
        if (toks[1]?.k === 'ident' && toks[1].v === 'if') {
          const node = { t: 'if' as const, pipe: parsePipe(toks, { i: 2 }), body: [], alt: [] };
          top.node.alt.push(node);
          stack.push({ node, inElse: false, chained: true });
        }
        continue;
      }
      if (kw === 'if' || kw === 'range' || kw === 'with') {
        const node = { t: kw, pipe: parsePipe(toks, { i: 1 }), body: [], alt: [] } as Node & { body: Node[]; alt: Node[] };
        target().push(node);
        stack.push({ node, inElse: false });
        continue;
      }
      const pos = { i: 0 };
      const pipe = parsePipe(toks, pos);
      if (pos.i < toks.length) throw new TemplateError(`template: :1: unexpected "${toks[pos.i]?.v ?? ''}" in operand`);
      target().push({ t: 'action', pipe });
    }
    if (stack.length > 0) throw new TemplateError('template: :1: unexpected EOF');
    return new Template(root);
  }

  /** Runs the template with `data` as dot; throws TemplateError on execution errors. */
  execute(data: unknown, options: TemplateOptions = {}): string {
    const ctx = new ExecContext(options, data);
    return ctx.run(this.nodes, data, new Map([['', data]]));
  }
}

/** A Go template's output for one value (parse + execute). */
export function renderTemplate(src: string, data: unknown, options: TemplateOptions = {}): string {
  return Template.parse(src).execute(data, options);
}

// ---------------------------------------------------------------- values

/** Go's truthiness: false, 0, nil, empty string, array or map are false. */
function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Go's fmt `%v` for JSON-like values: `[a b]`, `map[k:v]`, `<nil>`, `<no value>`. */
export function goPrint(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return '[' + v.map((x) => (x === undefined ? '<nil>' : goPrint(x))).join(' ') + ']';
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return 'map[' + keys.map((k) => `${k}:${goPrint((v as Record<string, unknown>)[k] ?? null)}`).join(' ') + ']';
  }
  return String(v);
}

/** Go's `encoding/json` compact output without HTML escaping (Docker's `json` template function). */
export function goJSON(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v) ?? 'null';
}

function fmtVerb(verb: string, v: unknown): string {
  switch (verb) {
    case 'd':
      return typeof v === 'number' ? String(Math.trunc(v)) : `%!d(${typeof v}=${goPrint(v)})`;
    case 'q':
      return typeof v === 'string' ? goQuote(v) : goPrint(v);
    default:
      return goPrint(v);
  }
}

function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  return format.replace(/%([-+# 0]*\d*(?:\.\d+)?)([%sdvqtx])/g, (_m, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) return `%!${verb}(MISSING)`;
    return fmtVerb(verb, args[n++]);
  });
}

type Fn = (...args: unknown[]) => unknown;

function str(v: unknown): string {
  return typeof v === 'string' ? v : goPrint(v);
}

function eq(a: unknown, b: unknown): boolean {
  return a === b || (a === undefined && b === null) || (a === null && b === undefined);
}

const FUNCS: Record<string, Fn> = {
  json: (v) => goJSON(v),
  join: (list, sep) => (Array.isArray(list) ? list.map(str).join(str(sep)) : str(list)),
  split: (s, sep) => str(s).split(str(sep)),
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  title: (s) => str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()),
  pad: (s, prefix, suffix) => {
    const t = str(s);
    return t === '' ? t : ' '.repeat(Number(prefix) || 0) + t + ' '.repeat(Number(suffix) || 0);
  },
  truncate: (s, n) => {
    const t = str(s);
    const len = Number(n) || 0;
    return t.length < len ? t : t.slice(0, len);
  },
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v && typeof v === 'object') return Object.keys(v).length;
    throw new TemplateError(`error calling len: len of type ${v === null ? 'nil' : typeof v}`);
  },
  index: (v, ...keys) => {
    let cur: unknown = v;
    for (const k of keys) {
      if (Array.isArray(cur)) {
        const i = Number(k);
        if (!Number.isInteger(i) || i < 0 || i >= cur.length)
          throw new TemplateError(`error calling index: index out of range: ${goPrint(k)}`);
        cur = cur[i];
      } else if (cur && typeof cur === 'object') {
        cur = (cur as Record<string, unknown>)[str(k)];
      } else {
        throw new TemplateError(`error calling index: can't index item of type ${cur === null || cur === undefined ? 'nil' : typeof cur}`);
      }
    }
    return cur;
  },
  print: (...args) => {
    let out = '';
    args.forEach((a, i) => {
      if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
      out += goPrint(a);
    });
    return out;
  },
  println: (...args) => args.map(goPrint).join(' ') + '\n',
  printf: (f, ...args) => sprintf(str(f), args),
  not: (v) => !truth(v),
  and: (...args) => {
    for (const a of args) if (!truth(a)) return a;
    return args[args.length - 1];
  },
  or: (...args) => {
    for (const a of args) if (truth(a)) return a;
    return args[args.length - 1];
  },
  eq: (a, ...bs) => bs.some((b) => eq(a, b)),
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
};

class ExecContext {
  constructor(
    private readonly options: TemplateOptions,
    private readonly root: unknown,
  ) {}

  run(nodes: Node[], dot: unknown, vars: Map<string, unknown>): string {
    let out = '';
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          out += n.s;
          break;
        case 'action': {
          const v = this.pipe(n.pipe, dot, vars);
          if (n.pipe.decl.length === 0) out += goPrint(v);
          break;
        }
        case 'if': {
          const scope = new Map(vars);
          const v = this.pipe(n.pipe, dot, scope);
          out += truth(v) ? this.run(n.body, dot, scope) : this.run(n.alt, dot, scope);
          break;
        }
        case 'with': {
          const scope = new Map(vars);
          const v = this.pipe(n.pipe, dot, scope);
          out += truth(v) ? this.run(n.body, v, scope) : this.run(n.alt, dot, scope);
          break;
        }
        case 'range': {
          const scope = new Map(vars);
          const decl = n.pipe.decl;
          const v = this.pipe({ decl: [], cmds: n.pipe.cmds }, dot, scope);
          let entries: [unknown, unknown][] = [];
          if (Array.isArray(v)) entries = v.map((x, i) => [i, x]);
          else if (v && typeof v === 'object')
            entries = Object.keys(v)
              .sort()
              .map((k) => [k, (v as Record<string, unknown>)[k]]);
          else if (typeof v === 'number') entries = Array.from({ length: v }, (_x, i) => [i, i]);
          else if (v !== undefined && v !== null) throw new TemplateError(`template: :1: range can't iterate over ${goPrint(v)}`);
          if (entries.length === 0) {
            out += this.run(n.alt, dot, scope);
            break;
          }
          for (const [k, x] of entries) {
            const inner = new Map(scope);
            if (decl.length === 1) inner.set(decl[0] ?? '', x);
            else if (decl.length >= 2) {
              inner.set(decl[0] ?? '', k);
              inner.set(decl[1] ?? '', x);
            }
            out += this.run(n.body, x, inner);
          }
          break;
        }
      }
    }
    return out;
  }

  private field(base: unknown, path: string[], src: string): unknown {
    let cur = base;
    for (const name of path) {
      if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) {
        const rec = cur as Record<string, unknown>;
        if (Object.prototype.hasOwnProperty.call(rec, name)) {
          cur = rec[name];
          continue;
        }
        if (this.options.strictType && cur === this.root) {
          throw new TemplateError(
            `template: :1:2: executing "" at <${src}>: can't evaluate field ${name} in type ${this.options.strictType}`,
          );
        }
        cur = undefined;
        continue;
      }
      if (cur === undefined || cur === null) {
        if (cur === null) throw new TemplateError(`template: :1:2: executing "" at <${src}>: nil pointer evaluating interface {}.${name}`);
        return undefined;
      }
      throw new TemplateError(
        `template: :1:2: executing "" at <${src}>: can't evaluate field ${name} in type ${Array.isArray(cur) ? '[]interface {}' : typeof cur}`,
      );
    }
    return cur;
  }

  private arg(a: Arg, dot: unknown, vars: Map<string, unknown>): unknown {
    switch (a.t) {
      case 'field':
        if (this.options.header) {
          if (a.path.length === 0) return this.options.header;
          return this.options.header[a.path.join('.')] ?? '';
        }
        return this.field(dot, a.path, a.src);
      case 'var': {
        if (!vars.has(a.name)) throw new TemplateError(`template: :1: undefined variable "$${a.name}"`);
        return this.field(vars.get(a.name), a.path, a.src);
      }
      case 'str':
        return a.v;
      case 'num':
        return a.v;
      case 'bool':
        return a.v;
      case 'nil':
        return null;
      case 'pipe': {
        const v = this.pipe(a.pipe, dot, vars);
        return a.path.length ? this.field(v, a.path, '.' + a.path.join('.')) : v;
      }
      case 'ident': {
        const fn = FUNCS[a.name];
        if (!fn) throw new TemplateError(`template: :1: function "${a.name}" not defined`);
        return this.call(a.name, fn, []);
      }
    }
  }

  private call(name: string, fn: Fn, args: unknown[]): unknown {
    if (this.options.header) {
      // Docker's HeaderFunctions: every function returns its first argument untouched.
      if (
        name === 'json' ||
        name === 'join' ||
        name === 'split' ||
        name === 'lower' ||
        name === 'upper' ||
        name === 'title' ||
        name === 'pad' ||
        name === 'truncate'
      ) {
        return args[0] ?? '';
      }
    }
    return fn(...args);
  }

  private pipe(p: Pipe, dot: unknown, vars: Map<string, unknown>): unknown {
    let prev: unknown;
    let first = true;
    for (const cmd of p.cmds) {
      const head = cmd[0];
      if (!head) continue;
      if (head.t === 'ident') {
        const fn = FUNCS[head.name];
        if (!fn) throw new TemplateError(`template: :1: function "${head.name}" not defined`);
        const args = cmd.slice(1).map((a) => this.arg(a, dot, vars));
        if (!first) args.push(prev);
        prev = this.call(head.name, fn, args);
      } else {
        if (cmd.length > 1)
          throw new TemplateError(
            `template: :1: can't give argument to non-function ${head.t === 'field' ? head.src : goPrint(this.arg(head, dot, vars))}`,
          );
        if (!first) throw new TemplateError('template: :1: non executable command in pipeline stage 2');
        prev = this.arg(head, dot, vars);
      }
      first = false;
    }
    for (const name of p.decl) vars.set(name, prev);
    return prev;
  }
}
