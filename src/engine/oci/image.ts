/**
 * Immutable images, modelled on go-containerregistry's `pkg/v1`: `emptyImage()` is
 * `empty.Image` ("think: FROM scratch"), `appendLayer()` is `mutate.Append` and returns a new
 * image, and every value is deeply frozen. An `Image` carries its manifest and config both as
 * objects and as the exact JSON text they were stored as (`rawManifest`, `rawConfig`, like
 * `RawManifest()`/`RawConfigFile()`): digests are always of those bytes, so an image read from
 * elsewhere keeps its digests, and images made here are written as canonical JSON (see json.ts).
 */
import { OciError } from './errors.ts';
import type { Problem } from './errors.ts';
import { parseDigest, sha256Digest } from './digest.ts';
import type { Digest } from './digest.ts';
import { CONFIG_SHAPE, MANIFEST_SHAPE, canonicalJson } from './json.ts';
import { isLayerMediaType, MediaType, mediaTypeFamily } from './types.ts';
import type { ContainerConfig, Descriptor, History, ImageConfig, ImageManifest, Platform } from './types.ts';
import { validateConfig, validateImage, validateManifest } from './validate.ts';

/** One layer of an image: `digest` names the stored blob (maybe gzip), `diffID` the uncompressed tar. */
export interface Layer {
  /** Digest of the blob as stored and distributed (compressed or not, per `mediaType`). */
  readonly digest: Digest;
  /** Digest of the uncompressed tar (what `rootfs.diff_ids` lists). */
  readonly diffID: Digest;
  /** Size of the stored blob in bytes. */
  readonly size: number;
  /** Layer media type, e.g. `MediaType.OciLayerGzip`. */
  readonly mediaType: string;
}

/** An immutable image: manifest + config (objects and exact JSON) and their digests. */
export interface Image {
  /** The manifest, parsed. */
  readonly manifest: ImageManifest;
  /** The config, parsed. */
  readonly config: ImageConfig;
  /** Digest of `rawManifest` (what a registry or `docker images --digests` shows). */
  readonly manifestDigest: Digest;
  /** Digest of `rawConfig` (Docker's image ID). */
  readonly configDigest: Digest;
  /** The layers, base first; `layers[i]` matches `manifest.layers[i]` and `rootfs.diff_ids[i]`. */
  readonly layers: readonly Layer[];
  /** The manifest exactly as stored. */
  readonly rawManifest: string;
  /** The config exactly as stored. */
  readonly rawConfig: string;
}

/** OCI media types (the default) or Docker v2 schema 2 ones, as `docker save` of old wrote. */
export type ImageFormat = 'oci' | 'docker';

/** A history entry for `appendLayer` (it never has `empty_layer`). */
export type LayerHistory = Omit<History, 'empty_layer'>;

/** A container-config change: a value replaces the field, an explicit `undefined` removes it, absent keys stay. */
export type ConfigPatch = { readonly [K in keyof ContainerConfig]?: ContainerConfig[K] | undefined };

/** A change to the top-level config fields for `withMetadata` (same rules as `ConfigPatch`). */
export type MetadataPatch = {
  readonly [K in 'created' | 'author' | 'architecture' | 'os' | 'variant' | 'os.version']?: ImageConfig[K] | undefined;
};

/** The default PATH BuildKit puts in the Env of a `FROM scratch` image on Linux. */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const encoder = new TextEncoder();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A copy of `obj` with the patch applied (`undefined` values delete keys). */
function patched<T extends object>(obj: T, patch: object): T {
  const out = { ...obj } as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out as unknown as T;
}

/** Writes the config, hashes it, points the manifest at it, writes and hashes the manifest. */
async function assemble(manifest: ImageManifest, config: ImageConfig, layers: readonly Layer[]): Promise<Image> {
  const rawConfig = canonicalJson(config, CONFIG_SHAPE);
  const configDigest = await sha256Digest(rawConfig);
  const withConfig: ImageManifest = {
    ...manifest,
    config: { ...manifest.config, digest: configDigest, size: encoder.encode(rawConfig).length },
  };
  const rawManifest = canonicalJson(withConfig, MANIFEST_SHAPE);
  const manifestDigest = await sha256Digest(rawManifest);
  // Store what the raw text parses to, so object and bytes can never disagree.
  return deepFreeze({
    manifest: JSON.parse(rawManifest) as ImageManifest,
    config: JSON.parse(rawConfig) as ImageConfig,
    manifestDigest,
    configDigest,
    layers: layers.map((l) => ({ digest: l.digest, diffID: l.diffID, size: l.size, mediaType: l.mediaType })),
    rawManifest,
    rawConfig,
  });
}

