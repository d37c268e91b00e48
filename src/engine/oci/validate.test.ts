import { describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.ts';
import { appendEmptyLayerHistory, appendLayer, emptyImage } from './image.ts';
import type { Image } from './image.ts';
import { IMAGE_LAYOUT, MediaType } from './types.ts';
import {
  isDateTime,
  isUri,
  validateConfig,
  validateDescriptor,
  validateDocument,
  validateImage,
  validateIndex,
  validateLayout,
  validateManifest,
} from './validate.ts';

const D = 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270';
const desc = { mediaType: MediaType.OciLayerGzip, size: 1, digest: D };
const paths = (problems: readonly { path: string }[]): string[] => problems.map((p) => p.path);

describe('validateDescriptor', () => {
  it('accepts spec examples and the optional fields', () => {
    expect(validateDescriptor(desc)).toEqual([]);
    expect(
      validateDescriptor({
        ...desc,
        urls: ['https://example.com/a?b=c#d', 'http://[::1]:8080/x', 'urn:isbn:0451450523'],
        annotations: { a: 'b' },
        data: 'YQ==',
        artifactType: 'application/vnd.example+type',
        platform: { architecture: 'amd64', os: 'linux' },
      }),
    ).toEqual([]);
  });

  it('reports each broken field with a JSON Pointer', () => {
    expect(paths(validateDescriptor({}))).toEqual(['/mediaType', '/size', '/digest']);
    expect(paths(validateDescriptor([]))).toEqual(['']);
    expect(paths(validateDescriptor({ ...desc, size: 1.5 }))).toEqual(['/size']);
    expect(paths(validateDescriptor({ ...desc, annotations: { 'a/b': 1 } }))).toEqual(['/annotations/a~1b']);
    expect(paths(validateDescriptor({ ...desc, urls: 'https://x' }))).toEqual(['/urls']);
    expect(paths(validateDescriptor({ ...desc, platform: { architecture: 1 } }))).toEqual(['/platform/architecture']);
  });

  it('adds the three non-schema checks of upstream validator.go', () => {
    // sha256/sha384/sha512 must be lowercase hex of their length; other algorithms pass the pattern alone.
    expect(paths(validateDescriptor({ ...desc, digest: D.toUpperCase().replace('SHA256', 'sha256') }))).toEqual(['/digest']);
    expect(paths(validateDescriptor({ ...desc, digest: 'sha256:abc' }))).toEqual(['/digest']);
    expect(paths(validateDescriptor({ ...desc, digest: `sha512:${'a'.repeat(128)}` }))).toEqual([]);
    expect(paths(validateDescriptor({ ...desc, digest: `sha512:${'a'.repeat(64)}` }))).toEqual(['/digest']);
    expect(paths(validateDescriptor({ ...desc, digest: 'sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564' }))).toEqual([]);
    // data: padded standard base64 (CR/LF ignored, as Go's decoder does).
    expect(paths(validateDescriptor({ ...desc, data: 'YQ' }))).toEqual(['/data']);
    expect(paths(validateDescriptor({ ...desc, data: 'YW==\n' }))).toEqual([]);
    expect(paths(validateDescriptor({ ...desc, data: 'Y-_=' }))).toEqual(['/data']);
    expect(paths(validateDescriptor({ ...desc, data: '' }))).toEqual([]);
  });
});

describe('validateManifest / validateIndex / validateLayout', () => {
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { ...desc, mediaType: MediaType.OciConfig },
    layers: [desc],
  };

  it('accepts a minimal manifest and checks nested descriptors', () => {
    expect(validateManifest(manifest)).toEqual([]);
    expect(paths(validateManifest({ ...manifest, layers: [desc, { ...desc, size: '1' }] }))).toEqual(['/layers/1/size']);
    expect(paths(validateManifest({ ...manifest, config: undefined }))).toEqual(['/config']);
    expect(paths(validateManifest({ ...manifest, schemaVersion: 3, annotations: [] }))).toEqual(['/schemaVersion', '/annotations']);
  });

  it('requires a layer unless allowNoLayers (images FROM scratch)', () => {
    expect(paths(validateManifest({ ...manifest, layers: [] }))).toEqual(['/layers']);
    expect(validateManifest({ ...manifest, layers: [] }, { allowNoLayers: true })).toEqual([]);
  });

  it('checks index manifests with their own rules (platform needs architecture and os)', () => {
    const index = {
      schemaVersion: 2,
      manifests: [{ ...desc, mediaType: MediaType.OciManifest, platform: { architecture: 'amd64', os: 'linux' } }],
    };
    expect(validateIndex(index)).toEqual([]);
    expect(paths(validateIndex({ ...index, manifests: [{ ...desc, platform: { os: 'linux' } }] }))).toEqual([
      '/manifests/0/platform/architecture',
    ]);
    expect(paths(validateIndex({ schemaVersion: 2 }))).toEqual(['/manifests']);
  });

  it('checks the oci-layout file', () => {
    expect(validateLayout(IMAGE_LAYOUT)).toEqual([]);
    expect(paths(validateLayout({ imageLayoutVersion: '1.1.0' }))).toEqual(['/imageLayoutVersion']);
    expect(paths(validateLayout({}))).toEqual(['/imageLayoutVersion']);
  });
});

