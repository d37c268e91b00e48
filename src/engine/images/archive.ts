/**
 * `docker save` and `docker load`: image archives.
 *
 * `saveImages` writes what Docker 25+ writes, one tar that is at once an OCI image layout
 * (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) and a docker-save archive (`manifest.json`
 * whose `Config` and `Layers` point into `blobs/`). Blobs are written exactly as stored, so image
 * IDs and manifest digests survive the trip.
 *
 * `loadImages` reads an OCI layout (nested indexes too: linux/386 or the only image is picked),
 * a docker-save archive (`manifest.json`, layers anywhere in the tar, old `<id>/layer.tar` with
 * symlinks), or both, plain or gzip- or zstd-compressed; layers may be gzip, zstd or plain tars
 * (a zstd layer is stored as it is, `tar+zstd`). Everything is verified before anything is stored:
 * digests and sizes against descriptors, layer diffIDs against the config, every layer through
 * `validateLayer`, sizes against limits. Only then are blobs written and records set, in one
 * metadata transaction; a rejected archive leaves the store as it was. Rejections are
 * `InvalidArgumentError`s reading `invalid archive: <where>: <problem>`.
 *
 * One deliberate leniency: a tar that stops right after its last member (no end-of-archive
 * blocks) is read as Go's archive/tar reads it, since Docker, skopeo and umoci accept it and
 * umoci 0.4's `insert` writes such layers. The layer package's reader (used everywhere else)
 * refuses them, so such a layer is stored properly terminated: new diffID, config and image ID,
 * reported in `warnings`.
 */
import type { PullEvent } from '../api.ts';
import { InvalidArgumentError, NotFoundError } from '../errors.ts';
import { compressionOf, contentSize, decompress, gzip, LayerError, normalizeLayerPath, readTar, symlinkEscapes, validateLayer, writeTar, type TarEntry, type TarEntryInit, type TarReadOptions } from '../layer/index.ts';
import {
  Annotation,
  canonicalJson,
  CONFIG_SHAPE,
  deserializeImage,
  INDEX_SHAPE,
  MANIFEST_SHAPE,
  manifestDescriptor,
  MediaType,
  OciError,
  serializeImage,
  sha256Digest,
  validateConfig,
  validateIndex,
  validateLayout,
  validateManifest,
  type Descriptor,
  type Digest,
  type Image,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Problem,
} from '../oci/index.ts';
import type { BlobStore, MetadataStore } from '../store/types.ts';
import { looksLikeId, parseReference, type Reference } from './reference.ts';
import type { ImageStore, ImportedImage } from './store.ts';

/** Limits and choices for `loadImages`. */
export interface LoadOptions {
  /** Largest archive accepted, after decompression (default 2 GiB). */
  maxArchiveSize?: number;
  /** Largest uncompressed layer accepted (default 2 GiB). */
  maxLayerSize?: number;
  /** The platform picked from a multi-platform index (default linux/386, the guest's). */
  platform?: { os: string; architecture: string };
}

/** What `loadImages` did. */
export interface LoadResult {
  /** Docker's output lines: `Loaded image: busybox:latest` or `Loaded image ID: sha256:…`. */
  loaded: string[];
  /** The images loaded, in archive order, with the references now pointing at them. */
  images: { id: string; references: string[] }[];
  /** Things repaired on the way in (see `readTarLenient`); each was also sent as an event. */
  warnings: string[];
}

const GiB = 1024 ** 3;
/** JSON documents (index.json, manifest.json, manifests, configs) larger than this are refused. */
const MAX_JSON = 16 * 1024 ** 2;
const MAX_INDEX_DEPTH = 4;
const MAX_SYMLINKS = 40;
const encoder = new TextEncoder();

function invalid(message: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`invalid archive: ${message}`, cause === undefined ? undefined : { cause });
}

/** A layer-package rejection in words that name the member and the problem. */
function describeLayerError(err: LayerError): string {
  if (err.entry === undefined) return err.reason;
  const entry = `entry ${JSON.stringify(err.entry)}`;
  switch (err.kind) {
    case 'path-escape':
      return `${entry} escapes the root: ${err.reason}`;
    case 'device':
      return `${entry} is a device file: ${err.reason}`;
    case 'size-limit':
      return `${entry} is too large: ${err.reason}`;
    default:
      return `${entry}: ${err.reason}`;
  }
}

/** Runs `fn`, turning layer and OCI errors into `invalid archive: <where>: …`. */
async function guard<T>(where: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LayerError) throw invalid(`${where}: ${describeLayerError(err)}`, err);
    if (err instanceof OciError) throw invalid(`${where}: ${err.message}`, err);
    throw err;
  }
}