/** Placeholder for the config descriptor's digest until `assemble` hashes the config. */
const PLACEHOLDER: Digest = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function formatOf(image: Image): ImageFormat {
  return mediaTypeFamily(image.manifest.mediaType) === 'docker' ? 'docker' : 'oci';
}

/** The empty image ("think: FROM scratch"): no layers, no history, the given platform. */
export async function emptyImage(
  platform: Platform = { os: 'linux', architecture: '386' },
  options: { readonly format?: ImageFormat } = {},
): Promise<Image> {
  const docker = options.format === 'docker';
  const config: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    'os.version': platform['os.version'],
    'os.features': platform['os.features'],
    variant: platform.variant,
    config: {},
    rootfs: { type: 'layers', diff_ids: [] },
  };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: docker ? MediaType.DockerManifest : MediaType.OciManifest,
    config: { mediaType: docker ? MediaType.DockerConfig : MediaType.OciConfig, digest: PLACEHOLDER, size: 0 },
    layers: [],
  };
  return assemble(manifest, config, []);
}

function checkLayer(image: Image, layer: Layer): void {
  parseDigest(layer.digest, 'layer digest');
  parseDigest(layer.diffID, 'layer diffID');
  if (!Number.isSafeInteger(layer.size) || layer.size < 0) {
    throw new OciError('invalid-argument', `layer size must be a non-negative integer, not ${layer.size}`, {
      what: 'layer size',
      actual: layer.size,
    });
  }
  const format = formatOf(image);
  if (!isLayerMediaType(layer.mediaType) || mediaTypeFamily(layer.mediaType) !== format) {
    throw new OciError(
      'media-type-mismatch',
      `layer media type ${layer.mediaType} cannot go into a${format === 'oci' ? 'n OCI' : ' Docker'} image`,
      { what: 'layer mediaType', actual: layer.mediaType },
    );
  }
}

function historyEntry(history: History, emptyLayer: boolean): History {
  return {
    created: history.created,
    created_by: history.created_by,
    author: history.author,
    comment: history.comment,
    empty_layer: emptyLayer ? true : undefined,
  };
}

/** A new image with `layer` on top (manifest layer, diff ID, history entry; `created` from history), like `mutate.Append`. */
export async function appendLayer(image: Image, layer: Layer, history: LayerHistory = {}): Promise<Image> {
  checkLayer(image, layer);
  if ((history as History).empty_layer === true) {
    throw new OciError('invalid-argument', 'appendLayer: history of a layer cannot be empty_layer; use appendEmptyLayerHistory', {
      what: 'history',
    });
  }
  const entry = historyEntry(history, false);
  const { config, manifest } = image;
  const descriptor: Descriptor = { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
  return assemble(
    { ...manifest, layers: [...manifest.layers, descriptor] },
    {
      ...config,
      created: entry.created ?? config.created,
      rootfs: { ...config.rootfs, diff_ids: [...config.rootfs.diff_ids, layer.diffID] },
      history: [...(config.history ?? []), entry],
    },
    [...image.layers, layer],
  );
}

/** A new image with a metadata-only build step recorded (`empty_layer: true`, no layer added). */
export async function appendEmptyLayerHistory(image: Image, history: LayerHistory): Promise<Image> {
  const entry = historyEntry(history, true);
  const { config } = image;
  return assemble(
    image.manifest,
    { ...config, created: entry.created ?? config.created, history: [...(config.history ?? []), entry] },
    image.layers,
  );
}

/** A new image with several empty-layer history entries appended at once (one config written, not one per entry). */
export async function appendEmptyLayerHistories(image: Image, histories: readonly LayerHistory[]): Promise<Image> {
  if (histories.length === 0) return image;
  const entries = histories.map((h) => historyEntry(h, true));
  const { config } = image;
  const created = entries.at(-1)!.created ?? config.created;
  return assemble(image.manifest, { ...config, created, history: [...(config.history ?? []), ...entries] }, image.layers);
}

/** A new image whose container config (Env, Cmd, Entrypoint...) has `patch` applied. */
export async function withConfig(image: Image, patch: ConfigPatch): Promise<Image> {
  const { config } = image;
  return assemble(image.manifest, { ...config, config: patched(config.config ?? {}, patch) }, image.layers);
}

/** A new image whose top-level config fields (created, author, platform) have `patch` applied. */
export async function withMetadata(image: Image, patch: MetadataPatch): Promise<Image> {
  const next = patched(image.config, patch);
  if (typeof next.architecture !== 'string' || typeof next.os !== 'string') {
    throw new OciError('invalid-argument', 'withMetadata: architecture and os cannot be removed', { what: 'config' });
  }
  return assemble(image.manifest, next, image.layers);
}

/** The bytes to store: the manifest and config exactly as their digests were computed. */
export function serializeImage(image: Image): { readonly manifestBytes: Uint8Array; readonly configBytes: Uint8Array } {
  return { manifestBytes: encoder.encode(image.rawManifest), configBytes: encoder.encode(image.rawConfig) };
}

function decode(input: Uint8Array | string, what: string): string {
  if (typeof input === 'string') return input;
  try {
    // ignoreBOM keeps a BOM in the text, so the text re-encodes to exactly these bytes (and JSON.parse rejects it).
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
  } catch {
    throw new OciError('invalid-json', `${what}: not UTF-8`, { what });
  }
}

function parse(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new OciError('invalid-json', `${what}: not JSON (${e instanceof Error ? e.message : String(e)})`, { what });
  }
}

