import { describe, expect, it } from 'vitest';
import { parseDotenv } from './dotenv.ts';

describe('parseDotenv (Compose dotenv rules)', () => {
  it('reads plain, exported, yaml-style and commented lines', () => {
    const text = [
      '# a comment',
      'PLAIN=value',
      'export EXPORTED=yes',
      'YAML: style',
      'SPACED = around ',
      'INLINE=value # a comment',
      'HASH=a#b',
      'EMPTY=',
      '',
      '   # indented comment',
      'LAST=1',
    ].join('\n');
    expect(parseDotenv(text)).toEqual({
      PLAIN: 'value',
      EXPORTED: 'yes',
      YAML: 'style',
      SPACED: 'around',
      INLINE: 'value',
      HASH: 'a#b',
      EMPTY: '',
      LAST: '1',
    });
  });

  it('keeps single quotes as written and reads escapes and variables in double quotes', () => {
    const text = ["S='a $X \\n b'", 'D="line1\\nline2 $X \\"q\\""', 'M="multi', 'line"', 'T="tab\\tend"', 'DOLLAR="\\$X"'].join('\n');
    expect(parseDotenv(text, (k) => (k === 'X' ? 'x' : undefined))).toEqual({
      S: 'a $X \\n b',
      D: 'line1\nline2 x "q"',
      M: 'multi\nline',
      T: 'tab\tend',
      DOLLAR: '$X',
    });
  });

  it('expands variables from the lookup first, then from lines above', () => {
    const text = ['A=one', 'B=${A}-two', 'C=$HOME/x', 'D=${MISSING:-default}', 'E=${A:+set}'].join('\n');
    expect(parseDotenv(text, (k) => (k === 'HOME' ? '/root' : k === 'A' ? 'shell' : undefined))).toEqual({
      A: 'one',
      B: 'shell-two',
      C: '/root/x',
      D: 'default',
      E: 'set',
    });
  });

  it('takes a bare KEY from the lookup, or leaves it out', () => {
    expect(parseDotenv('FROM_SHELL\nNOT_SET\nX=1', (k) => (k === 'FROM_SHELL' ? 'v' : undefined))).toEqual({ FROM_SHELL: 'v', X: '1' });
    expect(parseDotenv('X=1\nFROM_SHELL', (k) => (k === 'FROM_SHELL' ? 'v' : undefined))).toEqual({ X: '1', FROM_SHELL: 'v' });
  });

  it('skips a UTF-8 byte-order mark and keeps the last of repeated keys', () => {
    expect(parseDotenv('\ufeffA=1\nA=2')).toEqual({ A: '2' });
  });

  it.each([
    ['A B=1', 'line 1: key cannot contain a space'],
    ['OK=1\nA$=1', 'line 2: unexpected character "$" in variable name "A$=1"'],
    ['A="unterminated\nB=1', 'line 2: unterminated quoted value "unterminated'],
    ['A=${', 'Invalid template: "${"'],
    ["A='x' 'y'", 'line 1: unexpected character "\'" in variable name "\'y\'"'],
  ])('%j is refused', (text, message) => expect(() => parseDotenv(text)).toThrow(message));
});