function problemText(what: string, problems: readonly Problem[]): string {
  const first = problems[0]!;
  return `${what} is not valid: ${first.path || '/'} ${first.message}`;
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  if (bytes.length > MAX_JSON) throw invalid(`${what} is ${bytes.length} bytes, more than the ${MAX_JSON}-byte limit for a JSON document`);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (err) {
    throw invalid(`${what} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

/**
 * Reads a tar the way Go's archive/tar does (Docker, containerd, skopeo and umoci all read with
 * it): the archive may stop right after the last member's data, without the padding or the
 * end-of-archive blocks. umoci 0.4's `insert` writes such layers. `readTar` calls that truncated;
 * here it is accepted, and `terminated` holds the same archive properly ended. A member whose
 * data is cut short is still 'truncated'.
 */
function readTarLenient(bytes: Uint8Array, options: TarReadOptions): { entries: TarEntry[]; terminated?: Uint8Array } {
  try {
    return { entries: readTar(bytes, options) };
  } catch (err) {
    if (!(err instanceof LayerError) || err.kind !== 'truncated') throw err;
    const padded = new Uint8Array(Math.ceil(bytes.length / 512) * 512 + 1024);
    padded.set(bytes);
    let entries: TarEntry[];
    try {
      entries = readTar(padded, options);
    } catch {
      throw err;
    }
    const last = entries.at(-1);
    const end = last ? last.data.byteOffset - padded.byteOffset + last.data.length : 0;
    if (end > bytes.length) throw err;
    return { entries, terminated: padded };
  }
}

// ---------------------------------------------------------------------------------------------
// docker save

/** One saved name: the image and, unless it was saved by ID, the reference. */
interface SaveTarget {
  id: string;
  ref?: Reference;
}

function hasExplicitTag(input: string): boolean {
  return input.lastIndexOf(':') > input.lastIndexOf('/');
}

/** What one `docker save` argument names: an ID, a `name:tag`, or every tag of a repository. */
async function resolveForSave(store: ImageStore, all: readonly { reference: string; id: string }[], input: string): Promise<SaveTarget[]> {
  if (looksLikeId(input)) {
    try {
      const id = await store.resolveId(input);
      if (hexOf(id).startsWith(input.replace(/^sha256:/, ''))) return [{ id }];
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  const ref = parseReference(input);
  if (!hasExplicitTag(input.trim())) {
    // `docker save busybox` saves every tag of the repository.
    const tagged = all.filter((r) => parseReference(r.reference).repository === ref.repository);
    if (tagged.length) return tagged.map((r) => ({ id: r.id, ref: parseReference(r.reference) }));
  }
  return [{ id: await store.resolveId(ref.familiar), ref }];
}

/**
 * `docker save`: a tar of the images `refs` name (`name:tag`, a repository for all its tags, or
 * an image ID), in Docker 25+'s combined format: `blobs/`, `blobs/sha256/`, every manifest,
 * config and layer blob (sorted by digest), `index.json` (one manifest descriptor per reference,
 * annotated with the tag and the full name; an image saved by ID only gets a plain descriptor),
 * `manifest.json` (`Config`, `RepoTags`, `Layers` per image) and `oci-layout`. The same
 * arguments over the same store give the same bytes.
 */
export async function saveImages(store: ImageStore, blobs: BlobStore, refs: readonly string[]): Promise<Uint8Array> {
  if (refs.length === 0) throw new InvalidArgumentError('"docker save" requires at least 1 argument: the images to save');
  const all = await store.references();
  const targets: SaveTarget[] = [];
  for (const input of refs) targets.push(...(await resolveForSave(store, all, input)));

  const images = new Map<string, { image: Image; tags: string[] }>();
  for (const t of targets) if (!images.has(t.id)) images.set(t.id, { image: await store.load(t.id), tags: [] });

  // index.json: one descriptor per reference, in argument order; an image named only by ID gets
  // one plain descriptor where it was first named.
  const tagged = new Set(targets.filter((t) => t.ref).map((t) => t.id));
  const manifests: Descriptor[] = [];
  const seen = new Set<string>();
  for (const t of targets) {
    const entry = images.get(t.id)!;
    const key = t.ref ? `${t.id} ${t.ref.familiar}` : t.id;
    if (seen.has(key) || (!t.ref && tagged.has(t.id))) continue;
    seen.add(key);
    if (!t.ref) {
      manifests.push(manifestDescriptor(entry.image));
      continue;
    }
    entry.tags.push(t.ref.familiar);
    manifests.push(
      manifestDescriptor(entry.image, {
        [Annotation.ContainerdImageName]: `${t.ref.domain}/${t.ref.path}:${t.ref.tag}`,
        [Annotation.RefName]: t.ref.tag,
      }),
    );
  }

  const blobBytes = new Map<string, Uint8Array>();
  const dockerManifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  for (const [id, { image, tags }] of images) {
    const { manifestBytes, configBytes } = serializeImage(image);
    blobBytes.set(image.manifestDigest, manifestBytes);
    blobBytes.set(image.configDigest, configBytes);
    for (const layer of image.layers) {
      if (blobBytes.has(layer.digest)) continue;
      let bytes: Uint8Array;
      try {
        bytes = await blobs.get(layer.digest);
      } catch (err) {
        throw new NotFoundError(`layer ${layer.digest} of image ${id} is missing from the store; pull or build the image again`, { cause: err });
      }
      if (bytes.length !== layer.size) throw new InvalidArgumentError(`layer ${layer.digest} of image ${id} is ${bytes.length} bytes but its manifest says ${layer.size}`);
      blobBytes.set(layer.digest, bytes);
    }
    dockerManifest.push({
      Config: `blobs/sha256/${hexOf(image.configDigest)}`,
      RepoTags: tags,
      Layers: image.layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`),
    });
  }

  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests };
  const entries: TarEntryInit[] = [
    { name: 'blobs/', type: 'directory', mode: 0o755 },
    { name: 'blobs/sha256/', type: 'directory', mode: 0o755 },
  ];
  for (const digest of [...blobBytes.keys()].sort()) {
    entries.push({ name: `blobs/sha256/${hexOf(digest)}`, type: 'file', mode: 0o644, data: blobBytes.get(digest)! });
  }
  entries.push({ name: 'index.json', type: 'file', mode: 0o644, data: encoder.encode(canonicalJson(index, INDEX_SHAPE)) });
  entries.push({ name: 'manifest.json', type: 'file', mode: 0o644, data: encoder.encode(`${JSON.stringify(dockerManifest)}\n`) });
  entries.push({ name: 'oci-layout', type: 'file', mode: 0o644, data: encoder.encode(JSON.stringify({ imageLayoutVersion: '1.0.0' })) });
  return writeTar(entries);
}

