/**
 * Hand-written validators for OCI documents: the rules of the image-spec JSON schemas
 * (draft-04, `schema/*.json` of image-spec v1.1) plus the three checks upstream's
 * `schema/validator.go` adds beyond JSON Schema (config `Env` entries match `^[^=]+=.*$`;
 * `sha256`/`sha384`/`sha512` digests have 64/96/128 lowercase hex digits; descriptor `data` is
 * padded base64). Each returns a list of problems (empty = valid) instead of throwing.
 * `validateImage` checks an `Image` value for internal consistency, like go-containerregistry's
 * `validate.Image`.
 */
import { canonicalJson } from './json.ts';
import { isDigest, sha256Digest } from './digest.ts';
import type { Problem } from './errors.ts';
import type { Image } from './image.ts';
import { isLayerMediaType, MediaType, mediaTypeFamily } from './types.ts';

export type { Problem } from './errors.ts';

type Obj = Record<string, unknown>;

/** Options for `validateManifest`. */
export interface ManifestValidationOptions {
  /** Accept `"layers": []` (schema: minItems 1; spec text: SHOULD; FROM-scratch images have none). */
  readonly allowNoLayers?: boolean;
}

class Checker {
  readonly problems: Problem[] = [];
  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }
}

/** Appends one reference token to a JSON Pointer, escaping `~` and `/` (RFC 6901). */
function at(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether `key` is present; `undefined` counts as absent (JSON has no such value). */
function has(obj: Obj, key: string): boolean {
  return Object.hasOwn(obj, key) && obj[key] !== undefined;
}

function object(c: Checker, v: unknown, path: string): v is Obj {
  if (isObject(v)) return true;
  c.add(path, `must be an object, not ${typeName(v)}`);
  return false;
}

function string(c: Checker, v: unknown, path: string): v is string {
  if (typeof v === 'string') return true;
  c.add(path, `must be a string, not ${typeName(v)}`);
  return false;
}

function boolean(c: Checker, v: unknown, path: string): void {
  if (typeof v !== 'boolean') c.add(path, `must be a boolean, not ${typeName(v)}`);
}

function integer(c: Checker, v: unknown, path: string, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    c.add(path, `must be an integer, not ${typeName(v)}`);
  } else if (v < min || v > max) {
    c.add(path, `must be between ${min} and ${max}, not ${v}`);
  }
}

function stringArray(c: Checker, v: unknown, path: string): v is unknown[] {
  if (!Array.isArray(v)) {
    c.add(path, `must be an array of strings, not ${typeName(v)}`);
    return false;
  }
  v.forEach((item, i) => string(c, item, at(path, i)));
  return true;
}

function required(c: Checker, obj: Obj, path: string, keys: readonly string[]): void {
  for (const key of keys) if (!has(obj, key)) c.add(at(path, key), 'is required');
}

/** Runs `check` when `obj[key]` is present (JSON Schema `properties` semantics). */
function prop(obj: Obj, key: string, path: string, check: (v: unknown, p: string) => void): void {
  if (has(obj, key)) check(obj[key], at(path, key));
}

// --- defs.json / defs-descriptor.json ------------------------------------------------------------

const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/u;
const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/u;
/** Registered algorithms (go-digest) and the exact form of their encoded part. */
const ENCODED_RE: Readonly<Record<string, RegExp>> = {
  sha256: /^[a-f0-9]{64}$/,
  sha384: /^[a-f0-9]{96}$/,
  sha512: /^[a-f0-9]{128}$/,
};
const INT64_MAX = 9223372036854776000;
const INT64_MIN = -9223372036854776000;
/** `.{1,}` of `patternProperties`, unanchored: any key with one non-line-terminator character. */
const NON_EMPTY_KEY_RE = /./u;
const ENV_RE = /^[^=]+=.*$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function mediaType(c: Checker, v: unknown, path: string): void {
  if (string(c, v, path) && !MEDIA_TYPE_RE.test(v)) {
    c.add(path, `${JSON.stringify(v)} is not a media type (type/subtype, RFC 6838 characters)`);
  }
}

