import { describe, expect, it } from 'vitest';
import { psStartTime, psTime, ttyName } from './process.ts';

describe("docker top's columns, as procps prints them", () => {
  it('STIME: the time within a day, the date within a year, else the year', () => {
    const now = new Date(2026, 11, 4, 15, 30);
    expect(psStartTime(new Date(2026, 11, 4, 9, 5), now)).toBe('09:05');
    expect(psStartTime(new Date(2026, 10, 28, 9, 5), now)).toBe('Nov28');
    expect(psStartTime(new Date(2024, 0, 2), now)).toBe('2024');
  });

  it('TIME: cumulative CPU as [DD-]HH:MM:SS', () => {
    expect(psTime(0.4)).toBe('00:00:00');
    expect(psTime(75.2)).toBe('00:01:15');
    expect(psTime(90061)).toBe('1-01:01:01');
  });

  it("TTY: a pty, a console, or '?'", () => {
    expect(ttyName(0)).toBe('?');
    expect(ttyName((136 << 8) | 0)).toBe('pts/0');
    expect(ttyName((136 << 8) | 3)).toBe('pts/3');
    expect(ttyName((4 << 8) | 1)).toBe('tty1');
    expect(ttyName((4 << 8) | 64)).toBe('ttyS0');
  });
});
