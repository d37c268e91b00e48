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

  /** Redraws prompt and line with the cursor in place. */
  render(): string {
    const back = this.line.length - this.cursor;
    return `\r\x1b[K${this.prompt}${this.line}${back > 0 ? `\x1b[${back}D` : ''}`;
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
        this.line = '';
        this.cursor = 0;
        actions.push({ kind: 'submit', line, output: '\r\n' });
        if (c === '\r' && data[i] === '\n') i++;
      } else if (c === '\x7f' || c === '\b') {
        if (this.cursor > 0) {
          this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
          this.cursor--;
          actions.push({ kind: 'echo', output: this.render() });
        }
      } else if (c === '\x03') {
        this.line = '';
        this.cursor = 0;
        this.historyIndex = this.history.length;
        actions.push({ kind: 'cancel', output: '^C\r\n' });
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
        actions.push({ kind: 'echo', output: this.cursor === this.line.length ? c : this.render() });
      }
    }
    return actions;
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
        return [{ kind: 'echo', output: this.setLine(this.historyIndex === this.history.length ? this.saved : this.history[this.historyIndex]!) }];
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
