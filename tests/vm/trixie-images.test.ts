/**
 * The Debian 13 (trixie) images on the real guest (guest/trixie-images.ts): debian:trixie-slim
 * and its tags, and python:3.13-slim with pip installing flask, redis and requests from its
 * offline index.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/engine/cli/io.ts';
import { runDocker } from '../../src/engine/cli/run.ts';
import { useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('trixie-images', { pull: false });
beforeAll(async () => {
  for (const image of ['debian:trixie-slim', 'python:3.13-slim']) await vm.engine.images.pull(image);
}, 300_000);

/** Runs `docker …` as typed, returning what a terminal shows. */
async function docker(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => (out += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    stderr: (t) => (err += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    isTTY: false,
    columns: 120,
    rows: 24,
    onStdin: () => () => {},
    onStdinEnd: (l) => (queueMicrotask(l), () => {}),
  };
  const code = await runDocker(argv, io, vm.engine);
  return { code, out, err };
}

describe('trixie images', () => {
  it('debian:trixie-slim is Debian 13 (also as debian:13-slim and debian:stable-slim), with bash and coreutils', async () => {
    const version = await docker('run', '--rm', 'debian:trixie-slim', 'cat', '/etc/debian_version');
    expect(version.err).toBe('');
    expect(version.out).toMatch(/^13\.\d+\n$/);
    // the same image under each tag
    const id = (await vm.engine.images.inspect('debian:trixie-slim')).Id;
    for (const tag of ['debian:13-slim', 'debian:stable-slim']) {
      await vm.engine.images.pull(tag);
      expect((await vm.engine.images.inspect(tag)).Id).toBe(id);
    }
    // programs that link what trixie's coreutils needs beyond bookworm's (libcap, libcrypto)
    const tools = await docker(
      'run',
      '--rm',
      'debian:trixie-slim',
      'bash',
      '-c',
      'echo "$BASH_VERSION"; ls -d /etc; printf abc | sha256sum; grep -c ^root: /etc/passwd; . /etc/os-release; echo "$VERSION_CODENAME"',
    );
    expect(tools.err).toBe('');
    expect(tools.out).toMatch(
      /^5\.2\.\d+\(1\)-release\n\/etc\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad {2}-\n1\ntrixie\n$/,
    );
  });

  it('python:3.13-slim runs Python 3.13 and pip installs flask, redis and requests offline', { timeout: 600_000 }, async () => {
    const version = await docker('run', '--rm', 'python:3.13-slim', 'python', '--version');
    expect(version.err).toBe('');
    expect(version.out).toMatch(/^Python 3\.13\.\d+\n$/);
    // the same image as python:latest (and the other tags)
    await vm.engine.images.pull('python:latest');
    expect((await vm.engine.images.inspect('python:latest')).Id).toBe((await vm.engine.images.inspect('python:3.13-slim')).Id);
    const py = await docker(
      'run',
      '--rm',
      'python:3.13-slim',
      'sh',
      '-c',
      'pip install -q flask redis requests && python -c "import flask, redis, requests, importlib.metadata as m; print(m.version(\'flask\'), redis.__version__, requests.__version__)"',
    );
    expect(py.err).toBe('');
    expect(py.out).toMatch(/^3\.\d+\.\d+ 6\.\d+\.\d+ 2\.\d+\.\d+\n$/);
    // the standard library as in any 3.13 (sqlite3 is left out, see guest/trixie-images.ts)
    const stdlib = await docker(
      'run',
      '--rm',
      'python:3.13-slim',
      'python',
      '-c',
      'import json, ssl, decimal, hashlib, curses, readline, asyncio; print(json.dumps([decimal.Decimal("0.1") + decimal.Decimal("0.2")], default=str), hashlib.sha256(b"abc").hexdigest()[:8], ssl.OPENSSL_VERSION.split()[0])',
    );
    expect(stdlib.err).toBe('');
    expect(stdlib.out).toBe('["0.3"] ba7816bf OpenSSL\n');
  });
});
