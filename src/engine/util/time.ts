/** Durations and times as Docker prints them. */

/** go-units HumanDuration: "Less than a second", "About a minute", "3 hours" (one implementation, in oci/display). */
export { humanDuration } from '../oci/display.ts';

/** RFC 3339 with nanoseconds, like Docker's log timestamps (`2026-11-28T13:20:01.123456789Z`). */
export function rfc3339Nano(date: Date, subMs = 0): string {
  const iso = date.toISOString(); // 2026-11-28T13:20:01.123Z
  const nanos = String(Math.min(999999, Math.max(0, Math.floor(subMs)))).padStart(6, '0');
  return `${iso.slice(0, 23)}${nanos}Z`;
}
