/**
 * The engine on the real guest: images, containers, volumes and builds, with file-system
 * stores, and state that survives a new engine (a new CLI process, or a page reload).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { BuildContext, BuildEvent } from '../../src/engine/api.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { gzip, writeTar } from '../../src/engine/layer/index.ts';
import { validateConfig, validateImage, validateManifest } from '../../src/engine/oci/validate.ts';
import { output } from '../fixtures/process-output.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const home = mkdtempSync(join(tmpdir(), 'layerlab-engine-'));
let node: NodeEngine;
let engine: Engine;

async function run(image: string, cmd: string[], extra: Partial<Parameters<Engine['containers']['create']>[0]> = {}) {
  const { id } = await engine.containers.create({ image, cmd, ...extra });
  return { id, ...(await output(await engine.containers.start(id, {}))) };
}

function context(files: Record<string, string | Uint8Array>): BuildContext {
  return new Map(Object.entries(files).map(([k, v]) => [k, { data: typeof v === 'string' ? new TextEncoder().encode(v) : v }]));
}

async function build(
  files: Record<string, string | Uint8Array>,
  options: { tags?: string[]; noCache?: boolean; target?: string; buildArgs?: Record<string, string> } = {},
) {
  const events: BuildEvent[] = [];
  const result = await engine.build({ context: context(files), ...options, onEvent: (e) => events.push(e) });
  const steps = events
    .filter((e) => e.type === 'step-start')
    .map((e) => `[${(e as { label: string }).label}] ${(e as { instruction: string }).instruction}`);
  const cached = events.filter((e) => e.type === 'step-done' && e.cached).length;
  return { result, steps, cached, events };
}

beforeAll(async () => {
  node = await openNodeEngine({ home });
  engine = node.engine;
});
afterAll(async () => {
  await node?.close();
});

describe('images', () => {
  it('pulls busybox from the offline catalog and explains what is not there', async () => {
    const events: string[] = [];
    const r = await engine.images.pull('busybox', (e) => events.push(e.status));
    expect(r.reference).toBe('busybox:latest');
    expect(events).toContain('Pull complete');
    expect(events.at(-1)).toBe('Status: Downloaded newer image for busybox:latest');
    await expect(engine.images.pull('python:3.12-slim')).rejects.toThrow(
      /^manifest for python:3\.12-slim not found: manifest unknown: manifest unknown\nLayerLab runs offline and has no python:3\.12-slim; the closest tags it has: python:3\.1[13]-slim/,
    );
    const [img] = await engine.images.list();
    expect(img!.repoTags).toEqual(['busybox:latest']);
    expect((await engine.images.history('busybox')).map((h) => h.createdBy)).toEqual([
      'CMD ["sh"]',
      expect.stringContaining('busybox-static'),
    ]);
  });

  it('tags, refuses to remove an image a container uses, and removes it with -f', async () => {
    await engine.images.tag('busybox', 'mybox:1');
    const { id } = await engine.containers.create({ image: 'mybox:1', cmd: ['true'] });
    // busybox:latest still names the image: removing the tag only untags
    expect(await engine.images.remove('mybox:1')).toEqual({ untagged: ['mybox:1'], deleted: [] });
    // an image of its own, used by a container: refused, then untagged with -f (the container keeps it)
    const own = await engine.containers.commit(id, { reference: 'solo:1' });
    const { id: user } = await engine.containers.create({ image: 'solo:1', cmd: ['true'] });
    await expect(engine.images.remove('solo:1')).rejects.toThrow(
      `conflict: unable to remove repository reference "solo:1" (must force) - container ${user.slice(0, 12)} is using its referenced image ${own.slice(7, 19)}`,
    );
    expect(await engine.images.remove('solo:1', { force: true })).toEqual({ untagged: ['solo:1'], deleted: [] });
    await engine.containers.remove(user);
    await engine.containers.remove(id);
    expect((await engine.images.prune()).deleted).toContain(own);
    await expect(engine.images.inspect(own)).rejects.toThrow('No such image');
  });
});

describe('containers', () => {
  it('isolates a container: PID 1, its own hostname, loopback only, /proc of its own', async () => {
    const r = await run(
      'busybox',
      ['sh', '-c', 'echo $$; hostname; ls /sys/class/net 2>/dev/null || ip -o link | cut -d: -f2; ps | wc -l'],
      { hostname: 'web' },
    );
    expect(r.err).toBe('');
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => l.trim());
    expect(lines[0]).toBe('1');
    expect(lines[1]).toBe('web');
    expect(lines).toContain('lo');
    expect(Number(lines.at(-1))).toBeLessThanOrEqual(4);
  });

  it('reports exit codes like Docker: command, 127, 126, 137', async () => {
    expect((await run('busybox', ['sh', '-c', 'exit 7'])).code).toBe(7);
    const notFound = await run('busybox', ['no-such-binary']);
    expect(notFound.code).toBe(127);
    expect(notFound.err).toContain('executable file not found in $PATH');
    expect((await run('busybox', ['/etc/passwd'])).code).toBe(126);
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
    await engine.containers.start(id);
    await engine.containers.kill(id);
    expect((await engine.containers.inspect(id)).State).toMatchObject({ Status: 'exited', ExitCode: 137 });
  });

  it('OOM-kills over a memory limit and shows it in inspect', async () => {
    const r = await run('busybox', ['sh', '-c', 'x=$(head -c 40000000 /dev/zero | tr "\\0" a)'], { memory: 8 * 1024 * 1024 });
    expect(r.code).toBe(137);
    expect((await engine.containers.inspect(r.id)).State.OOMKilled).toBe(true);
  });

  it('runs as a named user from the image and keeps a read-only root read-only', async () => {
    expect((await run('busybox', ['id'], { user: 'www-data' })).out).toBe('uid=33(www-data) gid=33(www-data) groups=33(www-data)\n');
    const ro = await run('busybox', ['touch', '/x'], { readOnly: true });
    expect(ro.code).toBe(1);
    expect(ro.err).toContain('Read-only file system');
  });

  it('execs into a running container, diffs and commits its read-write layer, stops it', async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      name: 'box',
      cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
    });
    await engine.containers.start(id);
    const ex = await output(
      await engine.containers.exec('box', {
        cmd: ['sh', '-c', 'echo $$ > /tmp/exec-pid; rm /etc/shadow; mkdir -p /srv && echo hi > /srv/f; cat /proc/1/cmdline | head -c 2'],
      }),
    );
    expect(ex.code).toBe(0);
    expect(ex.out).toBe('sh');
    expect(await engine.containers.diff('box')).toEqual([
      { kind: 'C', path: '/etc' },
      { kind: 'D', path: '/etc/shadow' },
      { kind: 'A', path: '/srv' },
      { kind: 'A', path: '/srv/f' },
      { kind: 'C', path: '/tmp' },
      { kind: 'A', path: '/tmp/exec-pid' },
    ]);
    // inspect's GraphDriver names the real directories of the overlay the container runs on
    const { LowerDir, UpperDir } = (await engine.containers.inspect('box')).GraphDriver.Data;
    const mounted = await node.machine()!.spawn({
      argv: ['sh', '-c', `grep -c "lowerdir=${LowerDir},upperdir=${UpperDir}" /proc/*/mountinfo 2>/dev/null | grep -v ":0" | head -1`],
    });
    let seen = '';
    mounted.onStdout((d) => (seen += text(d)));
    await mounted.exit;
    expect(seen).toMatch(/:1/);
    const top = await engine.containers.top('box');
    expect(top.processes.length).toBeGreaterThanOrEqual(1);
    await engine.containers.stop('box', { timeoutSeconds: 5 });
    expect((await engine.containers.inspect('box')).State).toMatchObject({ Status: 'exited', ExitCode: 0 });
    const image = await engine.containers.commit('box', { reference: 'box-snapshot:1' });
    const check = await run('box-snapshot:1', ['sh', '-c', 'cat /srv/f; test -e /etc/shadow && echo still-there || echo gone']);
    expect(check.out).toBe('hi\ngone\n');
    expect(image).toMatch(/^sha256:/);
    await expect(engine.containers.create({ image: 'busybox', name: 'box', cmd: ['true'] })).rejects.toThrow(
      'Conflict. The container name "/box" is already in use',
    );
    await expect(engine.containers.remove('nope')).rejects.toThrow('No such container: nope');
  });

  it('keeps logs with timestamps and removes --rm containers', async () => {
    const r = await run('busybox', ['sh', '-c', 'echo one; echo two >&2']);
    const logs: string[] = [];
    await engine.containers.logs(r.id, { onEntry: (e) => logs.push(`${e.stream}:${text(e.data)}`) });
    expect(logs.join('')).toContain('stdout:one');
    expect(logs.join('')).toContain('stderr:two');
    const gone = await run('busybox', ['true'], { autoRemove: true });
    await new Promise((res) => setTimeout(res, 200));
    await expect(engine.containers.inspect(gone.id)).rejects.toThrow('No such container');
  });
});

describe('volumes', () => {
  it('keeps named volume data across containers', async () => {
    await run('busybox', ['sh', '-c', 'echo saved > /data/file'], { volumes: [{ source: 'db', target: '/data' }] });
    const r = await run('busybox', ['cat', '/data/file'], { volumes: [{ source: 'db', target: '/data', readonly: true }] });
    expect(r.out).toBe('saved\n');
    await expect(engine.volumes.remove('db')).rejects.toThrow('volume is in use');
    expect((await engine.volumes.list()).map((v) => v.Name)).toContain('db');
  });

  it('removes a volume for good: one made again with the same name starts empty', async () => {
    await run('busybox', ['sh', '-c', 'echo old > /data/a.txt'], { volumes: [{ source: 'again', target: '/data' }], autoRemove: true });
    await new Promise((res) => setTimeout(res, 200));
    await engine.volumes.remove('again');
    await engine.volumes.create('again');
    const r = await run('busybox', ['ls', '-A', '/data'], { volumes: [{ source: 'again', target: '/data' }] });
    expect(r.out).toBe('');
  });
});

describe('builds', () => {
  const dockerfile = [
    'FROM busybox AS base',
    'ARG GREETING=hello',
    'WORKDIR /app',
    'COPY app.sh ./',
    'RUN chmod +x app.sh && echo "$GREETING" > greeting',
    'RUN rm /etc/shadow && rm -rf /var/www && mkdir /var/www && echo new > /var/www/index.html',
    'FROM base AS final',
    'COPY --from=base /app/greeting /greeting',
    'COPY --chown=33:33 --chmod=600 secret.txt /secret.txt',
    'USER www-data',
    'ENV MODE=prod',
    'CMD ["/app/app.sh"]',
  ].join('\n');
  const files = {
    Dockerfile: dockerfile,
    'app.sh': '#!/bin/sh\necho "$MODE $(cat /greeting) $(id -u)"\n',
    'secret.txt': 's3cret',
    '.dockerignore': 'ignored/\n',
    'ignored/big.bin': 'x',
  };

  it('builds a multi-stage Dockerfile and runs the result', async () => {
    const { result, steps } = await build(files, { tags: ['app:1'], buildArgs: { GREETING: 'hi' } });
    expect(steps[0]).toBe('[base 1/5] FROM busybox');
    expect(steps).toContain('[final 3/3] COPY --chown=33:33 --chmod=600 secret.txt /secret.txt');
    expect((await run('app:1', [])).out).toBe('prod hi 33\n');
    const whiteouts = await run('app:1', ['sh', '-c', 'ls /etc/shadow 2>&1; ls /var/www; stat -c "%a %u" /secret.txt'], { user: '0' });
    expect(whiteouts.out).toBe('ls: /etc/shadow: No such file or directory\nindex.html\n600 33\n');
    expect(result.imageId).toMatch(/^sha256:/);
    const history = await engine.images.history('app:1');
    expect(history[0]!.createdBy).toBe('CMD ["/app/app.sh"]');
    // BuildKit's created_by: build args as `|N k=v`, the shell, and `# buildkit`
    expect(history.map((h) => h.createdBy)).toContain(
      'RUN |1 GREETING=hi /bin/sh -c chmod +x app.sh && echo "$GREETING" > greeting # buildkit',
    );
    expect(history.map((h) => h.createdBy)).toContain('COPY secret.txt /secret.txt # buildkit');
  });

  it('writes images that pass the OCI rules', async () => {
    const id = await engine.imageStore.resolveId('app:1');
    const image = await engine.imageStore.load(id);
    expect(await validateImage(image)).toEqual([]);
    expect(validateManifest(JSON.parse(image.rawManifest))).toEqual([]);
    expect(validateConfig(JSON.parse(image.rawConfig))).toEqual([]);
  });

  it('runs heredocs, extracts ADDed tarballs, stores config instructions and fires ONBUILD', async () => {
    const tar = writeTar([
      { name: 'pkg/', type: 'directory', mode: 0o755 },
      { name: 'pkg/readme.txt', type: 'file', mode: 0o644, data: new TextEncoder().encode('from a tarball\n') },
    ]);
    const base = await build(
      {
        Dockerfile: [
          'FROM busybox',
          'ADD bundle.tar.gz /opt/',
          'SHELL ["/bin/sh", "-e", "-c"]',
          'RUN <<EOF',
          'echo line1 > /heredoc.txt',
          'echo line2 >> /heredoc.txt',
          'EOF',
          'HEALTHCHECK --interval=30s --retries=2 CMD wget -q localhost || exit 1',
          'STOPSIGNAL SIGINT',
          'VOLUME /data',
          'LABEL org.example.team="layer lab" version=1',
          'EXPOSE 8080',
          'ENTRYPOINT ["cat"]',
          'ONBUILD RUN echo triggered > /onbuild.txt',
        ].join('\n'),
        'bundle.tar.gz': await gzip(tar),
      },
      { tags: ['base:1'] },
    );
    expect(base.steps).toEqual(['[1/3] FROM busybox', '[2/3] ADD bundle.tar.gz /opt/', '[3/3] RUN <<EOF']);
    const inspect = await engine.images.inspect('base:1');
    expect(inspect.Config).toMatchObject({
      StopSignal: 'SIGINT',
      Volumes: { '/data': {} },
      Labels: { 'org.example.team': 'layer lab', version: '1' },
      ExposedPorts: { '8080/tcp': {} },
      Entrypoint: ['cat'],
      OnBuild: ['RUN echo triggered > /onbuild.txt'],
      Shell: ['/bin/sh', '-e', '-c'],
      Healthcheck: { Test: ['CMD-SHELL', 'wget -q localhost || exit 1'], Interval: 30e9, Retries: 2 },
    });
    expect((await run('base:1', ['/heredoc.txt', '/opt/pkg/readme.txt'])).out).toBe('line1\nline2\nfrom a tarball\n');
    const child = await build({ Dockerfile: 'FROM base:1\n' }, { tags: ['child:1'] });
    expect(child.result.imageId).not.toBe((await engine.images.inspect('base:1')).Id);
    expect((await run('child:1', ['/onbuild.txt'])).out).toBe('triggered\n');
  });

  it('reuses the cache, invalidates from the changed step on, and honours --no-cache', async () => {
    const again = await build(files, { tags: ['app:1'], buildArgs: { GREETING: 'hi' } });
    expect(again.cached).toBe(again.steps.length - 2);
    const changed = await build({ ...files, 'app.sh': '#!/bin/sh\necho changed\n' }, { tags: ['app:2'], buildArgs: { GREETING: 'hi' } });
    // FROM, WORKDIR cached; COPY app.sh and everything after it rebuilt
    const done = changed.events.filter((e) => e.type === 'step-done') as { cached: boolean }[];
    expect(done.map((d) => d.cached)).toEqual([false, true, false, false, false, false, false, false]);
    const nocache = await build(files, { noCache: true });
    expect(nocache.cached).toBe(0);
  });

  it('cancels a running build through its AbortSignal', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const building = engine.build({ context: context({ Dockerfile: 'FROM busybox\nRUN sleep 600\n' }), signal: controller.signal });
    setTimeout(() => controller.abort(), 1500);
    await expect(building).rejects.toThrow('build cancelled');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await engine.containers.list({ all: true })).some((c) => c.command.includes('sleep 600'))).toBe(false);
  });

  it('names the file and line of a bad Dockerfile, a missing file and a failing RUN', async () => {
    await expect(build({ Dockerfile: 'FROM busybox\nFROBNICATE x\n' })).rejects.toThrow('dockerfile:2: unknown instruction: FROBNICATE');
    await expect(build({ Dockerfile: 'FROM busybox\nCOPY missing.txt /\n' })).rejects.toThrow(/dockerfile:2: .*"\/missing.txt": not found/);
    await expect(build({ Dockerfile: 'FROM busybox\nRUN exit 3\n' })).rejects.toThrow(
      'dockerfile:2: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
    );
    // BuildKit's words for a base image no registry has (the line is on the error, and the CLI prints it)
    const missingBase = build({ Dockerfile: 'FROM nothing-here\n' });
    await expect(missingBase).rejects.toThrow(
      /^nothing-here: failed to resolve source metadata for docker.io\/library\/nothing-here:latest: pull access denied/,
    );
    await expect(missingBase).rejects.toMatchObject({ line: 1 });
    await expect(build({ 'other.txt': '' })).rejects.toThrow('failed to read dockerfile');
  });
});

