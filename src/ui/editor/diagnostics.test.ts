import { describe, expect, it } from 'vitest';
import { applyFix, dockerfileDiagnostics, isDockerfilePath } from './diagnostics.ts';

describe('dockerfileDiagnostics', () => {
  it('finds nothing in a good Dockerfile', () => {
    const text =
      'ARG V=3.11\nFROM python:${V}-slim AS base\n# comment\nWORKDIR /app\nCOPY . /app\nONBUILD RUN echo hi\nCMD ["python", "app.py"]\n';
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

describe('dockerfileDiagnostics with the images FROM can use', () => {
  // as the catalog lists them (the page reads catalog.json; nothing here is fixed in the code)
  const images = {
    available: [
      'busybox:latest',
      'busybox:1.35',
      'debian:bookworm-slim',
      'debian:12-slim',
      'python:3.11-slim',
      'python:3.11',
      'python:3.13-slim',
      'python:3.13',
    ],
    local: ['app:latest'],
  };

  it('flags a base image that is not offered, naming the closest tags, with a quick fix to the nearest', () => {
    const [d, ...rest] = dockerfileDiagnostics('FROM python:3.12-slim\nWORKDIR /app\n', images);
    expect(rest).toEqual([]);
    expect(d).toEqual({
      line: 1,
      severity: 'error',
      message:
        'LayerLab runs offline and has no python:3.12-slim; the closest tags it has: python:3.13-slim, python:3.11-slim, python:3.13.' +
        ' A build fails here: an image or tag LayerLab lacks is never swapped for another.',
      fix: { label: 'Use python:3.13-slim', from: 5, to: 21, insert: 'python:3.13-slim' },
    });
  });

  it('follows the catalog it is given', () => {
    const [d] = dockerfileDiagnostics('FROM python:3.12-slim\n', { available: ['python:3.11-slim', 'python:3.11'], local: [] });
    expect(d?.fix?.insert).toBe('python:3.11-slim');
    expect(d?.message).toMatch(/the closest tags it has: python:3\.11-slim, python:3\.11\. /);
  });

  it('accepts offered and stored images, earlier stages, scratch, unresolved variables and registries of their own', () => {
    const text =
      'FROM busybox AS base\nFROM Base\nFROM app\nFROM debian:12-slim\nFROM scratch\nARG V\nFROM python:${V}\n' +
      'FROM localhost:5000/mine\nFROM registry.example.com/team/python:3.12-slim\nFROM 127.0.0.1:5001/x\nFROM --platform=linux/386 python:3.11\n';
    expect(dockerfileDiagnostics(text, images)).toEqual([]);
  });

  it('accepts stage names however a later FROM writes them, and a stage named like an image', () => {
    const text = 'FROM python:3.13-slim AS build\nRUN true\nFROM build AS test\nFROM BUILD\nFROM python:3.13-slim AS python\nFROM python\n';
    expect(dockerfileDiagnostics(text, images)).toEqual([]);
  });

  it('expands ARGs declared before the first FROM, and warns about what they name without a quick fix', () => {
    expect(dockerfileDiagnostics('ARG V=3.13\nFROM python:${V}-slim\n', images)).toEqual([]);
    expect(dockerfileDiagnostics('ARG V=3.12\nARG IMAGE=python:${V}-slim\nFROM $IMAGE AS base\n', images)).toEqual([
      {
        line: 3,
        severity: 'warning',
        message:
          'With the ARG defaults this FROM names python:3.12-slim. LayerLab runs offline and has no python:3.12-slim; the closest tags it has: python:3.13-slim, python:3.11-slim, python:3.13.',
      },
    ]);
    // a variable with no default, or declared after the first FROM, is left to --build-arg
    expect(dockerfileDiagnostics('ARG V\nFROM python:${V}-slim\nARG W=1\nFROM python:${W}\n', images)).toEqual([]);
  });

  it('suggests a repository spelled nearly the same, and names what it has for an unrelated one', () => {
    const [typo] = dockerfileDiagnostics('FROM busybx\n', images);
    expect(typo?.fix?.insert).toBe('busybox:latest');
    expect(typo?.message).toMatch(
      /^LayerLab runs offline and has no image named busybx; the closest it has: busybox:latest, busybox:1\.35\. /,
    );
    const [d] = dockerfileDiagnostics('FROM node:20\n', images);
    expect(d?.message).toMatch(/^LayerLab runs offline and has no image named node; the images it has: busybox, debian, python\. /);
    expect(d?.fix).toBeUndefined();
  });

  it('flags a FROM that is not an image name', () => {
    expect(dockerfileDiagnostics('FROM Python:3\n', images)[0]?.message).toBe('invalid reference format: Python:3 is not an image name.');
  });

  it('finds the column of the image after flags and in lower case', () => {
    expect(dockerfileDiagnostics('from --platform=linux/386 python:3.12\n', images)[0]?.fix).toEqual({
      label: 'Use python:3.13',
      from: 26,
      to: 37,
      insert: 'python:3.13',
    });
  });
});

describe('applyFix', () => {
  it('replaces the fix columns on the diagnostic line only', () => {
    const text = 'FROM python:3.12-slim\r\nRUN echo python:3.12-slim\n';
    const [d] = dockerfileDiagnostics(text, { available: ['python:3.11-slim'], local: [] });
    expect(applyFix(text, d!)).toBe('FROM python:3.11-slim\r\nRUN echo python:3.12-slim\n');
    expect(applyFix(text, { line: 1, severity: 'error', message: 'x' })).toBe(text);
  });
});