// ---------------------------------------------------------------------------------------------
// docker load: the outer archive

/** The members of the outer archive: regular files by normalised path, and symlinks. */
class ArchiveFiles {
  readonly files = new Map<string, Uint8Array>();
  /** Symlink path → its target as a normalised archive path ('' is the root). */
  readonly links = new Map<string, string>();

  /** The file at `path`, following symlinks inside the archive; undefined when there is none. */
  lookup(path: string): Uint8Array | undefined {
    let parts = path === '' ? [] : path.split('/');
    let hops = 0;
    restart: for (;;) {
      for (let i = 0; i < parts.length; i++) {
        const prefix = parts.slice(0, i + 1).join('/');
        const target = this.links.get(prefix);
        if (target === undefined) continue;
        if (++hops > MAX_SYMLINKS) throw invalid(`entry ${JSON.stringify(path)}: too many levels of symbolic links`);
        parts = [...(target === '' ? [] : target.split('/')), ...parts.slice(i + 1)];
        continue restart;
      }
      return this.files.get(parts.join('/'));
    }
  }
}

/** Resolves a relative symlink target lexically from the link's directory (it must not climb out). */
function joinLexically(linkPath: string, target: string): string {
  const out = linkPath.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

async function readArchive(input: Uint8Array, maxArchiveSize: number): Promise<ArchiveFiles> {
  let bytes = input;
  if (compressionOf(bytes) !== 'none') {
    try {
      bytes = await decompress(input, { maxSize: maxArchiveSize });
    } catch (err) {
      if (err instanceof LayerError) throw invalid(describeLayerError(err), err);
      throw err;
    }
  } else {
    const magic = [...bytes.subarray(0, 6)];
    const starts = (...m: number[]) => m.every((b, i) => magic[i] === b);
    const kind = starts(0x42, 0x5a, 0x68) ? 'bzip2' : starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00) ? 'xz' : undefined;
    if (kind) throw invalid(`${kind}-compressed archives are not supported: use a plain, gzip- or zstd-compressed tar`);
  }
  if (bytes.length > maxArchiveSize) throw invalid(`the archive is ${bytes.length} bytes, more than the ${maxArchiveSize}-byte limit`);
  if (bytes.length === 0) throw invalid('the archive is empty');

  const archive = new ArchiveFiles();
  const entries = (() => {
    try {
      return readTarLenient(bytes, { maxEntrySize: maxArchiveSize, maxTotalSize: maxArchiveSize }).entries;
    } catch (err) {
      if (err instanceof LayerError) throw invalid(`${err.kind === 'size-limit' ? '' : 'not a readable tar archive: '}${describeLayerError(err)}`, err);
      throw err;
    }
  })();
  for (const e of entries) {
    const label = `entry ${JSON.stringify(e.name)}`;
    let path: string;
    try {
      path = normalizeLayerPath(e.name, e.name);
    } catch (err) {
      if (err instanceof LayerError) throw invalid(describeLayerError(err), err);
      throw err;
    }
    if (path === '') {
      if (e.type !== 'directory') throw invalid(`${label}: the archive root can only be a directory`);
      continue;
    }
    archive.files.delete(path);
    archive.links.delete(path);
    switch (e.type) {
      case 'directory':
        break;
      case 'file':
        archive.files.set(path, e.data);
        break;
      case 'symlink':
        if (e.linkname.startsWith('/')) throw invalid(`${label}: symlink target ${JSON.stringify(e.linkname)} is absolute; links in an image archive must stay inside it`);
        if (e.linkname === '' || e.linkname.includes('\0')) throw invalid(`${label}: symlink has an empty or NUL-containing target`);
        if (symlinkEscapes(path, e.linkname)) throw invalid(`${label} escapes the root: symlink target ${JSON.stringify(e.linkname)} points outside the archive`);
        archive.links.set(path, joinLexically(path, e.linkname));
        break;
      case 'hardlink': {
        if (e.linkname.startsWith('/')) throw invalid(`${label}: hard link target ${JSON.stringify(e.linkname)} is absolute; links in an image archive must stay inside it`);
        let target: string;
        try {
          target = normalizeLayerPath(e.linkname, e.name);
        } catch (err) {
          throw invalid(`${label} escapes the root: hard link target ${JSON.stringify(e.linkname)} points outside the archive`, err);
        }
        const data = archive.files.get(target);
        if (data === undefined) throw invalid(`${label}: hard link target ${JSON.stringify(e.linkname)} is not an earlier file of the archive`);
        archive.files.set(path, data);
        break;
      }
      case 'char':
      case 'block':
        throw invalid(`${label} is a device file (${e.type} ${e.devmajor}/${e.devminor}); an image archive holds only files, directories and links`);
      default:
        throw invalid(`${label} is a ${e.type}; an image archive holds only files, directories and links`);
    }
  }
  return archive;
}

