/**
 * Image layers extracted in the guest as overlay lower dirs, once per guest instance. The
 * guest is a cache: a restored or restarted guest starts empty and layers are extracted again
 * from the blob store on first use.
 */
import type { GuestMachine } from '../../runtime/types.ts';
import type { BlobStore } from '../store/types.ts';
import type { Digest } from '../store/digest.ts';
import { extractLayerInGuest, guestDirExists, layerDir } from './guest-fs.ts';

/** A layer as the cache needs it: where its bytes are and what it is. */
export interface LayerRef {
  /** Digest of the stored blob (maybe gzip or zstd). */
  digest: string;
  /** Digest of the uncompressed tar. */
  diffID: string;
}

/** Extracts layers into the guest on demand. */
export class GuestLayerCache {
  private readonly ready = new WeakMap<GuestMachine, Map<string, Promise<string>>>();

  constructor(private readonly blobs: BlobStore) {}

  /** Guest dir of the extracted layer, extracting it first if this guest lacks it. */
  ensure(guest: GuestMachine, layer: LayerRef): Promise<string> {
    let map = this.ready.get(guest);
    if (!map) this.ready.set(guest, (map = new Map()));
    const known = map.get(layer.diffID);
    if (known) return known;
    const dir = layerDir(layer.diffID);
    const job = (async () => {
      if (await guestDirExists(guest, dir)) return dir;
      const bytes = await this.blobs.get(layer.digest as Digest);
      await extractLayerInGuest(guest, bytes, dir, `layer ${layer.diffID.slice(7, 19)}`);
      return dir;
    })();
    map.set(layer.diffID, job);
    job.catch(() => map!.delete(layer.diffID));
    return job;
  }

  /** Forgets what a guest holds (after its layer dirs were removed). */
  forget(guest: GuestMachine, diffID?: string): void {
    if (diffID) this.ready.get(guest)?.delete(diffID);
    else this.ready.delete(guest);
  }
}