function digest(c: Checker, v: unknown, path: string): void {
  if (!string(c, v, path)) return;
  if (!DIGEST_RE.test(v)) {
    c.add(path, `${JSON.stringify(v)} is not a digest (<algorithm>:<encoded>)`);
    return;
  }
  const colon = v.indexOf(':');
  const encoded = ENCODED_RE[v.slice(0, colon)];
  if (encoded && !encoded.test(v.slice(colon + 1))) {
    c.add(path, `${JSON.stringify(v)}: a ${v.slice(0, colon)} digest must be lowercase hex of the right length`);
  }
}

function urls(c: Checker, v: unknown, path: string): void {
  if (!stringArray(c, v, path)) return;
  v.forEach((u, i) => {
    if (typeof u === 'string' && !isUri(u)) c.add(at(path, i), `${JSON.stringify(u)} is not a URI (RFC 3986)`);
  });
}

function mapStringString(c: Checker, v: unknown, path: string): void {
  if (!object(c, v, path)) return;
  for (const [k, val] of Object.entries(v)) {
    if (NON_EMPTY_KEY_RE.test(k) && typeof val !== 'string') {
      c.add(at(path, k), `must be a string, not ${typeName(val)}`);
    }
  }
}

function mapStringObject(c: Checker, v: unknown, path: string): void {
  if (!object(c, v, path)) return;
  for (const [k, val] of Object.entries(v)) {
    if (NON_EMPTY_KEY_RE.test(k) && !isObject(val)) c.add(at(path, k), `must be an object, not ${typeName(val)}`);
  }
}

function base64(c: Checker, v: unknown, path: string): void {
  // Go's base64.StdEncoding (what upstream decodes `data` with) skips CR/LF and needs padding.
  if (string(c, v, path) && !BASE64_RE.test(v.replace(/[\r\n]/g, ''))) {
    c.add(path, 'must be standard base64 with padding');
  }
}

function platform(c: Checker, v: unknown, path: string, requireArchOs: boolean): void {
  if (!object(c, v, path)) return;
  if (requireArchOs) required(c, v, path, ['architecture', 'os']);
  prop(v, 'architecture', path, (x, p) => string(c, x, p));
  prop(v, 'os', path, (x, p) => string(c, x, p));
  prop(v, 'os.version', path, (x, p) => string(c, x, p));
  prop(v, 'os.features', path, (x, p) => stringArray(c, x, p));
  prop(v, 'variant', path, (x, p) => string(c, x, p));
}

/** content-descriptor.json plus upstream's digest and base64 checks. */
function descriptor(c: Checker, v: unknown, path: string): void {
  if (!object(c, v, path)) return;
  required(c, v, path, ['mediaType', 'size', 'digest']);
  prop(v, 'mediaType', path, (x, p) => mediaType(c, x, p));
  prop(v, 'size', path, (x, p) => integer(c, x, p, 0, INT64_MAX));
  prop(v, 'digest', path, (x, p) => digest(c, x, p));
  prop(v, 'urls', path, (x, p) => urls(c, x, p));
  prop(v, 'data', path, (x, p) => base64(c, x, p));
  prop(v, 'artifactType', path, (x, p) => mediaType(c, x, p));
  prop(v, 'annotations', path, (x, p) => mapStringString(c, x, p));
  // Not in the schema, but upstream decodes into Go's v1.Descriptor, which types these fields.
  prop(v, 'platform', path, (x, p) => platform(c, x, p, false));
}

// --- formats ---------------------------------------------------------------------------------------

const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 `date-time` (JSON Schema format): real calendar dates, leap second only at 23:59 UTC. */
export function isDateTime(s: string): boolean {
  const m = DATE_TIME_RE.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days) return false;
  const tzSign = m[7] === '-' ? -1 : 1;
  const tzHour = Number(m[8] ?? 0);
  const tzMinute = Number(m[9] ?? 0);
  if (hour > 23 || minute > 59 || tzHour > 23 || tzMinute > 59) return false;
  if (second <= 59) return true;
  if (second > 60) return false;
  // A leap second is 23:59:60 in UTC.
  const utcMinutes = (((hour * 60 + minute - tzSign * (tzHour * 60 + tzMinute)) % 1440) + 1440) % 1440;
  return utcMinutes === 23 * 60 + 59;
}

