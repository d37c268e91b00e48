import { describe, expect, it } from 'vitest';
import { runDocker } from './run.ts';
import { captureIO, FakeEngine } from './testkit.ts';

async function docker(engine: FakeEngine, argv: string[]) {
  const cap = captureIO();
  const code = await runDocker(argv, cap.io, engine);
  return { code, out: cap.out(), err: cap.err() };
}

function engine(): FakeEngine {
  const e = new FakeEngine();
  e.searchResults = [
    {
      name: 'python',
      description: 'Python 3.11.2 on debian:bookworm-slim with pip and an offline package index',
      starCount: 0,
      isOfficial: false,
    },
    { name: 'localhost:5000/python-app', description: '', starCount: 0, isOfficial: false },
  ];
  return e;
}

describe('docker search', () => {
  it("prints docker/cli's table, descriptions cut at 45 columns unless --no-trunc", async () => {
    const r = await docker(engine(), ['search', 'python']);
    expect(r.out).toBe(
      [
        'NAME                        DESCRIPTION                                     STARS     OFFICIAL',
        'python                      Python 3.11.2 on debian:bookworm-slim with p…   0         ',
        'localhost:5000/python-app                                                   0         ',
        '',
      ].join('\n'),
    );
    expect((await docker(engine(), ['search', '--no-trunc', '--format', '{{.Name}}: {{.Description}}', 'python'])).out).toBe(
      'python: Python 3.11.2 on debian:bookworm-slim with pip and an offline package index\nlocalhost:5000/python-app: \n',
    );
    expect((await docker(engine(), ['search', '--limit', '1', '--format', '{{.Name}}', 'python'])).out).toBe('python\n');
  });

  it('filters as the daemon does', async () => {
    expect((await docker(engine(), ['search', '-f', 'is-official=true', '--format', '{{.Name}}', 'python'])).out).toBe('');
    expect((await docker(engine(), ['search', '-f', 'stars=0', '--format', '{{.Name}}', 'python'])).out.split('\n')).toHaveLength(3);
    const bad = await docker(engine(), ['search', '-f', 'colour=red', 'python']);
    expect([bad.code, bad.err]).toEqual([1, "Error response from daemon: invalid filter 'colour'\n"]);
    const limit = await docker(engine(), ['search', '--limit', '200', 'python']);
    expect(limit.err).toBe('Error response from daemon: limit 200 is outside the range of [1, 100]\n');
  });
});
