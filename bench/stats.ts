/** Small helpers for benchmarks: repeated timing and a printed table. */

/** min / median / max of a sample. */
export interface Summary {
  min: number;
  median: number;
  max: number;
  n: number;
}

/** Summarises timings. */
export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]!, n: s.length };
}

/** Runs `fn` `n` times (after `warmup` untimed runs) and summarises the milliseconds. */
export async function time(n: number, fn: () => Promise<unknown>, warmup = 1): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/** One printed line of results. */
export interface Row {
  name: string;
  value: string;
  target?: string;
  /** undefined when the row has no target */
  ok?: boolean;
}

/** Formats a summary of milliseconds. */
export function ms(s: Summary): string {
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  return `${f(s.min)} / ${f(s.median)} / ${f(s.max)} ms (min/median/max, n=${s.n})`;
}

/** Rows printed so far that missed their target (`npm run bench` exits 1 when there are any). */
export const misses: string[] = [];

/** Prints rows as an aligned table. */
export function printRows(title: string, rows: Row[]): void {
  misses.push(...rows.filter((r) => r.ok === false).map((r) => r.name));
  console.log(`\n${title}`);
  const w = Math.max(...rows.map((r) => r.name.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  for (const r of rows) {
    const mark = r.ok === undefined ? '' : r.ok ? '  ok  ' : '  MISS';
    console.log(`  ${r.name.padEnd(w)}  ${r.value.padEnd(v)}${r.target ? `  target ${r.target}` : ''}${mark}`);
  }
}
