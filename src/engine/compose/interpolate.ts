/**
 * Variable interpolation as the Compose Specification defines it: `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}` (nested in defaults),
 * `$$` for a literal `$`; applied to every string value of a compose file (never to keys), then the
 * values Compose casts (`tty: "${TTY}"` → a boolean, `scale: "2"` → a number) cast.
 */
import { ComposeFileError } from './model.ts';
import { whereOf, type RawMap, type RawValue } from './parse.ts';

/** A variable's value, `undefined` when it is not set. */
export type Lookup = (name: string) => string | undefined;

/** A `${` that is not a valid substitution. */
export class InvalidTemplateError extends Error {
  override name = 'InvalidTemplateError';
}

/** `${VAR:?message}` / `${VAR?message}` with the variable missing (or empty). */
export class MissingRequiredError extends Error {
  override name = 'MissingRequiredError';
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(reason ? `required variable ${variable} is missing a value: ${reason}` : `required variable ${variable} is missing a value`);
  }
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** The index of the `}` closing the `${` at `start`, counting braces as Compose does (-1: none before `last`). */
function closingBrace(s: string, start: number, last: number): number {
  let open = 0;
  for (let j = start; j <= last; j++) {
    if (s[j] === '}' && --open === 0) return j;
    if (s[j] === '{') {
      open++;
      j++;
    }
  }
  return -1;
}

/**
 * Substitutes the variables of one string. `onUnset` is told of each plain `$VAR`/`${VAR}` that is
 * not set (it becomes ''). Throws `InvalidTemplateError` or `MissingRequiredError`.
 */
export function substitute(template: string, lookup: Lookup, onUnset?: (name: string) => void): string {
  const plain = (name: string): string => {
    const value = lookup(name);
    if (value === undefined) onUnset?.(name);
    return value ?? '';
  };
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    const named = NAME.exec(template.slice(i + 1))?.[0];
    if (named) {
      out += plain(named);
      i += 1 + named.length;
      continue;
    }
    if (next !== '{') {
      out += '$';
      i++;
      continue;
    }
    const name = NAME.exec(template.slice(i + 2))?.[0];
    if (!name) throw new InvalidTemplateError();
    const afterName = i + 2 + name.length;
    if (template[afterName] === '}') {
      out += plain(name);
      i = afterName + 1;
      continue;
    }
    const op = /^:?[-+?]/.exec(template.slice(afterName))?.[0];
    if (!op) throw new InvalidTemplateError();
    const argStart = afterName + op.length;
    // Compose's pattern runs to the last `}` of the line; the braces' nesting decides where this one ends
    const newline = template.indexOf('\n', argStart);
    const last = template.lastIndexOf('}', (newline < 0 ? template.length : newline) - 1);
    if (last < argStart) throw new InvalidTemplateError();
    const close = closingBrace(template, i, last);
    const end = close >= 0 ? close : last;
    const arg = substitute(template.slice(argStart, end), lookup, onUnset);
    const value = lookup(name);
    const empty = value === undefined || (op.startsWith(':') && value === '');
    switch (op.replace(':', '')) {
      case '-':
        out += empty ? arg : value!;
        break;
      case '+':
        out += empty ? (value ?? '') : arg;
        break;
      default:
        if (empty) throw new MissingRequiredError(name, arg);
        out += value;
    }
    i = end + 1;
  }
  return out;
}

type Cast = (text: string, warn: (message: string) => void) => RawValue;

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf(inity)?|nan)$/i;

const toInt =
  (fn: string): Cast =>
  (text) => {
    if (!INT.test(text)) throw new Error(`strconv.${fn}: parsing ${JSON.stringify(text)}: invalid syntax`);
    return Number(text);
  };
