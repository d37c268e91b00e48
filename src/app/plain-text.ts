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
  const lines: string[] = [];
  let line: string[] = [];
  let cursor = 0;
  const newline = () => {
    lines.push(line.join('').trimEnd());
    line = [];
    cursor = 0;
  };
  for (const m of output.matchAll(TOKEN)) {
    const token = m[0];
    if (m[2] !== undefined) {
      // CSI: the moves and erasures line editing uses; anything else (colours, cursor up) is dropped
      const n = Math.max(1, Number.parseInt(m[1] || '1', 10) || 1);
      if (m[2] === 'D') cursor = Math.max(0, cursor - n);
      else if (m[2] === 'C') cursor += n;
      else if (m[2] === 'G') cursor = n - 1;
      else if (m[2] === 'K' || m[2] === 'J') {
        if (m[1] === '2') line = [];
        else if (m[1] === '1') line = line.map((c, i) => (i <= cursor ? ' ' : c));
        else line.length = Math.min(line.length, cursor);
      }
      continue;
    }
    if (token.startsWith('\x1b')) continue;
    if (token === '\n') newline();
    else if (token === '\r') cursor = 0;
    else if (token === '\b') cursor = Math.max(0, cursor - 1);
    else if (token === '\t') cursor = (Math.floor(cursor / 8) + 1) * 8;
    else if (token < ' ' || token === '\x7f') continue;
    else {
      while (line.length < cursor) line.push(' ');
      line[cursor++] = token;
    }
  }
  if (line.length) newline();
  else if (output.endsWith('\n')) lines.push('');
  return lines.join('\n');
}
