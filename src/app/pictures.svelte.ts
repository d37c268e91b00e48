/**
 * What the page's pictures show of the engine: containers with their read-write layers, volumes
 * with their files, and what `docker system df` reports. One refresh at a time: a refresh asked
 * for while one runs is done once more when it ends, never alongside it. While containers run, a
 * poll every 3 seconds reads again what a process can change without a command (the running
 * containers' read-write layers, the volumes they mount); reading a running container's layer
 * also saves it (the engine's checkpoint), which is what a page reload keeps.
 */
import type { ChangeEntry, ContainerInspect, ContainerSummary, DiskUsage, ImageInspect, VolumeInfo } from '../engine/api.ts';
import { containersView, type ContainersView } from '../views/containers.ts';
import { volumesView, type VolumeFile, type VolumesView } from '../views/volumes.ts';
import type { EngineClient } from './engine-client.ts';

const POLL_MS = 3000;

/** The containers and volumes pictures and the storage card, kept in step with the engine. */
export class Pictures {
  containers: ContainersView | undefined = $state();
  volumes: VolumesView | undefined = $state();
  usage: DiskUsage | undefined = $state();
  /** Whether any container runs now. */
  running = $state(false);

  /** Read-write layers of stopped containers, kept between polls (only a command can change them). */
  private readonly diffCache = new Map<string, ChangeEntry[]>();
  private readonly volumeFilesCache = new Map<string, VolumeFile[]>();
  private polling: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | undefined;
  /** What was asked for while a refresh ran: `full` beats `poll`. */
  private queued: 'full' | 'poll' | undefined;

  constructor(private readonly client: () => EngineClient | undefined) {}

  /** Reads everything again (after a command); resolves when the pictures show it. */
  refresh(): Promise<void> {
    return this.request('full');
  }

  /** Stops the poll (the page is going away). */
  dispose(): void {
    if (this.polling) clearInterval(this.polling);
    this.polling = undefined;
  }

  private request(kind: 'full' | 'poll'): Promise<void> {
    if (this.inFlight) {
      if (kind === 'full' || !this.queued) this.queued = kind;
      return this.inFlight;
    }
    const run = async (first: 'full' | 'poll') => {
      let next: 'full' | 'poll' | undefined = first;
      while (next) {
        this.queued = undefined;
        await this.read(next === 'poll').catch(() => {});
        next = this.queued;
      }
    };
    this.inFlight = run(kind).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** `poll`: only running containers are diffed again, only volumes they can write are re-read. */
  private async read(poll: boolean): Promise<void> {
    const c = this.client();
    if (!c) return;
    const list = await c.query<ContainerSummary[]>('containers.list', { all: true });
    const inspects = await Promise.all(list.map((x) => c.query<ContainerInspect>('containers.inspect', x.id)));
    const diffs = new Map<string, ChangeEntry[]>();
    if (!poll) this.diffCache.clear();
    for (const x of list) {
      const cached = x.state !== 'running' ? this.diffCache.get(x.id) : undefined;
      const diff = cached ?? (await c.query<ChangeEntry[]>('containers.diff', x.id).catch(() => []));
      if (x.state !== 'running') this.diffCache.set(x.id, diff);
      diffs.set(x.id, diff);
    }
    const imageIds = [...new Set(list.map((x) => x.imageId))];
    const imageInspects = (
      await Promise.all(imageIds.map((id) => c.query<ImageInspect>('images.inspect', id).catch(() => undefined)))
    ).filter((i): i is ImageInspect => !!i);
    this.containers = containersView(list, inspects, imageInspects, diffs);
    const volumeList = await c.query<VolumeInfo[]>('volumes.list');
    const volumeFiles = new Map<string, VolumeFile[]>();
    const inUse = new Set(
      list.filter((x) => x.state === 'running').flatMap((x) => x.mounts.filter((m) => m.Type === 'volume').map((m) => m.Name)),
    );
    if (!poll) this.volumeFilesCache.clear();
    for (const v of volumeList) {
      const files =
        (!inUse.has(v.Name) && this.volumeFilesCache.get(v.Name)) || (await c.query<VolumeFile[]>('volumes.files', v.Name).catch(() => []));
      this.volumeFilesCache.set(v.Name, files);
      volumeFiles.set(v.Name, files);
    }
    this.volumes = volumesView(volumeList, list, volumeFiles);
    if (!poll) this.usage = await c.query<DiskUsage>('system.df').catch(() => this.usage);
    // while something runs, its read-write layer can change without a command: look again soon
    this.running = list.some((x) => x.state === 'running');
    if (this.running && !this.polling) this.polling = setInterval(() => void this.request('poll'), POLL_MS);
    if (!this.running && this.polling) this.dispose();
  }
}