const PCT = '%[0-9A-Fa-f]{2}';
const UNRESERVED_SUB = "A-Za-z0-9\\-._~!$&'()*+,;=";
const PCHAR = `(?:[${UNRESERVED_SUB}:@]|${PCT})`;
const PATH_RE = new RegExp(`^(?:${PCHAR}|/)*$`);
const QUERY_RE = new RegExp(`^(?:${PCHAR}|[/?])*$`);
const USERINFO_RE = new RegExp(`^(?:[${UNRESERVED_SUB}:]|${PCT})*$`);
const REG_NAME_RE = new RegExp(`^(?:[${UNRESERVED_SUB}]|${PCT})*$`);
const IP_LITERAL_RE = new RegExp(`^\\[(?:[0-9A-Fa-f:.]+|[Vv][0-9A-Fa-f]+\\.[${UNRESERVED_SUB}:]+)\\]$`);

/** RFC 3986 absolute `URI` (JSON Schema format `uri`): a scheme, then a well-formed rest. */
export function isUri(s: string): boolean {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(s);
  if (!scheme) return false;
  let rest = s.slice(scheme[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    if (!QUERY_RE.test(rest.slice(hash + 1))) return false;
    rest = rest.slice(0, hash);
  }
  const question = rest.indexOf('?');
  if (question >= 0) {
    if (!QUERY_RE.test(rest.slice(question + 1))) return false;
    rest = rest.slice(0, question);
  }
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    let authority = slash >= 0 ? rest.slice(2, slash) : rest.slice(2);
    rest = slash >= 0 ? rest.slice(slash) : '';
    const atSign = authority.lastIndexOf('@');
    if (atSign >= 0) {
      if (!USERINFO_RE.test(authority.slice(0, atSign))) return false;
      authority = authority.slice(atSign + 1);
    }
    const port = /:(\d*)$/.exec(authority);
    const host = port && !authority.endsWith(']') ? authority.slice(0, port.index) : authority;
    if (!(host.startsWith('[') ? IP_LITERAL_RE.test(host) : REG_NAME_RE.test(host))) return false;
  }
  return PATH_RE.test(rest);
}

// --- documents ----------------------------------------------------------------------------------

/** Problems of a content descriptor (`application/vnd.oci.descriptor.v1+json`). */
export function validateDescriptor(json: unknown): Problem[] {
  const c = new Checker();
  descriptor(c, json, '');
  return c.problems;
}

/** Problems of an image manifest (OCI or Docker v2 schema 2). */
export function validateManifest(json: unknown, options: ManifestValidationOptions = {}): Problem[] {
  const c = new Checker();
  if (!object(c, json, '')) return c.problems;
  required(c, json, '', ['schemaVersion', 'config', 'layers']);
  prop(json, 'schemaVersion', '', (x, p) => integer(c, x, p, 2, 2));
  prop(json, 'mediaType', '', (x, p) => mediaType(c, x, p));
  prop(json, 'artifactType', '', (x, p) => mediaType(c, x, p));
  prop(json, 'config', '', (x, p) => descriptor(c, x, p));
  prop(json, 'subject', '', (x, p) => descriptor(c, x, p));
  prop(json, 'layers', '', (x, p) => {
    if (!Array.isArray(x)) {
      c.add(p, `must be an array of descriptors, not ${typeName(x)}`);
      return;
    }
    if (x.length === 0 && !options.allowNoLayers) c.add(p, 'must have at least one layer');
    x.forEach((d, i) => descriptor(c, d, at(p, i)));
  });
  prop(json, 'annotations', '', (x, p) => mapStringString(c, x, p));
  return c.problems;
}

