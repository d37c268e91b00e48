/**
 * What Docker prints about images, reproduced exactly: BuildKit's `created_by` history strings
 * (`docker history`), the SIZE column (go-units `HumanSizeWithPrecision(size, 3)`, decimal
 * units, Go's `%.3g`) and the CREATED column (go-units `HumanDuration` + " ago").
 *
 * History style: BuildKit's (Docker's default builder since 23.0), not the legacy builder's
 * `/bin/sh -c #(nop)  CMD ["sh"]`: metadata steps read like the Dockerfile line with Go
 * formatting (`CMD ["sh" "-c" "x"]` is Go's `%q` of a string slice, `EXPOSE [80/tcp]` its
 * `%v`), steps that run LLB (RUN, COPY, ADD) end in ` # buildkit`, and every entry's comment
 * is `buildkit.dockerfile.v0`.
 */
import type { Healthcheck, History } from './types.ts';

/** The `comment` BuildKit's Dockerfile frontend writes on every history entry. */
export const BUILDKIT_HISTORY_COMMENT = 'buildkit.dockerfile.v0';

/** A key/value pair of ENV, LABEL or a RUN's build args. */
export type KeyValue = readonly [key: string, value: string];

/** One expanded Dockerfile step as the builder ran it (RUN/CMD/ENTRYPOINT `args` are the final argv). */
export type BuildStep =
  | { readonly instruction: 'RUN'; readonly args: readonly string[]; readonly buildArgs?: readonly KeyValue[] }
  | { readonly instruction: 'COPY' | 'ADD'; readonly sources: readonly string[]; readonly dest: string }
  | { readonly instruction: 'CMD' | 'ENTRYPOINT' | 'SHELL'; readonly args: readonly string[] }
  | { readonly instruction: 'ENV' | 'LABEL'; readonly pairs: readonly KeyValue[] }
  | { readonly instruction: 'ARG'; readonly args: readonly (readonly [key: string, value?: string])[] }
  | { readonly instruction: 'EXPOSE'; readonly ports: readonly string[] }
  | { readonly instruction: 'VOLUME'; readonly paths: readonly string[] }
  | { readonly instruction: 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER'; readonly value: string }
  | { readonly instruction: 'HEALTHCHECK'; readonly healthcheck: Healthcheck };

/** The argv of a shell-form instruction: `shell` (default `/bin/sh -c`) plus the command line. */
export function shellForm(command: string, shell: readonly string[] = ['/bin/sh', '-c']): string[] {
  return [...shell, command];
}

const PRINTABLE_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const GO_SHORT_ESCAPES: Readonly<Record<number, string>> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
};

/** Go's `strconv.Quote`: double quotes, backslash escapes, non-printable runes as `\x`/`\u`/`\U`. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (PRINTABLE_RE.test(ch)) out += ch;
    else if (GO_SHORT_ESCAPES[cp] !== undefined) out += GO_SHORT_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Go's `%q` of a `[]string`: `["a" "b"]`. */
function goQuotedSlice(items: readonly string[]): string {
  return `[${items.map(goQuote).join(' ')}]`;
}

