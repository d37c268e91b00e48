import { describe, expect, it } from 'vitest';
import { goQuote, isSpace, toWellFormed, trimSpace } from './text.ts';

describe('Go-compatible text helpers', () => {
  it('quotes like strconv.Quote', () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('\x00\x07\t\n\x1b\x7f')).toBe('"\\x00\\a\\t\\n\\x1b\\x7f"');
    expect(goQuote('é♥☃😀')).toBe('"é♥☃😀"');
    expect(goQuote('\u00a0\u00ad\u2028\ufeff')).toBe('"\\u00a0\\u00ad\\u2028\\ufeff"');
    expect(goQuote('\u{e0001}')).toBe('"\\U000e0001"');
  });

  it('treats white space like unicode.IsSpace', () => {
    expect([' ', '\t', '\v', '\u0085', '\u00a0', '\u3000'].every(isSpace)).toBe(true);
    expect(isSpace('\ufeff')).toBe(false);
    expect(trimSpace('\u00a0 x y\t\n')).toBe('x y');
    expect(toWellFormed('a\ud800b\ud83d\ude00')).toBe('a\ufffdb\ud83d\ude00');
  });
});
