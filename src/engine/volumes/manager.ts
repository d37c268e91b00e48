/**
 * Named and anonymous volumes: directories that outlive containers. A volume's record and its
 * data (as a tar blob) live in the engine's stores; its directory in the guest is a cache,
 * refilled from the blob when a fresh guest first mounts it, and saved back when a container
 * that used it stops.
 */
import type { GuestMachine } from '../../runtime/types.ts';
import type { PruneReport, VolumeInfo } from '../api.ts';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../errors.ts';
import { exportUpperDir, extractLayerInGuest, guestShell, volumeDir, GUEST_ROOT } from '../guest/guest-fs.ts';
import { sha256, type Digest } from '../store/digest.ts';
import { readTar, writeTar, type TarEntry } from '../layer/index.ts';
import type { BlobStore, MetadataStore, MetadataTransaction } from '../store/types.ts';
import { NAME_PATTERN, randomHex } from '../util/ids.ts';

const VOLUMES = 'volumes';

/** What the store keeps about a volume. */
export interface VolumeRecord {
  name: string;
  createdAt: string;
  labels: Record<string, string>;
  /** Created for an image VOLUME or `-v /path` (pruned by default). */
  anonymous: boolean;
  /** The volume's files as a tar blob, once saved. */
  data?: VolumeData;
}

/** A volume's saved files: a tar blob. */
export interface VolumeData {
  digest: string;
  size: number;
}

/** Records a volume's saved data inside a metadata transaction (nothing when the volume was removed meanwhile). */
export async function recordVolumeData(tx: MetadataTransaction, name: string, data: VolumeData): Promise<void> {
  const r = await tx.get<VolumeRecord>(VOLUMES, name);
  if (r) tx.put(VOLUMES, name, { ...r, data });
}

/** What happened to a volume, in the words of Docker's events (`docker events --filter type=volume`). */
export interface VolumeEvent {
  action: 'create' | 'destroy';
  name: string;
}

/** Dependencies of the volume manager. */
export interface VolumeDeps {
  blobs: BlobStore;
  meta: MetadataStore;
  now(): Date;
  /** IDs of containers (any state) that mount a volume. */
  usersOf(name: string): Promise<string[]>;
  /** The guest, to delete a removed volume's directory there (else a volume made again with the same name would find the old files). */
  getGuest?(): Promise<GuestMachine>;
  /** Told when a volume is created or removed. */
  onEvent?(event: VolumeEvent): void;
}

/** Manages volumes (`docker volume …`). */
export class VolumeManager {
  private readonly inGuest = new WeakMap<GuestMachine, Set<string>>();

  constructor(private readonly deps: VolumeDeps) {}

  private info(r: VolumeRecord): VolumeInfo {
    return {
      Name: r.name,
      Driver: 'local',
      Mountpoint: `${GUEST_ROOT}/v/${r.name}/_data`,
      CreatedAt: r.createdAt,
      Labels: r.labels,
      Scope: 'local',
      ...(r.data ? { Size: r.data.size } : {}),
    };
  }

  /** The record, or undefined. */
  get(name: string): Promise<VolumeRecord | undefined> {
    return this.deps.meta.get<VolumeRecord>(VOLUMES, name);
  }

