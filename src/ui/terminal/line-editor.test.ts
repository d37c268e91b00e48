import { describe, expect, it } from 'vitest';
import { commonPrefix, LineEditor } from './line-editor.ts';

describe('LineEditor', () => {
  it('edits, submits and remembers lines', () => {
    const ed = new LineEditor('$ ');
    ed.key('docker psx');
    ed.key('\x7f');
    expect(ed.text).toBe('docker ps');
    expect(ed.key('\r')).toEqual([{ kind: 'submit', line: 'docker ps', output: '\r\n' }]);
    ed.key('docker images\r');
    ed.key('\x1b[A');
    expect(ed.text).toBe('docker images');
    ed.key('\x1b[A');
    expect(ed.text).toBe('docker ps');
    ed.key('\x1b[B\x1b[B');
    expect(ed.text).toBe('');
    expect(ed.entries).toEqual(['docker ps', 'docker images']);
  });

  it('moves the cursor and inserts in the middle', () => {
    const ed = new LineEditor('$ ');
    ed.key('dockr');
    ed.key('\x1b[D');
    ed.key('e');
    expect(ed.text).toBe('docker');
    expect(ed.render()).toBe('\r\x1b[J$ docker\r\x1b[7C');
  });

  it('redraws lines that wrap in a narrow terminal (a phone) without leaving copies behind', () => {
    const screen = new TinyTerminal(10);
    const ed = new LineEditor('\x1b[1m$\x1b[0m ');
    ed.columns = 10;
    screen.write(ed.fresh());
    const check = () => {
      expect(screen.text().trimEnd()).toBe(`$ ${ed.text}`.replace(/(.{10})/g, '$1\n').trimEnd());
      const at = 2 + (ed as unknown as { cursor: number }).cursor;
      expect([screen.row, screen.col]).toEqual([Math.floor(at / 10), at % 10]);
    };
    for (const c of 'docker run busybox echo hi') {
      for (const a of ed.key(c)) if (a.kind === 'echo') screen.write(a.output);
      if (!screen.pending) check();
    }
    for (const key of [
      '\x1b[D',
      '\x1b[D',
      '\x1b[D',
      '\x1b[D',
      '\x1b[D',
      'X',
      '\x7f',
      '\x1b[H',
      'Z',
      '\x1b[F',
      '\x7f',
      '\x1b[A',
      '\x1b[B',
    ]) {
      for (const a of ed.key(key)) if (a.kind === 'echo') screen.write(a.output);
      check();
    }
    // Enter leaves the cursor below the whole line
    for (const a of ed.key('\x1b[H')) if (a.kind === 'echo') screen.write(a.output);
    for (const a of ed.key('\r')) if (a.kind === 'submit') screen.write(a.output);
    expect(screen.row).toBe(3);
    expect(screen.col).toBe(0);
  });

  it('cancels with Ctrl-C, asks for completion on Tab, clears on Ctrl-L', () => {
    const ed = new LineEditor('$ ');
    ed.key('docker ru');
    expect(ed.key('\t')).toEqual([{ kind: 'complete', line: 'docker ru' }]);
    expect(ed.key('\x03')).toEqual([{ kind: 'cancel', output: '^C\r\n' }]);
    expect(ed.text).toBe('');
    expect(ed.key('\x0c')).toEqual([{ kind: 'clear' }]);
  });

  it('finds the common prefix of completions', () => {
    expect(commonPrefix(['restart', 'rm', 'rmi'])).toBe('r');
    expect(commonPrefix(['images', 'image'])).toBe('image');
    expect(commonPrefix([])).toBe('');
  });
});

/** Just enough of a VT100 to check redraws: printable text with wrapping, CR, LF, CUU/CUF/CUB, ED, EL. */
class TinyTerminal {
  rows: string[][] = [[]];
  row = 0;
  col = 0;
  /** At the last column, the next character wraps first (like xterm). */
  pending = false;
  constructor(readonly cols: number) {}
  write(s: string) {
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      const csi = /^\x1b\[(\d*)([A-Za-z])/.exec(s.slice(i));
      if (csi) {
        const n = Number(csi[1] || 1);
        this.pending = false;
        if (csi[2] === 'A') this.row = Math.max(0, this.row - n);
        else if (csi[2] === 'B') this.row += n;
        else if (csi[2] === 'C') this.col = Math.min(this.cols - 1, this.col + n);
        else if (csi[2] === 'D') this.col = Math.max(0, this.col - n);
        else if (csi[2] === 'J') {
          this.line().length = this.col;
          this.rows.length = this.row + 1;
        } else if (csi[2] === 'K') this.line().length = this.col;
        i += csi[0].length - 1;
      } else if (c === '\r') {
        this.col = 0;
        this.pending = false;
      } else if (c === '\n') {
        this.row++;
        this.pending = false;
      } else {
        if (this.pending) {
          this.row++;
          this.col = 0;
          this.pending = false;
        }
        const line = this.line();
        while (line.length < this.col) line.push(' ');
        line[this.col] = c;
        if (this.col === this.cols - 1) this.pending = true;
        else this.col++;
      }
    }
  }
  line(): string[] {
    while (this.rows.length <= this.row) this.rows.push([]);
    return this.rows[this.row]!;
  }
  text(): string {
    return this.rows
      .map((r) => r.join(''))
      .join('\n')
      .replace(/\x1b\[[0-9;]*m/g, '');
  }
}
