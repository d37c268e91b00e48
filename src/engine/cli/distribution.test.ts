import { beforeEach, describe, expect, it } from 'vitest';
import { goldenFiles } from '../../../tests/fixtures/golden.ts';
import { NotFoundError, UnavailableError } from '../errors.ts';
import { progressText } from './progress-display.ts';
import { runDocker } from './run.ts';
import { captureIO, FakeEngine, tick } from './testkit.ts';

// Golden files live in testdata/; `UPDATE_GOLDEN=1 npx vitest run --project unit src/engine/cli` rewrites them.
const golden = goldenFiles(new URL('./testdata/', import.meta.url));

const enc = new TextEncoder();
let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
  engine.imageList = [
    {
      id: 'sha256:' + 'a'.repeat(64),
      repoTags: ['busybox:latest'],
      created: '2024-04-17T00:00:00Z',
      size: 4_261_234,
      containers: 0,
      labels: {},
    },
    {
      id: 'sha256:' + 'd'.repeat(64),
      repoTags: ['localhost:5000/web:latest'],
      created: '2024-04-18T00:00:00Z',
      size: 4_300_000,
      containers: 0,
      labels: {},
    },
  ];
});

async function docker(argv: string[], opts: Parameters<typeof captureIO>[0] = {}) {
  const cap = captureIO(opts);
  const code = await runDocker(argv, cap.io, engine);
  return { code, out: cap.out(), err: cap.err(), cap };
}

describe('help', () => {
  it('prints help like docker', async () => {
    golden('help-save.golden', (await docker(['save', '--help'])).out);
    golden('help-load.golden', (await docker(['load', '--help'])).out);
    golden('help-push.golden', (await docker(['push', '--help'])).out);
    golden('help-login.golden', (await docker(['login', '--help'])).out);
    golden('help-logout.golden', (await docker(['logout', '--help'])).out);
    expect((await docker(['image', 'save', '--help'])).out).toContain('Usage:  docker image save [OPTIONS] IMAGE [IMAGE...]\n');
    expect((await docker(['image', 'load', '-h'])).out).toContain('Usage:  docker image load [OPTIONS]\n');
    expect((await docker(['help', 'image', 'push'])).out).toContain('Usage:  docker image push [OPTIONS] NAME[:TAG]\n');
  });

  it('checks argument counts', async () => {
    expect(await docker(['save'])).toMatchObject({
      code: 1,
      err:
        '"docker save" requires at least 1 argument.\nSee \'docker save --help\'.\n\nUsage:  docker save [OPTIONS] IMAGE [IMAGE...]\n\n' +
        'Save one or more images to a tar archive (streamed to STDOUT by default)\n',
    });
    expect((await docker(['load', 'x.tar'])).err).toMatch(/^"docker load" accepts no arguments\./);
    expect((await docker(['push'])).err).toMatch(/^"docker push" requires exactly 1 argument\./);
    expect((await docker(['login', 'a', 'b'])).err).toMatch(/^"docker login" requires at most 1 argument\./);
    expect((await docker(['logout', 'a', 'b'])).code).toBe(1);
  });
});

describe('docker save', () => {
  it('writes the archive to a file with -o', async () => {
    const r = await docker(['save', '-o', 'busybox.tar', 'busybox']);
    expect(r).toMatchObject({ code: 0, out: '', err: '' });
    expect(r.cap.files.get('busybox.tar')).toEqual(engine.saveArchive);
    expect(engine.calls.find((c) => c.method === 'images.save')?.args).toEqual([['busybox']]);
  });

  it('streams the archive to a redirected stdout', async () => {
    const r = await docker(['image', 'save', 'busybox', 'localhost:5000/web']);
    expect(r.code).toBe(0);
    expect(r.cap.outBytes()).toEqual(engine.saveArchive);
    expect(engine.calls.find((c) => c.method === 'images.save')?.args).toEqual([['busybox', 'localhost:5000/web']]);
  });

  it('refuses to write binary to a terminal', async () => {
    const r = await docker(['save', 'busybox'], { tty: true });
    expect(r).toMatchObject({ code: 1, out: '', err: 'cowardly refusing to save to a terminal. Use the -o flag or redirect\n' });
    expect(engine.methods()).not.toContain('images.save');
    expect((await docker(['save', '--output=b.tar', 'busybox'], { tty: true })).code).toBe(0);
  });

  it('reports a missing image like the daemon', async () => {
    const r = await docker(['save', '-o', 'x.tar', 'nope']);
    expect(r).toMatchObject({ code: 1, err: 'Error response from daemon: No such image: nope\n' });
    expect(r.cap.files.size).toBe(0);
  });

  it('says why a file cannot be written', async () => {
    const cap = captureIO();
    cap.io.writeFile = async () => {
      throw new Error('open /ro/x.tar: read-only file system');
    };
    expect(await runDocker(['save', '-o', '/ro/x.tar', 'busybox'], cap.io, engine)).toBe(1);
    expect(cap.err()).toBe('failed to save image: open /ro/x.tar: read-only file system\n');
  });

  it('refuses --platform with the reason', async () => {
    const r = await docker(['save', '--platform', 'linux/amd64', 'busybox']);
    expect(r).toMatchObject({
      code: 125,
      err: "--platform is not supported by LayerLab: images have one platform here\nSee 'docker save --help'.\n",
    });
  });
});

