/**
 * Consistent checkpoints of a running container: its processes are frozen (the cgroup v2
 * freezer) while its read-write layer and volumes are read, so a saved file is never caught
 * halfway through a write; and a stamp file tells whether anything changed since the last one,
 * so a container that only computes is never read again.
 */
import type { GuestMachine } from '../../runtime/types.ts';
import { containerDirs, exportUpperDir, guestShell, shellQuote as quote, volumeDir } from '../guest/guest-fs.ts';
import { readTar, writeTar, type TarEntry } from '../layer/index.ts';
import { sha256, type Digest } from '../store/digest.ts';
import type { BlobStore, MetadataStore } from '../store/types.ts';
import { recordVolumeData, type VolumeData, type VolumeManager } from '../volumes/manager.ts';
import { CONTAINERS, type ContainerDeps, type ContainerRecord, type Live } from './types.ts';

/** The name of a container's cgroup in the guest (`c-` + short ID): its main process and its execs join it. */
export function cgroupName(id: string): string {
  return `c-${id.slice(0, 12)}`;
}

/** The guest path of a container's cgroup. */
export function containerCgroup(id: string): string {
  return `/sys/fs/cgroup/${cgroupName(id)}`;
}

/** The file whose mtime marks a container's last checkpoint. */
export function checkpointStamp(id: string): string {
  return `${containerDirs(id).base}/checkpoint-stamp`;
}

/**
 * Whether anything under the container's upper dir or `volumeDirs` changed since its last
 * checkpoint's stamp (true when there is no stamp yet). A deletion changes its folder's mtime.
 */
export async function changedSinceCheckpoint(guest: GuestMachine, id: string, volumeDirs: string[]): Promise<boolean> {
  const dirs = [containerDirs(id).upper, ...volumeDirs].map(quote).join(' ');
  const s = quote(checkpointStamp(id));
  const out = await guestShell(
    guest,
    `[ -f ${s} ] || { echo changed; exit 0; }; [ -n "$(find ${dirs} -newer ${s} 2>/dev/null | head -n 1)" ] && echo changed || echo same`,
    'checking for changes',
  );
  return out.trim() !== 'same';
}

/** Freezes or thaws every process of a container (`docker pause`/`unpause`), waiting until the freezer says so. */
export async function setFrozen(guest: GuestMachine, id: string, frozen: boolean): Promise<void> {
  const cg = quote(containerCgroup(id));
  const want = frozen ? 1 : 0;
  await guestShell(
    guest,
    `echo ${want} > ${cg}/cgroup.freeze && i=0; while ! grep -q '^frozen ${want}' ${cg}/cgroup.events && [ $i -lt 200 ]; do usleep 10000; i=$((i+1)); done; ` +
      `grep -q '^frozen ${want}' ${cg}/cgroup.events`,
    frozen ? 'pausing the container' : 'unpausing the container',
  );
}

/**
 * Runs `read` with the container's processes frozen (a paused container stays paused after), and
 * marks the moment with the checkpoint stamp: what changes after it counts for the next one. A
 * guest without the freezer (no `cgroup.freeze`) reads unfrozen.
 */
export async function whileFrozen<T>(guest: GuestMachine, id: string, read: () => Promise<T>): Promise<T> {
  const cg = quote(containerCgroup(id));
  const frozeIt =
    (
      await guestShell(
        guest,
        // busybox find -newer compares whole seconds: the stamp is dated a second back, so a
        // write later in this same second still counts as newer (a write just before counts twice)
        `f=${cg}/cgroup.freeze; touch -d @$(($(date +%s) - 1)) ${quote(checkpointStamp(id))}; [ -w "$f" ] || { echo none; exit 0; }; ` +
          `[ "$(cat "$f")" = 1 ] && { echo already; exit 0; }; echo 1 > "$f"; ` +
          // the freezer acts asynchronously: wait (at most ~2 s) until the cgroup says it is frozen
          `i=0; while ! grep -q '^frozen 1' ${cg}/cgroup.events && [ $i -lt 200 ]; do usleep 10000; i=$((i+1)); done; echo froze`,
        'freezing the container for a checkpoint',
      )
    ).trim() === 'froze';
  try {
    return await read();
  } finally {
    if (frozeIt) await guestShell(guest, `echo 0 > ${cg}/cgroup.freeze 2>/dev/null || true`, 'thawing the container').catch(() => {});
  }
}

/** What a checkpoint writes to: the stores, the volumes and the clock. */
export interface CheckpointStores {
  blobs: BlobStore;
  meta: MetadataStore;
  volumes: VolumeManager;
  now(): Date;
  /** Blobs written whose record is not saved yet (garbage collection keeps them). */
  pinned: Set<string>;
}

/**
 * Saves a running container's read-write layer and volumes as they are now (frozen while read)
 * and returns the layer's entries; when nothing was written since the last checkpoint, what that
 * one saved. `stillLive` says whether the container still runs once the layer is read.
 */
