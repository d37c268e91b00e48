/**
 * The builder's COPY and ADD without a guest (FROM scratch needs no base image and COPY runs no
 * container): the layer keeps the context's modification times, the directories it makes get
 * the newest time below them, and the build cache ignores times, like BuildKit's content checksum.
 */
import { describe, expect, it } from 'vitest';
import type { BuildContext, BuildEvent, BuildResult } from '../api.ts';
import type { ContainerManager } from '../containers/manager.ts';
import { ImageStore } from '../images/store.ts';
import { decompress, gzip, readTar, writeTar, type TarEntry } from '../layer/index.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../store/index.ts';
import { Builder } from './builder.ts';

const enc = new TextEncoder();
const T = 1767225600; // 2026-01-01T00:00:00Z

/** A builder over memory stores; `offered` lists references the catalog names (their layouts cannot be read). */
function setup(offered?: string[]): { builder: Builder; images: ImageStore } {
  const blobs = new MemoryBlobStore();
  const meta = new MemoryMetadataStore();
  const now = () => new Date(T * 1000);
  const offline = () => Promise.reject(new Error('no images offline in this test'));
  const catalog = offered ? async () => [{ references: offered, layout: 'x', size: 0 }] : offline;
  const images = new ImageStore({
    blobs,
    meta,
    now,
    source: { catalog, index: offline, blob: offline },
    containersUsing: async () => new Map(),
  });
  // COPY and ADD never start a container; a RUN here would fail loudly
  const builder = new Builder({ images, containers: {} as ContainerManager, meta, blobs, now });
  return { builder, images };
}

function context(dockerfile: string, files: Record<string, { text?: string; data?: Uint8Array; mtime?: number }>): BuildContext {
  const ctx: BuildContext = new Map([['Dockerfile', { data: enc.encode(dockerfile), mtime: T }]]);
  for (const [path, f] of Object.entries(files))
    ctx.set(path, { data: f.data ?? enc.encode(f.text ?? ''), ...(f.mtime !== undefined ? { mtime: f.mtime } : {}) });
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
    const result = await builder.build({
      context: context('FROM scratch\nCOPY run.sh /usr/local/bin/run\n', { 'run.sh': { text: 'echo\n', mtime: T + 0.5 } }),
    });
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
    const result = await builder.build({
      context: context('FROM scratch\nADD site.tar.gz /srv/\n', { 'site.tar.gz': { data: tar, mtime: T } }),
    });
    expect(await topLayerTimes(images, result)).toEqual({
      'srv/': [T - 500, 0],
      'srv/site/': [T - 500, 0],
      'srv/site/index.html': [T - 1000, 0],
    });
  });
});

