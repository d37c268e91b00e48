import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../api.ts';
import { LOG_LINE_BUFFER, logWindow, LogLines, nanos } from './log-lines.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

function copier() {
  const entries: LogEntry[] = [];
  let clock = 0;
  const lines = new LogLines(
    (e) => entries.push(e),
    () => `2026-01-01T00:00:0${clock++}.000000000Z`,
  );
  const text = () => entries.map((e) => `${e.stream === 'stdout' ? 'o' : 'e'}:${dec.decode(e.data)}`);
  return { lines, entries, text };
}

describe('LogLines (Docker log copier)', () => {
  it('makes one entry per line, however the lines were written', () => {
    const { lines, text } = copier();
    lines.write('stdout', enc.encode('line1\nline2\nline3\nline4\nline5\n'));
    expect(text()).toEqual(['o:line1\n', 'o:line2\n', 'o:line3\n', 'o:line4\n', 'o:line5\n']);
  });

  it('joins a line written in parts and keeps an unfinished line until its newline or the end', () => {
    const { lines, entries, text } = copier();
    lines.write('stdout', enc.encode('a'));
    lines.write('stderr', enc.encode('err '));
    lines.write('stdout', enc.encode('b\nc'));
    expect(text()).toEqual(['o:ab\n']);
    lines.write('stderr', enc.encode('line\n'));
    lines.flush();
    expect(text()).toEqual(['o:ab\n', 'e:err line\n', 'o:c']);
    // stamped when the line was complete
    expect(entries.map((e) => e.time)).toEqual([
      '2026-01-01T00:00:00.000000000Z',
      '2026-01-01T00:00:01.000000000Z',
      '2026-01-01T00:00:02.000000000Z',
    ]);
    lines.flush();
    expect(entries).toHaveLength(3);
  });

  it('cuts a line longer than the 16 KiB buffer into parts stamped like the first', () => {
    const { lines, entries } = copier();
    lines.write('stdout', new Uint8Array(LOG_LINE_BUFFER * 2 + 10).fill(0x61));
    lines.write('stdout', enc.encode('\n'));
    expect(entries.map((e) => e.data.length)).toEqual([LOG_LINE_BUFFER, LOG_LINE_BUFFER, 11]);
    expect(new Set(entries.map((e) => e.time)).size).toBe(1);
  });

  it('keeps bytes as they are (a pty line ends in \\r\\n)', () => {
    const { lines, entries } = copier();
    lines.write('stdout', new Uint8Array([0xff, 0x0d, 0x0a, 0x00, 0x0a]));
    expect(entries.map((e) => [...e.data])).toEqual([
      [0xff, 0x0d, 0x0a],
      [0x00, 0x0a],
    ]);
  });
});

describe('logWindow (--since / --until)', () => {
  const at = (s: number, text = `${s}\n`): LogEntry => ({
    stream: 'stdout',
    time: new Date(s * 1000).toISOString().replace('.000Z', '.000000500Z'),
    data: enc.encode(text),
  });
  const run = (since: string | undefined, until: string | undefined, entries: LogEntry[]) => {
    const out: string[] = [];
    const forward = logWindow(since, until);
    for (const e of entries) if (!forward(e, (x) => out.push(dec.decode(x.data).trim()))) break;
    return out;
  };

  it('reads RFC 3339 times with nanoseconds and Unix timestamps alike', () => {
    expect(nanos('1970-01-01T00:00:01.000000500Z')).toBe(1_000_000_500n);
    expect(nanos('1.0000005')).toBe(1_000_000_500n);
    expect(nanos('12')).toBe(12_000_000_000n);
  });

  it('skips lines before since until the first one at or after it, and stops at the first after until', () => {
    const entries = [at(10), at(20), at(15), at(30), at(25)];
    expect(run('20', undefined, entries)).toEqual(['20', '15', '30', '25']);
    expect(run(undefined, '20.0000005', entries)).toEqual(['10', '20', '15']);
    expect(run(undefined, '20', entries)).toEqual(['10']);
    expect(run('11', '26', entries)).toEqual(['20', '15']);
    expect(run('20.000000501', undefined, entries)).toEqual(['30', '25']);
  });
});
