import { readdirSync, readFileSync } from 'node:fs';
import { conformanceData } from '../../../tests/fixtures/conformance.ts';
import { describe, expect, it } from 'vitest';
import { DockerfileSyntaxError, dump, parseDockerfile } from './parser.ts';

// BuildKit's parser conformance data (read-only, maintained outside this repository).
const ROOT = new URL('../../../../shared/conformance/dockerfile-parser/frontend/dockerfile/parser/', import.meta.url);
const exists = conformanceData(
  'dockerfile-parser/frontend/dockerfile/parser/',
  "BuildKit's 33 parser cases, 4 negative cases and the line-number case",
).present;

const read = (rel: string): string => readFileSync(new URL(rel, ROOT), 'utf8');
const cases = (dir: string): string[] => (exists ? readdirSync(new URL(dir, ROOT)).sort() : []);

describe.skipIf(!exists)('BuildKit testfiles (dump must equal result)', () => {
  for (const name of cases('testfiles/')) {
    it(name, () => {
      const ast = parseDockerfile(read(`testfiles/${name}/Dockerfile`));
      expect(dump(ast) + '\n').toBe(read(`testfiles/${name}/result`));
    });
  }
});

// Why each known negative case must fail (cases added upstream only need to throw).
const NEGATIVE_REASONS: Record<string, string> = {
  empty_dockerfile: 'file with no instructions',
  env_no_value: 'ENV must have two arguments',
  only_comments: 'file with no instructions',
  'shykes-nested-json': 'arrays must be comprised of strings only',
};

describe.skipIf(!exists)('BuildKit testfiles-negative (must fail)', () => {
  for (const name of cases('testfiles-negative/')) {
    it(name, () => {
      const parse = (): unknown => parseDockerfile(read(`testfiles-negative/${name}/Dockerfile`));
      expect(parse).toThrow(DockerfileSyntaxError);
      expect(parse).toThrow(NEGATIVE_REASONS[name] ?? '');
    });
  }
});

describe.skipIf(!exists)('BuildKit testfile-line (line numbers)', () => {
  it('testfile-line', () => {
    const ast = parseDockerfile(read('testfile-line/Dockerfile'));
    expect([ast.startLine, ast.endLine]).toEqual([5, 31]);
    expect(ast.children.map((c) => [c.startLine, c.endLine])).toEqual([
      [5, 5],
      [11, 12],
      [17, 31],
    ]);
  });
});

