import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../api.ts';
import { LogFiles } from './log-store.ts';

const line = (n: number): LogEntry => ({
  stream: 'stdout',
  time: '2024-05-01T12:00:00.000000000Z',
  data: new TextEncoder().encode(`line ${n}\n`),
});

describe('LogFiles (json-file rotation)', () => {
  it('rotates a file once it reaches max-size and keeps the last max-file files', () => {
    // each record ({"log":"line N\n","stream":"stdout","time":"…"} and a newline) is 77 bytes for N < 10
    const logs: LogEntry[] = [];
    const files = new LogFiles({ maxSize: 200, maxFile: 2 }, logs);
    for (let n = 1; n <= 9; n++) {
      logs.push(line(n));
      files.added(line(n), logs);
    }
    // files of 3 lines each (231 bytes >= 200): 1-3, 4-6, 7-9, then a new empty one; the last two kept
    const text = () => logs.map((e) => new TextDecoder().decode(e.data).trim());
    expect(text()).toEqual(['line 7', 'line 8', 'line 9']);
    logs.push(line(10));
    files.added(line(10), logs);
    expect(text()).toEqual(['line 7', 'line 8', 'line 9', 'line 10']);
  });

  it('keeps everything while the files are fewer than max-file', () => {
    const logs: LogEntry[] = [];
    const files = new LogFiles({ maxSize: 150, maxFile: 3 }, logs);
    for (let n = 1; n <= 5; n++) {
      logs.push(line(n));
      files.added(line(n), logs);
    }
    expect(logs).toHaveLength(5);
  });
});
