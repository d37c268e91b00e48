/**
 * Image layers extracted in the guest as overlay lower dirs, once per guest instance. The
 * guest is a cache: a restored or restarted guest starts empty and layers are extracted again
 * from the blob store on first use.
 */
import type { GuestMachine } from '../../runtime/types.ts';
import type { BlobStore } from '../store/types.ts';
import type { Digest } from '../store/digest.ts';
import { extractLayerInGuest, GUEST_ROOT, guestDirExists, guestShell, layerDir } from './guest-fs.ts';

/** A layer as the cache needs it: where its bytes are and what it is. */
export interface LayerRef {
  /** Digest of the stored blob (maybe gzip or zstd). */
  digest: string;
  /** Digest of the uncompressed tar. */
  diffID: string;
}

/** Which extracted layers must stay (running containers' lower dirs) and which an image still names. */
export interface LayerUsage {
  /** Mounted by a running container: never evicted. */
  pinned: Set<string>;
  /** Named by an image: evicted after the ones no image names. */
  referenced: Set<string>;
}

/** Keep this much of the guest's layer storage free after an extraction (bytes). */
const RESERVE = 8 * 1024 * 1024;

/**
 * Extracts layers into the guest on demand. When a layer would not fit, layers no running
 * container mounts are evicted first — those no image names, then the least recently used — and
 * extracted again if they are needed later.
 */
export class GuestLayerCache {
  private readonly ready = new WeakMap<GuestMachine, Map<string, Promise<string>>>();
  /** When each extracted layer was last asked for, per guest (a layer is here once its extraction finished). */
  private readonly used = new WeakMap<GuestMachine, Map<string, number>>();
  /** Layers claimed by containers about to mount them, with how many claims each. */
  private readonly claims = new Map<string, number>();
  /** Layers whose extraction finished, per guest: only these may be evicted. */
  private readonly extracted = new WeakMap<GuestMachine, Set<string>>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly usage: () => Promise<LayerUsage> = async () => ({ pinned: new Set(), referenced: new Set() }),
  ) {}

  /**
   * Guest dir of the extracted layer, extracting it first if this guest lacks it; `keep`: the other
   * layers being made ready with it (one image's), which making room must not evict.
   */
  ensure(guest: GuestMachine, layer: LayerRef, keep: readonly string[] = []): Promise<string> {
    let map = this.ready.get(guest);
    if (!map) this.ready.set(guest, (map = new Map()));
    let used = this.used.get(guest);
    if (!used) this.used.set(guest, (used = new Map()));
    used.set(layer.diffID, Date.now());
    const known = map.get(layer.diffID);
    if (known) return known;
    const dir = layerDir(layer.diffID);
    let extracted = this.extracted.get(guest);
    if (!extracted) this.extracted.set(guest, (extracted = new Set()));
    const done = extracted;
    const job = (async () => {
      if (await guestDirExists(guest, dir)) {
        done.add(layer.diffID);
        return dir;
      }
      const bytes = await this.blobs.get(layer.digest as Digest);
      // the tar unpacks to about its own size (a compressed blob to a few times more)
      const compressed = bytes[0] === 0x1f || bytes[0] === 0x28;
      await this.makeRoom(guest, new Set([layer.diffID, ...keep]), compressed ? bytes.length * 4 : bytes.length);
      await extractLayerInGuest(guest, bytes, dir, `layer ${layer.diffID.slice(7, 19)}`);
      done.add(layer.diffID);
      return dir;
    })();
    map.set(layer.diffID, job);
    job.catch(() => map!.delete(layer.diffID));
    return job;
  }

  /** Evicts extracted layers until `need` bytes (and the reserve) are free, or nothing more may go. */
  private async makeRoom(guest: GuestMachine, keep: ReadonlySet<string>, need: number): Promise<void> {
    let free = await guestFreeBytes(guest);
    if (free === undefined || free >= need + RESERVE) return;
    const map = this.ready.get(guest)!;
    const used = this.used.get(guest)!;
    const extracted = this.extracted.get(guest)!;
    const { pinned, referenced } = await this.usage();
    const candidates = [...extracted]
      .filter((d) => !keep.has(d) && !pinned.has(d) && !this.claims.has(d))
      .sort((a, b) => Number(referenced.has(a)) - Number(referenced.has(b)) || (used.get(a) ?? 0) - (used.get(b) ?? 0));
    for (const diffID of candidates) {
      if (free >= need + RESERVE) break;
      map.delete(diffID);
      extracted.delete(diffID);
      used.delete(diffID);
      await guestShell(guest, `rm -rf '${layerDir(diffID)}'`, 'evicting a layer');
      free = (await guestFreeBytes(guest)) ?? free;
    }
  }

  /** Keeps `diffIDs` from eviction until the returned function is called (a container about to mount them). */
  claim(diffIDs: readonly string[]): () => void {
    for (const d of diffIDs) this.claims.set(d, (this.claims.get(d) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const d of diffIDs) {
        const n = (this.claims.get(d) ?? 1) - 1;
        if (n > 0) this.claims.set(d, n);
        else this.claims.delete(d);
      }
    };
  }

  /** Forgets what a guest holds (after its layer dirs were removed). */
  forget(guest: GuestMachine, diffID?: string): void {
    if (diffID) this.ready.get(guest)?.delete(diffID);
    else this.ready.delete(guest);
  }
}

/** Free bytes of the guest's layer storage (its tmpfs), or undefined when the guest cannot say. */
async function guestFreeBytes(guest: GuestMachine): Promise<number | undefined> {
  const out = await guestShell(guest, `stat -f -c '%a %S' ${GUEST_ROOT}`, 'reading free space').catch(() => '');
  const [blocks, size] = out.trim().split(/\s+/).map(Number);
  return blocks !== undefined && size !== undefined && Number.isFinite(blocks * size) ? blocks * size : undefined;
}
