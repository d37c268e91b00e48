/**
 * `docker cp` through the Node CLI's code path (runDocker with the real disk as its HostFS)
 * against real containers on the guest: running and stopped, both directions, binary data,
 * Docker's errors, an image without any tools, a copy kept across a new guest, and Ctrl-C.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBuildContext } from '../../bin/node-cli-io.ts';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import { nodeHostFS } from '../../bin/node-host-fs.ts';
import type { CliIO } from '../../src/engine/cli/io.ts';
import { runDocker } from '../../src/engine/cli/run.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-cp-'));
const cwd = mkdtempSync(join(tmpdir(), 'layerlab-cp-cwd-'));
let node: NodeEngine;

/** Runs `docker …` as a terminal would (a tty unless told), in `cwd`; `abortAfter` presses Ctrl-C. */
async function docker(argv: string[], options: { tty?: boolean; abortAfter?: number } = {}) {
  let out = '';
  let err = '';
  const controller = new AbortController();
  const io: CliIO = {
    stdout: (t) => (out += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    stderr: (t) => (err += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    isTTY: options.tty ?? true,
    columns: 100,
    rows: 24,
    signal: controller.signal,
    buildContext: readBuildContext,
    hostFS: nodeHostFS(cwd),
  };
  if (options.abortAfter !== undefined) setTimeout(() => controller.abort(), options.abortAfter);
  const code = await runDocker(argv, io, node.engine);
  // what a terminal shows once the progress line is erased
  return { code, out, err: err.replace(/\x1b\[s[\s\S]*?\x1b\[\?25h\x1b\[u\x1b\[2K/g, '') };
}

const sha = (data: Uint8Array | Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  node = await openNodeEngine({ home });
  writeFileSync(join(cwd, 'app.py'), 'print("hi")\n');
  mkdirSync(join(cwd, 'src/lib'), { recursive: true });
  writeFileSync(join(cwd, 'src/main.py'), 'main\n');
  writeFileSync(join(cwd, 'src/lib/util.py'), 'util\n');
  writeFileSync(join(cwd, 'blob.bin'), randomBytes(300_000));
});
afterAll(async () => {
  await node?.close();
});

describe('docker cp with a running container', () => {
  it('copies into it without hanging, under the name Docker gives, and it is there at once', async () => {
    expect((await docker(['run', '-d', '--name', 'k2', 'busybox', 'sleep', '1000'])).code).toBe(0);
    expect(await docker(['cp', 'app.py', 'k2:/tmp/'])).toMatchObject({ code: 0, err: 'Successfully copied 2.05kB to k2:/tmp/\n' });
    expect(await docker(['cp', 'app.py', 'k2:/tmp/u'])).toMatchObject({ code: 0, err: 'Successfully copied 2.05kB to k2:/tmp/u\n' });
    expect((await docker(['cp', 'src', 'k2:/opt/'])).code).toBe(0);
    expect((await docker(['cp', '-q', 'blob.bin', 'k2:/blob.bin'])).code).toBe(0);
    const seen = await docker(['exec', 'k2', 'sh', '-c', 'cat /tmp/app.py /tmp/u; find /opt | sort; sha256sum /blob.bin']);
    expect(seen.out).toBe(
      `print("hi")\nprint("hi")\n/opt\n/opt/lib\n/opt/lib/util.py\n/opt/main.py\n${sha(readFileSync(join(cwd, 'blob.bin')))}  /blob.bin\n`,
    );
  });

  it('copies out of it: a file under a new name, a directory, binary data byte for byte', async () => {
    const file = await docker(['cp', 'k2:/tmp/u', 't.txt']);
    expect(file).toMatchObject({ code: 0, err: `Successfully copied 2.05kB to ${cwd}/t.txt\n` });
    expect(readFileSync(join(cwd, 't.txt'), 'utf8')).toBe('print("hi")\n');
    expect((await docker(['cp', 'k2:/opt', 'opt-copy'])).code).toBe(0);
    expect(readFileSync(join(cwd, 'opt-copy/lib/util.py'), 'utf8')).toBe('util\n');
    expect((await docker(['cp', 'k2:/blob.bin', 'blob2.bin'], { tty: false })).err).toBe('');
    expect(sha(readFileSync(join(cwd, 'blob2.bin')))).toBe(sha(readFileSync(join(cwd, 'blob.bin'))));
    // a symlink stays a symlink; -L copies what it points to
    expect((await docker(['exec', 'k2', 'ln', '-s', '/tmp/u', '/tmp/ulink'])).code).toBe(0);
    expect((await docker(['cp', 'k2:/tmp/ulink', 'u-link'])).code).toBe(0);
    expect(readlinkSync(join(cwd, 'u-link'))).toBe('/tmp/u');
    expect((await docker(['cp', '-L', 'k2:/tmp/ulink', 'u-followed'])).code).toBe(0);
    expect(readFileSync(join(cwd, 'u-followed'), 'utf8')).toBe('print("hi")\n');
  });

  it('says what Docker says when a copy cannot be done', async () => {
    expect(await docker(['cp', 'k2:/nope', '.'])).toMatchObject({
      code: 1,
      err: 'Error response from daemon: Could not find the file /nope in container k2\n',
    });
    expect(await docker(['cp', 'app.py', 'k2:/nope/x'])).toMatchObject({
      code: 1,
      err: 'Successfully copied 2.05kB to k2:/nope/x\nError response from daemon: Could not find the file /nope in container k2\n',
    });
    expect(await docker(['cp', 'app.py', 'k2:/tmp/new/'])).toMatchObject({ code: 1, err: 'no such directory\n' });
    expect(await docker(['cp', 'src', 'k2:/etc/hosts'])).toMatchObject({ code: 1, err: 'cannot copy directory\n' });
    expect((await docker(['cp', 'k2:/etc/hosts', 'nodir/x'])).err).toBe(`invalid output path: directory "${cwd}/nodir" does not exist\n`);
    expect((await docker(['cp', 'app.py', 'k2:/tmp/u/x'])).err).toContain('not a directory');
  });

  it('stops a long copy on Ctrl-C and the machine goes on', async () => {
    expect((await docker(['exec', 'k2', 'dd', 'if=/dev/zero', 'of=/big', 'bs=1M', 'count=24'])).code).toBe(0);
    const t0 = Date.now();
    const cancelled = await docker(['cp', 'k2:/big', 'big.bin'], { abortAfter: 300 });
    expect(cancelled.code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(() => lstatSync(join(cwd, 'big.bin'))).toThrow();
    expect((await docker(['exec', 'k2', 'echo', 'still here'])).out).toBe('still here\n');
    expect((await docker(['rm', '-f', 'k2'])).code).toBe(0);
  });
});

describe('docker cp with a stopped container', () => {
  it('copies in and out while it is stopped, and the next start sees the files', async () => {
    expect((await docker(['run', '--name', 'st', 'busybox', 'sh', '-c', 'echo made > /root/made'])).code).toBe(0);
    expect((await docker(['cp', 'k2:/x', '.'])).err).toContain('No such container: k2');
    expect(await docker(['cp', 'app.py', 'st:/root/'])).toMatchObject({ code: 0, err: 'Successfully copied 2.05kB to st:/root/\n' });
    expect((await docker(['cp', 'st:/root/made', 'made.txt'])).code).toBe(0);
    expect(readFileSync(join(cwd, 'made.txt'), 'utf8')).toBe('made\n');
    expect((await docker(['diff', 'st'])).out).toBe('C /root\nA /root/app.py\nA /root/made\n');
    const run = await docker(['start', '-a', 'st']);
    expect(run.code).toBe(0);
    expect((await docker(['cp', 'st:/root/app.py', '-'], { tty: false })).out).toContain('print("hi")');
  });

  it('works for an image with no tools at all, and the copy outlives the machine', async () => {
    const ctx = mkdtempSync(join(tmpdir(), 'layerlab-cp-ctx-'));
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /\n');
    writeFileSync(join(ctx, 'hello.txt'), 'hello\n');
    expect((await docker(['build', '-q', '-t', 'bare', ctx])).code).toBe(0);
    expect((await docker(['create', '--name', 'bare', 'bare', '/nothing'])).code).toBe(0);
    expect((await docker(['cp', 'app.py', 'bare:/app.py'])).code).toBe(0);
    expect((await docker(['cp', 'bare:/hello.txt', 'hello-out.txt'])).code).toBe(0);
    expect(readFileSync(join(cwd, 'hello-out.txt'), 'utf8')).toBe('hello\n');
    // a new engine and machine: the copy into the stopped container was saved with its layer
    await node.close();
    node = await openNodeEngine({ home });
    expect((await docker(['cp', 'bare:/app.py', 'again.py'])).code).toBe(0);
    expect(readFileSync(join(cwd, 'again.py'), 'utf8')).toBe('print("hi")\n');
  });
});
