/**
 * Volumes beside the containers: each volume with the containers (and paths) it is mounted at,
 * unattached volumes flagged, and which of them `docker volume prune` would delete.
 */
import type { ContainerState, ContainerSummary, VolumeInfo } from '../engine/api.ts';
import { listWords, plural, shortHex, sizeLabel, spokenSize } from './format.ts';

/** Where a volume is mounted. */
export interface VolumeAttachment {
  containerId: string;
  containerName: string;
  containerState: ContainerState;
  /** The container is running (the volume is in use right now). */
  running: boolean;
  /** Path inside the container. */
  destination: string;
  readOnly: boolean;
}

/** One volume in the picture. */
export interface VolumeCard {
  name: string;
  /** The name, or its first 12 hex digits for an anonymous volume. */
  label: string;
  /** Made by `-v /path` (64-hex name, or Docker's anonymous label). */
  anonymous: boolean;
  /** Where its data lives in the guest. */
  mountpoint: string;
  createdAt: string;
  labels: Record<string, string>;
  /** Bytes of data, when known. */
  size: number | undefined;
  /** `size` as Docker prints it, '' when unknown. */
  sizeLabel: string;
  /** Its files (first few, sorted), when known; `moreFiles` counts the rest. */
  files: VolumeFile[];
  moreFiles: number;
  /** The containers it is mounted into, in the input order. */
  attachments: VolumeAttachment[];
  /** No container, running or not, mounts it. */
  unattached: boolean;
  /** `docker volume prune` (without `--all`) would delete it: anonymous and unattached. */
  prunable: boolean;
  alt: string;
}

/** A file or folder in a volume. */
export interface VolumeFile {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** `size` as Docker prints it ('' for folders). */
  sizeLabel: string;
}

/** How many files a volume card lists. */
export const VOLUME_FILES_SHOWN = 12;

/** All volumes. */
export interface VolumesView {
  volumes: VolumeCard[];
  attachedCount: number;
  unattachedCount: number;
  /** Volumes that containers mount but the volume list does not have (should not happen). */
  missing: string[];
  alt: string;
}

/** The label Docker puts on anonymous volumes. */
const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

function isAnonymous(v: VolumeInfo): boolean {
  return /^[0-9a-f]{64}$/.test(v.Name) || ANONYMOUS_LABEL in v.Labels;
}

/** Volumes (`docker volume ls`) with the containers (`docker ps -a`) that mount them. */
export function volumesView(
  volumes: readonly VolumeInfo[],
  containers: readonly ContainerSummary[],
  files: ReadonlyMap<string, readonly Omit<VolumeFile, 'sizeLabel'>[]> = new Map(),
): VolumesView {
  const byVolume = new Map<string, VolumeAttachment[]>();
  for (const c of containers) {
    for (const m of c.mounts) {
      if (m.Type !== 'volume') continue;
      const list = byVolume.get(m.Name) ?? [];
      list.push({
        containerId: c.id,
        containerName: c.name,
        containerState: c.state,
        running: c.state === 'running',
        destination: m.Destination,
        readOnly: !m.RW,
      });
      byVolume.set(m.Name, list);
    }
  }
  const cards = volumes.map((v): VolumeCard => {
    const anonymous = isAnonymous(v);
    const attachments = byVolume.get(v.Name) ?? [];
    const label = /^[0-9a-f]{64}$/.test(v.Name) ? shortHex(v.Name) : v.Name;
    const card: Omit<VolumeCard, 'alt'> = {
      name: v.Name,
      label,
      anonymous,
      mountpoint: v.Mountpoint,
      createdAt: v.CreatedAt,
      labels: { ...v.Labels },
      size: v.Size,
      sizeLabel: v.Size === undefined ? '' : sizeLabel(v.Size),
      files: (files.get(v.Name) ?? [])
        .slice(0, VOLUME_FILES_SHOWN)
        .map((f) => ({ ...f, sizeLabel: f.type === 'directory' ? '' : sizeLabel(f.size) })),
      moreFiles: Math.max(0, (files.get(v.Name)?.length ?? 0) - VOLUME_FILES_SHOWN),
      attachments,
      unattached: attachments.length === 0,
      prunable: anonymous && attachments.length === 0,
    };
    return { ...card, alt: volumeAlt(card) };
  });
  const known = new Set(volumes.map((v) => v.Name));
  const missing = [...byVolume.keys()].filter((n) => !known.has(n));
  const unattachedCount = cards.filter((c) => c.unattached).length;
  const view: Omit<VolumesView, 'alt'> = { volumes: cards, attachedCount: cards.length - unattachedCount, unattachedCount, missing };
  const alt =
    cards.length === 0
      ? 'There are no volumes.'
      : `${plural(cards.length, 'volume')}, ${unattachedCount} not attached to any container. ${cards.map((c) => c.alt).join(' ')}`;
  return { ...view, alt };
}

function volumeAlt(v: Omit<VolumeCard, 'alt'>): string {
  const what = `${v.anonymous ? 'Anonymous volume' : 'Volume'} ${v.label}${v.size === undefined ? '' : ` (${spokenSize(v.size)})`}`;
  const holds = v.files.length
    ? ` It holds ${listWords(v.files.map((f) => f.path))}${v.moreFiles ? ` and ${plural(v.moreFiles, 'more item')}` : ''}.`
    : '';
  if (v.unattached) {
    return `${what} is not attached to any container${v.prunable ? '; docker volume prune would delete it' : '; its data stays until you remove it'}.${holds}`;
  }
  const places = v.attachments.map(
    (a) => `${a.containerName} at ${a.destination}${a.readOnly ? ' read-only' : ''}${a.running ? '' : ` (${a.containerState})`}`,
  );
  return `${what} is mounted in ${listWords(places)}.${holds}`;
}