// ---------------------------------------------------------------------------------------------
// docker load: images

/** What checking one layer found: its uncompressed size and, if it had to be repaired, the new layer. */
interface LayerCheck {
  size: number;
  /** The terminated layer, gzip-compressed when the original was compressed (gzip or zstd: LayerLab writes no zstd). */
  repaired?: { blob: Uint8Array; digest: Digest; diffID: Digest; gzip: boolean };
}

interface Candidate {
  image: Image;
  /** Blobs to store for it: manifest, config, layers. */
  blobs: Map<Digest, Uint8Array>;
  layerSizes: number[];
  references: string[];
}

class Loader {
  readonly candidates = new Map<string, Candidate>();
  private readonly verified = new Map<string, Uint8Array>();
  private readonly layers = new Map<string, LayerCheck>();
  /** Config digest as found in the archive → the candidate's key (they differ after a repair). */
  private readonly aliases = new Map<string, string>();
  readonly warnings: string[] = [];

  constructor(
    readonly archive: ArchiveFiles,
    readonly maxLayerSize: number,
    readonly platform: { os: string; architecture: string },
    readonly onEvent: (e: PullEvent) => void,
  ) {}

  /** A blob of the OCI layout, checked against its descriptor (size first, then digest). */
  async blob(desc: Pick<Descriptor, 'digest' | 'size'>, what: string): Promise<Uint8Array> {
    const digest = String(desc.digest);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw invalid(`${what} ${JSON.stringify(digest)}: only sha256 digests are supported`);
    const path = `blobs/sha256/${hexOf(digest)}`;
    const size = desc.size;
    if (!Number.isSafeInteger(size) || size < 0) throw invalid(`${what} ${path}: the descriptor's size ${String(size)} is not a byte count`);
    const bytes = this.archive.lookup(path);
    if (bytes === undefined) throw invalid(`${what} ${digest} is missing: the archive has no ${path}`);
    if (bytes.length !== size) throw invalid(`${what} ${path}: size mismatch: the descriptor says ${size} bytes, the blob has ${bytes.length}`);
    await this.checkDigest(bytes, digest as Digest, `${what} ${path}`);
    return bytes;
  }