export async function saveCheckpoint(
  stores: CheckpointStores,
  r: ContainerRecord,
  guest: GuestMachine,
  stillLive: () => boolean,
): Promise<TarEntry[]> {
  const volumeDirs = r.mounts.filter((m) => m.RW && m.Type === 'volume').map((m) => volumeDir(m.Name));
  // nothing written since the last checkpoint: what it saved is what the container holds
  if (r.rwLayer && !(await changedSinceCheckpoint(guest, r.id, volumeDirs))) {
    const current = await stores.meta.get<ContainerRecord>(CONTAINERS, r.id);
    if (current?.rwLayer) return readTar(await stores.blobs.get(current.rwLayer.digest as Digest));
  }
  // the layer and the volumes as of one moment: the container's processes wait meanwhile
  return whileFrozen(guest, r.id, async () => {
    const entries = await exportUpperDir(guest, containerDirs(r.id).upper);
    if (!stillLive()) return entries;
    // blobs first (pinned until recorded), then every record in one transaction: a reader (a
    // reloaded page) finds the volumes and the layer as of the same moment, or neither
    const volumes: Array<{ name: string; data: VolumeData }> = [];
    for (const m of r.mounts) {
      if (!m.RW || m.Type !== 'volume') continue;
      const data = await stores.volumes.storeData(guest, m.Name).catch(() => undefined);
      if (data) {
        stores.pinned.add(data.digest);
        volumes.push({ name: m.Name, data });
      }
    }
    // a --rm container's layer goes with it; only its volumes are kept
    const layer = r.hostConfig.autoRemove ? undefined : writeTar(entries);
    const digest = layer && (await sha256(layer));
    if (digest) stores.pinned.add(digest);
    try {
      if (layer && digest && !(await stores.blobs.has(digest))) await stores.blobs.put(layer, digest);
      const checkpointedAt = stores.now().toISOString();
      const saved = await stores.meta.transaction(async (tx) => {
        // the record as stored now: an exit recorded meanwhile (here, or by a reloaded page that
        // took the container for gone) is never undone, and then nothing of this read is kept
        const current = await tx.get<ContainerRecord>(CONTAINERS, r.id);
        if (!current || (current.state.status !== 'running' && current.state.status !== 'paused')) return undefined;
        for (const v of volumes) await recordVolumeData(tx, v.name, v.data);
        if (!layer || !digest) return undefined;
        current.rwLayer = { digest, size: layer.length };
        current.checkpointedAt = checkpointedAt;
        tx.put(CONTAINERS, r.id, current);
        return current.rwLayer;
      });
      if (saved) r.rwLayer = saved;
    } finally {
      if (digest) stores.pinned.delete(digest);
      for (const v of volumes) stores.pinned.delete(v.data.digest);
    }
    return entries;
  });
}

/** What the checkpoints need of the container manager. */
export interface CheckpointHost {
  deps: Pick<ContainerDeps, 'blobs' | 'meta' | 'volumes' | 'now' | 'checkpointEvery'>;
  /** The running containers. */
  live: ReadonlyMap<string, Live>;
  find(idOrName: string): Promise<ContainerRecord>;
  /** Runs `fn` after whatever is being saved for the container (a checkpoint, its exit). */
  serial<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * Checkpoints of running containers: one at a time per container (a second caller shares the
 * first's), and, with `checkpointEvery`, a round every few seconds while any container runs.
 */
export class Checkpoints {
  /** Blobs written by a checkpoint whose record is not saved yet: garbage collection keeps them. */
  readonly pinned = new Set<string>();
  private readonly inFlight = new Map<string, Promise<TarEntry[]>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly host: CheckpointHost) {}

  /** A running container's layer (and volumes) saved as they are now; a stopped one's saved entries. */
  async checkpoint(idOrName: string): Promise<TarEntry[]> {
    const { deps, live: running } = this.host;
    const r = await this.host.find(idOrName);
    const live = running.get(r.id);
    if (!live) return r.rwLayer ? readTar(await deps.blobs.get(r.rwLayer.digest as Digest)) : [];
    // a build's step keeps nothing: the builder exports its layer once, when the step ends
    if (r.build) return exportUpperDir(live.guest, containerDirs(r.id).upper);
    const inFlight = this.inFlight.get(r.id);
    if (inFlight) return inFlight;
    const p = this.host.serial(r.id, () =>
      saveCheckpoint({ blobs: deps.blobs, meta: deps.meta, volumes: deps.volumes, now: deps.now, pinned: this.pinned }, r, live.guest, () =>
        running.has(r.id),
      ),
    );
    this.inFlight.set(r.id, p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(r.id);
    }
  }

  /** Every running container that has something to keep (a --rm container without volumes has nothing); errors are left for the next round. */
  async checkpointRunning(): Promise<void> {
    const ids = [...this.host.live.keys()];
    const records = await Promise.all(ids.map((id) => this.host.deps.meta.get<ContainerRecord>(CONTAINERS, id)));
    const keep = (r: ContainerRecord | undefined) =>
      r && !r.build && (!r.hostConfig.autoRemove || r.mounts.some((m) => m.RW && m.Type === 'volume'));
    await Promise.all(ids.filter((_, i) => keep(records[i])).map((id) => this.checkpoint(id).catch(() => [])));
  }

  /** A container started: while any runs, a round every `checkpointEvery` ms (one round at a time). */
  follow(): void {
    const every = this.host.deps.checkpointEvery;
    if (!every || this.timer) return;
    let busy = false;
    this.timer = setInterval(() => {
      if (this.host.live.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        return;
      }
      if (busy) return;
      busy = true;
      void this.checkpointRunning().finally(() => (busy = false));
    }, every);
  }
}
