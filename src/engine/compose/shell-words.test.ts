import { describe, expect, it } from 'vitest';
import { splitShellWords } from './shell-words.ts';

describe('splitShellWords (go-shellwords, as Compose splits command:)', () => {
  it.each([
    ['python app.py', ['python', 'app.py']],
    ['  echo   hi  ', ['echo', 'hi']],
    ['echo "hello world"', ['echo', 'hello world']],
    ['echo \'a "b" c\'', ['echo', 'a "b" c']],
    ['echo a\\ b', ['echo', 'a b']],
    ['echo "a \\"q\\" b"', ['echo', 'a "q" b']],
    ["echo 'a\\b'", ['echo', 'a\\b']],
    ['echo ""', ['echo', '']],
    ["echo ''x", ['echo', 'x']],
    ['echo a"b c"d', ['echo', 'ab cd']],
    ['echo $HOME ${X}', ['echo', '$HOME', '${X}']],
    ['sh -c "echo $(date)"', ['sh', '-c', 'echo $(date)']],
    ['echo $(date)', ['echo', '$(date)']],
    ['', []],
    ['a\tb\nc', ['a', 'b', 'c']],
  ])('%j → %j', (line, words) => expect(splitShellWords(line).args).toEqual(words));

  it('stops at an unquoted shell operator, as Compose does, and says where', () => {
    expect(splitShellWords('npm start && echo done')).toEqual({
      args: ['npm', 'start'],
      stoppedAt: { char: '&', dropped: '&& echo done' },
    });
    expect(splitShellWords('echo a; echo b').args).toEqual(['echo', 'a']);
    expect(splitShellWords('cat x | grep y').args).toEqual(['cat', 'x']);
    expect(splitShellWords('cmd 2>/dev/null').args).toEqual(['cmd']);
    expect(splitShellWords('echo "a && b"')).toEqual({ args: ['echo', 'a && b'] });
  });

  it.each(['echo "unclosed', "echo 'unclosed", 'echo trailing\\', 'echo (x)', 'echo )'])('%j is an invalid command line string', (line) =>
    expect(() => splitShellWords(line)).toThrow('invalid command line string'),
  );
});
