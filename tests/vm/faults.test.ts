/**
 * The fault suite (issue 17's rows that the real guest decides): hostile Dockerfiles and
 * containers that misbehave each end with a clear error or a working `docker stop`, and after each
 * one the machine still runs a container. Unit tests cover the rows that need no guest
 * (src/engine/builder/hostile.test.ts, src/engine/gc-leases.test.ts, images/load-limits.test.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { BuildContext } from '../../src/engine/api.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { output } from '../fixtures/process-output.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-faults-'));
let node: NodeEngine;
let engine: Engine;

const context = (dockerfile: string | Uint8Array): BuildContext =>
  new Map([['Dockerfile', { data: typeof dockerfile === 'string' ? new TextEncoder().encode(dockerfile) : dockerfile }]]);

async function run(cmd: string[], extra: Partial<Parameters<Engine['containers']['create']>[0]> = {}) {
  const { id } = await engine.containers.create({ image: 'busybox', cmd, ...extra });
  return { id, ...(await output(await engine.containers.start(id, {}))) };
}

/** The machine goes on: a container runs and prints. */
async function stillWorks(): Promise<void> {
  const r = await run(['echo', 'still here'], { autoRemove: true });
  expect(r).toMatchObject({ code: 0, out: 'still here\n' });
}

/** The build's error message (it must fail). */
async function buildError(dockerfile: string | Uint8Array): Promise<string> {
  const err = await engine.build({ context: context(dockerfile), tags: ['fault'] }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err, 'the build should fail').toBeInstanceOf(Error);
  return err!.message;
}

beforeAll(async () => {
  node = await openNodeEngine({ home });
  engine = node.engine;
  await engine.images.pull('busybox');
}, 60_000);
afterAll(async () => {
  await node?.close();
});

describe('hostile Dockerfiles', () => {
  it('random bytes: a parse error, and the machine goes on', async () => {
    const bytes = new Uint8Array(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    expect(await buildError(bytes)).toMatch(/^dockerfile:1: unknown instruction: /);
    await stillWorks();
  });

  it('deeply nested ${a:-${b:-…}}: expands or fails plainly, never crashes', async () => {
    let word = 'end';
    for (let i = 0; i < 200; i++) word = `\${v${i}:-${word}}`;
    const result = await engine.build({ context: context(`FROM busybox\nENV X=${word}\n`), tags: ['nested'] }).then(
      async () => (await engine.images.inspect('nested')).Config.Env?.find((e) => e.startsWith('X=')),
      (e: Error) => e.message,
    );
    expect(result === 'X=end' || /dockerfile:2/.test(String(result))).toBe(true);
    await stillWorks();
  });

  it('an unterminated heredoc names its line', async () => {
    expect(await buildError('FROM busybox\nRUN <<EOF\necho hi\n')).toBe(
      'failed to parse Dockerfile: dockerfile parse error on line 2: unterminated heredoc',
    );
    await stillWorks();
  });

  it('ARG A=${A}${A} forty times is a build error, not a crash', async () => {
    const lines = ['FROM busybox', 'ARG A=12345678', ...Array.from({ length: 40 }, () => 'ARG A=${A}${A}')];
    expect(await buildError(lines.join('\n'))).toMatch(/^dockerfile:20: .*longer than 1048576 characters/);
    await stillWorks();
  });

  it('a RUN line of 1 MB says why it cannot run', async () => {
    expect(await buildError(`FROM busybox\nRUN echo ${'x'.repeat(1024 * 1024)}\n`)).toMatch(
      /^dockerfile:2: RUN's command is \d+ bytes long; Linux takes at most 131072 bytes/,
    );
    await stillWorks();
  });
});

describe('containers that misbehave', () => {
  it('a fork bomb is held by --pids-limit and the machine goes on', { timeout: 60_000 }, async () => {
    const r = await run(['sh', '-c', 'bomb() { bomb | bomb & }; bomb; sleep 2; echo survived'], { pidsLimit: 30, autoRemove: true });
    expect(r.out + r.err).toMatch(/survived|can't fork|Resource temporarily unavailable/);
    await stillWorks();
  });

  it('a full disk says "No space left on device", and space comes back when the container goes', { timeout: 90_000 }, async () => {
    const r = await run(['sh', '-c', 'dd if=/dev/zero of=/fill bs=1M count=400 2>&1; echo exit=$?']);
    expect(r.out).toMatch(/No space left on device/);
    await engine.containers.remove(r.id, { force: true });
    await stillWorks();
  });

  it('a container that floods its output stops with docker stop, and one that spins is killed', { timeout: 60_000 }, async () => {
    const { id: flood } = await engine.containers.create({ image: 'busybox', cmd: ['yes', 'flood'] });
    await engine.containers.start(flood);
    const { id: spin } = await engine.containers.create({ image: 'busybox', cmd: ['sh', '-c', 'while :; do :; done'] });
    await engine.containers.start(spin);
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    await engine.containers.stop(flood, { timeoutSeconds: 1 });
    await engine.containers.kill(spin);
    expect(await engine.containers.wait(spin)).toBe(137);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await engine.containers.inspect(flood)).State.Status).toBe('exited');
    await engine.containers.remove(flood, { force: true });
    await engine.containers.remove(spin, { force: true });
    await stillWorks();
  });

  it('a memory limit of 4 MB is refused as Docker refuses it; a process past its limit is OOM-killed', { timeout: 60_000 }, async () => {
    await expect(engine.containers.create({ image: 'busybox', cmd: ['true'], memory: 4 * 1024 * 1024 })).rejects.toThrow(
      'Minimum memory limit allowed is 6MB',
    );
    const r = await run(['sh', '-c', 'x=$(head -c 40000000 /dev/zero | tr "\\0" a)'], { memory: 8 * 1024 * 1024, autoRemove: true });
    expect(r.code).toBe(137);
    await stillWorks();
  });
});
