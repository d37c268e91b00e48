/**
 * Local images: OCI manifests, configs and layers in the BlobStore, and references
 * (`name:tag` → image) in the MetadataStore, like a local registry. Images are immutable
 * values (`src/engine/oci/image.ts`); every operation stores a new one.
 */
import type { HistoryEntry, ImageInspect, ImageRuntimeConfig, ImageSummary, PruneReport, PullEvent } from '../api.ts';
import type { ResolvedImage } from '../containers/manager.ts';
import { ConflictError, InvalidArgumentError, NotFoundError, UnavailableError } from '../errors.ts';
import {
  contentSize,
  decompress,
  LayerError,
  mergeLayers,
  readTar,
  validateLayer,
  writeTar,
  type FsTree,
  type TarEntry,
} from '../layer/index.ts';
import { sha256Digest, type Digest } from '../oci/digest.ts';
import { appendLayer, deserializeImage, emptyImage, serializeImage, withConfig, type Image, type Layer } from '../oci/image.ts';
import { MediaType } from '../oci/types.ts';
import type { BlobStore, MetadataStore } from '../store/types.ts';
import { offersRepository, offlineHint } from './nearest.ts';
import { looksLikeId, parseReference, type Reference } from './reference.ts';
import type { ImageSource } from './source.ts';

const REFS = 'refs';
const IMAGES = 'images';
const LAYERS = 'layers';

/** What the store keeps about an image (its manifest and config are blobs). */
export interface ImageRecord {
  id: string;
  manifest: string;
  created: string;
  /** Uncompressed bytes of all layers. */
  size: number;
  /** Kept for the build cache only: hidden from `docker images`. */
  intermediate?: boolean;
  /** `REPOSITORY@sha256:…` of the manifest it was pulled as or pushed as (Docker's RepoDigests). */
  repoDigests?: string[];
}

/** What the store keeps about a layer blob. */
export interface LayerRecord {
  digest: string;
  diffID: string;
  /** Bytes of file content in the layer (`contentSize`), as Docker counts a layer's size. */
  size: number;
}

/** One image of a `docker load`, for `ImageStore.importImages` (its blobs must already be stored). */
export interface ImportedImage {
  image: Image;
  /** Bytes of file content of each layer (`contentSize`), base first. */
  layerSizes: readonly number[];
  /** References (`name:tag`, any form `parseReference` takes) to point at the image. */
  references: readonly string[];
}

/** Dependencies of the image store. */
export interface ImageDeps {
  blobs: BlobStore;
  meta: MetadataStore;
  source: ImageSource;
  now(): Date;
  /** Image ID → IDs of containers using it. */
  containersUsing(): Promise<Map<string, string[]>>;
  /** Sees every pull's progress, whoever started it (the CLI, a build's FROM): for a progress bar. */
  onPullEvent?: (reference: string, event: PullEvent) => void;
}

/**
 * A Docker Hub reference the offline catalog does not hold (never swapped for another): Docker's
 * own words (`manifest unknown` for a tag, `pull access denied` for a repository), then one line
 * of LayerLab's naming the closest references it has.
 */
export class NotOfferedError extends UnavailableError {
  override name = 'NotOfferedError';
  /** Whether the catalog has other tags of the repository (Docker's `manifest unknown`) or none (`pull access denied`). */
  readonly repositoryKnown: boolean;
  /** LayerLab's line: `LayerLab runs offline and has no python:3.12-slim; the closest tags it has: …`. */
  readonly hint: string;

  constructor(
    /** The reference asked for. */
    readonly reference: Reference,
    offered: readonly string[],
  ) {
    const repositoryKnown = offersRepository(reference.familiar, offered);
    const words = repositoryKnown
      ? `manifest for ${reference.familiar} not found: manifest unknown: manifest unknown`
      : `pull access denied for ${reference.repository}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`;
    const hint = offlineHint(reference.familiar, offered);
    super(`${words}\n${hint}`);
    this.repositoryKnown = repositoryKnown;
    this.hint = hint;
  }
}

/** Local images (`docker images/pull/tag/rmi/history/inspect`) and the image side of containers. */
export class ImageStore {
  private readonly trees = new Map<string, Promise<FsTree>>();

  constructor(private readonly deps: ImageDeps) {}

