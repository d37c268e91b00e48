import { beforeEach, describe, expect, it } from 'vitest';
import { goldenFiles } from '../../../tests/fixtures/golden.ts';
import { BuildError, OperationCancelledError } from '../errors.ts';
import { textFile } from './build.ts';
import { runDocker } from './run.ts';
import { captureIO, FakeEngine, tick } from './testkit.ts';

// Golden files live in testdata/; `UPDATE_GOLDEN=1 npx vitest run --project unit src/engine/cli` rewrites them.
const golden = goldenFiles(new URL('./testdata/', import.meta.url));

const BUSYBOX_ID = 'sha256:' + 'a'.repeat(64);
let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
  engine.imageList = [
    { id: BUSYBOX_ID, repoTags: ['busybox:latest'], created: '2024-04-17T00:00:00Z', size: 4_261_234, containers: 1, labels: {} },
    { id: 'sha256:' + 'e'.repeat(64), repoTags: [], created: '2024-04-28T12:00:00Z', size: 0, containers: 0, labels: {} },
  ];
  engine.addContainer({
    id: 'f1e2d3c4b5a6' + '0'.repeat(52),
    name: 'web',
    command: 'httpd -f',
    created: '2024-05-01T10:00:00Z',
    status: 'Up 2 hours',
  });
  engine.addContainer({
    id: '9f8e7d6c5b4a' + '2'.repeat(52),
    name: 'old',
    command: 'echo hi',
    created: '2024-04-28T12:00:00Z',
    state: 'exited',
    status: 'Exited (3) 3 days ago',
    exitCode: 3,
  });
});

async function docker(argv: string[], opts: Parameters<typeof captureIO>[0] = {}) {
  const cap = captureIO(opts);
  const code = await runDocker(argv, cap.io, engine);
  return { code, out: cap.out(), err: cap.err(), cap };
}

describe('dispatch, usage and errors', () => {
  it('rejects unknown commands like docker', async () => {
    const r = await docker(['frob']);
    expect(r).toMatchObject({ code: 1, out: '', err: "docker: 'frob' is not a docker command.\nSee 'docker --help'\n" });
  });

  it('rejects unknown flags with status 125', async () => {
    expect(await docker(['ps', '--x'])).toMatchObject({ code: 125, err: "unknown flag: --x\nSee 'docker ps --help'.\n" });
    expect(await docker(['ps', '-z'])).toMatchObject({ code: 125, err: "unknown shorthand flag: 'z' in -z\nSee 'docker ps --help'.\n" });
    expect(await docker(['container', 'ls', '--x'])).toMatchObject({
      code: 125,
      err: "unknown flag: --x\nSee 'docker container ls --help'.\n",
    });
    const run = await docker(['run', '-m', 'lots', 'busybox']);
    expect(run.code).toBe(125);
    expect(run.err).toBe('invalid argument "lots" for "-m, --memory" flag: invalid size: \'lots\'\nSee \'docker run --help\'.\n');
  });

  it('explains flags LayerLab does not support', async () => {
    const r = await docker(['run', '--dns', '8.8.8.8', 'busybox']);
    expect(r.code).toBe(125);
    expect(r.err).toBe(
      "--dns is not supported by LayerLab: the machine has no way out, so there is no other DNS server to use\nSee 'docker run --help'.\n",
    );
    expect(engine.methods()).toEqual([]);
  });

  it('checks argument counts with docker/cli wording', async () => {
    expect(await docker(['rm'])).toMatchObject({
      code: 1,
      err: '"docker rm" requires at least 1 argument.\nSee \'docker rm --help\'.\n\nUsage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRemove one or more containers\n',
    });
    expect((await docker(['logs', 'a', 'b'])).err).toContain('"docker logs" requires exactly 1 argument.');
    expect((await docker(['ps', 'x'])).err).toContain('"docker ps" accepts no arguments.');
    expect((await docker(['images', 'a', 'b'])).err).toContain('"docker images" requires at most 1 argument.');
    expect((await docker(['commit'])).err).toContain('"docker commit" requires at least 1 and at most 2 arguments.');
  });

  it('prints help like docker', async () => {
    const root = await docker(['--help']);
    expect(root.code).toBe(0);
    golden('help-docker.golden', root.out);
    golden('help-run.golden', (await docker(['run', '--help'])).out);
    golden('help-ps.golden', (await docker(['ps', '--help'])).out);
    golden('help-image.golden', (await docker(['image', '--help'])).out);
    golden('help-volume-rm.golden', (await docker(['volume', 'rm', '--help'])).out);
    expect((await docker(['help', 'ps'])).out).toBe((await docker(['ps', '--help'])).out);
    expect((await docker(['container', 'ls', '--help'])).out).toContain('Usage:  docker container ls [OPTIONS]\n');
    expect((await docker(['diff', '--help'])).out).toBe(
      "\nUsage:  docker diff CONTAINER\n\nInspect changes to files or directories on a container's filesystem\n\nAliases:\n  docker container diff, docker diff\n",
    );
  });

  it('shows help on stderr for a bare docker or management command', async () => {
    const bare = await docker([]);
    expect(bare).toMatchObject({ code: 0, out: '' });
    expect(bare.err).toContain('Usage:  docker [OPTIONS] COMMAND');
    const image = await docker(['image']);
    expect(image).toMatchObject({ code: 0, out: '' });
    expect(image.err).toContain('Usage:  docker image COMMAND');
    const frob = await docker(['image', 'frob']);
    expect(frob.code).toBe(1);
    expect(frob.err.startsWith('\nUsage:  docker image COMMAND\n\nManage images\n')).toBe(true);
    expect((await docker(['help', 'frob'])).err).toBe('unknown help topic: frob\n');
  });

  it('prints the version', async () => {
    expect((await docker(['--version'])).out).toMatch(/^Docker version .*layerlab/);
    const v = await docker(['version']);
    expect(v.code).toBe(0);
    expect(v.out).toContain('Client: LayerLab\n');
    expect(v.out).toContain('Server: LayerLab Engine\n');
    expect((await docker(['version', '--format', '{{.Server.Version}}'])).out).toBe('0.1.0\n');
  });
});

