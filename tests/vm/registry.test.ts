/**
 * `docker login / push / pull` against a real registry: Debian's `docker-registry` (CNCF
 * distribution 2.8) on 127.0.0.1 with htpasswd auth (tests/support/registry-server.ts), through
 * the CLI as `npx layerlab docker …` runs it. An image built in LayerLab is pushed (Pushed, then
 * Layer already exists, then Mounted from for a second repository), read back by skopeo (same
 * digest) and pulled into a fresh, empty store, where it runs; an image skopeo pushed from an OCI
 * layout is pulled and run too. Skipped with the reason when docker-registry is missing, failed
 * under CI.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBuildContext } from '../../bin/node-cli-io.ts';
import { nodeHostFS } from '../../bin/node-host-fs.ts';
import { IMAGES_DIR, openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { CliIO } from '../../src/engine/cli/io.ts';
import { runDocker } from '../../src/engine/cli/run.ts';
import { hostTool } from '../fixtures/host-tools.ts';
import { registryUnavailable, startRegistry, type RegistryServer } from '../support/registry-server.ts';

const run = promisify(execFile);
const unavailable = registryUnavailable();

/** Runs `docker …` on `node`'s engine and returns what a terminal would show. */
async function docker(node: NodeEngine, argv: string[], options: { stdin?: string; cwd?: string } = {}) {
  let out = '';
  let err = '';
  const stdin = options.stdin === undefined ? undefined : new TextEncoder().encode(options.stdin);
  const io: CliIO = {
    stdout: (t) => (out += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    stderr: (t) => (err += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    isTTY: false,
    columns: 120,
    rows: 24,
    buildContext: readBuildContext,
    hostFS: nodeHostFS(options.cwd ?? tmpdir()),
    environment: {},
    ...(stdin
      ? {
          onStdin: (l: (d: Uint8Array) => void) => {
            setTimeout(() => l(stdin), 0);
            return () => {};
          },
          onStdinEnd: (l: () => void) => {
            setTimeout(l, 50);
            return () => {};
          },
        }
      : {}),
  };
  const code = await runDocker(argv, io, node.engine);
  return { code, out, err, all: out + err };
}

/** Temporary folders (engine homes, build context, OCI layouts), deleted after the file. */
const temporary: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `layerlab-registry-test-${name}-`));
  temporary.push(dir);
  return dir;
};
/** A home for a new, empty engine state. */
const freshHome = (name: string) => tempDir(name);

/** The digest line of a push: `TAG: digest: sha256:… size: N`. */
function pushedDigest(out: string, tag: string): string {
  const m = new RegExp(`^${tag}: digest: (sha256:[0-9a-f]{64}) size: (\\d+)$`, 'm').exec(out);
  if (!m) throw new Error(`no "${tag}: digest: sha256:… size: N" line in:\n${out}`);
  return m[1]!;
}

/** Lines of `out` that match `re` (e.g. `/^[0-9a-f]{12}: Pushed$/`). */
const lines = (out: string, re: RegExp) => out.split(/\r?\n/).filter((l) => re.test(l));

