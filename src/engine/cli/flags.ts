/**
 * Flag parsing and help text in the manner of spf13/pflag and cobra as the Docker CLI sets them
 * up: `-a` / `--all`, combined shorthands (`-it`), `--flag=value` and `--flag value`, `-e=x`
 * and `-ex`, repeated list flags, `--` to end flags, non-interspersed commands (`docker run`
 * stops at the image), and pflag's error wording and `FlagUsagesWrapped` layout.
 */
import { InvalidSizeError, ramInBytes } from './format.ts';

/** Value kinds, named after the type pflag prints in help ("list", "bytes", "filter"...). */
export type FlagKind = 'bool' | 'string' | 'int' | 'list' | 'bytes' | 'filter' | 'map' | 'duration' | 'stringArray';

/** One flag of a command. */
export interface FlagDef {
  /** Long name, without dashes. */
  name: string;
  /** One-letter shorthand. */
  short?: string;
  kind: FlagKind;
  /** Help text (may contain newlines, as Docker's --format help does). */
  usage: string;
  /** Default shown as `(default X)`; a string default is quoted like pflag does. */
  defValue?: string;
  /** Name shown after the flag instead of the kind ("string", "list"...). */
  typeName?: string;
  /** Not listed in help. */
  hidden?: boolean;
  /** A Docker flag LayerLab knows but does not implement: the reason, printed when used. */
  unsupported?: string;
}

/** A flag the user got wrong, worded like pflag ("unknown flag: --x"). */
export class FlagError extends Error {
  override name = 'FlagError';
}

/** The flags and positional arguments of one command line. */
export class ParsedFlags {
  /** Values per long name, in the order given (bools hold "true"/"false"). */
  readonly values = new Map<string, string[]>();
  /** Positional arguments (after flags; everything after `--` or the first positional when not interspersed). */
  readonly args: string[] = [];
  /** Set when `--help` (or an unclaimed `-h`) was given. */
  help = false;

  /** True when the flag was given. */
  changed(name: string): boolean {
    return this.values.has(name);
  }

  /** The last value given for a flag, or undefined. */
  string(name: string): string | undefined {
    const v = this.values.get(name);
    return v ? v[v.length - 1] : undefined;
  }

  /** Every value given for a repeatable flag. */
  list(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  /** A bool flag, `fallback` when absent. */
  bool(name: string, fallback = false): boolean {
    const v = this.string(name);
    return v === undefined ? fallback : v === 'true';
  }

  /** An int flag, `fallback` when absent (already validated while parsing). */
  int(name: string, fallback: number): number {
    const v = this.string(name);
    return v === undefined ? fallback : Number(v);
  }
}

/** pflag's name of a flag in messages: `-m, --memory` or `--pids-limit`. */
function flagTitle(f: FlagDef): string {
  return f.short ? `-${f.short}, --${f.name}` : `--${f.name}`;
}

const BOOL_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const BOOL_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function convert(f: FlagDef, raw: string): string {
  const bad = (reason: string): FlagError => new FlagError(`invalid argument "${raw}" for "${flagTitle(f)}" flag: ${reason}`);
  switch (f.kind) {
    case 'bool':
      if (BOOL_TRUE.has(raw)) return 'true';
      if (BOOL_FALSE.has(raw)) return 'false';
      throw bad(`strconv.ParseBool: parsing "${raw}": invalid syntax`);
    case 'int':
      if (!/^[+-]?\d+$/.test(raw)) throw bad(`strconv.ParseInt: parsing "${raw}": invalid syntax`);
      if (!Number.isSafeInteger(Number(raw))) throw bad(`strconv.ParseInt: parsing "${raw}": value out of range`);
      return String(Number(raw));
    case 'bytes':
      try {
        return String(ramInBytes(raw));
      } catch (e) {
        if (e instanceof InvalidSizeError) throw bad(e.message);
        throw e;
      }
    case 'filter':
      if (!raw.includes('=')) throw bad('bad format of filter (expected name=value)');
      return raw;
    case 'map':
      if (!raw.includes('=')) throw bad(`invalid key value pair format: ${raw}`);
      return raw;
    case 'duration':
      if (!/^[+-]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$|^0$/.test(raw)) throw bad(`time: invalid duration "${raw}"`);
      return raw;
    default:
      return raw;
  }
}

/** Parses `argv` against `flags`; throws FlagError with pflag's wording. `interspersed: false` stops at the first positional. */
export function parseFlags(argv: readonly string[], flags: readonly FlagDef[], options: { interspersed?: boolean } = {}): ParsedFlags {
  const interspersed = options.interspersed ?? true;
  const out = new ParsedFlags();
  const byLong = new Map(flags.map((f) => [f.name, f]));
  const byShort = new Map(flags.filter((f) => f.short).map((f) => [f.short ?? '', f]));
  const set = (f: FlagDef, raw: string): void => {
    if (f.unsupported) throw new FlagError(f.unsupported);
    const value = convert(f, raw);
    const prev = out.values.get(f.name);
    if (prev) prev.push(value);
    else out.values.set(f.name, [value]);
  };

  let i = 0;
  while (i < argv.length) {
    const a = argv[i] ?? '';
    i++;
    if (a === '--') {
      out.args.push(...argv.slice(i));
      break;
    }
    if (a.length < 2 || a[0] !== '-') {
      out.args.push(a);
      if (!interspersed) {
        out.args.push(...argv.slice(i));
        break;
      }
      continue;
    }
    if (a.startsWith('--')) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      if (name === '' || name.startsWith('-') || name.startsWith('=')) throw new FlagError(`bad flag syntax: ${a}`);
      const f = byLong.get(name);
      if (!f) {
        if (name === 'help') {
          out.help = true;
          continue;
        }
        throw new FlagError(`unknown flag: --${name}`);
      }
      if (eq >= 0) set(f, body.slice(eq + 1));
      else if (f.kind === 'bool') set(f, 'true');
      else if (i < argv.length) set(f, argv[i++] ?? '');
      else throw new FlagError(`flag needs an argument: ${a}`);
      continue;
    }
    // shorthand cluster: -it, -e=A, -eA, -p 80
    let rest = a.slice(1);
    while (rest.length > 0) {
      const c = Array.from(rest)[0] ?? '';
      const after = rest.slice(c.length);
      const f = byShort.get(c);
      if (!f) {
        if (c === 'h') {
          out.help = true;
          rest = after;
          continue;
        }
        throw new FlagError(`unknown shorthand flag: '${c}' in -${rest}`);
      }
      if (after.startsWith('=')) {
        set(f, after.slice(1));
        rest = '';
      } else if (f.kind === 'bool') {
        set(f, 'true');
        rest = after;
      } else if (after.length > 0) {
        set(f, after);
        rest = '';
      } else if (i < argv.length) {
        set(f, argv[i++] ?? '');
        rest = '';
      } else {
        throw new FlagError(`flag needs an argument: '${c}' in -${rest}`);
      }
    }
  }
  return out;
}

