/**
 * The small value syntaxes of a compose file, parsed as Compose parses them: durations (Go's, plus
 * `d` and `w`), sizes (`256m`, binary units), the short syntax of `ports:` (`[IP:]HOST:CONTAINER[/PROTO]`,
 * ranges) and of `volumes:` (`SOURCE:TARGET[:OPTIONS]`), IP addresses, booleans, `KEY=VALUE` lists
 * and mappings; the `…At` helpers name the offending path in their errors.
 */
import { cleanPath } from '../util/paths.ts';
import type { Lookup } from './interpolate.ts';
import { ComposeFileError } from './model.ts';
import type { RawValue } from './parse.ts';

const NS_PER: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5
  μs: 1e3, // U+03BC
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
  w: 604800e9,
};

/** A duration such as `1m30s`, `10s`, `500ms`, `1.5h`, `2d` in nanoseconds; throws Go's wording. */
export function parseDuration(text: string): number {
  const invalid = (): Error => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s)?.[0] ?? '';
    if (number === '' || number === '.') throw invalid();
    s = s.slice(number.length);
    const unit = /^[^\d.]*/.exec(s)?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration ${JSON.stringify(text)}`);
    const scale = NS_PER[unit];
    if (scale === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
    s = s.slice(unit.length);
    total += Number(number) * scale;
  }
  return sign * Math.round(total);
}

function trimFraction(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, '');
}

/** Nanoseconds as Go's `time.Duration.String()` writes them (`1m30s`, `500ms`, `1h0m0s`, `0s`). */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const u = Math.abs(ns);
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${trimFraction(u / 1e3, 3)}µs`;
  if (u < 1e9) return `${sign}${trimFraction(u / 1e6, 6)}ms`;
  const hours = Math.floor(u / 3600e9);
  const minutes = Math.floor((u % 3600e9) / 60e9);
  const seconds = trimFraction((u % 60e9) / 1e9, 9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

const BINARY: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** A memory size (`256m`, `1g`, `512M`, `1.5GiB`, `1024`) in bytes, with binary units as Docker's `RAMInBytes`. */
export function parseBytes(text: string): number {
  const invalid = (): Error => new Error(`invalid size: '${text}'`);
  const sep = Math.max(...[...'0123456789. '].map((c) => text.lastIndexOf(c)));
  if (sep === -1) throw invalid();
  const num = text[sep] === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1);
  const suffix = text.slice(sep + 1).toLowerCase();
  if (!/^\d*\.?\d*(e[+-]?\d+)?$/i.test(num) || num === '' || num === '.') throw invalid();
  const size = Number(num);
  if (!Number.isFinite(size) || size < 0) throw invalid();
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const mul = BINARY[suffix[0]!];
  if (
    mul === undefined ||
    suffix.length > 3 ||
    (suffix.length === 2 && suffix[1] !== 'b') ||
    (suffix.length === 3 && suffix.slice(1) !== 'ib')
  )
    throw new Error(`invalid suffix: '${suffix}'`);
  return Math.trunc(size * mul);
}

function isIPv4(text: string): boolean {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  return !!parts && parts.slice(1).every((p) => Number(p) <= 255);
}

/** True for an IPv4 or IPv6 address as Go's `net.ParseIP` accepts it. */
export function isIP(text: string): boolean {
  if (isIPv4(text)) return true;
  let s = text;
  let groups = 8;
  const v4 = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    if (!isIPv4(v4[1]!)) return false;
    s = s.slice(0, s.length - v4[1]!.length);
    if (!s.endsWith('::')) s = s.slice(0, -1);
    groups = 6;
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const split = (h: string | undefined): string[] => (h ? h.split(':') : []);
  const all = [...split(halves[0]), ...split(halves[1])];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? all.length < groups : all.length === groups;
}

/** One published port of the short syntax, expanded (a range gives one per port). */
export interface PortSpec {
  readonly target: number;
  readonly published?: string;
  readonly hostIp?: string;
  readonly protocol: string;
}

function portRange(text: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}

/** `[IP:][HOST:]CONTAINER[/PROTO]` (ranges `8000-8010:80-90`) as Docker's `nat.ParsePortSpec`, sorted as Compose sorts them. */
export function parsePortSpec(raw: string): PortSpec[] {
  const parts = raw.split(':');
  const n = parts.length;
  let containerPart = parts[n - 1]!;
  const hostPort = n >= 2 ? parts[n - 2]! : '';
  let ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
  let proto = 'tcp';
  const slash = containerPart.split('/');
  if (containerPart === '' || slash[0] === '') containerPart = '';
  else if (slash.length > 1) {
    if (slash[1] !== '') proto = slash[1]!;
    containerPart = slash[0]!;
  }
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) throw new Error(`invalid IP address ${ip}: missing ']' in address`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && !isIP(ip)) throw new Error(`invalid IP address: ${ip}`);
  if (containerPart === '') throw new Error(`no port specified: ${raw}<empty>`);
  const container = portRange(containerPart);
  if (!container) throw new Error(`invalid containerPort: ${containerPart}`);
  let host: [number, number] = [0, 0];
  if (hostPort !== '') {
    const parsed = portRange(hostPort);
    if (!parsed) throw new Error(`invalid hostPort: ${hostPort}`);
    host = parsed;
  }
  const [start, end] = container;
  if (hostPort !== '' && end - start !== host[1] - host[0] && end !== start)
    throw new Error(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPort}`);
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
  const out: PortSpec[] = [];
  for (let i = 0; i <= end - start; i++) {
    let published: string | undefined;
    if (hostPort !== '') {
      published = String(host[0] + i);
      if (start === end && host[0] !== host[1]) published = `${published}-${host[1]}`;
    }
    out.push({
      target: start + i,
      protocol: proto.toLowerCase(),
      ...(published !== undefined ? { published } : {}),
      ...(ip ? { hostIp: ip } : {}),
    });
  }
  // Compose sorts the ports of one entry by their "port/proto" key, as strings
  return out.sort((a, b) => {
    const ka = `${a.target}/${a.protocol}`;
    const kb = `${b.target}/${b.protocol}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** One `volumes:` entry of the short syntax, as Compose's `ParseVolume` reads it. */
