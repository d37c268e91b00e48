import { describe, expect, it } from 'vitest';
import { plainText } from './plain-text.ts';

describe('plainText', () => {
  it('keeps plain output as it is, with \\n line ends', () => {
    expect(plainText('hello\nworld\n')).toBe('hello\nworld\n');
    expect(plainText('6.1.158\r\n')).toBe('6.1.158\n');
    expect(plainText('no newline')).toBe('no newline');
    expect(plainText('')).toBe('');
  });

  it('drops colours and other escape sequences', () => {
    expect(plainText('\x1b[1;34mlayerlab\x1b[0m$ ls\r\n')).toBe('layerlab$ ls\n');
    expect(plainText('\x1b]0;title\x07/ # \x1b[6n')).toBe('/ #');
  });

  it("applies a shell's line editing: a typo corrected with backspace reads as the corrected line", () => {
    // busybox sh echoes a backspace as "\b \b" (back, blank, back)
    expect(plainText('/ # unamx\b \be -r\r\n6.1.158\r\n/ # ')).toBe('/ # uname -r\n6.1.158\n/ #');
    // the cursor moved left twice, a letter inserted: the shell rewrites the rest and moves back
    expect(plainText('abc\b\bXbc\b\b\r\n')).toBe('aXbc\n');
    // erase to the end of the line, and cursor moves by escape sequences
    expect(plainText('/ # ls -la\x1b[3D\x1b[K\r\n')).toBe('/ # ls\n');
    expect(plainText('ab\x1b[5Cc\n')).toBe('ab     c\n');
  });

  it('lets a carriage return overwrite the line, as progress lines do', () => {
    expect(plainText('Pulling 10%\rPulling 100%\nDone\n')).toBe('Pulling 100%\nDone\n');
    expect(plainText('long line\rshort\n')).toBe('shortline\n');
    expect(plainText('abc\x1b[2K\rxy\n')).toBe('xy\n');
  });

  it('follows the cursor up and down, as a progress display that redraws the lines above does', () => {
    // two layers, then each line redrawn in place: cursor up, erase the line, write, cursor down
    const out =
      'a1: Preparing\nb2: Preparing\n\x1b[2A\x1b[2K\ra1: Pushed\x1b[2B\r\x1b[1A\x1b[2K\rb2: Layer already exists\x1b[1B\rdigest: sha256:1\n';
    expect(plainText(out)).toBe('a1: Pushed\nb2: Layer already exists\ndigest: sha256:1\n');
  });
});
