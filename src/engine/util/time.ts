/** Durations and times as Docker prints them. */

/** go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks". */
export function humanDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.round(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3600000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

/** RFC 3339 with nanoseconds, like Docker's log timestamps (`2026-11-28T13:20:01.123456789Z`). */
export function rfc3339Nano(date: Date, subMs = 0): string {
  const iso = date.toISOString(); // 2026-11-28T13:20:01.123Z
  const nanos = String(Math.min(999999, Math.max(0, Math.floor(subMs)))).padStart(6, '0');
  return `${iso.slice(0, 23)}${nanos}Z`;
}
