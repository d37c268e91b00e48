import { describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.ts';
import { OciError } from './errors.ts';
import type { OciErrorKind } from './errors.ts';
import {
  appendEmptyLayerHistory,
  appendLayer,
  DEFAULT_PATH_ENV,
  deserializeImage,
  emptyImage,
  imageId,
  manifestDescriptor,
  serializeImage,
  shortId,
  withConfig,
  withMetadata,
} from './image.ts';
import type { Image, Layer } from './image.ts';
import { Annotation, MediaType } from './types.ts';
import { validateImage } from './validate.ts';

const encoder = new TextEncoder();

async function layer(n: number, mediaType: string = MediaType.OciLayerGzip): Promise<Layer> {
  return Object.freeze({
    digest: await sha256Digest(`compressed ${n}`),
    diffID: await sha256Digest(`tar ${n}`),
    size: 1000 + n,
    mediaType,
  });
}

/** Asserts that `fn` rejects with an OciError of `kind`, and returns it. */
async function rejects(fn: () => Promise<unknown>, kind: OciErrorKind): Promise<OciError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OciError);
    expect((e as OciError).kind).toBe(kind);
    return e as OciError;
  }
  throw new Error(`expected an OciError of kind ${kind}`);
}

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

/** A deep copy to compare an input with after an operation. */
const snapshot = (image: Image): unknown => structuredClone(image);

describe('emptyImage (FROM scratch)', () => {
  it('has no layers, linux/386 and OCI media types by default', async () => {
    const image = await emptyImage();
    expect(image.rawConfig).toBe('{"architecture":"386","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}');
    expect(image.configDigest).toBe(await sha256Digest(image.rawConfig));
    expect(image.rawManifest).toBe(
      `{"schemaVersion":2,"mediaType":"${MediaType.OciManifest}","config":{"mediaType":"${MediaType.OciConfig}",` +
        `"digest":"${image.configDigest}","size":${image.rawConfig.length}},"layers":[]}`,
    );
    expect(image.manifestDigest).toBe(await sha256Digest(image.rawManifest));
    expect(image.layers).toEqual([]);
    expect(image.manifest.layers).toEqual([]);
    expect(image.config.history).toBeUndefined();
    expect(isDeepFrozen(image)).toBe(true);
    expect(await validateImage(image)).toEqual([]);
  });

  it('takes a platform and the Docker v2 schema 2 format', async () => {
    const image = await emptyImage({ os: 'linux', architecture: 'arm', variant: 'v7' }, { format: 'docker' });
    expect(image.config).toEqual({
      architecture: 'arm',
      os: 'linux',
      variant: 'v7',
      config: {},
      rootfs: { type: 'layers', diff_ids: [] },
    });
    expect(image.rawConfig.indexOf('"os"')).toBeLessThan(image.rawConfig.indexOf('"variant"'));
    expect(image.manifest.mediaType).toBe(MediaType.DockerManifest);
    expect(image.manifest.config.mediaType).toBe(MediaType.DockerConfig);
    expect(await validateImage(image)).toEqual([]);
  });

  it('is deterministic: same input, same digests', async () => {
    const [a, b] = await Promise.all([emptyImage(), emptyImage()]);
    expect(a.manifestDigest).toBe(b.manifestDigest);
    expect(imageId(a)).toBe(imageId(b));
  });
});