describe('docker ps', () => {
  it('lists running containers, or all with -a', async () => {
    const r = await docker(['ps']);
    expect(r.out).toBe(
      'CONTAINER ID   IMAGE     COMMAND      CREATED       STATUS       PORTS     NAMES\n' +
        'f1e2d3c4b5a6   busybox   "httpd -f"   2 hours ago   Up 2 hours             web\n',
    );
    expect((await docker(['ps', '-aq'])).out).toBe('f1e2d3c4b5a6\n9f8e7d6c5b4a\n');
    expect((await docker(['container', 'list', '--all', '--quiet'])).out).toBe('f1e2d3c4b5a6\n9f8e7d6c5b4a\n');
    expect((await docker(['ps', '-l', '-q'])).out).toBe('f1e2d3c4b5a6\n');
    expect((await docker(['ps', '-n', '2', '--format', '{{.Names}}'])).out).toBe('web\nold\n');
  });

  it('filters', async () => {
    expect((await docker(['ps', '-a', '-f', 'status=exited', '--format', '{{.Names}}'])).out).toBe('old\n');
    expect((await docker(['ps', '-f', 'exited=3', '--format', '{{.Names}} {{.State}}'])).out).toBe('old exited\n');
    expect((await docker(['ps', '-a', '--filter', 'name=we', '-q'])).out).toBe('f1e2d3c4b5a6\n');
    const bad = await docker(['ps', '-f', 'color=red']);
    expect(bad).toMatchObject({ code: 1, err: "Error response from daemon: invalid filter 'color'\n" });
  });

  it('warns when --format and --quiet are both given', async () => {
    const r = await docker(['ps', '-q', '--format', '{{.Names}}']);
    expect(r.out).toBe('f1e2d3c4b5a6\n');
    expect(r.err).toBe('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
  });

  it('reports template errors', async () => {
    const r = await docker(['ps', '--format', '{{.Nope}}']);
    expect(r.code).toBe(1);
    expect(r.err).toContain("can't evaluate field Nope");
  });
});

describe('docker run', () => {
  it('creates, starts attached, streams output and returns the exit status', async () => {
    engine.script = (p) =>
      setTimeout(() => {
        p.out('hello\n');
        p.err('oops\n');
        p.finish(3);
      }, 0);
    const r = await docker([
      'run',
      '--rm',
      '--name',
      'x',
      '-e',
      'A=1',
      '-e',
      'B=two words',
      '-e',
      'UNSET',
      '-w',
      '/app',
      '-u',
      '1000:1000',
      '-h',
      'box',
      'busybox',
      'sh',
      '-c',
      'echo hello',
    ]);
    expect(r).toMatchObject({ code: 3, out: 'hello\n', err: 'oops\n' });
    const create = engine.calls.find((c) => c.method === 'containers.create');
    expect(create?.args[0]).toEqual({
      image: 'busybox',
      cmd: ['sh', '-c', 'echo hello'],
      name: 'x',
      env: ['A=1', 'B=two words'],
      workingDir: '/app',
      user: '1000:1000',
      hostname: 'box',
      autoRemove: true,
    });
    const start = engine.calls.find((c) => c.method === 'containers.start');
    expect(start?.args[1]).toEqual({});
  });

  it('maps resource, volume, label and entrypoint flags', async () => {
    await docker([
      'run',
      '-d',
      '-m',
      '16m',
      '--pids-limit',
      '64',
      '--read-only',
      '-v',
      'data:/data',
      '-v',
      '/cache',
      '-v',
      'cfg:/etc/app:ro',
      '-l',
      'tier=web',
      '--label',
      'solo',
      '--entrypoint',
      '',
      'busybox',
    ]);
    expect(engine.calls.find((c) => c.method === 'containers.create')?.args[0]).toEqual({
      image: 'busybox',
      entrypoint: [],
      memory: 16 * 1024 * 1024,
      pidsLimit: 64,
      readOnly: true,
      volumes: [{ source: 'data', target: '/data' }, { target: '/cache' }, { source: 'cfg', target: '/etc/app', readonly: true }],
      labels: { tier: 'web', solo: '' },
    });
  });

  it('maps --restart, --add-host, --stop-signal and --stop-timeout, and refuses what docker/cli refuses', async () => {
    await docker([
      'run',
      '-d',
      '--restart',
      'on-failure:3',
      '--add-host',
      'db:10.0.0.5',
      '--add-host',
      'me=host-gateway',
      '--stop-signal',
      'SIGINT',
      '--stop-timeout',
      '2',
      'busybox',
    ]);
    expect(engine.calls.find((c) => c.method === 'containers.create')?.args[0]).toEqual({
      image: 'busybox',
      restartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
      extraHosts: ['db:10.0.0.5', 'me:host-gateway'],
      stopSignal: 'SIGINT',
      stopTimeout: 2,
    });
    const conflicting = await docker(['run', '--rm', '--restart', 'always', 'busybox']);
    expect([conflicting.code, conflicting.err]).toEqual([
      125,
      "docker: Conflicting options: --restart and --rm.\nSee 'docker run --help'.\n",
    ]);
    const count = await docker(['run', '--restart', 'on-failure:x', 'busybox']);
    expect(count.err).toBe("docker: invalid restart policy format: maximum retry count must be an integer.\nSee 'docker run --help'.\n");
    const host = await docker(['create', '--add-host', 'db', 'busybox']);
    expect([host.code, host.err]).toEqual([
      125,
      'invalid argument "db" for "--add-host" flag: bad format for add-host: "db"\nSee \'docker create --help\'.\n',
    ]);
    const ip = await docker(['run', '--add-host', 'db:10.0.0', 'busybox']);
    expect(ip.err).toBe(
      'invalid argument "db:10.0.0" for "--add-host" flag: invalid IP address in add-host: "10.0.0"\nSee \'docker run --help\'.\n',
    );
  });

  it('maps --health-* to a CMD-SHELL health check in ns, and --no-healthcheck to NONE', async () => {
    await docker(['run', '-d', '--health-cmd', 'wget -qO- localhost:8080', '--health-interval', '2s', '--health-retries', '5', 'busybox']);
    expect(engine.calls.find((c) => c.method === 'containers.create')?.args[0]).toEqual({
      image: 'busybox',
      healthcheck: { Test: ['CMD-SHELL', 'wget -qO- localhost:8080'], Interval: 2e9, Retries: 5 },
    });
    await docker(['create', '--no-healthcheck', 'busybox']);
    expect(engine.calls.filter((c) => c.method === 'containers.create').at(-1)?.args[0]).toEqual({
      image: 'busybox',
      healthcheck: { Test: ['NONE'] },
    });
    const both = await docker(['run', '--no-healthcheck', '--health-cmd', 'true', 'busybox']);
    expect(both.err).toBe("docker: --no-healthcheck conflicts with --health-* options.\nSee 'docker run --help'.\n");
  });

  it('maps --init, --tmpfs, --mount, --shm-size and --ulimit, and refuses what docker/cli refuses', async () => {
    await docker([
      'run',
      '-d',
      '--init',
      '--tmpfs',
      '/run:size=64m',
      '--tmpfs',
      '/cache',
      '--mount',
      'type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=700',
      '--mount',
      'type=volume,src=data,dst=/data,readonly',
      '--shm-size',
      '16m',
      '--ulimit',
      'nofile=1024:2048',
      '--ulimit',
      'core=0',
      'busybox',
    ]);
    expect(engine.calls.find((c) => c.method === 'containers.create')?.args[0]).toEqual({
      image: 'busybox',
      init: true,
      tmpfs: { '/run': 'size=64m', '/cache': '', '/t': 'size=1048576,mode=700' },
      volumes: [{ source: 'data', target: '/data', readonly: true }],
      shmSize: 16 * 1024 * 1024,
      ulimits: [
        { Name: 'nofile', Soft: 1024, Hard: 2048 },
        { Name: 'core', Soft: 0, Hard: 0 },
      ],
    });
    const noSource = await docker(['run', '--mount', 'type=bind,dst=/app', 'busybox']);
    expect(noSource.err).toMatch(/^docker: invalid mount config for type "bind": field Source must not be empty/);
    const key = await docker(['run', '--mount', 'type=volume,colour=red,dst=/x', 'busybox']);
    expect(key.err).toBe(
      "invalid argument \"type=volume,colour=red,dst=/x\" for \"--mount\" flag: unexpected key 'colour' in 'colour=red'\nSee 'docker run --help'.\n",
    );
    const ulimit = await docker(['run', '--ulimit', 'files=10', 'busybox']);
    expect(ulimit.err).toBe('invalid argument "files=10" for "--ulimit" flag: invalid ulimit type: files\nSee \'docker run --help\'.\n');
  });

  it('maps --log-driver and --log-opt', async () => {
    await docker(['run', '-d', '--log-opt', 'max-size=10m', '--log-opt', 'max-file=3', 'busybox']);
    expect(engine.calls.find((c) => c.method === 'containers.create')?.args[0]).toEqual({
      image: 'busybox',
      logConfig: { Type: '', Config: { 'max-size': '10m', 'max-file': '3' } },
    });
    const bad = await docker(['run', '--log-opt', 'max-size', 'busybox']);
    expect(bad.err).toBe(
      'invalid argument "max-size" for "--log-opt" flag: invalid key value pair format in logging opts\nSee \'docker run --help\'.\n',
    );
  });

  it('reads --env-file and --label-file from local files, -e and --label winning', async () => {
    const cap = captureIO();
    cap.files.set(
      'app.env',
      new TextEncoder().encode('# settings\n\n  MODE=dev\nGREETING=hello world\nQUOTED="kept as written"\nFROM_CALLER\n'),
    );
    cap.files.set('labels', new TextEncoder().encode('tier=web\nsolo\n'));
    expect(
      await runDocker(
        ['run', '-d', '--env-file', 'app.env', '-e', 'MODE=prod', '--label-file', 'labels', '-l', 'tier=db', 'busybox'],
        cap.io,
        engine,
      ),
    ).toBe(0);
    expect(engine.calls.find((c) => c.method === 'containers.create')?.args[0]).toEqual({
      image: 'busybox',
      env: ['MODE=dev', 'GREETING=hello world', 'QUOTED="kept as written"', 'MODE=prod'],
      labels: { tier: 'db', solo: '' },
    });
    const missing = await docker(['run', '--env-file', 'nope.env', 'busybox']);
    expect([missing.code, missing.err]).toEqual([125, "docker: open nope.env: no such file or directory.\nSee 'docker run --help'.\n"]);
    const bad = captureIO();
    bad.files.set('bad.env', new TextEncoder().encode('MY VAR=1\n'));
    expect(await runDocker(['run', '--env-file', 'bad.env', 'busybox'], bad.io, engine)).toBe(125);
    expect(bad.err()).toBe("docker: poorly formatted environment: variable 'MY VAR' contains whitespaces.\nSee 'docker run --help'.\n");
  });

  it('prints the ID with -d', async () => {
    const r = await docker(['run', '-d', 'busybox', 'sleep', '100']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^[0-9a-f]{64}\n$/);
    expect(engine.calls.find((c) => c.method === 'containers.start')?.args[1]).toBeUndefined();
  });

  it('takes host paths as bind mounts (relative ones from the current folder) and refuses relative targets with status 125', async () => {
    await docker([
      'run',
      '-d',
      '-v',
      '/host:/data',
      '-v',
      './src:/app:ro',
      '-v',
      '.:/w',
      '--mount',
      'type=bind,src=../x,dst=/x,readonly',
      'busybox',
    ]);
    expect(engine.calls.find((c) => c.method === 'containers.create')?.args[0]).toMatchObject({
      binds: [
        { source: '/host', target: '/data', create: true },
        { source: '/home/me/src', target: '/app', readonly: true, create: true },
        { source: '/home/me', target: '/w', create: true },
        { source: '/home/x', target: '/x', readonly: true },
      ],
    });
    const bindRel = await docker(['run', '-v', './src:app', 'busybox']);
    expect(bindRel.code).toBe(125);
    expect(bindRel.err).toContain(`invalid mount config for type "bind": invalid mount path: 'app' mount path must be absolute`);
    expect(bindRel.err).toContain("\nSee 'docker run --help'.\n");
    const rel = await docker(['run', '-v', 'data', 'busybox']);
    expect(rel.err).toContain("invalid mount path: 'data' mount path must be absolute.\nSee 'docker run --help'.");
  });

  it('pulls a missing image first, like docker', async () => {
    engine.pullEvents.set('alpine', [
      { id: '', status: 'latest: Pulling from library/alpine' },
      { id: '4abcf2066143', status: 'Pulling fs layer' },
      { id: '4abcf2066143', status: 'Downloading', current: 10, total: 100 },
      { id: '4abcf2066143', status: 'Pull complete' },
      { id: '', status: 'Digest: sha256:' + '1'.repeat(64) },
      { id: '', status: 'Status: Downloaded newer image for alpine:latest' },
    ]);
    engine.script = (p) =>
      setTimeout(() => {
        p.out('hi\n');
        p.finish(0);
      }, 0);
    const r = await docker(['run', 'alpine', 'echo', 'hi']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('hi\n');
    expect(r.err).toBe(
      "Unable to find image 'alpine:latest' locally\n" +
        'latest: Pulling from library/alpine\n' +
        '4abcf2066143: Pulling fs layer\n' +
        '4abcf2066143: Pull complete\n' +
        `Digest: sha256:${'1'.repeat(64)}\n` +
        'Status: Downloaded newer image for alpine:latest\n',
    );
    expect(engine.methods().filter((m) => m === 'containers.create')).toHaveLength(2);
  });

  it('fails with 125 when the image cannot be pulled', async () => {
    const r = await docker(['run', 'nope']);
    expect(r.code).toBe(125);
    expect(r.err).toBe(
      "Unable to find image 'nope:latest' locally\n" +
        "docker: Error response from daemon: pull access denied for nope, repository does not exist or may require 'docker login'.\n" +
        "See 'docker run --help'.\n",
    );
  });

  it('honours --pull never and -q', async () => {
    expect((await docker(['run', '--pull', 'never', 'nope'])).err).toBe(
      "docker: Error response from daemon: No such image: nope:latest.\nSee 'docker run --help'.\n",
    );
    expect((await docker(['run', '--pull', 'sometimes', 'busybox'])).err).toBe(
      'docker: invalid pull option: \'sometimes\': must be one of "always", "missing" or "never".\nSee \'docker run --help\'.\n',
    );
    engine.pullEvents.set('alpine', [{ id: '', status: 'latest: Pulling from library/alpine' }]);
    const quiet = await docker(['run', '-q', 'alpine']);
    expect(quiet).toMatchObject({ code: 0, err: '' });
  });

  it('reports name conflicts with status 125', async () => {
    const r = await docker(['run', '--name', 'web', 'busybox']);
    expect(r.code).toBe(125);
    expect(r.err).toMatch(/^docker: Error response from daemon: Conflict\. The container name "\/web" is already in use/);
  });

  it('passes stdin with -i, resizes with -t, and detaches with ctrl-p ctrl-q', async () => {
    engine.script = () => {};
    const cap = captureIO({ tty: true });
    const done = runDocker(['run', '-it', 'busybox', 'sh'], cap.io, engine);
    await tick();
    const proc = engine.processes[0];
    expect(proc).toBeDefined();
    expect(engine.calls.find((c) => c.method === 'containers.start')?.args[1]).toEqual({ size: { rows: 24, cols: 80 } });
    cap.stdin('ls\r');
    cap.stdin('\x10x');
    cap.resize(40, 120);
    proc?.err('prompt# ');
    expect(proc?.stdin).toBe('ls\r\x10x');
    expect(proc?.resizes).toEqual([[40, 120]]);
    expect(cap.out()).toBe('prompt# ');
    cap.stdin('\x10\x11');
    expect(await done).toBe(0);
    expect(cap.listeners()).toEqual({ stdin: 0, end: 0, resize: 0 });
  });

  it('closes stdin at its end and forwards Ctrl-C as SIGINT without a tty', async () => {
    engine.script = () => {};
    const cap = captureIO();
    const done = runDocker(['run', '-i', 'busybox', 'cat'], cap.io, engine);
    await tick();
    const proc = engine.processes[0];
    cap.stdin('abc');
    cap.end();
    expect(proc?.stdin).toBe('abc');
    expect(proc?.stdinClosed).toBe(true);
    cap.interrupt();
    expect(proc?.signals).toEqual(['SIGINT']);
    proc?.finish(130);
    expect(await done).toBe(130);
  });

  it('needs a terminal for -it', async () => {
    expect(await docker(['run', '-it', 'busybox'])).toMatchObject({ code: 1, err: 'the input device is not a TTY\n' });
  });
});

describe('container lifecycle commands', () => {
  it('create prints the ID', async () => {
    const r = await docker(['create', '--name', 'c1', 'busybox', 'true']);
    expect(r.out).toMatch(/^[0-9a-f]{64}\n$/);
    expect(engine.containerList.some((c) => c.name === 'c1')).toBe(true);
  });

  it('start, stop, restart, kill print names and collect errors', async () => {
    expect(await docker(['start', 'old'])).toMatchObject({ code: 0, out: 'old\n' });
    const stop = await docker(['stop', '-t', '2', 'web', 'nope']);
    expect(stop).toMatchObject({ code: 1, out: 'web\n', err: 'Error response from daemon: No such container: nope\n' });
    expect(engine.calls.find((c) => c.method === 'containers.stop')?.args).toEqual(['web', { timeoutSeconds: 2 }]);
    expect((await docker(['restart', 'web'])).out).toBe('web\n');
    expect(await docker(['kill', '-s', 'SIGHUP', 'web'])).toMatchObject({ code: 0, out: 'web\n' });
    expect(engine.calls.find((c) => c.method === 'containers.kill')?.args).toEqual(['web', 'SIGHUP']);
    const failed = await docker(['start', 'nope', 'old']);
    expect(failed).toMatchObject({
      code: 1,
      out: 'old\n',
      err: 'Error response from daemon: No such container: nope\nError: failed to start containers: nope\n',
    });
  });

  it('update changes limits and the restart policy, and needs a flag', async () => {
    const r = await docker(['update', '-m', '32m', '--pids-limit', '-1', '--restart', 'unless-stopped', 'web', 'nope']);
    expect(r.out).toBe('web\n');
    expect(r.err).toBe('Error response from daemon: No such container: nope\n');
    expect(r.code).toBe(1);
    expect(engine.calls.find((c) => c.method === 'containers.update')?.args).toEqual([
      'web',
      { memory: 32 * 1024 * 1024, pidsLimit: -1, restartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } },
    ]);
    const none = await docker(['update', 'web']);
    expect([none.code, none.err]).toEqual([1, 'you must provide one or more flags when using this command\n']);
    const cpus = await docker(['container', 'update', '--cpus', '0.5', '-c', '512', 'web']);
    expect(cpus.out).toBe('web\n');
    expect(engine.calls.filter((c) => c.method === 'containers.update').at(-1)?.args).toEqual([
      'web',
      { nanoCpus: 500_000_000, cpuShares: 512 },
    ]);
    const quota = await docker(['update', '--cpu-quota', '5000', 'web']);
    expect(quota.err).toBe(
      "--cpu-quota is not supported by LayerLab: use --cpus, which sets the same CFS quota\nSee 'docker update --help'.\n",
    );
    const bad = await docker(['run', '--cpus', 'half', 'busybox']);
    expect(bad.err).toBe(
      'invalid argument "half" for "--cpus" flag: failed to parse half as a rational number\nSee \'docker run --help\'.\n',
    );
  });

  it('export writes the tar to -o or a redirect, never to a terminal; import reads a file or stdin and prints the ID', async () => {
    const tty = await docker(['export', 'web'], { tty: true });
    expect([tty.code, tty.err]).toEqual([1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect\n']);
    const cap = captureIO();
    expect(await runDocker(['container', 'export', '-o', 'web.tar', 'web'], cap.io, engine)).toBe(0);
    expect(cap.files.get('web.tar')).toBe(engine.saveArchive);
    cap.files.set('rootfs.tar', new Uint8Array(1024));
    expect(await runDocker(['import', '-m', 'by hand', 'rootfs.tar', 'mine:1'], cap.io, engine)).toBe(0);
    expect(cap.out()).toBe(`sha256:${'c'.repeat(64)}\n`);
    expect(engine.calls.find((c) => c.method === 'images.importFilesystem')?.args).toEqual([
      1024,
      { reference: 'mine:1', message: 'by hand' },
    ]);
    const missing = await docker(['image', 'import', 'nope.tar']);
    expect([missing.code, missing.err]).toEqual([1, 'open nope.tar: no such file or directory\n']);
    const url = await docker(['import', 'https://example.com/rootfs.tar']);
    expect(url.err).toMatch(/^importing from https:\/\/example\.com\/rootfs\.tar is not supported by LayerLab: the machine has no way out/);
  });

  it('start -a attaches and returns the exit status', async () => {
    engine.script = (p) =>
      setTimeout(() => {
        p.out('again\n');
        p.finish(4);
      }, 0);
    expect(await docker(['start', '-a', 'old'])).toMatchObject({ code: 4, out: 'again\n' });
    expect((await docker(['start', '-a', 'old', 'web'])).err).toBe('you cannot start and attach multiple containers at once\n');
  });

  it('rm refuses running containers, -f forces and ignores missing ones', async () => {
    const r = await docker(['rm', 'web']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'Error response from daemon: cannot remove container "/web": container is running: stop the container before removing or force remove\n',
    );
    expect(await docker(['rm', '-f', 'web', 'nope'])).toMatchObject({ code: 0, out: 'web\n', err: '' });
    expect(await docker(['container', 'remove', '-v', 'old'])).toMatchObject({ code: 0, out: 'old\n' });
    expect(engine.calls.at(-1)?.args).toEqual(['old', { force: false, volumes: true }]);
  });

  it('wait prints exit codes', async () => {
    expect((await docker(['wait', 'old'])).out).toBe('3\n');
  });

  it('inspect prints Docker-style JSON and formats', async () => {
    const r = await docker(['container', 'inspect', 'web']);
    expect(r.out.startsWith('[\n    {\n        "Id": "f1e2d3c4b5a6')).toBe(true);
    expect(r.out.endsWith('\n    }\n]\n')).toBe(true);
    expect((await docker(['inspect', '-f', '{{.State.Status}} {{.Name}}', 'web', 'old'])).out).toBe('running /web\nexited /old\n');
    expect((await docker(['inspect', '--format', '{{json .Config.Env}}', 'web'])).out).toBe('["PATH=/bin"]\n');
    const missing = await docker(['inspect', 'nope']);
    expect(missing).toMatchObject({ code: 1, out: '[]\n', err: 'Error: No such object: nope\n' });
    expect((await docker(['inspect', '--type', 'image', '-f', '{{.Id}}', 'busybox'])).err).toBe('Error: No such image: busybox\n');
  });

  it('inspect escapes HTML characters like Go', async () => {
    engine.imageInspects.set('busybox', {
      Id: BUSYBOX_ID,
      RepoTags: ['busybox:latest'],
      RepoDigests: [],
      Created: '2024-04-17T00:00:00Z',
      Author: 'Ann <ann@example.com>',
      Config: { Cmd: ['sh'] },
      Architecture: '386',
      Os: 'linux',
      Size: 1,
      RootFS: { Type: 'layers', Layers: [] },
    });
    const r = await docker(['image', 'inspect', 'busybox']);
    expect(r.out).toContain('"Author": "Ann \\u003cann@example.com\\u003e"');
    expect(r.out).toContain('"Layers": []');
    expect((await docker(['inspect', '-f', '{{.Author}}', 'busybox'])).out).toBe('Ann <ann@example.com>\n');
  });

  it('logs, with timestamps and tail', async () => {
    const id = engine.containerList[0]?.id ?? '';
    const enc = new TextEncoder();
    engine.logEntries.set(id, [
      { stream: 'stdout', time: '2024-05-01T10:00:00.000000001Z', data: enc.encode('one\n') },
      { stream: 'stderr', time: '2024-05-01T10:00:01.000000001Z', data: enc.encode('two\n') },
      { stream: 'stdout', time: '2024-05-01T10:00:02.000000001Z', data: enc.encode('three\n') },
    ]);
    expect(await docker(['logs', 'web'])).toMatchObject({ out: 'one\nthree\n', err: 'two\n' });
    expect((await docker(['logs', '-t', '--tail', '1', 'web'])).out).toBe('2024-05-01T10:00:02.000000001Z three\n');
    expect((await docker(['logs', '-n', '0', 'web'])).out).toBe('');
    const follow = await docker(['logs', '-f', '--tail', '2', 'web']);
    expect(follow).toMatchObject({ out: 'three\n', err: 'two\n' });
    // the engine counts lines: the CLI hands it the number (anything else, like Docker's Atoi failing, is all)
    const tails = engine.calls.filter((c) => c.method === 'containers.logs').map((c) => (c.args[1] as { tail: number }).tail);
    expect(tails).toEqual([-1, 1, 0, 2]);
    await docker(['logs', '--tail', 'lots', 'web']);
    expect((engine.calls.at(-1)?.args[1] as { tail: number }).tail).toBe(-1);
    expect((await docker(['logs', '--details', '-t', '-n', '1', 'web'])).out).toBe('2024-05-01T10:00:02.000000001Z  three\n');
  });

  it('logs --since and --until, read like the Docker client reads them', async () => {
    const id = engine.containerList[0]?.id ?? '';
    const enc = new TextEncoder();
    engine.logEntries.set(id, [
      { stream: 'stdout', time: '2024-05-01T10:00:00.000000001Z', data: enc.encode('one\n') },
      { stream: 'stdout', time: '2024-05-01T11:30:00.000000001Z', data: enc.encode('two\n') },
      { stream: 'stdout', time: '2024-05-01T11:59:00.000000001Z', data: enc.encode('three\n') },
    ]);
    // the clock of these tests stands at 2024-05-01T12:00:00Z
    expect((await docker(['logs', '--since', '10m', 'web'])).out).toBe('three\n');
    expect((engine.calls.at(-1)?.args[1] as { since: string }).since).toBe(String(Date.parse('2024-05-01T11:50:00Z') / 1000));
    expect((await docker(['logs', '--until', '2024-05-01T11:00:00Z', 'web'])).out).toBe('one\n');
    expect((await docker(['logs', '--since', '2024-05-01T11:00:00Z', '--tail', '1', 'web'])).out).toBe('three\n');
    const bad = await docker(['logs', '--since', 'yesterday', 'web']);
    expect(bad).toMatchObject({ code: 1, err: 'invalid value for "since": failed to parse value as time or duration: "yesterday"\n' });
  });

  it('diff, commit, top', async () => {
    engine.changes.set(engine.containerList[0]?.id ?? '', [
      { kind: 'C', path: '/etc' },
      { kind: 'A', path: '/etc/new' },
      { kind: 'D', path: '/tmp/old' },
    ]);
    expect((await docker(['diff', 'web'])).out).toBe('C /etc\nA /etc/new\nD /tmp/old\n');
    expect((await docker(['commit', '-m', 'msg', '-a', 'me', 'web', 'web:2'])).out).toBe('sha256:' + 'd'.repeat(64) + '\n');
    expect(engine.calls.at(-1)?.args).toEqual(['web', { reference: 'web:2', message: 'msg', author: 'me' }]);
    expect((await docker(['top', 'web'])).out).toBe(
      'UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD\n' +
        'root                1234                1200                0                   12:00               ?                   00:00:00            sleep 1000\n',
    );
  });

  it('exec runs attached and returns the status; -d returns at once', async () => {
    engine.script = (p, what) =>
      setTimeout(() => {
        p.out(`ran ${what.cmd?.join(' ')}\n`);
        p.finish(2);
      }, 0);
    expect(await docker(['exec', '-e', 'X=1', '-u', 'nobody', '-w', '/tmp', 'web', 'ls', '-l'])).toMatchObject({
      code: 2,
      out: 'ran ls -l\n',
    });
    expect(engine.calls.find((c) => c.method === 'containers.exec')?.args[1]).toEqual({
      cmd: ['ls', '-l'],
      tty: false,
      interactive: false,
      env: ['X=1'],
      user: 'nobody',
      workingDir: '/tmp',
    });
    expect((await docker(['exec', '-d', 'web', 'sleep', '9'])).code).toBe(0);
    expect(await docker(['exec', 'old', 'ls'])).toMatchObject({ code: 1 });
    expect((await docker(['exec', 'nope', 'ls'])).err).toBe('Error response from daemon: No such container: nope\n');
  });

  it('container prune asks, and -f skips the question', async () => {
    engine.pruneReports.containers = { deleted: ['a'.repeat(64)], spaceReclaimed: 12_288 };
    expect((await docker(['container', 'prune', '-f'])).out).toBe(
      `Deleted Containers:\n${'a'.repeat(64)}\n\nTotal reclaimed space: 12.29kB\n`,
    );
  });
});

describe('image commands', () => {
  it('images, image ls, filters and reference argument', async () => {
    const r = await docker(['images']);
    expect(r.out).toBe(
      'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n' +
        '<none>       <none>    eeeeeeeeeeee   3 days ago    0B\n' +
        'busybox      latest    aaaaaaaaaaaa   2 weeks ago   4.26MB\n',
    );
    expect((await docker(['image', 'ls', '-q', '-f', 'dangling=true'])).out).toBe('eeeeeeeeeeee\n');
    expect((await docker(['image', 'list', '--format', '{{.Repository}}', 'busy*'])).out).toBe('busybox\n');
    expect((await docker(['images', 'busybox:latest', '-q', '--no-trunc'])).out).toBe(BUSYBOX_ID + '\n');
    expect((await docker(['images', 'alpine', '-q'])).out).toBe('');
  });

  it('history', async () => {
    engine.histories.set('busybox', [
      {
        id: BUSYBOX_ID,
        created: '2024-04-17T00:00:00Z',
        createdBy: '/bin/sh -c #(nop)  CMD ["sh"]',
        size: 0,
        comment: '',
        emptyLayer: true,
      },
      {
        id: '<missing>',
        created: '2024-04-17T00:00:00Z',
        createdBy: '/bin/sh -c #(nop) ADD file:abc in / ',
        size: 4_261_234,
        comment: '',
        emptyLayer: false,
      },
    ]);
    expect((await docker(['history', 'busybox'])).out).toBe(
      'IMAGE          CREATED       CREATED BY                             SIZE      COMMENT\n' +
        'aaaaaaaaaaaa   2 weeks ago   /bin/sh -c #(nop)  CMD ["sh"]          0B        \n' +
        '<missing>      2 weeks ago   /bin/sh -c #(nop) ADD file:abc in /    4.26MB    \n',
    );
    expect((await docker(['history', '-q', 'busybox'])).out).toBe('aaaaaaaaaaaa\n<missing>\n');
    expect((await docker(['image', 'history', '--human=false', '--format', '{{.Size}}', 'busybox'])).out).toBe('0\n4261234\n');
    expect(await docker(['history', 'nope'])).toMatchObject({ code: 1, err: 'Error response from daemon: No such image: nope\n' });
  });

  it('tag, rmi', async () => {
    expect(await docker(['tag', 'busybox', 'mine:1'])).toMatchObject({ code: 0, out: '' });
    expect(engine.calls.at(-1)?.args).toEqual(['busybox', 'mine:1']);
    expect((await docker(['rmi', 'busybox'])).out).toBe(`Untagged: busybox:latest\nDeleted: ${BUSYBOX_ID}\n`);
    expect(await docker(['image', 'rm', 'nope'])).toMatchObject({ code: 1, err: 'Error response from daemon: No such image: nope\n' });
    expect(await docker(['rmi', '-f', 'nope'])).toMatchObject({ code: 0, err: 'Error response from daemon: No such image: nope\n' });
  });

  it('image prune asks for confirmation on stdin', async () => {
    engine.pruneReports.images = { deleted: ['sha256:' + 'e'.repeat(64)], spaceReclaimed: 1_234_567 };
    const cap = captureIO({ tty: true });
    const done = runDocker(['image', 'prune'], cap.io, engine);
    await tick();
    expect(cap.out()).toBe('WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ');
    cap.stdin('y');
    cap.stdin('\r');
    expect(await done).toBe(0);
    expect(cap.out()).toBe(
      'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] y\n' +
        `Deleted Images:\ndeleted: sha256:${'e'.repeat(64)}\n\nTotal reclaimed space: 1.235MB\n`,
    );

    const no = captureIO();
    const declined = runDocker(['image', 'prune', '-a'], no.io, engine);
    await tick();
    no.stdin('n\n');
    expect(await declined).toBe(0);
    expect(no.out()).toBe(
      'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] ',
    );
    expect(engine.methods().filter((m) => m === 'images.prune')).toHaveLength(1);
  });

  it('prune without any stdin refuses clearly', async () => {
    const r = await docker(['image', 'prune'], { stdin: false });
    expect(r.code).toBe(1);
    expect(r.err).toContain('use -f/--force to skip the prompt');
    expect(engine.methods()).not.toContain('images.prune');
  });

  it('pull', async () => {
    engine.pullEvents.set('alpine', [
      { id: '', status: 'latest: Pulling from library/alpine' },
      { id: '4abcf2066143', status: 'Pull complete' },
      { id: '', status: 'Status: Downloaded newer image for alpine:latest' },
    ]);
    expect((await docker(['pull', 'alpine'])).out).toBe(
      'Using default tag: latest\nlatest: Pulling from library/alpine\n4abcf2066143: Pull complete\nStatus: Downloaded newer image for alpine:latest\ndocker.io/library/alpine:latest\n',
    );
    engine.pullEvents.set('alpine:3.19', []);
    expect((await docker(['image', 'pull', '-q', 'alpine:3.19'])).out).toBe('docker.io/library/alpine:3.19\n');
    expect(await docker(['pull', 'nope'])).toMatchObject({
      code: 1,
      err: "Error response from daemon: pull access denied for nope, repository does not exist or may require 'docker login'\n",
    });
  });
});

describe('docker build', () => {
  const dockerfile = 'FROM busybox\nCOPY app.sh /app.sh\nRUN sh /app.sh\n';
  function withContext(cap: ReturnType<typeof captureIO>): void {
    cap.io.buildContext = async (path) => {
      if (path !== '.') throw new Error(`path "${path}" not found`);
      return new Map([
        ['Dockerfile', textFile(dockerfile)],
        ['app.sh', textFile('echo building\n')],
      ]);
    };
  }
  const enc = new TextEncoder();

  it('prints BuildKit-style progress', async () => {
    engine.buildScript = {
      events: [
        {
          type: 'step-start',
          step: 1,
          total: 3,
          stage: 'stage-0',
          label: '1/3',
          instruction: 'FROM docker.io/library/busybox:latest',
          line: 1,
        },
        { type: 'step-done', step: 1, cached: true, ms: 0 },
        { type: 'step-start', step: 2, total: 3, stage: 'stage-0', label: '2/3', instruction: 'COPY app.sh /app.sh', line: 2 },
        { type: 'step-done', step: 2, cached: false, ms: 40 },
        { type: 'step-start', step: 3, total: 3, stage: 'stage-0', label: '3/3', instruction: 'RUN sh /app.sh', line: 3 },
        { type: 'step-output', step: 3, stream: 'stdout', data: enc.encode('building\nstill ') },
        { type: 'step-output', step: 3, stream: 'stdout', data: enc.encode('going\n') },
        { type: 'step-done', step: 3, cached: false, ms: 420 },
      ],
      result: { imageId: 'sha256:' + 'b'.repeat(64), tags: [], steps: [] },
    };
    const cap = captureIO();
    withContext(cap);
    const code = await runDocker(['build', '-t', 'web:1', '--build-arg', 'V=2', '--no-cache', '.'], cap.io, engine);
    expect(code).toBe(0);
    expect(cap.out()).toBe('');
    golden('build-progress.golden', cap.err());
    const call = engine.calls.find((c) => c.method === 'build')?.args[0] as Record<string, unknown>;
    expect(call).toMatchObject({
      dockerfile: 'Dockerfile',
      tags: ['web:1'],
      buildArgs: { V: '2' },
      noCache: true,
      context: ['Dockerfile', 'app.sh'],
    });
  });

  it('-q prints only the image ID', async () => {
    const cap = captureIO();
    withContext(cap);
    expect(await runDocker(['build', '-q', '.'], cap.io, engine)).toBe(0);
    expect(cap.out()).toBe('sha256:' + 'b'.repeat(64) + '\n');
    expect(cap.err()).toBe('');
  });

  it('prints the failing step, the Dockerfile excerpt and BuildKit error', async () => {
    engine.buildScript = {
      events: [
        { type: 'step-start', step: 3, total: 3, stage: 'stage-0', label: '3/3', instruction: 'RUN sh /app.sh', line: 3 },
        { type: 'step-output', step: 3, stream: 'stderr', data: enc.encode('sh: boom\n') },
        { type: 'step-error', step: 3, message: 'process "/bin/sh -c sh /app.sh" did not complete successfully: exit code: 2' },
      ],
      error: new BuildError('process "/bin/sh -c sh /app.sh" did not complete successfully: exit code: 2', 3),
    };
    const cap = captureIO();
    withContext(cap);
    expect(await runDocker(['build', '.'], cap.io, engine)).toBe(1);
    golden('build-error.golden', cap.err());
  });

  it("a FROM LayerLab lacks: the step shows BuildKit's line, the end adds LayerLab's closest tags once", async () => {
    const message =
      'busybox:9: failed to resolve source metadata for docker.io/library/busybox:9: docker.io/library/busybox:9: not found\n' +
      'LayerLab runs offline and has no busybox:9; the closest tags it has: busybox:latest.';
    engine.buildScript = {
      events: [
        { type: 'step-start', step: 1, total: 3, stage: '', label: '1/3', instruction: 'FROM busybox:9', line: 1 },
        { type: 'step-error', step: 1, message },
      ],
      error: new BuildError(message, 1),
    };
    const cap = captureIO();
    withContext(cap);
    expect(await runDocker(['build', '.'], cap.io, engine)).toBe(1);
    const err = cap.err();
    expect(err).toContain(
      '#4 [1/3] FROM busybox:9\n#4 ERROR: busybox:9: failed to resolve source metadata for docker.io/library/busybox:9: docker.io/library/busybox:9: not found\n------\n',
    );
    expect(err).toContain('Dockerfile:1\n--------------------\n   1 | >>> FROM busybox\n');
    expect(err).toMatch(
      /\nERROR: failed to solve: busybox:9: failed to resolve .*: not found\nLayerLab runs offline .*busybox:latest\.\n$/,
    );
    expect(err.split('LayerLab runs offline').length).toBe(2);
  });

  it("Ctrl-C: the running step is CANCELED and the build ends with BuildKit's words, status 130", async () => {
    engine.buildScript = {
      events: [
        { type: 'step-start', step: 1, total: 2, stage: '', label: '1/2', instruction: 'FROM busybox', line: 1 },
        { type: 'step-done', step: 1, cached: false, ms: 12 },
        { type: 'step-start', step: 2, total: 2, stage: '', label: '2/2', instruction: 'RUN sleep 100', line: 2 },
        { type: 'step-error', step: 2, message: 'build cancelled', cancelled: true },
        { type: 'build-end', outcome: 'cancelled', message: 'build cancelled' },
      ],
      error: new OperationCancelledError('build'),
    };
    const cap = captureIO();
    withContext(cap);
    expect(await runDocker(['build', '.'], cap.io, engine)).toBe(130);
    const err = cap.err();
    expect(err).toMatch(/#5 \[2\/2\] RUN sleep 100\n#5 CANCELED\nERROR: failed to solve: Canceled: context canceled\n$/);
    expect(err).not.toContain('ERROR: build cancelled');
  });

  it('reports a missing context', async () => {
    const cap = captureIO();
    withContext(cap);
    expect(await runDocker(['build', 'nowhere'], cap.io, engine)).toBe(1);
    expect(cap.err()).toBe('ERROR: unable to prepare context: path "nowhere" not found\n');
  });
});

describe('volumes', () => {
  it('create, ls, inspect, rm', async () => {
    expect((await docker(['volume', 'create', '--label', 'team=ops', 'data'])).out).toBe('data\n');
    expect(engine.calls.at(-1)?.args).toEqual(['data', { team: 'ops' }]);
    await docker(['volume', 'create', 'logs']);
    expect((await docker(['volume', 'ls'])).out).toBe('DRIVER    VOLUME NAME\nlocal     data\nlocal     logs\n');
    expect((await docker(['volume', 'list', '-q', '-f', 'label=team'])).out).toBe('data\n');
    expect((await docker(['volume', 'ls', '-q', '-f', 'dangling=true'])).out).toBe('data\nlogs\n');
    expect((await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'data'])).out).toBe('/var/lib/docker/volumes/data/_data\n');
    expect(await docker(['volume', 'rm', 'data', 'nope'])).toMatchObject({
      code: 1,
      out: 'data\n',
      err: 'Error response from daemon: get nope: no such volume\n',
    });
    expect((await docker(['volume', 'create', '-d', 'nfs', 'x'])).code).toBe(1);
  });

  it('prune', async () => {
    engine.pruneReports.volumes = { deleted: ['v1', 'v2'], spaceReclaimed: 2048 };
    expect((await docker(['volume', 'prune', '-f'])).out).toBe('Deleted Volumes:\nv1\nv2\n\nTotal reclaimed space: 2.048kB\n');
    expect(engine.calls.at(-1)?.args).toEqual([{ all: false }]);
  });
});

describe('system', () => {
  it('df', async () => {
    engine.diskUsage.images = { total: 2, active: 1, size: 4_261_234, reclaimable: 0 };
    expect((await docker(['system', 'df'])).out).toBe(
      'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n' +
        'Images          2         1         4.261MB   0B (0%)\n' +
        'Containers      0         0         0B        0B\n' +
        'Local Volumes   0         0         0B        0B\n' +
        'Build Cache     0         0         0B        0B\n',
    );
    expect((await docker(['system', 'df', '-v'])).out).toContain('Images space usage:\n\nREPOSITORY');
  });

  it('prune reports each kind and the total', async () => {
    engine.pruneReports.containers = { deleted: ['c1'], spaceReclaimed: 1000 };
    engine.pruneReports.images = { deleted: ['sha256:i1'], spaceReclaimed: 2000 };
    engine.pruneReports.volumes = { deleted: ['v1'], spaceReclaimed: 3000 };
    engine.pruneReports.system = { deleted: ['cache1'], spaceReclaimed: 4000 };
    const r = await docker(['system', 'prune', '-a', '--volumes', '-f']);
    expect(r.out).toBe(
      'Deleted Containers:\nc1\n\nDeleted Volumes:\nv1\n\nDeleted Images:\ndeleted: sha256:i1\n\nDeleted build cache objects:\ncache1\n\nTotal reclaimed space: 10kB\n',
    );
    const cap = captureIO();
    const asked = runDocker(['system', 'prune'], cap.io, engine);
    await tick();
    expect(cap.out()).toBe(
      'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - unused build cache\n\nAre you sure you want to continue? [y/N] ',
    );
    cap.end();
    expect(await asked).toBe(0);
  });

  it('info', async () => {
    const r = await docker(['info']);
    expect(r.out).toContain(' Containers: 2\n  Running: 1\n');
    expect(r.out).toContain(' Total Memory: 512MiB\n');
    expect((await docker(['system', 'info', '-f', '{{.KernelVersion}}'])).out).toBe('6.1.0\n');
    // limits are enforced with cgroup v2, so info says so (it said "Cgroup Driver: none")
    expect(r.out).toContain(' Cgroup Driver: cgroupfs\n Cgroup Version: 2\n');
    expect((await docker(['info', '-f', '{{.CgroupDriver}} {{.CgroupVersion}}'])).out).toBe('cgroupfs 2\n');
  });
});
