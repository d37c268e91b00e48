/**
 * The host tools of the terminal's shell, as their GNU/busybox namesakes behave for what tutorials
 * type: `echo`, `pwd`, `export`, `unset`, `cat`, `grep`, `head`, `tail`, `wc`, `true`, `false`.
 * They read stdin or workspace files and write bytes; nothing is faked: a missing file or an
 * unknown flag is an error with the tool's own wording.
 */
import type { CommandIO, ShellState } from './run.ts';

/** The names of the host tools. */
export const HOST_TOOLS: ReadonlySet<string> = new Set([
  'echo',
  'pwd',
  'export',
  'unset',
  'cat',
  'grep',
  'head',
  'tail',
  'wc',
  'true',
  'false',
]);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class Usage extends Error {}

/** Lines of `text`, each with its newline (the last may have none). */
function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Reads the inputs a filter names (`-` or none: stdin); a missing file is reported and skipped. */
function inputs(
  tool: string,
  files: string[],
  io: CommandIO,
  read: (path: string) => Uint8Array | undefined,
): { name: string; data: Uint8Array }[] | number {
  if (files.length === 0 || (files.length === 1 && files[0] === '-')) return [{ name: '-', data: io.stdin ?? new Uint8Array() }];
  const out: { name: string; data: Uint8Array }[] = [];
  let missing = false;
  for (const f of files) {
    const data = f === '-' ? (io.stdin ?? new Uint8Array()) : read(f);
    if (!data) {
      io.stderr(encoder.encode(`${tool}: ${f}: No such file or directory\n`));
      missing = true;
    } else out.push({ name: f, data });
  }
  return missing && out.length === 0 ? 1 : out;
}

/** `-n N`, `-nN`, `-N` or `--lines=N` for head and tail (default 10). */
function count(tool: string, args: string[]): { n: number; files: string[] } {
  let n = 10;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let value: string | undefined;
    if (a === '-n') value = args[++i];
    else if (a.startsWith('--lines=')) value = a.slice(8);
    else if (/^-n\d+$/.test(a)) value = a.slice(2);
    else if (/^-\d+$/.test(a)) value = a.slice(1);
    else if (a.startsWith('-') && a !== '-') throw new Usage(`${tool}: invalid option -- '${a.replace(/^-+/, '')}'`);
    else files.push(a);
    if (value !== undefined) {
      if (!/^\d+$/.test(value)) throw new Usage(`${tool}: invalid number of lines: '${value ?? ''}'`);
      n = Number(value);
    }
  }
  return { n, files };
}