describe('a new engine over the same state', () => {
  it('sees containers, images, volumes and read-write layers after a crash or reload, and after a clean shutdown', async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      name: 'keeper',
      cmd: ['sh', '-c', 'echo kept >> /root/notes; cat /root/notes'],
    });
    expect((await output(await engine.containers.start(id, {}))).out).toBe('kept\n');
    const { id: running } = await engine.containers.create({
      image: 'busybox',
      name: 'runner',
      cmd: ['sh', '-c', 'echo started > /root/mark; exec sleep 1000'],
    });
    await engine.containers.start(running);
    // a change made by docker exec while it runs, saved by a checkpoint (the page takes one after
    // each command and whenever its pictures read the layer); a --rm container running too
    await output(await engine.containers.exec('runner', { cmd: ['sh', '-c', 'echo z > /z'] }));
    expect(await engine.containers.diff('runner')).toContainEqual({ kind: 'A', path: '/z' });
    const { id: removable } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], autoRemove: true });
    await engine.containers.start(removable);

    // a second engine while the first still runs: what a page reload or a crashed process leaves
    const reloaded = await openNodeEngine({ home });
    try {
      const state = (await reloaded.engine.containers.inspect('runner')).State;
      expect(state).toMatchObject({ Status: 'exited', ExitCode: 255 });
      expect(state.Error).toMatch(
        /^interrupted: the machine stopped while the container was running \(the page was closed or reloaded\); its files were last saved at \d{4}-/,
      );
      // what the checkpoint saved is its read-write layer now, and a start brings it back
      expect(await reloaded.engine.containers.diff('runner')).toEqual(
        expect.arrayContaining([
          { kind: 'A', path: '/z' },
          { kind: 'A', path: '/root/mark' },
        ]),
      );
      await expect(reloaded.engine.containers.inspect(removable)).rejects.toThrow('No such container');
      // the read-write layer comes back from the store into a fresh guest
      expect((await output(await reloaded.engine.containers.start('keeper', {}))).out).toBe('kept\nkept\n');
      expect((await reloaded.engine.images.list()).flatMap((i) => i.repoTags)).toContain('app:1');
      const { id: reader } = await reloaded.engine.containers.create({
        image: 'busybox',
        cmd: ['cat', '/data/file'],
        volumes: [{ source: 'db', target: '/data' }],
      });
      expect((await output(await reloaded.engine.containers.start(reader, {}))).out).toBe('saved\n');
    } finally {
      await reloaded.close();
    }

    // a clean shutdown stops running containers like a daemon does, saving their layers
    const { id: graceful } = await engine.containers.create({
      image: 'busybox',
      name: 'graceful',
      cmd: ['sh', '-c', 'echo before-stop > /root/mark; exec sleep 1000'],
    });
    await engine.containers.start(graceful);
    await node.close();
    node = await openNodeEngine({ home });
    engine = node.engine;
    // sleep as PID 1 ignores SIGTERM (no handler), so the stop ends in SIGKILL, as with docker stop
    expect((await engine.containers.inspect('graceful')).State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    expect((await run('busybox', ['true'])).code).toBe(0);
    const diff = await engine.containers.diff('graceful');
    expect(diff).toEqual([
      { kind: 'C', path: '/root' },
      { kind: 'A', path: '/root/mark' },
    ]);
  });
});