  async checkDigest(bytes: Uint8Array, digest: Digest, where: string): Promise<void> {
    if (this.verified.get(digest) === bytes) return;
    const actual = await sha256Digest(bytes);
    if (actual !== digest) throw invalid(`${where}: digest mismatch: expected ${digest}, the content hashes to ${actual}`);
    this.verified.set(digest, bytes);
  }

  /**
   * Uncompresses and checks one layer blob: diffID, limits, `validateLayer`. A layer tar that
   * lacks its end-of-archive blocks (see `readTarLenient`) is repaired: `repaired` is the
   * terminated layer, with its own digest and diffID.
   */
  async layer(bytes: Uint8Array, digest: Digest, diffID: Digest, where: string): Promise<LayerCheck> {
    const key = `${digest} ${diffID}`;
    const known = this.layers.get(key);
    if (known !== undefined) return known;
    const compressed = compressionOf(bytes) !== 'none';
    const tar = compressed ? await guard(`layer ${where}`, () => decompress(bytes, { maxSize: this.maxLayerSize })) : bytes;
    if (tar.length > this.maxLayerSize) throw invalid(`layer ${where}: ${tar.length} bytes uncompressed, more than the ${this.maxLayerSize}-byte limit`);
    const actual = await sha256Digest(tar);
    if (actual !== diffID) throw invalid(`layer ${where}: diffID mismatch: the config's rootfs.diff_ids says ${diffID}, the uncompressed layer hashes to ${actual}`);
    const { entries, terminated } = await guard(`layer ${where}`, () => readTarLenient(tar, { maxEntrySize: this.maxLayerSize, maxTotalSize: this.maxLayerSize }));
    await guard(`layer ${where}`, () => validateLayer(entries));
    // the layer's size as Docker counts it: bytes of file content
    const check: LayerCheck = { size: contentSize(entries) };
    if (terminated) {
      const blob = compressed ? await gzip(terminated) : terminated;
      check.repaired = { blob, digest: await sha256Digest(blob), diffID: await sha256Digest(terminated), gzip: compressed };
      this.warn(`layer ${where}: the tar ends without its end-of-archive blocks (as umoci 0.4's insert writes them); loaded it properly terminated as ${check.repaired.diffID}, so the image gets a new ID`);
    }
    this.layers.set(key, check);
    this.onEvent({ id: hexOf(diffID).slice(0, 12), status: 'Loading layer', current: tar.length, total: tar.length });
    return check;
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.onEvent({ id: '', status: `Warning: ${message}` });
  }

  /** The image with repaired layers swapped in: new layer descriptors, diff_ids, config and manifest. */
  private async withRepairedLayers(image: Image, checks: readonly LayerCheck[], where: string): Promise<{ image: Image; blobs: Map<Digest, Uint8Array> }> {
    const blobs = new Map<Digest, Uint8Array>();
    if (!checks.some((c) => c.repaired)) return { image, blobs };
    const docker = image.manifest.mediaType === MediaType.DockerManifest;
    const config = JSON.parse(image.rawConfig) as ImageConfig;
    const rawConfig = canonicalJson(
      { ...config, rootfs: { ...config.rootfs, diff_ids: checks.map((c, i) => c.repaired?.diffID ?? config.rootfs.diff_ids[i]!) } },
      CONFIG_SHAPE,
    );
    const manifest = JSON.parse(image.rawManifest) as ImageManifest;
    const layers = manifest.layers.map((d, i) => {
      const r = checks[i]?.repaired;
      if (!r) return d;
      blobs.set(r.digest, r.blob);
      const mediaType = docker ? (r.gzip ? MediaType.DockerLayerGzip : MediaType.DockerLayer) : r.gzip ? MediaType.OciLayerGzip : MediaType.OciLayer;
      return { ...d, mediaType, digest: r.digest, size: r.blob.length };
    });
    const rawManifest = canonicalJson(
      { ...manifest, config: { ...manifest.config, digest: await sha256Digest(rawConfig), size: encoder.encode(rawConfig).length }, layers },
      MANIFEST_SHAPE,
    );
    const repaired = await guard(where, () => deserializeImage(rawManifest, rawConfig));
    blobs.set(repaired.manifestDigest, encoder.encode(rawManifest));
    blobs.set(repaired.configDigest, encoder.encode(rawConfig));
    return { image: repaired, blobs };
  }

  private known(configDigest: string): Candidate | undefined {
    return this.candidates.get(this.aliases.get(configDigest) ?? configDigest);
  }

  private addReferences(candidate: Candidate, references: readonly string[]): void {
    for (const r of references) if (!candidate.references.includes(r)) candidate.references.push(r);
  }

