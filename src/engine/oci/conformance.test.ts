/**
 * Conformance against image-spec's own data (read-only, outside this repository): the hand-written
 * validators must agree with upstream on all 81 fixtures, and what `serializeImage` writes must
 * pass the real JSON schemas under ajv (a dev dependency used only here).
 */
import { readdirSync, readFileSync } from 'node:fs';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { appendEmptyLayerHistory, appendLayer, emptyImage, serializeImage, withConfig } from './image.ts';
import type { Image } from './image.ts';
import { sha256Digest } from './digest.ts';
import { MediaType } from './types.ts';
import { validateDocument, validateImage } from './validate.ts';
import { conformanceData } from '../../../tests/fixtures/conformance.ts';

const data = conformanceData('oci-image-spec/fixtures/index.json', 'the 81 image-spec fixtures and the JSON-schema checks');
const ROOT = new URL('../../../../shared/conformance/oci-image-spec/', import.meta.url);
const exists = data.present;

interface FixtureEntry {
  readonly file: string;
  readonly from: string;
  readonly expectValid: boolean;
  readonly mediaType: string;
  readonly comment: string;
}

const fixtures: readonly FixtureEntry[] = exists
  ? (JSON.parse(readFileSync(new URL('fixtures/index.json', ROOT), 'utf8')) as FixtureEntry[])
  : [];
const fixtureText = (file: string): string => readFileSync(new URL(`fixtures/${file}`, ROOT), 'utf8');

/** Where each invalid fixture breaks a rule, per its upstream comment ('' = not JSON at all). */
const WHY_INVALID: Readonly<Record<string, string>> = {
  'config-01-invalid.json': '/os',
  'config-02-invalid.json': '/variant',
  'config-03-invalid.json': '/config/User',
  'config-04-invalid.json': '/history',
  'config-05-invalid.json': '/config/Env/0',
  'config-06-invalid.json': '/config/Volumes',
  'config-07-invalid.json': '',
  'config-10-invalid.json': '/config/Env/0',
  'descriptor-03-invalid.json': '/mediaType',
  'descriptor-04-invalid.json': '/mediaType',
  'descriptor-05-invalid.json': '/mediaType',
  'descriptor-06-invalid.json': '/mediaType',
  'descriptor-08-invalid.json': '/mediaType',
  'descriptor-09-invalid.json': '/mediaType',
  'descriptor-10-invalid.json': '/size',
  'descriptor-11-invalid.json': '/size',
  'descriptor-12-invalid.json': '/digest',
  'descriptor-13-invalid.json': '/digest',
  'descriptor-14-invalid.json': '/digest',
  'descriptor-15-invalid.json': '/digest',
  'descriptor-16-invalid.json': '/digest',
  'descriptor-18-invalid.json': '/urls/0',
  'descriptor-20-invalid.json': '/artifactType',
  'descriptor-27-invalid.json': '/digest',
  'descriptor-30-invalid.json': '/data',
  'descriptor-31-invalid.json': '/size',
  'imageindex-01-invalid.json': '/manifests/0/mediaType',
  'imageindex-02-invalid.json': '/manifests/0/size',
  'imageindex-03-invalid.json': '/manifests/0/digest',
  'imageindex-04-invalid.json': '/manifests/0/platform/architecture',
  'imageindex-05-invalid.json': '/manifests/0/mediaType',
  'imageindex-06-invalid.json': '/manifests/0/mediaType',
  'imageindex-12-invalid.json': '/subject',
  'imagelayout-01-invalid.json': '',
  'manifest-01-invalid.json': '/config/mediaType',
  'manifest-02-invalid.json': '',
  'manifest-03-invalid.json': '/layers/0/size',
  'manifest-06-invalid.json': '/layers',
  'manifest-09-invalid.json': '/subject',
  'manifest-10-invalid.json': '/layers/0/digest',
};

describe.skipIf(!exists)('image-spec fixtures (hand-written validators)', () => {
  it('indexes 81 fixtures, all present on disk', () => {
    expect(fixtures).toHaveLength(81);
    const files = readdirSync(new URL('fixtures/', ROOT)).filter((f) => f !== 'index.json');
    expect(files.sort()).toEqual(fixtures.map((f) => f.file).sort());
  });

  for (const fx of fixtures) {
    it(`${fx.file}: ${fx.expectValid ? 'valid' : 'invalid'} (${fx.comment || fx.from})`, () => {
      const problems = validateDocument(fx.mediaType, fixtureText(fx.file));
      if (fx.expectValid) {
        expect(problems).toEqual([]);
      } else {
        // Rejected for the reason upstream gives, not by accident.
        expect(problems.map((p) => p.path)).toContain(WHY_INVALID[fx.file]);
      }
    });
  }

  it('agrees on 81/81', () => {
    const agree = fixtures.filter((fx) => (validateDocument(fx.mediaType, fixtureText(fx.file)).length === 0) === fx.expectValid);
    console.info(`OCI fixture agreement: ${agree.length}/${fixtures.length}`);
    expect(agree.length).toBe(81);
  });
});

// --- the real schemas under ajv --------------------------------------------------------------------

const SCHEMA_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'config-schema.json': ['https://opencontainers.org/schema/image/config'],
  'content-descriptor.json': [
    'https://opencontainers.org/schema/descriptor',
    'https://opencontainers.org/schema/image/content-descriptor.json',
  ],
  'defs-descriptor.json': [
    'https://opencontainers.org/schema/image/descriptor/mediaType',
    'https://opencontainers.org/schema/defs-descriptor.json',
    'https://opencontainers.org/schema/image/defs-descriptor.json',
  ],
  'defs.json': [
    'https://opencontainers.org/schema/defs.json',
    'https://opencontainers.org/schema/image/defs.json',
    'https://opencontainers.org/schema/image/descriptor/defs.json',
  ],
  'image-index-schema.json': ['https://opencontainers.org/schema/image/index'],
  'image-layout-schema.json': ['https://opencontainers.org/schema/image/layout'],
  'image-manifest-schema.json': ['https://opencontainers.org/schema/image/manifest'],
};