describe('docker load', () => {
  const archive = enc.encode('tar bytes');

  it('loads a file given with -i', async () => {
    const cap = captureIO();
    cap.files.set('busybox.tar', archive);
    const code = await runDocker(['load', '-i', 'busybox.tar'], cap.io, engine);
    expect(code).toBe(0);
    expect(cap.out()).toBe('Loaded image: busybox:latest\n');
    expect(cap.err()).toBe('');
    expect(engine.loadedArchives).toEqual([archive]);
  });

  it('prints a missing file like docker (no daemon prefix)', async () => {
    expect(await docker(['load', '--input', 'nope.tar'])).toMatchObject({ code: 1, err: 'open nope.tar: no such file or directory\n' });
    expect(engine.methods()).not.toContain('images.load');
  });

  it('reads all of stdin when there is no -i', async () => {
    const cap = captureIO();
    const status = runDocker(['image', 'load'], cap.io, engine);
    await tick();
    cap.stdin(enc.encode('tar '));
    cap.stdin(enc.encode('bytes'));
    await tick();
    expect(engine.methods()).not.toContain('images.load');
    cap.end();
    expect(await status).toBe(0);
    expect(engine.loadedArchives).toEqual([archive]);
    expect(cap.out()).toBe('Loaded image: busybox:latest\n');
    expect(cap.listeners()).toMatchObject({ stdin: 0, end: 0 });
  });

  it('refuses to read a terminal', async () => {
    const r = await docker(['load'], { tty: true });
    expect(r).toMatchObject({ code: 1, out: '', err: 'requested load from stdin, but stdin is empty\n' });
    expect((await docker(['load'], { stdin: false })).err).toBe('requested load from stdin, but stdin is empty\n');
  });

  it('stops waiting for stdin on Ctrl-C', async () => {
    const cap = captureIO();
    const status = runDocker(['load'], cap.io, engine);
    await tick();
    cap.interrupt();
    expect(await status).toBe(130);
    expect(engine.methods()).not.toContain('images.load');
    await tick();
    expect(cap.listeners()).toMatchObject({ stdin: 0, end: 0 });
  });

  it('prints the engine lines once, warnings on stderr', async () => {
    engine.loadScript = {
      events: [
        { id: '3d24ee258efc', status: 'Loading layer', current: 4_261_376, total: 4_261_376 },
        { id: '', status: 'Warning: layer 1: the tar ends early' },
        { id: '', status: 'The image busybox:latest already exists, renaming the old one with ID sha256:aaa to empty string' },
        { id: '', status: 'Loaded image: busybox:latest' },
      ],
      result: {
        loaded: ['Loaded image: busybox:latest', 'Loaded image ID: sha256:' + 'b'.repeat(64)],
        warnings: ['layer 1: the tar ends early', 'another'],
      },
    };
    const cap = captureIO();
    cap.files.set('a.tar', archive);
    expect(await runDocker(['load', '-i', 'a.tar'], cap.io, engine)).toBe(0);
    expect(cap.out()).toBe(
      'The image busybox:latest already exists, renaming the old one with ID sha256:aaa to empty string\n' +
        'Loaded image: busybox:latest\n' +
        `Loaded image ID: sha256:${'b'.repeat(64)}\n`,
    );
    expect(cap.err()).toBe('Warning: layer 1: the tar ends early\nWarning: another\n');
  });

  it('shows layer progress on a terminal unless -q', async () => {
    engine.loadScript = {
      events: [{ id: '3d24ee258efc', status: 'Loading layer', current: 4_261_376, total: 4_261_376 }],
      result: { loaded: ['Loaded image: busybox:latest'], warnings: [] },
    };
    const load = async (argv: string[], columns: number): Promise<string> => {
      const cap = captureIO({ tty: true, columns });
      cap.files.set('a.tar', archive);
      expect(await runDocker(argv, cap.io, engine)).toBe(0);
      return cap.out();
    };
    expect(await load(['load', '-i', 'a.tar'], 80)).toBe('3d24ee258efc: Loading layer  4.261MB/4.261MB\nLoaded image: busybox:latest\n');
    expect(await load(['load', '-i', 'a.tar'], 120)).toBe(
      `3d24ee258efc: Loading layer [${'='.repeat(50)}>]  4.261MB/4.261MB\nLoaded image: busybox:latest\n`,
    );
    expect(await load(['load', '-q', '-i', 'a.tar'], 120)).toBe('Loaded image: busybox:latest\n');
  });

  it('reports a bad archive like the daemon', async () => {
    engine.loadScript.error = new UnavailableError('neither manifest.json nor index.json found');
    const cap = captureIO();
    cap.files.set('a.tar', archive);
    expect(await runDocker(['load', '-i', 'a.tar'], cap.io, engine)).toBe(1);
    expect(cap.err()).toBe('Error response from daemon: neither manifest.json nor index.json found\n');
  });

  it('formats progress like jsonmessage', () => {
    expect(progressText(0, 0, 80)).toBe('');
    expect(progressText(1_000, 0, 80)).toBe('     1kB');
    expect(progressText(2_130_688, 4_261_376, 200)).toBe(`[${'='.repeat(25)}>${' '.repeat(25)}]  2.131MB/4.261MB`);
    expect(progressText(5_000_000, 4_261_376, 80)).toBe('     5MB');
  });
});

