/**
 * Containers walled as Docker walls them (issue 17): the classic escapes fail on the real guest
 * as they fail on Docker — the chroot breakout, mount, /proc/sysrq-trigger and /proc/kcore, the
 * shared layer folders, a way back into the machine's namespaces, and an image whose /etc is a
 * symlink out of its root; and the capability sets are Docker's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { CreateContainerOptions } from '../../src/engine/api.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { guestShell } from '../../src/engine/guest/guest-fs.ts';
import { output } from '../fixtures/process-output.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-isolation-'));
let node: NodeEngine;
let engine: Engine;

async function run(cmd: string[], extra: Partial<CreateContainerOptions> = {}) {
  const { id } = await engine.containers.create({ image: 'busybox', cmd, autoRemove: true, ...extra });
  return output(await engine.containers.start(id, {}));
}

/** The hex after `name:` in /proc/self/status inside a container. */
async function status(field: string, extra: Partial<CreateContainerOptions> = {}): Promise<string> {
  const r = await run(['grep', `^${field}:`, '/proc/self/status'], extra);
  return r.out.split(/\s+/)[1] ?? '';
}

beforeAll(async () => {
  node = await openNodeEngine({ home });
  engine = node.engine;
  await engine.images.pull('busybox');
  // something of the machine's that a container must never see
  await run(['true']);
  await guestShell(node.machine()!, 'echo machine-secret > /var/lib/layerlab/machine-secret', 'planting a marker');
}, 60_000);
afterAll(async () => {
  await node?.close();
});

describe('capabilities', () => {
  it("are Docker's default set, all with --privileged, none with --cap-drop ALL, and none for another user", async () => {
    expect(await status('CapEff')).toBe('00000000a80425fb');
    expect(await status('CapBnd')).toBe('00000000a80425fb');
    expect(await status('CapEff', { privileged: true })).toBe('000001ffffffffff');
    expect(await status('CapEff', { capDrop: ['ALL'] })).toBe('0000000000000000');
    expect(await status('CapEff', { capDrop: ['ALL'], capAdd: ['NET_BIND_SERVICE'] })).toBe('0000000000000400');
    expect(await status('CapEff', { user: '1000' })).toBe('0000000000000000');
    expect(await status('CapBnd', { user: '1000' })).toBe('00000000a80425fb');
  });

  it('no_new_privs with --security-opt no-new-privileges, and an exec has its container’s privileges', async () => {
    expect(await status('NoNewPrivs')).toBe('0');
    expect(await status('NoNewPrivs', { securityOpt: ['no-new-privileges'] })).toBe('1');
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '100'], securityOpt: ['no-new-privileges'] });
    await engine.containers.start(id);
    const ex = await output(await engine.containers.exec(id, { cmd: ['grep', '-E', '^(CapEff|NoNewPrivs):', '/proc/self/status'] }));
    expect(ex.out.replace(/\s+/g, ' ').trim()).toBe('CapEff: 00000000a80425fb NoNewPrivs: 1');
    await engine.containers.remove(id, { force: true });
  });

  it('inspect shows them as Docker does', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['true'], capAdd: ['SYS_ADMIN'], capDrop: ['CHOWN'] });
    expect((await engine.containers.inspect(id)).HostConfig).toMatchObject({
      CapAdd: ['SYS_ADMIN'],
      CapDrop: ['CHOWN'],
      Privileged: false,
      SecurityOpt: null,
    });
    await engine.containers.remove(id);
    await expect(engine.containers.create({ image: 'busybox', cmd: ['true'], capAdd: ['FOO'] })).rejects.toThrow(
      'invalid CapAdd: unknown capability: "CAP_FOO"',
    );
  });
});