describe('stages, metadata instructions and WORKDIR (no guest)', () => {
  const dockerfile = [
    'ARG BASE=scratch',
    'ARG VERSION=1.0',
    'FROM ${BASE} AS files',
    'COPY app.txt /src/',
    'FROM scratch AS unused',
    'COPY missing.txt /',
    'FROM ${BASE}',
    'ARG VERSION',
    'ARG MODE=prod',
    'COPY --from=files --chmod=0750 --chown=10:20 /src /app',
    'ENV APP_HOME=/app APP_VERSION=$VERSION',
    'LABEL org.example.version="$VERSION" org.example.mode=$MODE',
    'MAINTAINER someone@example.com',
    'WORKDIR $APP_HOME/data',
    'USER 10:20',
    'EXPOSE 8080 53/udp',
    'VOLUME ["/app/data"]',
    'SHELL ["/bin/sh", "-ec"]',
    'STOPSIGNAL SIGTERM',
    'HEALTHCHECK --interval=30s --timeout=1m30s --retries=3 CMD wget -q localhost:8080',
    'ONBUILD COPY . /app/src',
    'ENTRYPOINT ["/app/run"]',
    'CMD serve --port 8080',
    '',
  ].join('\n');

  it('builds only the stages the target needs, sets the config and history like BuildKit, and caches every step', async () => {
    const { builder, images } = setup();
    const events: string[] = [];
    const options = {
      context: context(dockerfile, { 'app.txt': { text: 'hello\n', mtime: T } }),
      buildArgs: { MODE: 'dev' },
      tags: ['app:1'],
      onEvent: (e: BuildEvent) => {
        if (e.type === 'step-start') events.push(`${e.step}/${e.total} [${e.label}] ${e.instruction} (line ${e.line})`);
        else if (e.type === 'step-done') events.push(`${e.step} ${e.cached ? 'CACHED' : 'done'}`);
        else if (e.type === 'build-end') events.push(`end ${e.outcome}`);
      },
    };
    const result = await builder.build(options);
    expect(events).toEqual([
      '1/5 [files 1/2] FROM scratch (line 3)',
      '1 done',
      '2/5 [files 2/2] COPY app.txt /src/ (line 4)',
      '2 done',
      '3/5 [stage-2 1/3] FROM scratch (line 7)',
      '3 done',
      '4/5 [stage-2 2/3] COPY --from=files --chmod=0750 --chown=10:20 /src /app (line 10)',
      '4 done',
      '5/5 [stage-2 3/3] WORKDIR /app/data (line 14)',
      '5 done',
      'end done',
    ]);
    expect(result.steps.map((s) => s.instruction)).toEqual([
      'FROM scratch',
      'COPY app.txt /src/',
      'FROM scratch',
      'COPY --from=files --chmod=0750 --chown=10:20 /src /app',
      'WORKDIR /app/data',
    ]);
    expect(await images.resolveId('app:1')).toBe(result.imageId);

    const image = await images.load(result.imageId);
    const config = JSON.parse(image.rawConfig) as {
      config: Record<string, unknown>;
      history: { created_by: string; empty_layer?: boolean }[];
    };
    expect(config.config).toEqual({
      Cmd: ['/bin/sh', '-ec', 'serve --port 8080'],
      Entrypoint: ['/app/run'],
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_HOME=/app', 'APP_VERSION=1.0'],
      ExposedPorts: { '53/udp': {}, '8080/tcp': {} },
      Healthcheck: { Interval: 30_000_000_000, Retries: 3, Test: ['CMD-SHELL', 'wget -q localhost:8080'], Timeout: 90_000_000_000 },
      Labels: { 'org.example.mode': 'dev', 'org.example.version': '1.0' },
      OnBuild: ['COPY . /app/src'],
      Shell: ['/bin/sh', '-ec'],
      StopSignal: 'SIGTERM',
      User: '10:20',
      Volumes: { '/app/data': {} },
      WorkingDir: '/app/data',
    });
    expect(config.history.map((h) => `${h.empty_layer ? '(empty) ' : ''}${h.created_by}`)).toEqual([
      'COPY /src /app # buildkit',
      '(empty) ENV APP_HOME=/app APP_VERSION=1.0',
      '(empty) LABEL org.example.version=1.0 org.example.mode=dev',
      '(empty) MAINTAINER someone@example.com',
      'WORKDIR /app/data',
      '(empty) USER 10:20',
      '(empty) EXPOSE [8080/tcp 53/udp]',
      '(empty) VOLUME [/app/data]',
      '(empty) SHELL [/bin/sh -ec]',
      '(empty) STOPSIGNAL SIGTERM',
      '(empty) HEALTHCHECK {Test:[CMD-SHELL wget -q localhost:8080] Interval:30s Timeout:1m30s StartPeriod:0s StartInterval:0s Retries:3}',
      '(empty) ONBUILD COPY . /app/src',
      '(empty) ENTRYPOINT ["/app/run"]',
      '(empty) CMD ["/bin/sh" "-ec" "serve --port 8080"]',
    ]);
    const layers = [];
    for (const l of (await images.resolve(result.imageId)).layers) {
      layers.push(
        readTar(await decompress(await images.readBlob(l.digest))).map((e) => `${e.name} ${e.mode.toString(8)} ${e.uid}:${e.gid}`),
      );
    }
    // (the COPY layer's `app/` is left out: LayerLab makes it 0:0, BuildKit gives a destination it creates the --chown owner)
    expect(layers.map((l) => l.filter((e) => !e.startsWith('app/ ')))).toEqual([['app/app.txt 750 10:20'], ['app/data/ 755 0:0']]);

    // A second build is cached step for step and gives the same image.
    const again = await builder.build(options);
    expect(again.steps.map((s) => s.cached)).toEqual([false, true, false, true, true]);
    expect(again.imageId).toBe(result.imageId);
  });

  it("fails a FROM the catalog lacks with BuildKit's words on its line, then the closest tags", async () => {
    const { builder } = setup(['python:3.11-slim', 'python:3.13-slim', 'python:3.13', 'busybox:latest']);
    const events: BuildEvent[] = [];
    const build = (text: string) => builder.build({ context: context(text, {}), onEvent: (e) => events.push(e) });
    const err = await build('# syntax\nARG V=3.12\nFROM python:${V}-slim AS base\nRUN true\n').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BuildError', line: 3 });
    expect((err as Error).message).toBe(
      'python:3.12-slim: failed to resolve source metadata for docker.io/library/python:3.12-slim: docker.io/library/python:3.12-slim: not found\n' +
        'LayerLab runs offline and has no python:3.12-slim; the closest tags it has: python:3.13-slim, python:3.11-slim, python:3.13.',
    );
    expect(events.at(-1)).toMatchObject({ type: 'build-end', outcome: 'failed', line: 3 });
    await expect(build('FROM pyhton:3.11\n')).rejects.toThrow(
      'pyhton:3.11: failed to resolve source metadata for docker.io/library/pyhton:3.11: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed\n' +
        'LayerLab runs offline and has no image named pyhton; the closest it has: python:3.11-slim, python:3.13, python:3.13-slim.',
    );
  });

  it('names the line of a bad instruction, a missing source and a missing target', async () => {
    const { builder } = setup();
    const build = (text: string, target?: string) => builder.build({ context: context(text, {}), ...(target ? { target } : {}) });
    await expect(build('FROM scratch\nFOO bar\n')).rejects.toThrow('dockerfile:2: unknown instruction: FOO');
    await expect(build('FROM scratch\nCOPY nope.txt /\n')).rejects.toThrow(
      'dockerfile:2: failed to compute cache key: failed to calculate checksum of ref: "/nope.txt": not found',
    );
    await expect(build('FROM scratch\nVOLUME [""]\n')).rejects.toThrow('dockerfile:2: VOLUME specified can not be an empty string');
    await expect(build('FROM scratch\nHEALTHCHECK --interval=soon CMD true\n')).rejects.toThrow(
      'dockerfile:2: invalid duration for interval: soon',
    );
    await expect(build('FROM scratch AS a\n', 'b')).rejects.toThrow('target stage "b" could not be found');
    await expect(build('ENV A=1\nFROM scratch\n')).rejects.toThrow('dockerfile:1: no build stage in current context');
  });
});