describe('validateConfig', () => {
  const config = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [D] } };

  it('accepts a minimal config and the documented optional fields', () => {
    expect(validateConfig(config)).toEqual([]);
    expect(
      validateConfig({
        ...config,
        created: '2015-10-31T22:22:56.015925234Z',
        config: { Env: ['A=', 'B=c=d'], Cmd: null, Entrypoint: null, Volumes: null, Labels: null, ArgsEscaped: true, OnBuild: null },
        history: [{ created: '2015-10-31T22:22:54+01:00', created_by: 'x', empty_layer: true }],
      }),
    ).toEqual([]);
  });

  it('reports broken fields', () => {
    expect(paths(validateConfig({}))).toEqual(['/architecture', '/os', '/rootfs']);
    expect(paths(validateConfig({ ...config, rootfs: { type: 'tar', diff_ids: 'x' } }))).toEqual(['/rootfs/diff_ids', '/rootfs/type']);
    expect(paths(validateConfig({ ...config, created: '2015-02-29T00:00:00Z' }))).toEqual(['/created']);
    expect(paths(validateConfig({ ...config, config: { Env: ['=x', 'NOEQUALS', 'OK=1'] } }))).toEqual(['/config/Env/0', '/config/Env/1']);
    expect(paths(validateConfig({ ...config, config: { ExposedPorts: { '80/tcp': true } } }))).toEqual(['/config/ExposedPorts/80~1tcp']);
    expect(paths(validateConfig({ ...config, config: { Healthcheck: { Interval: '30s' } } }))).toEqual(['/config/Healthcheck/Interval']);
    expect(paths(validateConfig({ ...config, history: [{ empty_layer: 'yes' }] }))).toEqual(['/history/0/empty_layer']);
  });
});

describe('validateDocument', () => {
  it('parses and dispatches on the media type', () => {
    expect(validateDocument(MediaType.OciLayoutHeader, '{"imageLayoutVersion":"1.0.0"}')).toEqual([]);
    expect(validateDocument(MediaType.DockerConfig, new TextEncoder().encode('{"os":"linux"}')).length).toBe(2);
    expect(paths(validateDocument(MediaType.OciManifest, '{'))).toEqual(['']);
    expect(validateDocument('text/plain', '{}')[0]?.message).toMatch(/no validator/);
  });
});