describe('appendLayer (mutate.Append)', () => {
  it('returns a new image with the layer, its diff ID and a history entry; the input is untouched', async () => {
    const base = await emptyImage();
    const before = snapshot(base);
    const l1 = await layer(1);
    const history = Object.freeze({
      created: '2024-05-01T10:00:00Z',
      created_by: 'COPY . / # buildkit',
      comment: 'buildkit.dockerfile.v0',
    });
    const one = await appendLayer(base, l1, history);

    expect(base).toEqual(before);
    expect(one).not.toBe(base);
    expect(one.layers).toEqual([l1]);
    expect(one.manifest.layers).toEqual([{ mediaType: l1.mediaType, digest: l1.digest, size: l1.size }]);
    expect(one.config.rootfs.diff_ids).toEqual([l1.diffID]);
    expect(one.config.history).toEqual([history]);
    expect(one.config.created).toBe('2024-05-01T10:00:00Z');
    expect(one.configDigest).not.toBe(base.configDigest);
    expect(isDeepFrozen(one)).toBe(true);

    const l2 = await layer(2);
    const two = await appendLayer(one, l2, { created_by: 'RUN true # buildkit' });
    expect(two.layers.map((l) => l.diffID)).toEqual([l1.diffID, l2.diffID]);
    expect(two.config.created).toBe('2024-05-01T10:00:00Z');
    expect(two.config.history).toHaveLength(2);
    expect(await validateImage(one)).toEqual([]);
    expect(await validateImage(two)).toEqual([]);
  });

  it('writes history fields in spec order whatever the caller wrote', async () => {
    const image = await appendLayer(await emptyImage(), await layer(1), {
      comment: 'c',
      created_by: 'b',
      created: '2024-01-01T00:00:00Z',
    });
    expect(image.rawConfig).toContain('"history":[{"created":"2024-01-01T00:00:00Z","created_by":"b","comment":"c"}]');
    expect(await validateImage(image)).toEqual([]);
  });

  it('rejects malformed layers with a kind and context', async () => {
    const base = await emptyImage();
    const good = await layer(1);
    const e = await rejects(() => appendLayer(base, { ...good, digest: 'sha256:abc' as Layer['digest'] }), 'invalid-digest');
    expect(e.context.what).toBe('layer digest');
    await rejects(() => appendLayer(base, { ...good, diffID: 'md5:00' as Layer['diffID'] }), 'invalid-digest');
    await rejects(() => appendLayer(base, { ...good, size: -1 }), 'invalid-argument');
    await rejects(() => appendLayer(base, { ...good, size: 1.5 }), 'invalid-argument');
    await rejects(() => appendLayer(base, { ...good, mediaType: MediaType.DockerLayerGzip }), 'media-type-mismatch');
    await rejects(() => appendLayer(base, { ...good, mediaType: 'text/plain' }), 'media-type-mismatch');
    await rejects(() => appendLayer(base, good, { empty_layer: true } as never), 'invalid-argument');
    expect(await validateImage(base)).toEqual([]);
  });

  it('puts Docker layers into Docker images', async () => {
    const image = await appendLayer(await emptyImage(undefined, { format: 'docker' }), await layer(1, MediaType.DockerLayerGzip));
    expect(image.manifest.layers[0]?.mediaType).toBe(MediaType.DockerLayerGzip);
    await rejects(() => appendLayer(image, { ...image.layers[0]!, mediaType: MediaType.OciLayerGzip }), 'media-type-mismatch');
    expect(await validateImage(image)).toEqual([]);
  });
});

describe('appendEmptyLayerHistory', () => {
  it('records a metadata-only step without a layer', async () => {
    const one = await appendLayer(await emptyImage(), await layer(1), { created_by: 'COPY a / # buildkit' });
    const before = snapshot(one);
    const meta = await appendEmptyLayerHistory(one, { created: '2024-05-02T00:00:00Z', created_by: 'CMD ["sh"]' });
    expect(one).toEqual(before);
    expect(meta.layers).toEqual(one.layers);
    expect(meta.manifest.layers).toEqual(one.manifest.layers);
    expect(meta.config.history?.[1]).toEqual({ created: '2024-05-02T00:00:00Z', created_by: 'CMD ["sh"]', empty_layer: true });
    expect(meta.config.created).toBe('2024-05-02T00:00:00Z');
    expect(meta.configDigest).not.toBe(one.configDigest);
    expect(await validateImage(meta)).toEqual([]);
  });

  it('works on an image with no layers (FROM scratch + LABEL)', async () => {
    const image = await appendEmptyLayerHistory(await emptyImage(), { created_by: 'LABEL a=b' });
    expect(image.config.history).toEqual([{ created_by: 'LABEL a=b', empty_layer: true }]);
    expect(await validateImage(image)).toEqual([]);
  });
});

