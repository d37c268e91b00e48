import { describe, expect, it } from 'vitest';
import { dockerfileDiagnostics, isDockerfilePath } from './diagnostics.ts';

describe('dockerfileDiagnostics', () => {
  it('finds nothing in a good Dockerfile', () => {
    const text = 'ARG V=3.11\nFROM python:${V}-slim AS base\n# comment\nWORKDIR /app\nCOPY . /app\nONBUILD RUN echo hi\nCMD ["python", "app.py"]\n';
    expect(dockerfileDiagnostics(text)).toEqual([]);
  });

  it('accepts instructions in any case', () => {
    expect(dockerfileDiagnostics('from alpine\nrun echo hi\nhealthcheck NONE\n')).toEqual([]);
  });

  it('reports unknown instructions with a suggestion, on their line', () => {
    expect(dockerfileDiagnostics('FROM alpine\nRUN echo \\\n  hi\nCOPPY . /app\nFOOBARBAZ x\n')).toEqual([
      { line: 4, severity: 'error', message: 'Unknown instruction: COPPY. Did you mean COPY?' },
      { line: 5, severity: 'error', message: 'Unknown instruction: FOOBARBAZ.' },
    ]);
  });

  it('checks the instruction after ONBUILD', () => {
    expect(dockerfileDiagnostics('FROM alpine\nONBUILD RUNN make\n')).toEqual([
      { line: 2, severity: 'error', message: 'Unknown instruction: RUNN. Did you mean RUN?' },
    ]);
  });

  it('reports a missing FROM once', () => {
    expect(dockerfileDiagnostics('\n\nRUN echo hi\nCMD sh\n')).toEqual([
      { line: 3, severity: 'error', message: expect.stringMatching(/^No FROM instruction/) },
    ]);
  });

  it('reports instructions before the first FROM (except ARG)', () => {
    expect(dockerfileDiagnostics('ARG X=1\nRUN echo\nFROM alpine\n')).toEqual([
      { line: 2, severity: 'error', message: 'RUN comes before FROM. Only ARG may come before the first FROM.' },
    ]);
  });

  it('turns syntax errors into a diagnostic on their line', () => {
    expect(dockerfileDiagnostics('FROM alpine\nRUN <<EOF\necho hi\n')).toEqual([
      { line: 2, severity: 'error', message: 'Unterminated heredoc.' },
    ]);
  });

  it('explains an empty file', () => {
    for (const text of ['', '# nothing yet\n', '\n\n']) {
      expect(dockerfileDiagnostics(text)).toEqual([{ line: 1, severity: 'error', message: expect.stringMatching(/empty/) }]);
    }
  });

  it('passes on parser warnings', () => {
    expect(dockerfileDiagnostics('FROM alpine\nRUN echo \\\n\n  hi\n')).toEqual([
      { line: 4, severity: 'warning', message: expect.stringMatching(/Empty continuation line/) },
    ]);
  });
});

describe('isDockerfilePath', () => {
  it.each([
    ['Dockerfile', true],
    ['web/Dockerfile', true],
    ['Dockerfile.dev', true],
    ['api.dockerfile', true],
    ['Containerfile', true],
    ['Dockerfiles/readme.md', false],
    ['app.py', false],
    ['.dockerignore', false],
  ])('%s → %s', (path, expected) => {
    expect(isDockerfilePath(path)).toBe(expected);
  });
});