  /** Loads an image value by ID. */
  async load(id: string): Promise<Image> {
    const rec = await this.deps.meta.get<ImageRecord>(IMAGES, id);
    if (!rec) throw new NotFoundError(`No such image: ${id}`);
    const [manifest, config] = await Promise.all([this.deps.blobs.get(rec.manifest as Digest), this.deps.blobs.get(id as Digest)]);
    return deserializeImage(manifest, config);
  }

  /** Stores an image value (its layers must already be stored) and returns its ID. */
  async put(image: Image, options: { intermediate?: boolean } = {}): Promise<string> {
    const { manifestBytes, configBytes } = serializeImage(image);
    await this.deps.blobs.put(configBytes, image.configDigest);
    await this.deps.blobs.put(manifestBytes, image.manifestDigest);
    let size = 0;
    for (const l of image.layers) size += (await this.deps.meta.get<LayerRecord>(LAYERS, l.diffID))?.size ?? l.size;
    const existing = await this.deps.meta.get<ImageRecord>(IMAGES, image.configDigest);
    const record: ImageRecord = {
      id: image.configDigest,
      manifest: image.manifestDigest,
      created: image.config.created ?? this.deps.now().toISOString(),
      size,
      ...(options.intermediate && (!existing || existing.intermediate) ? { intermediate: true } : {}),
      ...(existing?.repoDigests?.length ? { repoDigests: existing.repoDigests } : {}),
    };
    await this.deps.meta.put(IMAGES, record.id, record);
    return record.id;
  }

  /** Stores a layer from its uncompressed tar entries; returns the OCI layer (uncompressed media type). */
  async putLayer(entries: readonly TarEntry[]): Promise<Layer> {
    const tar = writeTar(entries);
    const info = await this.deps.blobs.put(tar);
    const layer: Layer = { digest: info.digest as Digest, diffID: info.digest as Digest, size: tar.length, mediaType: MediaType.OciLayer };
    await this.deps.meta.put(LAYERS, layer.diffID, {
      digest: layer.digest,
      diffID: layer.diffID,
      size: contentSize(tar),
    } satisfies LayerRecord);
    return layer;
  }

  /** Points `name:tag` at an image. */
  async setReference(reference: string, id: string): Promise<void> {
    const ref = parseReference(reference);
    const rec = await this.deps.meta.get<ImageRecord>(IMAGES, id);
    if (!rec) throw new NotFoundError(`No such image: ${id}`);
    await this.deps.meta.transaction(async (tx) => {
      tx.put(REFS, ref.familiar, { id });
      if (rec.intermediate) tx.put(IMAGES, id, { ...rec, intermediate: undefined } as unknown as ImageRecord);
    });
  }

  /** Every reference (`name:tag` as Docker prints it) with the image ID it points at, sorted by reference. */
  async references(): Promise<{ reference: string; id: string }[]> {
    return (await this.deps.meta.list<{ id: string }>(REFS)).map((e) => ({ reference: e.key, id: e.value.id }));
  }

  /** Whether an image with exactly this ID (`sha256:…`) is stored. */
  async hasImage(id: string): Promise<boolean> {
    return (await this.deps.meta.get<ImageRecord>(IMAGES, id)) !== undefined;
  }

  /**
   * Records loaded images (`docker load`) whose manifest, config and layer blobs are already
   * stored: image records, missing layer records and references, all in one metadata
   * transaction (all or nothing). An image already stored keeps its record (and manifest) and
   * stops being intermediate. Returns the references that pointed at another image before.
   */
  async importImages(items: readonly ImportedImage[]): Promise<{ reference: string; previous: string }[]> {
    const refs = items.map((item) => item.references.map((r) => parseReference(r).familiar));
    const now = this.deps.now().toISOString();
    return this.deps.meta.transaction(async (tx) => {
      const replaced: { reference: string; previous: string }[] = [];
      for (const [n, { image, layerSizes }] of items.entries()) {
        const id = image.configDigest;
        const existing = await tx.get<ImageRecord>(IMAGES, id);
        if (existing) {
          if (existing.intermediate) tx.put(IMAGES, id, { ...existing, intermediate: undefined } as unknown as ImageRecord);
        } else {
          let size = 0;
          for (const [i, l] of image.layers.entries()) {
            const rec = await tx.get<LayerRecord>(LAYERS, l.diffID);
            const tarSize = layerSizes[i] ?? l.size;
            if (!rec) tx.put(LAYERS, l.diffID, { digest: l.digest, diffID: l.diffID, size: tarSize } satisfies LayerRecord);
            size += rec?.size ?? tarSize;
          }
          tx.put(IMAGES, id, { id, manifest: image.manifestDigest, created: image.config.created ?? now, size } satisfies ImageRecord);
        }
        for (const reference of refs[n] ?? []) {
          const old = await tx.get<{ id: string }>(REFS, reference);
          if (old && old.id !== id) replaced.push({ reference, previous: old.id });
          tx.put(REFS, reference, { id });
        }
      }
      return replaced;
    });
  }

