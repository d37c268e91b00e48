/**
 * docker/cli's display of a pull or push (jsonmessage): on a terminal each layer keeps one line,
 * redrawn in place with its progress bar as bytes arrive; elsewhere one line per status, no bars.
 */
import type { PullEvent } from '../api.ts';
import { pullPrinter } from './attach.ts';
import { humanSize4 } from './format.ts';

/**
 * jsonmessage's `JSONProgress.String()` for byte counts: a 50-column bar when the terminal is wider
 * than 110 columns, then `current/total` by go-units (no time left: the engine sends no start time).
 */
export function progressText(current: number, total: number, cols: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize4(current).padStart(8);
  const percentage = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  const bar = cols > 110 ? `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] ` : '';
  const numbers = current > total ? humanSize4(current).padStart(8) : `${humanSize4(current).padStart(8)}/${humanSize4(total)}`;
  return bar + numbers;
}

/**
 * A pull/push event printer. On a terminal (`tty.isTTY`): a line per layer id, redrawn in place
 * (cursor up to its line, clear it, write, back down), as docker/cli does; an event without an id
 * prints below and starts a new set of lines. Elsewhere: `pullPrinter` (status lines only).
 */
export function progressDisplay(write: (text: string) => void, tty: { isTTY: boolean; columns: number }): (e: PullEvent) => void {
  if (!tty.isTTY) return pullPrinter(write);
  let lines = new Map<string, number>();
  return (e) => {
    if (!e.id) {
      lines = new Map();
      write(`${e.status}\n`);
      return;
    }
    let line = lines.get(e.id);
    if (line === undefined) {
      line = lines.size;
      lines.set(e.id, line);
      write('\n');
    }
    const up = lines.size - line;
    const bytes = e.current !== undefined || e.total !== undefined ? progressText(e.current ?? 0, e.total ?? 0, tty.columns) : '';
    write(`\x1b[${up}A\x1b[2K\r${e.id}: ${e.status}${bytes ? ` ${bytes}` : ''}\r\x1b[${up}B`);
  };
}