/** Problems of an image index (OCI index or Docker manifest list). */
export function validateIndex(json: unknown): Problem[] {
  const c = new Checker();
  if (!object(c, json, '')) return c.problems;
  required(c, json, '', ['schemaVersion', 'manifests']);
  prop(json, 'schemaVersion', '', (x, p) => integer(c, x, p, 2, 2));
  prop(json, 'mediaType', '', (x, p) => mediaType(c, x, p));
  prop(json, 'artifactType', '', (x, p) => mediaType(c, x, p));
  prop(json, 'subject', '', (x, p) => descriptor(c, x, p));
  prop(json, 'manifests', '', (x, p) => {
    if (!Array.isArray(x)) {
      c.add(p, `must be an array of descriptors, not ${typeName(x)}`);
      return;
    }
    x.forEach((m, i) => {
      const mp = at(p, i);
      if (!object(c, m, mp)) return;
      // The index schema's own manifest descriptor: int64 size, platform requires architecture + os.
      required(c, m, mp, ['mediaType', 'size', 'digest']);
      prop(m, 'mediaType', mp, (y, q) => mediaType(c, y, q));
      prop(m, 'size', mp, (y, q) => integer(c, y, q, INT64_MIN, INT64_MAX));
      prop(m, 'digest', mp, (y, q) => digest(c, y, q));
      prop(m, 'urls', mp, (y, q) => urls(c, y, q));
      prop(m, 'platform', mp, (y, q) => platform(c, y, q, true));
      prop(m, 'annotations', mp, (y, q) => mapStringString(c, y, q));
    });
  });
  prop(json, 'annotations', '', (x, p) => mapStringString(c, x, p));
  return c.problems;
}

/** Problems of an `oci-layout` file. */
export function validateLayout(json: unknown): Problem[] {
  const c = new Checker();
  if (!object(c, json, '')) return c.problems;
  required(c, json, '', ['imageLayoutVersion']);
  prop(json, 'imageLayoutVersion', '', (x, p) => {
    if (string(c, x, p) && x !== '1.0.0') c.add(p, `must be "1.0.0", not ${JSON.stringify(x)}`);
  });
  return c.problems;
}

function stringArrayOrNull(c: Checker, v: unknown, path: string): void {
  if (v !== null) stringArray(c, v, path);
}

function containerConfig(c: Checker, v: unknown, path: string): void {
  if (!object(c, v, path)) return;
  prop(v, 'User', path, (x, p) => string(c, x, p));
  prop(v, 'ExposedPorts', path, (x, p) => mapStringObject(c, x, p));
  prop(v, 'Env', path, (x, p) => {
    if (!stringArray(c, x, p)) return;
    x.forEach((e, i) => {
      if (typeof e === 'string' && !ENV_RE.test(e)) c.add(at(p, i), `${JSON.stringify(e)} is not KEY=value`);
    });
  });
  prop(v, 'Entrypoint', path, (x, p) => stringArrayOrNull(c, x, p));
  prop(v, 'Cmd', path, (x, p) => stringArrayOrNull(c, x, p));
  prop(v, 'Volumes', path, (x, p) => x !== null && mapStringObject(c, x, p));
  prop(v, 'WorkingDir', path, (x, p) => string(c, x, p));
  prop(v, 'Labels', path, (x, p) => x !== null && mapStringString(c, x, p));
  prop(v, 'StopSignal', path, (x, p) => string(c, x, p));
  prop(v, 'ArgsEscaped', path, (x, p) => boolean(c, x, p));
  // Docker extensions (not in the OCI schema): typed as moby's docker-image-spec types them.
  prop(v, 'Healthcheck', path, (x, p) => {
    if (x === null || !object(c, x, p)) return;
    prop(x, 'Test', p, (y, q) => stringArrayOrNull(c, y, q));
    for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval']) {
      prop(x, key, p, (y, q) => integer(c, y, q, INT64_MIN, INT64_MAX));
    }
    prop(x, 'Retries', p, (y, q) => integer(c, y, q, INT64_MIN, INT64_MAX));
  });
  prop(v, 'OnBuild', path, (x, p) => stringArrayOrNull(c, x, p));
  prop(v, 'Shell', path, (x, p) => stringArrayOrNull(c, x, p));
}