describe('docker push', () => {
  const DIGEST = 'sha256:' + '7'.repeat(64);
  const events = [
    { id: '', status: 'The push refers to repository [localhost:5000/web]' },
    { id: '5f70bf18a086', status: 'Preparing' },
    { id: '3d24ee258efc', status: 'Preparing' },
    { id: '5f70bf18a086', status: 'Pushing', current: 0, total: 32 },
    { id: '5f70bf18a086', status: 'Pushing', current: 32, total: 32 },
    { id: '5f70bf18a086', status: 'Pushed' },
    { id: '3d24ee258efc', status: 'Mounted from busybox' },
    { id: '', status: `latest: digest: ${DIGEST} size: 527` },
  ];

  it('prints progress like docker, the digest line once', async () => {
    engine.pushEvents.set('localhost:5000/web:latest', events);
    const r = await docker(['push', 'localhost:5000/web']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'Using default tag: latest\n' +
        'The push refers to repository [localhost:5000/web]\n' +
        '5f70bf18a086: Preparing\n' +
        '3d24ee258efc: Preparing\n' +
        '5f70bf18a086: Pushed\n' +
        '3d24ee258efc: Mounted from busybox\n' +
        `latest: digest: ${DIGEST} size: 527\n`,
    );
    expect(r.err).toBe('');
    expect(engine.calls.find((c) => c.method === 'images.push')?.args).toEqual(['localhost:5000/web:latest']);
  });

  it('prints the digest line itself when the engine does not', async () => {
    engine.pushEvents.set('localhost:5000/web:1', [
      { id: '', status: 'The push refers to repository [localhost:5000/web]' },
      { id: '3d24ee258efc', status: 'Layer already exists' },
    ]);
    engine.pushResult = { digest: DIGEST, size: 480 };
    const r = await docker(['image', 'push', 'localhost:5000/web:1']);
    expect(r).toMatchObject({
      code: 0,
      out: `The push refers to repository [localhost:5000/web]\n3d24ee258efc: Layer already exists\n1: digest: ${DIGEST} size: 480\n`,
    });
  });

  it('prints only the reference with -q', async () => {
    engine.pushEvents.set('localhost:5000/web:latest', events);
    expect(await docker(['push', '-q', 'localhost:5000/web'])).toMatchObject({ code: 0, out: 'localhost:5000/web:latest\n', err: '' });
  });

  it('prints an error inside the stream as-is, before it like the daemon', async () => {
    engine.images.push = async (_ref, onEvent) => {
      onEvent?.({ id: '', status: 'The push refers to repository [localhost:5000/nope]' });
      throw new NotFoundError('An image does not exist locally with the tag: localhost:5000/nope');
    };
    expect(await docker(['push', 'localhost:5000/nope'])).toMatchObject({
      code: 1,
      out: 'Using default tag: latest\nThe push refers to repository [localhost:5000/nope]\n',
      err: 'An image does not exist locally with the tag: localhost:5000/nope\n',
    });
    engine.images.push = async () => {
      throw new UnavailableError('registry is starting');
    };
    expect((await docker(['push', 'localhost:5000/x:1'])).err).toBe('Error response from daemon: registry is starting\n');
  });

  it('refuses --all-tags', async () => {
    const r = await docker(['push', '-a', 'localhost:5000/web']);
    expect(r).toMatchObject({
      code: 125,
      err: "--all-tags is not supported by LayerLab: push one tag at a time\nSee 'docker push --help'.\n",
    });
  });
});

