/**
 * Dockerfiles written to hurt: the build fails with a plain message naming the line, quickly,
 * and the engine keeps working (hostile-input rows of the fault suite).
 */
import { describe, expect, it } from 'vitest';
import { ScriptedGuest } from '../../../tests/fixtures/scripted-guest.ts';
import type { BuildContext } from '../api.ts';
import { Engine } from '../engine.ts';
import { decompress, readTar, writeTar } from '../layer/index.ts';
import type { Digest } from '../store/digest.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../store/index.ts';

const enc = new TextEncoder();
const offline = () => Promise.reject(new Error('offline'));

const blobsOf = new WeakMap<Engine, MemoryBlobStore>();
function setup() {
  const blobs = new MemoryBlobStore();
  const engine = new Engine({
    blobs,
    meta: new MemoryMetadataStore(),
    getGuest: async () => new ScriptedGuest(),
    source: { catalog: offline, index: offline, blob: offline },
  });
  blobsOf.set(engine, blobs);
  return engine;
}
/** The entries of an image's first layer. */
async function firstLayer(engine: Engine, ref: string) {
  const [layer] = (await engine.images.inspect(ref)).LayerDetails!;
  return readTar(await decompress(await blobsOf.get(engine)!.get(layer!.digest as Digest)));
}
const context = (dockerfile: string): BuildContext =>
  new Map([
    ['Dockerfile', { data: enc.encode(dockerfile) }],
    ['a.txt', { data: enc.encode('a\n') }],
  ]);

describe('hostile Dockerfiles', () => {
  it('ARG A=${A}${A} forty times: a build error at the line where the value passes 1 MiB, not an out-of-memory crash', async () => {
    const engine = setup();
    const lines = ['FROM scratch', 'ARG A=12345678', ...Array.from({ length: 40 }, () => 'ARG A=${A}${A}')];
    const started = Date.now();
    const err = await engine.build({ context: context(lines.join('\n') + '\n'), tags: ['boom'] }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    // 8 bytes doubled 17 times is 1 MiB: the 18th doubling (line 20) is refused
    expect((err as Error).message).toMatch(
      /^dockerfile:20: failed to process "\$\{A\}\$\{A\}": the expanded word would be longer than 1048576 characters/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    // and the engine goes on
    await engine.build({ context: context('FROM scratch\nCOPY a.txt /\n'), tags: ['fine'] });
    expect((await engine.images.inspect('fine')).RootFS.Layers).toHaveLength(1);
  });
});

describe('many metadata instructions', () => {
  it(
    '10,000 ENV lines build (one config for the run, not one per line), and ENV a=1 b=$a still sees the old a',
    { timeout: 60_000 },
    async () => {
      const engine = setup();
      await engine.build({ context: context('FROM scratch\nCOPY a.txt /\n'), tags: ['base'] });
      const lines = [
        'FROM base',
        'ENV abc=hello',
        'ENV abc=bye def=$abc',
        ...Array.from({ length: 10_000 }, (_, i) => `ENV V${i}=${i}`),
        'COPY a.txt /b.txt',
      ];
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
    },
  );
});

describe('COPY and ADD of links and archives', () => {
  const tarOf = (entries: Parameters<typeof writeTar>[0]) => writeTar(entries);

  it('COPY of a symbolic link in the context copies the link, as Docker does', async () => {
    const engine = setup();
    const ctx = context('FROM scratch\nCOPY a.txt link /\n');
    ctx.set('link', { data: new Uint8Array(0), linkTarget: 'a.txt', mtime: 0 });
    await engine.build({ context: ctx, tags: ['links'] });
    const entries = await firstLayer(engine, 'links');
    const link = entries.find((e) => e.name === 'link');
    expect(link?.type).toBe('symlink');
    expect(link?.linkname).toBe('a.txt');
  });

  it('ADD of an archive whose entry climbs out of the destination is refused at its line', async () => {
    const engine = setup();
    const ctx = context('FROM scratch\nCOPY a.txt /\nADD evil.tar /app/\n');
    ctx.set('evil.tar', {
      data: tarOf([
        { name: 'ok.txt', type: 'file', data: enc.encode('ok') },
        { name: '../../etc/evil', type: 'file', data: enc.encode('x') },
      ]),
    });
    await expect(engine.build({ context: ctx, tags: ['evil'] })).rejects.toThrow(
      /^dockerfile:3: ADD evil.tar: the archive's entry "..\/..\/etc\/evil" climbs out of the destination/,
    );
  });

  it('ADD keeps a hard link’s content instead of dropping it', async () => {
    const engine = setup();
    const ctx = context('FROM scratch\nADD pair.tar /d/\n');
    ctx.set('pair.tar', {
      data: tarOf([
        { name: 'one', type: 'file', data: enc.encode('same') },
        { name: 'two', type: 'hardlink', linkname: 'one' },
      ]),
    });
    await engine.build({ context: ctx, tags: ['pair'] });
    const entries = await firstLayer(engine, 'pair');
    const two = entries.find((e) => e.name === 'd/two');
    expect(two && new TextDecoder().decode(two.type === 'file' ? two.data : entries.find((e) => e.name === two.linkname)!.data)).toBe(
      'same',
    );
  });
});
