import { describe, expect, it } from 'vitest';
import { runShellLine, type ShellHost, type ShellState } from './run.ts';
import { expandWord, parseShellLine, ShellSyntaxError } from './syntax.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A scripted host for the shell's logic (the page's host runs real docker commands in the engine):
 * `docker echo WORDS` prints its words, `docker cat` prints its stdin, `docker fail` exits 1,
 * `docker tty` prints whether stdout is the terminal.
 */
function harness(files: Record<string, string> = {}) {
  const store = new Map(Object.entries(files).map(([k, v]) => [k, enc.encode(v)]));
  const calls: string[][] = [];
  let out = '';
  let err = '';
  const host: ShellHost = {
    async docker(argv, io) {
      calls.push(argv);
      if (argv[0] === 'echo') io.stdout(enc.encode(`${argv.slice(1).join(' ')}\n`));
      else if (argv[0] === 'cat') io.stdout(io.stdin ?? new Uint8Array());
      else if (argv[0] === 'tty') io.stdout(enc.encode(`${io.tty}\n`));
      else if (argv[0] === 'warn') io.stderr(enc.encode('warning\n'));
      else if (argv[0] === 'fail') return 1;
      return 0;
    },
    readFile: (path) => store.get(path),
    writeFile(path, data, append) {
      if (path === 'big') return 'the workspace keeps files up to 1 MB';
      const before = append ? (store.get(path) ?? new Uint8Array()) : new Uint8Array();
      const next = new Uint8Array(before.length + data.length);
      next.set(before);
      next.set(data, before.length);
      store.set(path, next);
      return undefined;
    },
  };
  const state: ShellState = { env: new Map(), status: 0, pwd: '/workspace' };
  const run = async (line: string) => {
    out = '';
    err = '';
    const code = await runShellLine(parseShellLine(line), state, host, {
      stdout: (d) => (out += dec.decode(d)),
      stderr: (d) => (err += dec.decode(d)),
    });
    return { code, out, err };
  };
  return { run, calls, state, file: (p: string) => (store.has(p) ? dec.decode(store.get(p)) : undefined) };
}

describe('the terminal shell: syntax', () => {
  it('splits words with quotes and escapes as sh does', () => {
    const [item] = parseShellLine(`docker run busybox sh -c 'echo $HOME' "a b" c\\ d`);
    const words = item!.pipeline[0]!.words.flatMap((w) => expandWord(w, new Map(), 0, '/workspace'));
    expect(words).toEqual(['docker', 'run', 'busybox', 'sh', '-c', 'echo $HOME', 'a b', 'c d']);
  });

  it('expands $VAR, ${VAR}, $? and $(pwd); unquoted values split into words, quoted ones do not', () => {
    const env = new Map([
      ['TAG', 'app:1'],
      ['TWO', 'a  b'],
    ]);
    const expand = (line: string) => parseShellLine(line)[0]!.pipeline[0]!.words.flatMap((w) => expandWord(w, env, 3, '/workspace'));
    expect(expand('x $TAG ${TAG}x $? $(pwd)/src "$TWO" $TWO $NONE ""')).toEqual([
      'x',
      'app:1',
      'app:1x',
      '3',
      '/workspace/src',
      'a  b',
      'a',
      'b',
      '',
    ]);
  });

  it('reads lists, pipes and redirects', () => {
    const items = parseShellLine('docker ps -a | grep web > out.txt 2>&1; docker info && echo ok || echo no');
    expect(items.map((i) => [i.op, i.pipeline.length])).toEqual([
      [';', 2],
      [';', 1],
      ['&&', 1],
      ['||', 1],
    ]);
    expect(items[0]!.pipeline[1]!.redirects.map((r) => `${r.fd}${r.op}`)).toEqual(['1>', '2>&1']);
  });

  it.each([
    ['docker run -d busybox sleep 9 &', /runs one command at a time/],
    ['echo $(date)', /substitutes \$\(pwd\) only/],
    ['echo `date`', /does not substitute commands/],
    ['cat <<EOF', /no here-documents/],
    ["echo 'open", /' is not closed/],
    ['| grep x', /unexpected token `\|'/],
    ['docker ps |', /a \| with nothing after it/],
    ['docker ps &&', /&& with nothing after it/],
    ['echo > ', /needs a file name/],
    ['echo ${A:-b}', /expands \$\{NAME\} only/],
  ])('explains what it cannot read: %s', (line, message) => {
    expect(() => parseShellLine(line)).toThrow(ShellSyntaxError);
    expect(() => parseShellLine(line)).toThrow(message);
  });
});

describe('the terminal shell: running', () => {
  it('sends a redirect to a workspace file, not to the command (issue 18)', async () => {
    const h = harness();
    const r = await h.run('docker echo hi > hello.txt');
    expect(h.calls).toEqual([['echo', 'hi']]);
    expect(r.out).toBe('');
    expect(h.file('hello.txt')).toBe('hi\n');
    await h.run('docker echo more >> ./hello.txt');
    expect(h.file('hello.txt')).toBe('hi\nmore\n');
    await h.run('docker echo again > $(pwd)/hello.txt');
    expect(h.file('hello.txt')).toBe('again\n');
  });

  it('refuses paths outside the workspace and says what the workspace refused', async () => {
    const h = harness();
    expect(await h.run('docker echo hi > /hello.txt')).toMatchObject({
      code: 1,
      err: "/hello.txt: Permission denied (this terminal's files are the workspace, /workspace)\n",
    });
    expect(h.calls).toEqual([]);
    expect(await h.run('docker echo hi > big')).toMatchObject({ code: 1, err: 'big: the workspace keeps files up to 1 MB\n' });
    expect(await h.run('docker cat < missing.txt')).toMatchObject({ code: 1, err: 'missing.txt: No such file in the workspace\n' });
  });

  it('feeds stdin from a file or a pipe, and a piped command is not on the terminal', async () => {
    const h = harness({ 'script.sh': 'echo from file\n' });
    expect((await h.run('docker cat < script.sh')).out).toBe('echo from file\n');
    expect((await h.run('echo hello | docker cat')).out).toBe('hello\n');
    expect((await h.run('docker tty | cat')).out).toBe('false\n');
    expect((await h.run('docker tty')).out).toBe('true\n');
  });

  it('runs && and || on the exit status, and ; regardless', async () => {
    const h = harness();
    expect((await h.run('docker fail && echo yes || echo no; echo $?')).out).toBe('no\n0\n');
    expect((await h.run('docker echo a && docker echo b')).out).toBe('a\nb\n');
    expect(await h.run('docker fail')).toMatchObject({ code: 1 });
    expect((await h.run('echo $?')).out).toBe('1\n');
  });

  it('keeps variables between lines (export, NAME=value, unset)', async () => {
    const h = harness();
    await h.run('export IMAGE=busybox:latest');
    await h.run('NAME=web');
    expect(h.state.env.get('IMAGE')).toBe('busybox:latest');
    await h.run('docker echo run --name $NAME "$IMAGE"');
    expect(h.calls.at(-1)).toEqual(['echo', 'run', '--name', 'web', 'busybox:latest']);
    await h.run('unset NAME');
    expect((await h.run('echo [$NAME]')).out).toBe('[]\n');
    expect((await h.run('X=1 docker ps')).err).toMatch(/use export NAME=value first/);
  });

  it('joins stderr to stdout with 2>&1 and sends it to a file with 2>', async () => {
    const h = harness();
    expect((await h.run('docker warn 2>&1 | grep -c warn')).out).toBe('1\n');
    expect(await h.run('docker warn 2> err.txt')).toMatchObject({ out: '', err: '' });
    expect(h.file('err.txt')).toBe('warning\n');
  });

  it('reads nothing from /dev/null and throws away what is written there', async () => {
    const h = harness();
    expect(await h.run('docker warn 2>/dev/null')).toMatchObject({ out: '', err: '' });
    expect(await h.run('docker echo gone > /dev/null')).toMatchObject({ out: '', err: '' });
    expect((await h.run('docker cat < /dev/null | wc -c')).out).toBe('0\n');
  });

  it('says what it does not run', async () => {
    const h = harness();
    expect(await h.run('ls -l')).toMatchObject({
      code: 127,
      err: expect.stringMatching(/^ls: not a command here: this terminal runs docker, vm/),
    });
  });
});

describe('the terminal shell: host tools', () => {
  const ps = 'CONTAINER ID   IMAGE     NAMES\nabc            busybox   web\ndef            python    db\n';
  const files = { 'ps.txt': ps, 'a.txt': '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n' };

  it('grep: patterns, -i -v -c -n -E -w, and exit 1 when nothing matches', async () => {
    const h = harness(files);
    expect((await h.run('cat ps.txt | grep web')).out).toBe('abc            busybox   web\n');
    expect((await h.run('grep -i WEB ps.txt')).out).toBe('abc            busybox   web\n');
    expect((await h.run('grep -vc web ps.txt')).out).toBe('2\n');
    expect((await h.run('grep -n db ps.txt')).out).toBe('3:def            python    db\n');
    expect((await h.run('grep -E "web|db" ps.txt')).out.split('\n')).toHaveLength(3);
    expect((await h.run('grep "web|db" ps.txt')).code).toBe(1);
    expect((await h.run('grep "web\\|db" ps.txt')).out.split('\n')).toHaveLength(3);
    expect(await h.run('grep nothing ps.txt')).toMatchObject({ code: 1, out: '' });
    expect(await h.run('grep x nope.txt')).toMatchObject({ code: 2, err: 'grep: nope.txt: No such file or directory\n' });
  });

  it('head and tail: -n N, -N, default 10', async () => {
    const h = harness(files);
    expect((await h.run('head -n 2 a.txt')).out).toBe('1\n2\n');
    expect((await h.run('cat a.txt | tail -3')).out).toBe('10\n11\n12\n');
    expect((await h.run('head a.txt')).out.split('\n')).toHaveLength(11);
    expect(await h.run('head -n x a.txt')).toMatchObject({ code: 2, err: "head: invalid number of lines: 'x'\n" });
  });

  it('wc: lines, words, bytes', async () => {
    const h = harness(files);
    expect((await h.run('cat ps.txt | wc -l')).out).toBe('3\n');
    expect((await h.run('wc ps.txt')).out).toBe(` 3 10 ${ps.length} ps.txt\n`);
    expect((await h.run('wc -l ps.txt a.txt')).out).toBe(' 3 ps.txt\n12 a.txt\n15 total\n');
    expect((await h.run('cat a.txt | wc')).out).toBe('     12      12      27\n');
  });

  it('echo and pwd', async () => {
    const h = harness();
    expect((await h.run('echo -n a b; echo')).out).toBe('a b\n');
    expect((await h.run('pwd')).out).toBe('/workspace\n');
  });
});