export interface VolumeSpec {
  readonly type: 'volume' | 'bind';
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** Options other than `ro`/`rw` (`nocopy`, `z`, `rshared`, …), for the caller to accept or refuse. */
  readonly options: readonly string[];
}

/** `SOURCE:TARGET[:OPTIONS]` or `TARGET` (an anonymous volume); a source starting with `.`, `/` or `~` is a bind. */
export function parseVolumeSpec(spec: string): VolumeSpec {
  if (spec === '') throw new Error('invalid empty volume spec');
  const fields: string[] = [];
  if (spec.length <= 2) fields.push(spec);
  else {
    let buffer = '';
    let depth = 0;
    for (let i = 0; i <= spec.length; i++) {
      const c = i < spec.length ? spec[i]! : '';
      if (c === '$' && spec[i + 1] === '{') {
        depth++;
        buffer += c;
      } else if (c === '}' && depth > 0) {
        depth--;
        buffer += c;
      } else if ((c === ':' || c === '') && depth === 0) {
        if (buffer === '') throw new Error(`invalid spec: ${spec}: empty section between colons`);
        if (fields.length === 3 || (fields.length === 2 && c === ':')) throw new Error(`invalid spec: ${spec}: too many colons`);
        fields.push(buffer);
        buffer = '';
      } else buffer += c;
    }
  }
  const [first, second, third] = fields;
  const source = fields.length === 1 ? undefined : first;
  const target = fields.length === 1 ? first! : second!;
  let readOnly = false;
  const options: string[] = [];
  for (const option of third === undefined ? [] : third.split(',')) {
    if (option === 'ro') readOnly = true;
    else if (option === 'rw') readOnly = false;
    else options.push(option);
  }
  const bind = source !== undefined && /^[./~]/.test(source);
  return { type: bind ? 'bind' : 'volume', ...(source !== undefined ? { source } : {}), target, readOnly, options };
}

/** `filepath.Join(dir, path)` unless `path` is absolute. */
export function absolutePath(dir: string, path: string): string {
  return cleanPath(path.startsWith('/') ? path : `${dir}/${path}`);
}

/** Go's `strconv.ParseBool` for the `boolean or string` fields Compose does not cast. */
export function toBoolean(value: RawValue | undefined, at: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new ComposeFileError(`${at}: invalid boolean ${JSON.stringify(text)}`);
}

/** Go's `%v` of a scalar (environment and label values). */
export function text(value: RawValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `list_or_dict` as entries: `KEY=VALUE` / `KEY` (null value) / a mapping. */
export function entries(value: RawValue | undefined): [string, string | null, number | string][] {
  if (Array.isArray(value))
    return value.map((item, i) => {
      const s = String(item);
      const eq = s.indexOf('=');
      return eq < 0 ? [s, null, i] : [s.slice(0, eq), s.slice(eq + 1), i];
    });
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return Object.entries(value).map(([k, v]) => [k, v === null ? null : text(v), k]);
  return [];
}

/** `environment:`-style entries, `KEY` alone taking its value from the project's environment (null without). */
export function resolvedEntries(value: RawValue | undefined, lookup: Lookup): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of entries(value)) out[k] = v ?? lookup(k) ?? null;
  return out;
}

/** A string or a list as a list of strings (undefined when absent). */
export function stringList(value: RawValue | undefined): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/** A duration value (`services.web.healthcheck.interval` in errors) in nanoseconds. */
export function duration(value: RawValue | undefined, at: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return parseDuration(String(value));
  } catch (e) {
    throw new ComposeFileError(`${at}: ${(e as Error).message}`);
  }
}

/** A size value (a number of bytes, or `256m`) in bytes. */
export function bytes(value: RawValue | undefined, at: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Math.trunc(value);
  try {
    return parseBytes(String(value));
  } catch (e) {
    throw new ComposeFileError(`${at}: ${(e as Error).message}`);
  }
}

/** A number value (a number, or a string Go's `ParseFloat` reads). */
export function float(value: RawValue | undefined, at: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (typeof value === 'boolean' || String(value).trim() === '' || !Number.isFinite(n))
    throw new ComposeFileError(`${at}: strconv.ParseFloat: parsing ${JSON.stringify(String(value))}: invalid syntax`);
  return n;
}