/** Runs host tool `name`; returns its exit status. */
export function hostTool(
  name: string,
  args: string[],
  io: CommandIO,
  state: ShellState,
  read: (path: string) => Uint8Array | undefined,
): number {
  const say = (s: string) => io.stdout(encoder.encode(s));
  try {
    switch (name) {
      case 'true':
        return 0;
      case 'false':
        return 1;
      case 'pwd':
        say(`${state.pwd}\n`);
        return 0;
      case 'echo': {
        const noNewline = args[0] === '-n';
        say(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
        return 0;
      }
      case 'export':
      case 'unset': {
        if (args.length === 0 && name === 'export') {
          for (const [k, v] of [...state.env].sort()) say(`export ${k}='${v.replace(/'/g, `'\\''`)}'\n`);
          return 0;
        }
        for (const a of args) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/s.exec(a);
          if (!m) throw new Usage(`${name}: \`${a}': not a valid identifier`);
          if (name === 'unset') state.env.delete(m[1]!);
          else if (m[2] !== undefined) state.env.set(m[1]!, m[2]);
          else if (!state.env.has(m[1]!)) state.env.set(m[1]!, '');
        }
        return 0;
      }
      case 'cat': {
        const got = inputs('cat', args, io, read);
        if (typeof got === 'number') return got;
        for (const f of got) io.stdout(f.data);
        return got.length === args.length || args.length === 0 ? 0 : 1;
      }
      case 'head':
      case 'tail': {
        const { n, files } = count(name, args);
        const got = inputs(name, files, io, read);
        if (typeof got === 'number') return got;
        got.forEach((f, k) => {
          if (got.length > 1) say(`${k > 0 ? '\n' : ''}==> ${f.name} <==\n`);
          const all = lines(decoder.decode(f.data));
          say((name === 'head' ? all.slice(0, n) : n === 0 ? [] : all.slice(-n)).join(''));
        });
        return 0;
      }
      case 'wc': {
        const flags = new Set<string>();
        const files: string[] = [];
        for (const a of args) {
          if (/^-[lwc]+$/.test(a)) for (const c of a.slice(1)) flags.add(c);
          else if (a.startsWith('-') && a !== '-') throw new Usage(`wc: invalid option -- '${a.slice(1)}'`);
          else files.push(a);
        }
        const show = flags.size ? flags : new Set(['l', 'w', 'c']);
        const got = inputs('wc', files, io, read);
        if (typeof got === 'number') return got;
        const measured = got.map((f) => {
          const text = decoder.decode(f.data);
          return { name: f.name, l: (text.match(/\n/g) ?? []).length, w: text.split(/\s+/).filter(Boolean).length, c: f.data.length };
        });
        const totals = measured.reduce((t, m) => ({ l: t.l + m.l, w: t.w + m.w, c: t.c + m.c }), { l: 0, w: 0, c: 0 });
        const keys = (['l', 'w', 'c'] as const).filter((k) => show.has(k));
        // as GNU wc: one count of one input unpadded; reading stdin, 7 wide; else as wide as the largest
        const width =
          keys.length === 1 && got.length === 1
            ? 0
            : got.some((f) => f.name === '-')
              ? 7
              : Math.max(...keys.map((k) => String(totals[k]).length));
        const row = (counts: { l: number; w: number; c: number }, label: string) =>
          say(`${keys.map((k) => String(counts[k]).padStart(width)).join(' ')}${label && label !== '-' ? ` ${label}` : ''}\n`);
        for (const m of measured) row(m, m.name);
        if (got.length > 1) row(totals, 'total');
        return 0;
      }
      case 'grep':
        return grep(args, io, read);
    }
  } catch (err) {
    if (!(err instanceof Usage)) throw err;
    io.stderr(encoder.encode(`${err.message}\n`));
    return 2;
  }
  return 127;
}

function grep(args: string[], io: CommandIO, read: (path: string) => Uint8Array | undefined): number {
  const flags = new Set<string>();
  const rest: string[] = [];
  let pattern: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e') pattern = args[++i];
    else if (/^-[ivcnEFwq]+$/.test(a)) for (const c of a.slice(1)) flags.add(c);
    else if (a.startsWith('-') && a !== '-') throw new Usage(`grep: invalid option -- '${a.replace(/^-+/, '')}'`);
    else rest.push(a);
  }
  if (pattern === undefined) pattern = rest.shift();
  if (pattern === undefined) throw new Usage('Usage: grep [OPTION]... PATTERNS [FILE]...');
  let source = flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern;
  // basic regular expressions: \| \( \) \+ \? are the operators, | ( ) + ? are literal
  if (!flags.has('E') && !flags.has('F')) source = source.replace(/\\([|()+?{}])|([|()+?{}])/g, (_, op, lit) => (op ? op : `\\${lit}`));
  if (flags.has('w')) source = `\\b(?:${source})\\b`;
  let re: RegExp;
  try {
    re = new RegExp(source, flags.has('i') ? 'i' : '');
  } catch {
    throw new Usage(`grep: invalid regular expression: ${pattern}`);
  }
  const got = inputs('grep', rest, io, read);
  if (typeof got === 'number') return 2;
  let matched = 0;
  for (const f of got) {
    let n = 0;
    let inFile = 0;
    for (const line of lines(decoder.decode(f.data))) {
      n++;
      const hit = re.test(line.replace(/\n$/, '')) !== flags.has('v');
      if (!hit) continue;
      matched++;
      inFile++;
      if (flags.has('q') || flags.has('c')) continue;
      const prefix = `${got.length > 1 ? `${f.name}:` : ''}${flags.has('n') ? `${n}:` : ''}`;
      io.stdout(encoder.encode(`${prefix}${line.endsWith('\n') ? line : `${line}\n`}`));
    }
    if (flags.has('c') && !flags.has('q')) io.stdout(encoder.encode(`${got.length > 1 ? `${f.name}:` : ''}${inFile}\n`));
  }
  return matched > 0 ? 0 : 1;
}
