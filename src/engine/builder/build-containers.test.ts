/**
 * The builder's RUN containers and how a build ends, over a scripted guest: output is passed on
 * as it is printed; the temporary container is never listed, counted, pruned or found by name,
 * its layer is read once, and it is removed whether the step ends, fails or is cancelled; every
 * build ends with a `build-end` event; a build cut off by a reload is reported once by the next
 * engine, which deletes its leftover container records and tags nothing.
 */
import { describe, expect, it } from 'vitest';
import { ScriptedGuest, type ScriptedProcess } from '../../../tests/fixtures/scripted-guest.ts';
import type { BuildContext, BuildEvent } from '../api.ts';
import { Engine } from '../engine.ts';
import { BuildError, OperationCancelledError } from '../errors.ts';
import { containerDirs } from '../guest/guest-fs.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../store/index.ts';

const enc = new TextEncoder();
const T = Date.parse('2026-03-01T12:03:00Z');

function context(dockerfile: string): BuildContext {
  return new Map([
    ['Dockerfile', { data: enc.encode(dockerfile) }],
    ['sh', { data: enc.encode('#!/bin/busybox sh\n'), mode: 0o755 }],
  ]);
}

const RUN_FILE = 'FROM scratch\nCOPY sh /bin/sh\nRUN ./make.sh\n';

/** An engine over memory stores (kept, so a second engine can open them after a "reload") and a scripted guest. */
function setup(stores = { blobs: new MemoryBlobStore(), meta: new MemoryMetadataStore() }) {
  const guest = new ScriptedGuest();
  const offline = () => Promise.reject(new Error('pull access denied, repository does not exist or may require authorization'));
  const engine = new Engine({
    ...stores,
    getGuest: async () => guest,
    source: { catalog: offline, index: offline, blob: offline },
    now: () => new Date(T),
  });
  return { engine, guest, stores };
}

/** What a user can see of containers: `ps -a`, `system df`, completion (names). */
async function visible(engine: Engine) {
  const list = await engine.containers.list({ all: true });
  const df = await engine.system.df();
  return { names: list.map((c) => c.name), total: df.containers.total };
}

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('RUN steps run in build containers', () => {
  it('passes output on as it is printed, hides the container while it runs, reads its layer once and removes it', async () => {
    const { engine, guest, stores } = setup();
    let proc: ScriptedProcess | undefined;
    guest.container = (p) => {
      proc = p;
      p.print('line1\n');
    };
    const events: BuildEvent[] = [];
    const built = engine.build({ context: context(RUN_FILE), tags: ['app'], onEvent: (e) => events.push(e) });
    await waitFor(() => events.some((e) => e.type === 'step-output'));
    // line1 arrived while the process still runs
    expect(proc?.exited).toBe(false);
    expect(events.filter((e) => e.type === 'step-output').map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data))).toEqual([
      'line1\n',
    ]);
    // BuildKit never shows its containers: not in ps -a, not counted, not pruned, not found by name
    expect(await visible(engine)).toEqual({ names: [], total: 0 });
    const [record] = (await stores.meta.list<{ id: string; name: string; build?: boolean }>('containers')).map((e) => e.value);
    expect(record?.build).toBe(true);
    await expect(engine.containers.inspect(record!.name)).rejects.toThrow(`No such container: ${record!.name}`);
    expect((await engine.containers.prune()).deleted).toEqual([]);
    proc!.print('line2\n');
    proc!.end(0);
    const result = await built;
    expect(events.at(-1)).toEqual({ type: 'build-end', outcome: 'done', message: '', imageId: result.imageId });
    expect(events.find((e) => e.type === 'step-start' && e.step === 3)).toMatchObject({
      label: '3/3',
      instruction: 'RUN ./make.sh',
      at: T,
    });
    // the layer was read from the guest once (not saved first as a container's layer too), then the container removed
    expect(guest.exports).toBe(1);
    expect(await stores.meta.list('containers')).toEqual([]);
    expect(await stores.meta.list('logs')).toEqual([]);
    expect(guest.spawned.filter((s) => s.argv[0] === 'sh' && s.argv[2]?.startsWith('rm -rf ')).map((s) => s.argv[2])).toEqual([
      `rm -rf ${containerDirs(record!.id).base}`,
    ]);
    const tree = await engine.imageStore.tree(await engine.imageStore.resolve('app'));
    expect(new TextDecoder().decode(tree.get('built.txt')?.data)).toBe('built\n');
  });

  it('a failing RUN: the step is marked, the build ends failed with its line, the container is removed', async () => {
    const { engine, guest, stores } = setup();
    guest.container = (p) => {
      p.print('boom\n', 'stderr');
      p.end(2);
    };
    const events: BuildEvent[] = [];
    await expect(engine.build({ context: context(RUN_FILE), tags: ['app'], onEvent: (e) => events.push(e) })).rejects.toThrow(BuildError);
    const message = 'dockerfile:3: process "/bin/sh -c ./make.sh" did not complete successfully: exit code: 2';
    expect(events.slice(-2)).toEqual([
      { type: 'step-error', step: 3, message },
      { type: 'build-end', outcome: 'failed', message, line: 3 },
    ]);
    expect(await stores.meta.list('containers')).toEqual([]);
    await expect(engine.images.inspect('app')).rejects.toThrow('No such image');
  });

  it('Ctrl-C mid-RUN: the process is killed, the step and the build end cancelled, the container is removed', async () => {
    const { engine, guest, stores } = setup();
    let proc: ScriptedProcess | undefined;
    guest.container = (p) => {
      proc = p;
      p.print('working\n');
    };
    const abort = new AbortController();
    const events: BuildEvent[] = [];
    const built = engine.build({ context: context(RUN_FILE), tags: ['app'], signal: abort.signal, onEvent: (e) => events.push(e) });
    await waitFor(() => events.some((e) => e.type === 'step-output'));
    abort.abort();
    await expect(built).rejects.toThrow(OperationCancelledError);
    expect(proc?.signals).toContain(9);
    expect(events.slice(-2)).toEqual([
      { type: 'step-error', step: 3, message: 'build cancelled', cancelled: true },
      { type: 'build-end', outcome: 'cancelled', message: 'build cancelled' },
    ]);
    expect(await stores.meta.list('containers')).toEqual([]);
    expect(await visible(engine)).toEqual({ names: [], total: 0 });
    await expect(engine.images.inspect('app')).rejects.toThrow('No such image');
    // a cancelled build is not an interrupted one
    expect(await engine.interruptedBuilds()).toEqual([]);
  });

  it('an image VOLUME makes no volume for a RUN step', async () => {
    const { engine } = setup();
    await engine.build({ context: context('FROM scratch\nCOPY sh /bin/sh\nVOLUME /data\nRUN ./make.sh\n') });
    expect(await engine.volumes.list()).toEqual([]);
  });
});

