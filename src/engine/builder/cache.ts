/**
 * The build cache: a step's key is Docker's (the parent image and the instruction text after
 * ARG/ENV expansion, plus the content of COPY/ADD sources), its value the image the step made,
 * kept in the `buildcache` collection until `docker builder prune`.
 */
import type { PruneReport } from '../api.ts';
import type { ImageStore } from '../images/store.ts';
import { sha256Digest } from '../oci/digest.ts';
import type { MetadataStore } from '../store/types.ts';

const CACHE = 'buildcache';

/** The build cache over the metadata store; a hit counts only while its image still exists. */
export class BuildCache {
  constructor(
    private readonly meta: MetadataStore,
    private readonly images: ImageStore,
    private readonly now: () => Date,
  ) {}

  /** The key of a step: `text` on top of `parent` (an image ID, or `scratch`). */
  async key(parent: string, text: string): Promise<string> {
    return (await sha256Digest(`${parent}\n${text}`)).slice(7);
  }

  /** The image the step with this key made, if the cache has it and the image is still there. */
  async lookup(key: string): Promise<string | undefined> {
    const hit = await this.meta.get<{ image: string }>(CACHE, key);
    if (!hit) return undefined;
    try {
      await this.images.load(hit.image);
      return hit.image;
    } catch {
      return undefined;
    }
  }

  /** Remembers that the step with this key made `image`. */
  async record(key: string, image: string): Promise<void> {
    await this.meta.put(CACHE, key, { image, created: this.now().toISOString() });
  }

  /** Forgets every entry (`docker builder prune`, part of `system prune`). */
  async prune(): Promise<PruneReport> {
    const entries = await this.meta.list<{ image: string }>(CACHE);
    await this.meta.transaction(async (tx) => {
      for (const e of entries) tx.delete(CACHE, e.key);
    });
    return { deleted: entries.map((e) => e.key), spaceReclaimed: 0 };
  }
}
