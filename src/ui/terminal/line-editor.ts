/**
 * The terminal's line editor: turns keystrokes (xterm.js `onData` strings) into edits of the
 * current line, history moves and submissions, and produces the bytes to redraw. Pure: the
 * component feeds it keys and writes what it returns.
 */

/** What a keystroke asks the terminal to do. */
export type EditorAction =
  | { kind: 'echo'; output: string }
  | { kind: 'submit'; line: string; output: string }
  | { kind: 'complete'; line: string }
  | { kind: 'cancel'; output: string }
  | { kind: 'clear' };

/** A one-line editor with history, like a shell's. */
export class LineEditor {
  private line = '';
  private cursor = 0;
  private readonly history: string[] = [];
  private historyIndex = 0;
  private saved = '';
  /** The cursor's row, counted from the prompt's first row, after the last output produced here. */
  private row = 0;
  /** The terminal's width: lines longer than it wrap, and redraws must start at the prompt's row. */
  columns = 80;

  constructor(
    /** The prompt, possibly with colour escapes. */
    readonly prompt: string,
    initialHistory: string[] = [],
  ) {
    this.history.push(...initialHistory);
    this.historyIndex = this.history.length;
  }

  /** The line being edited. */
  get text(): string {
    return this.line;
  }

  /** Previous lines, oldest first. */
  get entries(): readonly string[] {
    return this.history;
  }

  /** The prompt's width on screen (without colour escapes). */
  private get promptWidth(): number {
    return this.prompt.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').length;
  }

  /**
   * Redraws prompt and line with the cursor in place, from the prompt's first row (the line may
   * wrap over several rows of a narrow terminal).
   */
  render(): string {
    const cols = Math.max(1, this.columns);
    let out = `${this.row > 0 ? `\x1b[${this.row}A` : ''}\r\x1b[J${this.prompt}${this.line}`;
    const end = this.promptWidth + this.line.length;
    // at the last column the terminal waits to wrap: make it wrap now so rows can be counted
    if (end > 0 && end % cols === 0) out += ' \r';
    const endRow = Math.floor(end / cols);
    const target = this.promptWidth + this.cursor;
    const row = Math.floor(target / cols);
    const col = target % cols;
    if (endRow > row) out += `\x1b[${endRow - row}A`;
    out += `\r${col > 0 ? `\x1b[${col}C` : ''}`;
    this.row = row;
    return out;
  }

  /** The prompt on a fresh line (after a command's output): nothing above it belongs to the line. */
  fresh(): string {
    this.row = 0;
    return this.render();
  }

  /** Moves the cursor to the end of the line, then to a new line below it. */
  private leave(suffix: string): string {
    this.cursor = this.line.length;
    const out = `${this.render()}${suffix}`;
    this.row = 0;
    return out;
  }

  /** Replaces the current line (after a completion). */
  setLine(line: string): string {
    this.line = line;
    this.cursor = line.length;
    return this.render();
  }

  /** Handles one `onData` chunk (a key, an escape sequence or pasted text). */
  key(data: string): EditorAction[] {
    const actions: EditorAction[] = [];
    let i = 0;
    while (i < data.length) {
      const rest = data.slice(i);
      const esc = /^\x1b\[(?:[ABCDHF]|[1-6]~|1;5[CD])/.exec(rest);
      if (esc) {
        actions.push(...this.escape(esc[0]));
        i += esc[0].length;
        continue;
      }
      const c = data[i]!;
      i++;
      if (c === '\r' || c === '\n') {
        const line = this.line;
        if (line.trim() && this.history[this.history.length - 1] !== line) this.history.push(line);
        this.historyIndex = this.history.length;
        const output = this.cursor === line.length && this.row === this.rowOf(line.length) ? '\r\n' : this.leave('\r\n');
        this.line = '';
        this.cursor = 0;
        this.row = 0;
        actions.push({ kind: 'submit', line, output });
        if (c === '\r' && data[i] === '\n') i++;
      } else if (c === '\x7f' || c === '\b') {
        if (this.cursor > 0) {
          this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
          this.cursor--;
          actions.push({ kind: 'echo', output: this.render() });
        }
      } else if (c === '\x03') {
        const output = this.cursor === this.line.length && this.row === this.rowOf(this.line.length) ? '^C\r\n' : this.leave('^C\r\n');
        this.line = '';
        this.cursor = 0;
        this.row = 0;
        this.historyIndex = this.history.length;
        actions.push({ kind: 'cancel', output });
      } else if (c === '\t') {
        actions.push({ kind: 'complete', line: this.line.slice(0, this.cursor) });
      } else if (c === '\x0c') {
        actions.push({ kind: 'clear' });
      } else if (c === '\x01') {
        this.cursor = 0;
        actions.push({ kind: 'echo', output: this.render() });
      } else if (c === '\x05') {
        this.cursor = this.line.length;
        actions.push({ kind: 'echo', output: this.render() });
      } else if (c === '\x15') {
        this.line = this.line.slice(this.cursor);
        this.cursor = 0;
        actions.push({ kind: 'echo', output: this.render() });
      } else if (c >= ' ') {
        this.line = this.line.slice(0, this.cursor) + c + this.line.slice(this.cursor);
        this.cursor++;
        // typing at the end echoes the character, unless it fills the row (then redraw to wrap)
        const simple = this.cursor === this.line.length && (this.promptWidth + this.cursor) % Math.max(1, this.columns) !== 0;
        if (simple) this.row = this.rowOf(this.cursor);
        actions.push({ kind: 'echo', output: simple ? c : this.render() });
      }
    }
    return actions;
  }

  /** The row (from the prompt's first) where the cursor stands at `cursor`. */
  private rowOf(cursor: number): number {
    return Math.floor((this.promptWidth + cursor) / Math.max(1, this.columns));
  }

  private escape(seq: string): EditorAction[] {
    switch (seq) {
      case '\x1b[A':
        if (this.historyIndex === 0) return [];
        if (this.historyIndex === this.history.length) this.saved = this.line;
        this.historyIndex--;
        return [{ kind: 'echo', output: this.setLine(this.history[this.historyIndex]!) }];
      case '\x1b[B':
        if (this.historyIndex >= this.history.length) return [];
        this.historyIndex++;
        return [
          { kind: 'echo', output: this.setLine(this.historyIndex === this.history.length ? this.saved : this.history[this.historyIndex]!) },
        ];
      case '\x1b[C':
        if (this.cursor < this.line.length) this.cursor++;
        return [{ kind: 'echo', output: this.render() }];
      case '\x1b[D':
        if (this.cursor > 0) this.cursor--;
        return [{ kind: 'echo', output: this.render() }];
      case '\x1b[H':
      case '\x1b[1~':
        this.cursor = 0;
        return [{ kind: 'echo', output: this.render() }];
      case '\x1b[F':
      case '\x1b[4~':
        this.cursor = this.line.length;
        return [{ kind: 'echo', output: this.render() }];
      case '\x1b[3~':
        this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1);
        return [{ kind: 'echo', output: this.render() }];
      default:
        return [];
    }
  }
}

/** The common prefix of completion words (what a Tab can fill in). */
export function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let prefix = words[0]!;
  for (const w of words.slice(1)) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