describe('every build ends with build-end', () => {
  it('a FROM that cannot be pulled marks step 1 failed', async () => {
    const { engine } = setup();
    const events: BuildEvent[] = [];
    await expect(engine.build({ context: context('FROM python:3.12-slim\nRUN true\n'), onEvent: (e) => events.push(e) })).rejects.toThrow(
      BuildError,
    );
    expect(events.map((e) => e.type)).toEqual(['step-start', 'step-error', 'build-end']);
    expect(events[1]).toMatchObject({ type: 'step-error', step: 1, message: expect.stringContaining('dockerfile:1: python:3.12-slim: ') });
    expect(events[2]).toMatchObject({ type: 'build-end', outcome: 'failed', line: 1 });
  });

  it('a syntax error or a missing Dockerfile ends the build before any step', async () => {
    const { engine } = setup();
    const events: BuildEvent[] = [];
    await expect(engine.build({ context: context('FROM scratch\nFROB x\n'), onEvent: (e) => events.push(e) })).rejects.toThrow(
      'unknown instruction: FROB',
    );
    expect(events).toEqual([{ type: 'build-end', outcome: 'failed', message: 'dockerfile:2: unknown instruction: FROB', line: 2 }]);
    events.length = 0;
    await expect(engine.build({ context: new Map(), onEvent: (e) => events.push(e) })).rejects.toThrow();
    expect(events).toEqual([
      { type: 'build-end', outcome: 'failed', message: 'failed to read dockerfile: open Dockerfile: no such file or directory' },
    ]);
  });
});

