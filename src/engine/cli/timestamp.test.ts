import { describe, expect, it } from 'vitest';
import { getTimestamp, parseGoDuration } from './timestamp.ts';

describe('parseGoDuration', () => {
  it("reads Go's durations", () => {
    expect(parseGoDuration('42m')).toBe(42 * 60e9);
    expect(parseGoDuration('1h30m')).toBe(5400e9);
    expect(parseGoDuration('1.5s')).toBe(1.5e9);
    expect(parseGoDuration('.5s')).toBe(0.5e9);
    expect(parseGoDuration('-2ms')).toBe(-2e6);
    expect(parseGoDuration('300µs')).toBe(300e3);
    expect(parseGoDuration('0')).toBe(0);
  });

  it("refuses what Go refuses, in Go's words", () => {
    expect(() => parseGoDuration('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseGoDuration('5x')).toThrow('time: unknown unit "x" in duration "5x"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
    expect(() => parseGoDuration('m')).toThrow('time: invalid duration "m"');
  });
});

describe('getTimestamp (--since / --until)', () => {
  const now = new Date('2024-05-01T12:00:00Z');

  it('counts a duration back from now, in whole seconds', () => {
    expect(getTimestamp('42m', now)).toBe(String(now.getTime() / 1000 - 42 * 60));
    expect(getTimestamp('1.5s', now)).toBe(String(Math.floor(now.getTime() / 1000 - 1.5)));
  });

  it('reads RFC 3339 times and their prefixes, a time without a zone as local time', () => {
    expect(getTimestamp('2013-01-02T13:23:37Z', now)).toBe('1357133017.000000000');
    expect(getTimestamp('2013-01-02T13:23:37.5+01:00', now)).toBe('1357129417.500000000');
    expect(getTimestamp('2013-01-02Z', now)).toBe(`${Date.UTC(2013, 0, 2) / 1000}.000000000`);
    const offset = -now.getTimezoneOffset() * 60;
    expect(getTimestamp('2013-01-02', now)).toBe(`${Date.UTC(2013, 0, 2) / 1000 - offset}.000000000`);
    expect(getTimestamp('2013-01-02T13', now)).toBe(`${Date.UTC(2013, 0, 2, 13) / 1000 - offset}.000000000`);
  });

  it('passes Unix timestamps through and explains anything else', () => {
    expect(getTimestamp('1136073600.000000001', now)).toBe('1136073600.000000001');
    expect(getTimestamp('0', now)).toBe('0');
    expect(() => getTimestamp('yesterday', now)).toThrow('failed to parse value as time or duration: "yesterday"');
    expect(() => getTimestamp('2013-13-01', now)).toThrow('parsing time "2013-13-01"');
  });
});
