/**
 * `docker load`: reads an OCI layout (nested indexes too: linux/386 or the only image is picked),
 * a docker-save archive (`manifest.json`, layers anywhere in the tar, old `<id>/layer.tar` with
 * symlinks), or both, plain or gzip- or zstd-compressed; layers may be gzip, zstd or plain tars
 * (a zstd layer is stored as it is, `tar+zstd`). Everything is verified before anything is stored:
 * digests and sizes against descriptors, layer diffIDs against the config, every layer through
 * `validateLayer`, sizes against limits. Only then are blobs written and records set, in one
 * metadata transaction; a rejected archive leaves the store as it was. Rejections are
 * `InvalidArgumentError`s reading `invalid archive: <where>: <problem>`.
 *
 * A layer tar that stops right after its last member (no end-of-archive blocks; see
 * `readTarLenient`) is refused by the layer package's reader used everywhere else, so such a
 * layer is stored properly terminated: new diffID, config and image ID, reported in `warnings`.
 */
import type { PullEvent } from '../api.ts';
import {
  compressionOf,
  contentSize,
  decompress,
  gzip,
  LayerError,
  normalizeLayerPath,
  validateLayer,
  type TarEntry,
} from '../layer/index.ts';
import {
  canonicalJson,
  CONFIG_SHAPE,
  deserializeImage,
  MANIFEST_SHAPE,
  MediaType,
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
} from '../oci/index.ts';
import type { BlobStore, MetadataStore } from '../store/types.ts';
import { blobPath, hexOf, namesFromAnnotations, type DockerSaveEntry } from './archive-format.ts';
import { guard, invalid, parseJson, problemText, readArchive, readTarLenient, type ArchiveFiles } from './archive-reader.ts';
import { parseReference } from './reference.ts';
import type { ImageStore, ImportedImage } from './store.ts';

/** Limits and choices for `loadImages`. */
export interface LoadOptions {
  /** Largest archive accepted, after decompression (default 2 GiB). */
  maxArchiveSize?: number;
  /** Largest uncompressed layer accepted (default 2 GiB). */
  maxLayerSize?: number;
  /** The platform picked from a multi-platform index (default linux/386, the guest's). */
  platform?: { os: string; architecture: string };
  /**
   * What the machine can hold for images and containers (its disk and its files, measured on the
   * guest): an image whose layers unpack to more could never run, so it is refused at load.
   */
  machine?: MachineStorage;
}

/** The guest's storage for layers and containers: bytes and files (inodes) in all. */
export interface MachineStorage {
  bytes: number;
  files: number;
}

