/**
 * The builder's COPY and ADD without a guest (FROM scratch needs no base image and COPY runs no
 * container): the layer keeps the context's modification times, the directories it makes get
 * the newest time below them, and the build cache ignores times, like BuildKit's content checksum.
 */
import { describe, expect, it } from 'vitest';
import type { BuildContext, BuildResult } from '../api.ts';
import type { ContainerManager } from '../containers/manager.ts';
import { ImageStore } from '../images/store.ts';
import { decompress, gzip, readTar, writeTar, type TarEntry } from '../layer/index.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../store/index.ts';
import { Builder } from './builder.ts';

const enc = new TextEncoder();
const T = 1767225600; // 2026-01-01T00:00:00Z

function setup(): { builder: Builder; images: ImageStore } {
  const blobs = new MemoryBlobStore();
  const meta = new MemoryMetadataStore();
  const now = () => new Date(T * 1000);
  const offline = () => Promise.reject(new Error('no images offline in this test'));
  const images = new ImageStore({ blobs, meta, now, source: { catalog: offline, index: offline, blob: offline }, containersUsing: async () => new Map() });
  // COPY and ADD never start a container; a RUN here would fail loudly
  const builder = new Builder({ images, containers: {} as ContainerManager, meta, blobs, now });
  return { builder, images };
}

function context(dockerfile: string, files: Record<string, { text?: string; data?: Uint8Array; mtime?: number }>): BuildContext {
  const ctx: BuildContext = new Map([['Dockerfile', { data: enc.encode(dockerfile), mtime: T }]]);
  for (const [path, f] of Object.entries(files)) ctx.set(path, { data: f.data ?? enc.encode(f.text ?? ''), ...(f.mtime !== undefined ? { mtime: f.mtime } : {}) });
  return ctx;
}

/** The top layer's tar entries: name → [mtime, mtimeNsec]. */
async function topLayerTimes(images: ImageStore, result: BuildResult): Promise<Record<string, [number, number]>> {
  const image = await images.resolve(result.imageId);
  const entries: TarEntry[] = readTar(await decompress(await images.readBlob(image.layers.at(-1)!.digest)));
  return Object.fromEntries(entries.map((e) => [e.name, [e.mtime, e.mtimeNsec]]));
}

describe('COPY and ADD keep modification times', () => {
  it('writes each context file with its mtime and made-up directories with the newest below', async () => {
    const { builder, images } = setup();
    const ctx = context('FROM scratch\nCOPY . /app/\n', {
      'main.py': { text: 'print(1)\n', mtime: T + 10 },
      'lib/a.py': { text: 'a\n', mtime: T + 30 },
      'lib/deep/b.py': { text: 'b\n', mtime: T + 20 },
      'old.txt': { text: 'no time\n' },
    });
    const result = await builder.build({ context: ctx });
    expect(await topLayerTimes(images, result)).toEqual({
      'app/': [T + 30, 0],
      'app/Dockerfile': [T, 0],
      'app/lib/': [T + 30, 0],
      'app/lib/a.py': [T + 30, 0],
      'app/lib/deep/': [T + 20, 0],
      'app/lib/deep/b.py': [T + 20, 0],
      'app/main.py': [T + 10, 0],
      // a file without a time keeps 0, as before
      'app/old.txt': [0, 0],
    });
  });

  it('keeps fractional seconds and gives missing parents of the destination the file time', async () => {
    const { builder, images } = setup();
    const result = await builder.build({ context: context('FROM scratch\nCOPY run.sh /usr/local/bin/run\n', { 'run.sh': { text: 'echo\n', mtime: T + 0.5 } }) });
    expect(await topLayerTimes(images, result)).toEqual({
      'usr/': [T, 500_000_000],
      'usr/local/': [T, 500_000_000],
      'usr/local/bin/': [T, 500_000_000],
      'usr/local/bin/run': [T, 500_000_000],
    });
  });

  it('hits the cache when only mtimes changed, and gives the same layer for the same context', async () => {
    const { builder } = setup();
    const dockerfile = 'FROM scratch\nCOPY app.txt /app/\n';
    const first = await builder.build({ context: context(dockerfile, { 'app.txt': { text: 'v1\n', mtime: T } }) });
    expect(first.steps.map((s) => s.cached)).toEqual([false, false]);

    // `touch app.txt`: same content, newer time
    const touched = await builder.build({ context: context(dockerfile, { 'app.txt': { text: 'v1\n', mtime: T + 3600 } }) });
    expect(touched.steps[1]).toMatchObject({ instruction: 'COPY app.txt /app/', cached: true });
    expect(touched.imageId).toBe(first.imageId);

    // new content misses, and two fresh builds of one context give one image
    const changed = await builder.build({ context: context(dockerfile, { 'app.txt': { text: 'v2\n', mtime: T + 3600 } }) });
    expect(changed.steps[1]!.cached).toBe(false);
    const again = await setup().builder.build({ context: context(dockerfile, { 'app.txt': { text: 'v2\n', mtime: T + 3600 } }) });
    expect(again.imageId).toBe(changed.imageId);
  });

  it('COPY --from keeps the mtimes of the files it copies', async () => {
    const { builder, images } = setup();
    const dockerfile = 'FROM scratch AS build\nCOPY out/ /out/\nFROM scratch\nCOPY --from=build /out /dist\n';
    const ctx = context(dockerfile, {
      'out/app.bin': { text: 'binary\n', mtime: T + 100 },
      'out/assets/logo.svg': { text: '<svg/>\n', mtime: T + 200 },
    });
    const result = await builder.build({ context: ctx });
    expect(await topLayerTimes(images, result)).toEqual({
      'dist/': [T + 200, 0],
      'dist/app.bin': [T + 100, 0],
      // a directory of the stage keeps its own time (here: the newest below it, set by the first COPY)
      'dist/assets/': [T + 200, 0],
      'dist/assets/logo.svg': [T + 200, 0],
    });
  });

  it('ADD of a local tar keeps the times of its entries', async () => {
    const { builder, images } = setup();
    const tar = await gzip(
      writeTar([
        { name: 'site/', type: 'directory', mtime: T - 500 },
        { name: 'site/index.html', type: 'file', data: enc.encode('<h1>hi</h1>\n'), mtime: T - 1000 },
      ]),
    );
    const result = await builder.build({ context: context('FROM scratch\nADD site.tar.gz /srv/\n', { 'site.tar.gz': { data: tar, mtime: T } }) });
    expect(await topLayerTimes(images, result)).toEqual({
      'srv/': [T - 500, 0],
      'srv/site/': [T - 500, 0],
      'srv/site/index.html': [T - 1000, 0],
    });
  });
});