describe('withConfig / withMetadata', () => {
  it('sets, replaces and removes container config fields, leaving the input alone', async () => {
    const base = await appendLayer(await emptyImage(), await layer(1));
    const before = snapshot(base);
    const patch = Object.freeze({ Cmd: ['sh'], Env: [DEFAULT_PATH_ENV], User: 'nobody' });
    const a = await withConfig(base, patch);
    expect(base).toEqual(before);
    expect(a.config.config).toEqual({ Cmd: ['sh'], Env: [DEFAULT_PATH_ENV], User: 'nobody' });
    // Canonical order is the struct's (User, Env, ..., Cmd), not the patch's.
    expect(a.rawConfig).toContain(`"config":{"User":"nobody","Env":["${DEFAULT_PATH_ENV}"],"Cmd":["sh"]}`);

    const b = await withConfig(a, { Entrypoint: ['/entry'], Cmd: undefined, ExposedPorts: { '8080/tcp': {}, '80/tcp': {} } });
    expect(b.config.config).toEqual({
      User: 'nobody',
      Env: [DEFAULT_PATH_ENV],
      Entrypoint: ['/entry'],
      ExposedPorts: { '80/tcp': {}, '8080/tcp': {} },
    });
    expect(b.rawConfig).toContain('"ExposedPorts":{"80/tcp":{},"8080/tcp":{}}');
    expect(a.config.config?.Cmd).toEqual(['sh']);
    expect(b.layers).toEqual(base.layers);
    expect(await validateImage(a)).toEqual([]);
    expect(await validateImage(b)).toEqual([]);
  });

  it('keeps null Cmd/Entrypoint (allowed by the schema) and Docker extensions', async () => {
    const image = await withConfig(await emptyImage(), {
      Cmd: null,
      Healthcheck: { Test: ['CMD', 'true'], Interval: 1_000_000_000 },
      Shell: ['/bin/ash', '-c'],
      OnBuild: ['RUN echo'],
    });
    expect(image.rawConfig).toContain(
      '"config":{"Cmd":null,"Healthcheck":{"Test":["CMD","true"],"Interval":1000000000},"OnBuild":["RUN echo"],"Shell":["/bin/ash","-c"]}',
    );
    expect(await validateImage(image)).toEqual([]);
  });

  it('withMetadata changes created/author and refuses to drop os or architecture', async () => {
    const base = await emptyImage();
    const image = await withMetadata(base, { created: '2024-01-01T00:00:00Z', author: 'me' });
    expect(image.config.created).toBe('2024-01-01T00:00:00Z');
    expect(image.rawConfig.startsWith('{"created":"2024-01-01T00:00:00Z","author":"me","architecture":"386"')).toBe(true);
    const undated = await withMetadata(image, { created: undefined });
    expect(undated.config.created).toBeUndefined();
    await rejects(() => withMetadata(base, { os: undefined }), 'invalid-argument');
    expect(await validateImage(image)).toEqual([]);
    expect(await validateImage(undated)).toEqual([]);
  });
});

