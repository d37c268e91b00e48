/**
 * Compose's progress display. On a terminal, a block headed `[+] Running 2/3` whose lines are
 * redrawn in place (`⠿` while working, `✔` when done, `✘` when failed, and the time taken);
 * elsewhere Compose's plain mode, one line per event (` Container app-web-1  Started`).
 */
import type { ProgressEvent } from '../../compose/runner.ts';
import type { CliIO } from '../io.ts';

interface Line {
  resource: string;
  status: string;
  done: boolean;
  failed: boolean;
  started: number;
  ended?: number;
}

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const BLUE = '\x1b[34m';
const RESET = '\x1b[0m';

/** Writes progress events for one command; `title` is the header's verb (`Running`, `Pulling`). */
export class ProgressWriter {
  private lines: Line[] = [];
  private drawn = 0;
  private readonly tty: boolean;

  constructor(
    private readonly io: CliIO,
    private readonly title = 'Running',
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tty = io.isTTY;
  }

  /** Takes one event (a bare warning — no resource — is printed as it is). */
  event(e: ProgressEvent): void {
    if (!e.resource) {
      this.pause();
      this.io.stderr(e.status + '\n');
      return;
    }
    let line = this.lines.find((l) => l.resource === e.resource);
    if (!line) {
      line = { resource: e.resource, status: e.status, done: e.done, failed: !!e.failed, started: this.now() };
      this.lines.push(line);
    }
    line.status = e.status;
    line.done = e.done;
    line.failed = !!e.failed;
    if (e.done) line.ended = this.now();
    else delete line.ended;
    if (!this.tty) {
      this.io.stderr(` ${e.resource}  ${e.status}\n`);
      return;
    }
    this.draw();
  }

  /** Ends the current block (other output follows it); the next event starts a new one. */
  pause(): void {
    this.lines = [];
    this.drawn = 0;
  }

  private draw(): void {
    const width = Math.max(...this.lines.map((l) => l.resource.length));
    const statusWidth = Math.max(...this.lines.map((l) => l.status.length));
    const done = this.lines.filter((l) => l.done).length;
    const cols = this.io.columns > 0 ? this.io.columns : 80;
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    text += `\x1b[2K${BLUE}[+] ${this.title} ${done}/${this.lines.length}${RESET}\n`;
    for (const l of this.lines) {
      const mark = l.failed ? `${RED}✘${RESET}` : l.done ? `${GREEN}✔${RESET}` : '⠿';
      const time = (((l.ended ?? this.now()) - l.started) / 1000).toFixed(1) + 's';
      const body = ` ${l.resource.padEnd(width)}  ${l.status.padEnd(statusWidth)}`;
      const gap = Math.max(1, cols - 4 - body.length - time.length);
      const coloured = l.failed
        ? `${RED}${l.status.padEnd(statusWidth)}${RESET}`
        : l.done
          ? `${GREEN}${l.status.padEnd(statusWidth)}${RESET}`
          : l.status.padEnd(statusWidth);
      text += `\x1b[2K ${mark} ${l.resource.padEnd(width)}  ${coloured}${' '.repeat(gap)}${time} \n`;
    }
    this.drawn = this.lines.length + 1;
    this.io.stderr(text);
  }
}

const COLOURS = ['\x1b[36m', '\x1b[33m', '\x1b[32m', '\x1b[35m', '\x1b[34m', '\x1b[96m', '\x1b[93m', '\x1b[92m', '\x1b[95m', '\x1b[94m'];

/**
 * Compose's log prefixes: `web-1  | ` (padded to the longest name, coloured per container on a
 * terminal), put before every line of every container's output.
 */
export class LogPrinter {
  private readonly colours = new Map<string, string>();
  private readonly partial = new Map<string, string>();
  private width = 0;

  constructor(
    private readonly io: CliIO,
    private readonly options: { colour: boolean; prefix: boolean; timestamps?: boolean },
  ) {}

  /** Makes room for a container's name in the prefix column. */
  register(name: string): void {
    this.width = Math.max(this.width, name.length);
    if (!this.colours.has(name)) this.colours.set(name, COLOURS[this.colours.size % COLOURS.length]!);
  }

  private prefix(name: string): string {
    if (!this.options.prefix) return '';
    const p = `${name.padEnd(this.width)}  | `;
    return this.options.colour ? `${this.colours.get(name) ?? ''}${p}${RESET}` : p;
  }

  /** Prints a chunk of a container's output, each complete line with its prefix. */
  write(name: string, data: Uint8Array | string, stream: 'stdout' | 'stderr' = 'stdout', time?: string): void {
    const text = (this.partial.get(name) ?? '') + (typeof data === 'string' ? data : new TextDecoder().decode(data));
    const lines = text.split('\n');
    this.partial.set(name, lines.pop() ?? '');
    const stamp = this.options.timestamps && time ? `${time} ` : '';
    const out = lines.map((l) => `${this.prefix(name)}${stamp}${l.replace(/\r$/, '')}\n`).join('');
    if (!out) return;
    if (stream === 'stderr' && !this.options.prefix) this.io.stderr(out);
    else this.io.stdout(out);
  }

  /** A line of Compose's own about a container (`web-1 exited with code 0`). */
  status(name: string, text: string): void {
    this.flush(name);
    const line = `${name} ${text}\n`;
    this.io.stdout(this.options.colour ? `${this.colours.get(name) ?? ''}${line}${RESET}` : line);
  }

  /** Prints what is left of a line that never ended. */
  flush(name: string): void {
    const rest = this.partial.get(name);
    if (rest) this.write(name, '\n');
  }
}
