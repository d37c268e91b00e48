import { beforeEach, describe, expect, it } from 'vitest';
import { readTar, writeTar } from '../layer/index.ts';
import { MemFs } from './memfs.ts';
import { runDocker } from './run.ts';
import { captureIO, FakeEngine, tick } from './testkit.ts';

const enc = new TextEncoder();
let engine: FakeEngine;
let web: MemFs;
let host: MemFs;

/** Strips the progress line's cursor and erase sequences, leaving what a terminal ends up showing. */
const visible = (s: string) => s.replace(/\x1b\[s[\s\S]*?\x1b\[\?25h\x1b\[u\x1b\[2K/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

async function cp(args: string[], options: { tty?: boolean } = {}) {
  const cap = captureIO({ tty: options.tty ?? true, host });
  const code = await runDocker(['cp', ...args], cap.io, engine);
  return { code, out: cap.out(), err: visible(cap.err()), raw: cap.err(), cap };
}

beforeEach(() => {
  engine = new FakeEngine();
  engine.addContainer({ name: 'web' });
  engine.addContainer({ name: 'old', state: 'exited', status: 'Exited (0) 1 minute ago' });
  web = engine.fsOf('web');
  web
    .dir('/tmp')
    .file('/etc/hosts', '127.0.0.1 localhost\n')
    .file('/etc/app/a.conf', 'a=1\n')
    .file('/etc/app/sub/b.conf', 'b=2\n')
    .link('/link', '/etc/app')
    .link('/etc/hostlink', 'hosts')
    .device('/dev/null');
  host = new MemFs('/home/me')
    .dir('/home/me')
    .file('/home/me/app.py', 'print("hi")\n')
    .file('/home/me/src/main.py', 'main\n')
    .file('/home/me/src/lib/util.py', 'util\n');
});

describe('docker cp into a container', () => {
  it('copies a file into an existing directory and says so on a terminal (the size is the tar sent)', async () => {
    const r = await cp(['app.py', 'web:/tmp/']);
    expect(r.code).toBe(0);
    expect(web.text('/tmp/app.py')).toBe('print("hi")\n');
    // one 512-byte header, the data padded to 512, two zero blocks: 2048 bytes, as Docker's own tar
    expect(r.err).toBe('Successfully copied 2.05kB to web:/tmp/\n');
    expect(r.raw).toContain('Preparing to copy...');
    expect(engine.calls.find((c) => c.method === 'containers.copyTo')?.args).toEqual(['web', '/tmp/']);
  });

  it('creates the destination file when it does not exist (not a copy the other way)', async () => {
    const r = await cp(['app.py', 'web:/tmp/u']);
    expect(r.code).toBe(0);
    expect(web.text('/tmp/u')).toBe('print("hi")\n');
    expect(web.list('/tmp')).toEqual(['/tmp/u']);
    expect(engine.copiedTo[0]?.path).toBe('/tmp');
    expect(readTar(engine.copiedTo[0]!.tar).map((e) => e.name)).toEqual(['u']);
  });

  it('replaces an existing file, and copies into a directory named without a slash', async () => {
    web.file('/tmp/old.txt', 'old');
    expect((await cp(['app.py', 'web:/tmp/old.txt'])).code).toBe(0);
    expect(web.text('/tmp/old.txt')).toBe('print("hi")\n');
    expect((await cp(['app.py', 'web:/etc'])).code).toBe(0);
    expect(web.text('/etc/app.py')).toBe('print("hi")\n');
  });

  it('copies a directory: into an existing one, under a new name, or only its contents with SRC/.', async () => {
    expect((await cp(['src', 'web:/tmp'])).code).toBe(0);
    expect(web.list('/tmp')).toEqual(['/tmp/src/', '/tmp/src/lib/', '/tmp/src/lib/util.py', '/tmp/src/main.py']);
    expect((await cp(['src', 'web:/opt/code'])).err).toContain('Could not find the file /opt in container web');
    web.dir('/opt');
    expect((await cp(['src', 'web:/opt/code'])).code).toBe(0);
    expect(web.list('/opt')).toEqual(['/opt/code/', '/opt/code/lib/', '/opt/code/lib/util.py', '/opt/code/main.py']);
    expect((await cp(['src/.', 'web:/etc/app'])).code).toBe(0);
    expect(web.list('/etc/app')).toEqual([
      '/etc/app/a.conf',
      '/etc/app/lib/',
      '/etc/app/lib/util.py',
      '/etc/app/main.py',
      '/etc/app/sub/',
      '/etc/app/sub/b.conf',
    ]);
    // a directory may name a destination that does not exist yet, even with a trailing slash
    expect((await cp(['./src/', 'web:/srv/'])).code).toBe(0);
    expect(web.list('/srv')).toEqual(['/srv/lib/', '/srv/lib/util.py', '/srv/main.py']);
  });

  it("refuses what Docker refuses, with Docker's words and status 1", async () => {
    const dirOnFile = await cp(['src', 'web:/etc/hosts']);
    expect(dirOnFile).toMatchObject({ code: 1, err: 'cannot copy directory\n' });
    expect(await cp(['app.py', 'web:/tmp/nope/'])).toMatchObject({ code: 1, err: 'no such directory\n' });
    // the parent is missing: docker/cli prints its summary, then the daemon's error
    expect(await cp(['app.py', 'web:/nope/x'])).toMatchObject({
      code: 1,
      err: 'Successfully copied 2.05kB to web:/nope/x\nError response from daemon: Could not find the file /nope in container web\n',
    });
    expect(await cp(['app.py', 'web:/dev/null'])).toMatchObject({
      code: 1,
      err: 'destination "web:/dev/null" must be a directory or a regular file: got a device\n',
    });
    expect(await cp(['missing.py', 'web:/tmp'])).toMatchObject({ code: 1, err: 'lstat /home/me/missing.py: no such file or directory\n' });
    expect((await cp(['app.py', 'web:/etc/app/sub/b.conf/'])).code).toBe(1);
    web.dir('/tmp/clash');
    const fileOnDir = await cp(['app.py', 'web:/tmp/x']);
    expect(fileOnDir.code).toBe(0);
    host.dir('/home/me/clash');
    web.file('/tmp/y/clash', 'file');
    expect((await cp(['clash', 'web:/tmp/y'])).err).toContain('cannot overwrite non-directory "clash" with directory "/tmp/y"');
  });

  it('follows a symlink destination inside the container and names its target', async () => {
    const r = await cp(['app.py', 'web:/link']);
    expect(r.code).toBe(0);
    expect(web.text('/etc/app/app.py')).toBe('print("hi")\n');
    expect(r.err).toBe('Successfully copied 2.05kB to web:/etc/app\n');
  });

  it('reads a tar from stdin with -, into a directory only', async () => {
    const tar = writeTar([{ name: 'from-stdin.txt', type: 'file', data: enc.encode('piped') }]);
    const cap = captureIO({ tty: true, host });
    const done = runDocker(['cp', '-', 'web:/tmp'], cap.io, engine);
    await tick();
    cap.stdin(tar.slice(0, 700));
    cap.stdin(tar.slice(700));
    cap.end();
    expect(await done).toBe(0);
    expect(web.text('/tmp/from-stdin.txt')).toBe('piped');
    // docker/cli does not count what it reads from stdin
    expect(visible(cap.err())).toBe('Successfully copied 0B to web:/tmp\n');
    expect(await cp(['-', 'web:/etc/hosts'])).toMatchObject({ code: 1, err: 'destination "web:/etc/hosts" must be a directory\n' });
  });

  it('passes -a on, and keeps bytes intact', async () => {
    const bytes = new Uint8Array(3000).map((_, i) => (i * 7 + 3) % 256);
    host.file('/home/me/blob.bin', bytes);
    expect((await cp(['-a', 'blob.bin', 'old:/'])).code).toBe(0);
    expect(engine.copiedTo.at(-1)?.copyUIDGID).toBe(true);
    expect(engine.fsOf('old').bytes('/blob.bin')).toEqual(bytes);
  });

  it('is quiet without a terminal, and with -q', async () => {
    expect(await cp(['app.py', 'web:/tmp/'], { tty: false })).toMatchObject({ code: 0, err: '' });
    expect(await cp(['-q', 'app.py', 'web:/tmp/'])).toMatchObject({ code: 0, raw: '' });
    expect((await cp(['-q=false', 'app.py', 'web:/tmp/'], { tty: false })).err).toBe('Successfully copied 2.05kB to web:/tmp/\n');
  });
});

describe('docker cp out of a container', () => {
  it('writes a file under a new name, into a directory, or into .', async () => {
    const r = await cp(['web:/etc/hosts', 'h.txt']);
    expect(r.code).toBe(0);
    expect(host.text('/home/me/h.txt')).toBe('127.0.0.1 localhost\n');
    expect(r.err).toBe('Successfully copied 2.05kB to /home/me/h.txt\n');
    expect((await cp(['web:/etc/hosts', '.'])).err).toBe('Successfully copied 2.05kB to /home/me/.\n');
    expect(host.text('/home/me/hosts')).toBe('127.0.0.1 localhost\n');
    expect((await cp(['web:/etc/hosts', 'src'])).code).toBe(0);
    expect(host.text('/home/me/src/hosts')).toBe('127.0.0.1 localhost\n');
    expect((await cp(['web:/etc/hosts', '/home/me/app.py'])).code).toBe(0);
    expect(host.text('/home/me/app.py')).toBe('127.0.0.1 localhost\n');
  });

  it('copies a directory, under a new name or only its contents', async () => {
    expect((await cp(['web:/etc/app', 'conf'])).code).toBe(0);
    expect(host.list('/home/me/conf')).toEqual(['/home/me/conf/a.conf', '/home/me/conf/sub/', '/home/me/conf/sub/b.conf']);
    expect((await cp(['web:/etc/app', '.'])).code).toBe(0);
    expect(host.list('/home/me/app')).toEqual(['/home/me/app/a.conf', '/home/me/app/sub/', '/home/me/app/sub/b.conf']);
    expect((await cp(['web:/etc/app/.', 'src'])).code).toBe(0);
    expect(host.list('/home/me/src')).toContain('/home/me/src/a.conf');
    expect(host.list('/home/me/src')).toContain('/home/me/src/main.py');
  });

  it("refuses what Docker refuses, in Docker's words", async () => {
    expect(await cp(['web:/nope', '.'])).toMatchObject({
      code: 1,
      err: 'Error response from daemon: Could not find the file /nope in container web\n',
    });
    expect(await cp(['nosuch:/etc/hosts', '.'])).toMatchObject({ code: 1, err: 'Error response from daemon: No such container: nosuch\n' });
    expect(await cp(['web:/etc/hosts', 'nodir/x'])).toMatchObject({
      code: 1,
      err: 'invalid output path: directory "/home/me/nodir" does not exist\n',
    });
    const newDir = await cp(['web:/etc/hosts', 'newdir/']);
    expect(newDir.code).toBe(1);
    expect(newDir.err.endsWith('no such directory\n')).toBe(true);
    const dirOnFile = await cp(['web:/etc/app', 'app.py']);
    expect(dirOnFile.code).toBe(1);
    expect(dirOnFile.err.endsWith('cannot copy directory\n')).toBe(true);
    host.file('/home/me/conf/sub', 'a file where the archive has a directory');
    const clash = await cp(['web:/etc/app/.', 'conf']);
    expect(clash.err).toContain('cannot overwrite non-directory "sub" with directory "/home/me/conf"');
  });

  it('keeps a symlink as a symlink, and follows it with -L', async () => {
    expect((await cp(['web:/link', 'l'])).code).toBe(0);
    expect(await host.readlink('/home/me/l')).toBe('/etc/app');
    expect((await cp(['-L', 'web:/link', 'followed'])).code).toBe(0);
    expect(host.list('/home/me/followed')).toEqual(['/home/me/followed/a.conf', '/home/me/followed/sub/', '/home/me/followed/sub/b.conf']);
    expect((await cp(['-L', 'web:/etc/hostlink', '.'])).code).toBe(0);
    expect(host.text('/home/me/hostlink')).toBe('127.0.0.1 localhost\n');
  });

  it('streams the tar to stdout with -, and says nothing else', async () => {
    const r = await cp(['web:/etc/hosts', '-']);
    expect(r.code).toBe(0);
    expect(r.raw).toBe('');
    expect(readTar(r.cap.outBytes()).map((e) => [e.name, new TextDecoder().decode(e.data)])).toEqual([['hosts', '127.0.0.1 localhost\n']]);
  });

  it('keeps bytes intact and works on a stopped container', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 13) % 256);
    engine.fsOf('old').file('/data/blob.bin', bytes);
    expect((await cp(['old:/data/blob.bin', 'copy.bin'])).code).toBe(0);
    expect(host.bytes('/home/me/copy.bin')).toEqual(bytes);
  });

  it('stops on Ctrl-C with status 130', async () => {
    const cap = captureIO({ tty: true, host });
    cap.interrupt();
    expect(await runDocker(['cp', 'web:/etc/hosts', '.'], cap.io, engine)).toBe(130);
    expect(host.text('/home/me/hosts')).toBeUndefined();
  });
});

describe('docker cp arguments', () => {
  it('explains impossible copies', async () => {
    expect((await cp(['a', 'b'])).err).toBe('must specify at least one container source\n');
    expect((await cp(['web:/a', 'old:/b'])).err).toBe('copying between containers is not supported\n');
    expect((await cp(['', 'web:/b'])).err).toBe('source can not be empty\n');
    expect((await cp(['web:/b', ''])).err).toBe('destination can not be empty\n');
    // a local name with a colon is made explicit with ./
    host.file('/home/me/a:b', 'colon');
    expect((await cp(['./a:b', 'web:/tmp/'])).code).toBe(0);
    expect(web.text('/tmp/a:b')).toBe('colon');
  });

  it('says where no local files exist, and still streams with -', async () => {
    const cap = captureIO();
    delete cap.io.hostFS;
    expect(await runDocker(['cp', 'web:/etc/hosts', 'x'], cap.io, engine)).toBe(1);
    expect(cap.err()).toBe('cannot write local files here: use - as the destination to get a tar archive on stdout\n');
    expect(await runDocker(['cp', 'web:/etc/hosts', '-'], cap.io, engine)).toBe(0);
  });
});