/** Splits `s` on white space into a head of at most `i` bytes and the rest (pflag's wrapN). */
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

/** pflag's wrap: text wrapped to width `w`, continuation lines indented by `i`. */
function wrap(i: number, w: number, s: string): string {
  const indent = (n: number): string => ' '.repeat(n);
  if (w === 0) return s.replaceAll('\n', '\n' + indent(i));
  let width = w - i;
  let r = '';
  if (width < 24) {
    i = 16;
    width = w - i;
    r += '\n' + indent(i);
  }
  if (width < 24) return s.replaceAll('\n', r);
  const slop = 5;
  width -= slop;
  let [l, rest] = wrapN(width, slop, s);
  r += l.replaceAll('\n', '\n' + indent(i));
  while (rest !== '') {
    [l, rest] = wrapN(width, slop, rest);
    r += '\n' + indent(i) + l.replaceAll('\n', '\n' + indent(i));
  }
  return r;
}

/** pflag's `FlagUsagesWrapped(cols)`: the Options table of a help text (flags sorted by name). */
export function flagUsages(flags: readonly FlagDef[], cols: number): string {
  const visible = flags.filter((f) => !f.hidden && !f.unsupported).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines: string[] = [];
  let maxlen = 0;
  for (const f of visible) {
    let line = f.short ? `  -${f.short}, --${f.name}` : `      --${f.name}`;
    const varname = f.typeName ?? (f.kind === 'bool' ? '' : f.kind);
    if (varname) line += ' ' + varname;
    line += '\x00';
    if (line.length > maxlen) maxlen = line.length;
    line += f.usage;
    if (f.defValue !== undefined) line += f.kind === 'string' ? ` (default "${f.defValue}")` : ` (default ${f.defValue})`;
    lines.push(line);
  }
  let out = '';
  for (const line of lines) {
    const sidx = line.indexOf('\x00');
    out += `${line.slice(0, sidx)} ${' '.repeat(maxlen - sidx)} ${wrap(maxlen + 2, cols, line.slice(sidx + 1))}\n`;
  }
  return out;
}

/** Docker's `--format` help for list commands. */
export const FORMAT_HELP = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

/** Docker's `--format` help for inspect commands. */
export const INSPECT_FORMAT_HELP = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;