describe('the classic escapes fail', () => {
  it(
    'the chroot breakout (chroot into a folder, walk .. from outside it, chroot .) stays in the container',
    { timeout: 60_000 },
    async () => {
      await engine.images.pull('python:3.11-slim');
      const escape = [
        'import os',
        "os.makedirs('/x', exist_ok=True)",
        "fd = os.open('/', os.O_RDONLY)",
        "os.chroot('/x')",
        'os.fchdir(fd)',
        "for _ in range(64): os.chdir('..')",
        "os.chroot('.')",
        "print('root:', ' '.join(sorted(os.listdir('/'))))",
        "print('secret:', os.path.exists('/var/lib/layerlab/machine-secret'), os.path.exists('/var/lib/layerlab/l'))",
      ].join('\n');
      const r = await run(['python3', '-c', escape], { image: 'python:3.11-slim' });
      expect(r.err).toBe('');
      // the container's own root (with its /x), and nothing of the machine's
      expect(r.out).toMatch(/^root: .*\bx\b/m);
      expect(r.out).toContain('secret: False False');
    },
  );

  it('mount needs CAP_SYS_ADMIN: refused by default, allowed with --cap-add SYS_ADMIN', async () => {
    const denied = await run(['sh', '-c', 'mkdir -p /m && mount -t tmpfs none /m; echo code=$?']);
    expect(denied.out + denied.err).toMatch(/permission denied|operation not permitted/i);
    expect(denied.out).toContain('code=');
    expect(denied.out).not.toContain('code=0');
    const allowed = await run(['sh', '-c', 'mkdir -p /m && mount -t tmpfs none /m; echo code=$?'], { capAdd: ['SYS_ADMIN'] });
    expect(allowed.out).toContain('code=0');
  });

  it('/proc/kcore, /proc/keys and /proc/sysrq-trigger are masked or read-only; the machine’s pid 1 is not visible', async () => {
    const r = await run([
      'sh',
      '-c',
      'echo b > /proc/sysrq-trigger 2>&1; echo sysrq=$?; head -c 16 /proc/kcore 2>/dev/null | wc -c; ' +
        'cat /proc/1/cmdline | tr "\\0" " "; echo; ls /proc/*/exe 2>/dev/null | wc -l',
    ]);
    expect(r.out).not.toContain('sysrq=0');
    expect(r.out.split('\n')[1]?.trim()).toBe('0');
    // PID 1 is the container's own sh, not the machine's agent
    expect(r.out).toContain('sh -c');
    expect(r.out).not.toContain('layerlab-agent');
  });

  it('unshare and nsenter back into the machine fail', async () => {
    const r = await run(['sh', '-c', 'unshare -m true; echo unshare=$?; nsenter -t 1 -m -p true; echo nsenter=$?']);
    expect(r.out).toMatch(/unshare=[1-9]/);
    expect(r.out).toMatch(/nsenter=[1-9]/);
  });

  it('an image whose /etc is a symlink to / cannot make the engine write or mount outside its root', async () => {
    // (a RUN step cannot replace /etc: its hosts files are mounts there, as with Docker; a context symlink can)
    const enc = new TextEncoder();
    await engine.build({
      context: new Map([
        ['Dockerfile', { data: enc.encode('FROM busybox AS base\nFROM scratch\nCOPY --from=base /bin /bin\nCOPY etc /etc\nCMD ["sh"]\n') }],
        ['etc', { data: new Uint8Array(), linkTarget: '/' }],
      ]),
      tags: ['evil-etc'],
    });
    // busybox's applets are hard links to one file: the copy keeps them as links (as BuildKit does)
    expect((await engine.images.inspect('evil-etc')).Size).toBeLessThan(5_000_000);
    const machine = node.machine()!;
    const before = await guestShell(machine, 'ls / | sort | tr "\\n" " "; cat /etc/hosts', 'listing the machine root');
    const r = await output(
      await engine.containers.start(
        (
          await engine.containers.create({
            image: 'evil-etc',
            cmd: ['sh', '-c', 'ls /etc/ >/dev/null; echo ran'],
            volumes: [{ source: 'evil-vol', target: '/etc/evil' }],
            autoRemove: true,
          })
        ).id,
        {},
      ),
    );
    expect(r.out).toContain('ran');
    const after = await guestShell(machine, 'ls / | sort | tr "\\n" " "; cat /etc/hosts', 'listing the machine root');
    // nothing new in the machine's / (no /evil, no /hostname), and its /etc/hosts is its own
    expect(after).toBe(before);
  });
});
