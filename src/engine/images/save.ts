/**
 * `docker save`: writes what Docker 25+ writes, one tar that is at once an OCI image layout
 * (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) and a docker-save archive (`manifest.json`
 * whose `Config` and `Layers` point into `blobs/`). Blobs are written exactly as stored, so image
 * IDs and manifest digests survive the trip (`load.ts` reads it back).
 */
import { InvalidArgumentError, NotFoundError } from '../errors.ts';
import { writeTar, type TarEntryInit } from '../layer/index.ts';
import {
  canonicalJson,
  INDEX_SHAPE,
  manifestDescriptor,
  MediaType,
  serializeImage,
  type Descriptor,
  type Image,
  type ImageIndex,
} from '../oci/index.ts';
import type { BlobStore } from '../store/types.ts';
import { blobPath, hexOf, OCI_LAYOUT, referenceAnnotations, type DockerSaveEntry } from './archive-format.ts';
import { looksLikeId, parseReference, type Reference } from './reference.ts';
import type { ImageStore } from './store.ts';

const encoder = new TextEncoder();

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
    manifests.push(manifestDescriptor(entry.image, referenceAnnotations(t.ref)));
  }

  const blobBytes = new Map<string, Uint8Array>();
  const dockerManifest: DockerSaveEntry[] = [];
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
        throw new NotFoundError(`layer ${layer.digest} of image ${id} is missing from the store; pull or build the image again`, {
          cause: err,
        });
      }
      if (bytes.length !== layer.size)
        throw new InvalidArgumentError(`layer ${layer.digest} of image ${id} is ${bytes.length} bytes but its manifest says ${layer.size}`);
      blobBytes.set(layer.digest, bytes);
    }
    dockerManifest.push({
      Config: blobPath(image.configDigest),
      RepoTags: tags,
      Layers: image.layers.map((l) => blobPath(l.digest)),
    });
  }

  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests };
  const entries: TarEntryInit[] = [
    { name: 'blobs/', type: 'directory', mode: 0o755 },
    { name: 'blobs/sha256/', type: 'directory', mode: 0o755 },
  ];
  for (const digest of [...blobBytes.keys()].sort()) {
    entries.push({ name: blobPath(digest), type: 'file', mode: 0o644, data: blobBytes.get(digest)! });
  }
  entries.push({ name: 'index.json', type: 'file', mode: 0o644, data: encoder.encode(canonicalJson(index, INDEX_SHAPE)) });
  entries.push({ name: 'manifest.json', type: 'file', mode: 0o644, data: encoder.encode(`${JSON.stringify(dockerManifest)}\n`) });
  entries.push({ name: 'oci-layout', type: 'file', mode: 0o644, data: encoder.encode(JSON.stringify(OCI_LAYOUT)) });
  return writeTar(entries);
}