describe('formats', () => {
  it('isDateTime follows RFC 3339', () => {
    for (const ok of [
      '2024-02-29T12:00:00Z',
      '2015-10-31T22:22:56.015925234Z',
      '2016-12-31T23:59:60Z',
      '2017-01-01T00:59:60+01:00',
      '2024-01-01t00:00:00z',
    ]) {
      expect(isDateTime(ok), ok).toBe(true);
    }
    for (const bad of [
      '2023-02-29T12:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:00:60Z',
      '2024-01-01T00:00:00',
      '2024-1-01T00:00:00Z',
      '2024-13-01T00:00:00Z',
    ]) {
      expect(isDateTime(bad), bad).toBe(false);
    }
  });

  it('isUri wants an absolute RFC 3986 URI', () => {
    for (const ok of ['https://example.com/foo', 'http://user:pw@host:80/p?q#f', 'file:///tmp/x', 'mailto:a@b.c', 'https://h/%41']) {
      expect(isUri(ok), ok).toBe(true);
    }
    for (const bad of ['value', '/relative', 'https://exa mple.com', 'https://h/%4', 'http://h/<x>', '1http://x']) {
      expect(isUri(bad), bad).toBe(false);
    }
  });
});

describe('validateImage', () => {
  async function sample(): Promise<Image> {
    const one = await appendLayer(await emptyImage(), {
      digest: await sha256Digest('gz'),
      diffID: await sha256Digest('tar'),
      size: 2,
      mediaType: MediaType.OciLayerGzip,
    });
    return appendEmptyLayerHistory(one, { created_by: 'CMD ["sh"]' });
  }

  it('finds each kind of inconsistency', async () => {
    const image = await sample();
    expect(await validateImage(image)).toEqual([]);
    const otherDigest = await sha256Digest('other');

    const tampered = async (patch: Partial<Image>): Promise<string[]> => paths(await validateImage({ ...image, ...patch }));

    expect(await tampered({ configDigest: otherDigest })).toEqual(['/configDigest']);
    expect(await tampered({ manifestDigest: otherDigest })).toEqual(['/manifestDigest']);
    expect(await tampered({ rawConfig: `${image.rawConfig} ` })).toEqual([
      '/configDigest',
      '/manifest/config/digest',
      '/manifest/config/size',
    ]);
    expect(await tampered({ config: { ...image.config, os: 'windows' } })).toEqual(['/rawConfig']);
    expect(await tampered({ layers: [] })).toEqual(['/layers']);
    expect(await tampered({ layers: [{ ...image.layers[0]!, diffID: otherDigest }] })).toEqual(['/layers/0/diffID']);

    // Rebuild consistent raw text/digests around a broken object to reach the deeper checks.
    const rebuilt = async (manifest: object, config: object): Promise<string[]> => {
      const rawConfig = JSON.stringify(config);
      const configDigest = await sha256Digest(rawConfig);
      const m = JSON.parse(JSON.stringify(manifest)) as { config: { digest: string; size: number } };
      m.config.digest = configDigest;
      m.config.size = rawConfig.length;
      const rawManifest = JSON.stringify(m);
      return paths(
        await validateImage({
          ...image,
          manifest: m as unknown as Image['manifest'],
          config: config as Image['config'],
          rawConfig,
          rawManifest,
          configDigest,
          manifestDigest: await sha256Digest(rawManifest),
        }),
      );
    };
    const { config, manifest } = image;
    expect(await rebuilt(manifest, config)).toEqual([]);
    expect(await rebuilt(manifest, { ...config, rootfs: { type: 'layers', diff_ids: [] } })).toEqual([
      '/config/rootfs/diff_ids',
      '/layers/0/diffID',
    ]);
    expect(await rebuilt(manifest, { ...config, history: [{ created_by: 'x', empty_layer: true }] })).toEqual(['/config/history']);
    expect(await rebuilt(manifest, { ...config, history: undefined })).toEqual([]);
    expect(await rebuilt({ ...manifest, mediaType: MediaType.DockerManifest }, config)).toEqual([
      '/manifest/config/mediaType',
      '/manifest/layers/0/mediaType',
    ]);
    expect(await rebuilt({ ...manifest, mediaType: MediaType.OciIndex }, config)).toContain('/manifest/mediaType');
    expect(await rebuilt({ ...manifest, config: { ...manifest.config, mediaType: MediaType.DockerConfig } }, config)).toEqual([
      '/manifest/config/mediaType',
    ]);
    expect(await rebuilt(manifest, { ...config, os: 7 })).toEqual(['/config/os']);
  });
});