function dateTime(c: Checker, v: unknown, path: string): void {
  if (string(c, v, path) && !isDateTime(v)) c.add(path, `${JSON.stringify(v)} is not an RFC 3339 date-time`);
}

/** Problems of an image config (OCI or Docker). */
export function validateConfig(json: unknown): Problem[] {
  const c = new Checker();
  if (!object(c, json, '')) return c.problems;
  required(c, json, '', ['architecture', 'os', 'rootfs']);
  prop(json, 'created', '', (x, p) => dateTime(c, x, p));
  for (const key of ['author', 'architecture', 'variant', 'os', 'os.version']) {
    prop(json, key, '', (x, p) => string(c, x, p));
  }
  prop(json, 'os.features', '', (x, p) => stringArray(c, x, p));
  prop(json, 'config', '', (x, p) => containerConfig(c, x, p));
  prop(json, 'rootfs', '', (x, p) => {
    if (!object(c, x, p)) return;
    required(c, x, p, ['diff_ids', 'type']);
    prop(x, 'diff_ids', p, (y, q) => stringArray(c, y, q));
    prop(x, 'type', p, (y, q) => {
      if (string(c, y, q) && y !== 'layers') c.add(q, `must be "layers", not ${JSON.stringify(y)}`);
    });
  });
  prop(json, 'history', '', (x, p) => {
    if (!Array.isArray(x)) {
      c.add(p, `must be an array, not ${typeName(x)}`);
      return;
    }
    x.forEach((h, i) => {
      const hp = at(p, i);
      if (!object(c, h, hp)) return;
      prop(h, 'created', hp, (y, q) => dateTime(c, y, q));
      for (const key of ['author', 'created_by', 'comment']) prop(h, key, hp, (y, q) => string(c, y, q));
      prop(h, 'empty_layer', hp, (y, q) => boolean(c, y, q));
    });
  });
  return c.problems;
}

/** Parses `input` (UTF-8 JSON) and validates it as the document `mediaType` names. */
export function validateDocument(mediaType: string, input: string | Uint8Array): Problem[] {
  let json: unknown;
  try {
    const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    json = JSON.parse(text);
  } catch (e) {
    return [{ path: '', message: `not JSON: ${e instanceof Error ? e.message : String(e)}` }];
  }
  switch (mediaType) {
    case MediaType.OciDescriptor:
      return validateDescriptor(json);
    case MediaType.OciLayoutHeader:
      return validateLayout(json);
    case MediaType.OciManifest:
    case MediaType.DockerManifest:
      return validateManifest(json);
    case MediaType.OciIndex:
    case MediaType.DockerManifestList:
      return validateIndex(json);
    case MediaType.OciConfig:
    case MediaType.DockerConfig:
      return validateConfig(json);
    default:
      return [{ path: '', message: `no validator for media type ${JSON.stringify(mediaType)}` }];
  }
}

// --- images ---------------------------------------------------------------------------------------

function prefixed(prefix: string, problems: readonly Problem[]): Problem[] {
  return problems.map((p) => ({ path: prefix + p.path, message: p.message }));
}

function sameJson(raw: string, value: unknown): boolean {
  try {
    return canonicalJson(JSON.parse(raw)) === canonicalJson(value);
  } catch {
    return false;
  }
}