describe('serializeImage / deserializeImage', () => {
  it('round-trips byte for byte', async () => {
    let image = await emptyImage();
    image = await appendLayer(image, await layer(1), { created: '2024-05-01T10:00:00Z', created_by: 'ADD rootfs.tar / # buildkit' });
    image = await withConfig(image, { Env: [DEFAULT_PATH_ENV, 'A=<b>&c'], Cmd: ['/bin/sh'], Labels: { z: '1', a: '2' } });
    image = await appendEmptyLayerHistory(image, { created_by: 'CMD ["/bin/sh"]' });
    const { manifestBytes, configBytes } = serializeImage(image);
    expect(await sha256Digest(configBytes)).toBe(image.configDigest);
    expect(await sha256Digest(manifestBytes)).toBe(image.manifestDigest);
    expect(new TextDecoder().decode(configBytes)).toContain('"A=\\u003cb\\u003e\\u0026c"');
    const back = await deserializeImage(manifestBytes, configBytes);
    expect(back).toEqual(image);
    expect(isDeepFrozen(back)).toBe(true);
    expect(await validateImage(back)).toEqual([]);
  });

  it('keeps foreign bytes (whitespace, key order, unknown fields) and their digests', async () => {
    const diffID = await sha256Digest('tar');
    const rawConfig = `{\n  "os": "linux",\n  "architecture": "amd64",\n  "docker_version": "24.0.0",\n  "rootfs": {"diff_ids": ["${diffID}"], "type": "layers"}\n}\n`;
    const configDigest = await sha256Digest(rawConfig);
    const layerDigest = await sha256Digest('gz');
    const rawManifest = JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: MediaType.DockerManifest,
        config: { mediaType: MediaType.DockerConfig, size: encoder.encode(rawConfig).length, digest: configDigest },
        layers: [{ mediaType: MediaType.DockerLayerGzip, size: 3, digest: layerDigest }],
      },
      null,
      3,
    );
    const image = await deserializeImage(encoder.encode(rawManifest), rawConfig);
    expect(image.rawConfig).toBe(rawConfig);
    expect(image.rawManifest).toBe(rawManifest);
    expect(image.configDigest).toBe(configDigest);
    expect(image.manifestDigest).toBe(await sha256Digest(rawManifest));
    expect(image.layers).toEqual([{ digest: layerDigest, diffID, size: 3, mediaType: MediaType.DockerLayerGzip }]);
    expect(await validateImage(image)).toEqual([]);

    // Changing it re-writes canonical JSON, keeping the unknown field after the known ones.
    const changed = await withConfig(image, { Cmd: ['sh'] });
    expect(changed.rawConfig).toBe(
      `{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["${diffID}"]},"docker_version":"24.0.0"}`,
    );
    expect(changed.manifest.mediaType).toBe(MediaType.DockerManifest);
    expect(await validateImage(changed)).toEqual([]);
  });

  it('rejects broken input with the right kind', async () => {
    const image = await appendLayer(await emptyImage(), await layer(1));
    const { manifestBytes, configBytes } = serializeImage(image);
    const m = JSON.parse(image.rawManifest) as Record<string, unknown>;
    const c = JSON.parse(image.rawConfig) as Record<string, unknown>;
    const manifestWith = (patch: object): string => JSON.stringify({ ...m, ...patch });

    await rejects(() => deserializeImage('nope', configBytes), 'invalid-json');
    await rejects(() => deserializeImage(manifestBytes, new Uint8Array([0xff, 0xfe])), 'invalid-json');
    await rejects(() => deserializeImage(manifestBytes, new Uint8Array([0xef, 0xbb, 0xbf, ...configBytes])), 'invalid-json');
    const bad = await rejects(() => deserializeImage(manifestWith({ schemaVersion: 1 }), configBytes), 'invalid-document');
    expect(bad.context.problems).toEqual([{ path: '/schemaVersion', message: 'must be between 2 and 2, not 1' }]);
    await rejects(() => deserializeImage(manifestBytes, JSON.stringify({ ...c, os: 1 })), 'invalid-document');
    const mismatch = await rejects(() => deserializeImage(manifestBytes, `${image.rawConfig} `), 'digest-mismatch');
    expect(mismatch.context).toMatchObject({ what: 'config', expected: image.configDigest });

    const padded = `${image.rawConfig} `;
    const paddedDigest = await sha256Digest(padded);
    const config = { mediaType: MediaType.OciConfig, digest: paddedDigest, size: padded.length + 1 };
    await rejects(() => deserializeImage(manifestWith({ config }), padded), 'size-mismatch');

    const sha512 = `sha512:${'a'.repeat(128)}`;
    await rejects(() => deserializeImage(manifestWith({ config: { ...config, digest: sha512 } }), padded), 'invalid-digest');

    const noDiffIDs = JSON.stringify({ ...c, rootfs: { type: 'layers', diff_ids: [] } });
    const noDiffIDsConfig = { mediaType: MediaType.OciConfig, digest: await sha256Digest(noDiffIDs), size: noDiffIDs.length };
    await rejects(() => deserializeImage(manifestWith({ config: noDiffIDsConfig }), noDiffIDs), 'inconsistent-image');

    const dockerLayer = { ...(m.layers as object[])[0], mediaType: MediaType.DockerLayerGzip };
    const e = await rejects(() => deserializeImage(manifestWith({ layers: [dockerLayer] }), configBytes), 'inconsistent-image');
    expect(e.context.problems?.map((p) => p.path)).toEqual(['/manifest/layers/0/mediaType']);
    expect(await validateImage(image)).toEqual([]);
  });
});

describe('imageId / shortId / manifestDescriptor', () => {
  it('names images the way docker does', async () => {
    const image = await emptyImage();
    expect(imageId(image)).toBe(image.configDigest);
    expect(shortId(image)).toBe(image.configDigest.slice(7, 19));
    expect(shortId('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe('e3b0c44298fc');
    expect(() => shortId('sha256:E3B0' as never)).toThrow(OciError);
    expect(await validateImage(image)).toEqual([]);
  });

  it('describes the manifest for an index', async () => {
    const image = await emptyImage();
    const d = manifestDescriptor(image, { [Annotation.RefName]: 'latest' });
    expect(d).toEqual({
      mediaType: MediaType.OciManifest,
      digest: image.manifestDigest,
      size: image.rawManifest.length,
      annotations: { 'org.opencontainers.image.ref.name': 'latest' },
    });
    expect(Object.isFrozen(d.annotations)).toBe(true);
    expect(await validateImage(image)).toEqual([]);
  });
});
