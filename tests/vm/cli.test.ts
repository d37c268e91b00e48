/**
 * The `docker` CLI over the real engine and guest: what a person types and sees.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBuildContext } from '../../bin/node-cli-io.ts';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import { nodeHostFS } from '../../bin/node-host-fs.ts';
import type { CliIO } from '../../src/engine/cli/io.ts';
import { runDocker } from '../../src/engine/cli/run.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-cli-'));
/** The local directory `docker cp` reads and writes. */
const cwd = mkdtempSync(join(tmpdir(), 'layerlab-cli-cwd-'));
let node: NodeEngine;

/** Runs `docker …` and returns what a terminal would show. */
async function docker(
  line: string[],
  options: { tty?: boolean; stdin?: string; rows?: number; cols?: number; files?: Map<string, Uint8Array> } = {},
) {
  let out = '';
  let err = '';
  const stdinL = new Set<(d: Uint8Array) => void>();
  const endL = new Set<() => void>();
  const files = options.files ?? new Map<string, Uint8Array>();
  const io: CliIO = {
    stdout: (t) => (out += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    stderr: (t) => (err += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    isTTY: !!options.tty,
    columns: options.cols ?? 100,
    rows: options.rows ?? 24,
    onStdin: (l) => {
      stdinL.add(l);
      return () => stdinL.delete(l);
    },
    onStdinEnd: (l) => {
      endL.add(l);
      return () => endL.delete(l);
    },
    readFile: async (p) => {
      const f = files.get(p);
      if (!f) throw new Error(`open ${p}: no such file or directory`);
      return f;
    },
    writeFile: async (p, d) => void files.set(p, d),
    buildContext: readBuildContext,
    hostFS: nodeHostFS(cwd),
  };
  const running = runDocker(line, io, node.engine);
  if (options.stdin !== undefined) {
    await new Promise((r) => setTimeout(r, 300));
    for (const l of stdinL) l(new TextEncoder().encode(options.stdin));
    await new Promise((r) => setTimeout(r, 300));
    for (const l of endL) l();
  }
  const code = await running;
  return { code, out, err };
}

beforeAll(async () => {
  node = await openNodeEngine({ home });
});
afterAll(async () => {
  await node?.close();
});

describe('docker CLI on the real engine', () => {
  it('runs a container, pulling the image first like Docker', async () => {
    const r = await docker(['run', '--name', 'hello', 'busybox', 'echo', 'hello from a container']);
    expect(r.err).toContain("Unable to find image 'busybox:latest' locally");
    expect(r.out).toContain('hello from a container\n');
    expect(r.code).toBe(0);
    const ps = await docker(['ps', '-a']);
    expect(ps.out.split('\n')[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(ps.out).toMatch(/busybox\s+"echo 'hello from a …"\s+.*Exited \(0\).*hello/);
    const images = await docker(['images']);
    expect(images.out).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\nbusybox\s+latest\s+[0-9a-f]{12}\s+.+\s+2\.06MB\n$/);
  });

  it('returns the container exit code, 125 for its own errors, 127 for a missing command', async () => {
    expect((await docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3'])).code).toBe(3);
    const bad = await docker(['run', '--bogus', 'busybox']);
    expect(bad.code).toBe(125);
    expect(bad.err).toContain('unknown flag: --bogus');
    const missing = await docker(['run', '--rm', 'busybox', 'nope']);
    expect(missing.code).toBe(127);
    const noImage = await docker(['run', 'python:3.12-slim']);
    expect(noImage.code).toBe(125);
    expect(noImage.err).toMatch(/python:3\.12-slim.*not found.*python:3\.11-slim/s);
  });

  it('attaches a pty with -it and execs into a running container', async () => {
    const it = await docker(['run', '-it', '--rm', 'busybox', 'sh', '-c', 'stty size; tty'], { tty: true, rows: 33, cols: 99 });
    expect(it.out).toMatch(/33 99\r?\n\/dev\/pts\/\d+/);
    expect((await docker(['run', '-d', '--name', 'bg', 'busybox', 'sleep', '1000'])).code).toBe(0);
    const ex = await docker(['exec', 'bg', 'sh', '-c', 'echo in-$(hostname); touch /tmp/marker']);
    expect(ex.out).toMatch(/^in-[0-9a-f]{12}\n$/);
    expect((await docker(['diff', 'bg'])).out).toBe('C /tmp\nA /tmp/marker\n');
    const top = await docker(['top', 'bg']);
    expect(top.out).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n/);
    expect(top.out).toContain('sleep 1000');
    // docker exec -i … < script: the script's end is the end of the shell's input
    const script = await docker(['exec', '-i', 'bg', 'sh'], { stdin: 'echo from-stdin\nexit 3\n' });
    expect(script).toMatchObject({ code: 3, out: 'from-stdin\n' });
    const read = await docker(['exec', '-i', 'bg', 'cat'], { stdin: 'all of it' });
    expect(read).toMatchObject({ code: 0, out: 'all of it' });
    expect((await docker(['rm', 'bg'])).err).toContain('container is running');
    expect((await docker(['rm', '-f', 'bg'])).out).toBe('bg\n');
  });

  it('copies files in and out and keeps logs', async () => {
    expect(
      (await docker(['run', '--name', 'logger', 'busybox', 'sh', '-c', 'echo line1; echo oops >&2; echo data > /root/file'])).code,
    ).toBe(0);
    const logs = await docker(['logs', 'logger']);
    expect(logs.out).toBe('line1\n');
    expect(logs.err).toBe('oops\n');
    const stamped = await docker(['logs', '-t', 'logger']);
    expect(stamped.out).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line1\n$/);
    expect((await docker(['cp', 'logger:/root/file', 'out-file'])).code).toBe(0);
    expect(readFileSync(join(cwd, 'out-file'), 'utf8')).toBe('data\n');
  });

  it('logs --tail counts lines, not writes, and keeps an unfinished last line', async () => {
    // stderr first (lines of both streams count), then five lines in one write, then a line in two writes, then no newline
    const script =
      'echo err1 >&2; sleep 0.2; printf "line1\\nline2\\nline3\\nline4\\nline5\\n"; printf part; sleep 0.2; printf "ial\\nlast"';
    expect((await docker(['run', '--name', 'five', 'busybox', 'sh', '-c', script])).code).toBe(0);
    expect((await docker(['logs', '--tail', '2', 'five'])).out).toBe('partial\nlast');
    expect((await docker(['logs', '-n', '3', 'five'])).out).toBe('line5\npartial\nlast');
    expect((await docker(['logs', '--tail', '0', 'five'])).out).toBe('');
    expect(await docker(['logs', '--tail', 'all', 'five'])).toMatchObject({
      out: 'line1\nline2\nline3\nline4\nline5\npartial\nlast',
      err: 'err1\n',
    });
    const stamped = (await docker(['logs', '-t', '-n', '2', 'five'])).out.split('\n');
    expect(stamped).toHaveLength(2);
    for (const line of stamped) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (partial|last)$/);
    expect((await docker(['logs', '--since', '2099-01-01T00:00:00Z', 'five'])).out).toBe('');
    expect((await docker(['logs', '--until', '2000-01-01T00:00:00Z', 'five'])).out).toBe('');
    expect((await docker(['logs', '--since', '10m', '-n', '1', 'five'])).out).toBe('last');
  });

  it('images --digests and inspect show the manifest digest busybox was pulled as', async () => {
    const digest = JSON.parse((await docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', 'busybox'])).out) as string[];
    expect(digest).toHaveLength(1);
    expect(digest[0]).toMatch(/^busybox@sha256:[0-9a-f]{64}$/);
    const listed = await docker(['images', '--digests', 'busybox']);
    expect(listed.out.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(listed.out).toContain(`busybox      latest    ${digest[0]!.slice('busybox@'.length)}`);
  });

  it('attach connects the terminal to a running container: its stdin, its new output, its exit status', async () => {
    const script = 'while read l; do echo got $l; [ "$l" = bye ] && exit 7; done';
    expect((await docker(['run', '-d', '-i', '--name', 'att', 'busybox', 'sh', '-c', script])).code).toBe(0);
    const r = await docker(['attach', 'att'], { stdin: 'hello\nbye\n' });
    expect(r).toMatchObject({ code: 7, out: 'got hello\ngot bye\n' });
    const stopped = await docker(['attach', 'att']);
    expect([stopped.code, stopped.err]).toEqual([
      1,
      'Error response from daemon: You cannot attach to a stopped container, start it first\n',
    ]);
    expect((await docker(['rm', 'att'])).code).toBe(0);
  });

  it('ps -s measures the read-write layer and the whole root filesystem, running or stopped', async () => {
    expect(
      (await docker(['run', '-d', '--name', 'sized', 'busybox', 'sh', '-c', 'head -c 5000 /dev/zero > /five-k; sleep 1000'])).code,
    ).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    const running = await docker(['ps', '-s', '--filter', 'name=sized', '--format', '{{.Names}} {{.Size}}']);
    // busybox's one layer is about 2.1 MB of files (its applets are hard links to one binary)
    expect(running.out).toMatch(/^sized 5kB \(virtual 2\.\d\dMB\)\n$/);
    const table = (await docker(['ps', '-s', '--filter', 'name=sized'])).out.split('\n');
    expect(table[0]).toMatch(/NAMES +SIZE$/);
    await docker(['stop', '-t', '1', 'sized']);
    expect((await docker(['ps', '-a', '-s', '--filter', 'name=sized', '--format', '{{.Size}}'])).out).toMatch(
      /^5kB \(virtual 2\.\d\dMB\)\n$/,
    );
    await docker(['rm', 'sized']);
  });

  it('builds with -t, -f, --target and --build-arg, shows history, and builds FROM scratch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-ctx-'));
    writeFileSync(
      join(dir, 'Build.dockerfile'),
      'FROM busybox AS one\nARG WHO=world\nRUN echo "hi $WHO" > /msg\nFROM busybox AS two\nCOPY --from=one /msg /msg\nCMD ["cat", "/msg"]\n',
    );
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'note.txt'), 'note');
    const b = await docker(['build', '-t', 'greet:1', '-f', 'Build.dockerfile', '--build-arg', 'WHO=class', dir]);
    expect(b.code).toBe(0);
    expect(b.err + b.out).toMatch(/\[one 2\/2\] RUN echo "hi \$WHO" > \/msg/);
    expect((await docker(['run', '--rm', 'greet:1'])).out).toBe('hi class\n');
    const target = await docker(['build', '-t', 'greet:one', '--target', 'one', '-f', 'Build.dockerfile', dir]);
    expect(target.code).toBe(0);
    expect(target.err + target.out).not.toContain('[two');
    const history = await docker(['history', 'greet:1']);
    expect(history.out.split('\n')[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(history.out).toMatch(/CMD \["cat" "\/msg"\]/);
    expect(history.out).toMatch(/COPY \/msg \/msg # buildkit/);
    writeFileSync(join(dir, 'Scratch'), 'FROM scratch\nCOPY sub/note.txt /note.txt\nLABEL kind=scratch\n');
    const s = await docker(['build', '-t', 'bare:1', '-f', 'Scratch', dir]);
    expect(s.code).toBe(0);
    expect((await docker(['image', 'inspect', '-f', '{{.RootFS.Layers}}', 'bare:1'])).out).toMatch(/^\[sha256:[0-9a-f]{64}\]\n$/);
    const broken = await docker(['build', '-f', 'Missing', dir]);
    expect(broken.code).toBe(1);
  });

  it('manages volumes and reports disk usage', async () => {
    await docker(['volume', 'create', 'data']);
    await docker(['run', '--rm', '-v', 'data:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f']);
    expect((await docker(['run', '--rm', '-v', 'data:/data:ro', 'busybox', 'cat', '/data/f'])).out).toBe('kept\n');
    expect((await docker(['volume', 'ls'])).out).toMatch(/^DRIVER\s+VOLUME NAME\n(?:local\s+\S+\n)*local\s+data\n/);
    const df = await docker(['system', 'df']);
    expect(df.out.split('\n')[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    expect(df.out).toMatch(/Images\s+\d+\s+\d+\s+[\d.]+[kMG]?B/);
  });

  it('saves, removes and loads an image, and pushes to the local registry', async () => {
    const files = new Map<string, Uint8Array>();
    expect((await docker(['save', '-o', '/greet.tar', 'greet:1'], { files })).code).toBe(0);
    expect((await docker(['rmi', 'greet:1'])).out).toContain('Untagged: greet:1');
    const load = await docker(['load', '-i', '/greet.tar'], { files });
    expect(load.out).toContain('Loaded image: greet:1');
    expect((await docker(['tag', 'greet:1', 'localhost:5000/greet:1'])).code).toBe(0);
    const push = await docker(['push', 'localhost:5000/greet:1']);
    expect(push.out).toContain('The push refers to repository [localhost:5000/greet]');
    expect(push.out).toMatch(/Pushed/);
    const again = await docker(['push', 'localhost:5000/greet:1']);
    expect(again.out).toMatch(/Layer already exists/);
    expect(again.out).not.toMatch(/Pushed/);
    expect((await docker(['login', 'localhost:5000'])).code).toBe(1);
  });

  it('runs as a separate process with npx layerlab docker and keeps state in LAYERLAB_HOME', () => {
    const env = { ...process.env, LAYERLAB_HOME: home };
    const cli = join(import.meta.dirname, '../../bin/layerlab.mjs');
    // the engine of this test file still holds the store; a read-only command is safe
    const r = spawnSync('node', [cli, 'docker', 'images', '--format', '{{.Repository}}:{{.Tag}}'], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('busybox:latest');
    expect(execFileSync('node', [cli, 'docker', 'version'], { env, encoding: 'utf8' })).toContain('LayerLab');
  });
});
