/**
 * Canonical JSON for OCI documents: compact (no whitespace), known fields in the order of the Go
 * structs of image-spec `specs-go` and moby `docker-image-spec`, map-like objects (annotations,
 * Labels, ExposedPorts, Volumes, unknown objects) with keys sorted by code point, unknown fields of
 * known structs kept after the known ones in sorted order, `undefined` dropped, `null` kept, and
 * `<` `>` `&` U+2028 U+2029 escaped as `\u003c`... the way Go's encoding/json writes them.
 * The same value always gives the same bytes, so digests are stable.
 */
import { OciError } from './errors.ts';

/** How to lay out one value: `'any'` (maps/leaves, keys sorted) or a struct/array shape. */
export type Shape = 'any' | { readonly struct: readonly (readonly [string, Shape])[] } | { readonly array: Shape };

const platform: Shape = {
  struct: [
    ['architecture', 'any'],
    ['os', 'any'],
    ['os.version', 'any'],
    ['os.features', 'any'],
    ['variant', 'any'],
    ['features', 'any'],
  ],
};

/** Layout of a descriptor. */
export const DESCRIPTOR_SHAPE: Shape = {
  struct: [
    ['mediaType', 'any'],
    ['digest', 'any'],
    ['size', 'any'],
    ['urls', 'any'],
    ['annotations', 'any'],
    ['data', 'any'],
    ['platform', platform],
    ['artifactType', 'any'],
  ],
};

/** Layout of an image manifest. */
export const MANIFEST_SHAPE: Shape = {
  struct: [
    ['schemaVersion', 'any'],
    ['mediaType', 'any'],
    ['artifactType', 'any'],
    ['config', DESCRIPTOR_SHAPE],
    ['layers', { array: DESCRIPTOR_SHAPE }],
    ['subject', DESCRIPTOR_SHAPE],
    ['annotations', 'any'],
  ],
};

/** Layout of an image index. */
export const INDEX_SHAPE: Shape = {
  struct: [
    ['schemaVersion', 'any'],
    ['mediaType', 'any'],
    ['artifactType', 'any'],
    ['manifests', { array: DESCRIPTOR_SHAPE }],
    ['subject', DESCRIPTOR_SHAPE],
    ['annotations', 'any'],
  ],
};

const healthcheck: Shape = {
  struct: [
    ['Test', 'any'],
    ['Interval', 'any'],
    ['Timeout', 'any'],
    ['StartPeriod', 'any'],
    ['StartInterval', 'any'],
    ['Retries', 'any'],
  ],
};

const containerConfig: Shape = {
  struct: [
    ['User', 'any'],
    ['ExposedPorts', 'any'],
    ['Env', 'any'],
    ['Entrypoint', 'any'],
    ['Cmd', 'any'],
    ['Volumes', 'any'],
    ['WorkingDir', 'any'],
    ['Labels', 'any'],
    ['StopSignal', 'any'],
    ['ArgsEscaped', 'any'],
    ['Healthcheck', healthcheck],
    ['OnBuild', 'any'],
    ['Shell', 'any'],
  ],
};

/** Layout of an image config. */
export const CONFIG_SHAPE: Shape = {
  struct: [
    ['created', 'any'],
    ['author', 'any'],
    ['architecture', 'any'],
    ['os', 'any'],
    ['os.version', 'any'],
    ['os.features', 'any'],
    ['variant', 'any'],
    ['config', containerConfig],
    [
      'rootfs',
      {
        struct: [
          ['type', 'any'],
          ['diff_ids', 'any'],
        ],
      },
    ],
    [
      'history',
      {
        array: {
          struct: [
            ['created', 'any'],
            ['created_by', 'any'],
            ['author', 'any'],
            ['comment', 'any'],
            ['empty_layer', 'any'],
          ],
        },
      },
    ],
  ],
};

/** Compares strings by Unicode code point (the order of their UTF-8 bytes, as Go sorts map keys). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function encodeString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}

function encode(value: unknown, shape: Shape, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new OciError('invalid-argument', `${path || '/'}: ${value} cannot be written as JSON`, { what: path });
      }
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new OciError('invalid-argument', `${path || '/'}: a ${typeof value} cannot be written as JSON`, {
        what: path,
      });
  }
  if (Array.isArray(value)) {
    const item = shape !== 'any' && 'array' in shape ? shape.array : 'any';
    return `[${value.map((v: unknown, i) => encode(v === undefined ? null : v, item, `${path}/${i}`)).join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  const emit = (key: string, sub: Shape): void => {
    const v = obj[key];
    if (v !== undefined) parts.push(`${encodeString(key)}:${encode(v, sub, `${path}/${key}`)}`);
  };
  const known = new Set<string>();
  if (shape !== 'any' && 'struct' in shape) {
    for (const [key, sub] of shape.struct) {
      known.add(key);
      if (Object.hasOwn(obj, key)) emit(key, sub);
    }
  }
  for (const key of Object.keys(obj)
    .filter((k) => !known.has(k))
    .sort(compareCodePoints)) {
    emit(key, 'any');
  }
  return `{${parts.join(',')}}`;
}

/** Writes `value` as canonical JSON laid out by `shape` (see the module comment for the rules). */
export function canonicalJson(value: unknown, shape: Shape = 'any'): string {
  return encode(value, shape, '');
}