  /** Records an image whose layers are verified; a second sighting only adds references. */
  private add(found: string, image: Image, blobs: Map<Digest, Uint8Array>, layerSizes: number[], references: readonly string[]): void {
    this.aliases.set(found, image.configDigest);
    const existing = this.candidates.get(image.configDigest);
    if (existing) this.addReferences(existing, references);
    else this.candidates.set(image.configDigest, { image, blobs, layerSizes, references: [...new Set(references)] });
  }

  // --- OCI image layout ------------------------------------------------------------------------

  async layout(): Promise<void> {
    const header = this.archive.lookup('oci-layout');
    if (header !== undefined) {
      const problems = validateLayout(parseJson(header, 'oci-layout'));
      if (problems.length) throw invalid(problemText('oci-layout', problems));
    }
    const index = this.readIndex(this.archive.lookup('index.json')!, 'index.json');
    for (const [i, desc] of index.manifests.entries()) {
      const found = await this.resolveManifest(desc, `index.json manifests[${i}]`, 0);
      if (!found) continue;
      await this.ociImage(found.desc, found.bytes, namesFromAnnotations(desc.annotations));
    }
  }

  private readIndex(bytes: Uint8Array, what: string): ImageIndex {
    const json = parseJson(bytes, what);
    const problems = validateIndex(json);
    if (problems.length) throw invalid(problemText(what, problems));
    return json as ImageIndex;
  }

  /** Follows nested indexes down to one image manifest; undefined for descriptors of other things. */
  private async resolveManifest(desc: Descriptor, where: string, depth: number): Promise<{ desc: Descriptor; bytes: Uint8Array } | undefined> {
    if (desc.mediaType === MediaType.OciIndex || desc.mediaType === MediaType.DockerManifestList) {
      if (depth >= MAX_INDEX_DEPTH) throw invalid(`${where}: indexes nested more than ${MAX_INDEX_DEPTH} deep`);
      const path = `blobs/sha256/${hexOf(desc.digest)}`;
      const index = this.readIndex(await this.blob(desc, 'index'), `index ${path}`);
      return this.resolveManifest(this.choosePlatform(index.manifests, `index ${path}`), `index ${path}`, depth + 1);
    }
    if (desc.mediaType === MediaType.OciManifest || desc.mediaType === MediaType.DockerManifest) {
      return { desc, bytes: await this.blob(desc, 'manifest') };
    }
    return undefined; // an artifact or something else that is no image
  }

  private choosePlatform(manifests: readonly Descriptor[], where: string): Descriptor {
    const images = manifests.filter(
      (d) =>
        (d.mediaType === MediaType.OciManifest || d.mediaType === MediaType.DockerManifest || d.mediaType === MediaType.OciIndex || d.mediaType === MediaType.DockerManifestList) &&
        d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' &&
        d.platform?.os !== 'unknown',
    );
    const wanted = images.find((d) => d.platform?.os === this.platform.os && d.platform.architecture === this.platform.architecture);
    if (wanted) return wanted;
    if (images.length === 1) return images[0]!;
    if (images.length === 0) throw invalid(`${where} lists no image manifest`);
    const offered = images.map((d) => (d.platform ? [d.platform.os, d.platform.architecture, d.platform.variant].filter(Boolean).join('/') : 'unknown')).join(', ');
    throw invalid(`${where} has no ${this.platform.os}/${this.platform.architecture} image (it offers ${offered})`);
  }

  private async ociImage(desc: Descriptor, manifestBytes: Uint8Array, references: readonly string[]): Promise<void> {
    const where = `manifest blobs/sha256/${hexOf(desc.digest)}`;
    const json = parseJson(manifestBytes, where);
    const problems = validateManifest(json, { allowNoLayers: true });
    if (problems.length) throw invalid(problemText(where, problems));
    const manifest = json as ImageManifest;
    const configBytes = await this.blob(manifest.config, 'config');
    const found = await guard(where, () => deserializeImage(manifestBytes, configBytes));
    const existing = this.known(found.configDigest);
    if (existing) {
      this.addReferences(existing, references);
      return;
    }
    const blobs = new Map<Digest, Uint8Array>([
      [found.manifestDigest, manifestBytes],
      [found.configDigest, configBytes],
    ]);
    const checks: LayerCheck[] = [];
    for (const layer of found.layers) {
      const bytes = await this.blob(layer, 'layer');
      checks.push(await this.layer(bytes, layer.digest, layer.diffID, `blobs/sha256/${hexOf(layer.digest)}`));
      blobs.set(layer.digest, bytes);
    }
    const { image, blobs: replaced } = await this.withRepairedLayers(found, checks, where);
    this.add(found.configDigest, image, image === found ? blobs : keep(image, blobs, replaced), checks.map((c) => c.size), references);
  }