/** Go's `%v` of a `[]string`: `[a b]`. */
function goSlice(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

function fmtFrac(v: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const frac = (v % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return `${v / scale}${frac ? `.${frac}` : ''}`;
}

/** Go's `time.Duration.String()` of `ns` nanoseconds: `0s`, `1.5s`, `1m30s`, `1h0m0s`, `250ms`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const u = BigInt(Math.abs(Math.trunc(ns)));
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${fmtFrac(u, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${fmtFrac(u, 6)}ms`;
  const secondsTotal = u / 1_000_000_000n;
  const frac = fmtFrac(u % 1_000_000_000n, 9).replace(/^0/, '');
  let out = `${secondsTotal % 60n}${frac}s`;
  const minutes = secondsTotal / 60n;
  if (minutes > 0n) {
    out = `${minutes % 60n}m${out}`;
    const hours = minutes / 60n;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return sign + out;
}

function healthcheckString(h: Healthcheck): string {
  // Go's `%+v` of moby's HealthcheckConfig struct (durations print with Duration.String()).
  return (
    `{Test:${goSlice(h.Test ?? [])} Interval:${goDuration(h.Interval ?? 0)} Timeout:${goDuration(h.Timeout ?? 0)}` +
    ` StartPeriod:${goDuration(h.StartPeriod ?? 0)} StartInterval:${goDuration(h.StartInterval ?? 0)}` +
    ` Retries:${h.Retries ?? 0}}`
  );
}

function runCommandString(args: readonly string[], buildArgs: readonly KeyValue[]): string {
  // BuildKit's runCommandString: `|N k=v ...` before the argv, one entry per key (last value wins).
  const env: string[] = [];
  const index = new Map<string, number>();
  for (const [key, value] of buildArgs) {
    const i = index.get(key);
    if (i === undefined) {
      index.set(key, env.length);
      env.push(`${key}=${value}`);
    } else {
      env[i] = `${key}=${value}`;
    }
  }
  return [...(env.length > 0 ? [`|${env.length}`, ...env] : []), ...args].join(' ');
}

/** The `created_by` BuildKit records for `step`, e.g. `RUN /bin/sh -c apk add curl # buildkit`. */
export function formatCreatedBy(step: BuildStep): string {
  switch (step.instruction) {
    case 'RUN':
      return `RUN ${runCommandString(step.args, step.buildArgs ?? [])} # buildkit`;
    case 'COPY':
    case 'ADD':
      return `${[step.instruction, ...step.sources, step.dest].join(' ')} # buildkit`;
    case 'CMD':
    case 'ENTRYPOINT':
      return `${step.instruction} ${goQuotedSlice(step.args)}`;
    case 'SHELL':
      return `SHELL ${goSlice(step.args)}`;
    case 'ENV':
    case 'LABEL':
      return [step.instruction, ...step.pairs.map(([k, v]) => `${k}=${v}`)].join(' ');
    case 'ARG':
      return `ARG ${step.args.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join(' ')}`;
    case 'EXPOSE':
      return `EXPOSE ${goSlice(step.ports.map((p) => (p.includes('/') ? p.toLowerCase() : `${p}/tcp`)))}`;
    case 'VOLUME':
      return `VOLUME ${goSlice(step.paths)}`;
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL':
    case 'MAINTAINER':
      return `${step.instruction} ${step.value}`;
    case 'HEALTHCHECK':
      return `HEALTHCHECK ${healthcheckString(step.healthcheck)}`;
  }
}

/** Whether BuildKit adds a layer for `step`: RUN, COPY, ADD, and WORKDIR other than `/`. */
export function stepCreatesLayer(step: BuildStep): boolean {
  switch (step.instruction) {
    case 'RUN':
    case 'COPY':
    case 'ADD':
      return true;
    case 'WORKDIR':
      return step.value !== '/';
    default:
      return false;
  }
}

/** The history entry BuildKit writes for `step` (`empty_layer: true` when it adds no layer). */
export function buildkitHistory(step: BuildStep, created?: string): History {
  const entry: History = { created, created_by: formatCreatedBy(step), comment: BUILDKIT_HISTORY_COMMENT };
  return stepCreatesLayer(step) ? entry : { ...entry, empty_layer: true };
}

/** `docker history`'s CREATED BY cell: tabs as spaces, cut to 45 characters with `…` unless `--no-trunc`. */
export function displayCreatedBy(createdBy: string, truncate = true): string {
  const text = createdBy.replace(/\t/g, ' ');
  const chars = [...text];
  return truncate && chars.length > 45 ? `${chars.slice(0, 44).join('')}…` : text;
}

// --- sizes ----------------------------------------------------------------------------------------

/** The exact decimal expansion of a positive finite double: value = 0.`digits` × 10^`dp`. */
function exactDecimal(x: number): { digits: string; dp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2 = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exp2 = biased - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp2 >= 0) {
    digits = (mantissa << BigInt(exp2)).toString();
    dp = digits.length;
  } else {
    digits = (mantissa * 5n ** BigInt(-exp2)).toString();
    dp = digits.length + exp2;
  }
  return { digits: digits.replace(/0+$/, ''), dp };
}

/** Go's `strconv.FormatFloat(x, 'g', prec, 64)` (what `%.{prec}g` prints), ties to even like Go. */
export function formatGoG(x: number, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const p = Math.max(1, Math.trunc(prec));
  let { digits, dp } = exactDecimal(Math.abs(x));
  if (digits.length > p) {
    const next = digits.charCodeAt(p) - 48;
    const exactHalf = next === 5 && digits.length === p + 1;
    const lastOdd = (digits.charCodeAt(p - 1) - 48) % 2 === 1;
    const up = next > 5 || (next === 5 && (!exactHalf || lastOdd));
    digits = digits.slice(0, p);
    if (up) {
      const bumped = (BigInt(digits) + 1n).toString();
      if (bumped.length > digits.length) dp++;
      digits = bumped;
    }
    digits = digits.replace(/0+$/, '');
  }
  const nd = digits.length;
  let eprec = p;
  if (eprec > nd && nd >= dp) eprec = nd;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    const mantissa = nd > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const intPart = dp > 0 ? digits.slice(0, dp).padEnd(dp, '0') : '0';
  const fracPart = dp >= 0 ? digits.slice(dp) : '0'.repeat(-dp) + digits;
  return `${sign}${intPart}${fracPart ? `.${fracPart}` : ''}`;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;

/** go-units `HumanSizeWithPrecision`: decimal units (1 kB = 1000 B), `precision` significant digits. */
export function humanSizeWithPrecision(size: number, precision: number): string {
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return formatGoG(size, precision) + DECIMAL_UNITS[i]!;
}

/** Docker's SIZE column (`docker images`, `docker history`, `docker ps -s`): "4.26MB", "1.24kB", "0B". */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

// --- durations ------------------------------------------------------------------------------------

/** go-units `HumanDuration` of `ms` milliseconds: "Less than a second", "About a minute", "3 weeks"... */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (!(seconds >= 1)) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** Docker's CREATED column ("2 hours ago"); `created` is cut to whole seconds like the API's, missing/invalid gives "N/A". */
export function timeAgo(created: Date | string | undefined, now: Date = new Date()): string {
  const t = created === undefined ? Number.NaN : new Date(created).getTime();
  if (!Number.isFinite(t) || t <= 0) return 'N/A';
  return `${humanDuration(now.getTime() - Math.floor(t / 1000) * 1000)} ago`;
}
