import { describe, expect, it } from 'vitest';
import { escapePattern, literalOf } from './pattern.ts';

const texts = ['docker run -d --name web busybox', 'echo $HOME (x) [y] {z} a|b c.d e*f g+h i?j ^k \\l', 'cat /data/hello.txt', '^$'];

describe('escapePattern', () => {
  it('matches the text literally, anywhere, and reads back as the same text', () => {
    for (const t of texts) {
      const p = escapePattern(t);
      expect(new RegExp(p, 'm').test(`before ${t} after`), t).toBe(true);
      expect(literalOf(p), t).toEqual({ text: t, atStart: false, atEnd: false });
    }
    // a dot is a dot, not any character
    expect(new RegExp(escapePattern('hello.txt')).test('helloXtxt')).toBe(false);
  });
});

describe('literalOf', () => {
  it('reads plain literals with their anchors', () => {
    expect(literalOf('^docker history')).toEqual({ text: 'docker history', atStart: true, atEnd: false });
    expect(literalOf('^docker ps$')).toEqual({ text: 'docker ps', atStart: true, atEnd: true });
    expect(literalOf('A /hello\\.txt')).toEqual({ text: 'A /hello.txt', atStart: false, atEnd: false });
    expect(literalOf('price \\$')).toEqual({ text: 'price $', atStart: false, atEnd: false });
  });

  it('gives nothing for a pattern that is more than a literal', () => {
    for (const p of [
      'docker (container )?run .*web',
      'sleep[\\s\\S]*sleep',
      'a|b',
      'x+',
      '\\d',
      'COPY [a-z]',
      'a{2}',
      '^',
      '',
      'trailing\\',
    ]) {
      expect(literalOf(p), p).toBeUndefined();
    }
  });
});