  // --- docker-save manifest.json ---------------------------------------------------------------

  /** A file named by manifest.json; it must stay inside the archive and exist. */
  private file(what: string, value: unknown): { path: string; bytes: Uint8Array } {
    if (typeof value !== 'string' || value === '') throw invalid(`manifest.json: ${what} must be a path in the archive, not ${JSON.stringify(value)}`);
    if (value.startsWith('/')) throw invalid(`manifest.json: ${what} ${JSON.stringify(value)} points outside the archive (absolute path)`);
    let path: string;
    try {
      path = normalizeLayerPath(value, value);
    } catch (err) {
      throw invalid(`manifest.json: ${what} ${JSON.stringify(value)} points outside the archive`, err);
    }
    const bytes = this.archive.lookup(path);
    if (bytes === undefined) throw invalid(`manifest.json: ${what} ${JSON.stringify(value)} is missing from the archive`);
    return { path, bytes };
  }

  /** When a file is named after a digest (`blobs/sha256/<hex>`, `<hex>.json`), it must hash to it. */
  private async nameDigest(path: string, bytes: Uint8Array): Promise<void> {
    const m = /^(?:.*\/)?blobs\/sha256\/([0-9a-f]{64})$/.exec(path) ?? /^([0-9a-f]{64})\.json$/.exec(path);
    if (m) await this.checkDigest(bytes, `sha256:${m[1]}`, path);
  }