if (unavailable) {
  const why = `real registry tests skipped: ${unavailable}`;
  if (process.env.CI)
    it('a real registry (docker-registry) is installed', () => {
      throw new Error(`${why}; CI must run them`);
    });
  else it.skip(why, () => {});
  console.warn(why);
} else {
  describe('docker login, push and pull with a real registry (CNCF distribution)', () => {
    let registry: RegistryServer;
    let host: string;
    let creds: string;
    /** The engine that builds and pushes; then the one with an empty store that pulls. */
    let builder: NodeEngine | undefined;
    let puller: NodeEngine | undefined;
    let webDigest = '';
    const context = tempDir('context');
    const skopeo = hostTool('skopeo', ['--version'], 'skopeo version', 'the skopeo interop cases');
    const umoci = hostTool('umoci', ['--version'], 'umoci version', 'the skopeo interop cases');

    beforeAll(async () => {
      registry = await startRegistry({ auth: true, cors: true });
      host = registry.host;
      creds = `${registry.username}:${registry.password}`;
      writeFileSync(join(context, 'greeting.txt'), 'hello from a LayerLab image\n');
      writeFileSync(
        join(context, 'Dockerfile'),
        'FROM busybox\nCOPY greeting.txt /srv/greeting.txt\nRUN echo built by RUN > /srv/run.txt\nCMD ["cat", "/srv/greeting.txt"]\n',
      );
      builder = await openNodeEngine({ home: freshHome('builder') });
    }, 60_000);
    afterAll(async () => {
      await builder?.close();
      await puller?.close();
      await registry?.stop();
      for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
    });

    it('builds an image, is refused a push without a login, logs in and pushes every layer', async () => {
      const b = await docker(builder!, ['build', '-t', 'web:1', context]);
      expect(b.code, b.all).toBe(0);
      expect((await docker(builder!, ['tag', 'web:1', `${host}/web:1`])).code).toBe(0);

      const refused = await docker(builder!, ['push', `${host}/web:1`]);
      expect(refused.code, refused.all).not.toBe(0);
      expect(refused.all).toMatch(/unauthorized|authentication required|no basic auth credentials/i);

      const wrong = await docker(builder!, ['login', host, '-u', registry.username!, '-p', 'not-the-password']);
      expect(wrong.code, wrong.all).not.toBe(0);
      expect(wrong.all).toMatch(/unauthorized|authentication required|incorrect/i);
      expect(wrong.all).not.toContain('Login Succeeded');

      const login = await docker(builder!, ['login', host, '-u', registry.username!, '-p', registry.password!]);
      expect(login.code, login.all).toBe(0);
      expect(login.out).toContain('Login Succeeded');

      const push = await docker(builder!, ['push', `${host}/web:1`]);
      expect(push.code, push.all).toBe(0);
      expect(push.out).toContain(`The push refers to repository [${host}/web]`);
      // busybox's layer, COPY's and RUN's
      expect(lines(push.out, /^[0-9a-f]{12}: Pushed$/), push.out).toHaveLength(3);
      webDigest = pushedDigest(push.out, '1');

      // what the registry holds under the tag is the manifest whose digest was printed
      const manifest = await fetch(`${registry.url}/v2/web/manifests/1`, {
        headers: {
          Authorization: `Basic ${Buffer.from(creds).toString('base64')}`,
          Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
        },
      });
      expect(manifest.status).toBe(200);
      const bytes = new Uint8Array(await manifest.arrayBuffer());
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(webDigest);
      expect(manifest.headers.get('docker-content-digest')).toBe(webDigest);
      expect(JSON.parse(new TextDecoder().decode(bytes)).layers).toHaveLength(3);
    });

    it('pushes again without sending a layer, and mounts shared layers into a second repository', async () => {
      const again = await docker(builder!, ['push', `${host}/web:1`]);
      expect(again.code, again.all).toBe(0);
      expect(lines(again.out, /^[0-9a-f]{12}: Layer already exists$/), again.out).toHaveLength(3);
      expect(again.out).not.toMatch(/: Pushed$/m);
      expect(pushedDigest(again.out, '1')).toBe(webDigest);

      expect((await docker(builder!, ['tag', 'web:1', `${host}/team/app:2`])).code).toBe(0);
      const mounted = await docker(builder!, ['push', `${host}/team/app:2`]);
      expect(mounted.code, mounted.all).toBe(0);
      expect(mounted.out).toContain(`The push refers to repository [${host}/team/app]`);
      expect(lines(mounted.out, /^[0-9a-f]{12}: Mounted from web$/), mounted.out).toHaveLength(3);
      expect(pushedDigest(mounted.out, '2')).toBe(webDigest);
    });

    it.runIf(skopeo && umoci)('skopeo reads what LayerLab pushed: the same digest, its layers, a copy to an OCI layout', async () => {
      const inspect = await run('skopeo', ['inspect', '--tls-verify=false', '--creds', creds, `docker://${host}/web:1`]);
      const info = JSON.parse(inspect.stdout) as { Digest: string; Layers: string[]; Architecture: string; Os: string };
      expect(info.Digest).toBe(webDigest);
      expect(info.Layers).toHaveLength(3);
      expect([info.Os, info.Architecture]).toEqual(['linux', '386']);

      const out = tempDir('skopeo-out');
      await run('skopeo', [
        'copy',
        '-q',
        '--preserve-digests',
        '--src-tls-verify=false',
        '--src-creds',
        creds,
        `docker://${host}/web:1`,
        `oci:${join(out, 'layout')}:web`,
      ]);
      const index = JSON.parse(readFileSync(join(out, 'layout', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      expect(index.manifests.map((m) => m.digest)).toEqual([webDigest]);
      // and the layers unpack to the files the Dockerfile made
      await run('umoci', ['unpack', '--rootless', '--image', `${join(out, 'layout')}:web`, join(out, 'bundle')]);
      expect(readFileSync(join(out, 'bundle', 'rootfs', 'srv', 'greeting.txt'), 'utf8')).toBe('hello from a LayerLab image\n');
      expect(readFileSync(join(out, 'bundle', 'rootfs', 'srv', 'run.txt'), 'utf8')).toBe('built by RUN\n');
    });

    it.runIf(skopeo && umoci)('skopeo pushes an OCI layout (busybox and a layer added with umoci) to the registry', async () => {
      const dir = tempDir('skopeo-in');
      const layout = join(dir, 'layout');
      await run('skopeo', ['copy', '-q', `oci:${join(IMAGES_DIR, 'busybox')}:latest`, `oci:${layout}:1`]);
      // a layer made by GNU tar, added by umoci (Debian 12's `umoci insert` writes a truncated tar:
      // no padding, no end-of-archive blocks, which GNU tar refuses too)
      mkdirSync(join(dir, 'root', 'etc'), { recursive: true });
      writeFileSync(join(dir, 'root', 'etc', 'fromskopeo.txt'), 'pushed by skopeo\n');
      await run('tar', [
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '-cf',
        join(dir, 'layer.tar'),
        '-C',
        join(dir, 'root'),
        'etc/fromskopeo.txt',
      ]);
      await run('umoci', ['raw', 'add-layer', '--image', `${layout}:1`, join(dir, 'layer.tar')]);
      await run('umoci', ['config', '--image', `${layout}:1`, '--config.cmd', 'cat', '--config.cmd', '/etc/fromskopeo.txt']);
      await run('skopeo', [
        'copy',
        '-q',
        '--dest-tls-verify=false',
        '--dest-creds',
        creds,
        `oci:${layout}:1`,
        `docker://${host}/fromskopeo:1`,
      ]);
    });

    it('pulls into an empty store only after a login, by tag and by digest, and runs what it pulled', async () => {
      // the builder's machine goes: the puller is another engine with nothing stored
      await builder?.close();
      builder = undefined;
      puller = await openNodeEngine({ home: freshHome('puller') });
      const none = await docker(puller, ['images', '-q']);
      expect(none.out.trim()).toBe('');

      const refused = await docker(puller, ['pull', `${host}/web:1`]);
      expect(refused.code, refused.all).not.toBe(0);
      expect(refused.all).toMatch(/unauthorized|authentication required|no basic auth credentials/i);

      const login = await docker(puller, ['login', host, '-u', registry.username!, '--password-stdin'], {
        stdin: `${registry.password}\n`,
      });
      expect(login.code, login.all).toBe(0);
      expect(login.out).toContain('Login Succeeded');

      const pull = await docker(puller, ['pull', `${host}/web:1`]);
      expect(pull.code, pull.all).toBe(0);
      expect(pull.out).toContain('1: Pulling from web');
      expect(lines(pull.out, /^[0-9a-f]{12}: Pull complete$/), pull.out).toHaveLength(3);
      expect(pull.out).toContain(`Digest: ${webDigest}`);
      expect(pull.out).toContain(`Status: Downloaded newer image for ${host}/web:1`);
      expect(pull.out.trim().split('\n').at(-1)).toBe(`${host}/web:1`);

      const ran = await docker(puller, ['run', '--rm', `${host}/web:1`]);
      expect(ran.code, ran.all).toBe(0);
      expect(ran.out).toBe('hello from a LayerLab image\n');
      const both = await docker(puller, ['run', '--rm', `${host}/web:1`, 'cat', '/srv/run.txt']);
      expect(both.out).toBe('built by RUN\n');

      const byDigest = await docker(puller, ['pull', `${host}/web@${webDigest}`]);
      expect(byDigest.code, byDigest.all).toBe(0);
      expect(byDigest.out).toContain(`Digest: ${webDigest}`);
      expect(byDigest.out).toMatch(new RegExp(`Status: (Image is up to date|Downloaded newer image) for ${host}/web@${webDigest}`));
    });

    it('runs an image by the digest it was pulled by, as Docker does', async () => {
      const ranByDigest = await docker(puller!, ['run', '--rm', `${host}/web@${webDigest}`, 'cat', '/srv/greeting.txt']);
      expect(ranByDigest.code, ranByDigest.all).toBe(0);
      expect(ranByDigest.out).toBe('hello from a LayerLab image\n');
    });

    it.runIf(skopeo && umoci)('pulls and runs the image skopeo pushed', async () => {
      const pull = await docker(puller!, ['pull', `${host}/fromskopeo:1`]);
      expect(pull.code, pull.all).toBe(0);
      // busybox's layer came with web:1 (the same blob), umoci's is new
      expect(pull.out).toMatch(/^74eabf677f16: Already exists$/m);
      expect(lines(pull.out, /^[0-9a-f]{12}: Pull complete$/), pull.out).toHaveLength(1);
      const ran = await docker(puller!, ['run', '--rm', `${host}/fromskopeo:1`]);
      expect(ran.code, ran.all).toBe(0);
      expect(ran.out).toBe('pushed by skopeo\n');
    });

    it('logs out, and is refused again', async () => {
      const logout = await docker(puller!, ['logout', host]);
      expect(logout.code, logout.all).toBe(0);
      expect(logout.out).toContain(`Removing login credentials for ${host}`);
      const refused = await docker(puller!, ['pull', `${host}/team/app:2`]);
      expect(refused.code, refused.all).not.toBe(0);
      expect(refused.all).toMatch(/unauthorized|authentication required|no basic auth credentials/i);
    });
  });
}