  /** Image ID for a reference, `NAME@sha256:…` (a RepoDigest) or ID prefix; throws `No such image: x`. */
  async resolveId(input: string): Promise<string> {
    const byDigest = /^(.+)@(sha256:[0-9a-f]{64})$/.exec(input.trim());
    if (byDigest) {
      const repoDigest = `${parseReference(byDigest[1]!).repository}@${byDigest[2]}`;
      const hit = (await this.deps.meta.list<ImageRecord>(IMAGES)).find((e) => e.value.repoDigests?.includes(repoDigest));
      if (!hit) throw new NotFoundError(`No such image: ${repoDigest}`);
      return hit.key;
    }
    if (looksLikeId(input)) {
      const hex = input.replace(/^sha256:/, '');
      const matches = (await this.deps.meta.list<ImageRecord>(IMAGES)).filter((e) => e.key.slice(7).startsWith(hex));
      if (matches.length === 1) return matches[0]!.key;
      if (matches.length > 1 && hex.length < 64) throw new InvalidArgumentError(`image ID prefix ${input} is ambiguous`);
    }
    let ref;
    try {
      ref = parseReference(input);
    } catch (err) {
      if (looksLikeId(input)) throw new NotFoundError(`No such image: ${input}`);
      throw err;
    }
    const hit = await this.deps.meta.get<{ id: string }>(REFS, ref.familiar);
    if (!hit) throw new NotFoundError(`No such image: ${ref.familiar}`);
    return hit.id;
  }

  /** The image as containers need it. */
  async resolve(input: string): Promise<ResolvedImage> {
    const image = await this.load(await this.resolveId(input));
    return {
      id: image.configDigest,
      config: (image.config.config ?? {}) as ImageRuntimeConfig,
      layers: image.layers.map((l) => ({ digest: l.digest, diffID: l.diffID })),
    };
  }

  /** The merged filesystem of an image's layers, cached per image. */
  tree(image: ResolvedImage): Promise<FsTree> {
    let t = this.trees.get(image.id);
    if (!t) {
      t = (async () => {
        const layers: TarEntry[][] = [];
        for (const l of image.layers) {
          const blob = await this.deps.blobs.get(l.digest as Digest);
          layers.push(readTar(await decompress(blob)));
        }
        return mergeLayers(layers);
      })();
      this.trees.set(image.id, t);
      t.catch(() => this.trees.delete(image.id));
      if (this.trees.size > 8) this.trees.delete(this.trees.keys().next().value!);
    }
    return t.then((tree) => tree.clone());
  }

  /** A new image: `parent` plus one layer and config changes (`docker commit`, build steps). */
  async commit(
    parent: ResolvedImage,
    entries: TarEntry[],
    options: {
      reference?: string;
      comment?: string;
      author?: string;
      createdBy: string;
      config?: Partial<ImageRuntimeConfig>;
      intermediate?: boolean;
    },
  ): Promise<string> {
    let image = parent.id ? await this.load(parent.id) : await emptyImage();
    const layer = await this.putLayer(entries);
    image = await appendLayer(image, layer, {
      created: this.deps.now().toISOString(),
      created_by: options.createdBy,
      ...(options.comment ? { comment: options.comment } : {}),
      ...(options.author ? { author: options.author } : {}),
    });
    if (options.config) image = await withConfig(image, options.config);
    const id = await this.put(image, { intermediate: !!options.intermediate });
    if (options.reference) await this.setReference(options.reference, id);
    return id;
  }

