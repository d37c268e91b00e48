/**
 * `docker build` on the real guest, as it runs: a RUN step's output reaches the terminal while the
 * step runs (BuildKit's `#N 1.012 line2`), the step's container is never listed and is gone when
 * the step ends, and Ctrl-C stops the step at once (`#N CANCELED`) and leaves nothing behind.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBuildContext } from '../../bin/node-cli-io.ts';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import { GUEST_ROOT } from '../../src/engine/guest/guest-fs.ts';
import { collect } from '../../src/runtime/types.ts';
import type { CliIO } from '../../src/engine/cli/io.ts';
import { runDocker } from '../../src/engine/cli/run.ts';

let node: NodeEngine;

/** Runs `docker …`; every write to stderr is kept with the time it was made. */
function docker(argv: string[], signal?: AbortSignal) {
  const writes: { at: number; text: string }[] = [];
  let out = '';
  const io: CliIO = {
    stdout: (t) => (out += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    stderr: (t) => writes.push({ at: Date.now(), text: typeof t === 'string' ? t : new TextDecoder().decode(t) }),
    isTTY: false,
    columns: 100,
    rows: 24,
    onStdin: () => () => {},
    onStdinEnd: () => () => {},
    readFile: async (p) => {
      throw new Error(`open ${p}: no such file or directory`);
    },
    writeFile: async () => {},
    buildContext: readBuildContext,
    ...(signal ? { signal } : {}),
  };
  const code = runDocker(argv, io, node.engine);
  return { code, writes, err: () => writes.map((w) => w.text).join(''), out: () => out };
}

/** When the first write containing `text` was made. */
function when(writes: { at: number; text: string }[], text: string | RegExp): number {
  const w = writes.find((x) => (typeof text === 'string' ? x.text.includes(text) : text.test(x.text)));
  if (!w) throw new Error(`never printed: ${text}`);
  return w.at;
}

function contextDir(dockerfile: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-progress-'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

/** Build containers' directories left in the guest. */
async function guestContainerDirs(): Promise<string> {
  const r = await collect(await node.machine()!.spawn({ argv: ['sh', '-c', `ls ${GUEST_ROOT}/c`], stdinNull: true }));
  return new TextDecoder().decode(r.stdout).trim();
}

beforeAll(async () => {
  node = await openNodeEngine({ home: mkdtempSync(join(tmpdir(), 'layerlab-progress-')) });
  await node.engine.images.pull('busybox');
});
afterAll(async () => {
  await node?.close();
});

describe('docker build as it runs', () => {
  it("prints a RUN step's lines while the step runs, and never lists its container", async () => {
    const dir = contextDir('FROM busybox\nRUN for i in 1 2 3; do echo line$i; sleep 1; done\n');
    const build = docker(['build', '--no-cache', '-t', 'lines', dir]);
    // while the step runs, line1 is on the screen and docker ps -a shows nothing
    for (let i = 0; i < 200 && !build.err().includes('line1'); i++) await new Promise((r) => setTimeout(r, 50));
    const during = docker(['ps', '-a', '--format', '{{.Names}} {{.Command}}']);
    expect(await during.code).toBe(0);
    expect(during.out()).toBe('');
    expect(await build.code).toBe(0);

    const err = build.err();
    const n = /#(\d+) \[2\/2\] RUN for i in 1 2 3/.exec(err)?.[1];
    expect(n).toBeDefined();
    const done = when(build.writes, new RegExp(`#${n} DONE \\d+\\.\\ds`));
    // line1 reached the terminal about two seconds (two sleeps) before the step ended
    expect(done - when(build.writes, `#${n} `)).toBeGreaterThan(1500);
    expect(done - when(build.writes, 'line1')).toBeGreaterThan(1500);
    // BuildKit's per-line times, from the step's start: about a second apart
    const times = ['line1', 'line2', 'line3'].map((l) => Number(new RegExp(`#${n} (\\d+\\.\\d{3}) ${l}\\n`).exec(err)?.[1]));
    expect(times.every((t) => Number.isFinite(t))).toBe(true);
    expect(times[2]! - times[0]!).toBeGreaterThan(1.5);
    expect(times[1]! - times[0]!).toBeGreaterThan(0.7);

    const after = docker(['ps', '-a', '-q']);
    expect(await after.code).toBe(0);
    expect(after.out()).toBe('');
    expect(await guestContainerDirs()).toBe('');
  });

  it('Ctrl-C stops a RUN step at once: CANCELED, nothing tagged, no container left', async () => {
    const dir = contextDir('FROM busybox\nRUN echo started; sleep 60; echo never\n');
    const abort = new AbortController();
    const build = docker(['build', '--no-cache', '-t', 'stopped', dir], abort.signal);
    // the step's own output line, not the RUN line that names it
    for (let i = 0; i < 200 && !/\d\.\d{3} started\n/.test(build.err()); i++) await new Promise((r) => setTimeout(r, 50));
    const pressed = Date.now();
    abort.abort();
    expect(await build.code).toBe(130);
    expect(Date.now() - pressed).toBeLessThan(5000);
    expect(build.err()).toMatch(/#(\d+) \d+\.\d{3} started\n#\1 CANCELED\nERROR: failed to solve: Canceled: context canceled\n$/);
    const images = docker(['images', '-q', 'stopped']);
    expect(await images.code).toBe(0);
    expect(images.out()).toBe('');
    const ps = docker(['ps', '-a', '-q']);
    await ps.code;
    expect(ps.out()).toBe('');
    expect(await node.engine.containers.prune()).toEqual({ deleted: [], spaceReclaimed: 0 });
    expect(await guestContainerDirs()).toBe('');
  });
});
