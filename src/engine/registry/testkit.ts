/** Test helpers for the registry: image stores over memory stores and small images. */
import type { PullEvent } from '../api.ts';
import { ImageStore } from '../images/store.ts';
import type { ImageSource } from '../images/source.ts';
import { gzip, tarEntry, writeTar } from '../layer/index.ts';
import { sha256Digest } from '../oci/digest.ts';
import { appendLayer, emptyImage, withConfig, type Image, type Layer } from '../oci/image.ts';
import { MediaType } from '../oci/types.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../store/index.ts';
import type { BlobStore } from '../store/types.ts';
import { LocalRegistry } from './registry.ts';

const noSource: ImageSource = {
  catalog: async () => [],
  index: async () => {
    throw new Error('no offline images in this test');
  },
  blob: async () => {
    throw new Error('no offline images in this test');
  },
};

/** An image store over fresh memory stores (or the given blob store). */
export function newImageStore(blobs: BlobStore = new MemoryBlobStore()): {
  store: ImageStore;
  blobs: BlobStore;
  meta: MemoryMetadataStore;
} {
  const meta = new MemoryMetadataStore();
  const store = new ImageStore({
    blobs,
    meta,
    source: noSource,
    now: () => new Date('2024-05-01T00:00:00Z'),
    containersUsing: async () => new Map(),
  });
  return { store, blobs, meta };
}

/** A registry over fresh memory stores (or the given blob store). */
export function newRegistry(blobs: BlobStore = new MemoryBlobStore()): {
  registry: LocalRegistry;
  blobs: BlobStore;
  meta: MemoryMetadataStore;
} {
  const meta = new MemoryMetadataStore();
  return { registry: new LocalRegistry({ blobs, meta }), blobs, meta };
}

const encoder = new TextEncoder();

/** An uncompressed layer holding one file, stored in `store`. */
export function fileLayer(store: ImageStore, path: string, text: string): Promise<Layer> {
  return store.putLayer([tarEntry({ name: path, type: 'file', data: encoder.encode(text), mtime: 1714521600 })]);
}

/** A gzip layer holding one file, stored in `store` (its digest differs from its diffID). */
export async function gzipLayer(store: ImageStore, path: string, text: string): Promise<Layer> {
  const tar = writeTar([tarEntry({ name: path, type: 'file', data: encoder.encode(text), mtime: 1714521600 })]);
  const blob = await gzip(tar);
  const layer: Layer = {
    digest: await sha256Digest(blob),
    diffID: await sha256Digest(tar),
    size: blob.length,
    mediaType: MediaType.OciLayerGzip,
  };
  await store.putLayerBlob(layer, blob);
  return layer;
}

/** Stores an image of `layers` (base first) tagged `reference`. */
export async function storeImage(store: ImageStore, reference: string, layers: Layer[], cmd = ['sh']): Promise<Image> {
  let image = await emptyImage();
  for (const [i, l] of layers.entries())
    image = await appendLayer(image, l, { created: '2024-05-01T00:00:00Z', created_by: `step ${i + 1}` });
  image = await withConfig(image, { Cmd: cmd });
  await store.setReference(reference, await store.put(image));
  return image;
}

/** Collects events; `lines()` renders them like Docker's non-terminal output (progress skipped). */
export function recorder(): { events: PullEvent[]; sink: (e: PullEvent) => void; lines: () => string[] } {
  const events: PullEvent[] = [];
  return {
    events,
    sink: (e) => events.push(e),
    lines: () => events.filter((e) => e.current === undefined).map((e) => (e.id ? `${e.id}: ${e.status}` : e.status)),
  };
}

/** The 12 hex digits Docker shows for a digest. */
export const short = (digest: string): string => digest.slice(7, 19);
