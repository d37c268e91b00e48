/**
 * `--since` / `--until` values as the Docker client reads them (moby `client/internal/timestamp`
 * `GetTimestamp`): a Go duration before now (`42m`), an RFC 3339 time or a prefix of one (local
 * time without a zone), or a Unix timestamp (`1136073600.000000001`). The result is a Unix
 * timestamp `seconds[.nanos]`, the form the engine's log window takes.
 */

/** A value Go cannot read, worded like Go's errors. */
export class TimestampError extends Error {
  override name = 'TimestampError';
}

const UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's `time.ParseDuration`, in nanoseconds. */
export function parseGoDuration(value: string): number {
  const q = JSON.stringify(value);
  let s = value;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new TimestampError(`time: invalid duration ${q}`);
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    if (m[0] === '' || (m[1] === '' && !m[2])) throw new TimestampError(`time: invalid duration ${q}`);
    const number = Number(`${m[1] || '0'}.${m[2] ?? ''}0`);
    s = s.slice(m[0].length);
    const unit = /^[^\d.]+/.exec(s)?.[0] ?? '';
    if (unit === '') throw new TimestampError(`time: missing unit in duration ${q}`);
    const scale = UNITS[unit];
    if (scale === undefined) throw new TimestampError(`time: unknown unit ${JSON.stringify(unit)} in duration ${q}`);
    total += number * scale;
    s = s.slice(unit.length);
  }
  return sign * Math.round(total);
}

/** `YYYY-MM-DD[THH[:MM[:SS[.frac]]]][Z|±HH:MM]` split up, or undefined when it is not that shape. */
function parseTimeParts(
  value: string,
): { date: [number, number, number]; time: [number, number, number]; nanos: number; offset?: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', se = '0'] = m.slice(1, 7).map((x) => x ?? '0') as string[];
  const date: [number, number, number] = [Number(y), Number(mo), Number(d)];
  const time: [number, number, number] = [Number(h), Number(mi), Number(se)];
  if (date[1] < 1 || date[1] > 12 || date[2] < 1 || date[2] > new Date(Date.UTC(date[0], date[1], 0)).getUTCDate()) return undefined;
  if (time[0] > 23 || time[1] > 59 || time[2] > 59) return undefined;
  const zone = m[8];
  const offset =
    zone === undefined
      ? undefined
      : zone === 'Z' || zone === 'z'
        ? 0
        : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return { date, time, nanos: Number((m[7] ?? '').padEnd(9, '0') || '0'), ...(offset !== undefined ? { offset } : {}) };
}

/** docker's `GetTimestamp`: a Unix `seconds[.nanos]` for `--since`/`--until` (durations count back from `reference`). */
export function getTimestamp(value: string, reference: Date): string {
  if (value !== '0') {
    try {
      const d = parseGoDuration(value);
      return String(Math.floor((reference.getTime() - d / 1e6) / 1000));
    } catch {
      // not a duration
    }
  }
  const parts = parseTimeParts(value);
  // a value without a zone is local time, at the reference's offset (Go's FixedZone(reference.Zone()))
  if (parts && (parts.offset !== undefined || (!/[zZ+]/.test(value) && (value.match(/-/g) ?? []).length !== 3))) {
    const offset = parts.offset ?? -reference.getTimezoneOffset();
    const ms = Date.UTC(parts.date[0], parts.date[1] - 1, parts.date[2], parts.time[0], parts.time[1], parts.time[2]) - offset * 60_000;
    return `${Math.floor(ms / 1000)}.${String(parts.nanos).padStart(9, '0')}`;
  }
  if (value.includes('-')) throw new TimestampError(`parsing time ${JSON.stringify(value)}: not an RFC 3339 time`);
  if (!/^[+-]?\d+(\.[+-]?\d+)?$/.test(value))
    throw new TimestampError(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  return value;
}
