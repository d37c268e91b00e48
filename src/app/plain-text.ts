/**
 * Terminal output as the plain text a lesson check reads: what the screen shows, line by line.
 * A shell's line editing (backspace, cursor left and right, erase to the end of the line) and a
 * carriage return's overwrite are applied to the line they act on; colours and other escape
 * sequences are dropped; lines end with `\n` (never `\r\n`), without trailing spaces.
 */

/** One escape sequence, or one character. */
const TOKEN = /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[()*+][0-9A-Za-z]|\x1b[@-Z\\-_=>78]?|[^]/gu;

/** The text `output` leaves on a terminal, as plain lines. */
export function plainText(output: string): string {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  const line = () => (rows[row] ??= []);
  const down = (n: number) => {
    row += n;
    while (rows.length <= row) rows.push([]);
  };
  for (const m of output.matchAll(TOKEN)) {
    const token = m[0];
    if (m[2] !== undefined) {
      // CSI: cursor moves and erasures (line editing, progress redrawn in place); colours and the rest are dropped
      const n = Math.max(1, Number.parseInt(m[1] || '1', 10) || 1);
      const cur = line();
      if (m[2] === 'D') col = Math.max(0, col - n);
      else if (m[2] === 'C') col += n;
      else if (m[2] === 'G') col = n - 1;
      else if (m[2] === 'A') row = Math.max(0, row - n);
      else if (m[2] === 'B') down(n);
      else if (m[2] === 'E') {
        down(n);
        col = 0;
      } else if (m[2] === 'F') {
        row = Math.max(0, row - n);
        col = 0;
      } else if (m[2] === 'K' || m[2] === 'J') {
        if (m[1] === '2') cur.length = 0;
        else if (m[1] === '1') cur.splice(0, Math.min(cur.length, col + 1), ...Array<string>(Math.min(cur.length, col + 1)).fill(' '));
        else cur.length = Math.min(cur.length, col);
        // erase below: the rows under the cursor go too
        if (m[2] === 'J' && (m[1] === '' || m[1] === '0')) rows.length = row + 1;
      }
      continue;
    }
    if (token.startsWith('\x1b')) continue;
    if (token === '\n') {
      down(1);
      col = 0;
    } else if (token === '\r') col = 0;
    else if (token === '\b') col = Math.max(0, col - 1);
    else if (token === '\t') col = (Math.floor(col / 8) + 1) * 8;
    else if (token < ' ' || token === '\x7f') continue;
    else {
      const cur = line();
      while (cur.length < col) cur.push(' ');
      cur[col++] = token;
    }
  }
  return rows.map((r) => r.join('').trimEnd()).join('\n');
}