function rejectProblems(what: string, problems: readonly Problem[]): void {
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new OciError('invalid-document', `${what} is not valid: ${first.path || '/'} ${first.message}`, {
      what,
      problems,
    });
  }
}

/** Reads an image from its stored manifest and config, byte for byte; throws an OciError (see README) if they are unusable. */
export async function deserializeImage(manifestInput: Uint8Array | string, configInput: Uint8Array | string): Promise<Image> {
  const rawManifest = decode(manifestInput, 'manifest');
  const rawConfig = decode(configInput, 'config');
  const manifestJson = parse(rawManifest, 'manifest');
  const configJson = parse(rawConfig, 'config');
  rejectProblems('manifest', validateManifest(manifestJson, { allowNoLayers: true }));
  rejectProblems('config', validateConfig(configJson));
  const manifest = manifestJson as ImageManifest;
  const config = configJson as ImageConfig;

  const configDigest = await sha256Digest(rawConfig);
  parseDigest(manifest.config.digest, 'manifest config digest');
  if (manifest.config.digest !== configDigest) {
    throw new OciError('digest-mismatch', `config: the manifest names ${manifest.config.digest}, the bytes hash to ${configDigest}`, {
      what: 'config',
      expected: manifest.config.digest,
      actual: configDigest,
    });
  }
  const size = encoder.encode(rawConfig).length;
  if (manifest.config.size !== size) {
    throw new OciError('size-mismatch', `config: the manifest says ${manifest.config.size} bytes, it is ${size}`, {
      what: 'config',
      expected: manifest.config.size,
      actual: size,
    });
  }
  const diffIDs = config.rootfs.diff_ids;
  if (diffIDs.length !== manifest.layers.length) {
    throw new OciError('inconsistent-image', `${manifest.layers.length} layers but ${diffIDs.length} diff_ids`, {
      what: 'image',
      expected: manifest.layers.length,
      actual: diffIDs.length,
    });
  }
  const layers = manifest.layers.map((d, i) => ({
    digest: parseDigest(d.digest, `layer ${i} digest`),
    diffID: parseDigest(diffIDs[i], `layer ${i} diffID`),
    size: d.size,
    mediaType: d.mediaType,
  }));
  const image: Image = deepFreeze({
    manifest,
    config,
    manifestDigest: await sha256Digest(rawManifest),
    configDigest,
    layers,
    rawManifest,
    rawConfig,
  });
  const problems = await validateImage(image);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new OciError('inconsistent-image', `image is inconsistent: ${first.path} ${first.message}`, {
      what: 'image',
      problems,
    });
  }
  return image;
}

/** Docker's image ID: the digest of the config. */
export function imageId(image: Image): Digest {
  return image.configDigest;
}

/** The 12 hex digits Docker shows for an image ID (or any digest). */
export function shortId(imageOrDigest: Image | Digest): string {
  const digest = typeof imageOrDigest === 'string' ? imageOrDigest : imageOrDigest.configDigest;
  return parseDigest(digest).slice('sha256:'.length, 'sha256:'.length + 12);
}

/** A descriptor of the image's manifest, for an index or `index.json` (annotations optional). */
export function manifestDescriptor(image: Image, annotations?: Readonly<Record<string, string>>): Descriptor {
  return deepFreeze({
    mediaType: image.manifest.mediaType ?? MediaType.OciManifest,
    digest: image.manifestDigest,
    size: encoder.encode(image.rawManifest).length,
    ...(annotations ? { annotations: { ...annotations } } : {}),
  });
}