/** The largest image config accepted: it travels to the machine in one message of at most 1 MiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

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
const MAX_INDEX_DEPTH = 4;
const encoder = new TextEncoder();

/** What checking one layer found: its uncompressed size and, if it had to be repaired, the new layer. */
interface LayerCheck {
  size: number;
  /** Uncompressed tar bytes and entries: what unpacking needs of the machine. */
  tarBytes: number;
  files: number;
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

/** Reads and verifies the images of one archive; nothing is stored until `loadImages` has them all. */
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
    readonly machine?: MachineStorage,
  ) {}

  /** Refuses a config too large to send to the machine. */
  checkConfig(bytes: Uint8Array, where: string): void {
    if (bytes.length > MAX_CONFIG_BYTES) {
      throw invalid(
        `${where} is ${bytes.length} bytes; LayerLab runs images whose config is at most ${MAX_CONFIG_BYTES} bytes (1 MiB): it goes to the machine in one message`,
      );
    }
  }

  /** Refuses an image whose layers, unpacked, the machine could never hold. */
  checkFits(where: string, checks: readonly LayerCheck[]): void {
    if (!this.machine) return;
    const bytes = checks.reduce((n, c) => n + c.tarBytes, 0);
    const files = checks.reduce((n, c) => n + c.files, 0);
    const mb = (n: number) => `${Math.round(n / 1e6)} MB`;
    if (bytes > this.machine.bytes || files > this.machine.files) {
      throw invalid(
        `${where}: its layers unpack to ${mb(bytes)} in ${files} files, more than LayerLab's machine can hold (${mb(this.machine.bytes)} and ${this.machine.files} files for all images and containers); it would fail with "No space left on device"`,
      );
    }
  }

  /** A blob of the OCI layout, checked against its descriptor (size first, then digest). */
  async blob(desc: Pick<Descriptor, 'digest' | 'size'>, what: string): Promise<Uint8Array> {
    const digest = String(desc.digest);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw invalid(`${what} ${JSON.stringify(digest)}: only sha256 digests are supported`);
    const path = blobPath(digest);
    const size = desc.size;
    if (!Number.isSafeInteger(size) || size < 0)
      throw invalid(`${what} ${path}: the descriptor's size ${String(size)} is not a byte count`);
    const bytes = this.archive.lookup(path);
    if (bytes === undefined) throw invalid(`${what} ${digest} is missing: the archive has no ${path}`);
    if (bytes.length !== size)
      throw invalid(`${what} ${path}: size mismatch: the descriptor says ${size} bytes, the blob has ${bytes.length}`);
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
    // decompression stops at the limit (memory stays bounded however far a layer would expand)
    const limit = Math.min(this.maxLayerSize, this.machine?.bytes ?? Infinity);
    const machineBound = !!this.machine && limit === this.machine.bytes;
    const tooBig = () =>
      invalid(
        machineBound
          ? `layer ${where}: unpacks to more than ${Math.round(limit / 1e6)} MB, more than LayerLab's machine can hold for all images and containers`
          : `layer ${where}: more than ${limit} bytes uncompressed, more than the ${limit}-byte limit`,
      );
    const tar = compressed
      ? await guard(`layer ${where}`, () =>
          decompress(bytes, { maxSize: limit }).catch((err: unknown) => {
            throw err instanceof LayerError && err.kind === 'size-limit' && machineBound ? tooBig() : err;
          }),
        )
      : bytes;
    if (tar.length > limit) throw tooBig();
    const actual = await sha256Digest(tar);
    if (actual !== diffID)
      throw invalid(
        `layer ${where}: diffID mismatch: the config's rootfs.diff_ids says ${diffID}, the uncompressed layer hashes to ${actual}`,
      );
    const { entries, terminated } = await guard(`layer ${where}`, () =>
      readTarLenient(tar, { maxEntrySize: this.maxLayerSize, maxTotalSize: this.maxLayerSize }),
    );
    await guard(`layer ${where}`, () => validateLayer(entries));
    refuseUnderOwnSymlink(entries, `layer ${where}`);
    // the layer's size as Docker counts it: bytes of file content
    const check: LayerCheck = { size: contentSize(entries), tarBytes: tar.length, files: entries.length };
    if (terminated) {
      const blob = compressed ? await gzip(terminated) : terminated;
      check.repaired = { blob, digest: await sha256Digest(blob), diffID: await sha256Digest(terminated), gzip: compressed };
      this.warn(
        `layer ${where}: the tar ends without its end-of-archive blocks (as umoci 0.4's insert writes them); loaded it properly terminated as ${check.repaired.diffID}, so the image gets a new ID`,
      );
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
  private async withRepairedLayers(
    image: Image,
    checks: readonly LayerCheck[],
    where: string,
  ): Promise<{ image: Image; blobs: Map<Digest, Uint8Array> }> {
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
      const mediaType = docker
        ? r.gzip
          ? MediaType.DockerLayerGzip
          : MediaType.DockerLayer
        : r.gzip
          ? MediaType.OciLayerGzip
          : MediaType.OciLayer;
      return { ...d, mediaType, digest: r.digest, size: r.blob.length };
    });
    const rawManifest = canonicalJson(
      {
        ...manifest,
        config: { ...manifest.config, digest: await sha256Digest(rawConfig), size: encoder.encode(rawConfig).length },
        layers,
      },
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
  private async resolveManifest(
    desc: Descriptor,
    where: string,
    depth: number,
  ): Promise<{ desc: Descriptor; bytes: Uint8Array } | undefined> {
    if (desc.mediaType === MediaType.OciIndex || desc.mediaType === MediaType.DockerManifestList) {
      if (depth >= MAX_INDEX_DEPTH) throw invalid(`${where}: indexes nested more than ${MAX_INDEX_DEPTH} deep`);
      const path = blobPath(desc.digest);
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
        (d.mediaType === MediaType.OciManifest ||
          d.mediaType === MediaType.DockerManifest ||
          d.mediaType === MediaType.OciIndex ||
          d.mediaType === MediaType.DockerManifestList) &&
        d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' &&
        d.platform?.os !== 'unknown',
    );
    const wanted = images.find((d) => d.platform?.os === this.platform.os && d.platform.architecture === this.platform.architecture);
    if (wanted) return wanted;
    if (images.length === 1) return images[0]!;
    if (images.length === 0) throw invalid(`${where} lists no image manifest`);
    const offered = images
      .map((d) => (d.platform ? [d.platform.os, d.platform.architecture, d.platform.variant].filter(Boolean).join('/') : 'unknown'))
      .join(', ');
    throw invalid(`${where} has no ${this.platform.os}/${this.platform.architecture} image (it offers ${offered})`);
  }

  private async ociImage(desc: Descriptor, manifestBytes: Uint8Array, references: readonly string[]): Promise<void> {
    const where = `manifest ${blobPath(desc.digest)}`;
    const json = parseJson(manifestBytes, where);
    const problems = validateManifest(json, { allowNoLayers: true });
    if (problems.length) throw invalid(problemText(where, problems));
    const manifest = json as ImageManifest;
    const configBytes = await this.blob(manifest.config, 'config');
    this.checkConfig(configBytes, `config ${blobPath(manifest.config.digest)}`);
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
      checks.push(await this.layer(bytes, layer.digest, layer.diffID, blobPath(layer.digest)));
      blobs.set(layer.digest, bytes);
    }
    this.checkFits(`image ${found.configDigest.slice(7, 19)}`, checks);
    const { image, blobs: replaced } = await this.withRepairedLayers(found, checks, where);
    this.add(
      found.configDigest,
      image,
      image === found ? blobs : keep(image, blobs, replaced),
      checks.map((c) => c.size),
      references,
    );
  }

  // --- docker-save manifest.json ---------------------------------------------------------------

  /** A file named by manifest.json; it must stay inside the archive and exist. */
  private file(what: string, value: unknown): { path: string; bytes: Uint8Array } {
    if (typeof value !== 'string' || value === '')
      throw invalid(`manifest.json: ${what} must be a path in the archive, not ${JSON.stringify(value)}`);
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
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw invalid(`${at} must be an object with Config, RepoTags and Layers`);
      const entry = raw as { [K in keyof DockerSaveEntry]?: unknown };
      const config = this.file(`${at}.Config`, entry.Config);
      if (!Array.isArray(entry.Layers)) throw invalid(`${at}.Layers must be an array of paths`);
      const layerFiles = entry.Layers.map((l: unknown, j: number) => this.file(`${at}.Layers[${j}]`, l));
      if (entry.RepoTags !== undefined && entry.RepoTags !== null && !Array.isArray(entry.RepoTags))
        throw invalid(`${at}.RepoTags must be an array of names`);
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
      this.checkConfig(config.bytes, `config ${config.path}`);
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
        if (!/^sha256:[0-9a-f]{64}$/.test(diffID))
          throw invalid(`config ${config.path}: diff_ids[${j}] ${JSON.stringify(diffID)} is not a sha256 digest`);
        await this.nameDigest(f.path, f.bytes);
        const digest = await sha256Digest(f.bytes);
        checks.push(await this.layer(f.bytes, digest, diffID, f.path));
        blobs.set(digest, f.bytes);
        const compression = compressionOf(f.bytes);
        const mediaType =
          compression === 'gzip' ? MediaType.OciLayerGzip : compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayer;
        descriptors.push({ mediaType, digest, size: f.bytes.length });
      }
      this.checkFits(`image ${configDigest.slice(7, 19)}`, checks);
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
      this.add(
        configDigest,
        image,
        image === found ? blobs : keep(image, blobs, replaced),
        checks.map((c) => c.size),
        references,
      );
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
  const loader = new Loader(
    files,
    options.maxLayerSize ?? 2 * GiB,
    options.platform ?? { os: 'linux', architecture: '386' },
    onEvent,
    options.machine,
  );
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
  return {
    loaded,
    images: candidates.map((c) => ({ id: c.image.configDigest, references: [...c.references] })),
    warnings: [...loader.warnings],
  };
}

/**
 * Refuses a layer with an entry under a symbolic link of the same layer (`lnk -> /`, then `lnk/x`):
 * unpacking it would write through the link (outside the layer, or somewhere else in it), so such
 * a layer loads but can never be unpacked safely.
 */
function refuseUnderOwnSymlink(entries: readonly TarEntry[], where: string): void {
  const links = new Set<string>();
  for (const e of entries) if (e.type === 'symlink') links.add(normalizeLayerPath(e.name));
  if (!links.size) return;
  for (const e of entries) {
    const parts = normalizeLayerPath(e.name).split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (links.has(parent))
        throw invalid(
          `${where}: the entry ${JSON.stringify(e.name)} lies under ${JSON.stringify(parent)}, a symbolic link in the same layer; such a layer cannot be unpacked safely`,
        );
    }
  }
}
