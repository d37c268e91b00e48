import { describe, expect, it } from 'vitest';
import { CommandLineSyntaxError, splitCommandLine, tokenizeCommandLine } from './argv.ts';

describe('splitCommandLine', () => {
  it.each<[string, string[]]>([
    ['docker run -e "A=b c" busybox', ['docker', 'run', '-e', 'A=b c', 'busybox']],
    ['  docker   ps  ', ['docker', 'ps']],
    ['', []],
    ["echo 'single $HOME \\n'", ['echo', 'single $HOME \\n']],
    ['echo "a \\"q\\" \\\\ \\$x \\n"', ['echo', 'a "q" \\ $x \\n']],
    ['echo a\\ b c', ['echo', 'a b', 'c']],
    ['echo \\"x\\"', ['echo', '"x"']],
    ['echo ""', ['echo', '']],
    ["echo ''", ['echo', '']],
    ['echo a""b', ['echo', 'ab']],
    ['echo "a"\'b\'c', ['echo', 'abc']],
    ['sh -c "echo $HOME"', ['sh', '-c', 'echo $HOME']],
    ['a\tb', ['a', 'b']],
    ['a \\\nb', ['a', 'b']],
    ['docker run --entrypoint= busybox', ['docker', 'run', '--entrypoint=', 'busybox']],
  ])('%j', (line, want) => {
    expect(splitCommandLine(line)).toEqual(want);
  });

  it('rejects open quotes and a trailing backslash', () => {
    expect(() => splitCommandLine('echo "abc')).toThrow(CommandLineSyntaxError);
    expect(() => splitCommandLine("echo 'abc")).toThrow('unterminated single quote');
    expect(() => splitCommandLine('echo abc\\')).toThrow('backslash');
    try {
      splitCommandLine('echo "x');
    } catch (e) {
      expect((e as CommandLineSyntaxError).open).toBe('"');
    }
  });
});

describe('tokenizeCommandLine', () => {
  it('says whether the line ends inside a word', () => {
    expect(tokenizeCommandLine('docker ru')).toEqual({ words: ['docker', 'ru'], open: null, inWord: true });
    expect(tokenizeCommandLine('docker run ')).toEqual({ words: ['docker', 'run'], open: null, inWord: false });
    expect(tokenizeCommandLine('')).toEqual({ words: [], open: null, inWord: false });
  });

  it('reports an open quote instead of throwing', () => {
    expect(tokenizeCommandLine('docker run "bus')).toEqual({ words: ['docker', 'run', 'bus'], open: '"', inWord: true });
  });
});