const SCHEMA_FOR: Readonly<Record<string, string>> = {
  [MediaType.OciDescriptor]: 'https://opencontainers.org/schema/descriptor',
  [MediaType.OciLayoutHeader]: 'https://opencontainers.org/schema/image/layout',
  [MediaType.OciManifest]: 'https://opencontainers.org/schema/image/manifest',
  [MediaType.OciIndex]: 'https://opencontainers.org/schema/image/index',
  [MediaType.OciConfig]: 'https://opencontainers.org/schema/image/config',
};

/** Drops `id` from nested sub-schemas (they would re-base the relative `$ref`s). */
function dropNestedIds(node: unknown, top: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => dropNestedIds(n, false));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'id' && !top && typeof v === 'string') continue;
    out[k] = dropNestedIds(v, false);
  }
  return out;
}

function makeAjv(): Ajv04 {
  const ajv = new Ajv04({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const [file, aliases] of Object.entries(SCHEMA_ALIASES)) {
    const schema = dropNestedIds(JSON.parse(readFileSync(new URL(`schema/${file}`, ROOT), 'utf8')), true) as Record<string, unknown>;
    delete schema['id'];
    delete schema['$schema'];
    for (const alias of aliases) ajv.addSchema({ ...schema, id: alias }, alias);
  }
  return ajv;
}

function ajvValid(ajv: Ajv04, mediaType: string, json: unknown): { valid: boolean; errors: string } {
  const validate = ajv.getSchema(SCHEMA_FOR[mediaType]!);
  if (!validate) throw new Error(`no schema for ${mediaType}`);
  const valid = validate(json) === true;
  return { valid, errors: ajv.errorsText(validate.errors) };
}

const layer = async (n: number) => ({
  digest: await sha256Digest(`blob ${n}`),
  diffID: await sha256Digest(`tar ${n}`),
  size: 100 + n,
  mediaType: MediaType.OciLayerGzip,
});

async function sampleImages(): Promise<Image[]> {
  const base = await emptyImage();
  const one = await appendLayer(base, await layer(1), {
    created: '2024-05-01T10:00:00Z',
    created_by: 'COPY rootfs / # buildkit',
    comment: 'buildkit.dockerfile.v0',
  });
  const configured = await withConfig(one, {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=<&>'],
    Cmd: ['sh', '-c', 'echo a && echo b'],
    Entrypoint: null,
    ExposedPorts: { '80/tcp': {} },
    Volumes: { '/data': {} },
    Labels: { 'org.example': 'x' },
    WorkingDir: '/app',
    User: 'nobody',
    StopSignal: 'SIGTERM',
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30e9, Retries: 3 },
    OnBuild: ['RUN echo hi'],
    Shell: ['/bin/sh', '-c'],
  });
  const meta = await appendEmptyLayerHistory(configured, { created: '2024-05-01T10:00:01Z', created_by: 'CMD ["sh"]' });
  const two = await appendLayer(meta, await layer(2), { created: '2024-05-01T10:00:02Z', created_by: 'RUN x # buildkit' });
  return [one, configured, meta, two];
}

describe.skipIf(!exists)('image-spec JSON schemas (ajv) accept what serializeImage writes', () => {
  it('ajv itself agrees with upstream on 78/81 fixtures, missing exactly the 3 non-schema checks', () => {
    const ajv = makeAjv();
    const misses: string[] = [];
    for (const fx of fixtures) {
      let valid: boolean;
      try {
        valid = ajvValid(ajv, fx.mediaType, JSON.parse(fixtureText(fx.file))).valid;
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        valid = false;
      }
      if (valid !== fx.expectValid) misses.push(fx.file);
    }
    expect(misses.sort()).toEqual(['config-10-invalid.json', 'descriptor-16-invalid.json', 'descriptor-30-invalid.json']);
  });

  it('manifests and configs of built images are schema-valid', async () => {
    const ajv = makeAjv();
    const decoder = new TextDecoder();
    for (const image of await sampleImages()) {
      expect(await validateImage(image)).toEqual([]);
      const { manifestBytes, configBytes } = serializeImage(image);
      const manifest = ajvValid(ajv, MediaType.OciManifest, JSON.parse(decoder.decode(manifestBytes)));
      expect(manifest.errors).toBe('No errors');
      const config = ajvValid(ajv, MediaType.OciConfig, JSON.parse(decoder.decode(configBytes)));
      expect(config.errors).toBe('No errors');
      const descriptor = ajvValid(ajv, MediaType.OciDescriptor, image.manifest.config);
      expect(descriptor.valid).toBe(true);
    }
  });

  it("the empty image breaks only the schema's minItems on layers (spec text: SHOULD)", async () => {
    const ajv = makeAjv();
    const image = await emptyImage();
    expect(await validateImage(image)).toEqual([]);
    const validate = ajv.getSchema(SCHEMA_FOR[MediaType.OciManifest]!)!;
    expect(validate(JSON.parse(image.rawManifest))).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual(['/layers minItems']);
    expect(ajvValid(ajv, MediaType.OciConfig, JSON.parse(image.rawConfig)).valid).toBe(true);
  });
});