  async dockerManifest(): Promise<void> {
    const json = parseJson(this.archive.lookup('manifest.json')!, 'manifest.json');
    if (!Array.isArray(json)) throw invalid('manifest.json must be a JSON array of images');
    for (const [i, raw] of json.entries()) {
      const at = `manifest.json[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(`${at} must be an object with Config, RepoTags and Layers`);
      const entry = raw as { Config?: unknown; RepoTags?: unknown; Layers?: unknown };
      const config = this.file(`${at}.Config`, entry.Config);
      if (!Array.isArray(entry.Layers)) throw invalid(`${at}.Layers must be an array of paths`);
      const layerFiles = entry.Layers.map((l: unknown, j: number) => this.file(`${at}.Layers[${j}]`, l));
      if (entry.RepoTags !== undefined && entry.RepoTags !== null && !Array.isArray(entry.RepoTags)) throw invalid(`${at}.RepoTags must be an array of names`);
      const references = ((entry.RepoTags as unknown[] | null | undefined) ?? []).map((tag) => {
        if (typeof tag !== 'string') throw invalid(`${at}.RepoTags: ${JSON.stringify(tag)} is not a name`);
        try {
          return parseReference(tag).familiar;
        } catch (err) {
          throw invalid(`${at}.RepoTags: ${err instanceof Error ? err.message : String(err)}`, err);
        }
      });

      await this.nameDigest(config.path, config.bytes);
      const configDigest = await sha256Digest(config.bytes);
      const existing = this.known(configDigest);
      if (existing) {
        // Docker 25+ archives: index.json named the same image with its real manifest.
        this.addReferences(existing, references);
        continue;
      }
      const configJson = parseJson(config.bytes, `config ${config.path}`);
      const problems = validateConfig(configJson);
      if (problems.length) throw invalid(problemText(`config ${config.path}`, problems));
      const diffIDs = (configJson as ImageConfig).rootfs.diff_ids;
      if (diffIDs.length !== layerFiles.length) {
        throw invalid(`${at}: ${layerFiles.length} layers but config ${config.path} lists ${diffIDs.length} diff_ids`);
      }
      const blobs = new Map<Digest, Uint8Array>([[configDigest, config.bytes]]);
      const checks: LayerCheck[] = [];
      const descriptors: Descriptor[] = [];
      for (const [j, f] of layerFiles.entries()) {
        const diffID = diffIDs[j]!;
        if (!/^sha256:[0-9a-f]{64}$/.test(diffID)) throw invalid(`config ${config.path}: diff_ids[${j}] ${JSON.stringify(diffID)} is not a sha256 digest`);
        await this.nameDigest(f.path, f.bytes);
        const digest = await sha256Digest(f.bytes);
        checks.push(await this.layer(f.bytes, digest, diffID, f.path));
        blobs.set(digest, f.bytes);
        const compression = compressionOf(f.bytes);
        const mediaType = compression === 'gzip' ? MediaType.OciLayerGzip : compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayer;
        descriptors.push({ mediaType, digest, size: f.bytes.length });
      }
      // A docker-save archive has no manifest: write the one a registry would serve.
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: configDigest, size: config.bytes.length },
        layers: descriptors,
      };
      const manifestText = canonicalJson(manifest, MANIFEST_SHAPE);
      const where = `${at} (config ${config.path})`;
      const found = await guard(where, () => deserializeImage(manifestText, config.bytes));
      blobs.set(found.manifestDigest, encoder.encode(manifestText));
      const { image, blobs: replaced } = await this.withRepairedLayers(found, checks, where);
      this.add(configDigest, image, image === found ? blobs : keep(image, blobs, replaced), checks.map((c) => c.size), references);
    }
  }
}

/** The blobs a (repaired) image needs: its manifest, config and layers, from `replaced` or `blobs`. */
function keep(image: Image, blobs: ReadonlyMap<Digest, Uint8Array>, replaced: ReadonlyMap<Digest, Uint8Array>): Map<Digest, Uint8Array> {
  const out = new Map<Digest, Uint8Array>();
  for (const d of [image.manifestDigest, image.configDigest, ...image.layers.map((l) => l.digest)]) {
    const bytes = replaced.get(d) ?? blobs.get(d);
    if (bytes) out.set(d, bytes);
  }
  return out;
}

/**
 * The reference an index.json descriptor names: containerd's full `io.containerd.image.name`,
 * else `org.opencontainers.image.ref.name` when it is a full name (`busybox:1.36`,
 * `localhost:5000/app`); a bare tag such as `latest` names no repository, so none.
 */
function namesFromAnnotations(annotations: Readonly<Record<string, string>> | undefined): string[] {
  for (const name of [annotations?.[Annotation.ContainerdImageName], annotations?.[Annotation.RefName]]) {
    if (!name || !/[:/]/.test(name)) continue;
    try {
      return [parseReference(name).familiar];
    } catch {
      // not a reference: ignore it, as containerd does
    }
  }
  return [];
}

/**
 * `docker load`: reads `archive` (tar, gzip'd or zstd'd tar; an OCI image layout, a docker-save archive,
 * or both as Docker 25+ writes), verifies everything, then stores the images and points their
 * references at them (a reference already in use is moved, as Docker does). Events:
 * `Loading layer` per verified layer (and `Warning: …` per repaired one), then a renaming
 * notice per moved reference and the `Loaded image…` lines. `meta` is not needed (records go through `store`, in one transaction);
 * it is accepted so callers can hand over their stores uniformly.
 */
export async function loadImages(
  store: ImageStore,
  blobs: BlobStore,
  meta: MetadataStore | undefined,
  archive: Uint8Array,
  onEvent: (e: PullEvent) => void = () => {},
  options: LoadOptions = {},
): Promise<LoadResult> {
  void meta;
  const maxArchiveSize = options.maxArchiveSize ?? 2 * GiB;
  const files = await readArchive(archive, maxArchiveSize);
  const hasIndex = files.lookup('index.json') !== undefined;
  const hasManifest = files.lookup('manifest.json') !== undefined;
  if (!hasIndex && !hasManifest) {
    throw invalid('neither manifest.json nor index.json found: this is not a `docker save` archive or an OCI image layout');
  }
  const loader = new Loader(files, options.maxLayerSize ?? 2 * GiB, options.platform ?? { os: 'linux', architecture: '386' }, onEvent);
  if (hasIndex) await loader.layout();
  if (hasManifest) await loader.dockerManifest();
  const candidates = [...loader.candidates.values()];
  if (candidates.length === 0) throw invalid('the archive holds no image');

  // Everything checked: store the blobs of new images, then all records in one transaction.
  const added: Digest[] = [];
  const items: ImportedImage[] = [];
  try {
    for (const c of candidates) {
      if (!(await store.hasImage(c.image.configDigest))) {
        for (const [digest, bytes] of c.blobs) {
          if (await blobs.has(digest)) continue;
          await blobs.put(bytes, { digest, size: bytes.length });
          added.push(digest);
        }
      }
      items.push({ image: c.image, layerSizes: c.layerSizes, references: c.references });
    }
    const replaced = await store.importImages(items);
    for (const r of replaced) {
      onEvent({ id: '', status: `The image ${r.reference} already exists, renaming the old one with ID ${r.previous} to empty string` });
    }
  } catch (err) {
    for (const digest of added) await blobs.delete(digest).catch(() => false);
    throw err;
  }

  const loaded: string[] = [];
  for (const c of candidates) {
    if (c.references.length === 0) loaded.push(`Loaded image ID: ${c.image.configDigest}`);
    for (const r of c.references) loaded.push(`Loaded image: ${r}`);
  }
  for (const line of loaded) onEvent({ id: '', status: line });
  return { loaded, images: candidates.map((c) => ({ id: c.image.configDigest, references: [...c.references] })), warnings: [...loader.warnings] };
}