describe('a build cut off by a reload', () => {
  it('is reported once by the next engine, which deletes its container records and tags nothing', async () => {
    const first = setup();
    first.guest.container = () => {}; // runs until the page goes away
    const events: BuildEvent[] = [];
    void first.engine.build({ context: context(RUN_FILE), tags: ['app'], onEvent: (e) => events.push(e) }).catch(() => {});
    await waitFor(() => first.guest.containers.length === 1);
    // this engine knows its own build is not interrupted
    expect(await first.engine.interruptedBuilds()).toEqual([]);
    expect(await first.stores.meta.list('containers')).toHaveLength(1);

    // the page reloads: a new engine (and guest) over the same stores
    const second = setup(first.stores);
    expect(await visible(second.engine)).toEqual({ names: [], total: 0 });
    expect(await first.stores.meta.list('containers')).toEqual([]);
    expect(await second.engine.interruptedBuilds()).toEqual([
      { startedAt: new Date(T).toISOString(), tags: ['app'], step: '[3/3] RUN ./make.sh' },
    ]);
    expect(await second.engine.interruptedBuilds()).toEqual([]);
    await expect(second.engine.images.inspect('app')).rejects.toThrow('No such image');
  });

  it('a user container that was running comes back exited (255), still listed', async () => {
    const first = setup();
    first.guest.container = () => {};
    const { imageId } = await first.engine.build({ context: context('FROM scratch\nCOPY sh /bin/sh\n') });
    const { id: web } = await first.engine.containers.create({ image: imageId, name: 'web', cmd: ['/bin/sh'] });
    await first.engine.containers.start(web);
    const second = setup(first.stores);
    expect((await second.engine.containers.list({ all: true })).map((c) => [c.name, c.status])).toEqual([
      ['web', 'Exited (255) Less than a second ago'],
    ]);
  });
});

describe('what a RUN step may not do', () => {
  it('a step that prints without end is clipped at 2 MiB, as BuildKit clips it, and the build goes on', async () => {
    const { engine, guest } = setup();
    guest.container = (p) => {
      for (let i = 0; i < 48; i++) p.print('x'.repeat(64 * 1024 - 1) + '\n');
      p.end(0);
    };
    const events: BuildEvent[] = [];
    await engine.build({ context: context(RUN_FILE), tags: ['app'], onEvent: (e) => events.push(e) });
    const out = events.flatMap((e) => (e.type === 'step-output' ? [e.data] : []));
    const shown = out.reduce((n, d) => n + d.length, 0);
    expect(shown).toBeLessThanOrEqual(2 * 1024 * 1024 + 100);
    expect(new TextDecoder().decode(out.at(-1))).toBe('[output clipped, log limit 2MiB reached]\n');
    expect(events.at(-1)).toMatchObject({ type: 'build-end', outcome: 'done' });
  });

  it('a RUN line longer than Linux takes in one argument fails at its line with why, not with a protocol error', async () => {
    const { engine } = setup();
    const long = `RUN echo ${'a'.repeat(200 * 1024)}`;
    await expect(engine.build({ context: context(`FROM scratch\nCOPY sh /bin/sh\n${long}\n`), tags: ['app'] })).rejects.toThrow(
      /^dockerfile:3: RUN's command is 204\d\d\d bytes long; Linux takes at most 131072 bytes in one argument \(argument list too long\)/,
    );
  });
});

describe('anonymous volumes', () => {
  it('docker run --rm removes the container’s anonymous volumes with it, and keeps named ones', async () => {
    const { engine, guest } = setup();
    await engine.build({ context: context('FROM scratch\nCOPY sh /bin/sh\n'), tags: ['base'] });
    guest.container = (p) => p.end(0);
    const { id } = await engine.containers.create({
      image: 'base',
      cmd: ['/bin/sh'],
      autoRemove: true,
      volumes: [{ target: '/anon' }, { source: 'kept', target: '/kept' }],
    });
    expect((await engine.volumes.list()).map((v) => v.Name)).toHaveLength(2);
    await engine.containers.start(id);
    // --rm removes the record, then the anonymous volumes: wait for both
    const done = async () => (await engine.containers.list({ all: true })).length === 0 && (await engine.volumes.list()).length === 1;
    for (let i = 0; i < 100 && !(await done()); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await engine.containers.list({ all: true })).toEqual([]);
    expect((await engine.volumes.list()).map((v) => v.Name)).toEqual(['kept']);
  });
});

describe('memory limits', () => {
  it('refuses -m under 6 MB as the Docker daemon does', async () => {
    const { engine } = setup();
    await engine.build({ context: context('FROM scratch\nCOPY sh /bin/sh\n'), tags: ['base'] });
    await expect(engine.containers.create({ image: 'base', memory: 4 * 1024 * 1024 })).rejects.toThrow(
      'Minimum memory limit allowed is 6MB',
    );
    await expect(engine.containers.create({ image: 'base', cmd: ['/bin/sh'], memory: 6 * 1024 * 1024 })).resolves.toMatchObject({
      id: expect.any(String),
    });
  });
});