  /** `docker import`: one layer (the filesystem tar, plain or compressed) on nothing, an empty config, "Imported from -". */
  async importFilesystem(archive: Uint8Array, options: { reference?: string; message?: string } = {}): Promise<string> {
    let entries: TarEntry[];
    try {
      entries = readTar(await decompress(archive));
    } catch (err) {
      throw new InvalidArgumentError(`importing the archive: ${(err as Error).message}`, { cause: err });
    }
    if (options.reference) parseReference(options.reference);
    return this.commit({ id: '', config: {}, layers: [] }, entries, {
      createdBy: '',
      comment: options.message || 'Imported from -',
      ...(options.reference ? { reference: options.reference } : {}),
    });
  }

  /** References offered offline. */
  async available(): Promise<string[]> {
    return (await this.deps.source.catalog()).flatMap((e) => e.references);
  }

  /** Pulls in progress, by familiar reference: a second pull of the same image waits for the first. */
  private readonly pulling = new Map<string, Promise<{ id: string; reference: string }>>();

  /** Copies an offline image into the store, verifying every digest and diffID; one it lacks throws NotOfferedError. */
  async pull(
    input: string,
    onCallerEvent: (e: PullEvent) => void = () => {},
    signal?: AbortSignal,
  ): Promise<{ id: string; reference: string }> {
    const key = parseReference(input).familiar;
    const running = this.pulling.get(key);
    if (running) {
      onCallerEvent({ id: '', status: `Waiting for another pull of ${key} to finish` });
      return running;
    }
    const p = this.pullOnce(input, onCallerEvent, signal);
    this.pulling.set(key, p);
    try {
      return await p;
    } catch (err) {
      // whoever draws a progress bar learns the pull ended (Docker's stream ends with its error)
      this.deps.onPullEvent?.(key, { id: '', status: `Error: ${(err as Error).message}` });
      throw err;
    } finally {
      this.pulling.delete(key);
    }
  }

  private async pullOnce(
    input: string,
    onCallerEvent: (e: PullEvent) => void,
    signal?: AbortSignal,
  ): Promise<{ id: string; reference: string }> {
    const ref = parseReference(input);
    const onEvent = (e: PullEvent) => {
      onCallerEvent(e);
      this.deps.onPullEvent?.(ref.familiar, e);
    };
    const catalog = await this.deps.source.catalog();
    const entry = catalog.find((e) => e.references.some((r) => parseReference(r).familiar === ref.familiar));
    if (!entry) {
      const offered = catalog.flatMap((e) => e.references);
      if (ref.domain === 'docker.io') throw new NotOfferedError(ref, offered);
      throw new UnavailableError(
        `manifest for ${ref.familiar} not found: LayerLab runs offline and has no registry to pull from. Images available: ${offered.join(', ') || 'none'}`,
      );
    }
    const index = await this.deps.source.index(entry);
    const desc = index.manifests[0];
    if (!desc) throw new NotFoundError(`the offline image ${ref.familiar} has an empty index`);
    onEvent({ id: ref.tag, status: `Pulling from ${ref.path}` });
    const manifestBytes = await this.deps.source.blob(entry, desc.digest);
    const manifestJson = JSON.parse(new TextDecoder().decode(manifestBytes)) as {
      config: { digest: string };
      layers: { digest: string; size: number }[];
    };
    const configBytes = await this.deps.source.blob(entry, manifestJson.config.digest);
    const image = await deserializeImage(manifestBytes, configBytes);
    if (image.manifestDigest !== desc.digest) throw new InvalidArgumentError(`manifest digest mismatch for ${ref.familiar}`);
    for (const layer of image.layers) {
      if (signal?.aborted) throw new InvalidArgumentError('pull cancelled');
      const short = layer.digest.slice(7, 19);
      if (await this.deps.blobs.has(layer.digest)) {
        onEvent({ id: short, status: 'Already exists' });
        continue;
      }
      onEvent({ id: short, status: 'Pulling fs layer' });
      const blob = await this.deps.source.blob(entry, layer.digest, (current, total) =>
        onEvent({ id: short, status: 'Downloading', current, total }),
      );
      if ((await sha256Digest(blob)) !== layer.digest) throw new InvalidArgumentError(`layer ${short}: digest mismatch`);
      onEvent({ id: short, status: 'Verifying Checksum' });
      const tar = await decompressLayer(blob, short);
      if ((await sha256Digest(tar)) !== layer.diffID) throw new InvalidArgumentError(`layer ${short}: diffID mismatch`);
      validateLayer(readTar(tar));
      await this.deps.blobs.put(blob, layer.digest);
      await this.deps.meta.put(LAYERS, layer.diffID, {
        digest: layer.digest,
        diffID: layer.diffID,
        size: contentSize(tar),
      } satisfies LayerRecord);
      onEvent({ id: short, status: 'Pull complete' });
    }
    const existed = await this.deps.meta.get<{ id: string }>(REFS, ref.familiar);
    const id = await this.put(image);
    await this.setReference(ref.familiar, id);
    await this.addRepoDigest(id, `${ref.repository}@${image.manifestDigest}`);
    onEvent({ id: '', status: `Digest: ${image.manifestDigest}` });
    onEvent({
      id: '',
      status: existed?.id === id ? `Status: Image is up to date for ${ref.familiar}` : `Status: Downloaded newer image for ${ref.familiar}`,
    });
    return { id, reference: ref.familiar };
  }