const toFloat: Cast = (text) => {
  if (!FLOAT.test(text)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  const lower = text.toLowerCase().replace(/^\+/, '');
  return lower.endsWith('inf') || lower.endsWith('infinity') ? (lower.startsWith('-') ? -Infinity : Infinity) : Number(text);
};
const toBool: Cast = (text, warn) => {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  const yes = ['y', 'yes', 'on'].includes(lower);
  if (!yes && !['n', 'no', 'off'].includes(lower)) throw new Error(`invalid boolean: ${text}`);
  warn(`${JSON.stringify(text)} for boolean is not supported by YAML 1.2, please use \`${yes}\``);
  return yes;
};

/** The paths whose strings Compose casts after interpolation (`*`: any key, `[]`: any list item). */
const CASTS: readonly [string, Cast][] = [
  ...(
    [
      ['cpu_count', toInt('ParseInt')],
      ['cpu_percent', toFloat],
      ['cpu_period', toInt('ParseInt')],
      ['cpu_quota', toInt('ParseInt')],
      ['cpu_rt_period', toInt('ParseInt')],
      ['cpu_rt_runtime', toInt('ParseInt')],
      ['cpus', toFloat],
      ['cpu_shares', toInt('ParseInt')],
      ['init', toBool],
      ['deploy.replicas', toInt('Atoi')],
      ['deploy.update_config.parallelism', toInt('Atoi')],
      ['deploy.update_config.max_failure_ratio', toFloat],
      ['deploy.rollback_config.parallelism', toInt('Atoi')],
      ['deploy.rollback_config.max_failure_ratio', toFloat],
      ['deploy.restart_policy.max_attempts', toInt('Atoi')],
      ['deploy.placement.max_replicas_per_node', toInt('Atoi')],
      ['healthcheck.retries', toInt('Atoi')],
      ['healthcheck.disable', toBool],
      ['oom_kill_disable', toBool],
      ['oom_score_adj', toInt('ParseInt')],
      ['pids_limit', toInt('ParseInt')],
      ['ports.[].target', toInt('Atoi')],
      ['privileged', toBool],
      ['read_only', toBool],
      ['scale', toInt('Atoi')],
      ['stdin_open', toBool],
      ['tty', toBool],
      ['ulimits.*', toInt('Atoi')],
      ['ulimits.*.hard', toInt('Atoi')],
      ['ulimits.*.soft', toInt('Atoi')],
      ['volumes.[].read_only', toBool],
      ['volumes.[].volume.nocopy', toBool],
    ] as const
  ).map(([p, cast]): [string, Cast] => [`services.*.${p}`, cast]),
  ...['external', 'internal', 'attachable', 'enable_ipv4', 'enable_ipv6'].map((k): [string, Cast] => [`networks.*.${k}`, toBool]),
  ...['volumes', 'secrets', 'configs'].map((k): [string, Cast] => [`${k}.*.external`, toBool]),
];
const CAST_PATTERNS = CASTS.map(([p, cast]) => ({ parts: p.split('.'), cast }));

function castFor(path: readonly string[]): Cast | undefined {
  return CAST_PATTERNS.find((c) => c.parts.length === path.length && c.parts.every((p, i) => p === '*' || p === path[i]))?.cast;
}

/** What interpolating a whole document needs. */
export interface InterpolateOptions {
  readonly lookup: Lookup;
  /** The file (for errors without a position). */
  readonly file: string;
  /** Collects warnings (unset variables, YAML 1.1 booleans). */
  readonly warn: (message: string) => void;
}

/** Interpolates every string value of a document in place (keys untouched), casting where Compose casts. */
export function interpolateDocument(root: RawMap, options: InterpolateOptions): void {
  const onUnset = (name: string): void => options.warn(`The ${JSON.stringify(name)} variable is not set. Defaulting to a blank string.`);
  const visit = (container: RawMap | RawValue[], key: string | number, value: RawValue, path: string[]): RawValue => {
    if (typeof value === 'string') {
      const where = whereOf(container, key) ?? { file: options.file, line: 0 };
      const dotted = path.join('.');
      let text: string;
      try {
        text = substitute(value, options.lookup, onUnset);
      } catch (e) {
        if (e instanceof InvalidTemplateError)
          throw new ComposeFileError(
            `invalid interpolation format for ${dotted}: ${JSON.stringify(value)}. You may need to escape any $ characters with a second $`,
            where,
          );
        throw new ComposeFileError(`error while interpolating ${dotted}: ${(e as Error).message}`, where);
      }
      const cast = castFor(path);
      if (!cast) return text;
      try {
        return cast(text, options.warn);
      } catch (e) {
        throw new ComposeFileError(`error while interpolating ${dotted}: failed to cast to expected type: ${(e as Error).message}`, where);
      }
    }
    if (Array.isArray(value)) value.forEach((item, i) => (value[i] = visit(value, i, item, [...path, '[]'])));
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) value[k] = visit(value, k, v, [...path, k]);
    return value;
  };
  for (const [k, v] of Object.entries(root)) root[k] = visit(root, k, v, [k]);
}