describe('parseDockerfile', () => {
  it('names the line of a bad instruction in the error', () => {
    let caught: unknown;
    try {
      parseDockerfile('FROM busybox\n\nENV PATH\n');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DockerfileSyntaxError);
    const err = caught as DockerfileSyntaxError;
    expect(err.message).toBe('dockerfile parse error on line 3: ENV must have two arguments');
    expect([err.line, err.kind]).toEqual([3, 'missing-arguments']);
  });

  it('reports the whole span of a continued instruction', () => {
    const err = (() => {
      try {
        parseDockerfile('FROM a\nLABEL a=b \\\n  c\n');
      } catch (e) {
        return e as DockerfileSyntaxError;
      }
      return undefined;
    })();
    expect(err?.message).toBe(`dockerfile parse error on line 2: Syntax error - can't find = in "c". Must be of the form: name=value`);
    expect([err?.line, err?.endLine, err?.kind]).toEqual([2, 3, 'invalid-key-value']);
  });

  it('rejects files without instructions', () => {
    expect(() => parseDockerfile('')).toThrow('file with no instructions');
    expect(() => parseDockerfile('# just a comment\n\n')).toThrow(/line 2: file with no instructions/);
  });

  it('keeps unknown instructions (the builder rejects them later)', () => {
    const ast = parseDockerfile('FROM alpine\nFROBNICATE --x=1 the thing\n');
    const node = ast.children[1];
    expect(node?.value).toBe('frobnicate');
    expect(node?.flags).toEqual(['--x=1']);
    expect(node?.original).toBe('FROBNICATE --x=1 the thing');
    expect(dump(ast)).toBe('(from "alpine")\n(frobnicate ["--x=1"] "")');
  });

  it('rejects arrays of non-strings in JSON form', () => {
    expect(() => parseDockerfile('CMD ["a", 1]')).toThrow(
      'dockerfile parse error on line 1: when using JSON array syntax, arrays must be comprised of strings only',
    );
  });

  it('applies parser directives only at the top of the file', () => {
    const ast = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN dir `\n  c:\\\n');
    expect(ast.escapeToken).toBe('`');
    expect(ast.directives).toEqual([
      { name: 'syntax', value: 'docker/dockerfile:1', line: 1 },
      { name: 'escape', value: '`', line: 2 },
    ]);
    expect(dump(ast)).toBe('(from "a")\n(run "dir   c:\\\\")');
    expect(() => parseDockerfile('# escape=`\n# escape=\\\nFROM a')).toThrow(
      'dockerfile parse error on line 2: only one escape parser directive can be used',
    );
    expect(() => parseDockerfile('# escape=x\nFROM a')).toThrow(DockerfileSyntaxError);
    expect(parseDockerfile('FROM a\n# escape=`\n').escapeToken).toBe('\\');
  });

  it('marks JSON form, nests ONBUILD and records comments', () => {
    const ast = parseDockerfile('FROM a\n# say hi\nCMD ["echo", "hi"]\nONBUILD RUN echo x\n');
    const [, cmd, onbuild] = ast.children;
    expect(cmd?.json).toBe(true);
    expect(cmd?.next).toEqual(['echo', 'hi']);
    expect(cmd?.prevComment).toEqual(['say hi']);
    expect(onbuild?.subcommand?.value).toBe('run');
    expect(onbuild?.subcommand?.next).toEqual(['echo x']);
  });

  it('warns about empty continuation lines', () => {
    const ast = parseDockerfile(
      'FROM alpine:3.6\n\nRUN valid \\\n    continuation\n\nRUN something \\\n\n    following \\\n\n    more\n\n' +
        'RUN another \\\n\n    thing\n\nRUN non-indented \\\n# this is a comment\n   after-comment\n',
    );
    expect(ast.warnings.map((w) => w.short)).toEqual([
      'Empty continuation line found in: RUN something     following     more',
      'Empty continuation line found in: RUN another     thing',
    ]);
  });

  it('reads heredocs for RUN, COPY and ADD', () => {
    const ast = parseDockerfile(
      [
        'FROM alpine',
        'RUN <<EOF',
        'echo hello',
        'EOF',
        'COPY <<A 3<<-"B" /dest',
        'one',
        'A',
        '\ttwo',
        '\tB',
        'RUN ["<<EOF"]',
        'USER <<NOPE',
        'RUN << EOF > out',
        'EOF',
        '',
      ].join('\n'),
    );
    const [, run, copy, json, user, spaced] = ast.children;
    expect(run?.heredocs).toEqual([{ name: 'EOF', fileDescriptor: 0, expand: true, chomp: false, content: 'echo hello\n' }]);
    expect([run?.startLine, run?.endLine]).toEqual([2, 4]);
    expect(copy?.heredocs).toEqual([
      { name: 'A', fileDescriptor: 0, expand: true, chomp: false, content: 'one\n' },
      { name: 'B', fileDescriptor: 3, expand: false, chomp: true, content: '\ttwo\n' },
    ]);
    expect(json?.heredocs).toEqual([]);
    expect(user?.heredocs).toEqual([]);
    expect(spaced?.heredocs.map((h) => h.name)).toEqual(['EOF']);
    expect(() => parseDockerfile('FROM a\nRUN <<EOF\necho\n')).toThrow('dockerfile parse error on line 2: unterminated heredoc');
  });
});