  /** Records that image `id` is `REPOSITORY@DIGEST` in a registry (a pull or a push), once. */
  async addRepoDigest(id: string, repoDigest: string): Promise<void> {
    await this.deps.meta.transaction(async (tx) => {
      const rec = await tx.get<ImageRecord>(IMAGES, id);
      if (!rec || rec.repoDigests?.includes(repoDigest)) return;
      tx.put(IMAGES, id, { ...rec, repoDigests: [...(rec.repoDigests ?? []), repoDigest].sort() } satisfies ImageRecord);
    });
  }

  private async tagsOf(id: string): Promise<string[]> {
    return (await this.deps.meta.list<{ id: string }>(REFS)).filter((e) => e.value.id === id).map((e) => e.key);
  }

  async list(options: { all?: boolean; reference?: string; dangling?: boolean } = {}): Promise<ImageSummary[]> {
    const refs = await this.deps.meta.list<{ id: string }>(REFS);
    const users = await this.deps.containersUsing();
    const out: ImageSummary[] = [];
    for (const { value: rec } of await this.deps.meta.list<ImageRecord>(IMAGES)) {
      let tags = refs.filter((r) => r.value.id === rec.id).map((r) => r.key);
      if (rec.intermediate && !tags.length && !options.all) continue;
      if (options.dangling !== undefined && options.dangling !== (tags.length === 0)) continue;
      if (options.reference) {
        const want = options.reference.includes(':')
          ? parseReference(options.reference).familiar
          : parseReference(options.reference).repository;
        tags = tags.filter((t) => t === want || t.startsWith(`${want}:`));
        if (!tags.length) continue;
      }
      const config = JSON.parse(new TextDecoder().decode(await this.deps.blobs.get(rec.id as Digest))) as {
        config?: { Labels?: Record<string, string> };
      };
      out.push({
        id: rec.id,
        repoTags: tags,
        repoDigests: rec.repoDigests ?? [],
        created: rec.created,
        size: rec.size,
        containers: users.get(rec.id)?.length ?? 0,
        labels: config.config?.Labels ?? {},
      });
    }
    return out.sort((a, b) => b.created.localeCompare(a.created));
  }

  async inspect(input: string): Promise<ImageInspect> {
    const id = await this.resolveId(input);
    const image = await this.load(id);
    const rec = (await this.deps.meta.get<ImageRecord>(IMAGES, id))!;
    const history = (image.config.history ?? []).filter((h) => !h.empty_layer);
    return {
      Id: id,
      RepoTags: await this.tagsOf(id),
      RepoDigests: rec.repoDigests ?? [],
      Created: rec.created,
      ...(image.config.author ? { Author: image.config.author } : {}),
      Config: (image.config.config ?? {}) as ImageRuntimeConfig,
      Architecture: image.config.architecture,
      Os: image.config.os,
      Size: rec.size,
      RootFS: { Type: 'layers', Layers: [...image.config.rootfs.diff_ids] },
      LayerDetails: await Promise.all(
        image.layers.map(async (l, i) => ({
          digest: l.digest,
          diffID: l.diffID,
          size: (await this.deps.meta.get<LayerRecord>(LAYERS, l.diffID))?.size ?? l.size,
          createdBy: history[i]?.created_by ?? '',
        })),
      ),
    };
  }

