/**
 * Dockerfiles written to hurt: the build fails with a plain message naming the line, quickly,
 * and the engine keeps working (hostile-input rows of the fault suite).
 */
import { describe, expect, it } from 'vitest';
import { ScriptedGuest } from '../../../tests/fixtures/scripted-guest.ts';
import type { BuildContext } from '../api.ts';
import { Engine } from '../engine.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../store/index.ts';

const enc = new TextEncoder();
const offline = () => Promise.reject(new Error('offline'));

function setup() {
  const engine = new Engine({ blobs: new MemoryBlobStore(), meta: new MemoryMetadataStore(), getGuest: async () => new ScriptedGuest(), source: { catalog: offline, index: offline, blob: offline } });
  return engine;
}
const context = (dockerfile: string): BuildContext => new Map([['Dockerfile', { data: enc.encode(dockerfile) }], ['a.txt', { data: enc.encode('a\n') }]]);

describe('hostile Dockerfiles', () => {
  it('ARG A=${A}${A} forty times: a build error at the line where the value passes 1 MiB, not an out-of-memory crash', async () => {
    const engine = setup();
    const lines = ['FROM scratch', 'ARG A=12345678', ...Array.from({ length: 40 }, () => 'ARG A=${A}${A}')];
    const started = Date.now();
    const err = await engine.build({ context: context(lines.join('\n') + '\n'), tags: ['boom'] }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    // 8 bytes doubled 17 times is 1 MiB: the 18th doubling (line 20) is refused
    expect((err as Error).message).toMatch(/^dockerfile:20: failed to process "\$\{A\}\$\{A\}": the expanded word would be longer than 1048576 characters/);
    expect(Date.now() - started).toBeLessThan(5000);
    // and the engine goes on
    await engine.build({ context: context('FROM scratch\nCOPY a.txt /\n'), tags: ['fine'] });
    expect((await engine.images.inspect('fine')).RootFS.Layers).toHaveLength(1);
  });
});

describe('many metadata instructions', () => {
  it('10,000 ENV lines build (one config for the run, not one per line), and ENV a=1 b=$a still sees the old a', { timeout: 60_000 }, async () => {
    const engine = setup();
    await engine.build({ context: context('FROM scratch\nCOPY a.txt /\n'), tags: ['base'] });
    const lines = ['FROM base', 'ENV abc=hello', 'ENV abc=bye def=$abc', ...Array.from({ length: 10_000 }, (_, i) => `ENV V${i}=${i}`), 'COPY a.txt /b.txt'];
    await engine.build({ context: context(lines.join('\n') + '\n'), tags: ['many'] });
    const config = (await engine.images.inspect('many')).Config;
    expect(config.Env).toContain('def=hello');
    expect(config.Env).toContain('abc=bye');
    expect(config.Env).toContain('V9999=9999');
    const history = await engine.images.history('many');
    expect(history.filter((h) => h.createdBy.includes('ENV')).length).toBe(10_002);
    // a fully cached rebuild gives the same image
    const again = await engine.build({ context: context(lines.join('\n') + '\n'), tags: ['many'] });
    expect(again.imageId).toBe((await engine.images.inspect('many')).Id);
    expect(again.steps.at(-1)?.cached).toBe(true);
  });
});
