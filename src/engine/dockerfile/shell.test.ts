import { readFileSync } from 'node:fs';
import { conformanceData } from '../../../tests/fixtures/conformance.ts';
import { describe, expect, it } from 'vitest';
import { ShellExpansionError, ShellLexer } from './shell.ts';

// BuildKit's shell lexer conformance data (read-only, maintained outside this repository).
const ROOT = new URL('../../../../shared/conformance/dockerfile-parser/frontend/dockerfile/shell/', import.meta.url);
const exists = conformanceData('dockerfile-parser/frontend/dockerfile/shell/', "BuildKit's envVarTest and wordsTest cases").present;

const lines = (file: string): string[] => (exists ? readFileSync(new URL(file, ROOT), 'utf8').split('\n') : []);

interface EnvVarCase {
  line: number;
  platform: string;
  source: string;
  expected: string;
}

/** envVarTest: `PLATFORM|SOURCE|EXPECTED`, each trimmed; `#` lines and blank lines skipped. */
function envVarCases(): EnvVarCase[] {
  const out: EnvVarCase[] = [];
  lines('envVarTest').forEach((raw, i) => {
    if (raw.startsWith('#') || raw.trim() === '') return;
    const fields = raw.trim().split('|');
    if (fields.length !== 3) throw new Error(`envVarTest line ${i + 1}: expected 3 fields`);
    const [platform = '', source = '', expected = ''] = fields.map((f) => f.trim());
    out.push({ line: i + 1, platform, source, expected });
  });
  return out;
}

interface WordsCase {
  line: number;
  input: string;
  expected: string[];
  env: string[];
}

/** wordsTest: `INPUT | w1,w2`; `ENV k=v` lines add to the environment of all later cases. */
function wordsCases(): WordsCase[] {
  const out: WordsCase[] = [];
  const env: string[] = [];
  lines('wordsTest').forEach((raw, i) => {
    if (raw.startsWith('#') || raw === '') return;
    if (raw.startsWith('ENV ')) {
      env.push(raw.slice(3).replace(/^ +/, ''));
      return;
    }
    const fields = raw.split('|');
    if (fields.length !== 2) throw new Error(`wordsTest line ${i + 1}: expected exactly one |`);
    const [input = '', expected = ''] = fields;
    out.push({ line: i + 1, input: input.trim(), expected: expected.replace(/^ +/, '').split(','), env: [...env] });
  });
  return out;
}

const ENVS = ['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL='];

describe.skipIf(!exists)('BuildKit envVarTest (ProcessWord)', () => {
  const lex = new ShellLexer('\\');
  // A = all platforms, U = unix; W (windows: case-insensitive names) does not apply here.
  for (const c of envVarCases().filter((c) => c.platform === 'A' || c.platform === 'U')) {
    it(`line ${c.line}: ${c.source}`, () => {
      if (c.expected === 'error') {
        expect(() => lex.processWord(c.source, ENVS)).toThrow(ShellExpansionError);
        expect(() => lex.processWord(c.source, new Map(ENVS.map((e) => [e.split('=')[0] ?? '', e.slice(e.indexOf('=') + 1)])))).toThrow(
          ShellExpansionError,
        );
      } else {
        expect(lex.processWord(c.source, ENVS)).toBe(c.expected);
      }
    });
  }
});

describe.skipIf(!exists)('BuildKit wordsTest (ProcessWords)', () => {
  const lex = new ShellLexer('\\');
  for (const c of wordsCases()) {
    it(`line ${c.line}: ${c.input}`, () => {
      let result: string[];
      try {
        result = lex.processWords(c.input, c.env);
      } catch {
        result = ['error'];
      }
      expect(result).toEqual(c.expected);
    });
  }
});

describe('ShellLexer', () => {
  const lex = new ShellLexer();

  it('explains errors, naming the word', () => {
    expect(() => lex.processWord('he${PWD:=000}xx', {})).toThrow(
      'failed to process "he${PWD:=000}xx": unsupported modifier (:=) in substitution',
    );
    expect(() => lex.processWord("it's", {})).toThrow(
      `failed to process "it's": unexpected end of statement while looking for matching single-quote`,
    );
  });

  it('enforces ${VAR?msg} and ${VAR:?msg}', () => {
    const set = { VAR: 'plain', ARG: 'x' };
    const empty = { VAR: '', ARG: 'x' };
    const unset = { ARG: 'x' };
    expect(lex.processWord('${VAR:?message here$ARG}', set)).toBe('plain');
    expect(() => lex.processWord('${VAR:?message here$ARG}', empty)).toThrow('VAR: message herex');
    expect(() => lex.processWord('${VAR:?message here$ARG}', unset)).toThrow('VAR: message herex');
    expect(lex.processWord('${VAR?message here$ARG}', empty)).toBe('');
    expect(() => lex.processWord('${VAR?}', unset)).toThrow('VAR: is not allowed to be unset');
  });

  it('distinguishes unset from empty in -, + and their : forms', () => {
    const env = { FOO: 'xxx', BAR: '' };
    expect(lex.processWord('${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', env)).toBe('xxx  ccc');
    expect(lex.processWord('${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', env)).toBe('xxx bbb ccc');
    expect(lex.processWord('${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', env)).toBe('aaa bbb ');
    expect(lex.processWord('${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', env)).toBe('aaa  ');
  });

  it('supports # ## % %% / // pattern substitutions', () => {
    const cases: [string, Record<string, string>, string][] = [
      ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x'],
      ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx'],
      ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y'],
      ['${FOO##*x}', { FOO: 'xxyy' }, 'yy'],
      ['${FOO#?\\?}', { FOO: '???y' }, '?y'],
      ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.'],
      ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a'],
      ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt'],
      ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt'],
      ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt'],
      ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy'],
      ['${FOO///}', { FOO: 'xxyy' }, 'xxyy'],
    ];
    for (const [input, env, expected] of cases) expect(lex.processWord(input, env), input).toBe(expected);
    expect(() => lex.processWord('${FOO//ww}', { FOO: 'xxyy' })).toThrow(ShellExpansionError);
    expect(() => lex.processWord('${FOO#\\x}', { FOO: 'xxyy' })).toThrow(/invalid escape/);
  });

  it('reports matched and unmatched variables', () => {
    const r = lex.processWordWithMatches('${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: 'xxx', BAR: '' });
    expect([...r.matched].sort()).toEqual(['BAR', 'FOO']);
    expect([...r.unmatched]).toEqual(['BAZ']);
  });

  it('uses a backtick as escape token when asked', () => {
    const tick = new ShellLexer('`');
    expect(tick.processWord('C:\\path `$HOME', { HOME: 'x' })).toBe('C:\\path $HOME');
    expect(tick.processWords('a` b "c`"d"', {})).toEqual(['a b', 'c"d']);
  });

  it('can leave unset variables and quotes alone', () => {
    const raw = new ShellLexer('\\', { rawQuotes: true, skipUnsetEnv: true });
    expect(raw.processWord(`'$A' "\${B:-x}" $C`, { C: 'c' })).toBe(`'$A' "\${B:-x}" c`);
  });
});