  async history(input: string): Promise<HistoryEntry[]> {
    const id = await this.resolveId(input);
    const image = await this.load(id);
    const out: HistoryEntry[] = [];
    let layer = 0;
    for (const h of image.config.history ?? []) {
      let size = 0;
      if (!h.empty_layer) {
        const l = image.layers[layer++];
        if (l) size = (await this.deps.meta.get<LayerRecord>(LAYERS, l.diffID))?.size ?? l.size;
      }
      out.push({
        id: '<missing>',
        created: h.created ?? '',
        createdBy: h.created_by ?? '',
        size,
        comment: h.comment ?? '',
        emptyLayer: !!h.empty_layer,
      });
    }
    out.reverse();
    if (out[0]) out[0].id = id;
    return out;
  }

  async tag(source: string, target: string): Promise<void> {
    const id = await this.resolveId(source);
    await this.setReference(target, id);
  }

  async remove(input: string, options: { force?: boolean } = {}): Promise<{ untagged: string[]; deleted: string[] }> {
    const id = await this.resolveId(input);
    const tags = await this.tagsOf(id);
    const users = (await this.deps.containersUsing()).get(id) ?? [];
    const byId = looksLikeId(input) && !tags.includes(safeFamiliar(input));
    const untagged: string[] = [];
    if (!byId) {
      const familiar = parseReference(input).familiar;
      if (tags.length > 1) {
        await this.deps.meta.delete(REFS, familiar);
        return { untagged: [familiar], deleted: [] };
      }
      if (users.length && !options.force) {
        throw new ConflictError(
          `conflict: unable to remove repository reference "${input}" (must force) - container ${users[0]!.slice(0, 12)} is using its referenced image ${id.slice(7, 19)}`,
        );
      }
      await this.deps.meta.delete(REFS, familiar);
      untagged.push(familiar);
      if (users.length) return { untagged, deleted: [] };
    } else {
      if (tags.length > 1 && !options.force)
        throw new ConflictError(
          `conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
        );
      if (users.length && !options.force)
        throw new ConflictError(
          `conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is being used by stopped container ${users[0]!.slice(0, 12)}`,
        );
      for (const t of tags) await this.deps.meta.delete(REFS, t);
      untagged.push(...tags);
      if (users.length) return { untagged, deleted: [] };
    }
    await this.deps.meta.delete(IMAGES, id);
    this.trees.delete(id);
    return { untagged, deleted: [id] };
  }

  /** Removes dangling images (and with `all`, every image no container uses). */
  async prune(options: { all?: boolean } = {}): Promise<PruneReport> {
    const users = await this.deps.containersUsing();
    const deleted: string[] = [];
    let space = 0;
    for (const { value: rec } of await this.deps.meta.list<ImageRecord>(IMAGES)) {
      if (users.has(rec.id)) continue;
      const tags = await this.tagsOf(rec.id);
      if (tags.length && !options.all) continue;
      if (rec.intermediate && !options.all) continue;
      for (const t of tags) await this.deps.meta.delete(REFS, t);
      await this.deps.meta.delete(IMAGES, rec.id);
      deleted.push(rec.id);
      space += rec.size;
    }
    return { deleted, spaceReclaimed: space };
  }

  /** Blobs that images refer to (manifests, configs, layers), for garbage collection. */
  async referencedBlobs(): Promise<string[]> {
    const out: string[] = [];
    for (const { value: rec } of await this.deps.meta.list<ImageRecord>(IMAGES)) {
      out.push(rec.id, rec.manifest);
      const manifest = JSON.parse(new TextDecoder().decode(await this.deps.blobs.get(rec.manifest as Digest))) as {
        layers: { digest: string }[];
      };
      out.push(...manifest.layers.map((l) => l.digest));
    }
    return out;
  }

  /** Drops layer records whose blob is gone (after garbage collection). */
  async forgetLayersWithout(live: Set<string>): Promise<void> {
    for (const { key, value } of await this.deps.meta.list<LayerRecord>(LAYERS))
      if (!live.has(value.digest)) await this.deps.meta.delete(LAYERS, key);
  }

  /** Counts and sizes for `docker system df`. */
  async usage(): Promise<{
    images: { total: number; active: number; size: number; reclaimable: number };
    buildCache: { total: number; active: number; size: number; reclaimable: number };
  }> {
    const users = await this.deps.containersUsing();
    // sizes on disk, like Docker: the uncompressed layer, not the (maybe gzip or zstd) blob
    const uncompressed = new Map((await this.deps.meta.list<LayerRecord>(LAYERS)).map((e) => [e.value.digest, e.value.size]));
    const layerSize = new Map<string, number>();
    const activeLayers = new Set<string>();
    const images = { total: 0, active: 0, size: 0, reclaimable: 0 };
    const cache = { total: 0, active: 0, size: 0, reclaimable: 0 };
    for (const { value: rec } of await this.deps.meta.list<ImageRecord>(IMAGES)) {
      const manifest = JSON.parse(new TextDecoder().decode(await this.deps.blobs.get(rec.manifest as Digest))) as {
        layers: { digest: string; size: number }[];
      };
      if (rec.intermediate) {
        cache.total++;
        continue;
      }
      images.total++;
      const used = users.has(rec.id);
      if (used) images.active++;
      for (const l of manifest.layers) {
        layerSize.set(l.digest, uncompressed.get(l.digest) ?? l.size);
        if (used) activeLayers.add(l.digest);
      }
    }
    for (const [digest, size] of layerSize) {
      images.size += size;
      if (!activeLayers.has(digest)) images.reclaimable += size;
    }
    return { images, buildCache: cache };
  }

  // --- for the local registry (src/engine/registry): push reads blobs, pull writes layers ---

  /** The bytes of a stored blob (manifest, config or layer); throws if it is not stored. */
  async readBlob(digest: string): Promise<Uint8Array> {
    return this.deps.blobs.get(digest as Digest);
  }

  /** Whether a layer is stored: its blob under `digest` and its record under `diffID`. */
  async hasLayer(layer: { digest: string; diffID: string }): Promise<boolean> {
    return (
      (await this.deps.blobs.has(layer.digest as Digest)) && (await this.deps.meta.get<LayerRecord>(LAYERS, layer.diffID)) !== undefined
    );
  }

  /** Stores a layer blob fetched from elsewhere after checking its digest, diffID and contents (as `pull` does). */
  async putLayerBlob(layer: { digest: string; diffID: string }, blob: Uint8Array): Promise<void> {
    const short = layer.digest.slice(7, 19);
    if ((await sha256Digest(blob)) !== layer.digest) throw new InvalidArgumentError(`layer ${short}: digest mismatch`);
    const tar = await decompressLayer(blob, short);
    if ((await sha256Digest(tar)) !== layer.diffID) throw new InvalidArgumentError(`layer ${short}: diffID mismatch`);
    validateLayer(readTar(tar));
    // a remote pull committed the blob already: storing it again would copy and hash it once more
    if (!(await this.deps.blobs.has(layer.digest as Digest))) await this.deps.blobs.put(blob, layer.digest as Digest);
    await this.deps.meta.put(LAYERS, layer.diffID, {
      digest: layer.digest,
      diffID: layer.diffID,
      size: contentSize(tar),
    } satisfies LayerRecord);
  }

  /**
   * Records a layer whose blob is stored and whose diffID and contents were checked as it streamed
   * in (a remote pull, `LayerStreamVerifier`): `size` is its `contentSize`. Nothing is read again.
   */
  async recordVerifiedLayer(layer: { digest: string; diffID: string; size: number }): Promise<void> {
    if (!(await this.deps.blobs.has(layer.digest as Digest)))
      throw new NotFoundError(`layer ${layer.digest.slice(7, 19)}: blob ${layer.digest} is not stored`);
    await this.deps.meta.put(LAYERS, layer.diffID, {
      digest: layer.digest,
      diffID: layer.diffID,
      size: layer.size,
    } satisfies LayerRecord);
  }
}

/** A layer blob's tar (gzip, zstd or plain); a stream that does not decompress names the layer. */
async function decompressLayer(blob: Uint8Array, short: string): Promise<Uint8Array> {
  try {
    return await decompress(blob);
  } catch (err) {
    if (err instanceof LayerError) throw new InvalidArgumentError(`layer ${short}: ${err.message}`, { cause: err });
    throw err;
  }
}

function safeFamiliar(input: string): string {
  try {
    return parseReference(input).familiar;
  } catch {
    return input;
  }
}