/** Problems of an `Image` value (empty = consistent), like go-containerregistry's `validate.Image`. */
export async function validateImage(image: Image): Promise<Problem[]> {
  // Checked: both documents schema-valid; raw text parses to the objects and hashes to the digests;
  // the config descriptor names the config; one diff ID and (when there is history) one non-empty
  // history entry per layer; `layers` agrees with the manifest; media types of one family.
  const problems: Problem[] = [
    ...prefixed('/manifest', validateManifest(image.manifest, { allowNoLayers: true })),
    ...prefixed('/config', validateConfig(image.config)),
  ];
  const add = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  const { manifest, config } = image;

  if (!sameJson(image.rawManifest, manifest)) add('/rawManifest', 'does not parse to the manifest object');
  if (!sameJson(image.rawConfig, config)) add('/rawConfig', 'does not parse to the config object');
  const manifestDigest = await sha256Digest(image.rawManifest);
  if (manifestDigest !== image.manifestDigest) {
    add('/manifestDigest', `is ${image.manifestDigest}, but the manifest bytes hash to ${manifestDigest}`);
  }
  const configDigest = await sha256Digest(image.rawConfig);
  if (configDigest !== image.configDigest) {
    add('/configDigest', `is ${image.configDigest}, but the config bytes hash to ${configDigest}`);
  }
  if (manifest.config?.digest !== configDigest) {
    add('/manifest/config/digest', `is ${String(manifest.config?.digest)}, but the config bytes hash to ${configDigest}`);
  }
  const configSize = new TextEncoder().encode(image.rawConfig).length;
  if (manifest.config?.size !== configSize) {
    add('/manifest/config/size', `is ${String(manifest.config?.size)}, but the config is ${configSize} bytes`);
  }

  const layers = manifest.layers ?? [];
  const diffIDs = config.rootfs?.diff_ids ?? [];
  if (diffIDs.length !== layers.length) {
    add('/config/rootfs/diff_ids', `has ${diffIDs.length} entries for ${layers.length} layers`);
  }
  diffIDs.forEach((d, i) => {
    if (!isDigest(d)) add(`/config/rootfs/diff_ids/${i}`, `${JSON.stringify(d)} is not a sha256 digest`);
  });
  const history = config.history ?? [];
  const nonEmpty = history.filter((h) => h.empty_layer !== true).length;
  if (history.length > 0 && nonEmpty !== layers.length) {
    add('/config/history', `has ${nonEmpty} entries that are not empty_layer for ${layers.length} layers`);
  }
  if (image.layers.length !== layers.length) {
    add('/layers', `has ${image.layers.length} entries for ${layers.length} manifest layers`);
  }
  image.layers.forEach((layer, i) => {
    const d = layers[i];
    if (d === undefined) return;
    if (layer.digest !== d.digest) add(`/layers/${i}/digest`, `is ${layer.digest}, the manifest says ${d.digest}`);
    if (layer.size !== d.size) add(`/layers/${i}/size`, `is ${layer.size}, the manifest says ${d.size}`);
    if (layer.mediaType !== d.mediaType) {
      add(`/layers/${i}/mediaType`, `is ${layer.mediaType}, the manifest says ${d.mediaType}`);
    }
    if (layer.diffID !== diffIDs[i]) add(`/layers/${i}/diffID`, `is ${layer.diffID}, the config says ${diffIDs[i]}`);
  });

  // One family: OCI manifest + OCI config + OCI layers, or Docker v2 schema 2 throughout.
  const family = manifest.mediaType === undefined ? 'oci' : mediaTypeFamily(manifest.mediaType);
  if (manifest.mediaType !== undefined && manifest.mediaType !== MediaType.OciManifest && manifest.mediaType !== MediaType.DockerManifest) {
    add('/manifest/mediaType', `${manifest.mediaType} is not an image manifest media type`);
  }
  const wantConfig = family === 'docker' ? MediaType.DockerConfig : MediaType.OciConfig;
  if (manifest.config?.mediaType !== wantConfig) {
    add('/manifest/config/mediaType', `is ${String(manifest.config?.mediaType)}, expected ${wantConfig} in this manifest`);
  }
  layers.forEach((d, i) => {
    if (!isLayerMediaType(d.mediaType) || mediaTypeFamily(d.mediaType) !== family) {
      add(`/manifest/layers/${i}/mediaType`, `${d.mediaType} is not a ${family ?? 'known'} layer media type`);
    }
    if (!isDigest(d.digest)) add(`/manifest/layers/${i}/digest`, `${JSON.stringify(d.digest)} is not a sha256 digest`);
  });
  return problems;
}