  /** Creates a volume; an existing name is returned as is (like Docker). */
  async create(name?: string, labels: Record<string, string> = {}, anonymous = false): Promise<VolumeInfo> {
    const volumeName = name ?? randomHex(32);
    if (!NAME_PATTERN.test(volumeName) || volumeName.length < 2) {
      throw new InvalidArgumentError(
        `create ${volumeName}: "${volumeName}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      );
    }
    const existing = await this.get(volumeName);
    if (existing) return this.info(existing);
    const record: VolumeRecord = { name: volumeName, createdAt: this.deps.now().toISOString(), labels, anonymous };
    await this.deps.meta.put(VOLUMES, volumeName, record);
    this.deps.onEvent?.({ action: 'create', name: volumeName });
    return this.info(record);
  }

  async list(): Promise<VolumeInfo[]> {
    return (await this.deps.meta.list<VolumeRecord>(VOLUMES)).map((e) => this.info(e.value));
  }

  async inspect(name: string): Promise<VolumeInfo> {
    const r = await this.get(name);
    if (!r) throw new NotFoundError(`get ${name}: no such volume`);
    return this.info(r);
  }

  async remove(name: string, options: { force?: boolean } = {}): Promise<void> {
    const r = await this.get(name);
    if (!r) {
      if (options.force) return;
      throw new NotFoundError(`get ${name}: no such volume`);
    }
    const users = await this.deps.usersOf(name);
    if (users.length) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    // its data blob is collected by the engine's garbage collection (another volume may share it)
    await this.deps.meta.delete(VOLUMES, name);
    this.deps.onEvent?.({ action: 'destroy', name });
    if (this.deps.getGuest) {
      const guest = await this.deps.getGuest();
      this.inGuest.get(guest)?.delete(name);
      await guestShell(guest, `rm -rf '${volumeDir(name)}'`, `removing volume ${name}`);
    }
  }

  /** Blobs that volumes refer to (for garbage collection). */
  async referencedBlobs(): Promise<string[]> {
    return (await this.deps.meta.list<VolumeRecord>(VOLUMES)).flatMap((e) => (e.value.data ? [e.value.data.digest] : []));
  }

  /** Removes unused volumes: anonymous ones, or all with `all`. */
  async prune(options: { all?: boolean } = {}): Promise<PruneReport> {
    const deleted: string[] = [];
    let space = 0;
    for (const { value: r } of await this.deps.meta.list<VolumeRecord>(VOLUMES)) {
      if (!options.all && !r.anonymous) continue;
      if ((await this.deps.usersOf(r.name)).length) continue;
      await this.remove(r.name);
      deleted.push(r.name);
      space += r.data?.size ?? 0;
    }
    return { deleted, spaceReclaimed: space };
  }

  /** Total bytes of saved volume data, and how much is in unused volumes. */
  async usage(): Promise<{ total: number; active: number; size: number; reclaimable: number }> {
    const all = await this.deps.meta.list<VolumeRecord>(VOLUMES);
    let size = 0;
    let reclaimable = 0;
    let active = 0;
    for (const { value: r } of all) {
      size += r.data?.size ?? 0;
      if ((await this.deps.usersOf(r.name)).length) active++;
      else reclaimable += r.data?.size ?? 0;
    }
    return { total: all.length, active, size, reclaimable };
  }

  /**
   * The volume's directory in the guest, restoring its saved data into a fresh guest; `fresh` when
   * it was made empty just now (no saved data, first mounted in this guest), the only case Docker's
   * copy-up of the image's files applies to.
   */
  async ensureInGuest(guest: GuestMachine, name: string): Promise<{ dir: string; fresh: boolean }> {
    const r = await this.get(name);
    if (!r) throw new NotFoundError(`get ${name}: no such volume`);
    const dir = volumeDir(name);
    let known = this.inGuest.get(guest);
    if (!known) this.inGuest.set(guest, (known = new Set()));
    if (known.has(name)) return { dir, fresh: false };
    const exists = (await guestShell(guest, `test -d '${dir}' && echo yes || echo no`, 'checking a volume')).trim() === 'yes';
    let fresh = false;
    if (!exists) {
      if (r.data) await extractLayerInGuest(guest, await this.deps.blobs.get(r.data.digest as Digest), dir, `volume ${name}`);
      else {
        await guestShell(guest, `mkdir -p '${dir}'`, `creating volume ${name}`);
        fresh = true;
      }
    }
    known.add(name);
    return { dir, fresh };
  }

  /**
   * The volume's files: read live from the guest when a container has it mounted there, else
   * from its saved data. Paths are relative to the volume's top folder, sorted.
   */
  async files(
    name: string,
    guest: GuestMachine | undefined,
  ): Promise<{ path: string; type: 'file' | 'directory' | 'symlink' | 'other'; size: number }[]> {
    return (await this.entries(name, guest))
      .map((e) => ({
        path: e.name.replace(/^\.?\//, '').replace(/\/$/, ''),
        type: e.type === 'file' || e.type === 'directory' || e.type === 'symlink' ? e.type : ('other' as const),
        size: e.size,
      }))
      .filter((e) => e.path !== '' && e.path !== '.')
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  /** A regular file's bytes in the volume (`path` relative to its top folder), read as `files` reads; undefined when there is none. */
  async readFile(name: string, path: string, guest: GuestMachine | undefined): Promise<Uint8Array | undefined> {
    const want = path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const entry = (await this.entries(name, guest)).find((e) => e.type === 'file' && e.name.replace(/^\.?\//, '') === want);
    return entry?.data;
  }

  /** The volume's entries: live from the guest when it is there, else from its saved data. */
  private async entries(name: string, guest: GuestMachine | undefined): Promise<TarEntry[]> {
    const r = await this.get(name);
    if (!r) throw new NotFoundError(`get ${name}: no such volume`);
    if (guest && this.inGuest.get(guest)?.has(name)) return exportUpperDir(guest, volumeDir(name));
    if (r.data) return readTar(await this.deps.blobs.get(r.data.digest as Digest));
    return [];
  }

  /** Saves the volume's guest directory to the blob store (after a container used it). */
  async save(guest: GuestMachine, name: string): Promise<void> {
    const data = await this.storeData(guest, name);
    if (data) await this.deps.meta.transaction((tx) => recordVolumeData(tx, name, data));
  }

  /**
   * Stores the volume's guest directory as a blob and returns it, without recording it (a
   * checkpoint records it in one transaction with its container's layer); undefined when the
   * volume is gone or its data is what its record already says.
   */
  async storeData(guest: GuestMachine, name: string): Promise<VolumeData | undefined> {
    const r = await this.get(name);
    if (!r) return undefined;
    const tar = writeTar(await exportUpperDir(guest, volumeDir(name)));
    // saved while a container runs, again and again: unchanged data is not written twice
    const digest = await sha256(tar);
    if (r.data?.digest === digest) return undefined;
    const info = await this.deps.blobs.put(tar, digest);
    return { digest: info.digest, size: tar.length };
  }
}