describe('docker login / logout', () => {
  it('prints the engine refusal as a daemon error, before reading anything', async () => {
    const r = await docker(['login']);
    expect(r).toMatchObject({ code: 1, out: '', err: `Error response from daemon: ${engine.loginMessage}\n` });
    expect(engine.calls.find((c) => c.method === 'loginStatus')?.args).toEqual([undefined]);
    await docker(['login', 'localhost:5000', '-u', 'me', '--password-stdin']);
    expect(engine.calls.filter((c) => c.method === 'loginStatus').map((c) => c.args)).toEqual([[undefined], ['localhost:5000']]);
    expect(engine.calls.filter((c) => c.method === 'login')).toHaveLength(0);
  });

  it('warns about --password and checks the flags like docker', async () => {
    expect(await docker(['login', '-u', 'me', '-p', 'secret'])).toMatchObject({
      code: 1,
      err: `WARNING! Using --password via the CLI is insecure. Use --password-stdin.\nError response from daemon: ${engine.loginMessage}\n`,
    });
    expect((await docker(['login', '--password-stdin'])).err).toBe('the --password-stdin option requires --username to be set\n');
    expect((await docker(['login', '-u', 'me', '-p', 'x', '--password-stdin'])).err).toBe(
      'conflicting options: cannot specify both --password and --password-stdin\n',
    );
    expect((await docker(['login', '-u', ''])).err).toBe('username is empty\n');
    expect(engine.calls.filter((c) => c.method === 'loginStatus')).toHaveLength(1);
  });

  it('logs in with -u/-p, --password-stdin or prompts, and logs out', async () => {
    engine.loginMessage = undefined;
    engine.accounts.set('alice', 's3cret');
    const r = await docker(['login', '127.0.0.1:5001', '-u', 'alice', '-p', 's3cret']);
    expect(r).toMatchObject({ code: 0, out: 'Login Succeeded\n' });
    expect(r.err).toBe(
      'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n' +
        "WARNING! Your credentials are stored unencrypted in LayerLab's storage (this browser's IndexedDB; for the Node CLI, $LAYERLAB_HOME).\n",
    );
    expect(engine.calls.find((c) => c.method === 'login')?.args).toEqual(['127.0.0.1:5001', 'alice']);
    expect(await docker(['logout', 'http://127.0.0.1:5001/v2/'])).toMatchObject({
      code: 0,
      out: 'Removing login credentials for 127.0.0.1:5001\n',
    });

    const bad = await docker(['login', '127.0.0.1:5001', '-u', 'alice', '-p', 'nope']);
    expect(bad).toMatchObject({ code: 1, out: '' });
    expect(bad.err).toContain('Error response from daemon: Get "http://127.0.0.1:5001/v2/": unauthorized: authentication required\n');

    // a terminal: Username (with the stored one offered), Password without echo
    const cap = captureIO({ tty: true });
    const running = runDocker(['login', 'reg.example'], cap.io, engine);
    for (let i = 0; i < 100 && !cap.out().endsWith('Username: '); i++) await tick();
    cap.stdin('alice\r');
    for (let i = 0; i < 100 && !cap.out().endsWith('Password: '); i++) await tick();
    cap.stdin('s3cret\r');
    expect(await running).toBe(0);
    expect(cap.out()).toBe('Username: alice\nPassword: \nLogin Succeeded\n');
    const again = await docker(['login', 'reg.example']);
    expect(again).toMatchObject({ code: 0, out: 'Authenticating with existing credentials...\nLogin Succeeded\n', err: '' });
    engine.accounts.set('alice', 'changed');
    const stale = await docker(['login', 'reg.example']);
    expect(stale).toMatchObject({
      code: 1,
      out: 'Authenticating with existing credentials...\n',
      err: 'Stored credentials invalid or expired\nError: Cannot perform an interactive login from a non TTY device\n',
    });
  });

  it('logout says when nobody is logged in', async () => {
    expect(await docker(['logout'])).toMatchObject({ code: 0, out: 'Not logged in to https://index.docker.io/v1/\n', err: '' });
    expect((await docker(['logout', 'localhost:5000'])).out).toBe('Not logged in to localhost:5000\n');
    expect((await docker(['logout', 'https://localhost:5000/v2/'])).out).toBe('Not logged in to localhost:5000\n');
  });
});
