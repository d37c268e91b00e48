/**
 * Containers as layer stacks: each container is its image's read-only layers (identified by
 * diffID, so containers of one image share the very same layers) plus its own thin read-write
 * layer (`docker diff`), with its state, limits and volume mounts. `imageGroups` lets a picture
 * draw the shared layers once with the containers on top; the containers of a Compose project
 * are drawn together in their `projects` group (its own image groups), each labelled by service.
 */
import type { ChangeEntry, ContainerInspect, ContainerState, ContainerSummary, ImageInspect } from '../engine/api.ts';
import { compareNames } from '../engine/layer/index.ts';
import { composeMembership, composeProjects, type ProjectSummary } from './compose-projects.ts';
import { listWords, memoryLabel, plural, shortHex, sizeLabel, spokenMemory, truncate } from './format.ts';
import { instructionFromCreatedBy, LABEL_LENGTH } from './image-layers.ts';
import { networkLanes, publishedPorts, type NetworkLane, type PublishedPortView } from './networks.ts';

/** One read-only image layer under a container. */
export interface ContainerLayer {
  /** Position in the image, 0 is the bottom. */
  index: number;
  /** The layer's identity (uncompressed digest): equal ids are the same bytes on disk. */
  diffID: string;
  /** First 12 hex digits of `diffID`. */
  shortId: string;
  /** The Dockerfile line that made it, cut to `LABEL_LENGTH`. */
  label: string;
  size: number;
  sizeLabel: string;
  /** Names of every container that uses this layer, this one included, sorted. */
  usedBy: string[];
  /** Names of the other containers that use this layer, sorted. */
  sharedWith: string[];
}

/** One line of a container's read-write layer as a tree (from `docker diff`). */
export interface ChangeRow {
  /** 0 for entries of `/`. */
  depth: number;
  name: string;
  path: string;
  kind: 'A' | 'C' | 'D';
  /** `added`, `changed` or `deleted`, for labels. */
  change: 'added' | 'changed' | 'deleted';
}

/** A container's own thin read-write layer: the overlay upper directory. */
export interface ReadWriteLayer {
  /** `docker diff`, in the engine's order. */
  changes: ChangeEntry[];
  /** The same as an indented tree. */
  rows: ChangeRow[];
  added: number;
  changed: number;
  deleted: number;
  /** Whether `docker diff` was known for this container (false: nothing was given). */
  known: boolean;
  /** Where the layer lives in the guest (`GraphDriver.Data.UpperDir`), '' when unknown. */
  upperDir: string;
}

/** A volume mounted into a container. */
export interface ContainerMount {
  /** A volume (Docker's storage) or a bind mount (a folder of the host: the workspace in the page). */
  kind: 'volume' | 'bind';
  /** The volume's name, or the bind's host path. */
  volume: string;
  /** Anonymous volumes' 64-hex names cut to 12; a bind's host path. */
  volumeLabel: string;
  destination: string;
  readOnly: boolean;
  /** `data → /data`, `data → /data (read-only)`. */
  label: string;
}

/** Resource limits (`-m`, `--pids-limit`, `--read-only`). */
export interface ContainerLimits {
  /** Memory limit in bytes, null for none. */
  memory: number | null;
  /** `64MiB` or `no limit`. */
  memoryLabel: string;
  /** Process limit, null for none. */
  pids: number | null;
  /** `100` or `no limit`. */
  pidsLabel: string;
  /** The root filesystem is read-only. */
  readOnlyRootfs: boolean;
}

/** One container in the picture. */
export interface ContainerCard {
  id: string;
  shortId: string;
  name: string;
  /** The image as the user named it. */
  image: string;
  imageId: string;
  /** The Compose project that made it (its `com.docker.compose.project` label), if any. */
  project?: string;
  /** Its Compose service: the picture labels the container by it. */
  service?: string;
  command: string;
  created: string;
  state: ContainerState;
  running: boolean;
  exitCode: number;
  /** The kernel killed it for using more memory than its limit. */
  oomKilled: boolean;
  /** `Up 2 minutes`, `Exited (0) 3 seconds ago`. */
  status: string;
  /** What its health check says while it runs (absent without one). */
  health?: 'starting' | 'healthy' | 'unhealthy';
  /** PID of its main process in the VM (0 when not running or unknown). */
  pid: number;
  /** The image's read-only layers, bottom first ([] when the image is unknown). */
  layers: ContainerLayer[];
  readWrite: ReadWriteLayer;
  limits: ContainerLimits;
  mounts: ContainerMount[];
  alt: string;
}

/** Containers of one image, over one copy of its layers. */
export interface ImageGroup {
  imageId: string;
  shortId: string;
  /** The image as the containers named it (or its first tag). */
  title: string;
  /** The image's layers once (`usedBy` lists every container on them, of any image). */
  layers: ContainerLayer[];
  /** Ids of the containers in this group, in the input order. */
  containerIds: string[];
  /** What the group's caption says after the image's name: "1 read-only layer, shared by 2 containers". */
  caption: string;
  alt: string;
}

/** A Compose project's containers, drawn together under its heading. */
export interface ProjectGroup extends ProjectSummary {
  /** Its containers by image, each image's layers once. */
  imageGroups: ImageGroup[];
}

/** Every container on the machine as layer stacks. */
export interface ContainersView {
  containers: ContainerCard[];
  /** Containers that are in no Compose project, by image. */
  imageGroups: ImageGroup[];
  /** Compose projects (by name), each with its containers by image. */
  projects: ProjectGroup[];
  /** Each network with the containers on it. */
  networks: NetworkLane[];
  /** Ports running containers publish (what the Preview opens). */
  published: PublishedPortView[];
  /** Layers used by more than one container. */
  sharedLayerCount: number;
  alt: string;
}

const CHANGE_WORD = { A: 'added', C: 'changed', D: 'deleted' } as const;

function isAnonymous(name: string): boolean {
  return /^[0-9a-f]{64}$/.test(name);
}

function comparePaths(a: string, b: string): number {
  const pa = a.split('/').filter(Boolean);
  const pb = b.split('/').filter(Boolean);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareNames(pa[i] ?? '', pb[i] ?? '');
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** `docker diff` entries as an indented tree (parents before children, names sorted bytewise). */
export function changeRows(changes: readonly ChangeEntry[]): ChangeRow[] {
  return [...changes]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((c) => {
      const parts = c.path.split('/').filter(Boolean);
      return {
        depth: Math.max(0, parts.length - 1),
        name: parts[parts.length - 1] ?? '/',
        path: c.path,
        kind: c.kind,
        change: CHANGE_WORD[c.kind],
      };
    });
}

function readWriteLayer(changes: readonly ChangeEntry[] | undefined, inspect: ContainerInspect | undefined): ReadWriteLayer {
  const list = [...(changes ?? [])];
  return {
    changes: list,
    rows: changeRows(list),
    added: list.filter((c) => c.kind === 'A').length,
    changed: list.filter((c) => c.kind === 'C').length,
    deleted: list.filter((c) => c.kind === 'D').length,
    known: changes !== undefined,
    upperDir: inspect?.GraphDriver.Data.UpperDir ?? '',
  };
}

function limitsOf(inspect: ContainerInspect | undefined): ContainerLimits {
  const memory = inspect && inspect.HostConfig.Memory > 0 ? inspect.HostConfig.Memory : null;
  const pidsRaw = inspect?.HostConfig.PidsLimit;
  const pids = pidsRaw !== undefined && pidsRaw !== null && pidsRaw > 0 ? pidsRaw : null;
  return {
    memory,
    memoryLabel: memory === null ? 'no limit' : memoryLabel(memory),
    pids,
    pidsLabel: pids === null ? 'no limit' : String(pids),
    readOnlyRootfs: inspect?.HostConfig.ReadonlyRootfs ?? false,
  };
}

/** What the container is doing, as a predicate: "is running (Up 2 minutes)", "has exited with code 0 (…)". */
function stateWords(c: Omit<ContainerCard, 'alt'>): string {
  if (c.running && c.health)
    return `is running (${c.status}); its health check ${c.health === 'starting' ? 'has not passed yet' : `says ${c.health}`}`;
  if (c.running) return `is running (${c.status})`;
  if (c.state === 'exited')
    return `has exited with code ${c.exitCode}${c.oomKilled ? ', killed for running out of memory' : ''} (${c.status})`;
  if (c.state === 'created') return 'was created but has not started';
  if (c.state === 'restarting') return `exited with code ${c.exitCode} and waits to be restarted by its restart policy (${c.status})`;
  return `is ${c.state}`;
}

/** "it shares all 7 with web-2 and 3 with repl and scratchpad". */
function sharingWords(layers: readonly ContainerLayer[]): string {
  const counts = new Map<string, number>();
  for (const l of layers) for (const name of l.sharedWith) counts.set(name, (counts.get(name) ?? 0) + 1);
  const byCount = new Map<number, string[]>();
  for (const [name, n] of counts) byCount.set(n, [...(byCount.get(n) ?? []), name]);
  const parts = [...byCount]
    .sort((a, b) => b[0] - a[0])
    .map(([n, names]) => `${n === layers.length ? `all ${n}` : n} with ${listWords([...names].sort(compareNames))}`);
  return parts.length ? `it shares ${listWords(parts)}` : 'no other container uses them';
}

function containerAlt(c: Omit<ContainerCard, 'alt'>): string {
  const of = c.project ? `, service ${c.service || '(unnamed)'} of the Compose project ${c.project},` : ',';
  const out = [`Container ${c.name}${of} from image ${c.image}, ${stateWords(c)}.`];
  if (c.layers.length) {
    out.push(`It stands on ${plural(c.layers.length, 'read-only image layer')}; ${sharingWords(c.layers)}.`);
  } else {
    out.push('Its image is not known.');
  }
  const rw = c.readWrite;
  if (!rw.known) out.push('Its read-write layer was not read.');
  else if (rw.changes.length === 0) out.push('Its own read-write layer is empty: it has changed no files.');
  else {
    const parts: string[] = [];
    if (rw.added) parts.push(`${rw.added} added`);
    if (rw.changed) parts.push(`${rw.changed} changed`);
    if (rw.deleted) parts.push(`${rw.deleted} deleted`);
    out.push(`Its own read-write layer holds ${plural(rw.changes.length, 'change')}: ${listWords(parts)}.`);
  }
  const limits: string[] = [];
  if (c.limits.memory !== null) limits.push(`memory ${spokenMemory(c.limits.memory)}`);
  if (c.limits.pids !== null) limits.push(plural(c.limits.pids, 'process', 'processes'));
  if (c.limits.readOnlyRootfs) limits.push('a read-only root filesystem');
  if (limits.length) out.push(`Limits: ${listWords(limits)}.`);
  const volumes = c.mounts.filter((m) => m.kind === 'volume');
  const binds = c.mounts.filter((m) => m.kind === 'bind');
  if (volumes.length)
    out.push(`Volumes: ${listWords(volumes.map((m) => `${m.volumeLabel} at ${m.destination}${m.readOnly ? ' read-only' : ''}`))}.`);
  if (binds.length)
    out.push(
      `Bind mounts of the host's folders: ${listWords(binds.map((m) => `${m.volumeLabel} at ${m.destination}${m.readOnly ? ' read-only' : ''}`))}.`,
    );
  return out.join(' ');
}

/**
 * The containers (`docker ps -a`) with their inspect data, images and `docker diff` (by
 * container id) as layer stacks; inputs that are missing for a container leave its parts empty.
 */
export function containersView(
  containers: readonly ContainerSummary[],
  inspects: readonly ContainerInspect[],
  images: readonly ImageInspect[],
  diffs: ReadonlyMap<string, readonly ChangeEntry[]>,
): ContainersView {
  const inspectById = new Map(inspects.map((i) => [i.Id, i]));
  const imageById = new Map(images.map((i) => [i.Id, i]));
  const usersOf = new Map<string, string[]>();
  for (const c of containers) {
    const image = imageById.get(c.imageId);
    for (const diffID of new Set(image?.RootFS.Layers ?? [])) {
      const users = usersOf.get(diffID) ?? [];
      users.push(c.name);
      usersOf.set(diffID, users);
    }
  }
  const layersOf = (image: ImageInspect | undefined, self?: string): ContainerLayer[] =>
    (image?.RootFS.Layers ?? []).map((diffID, index) => {
      const detail = image?.LayerDetails?.[index];
      const usedBy = [...(usersOf.get(diffID) ?? [])].sort(compareNames);
      const size = detail?.size ?? 0;
      return {
        index,
        diffID,
        shortId: shortHex(diffID),
        label: truncate(instructionFromCreatedBy(detail?.createdBy ?? ''), LABEL_LENGTH),
        size,
        sizeLabel: sizeLabel(size),
        usedBy,
        sharedWith: usedBy.filter((n) => n !== self),
      };
    });

  const cards = containers.map((c): ContainerCard => {
    const inspect = inspectById.get(c.id);
    const mounts = (inspect?.Mounts ?? c.mounts).map((m): ContainerMount => {
      if (m.Type === 'bind')
        return {
          kind: 'bind',
          volume: m.Source,
          volumeLabel: m.Source,
          destination: m.Destination,
          readOnly: !m.RW,
          label: `bind mount of the host's ${m.Source} → ${m.Destination}${m.RW ? '' : ' (read-only)'}`,
        };
      const volumeLabel = isAnonymous(m.Name) ? shortHex(m.Name) : m.Name;
      return {
        kind: 'volume',
        volume: m.Name,
        volumeLabel,
        destination: m.Destination,
        readOnly: !m.RW,
        label: `${volumeLabel} → ${m.Destination}${m.RW ? '' : ' (read-only)'}`,
      };
    });
    const compose = composeMembership(c.labels);
    const card: Omit<ContainerCard, 'alt'> = {
      id: c.id,
      shortId: shortHex(c.id),
      name: c.name,
      image: c.image,
      imageId: c.imageId,
      ...(compose ? { project: compose.project, service: compose.service } : {}),
      command: c.command,
      created: c.created,
      state: c.state,
      running: c.state === 'running',
      exitCode: c.exitCode,
      oomKilled: inspect?.State.OOMKilled ?? false,
      status: c.status,
      ...(c.state === 'running' && inspect?.State.Health ? { health: inspect.State.Health.Status } : {}),
      pid: inspect?.State.Pid ?? 0,
      layers: layersOf(imageById.get(c.imageId), c.name),
      readWrite: readWriteLayer(diffs.get(c.id), inspect),
      limits: limitsOf(inspect),
      mounts,
    };
    return { ...card, alt: containerAlt(card) };
  });

  /** `some` by image, in their order, each image's layers once. */
  const groupByImage = (some: readonly ContainerCard[]): ImageGroup[] => {
    const groups = new Map<string, ImageGroup>();
    for (const c of some) {
      let g = groups.get(c.imageId);
      if (!g) {
        const image = imageById.get(c.imageId);
        g = {
          imageId: c.imageId,
          shortId: shortHex(c.imageId),
          title: c.image || image?.RepoTags[0] || shortHex(c.imageId),
          layers: layersOf(image),
          containerIds: [],
          caption: '',
          alt: '',
        };
        groups.set(c.imageId, g);
      }
      g.containerIds.push(c.id);
    }
    return [...groups.values()].map((g) => {
      const names = g.containerIds.map((id) => cards.find((c) => c.id === id)?.name ?? shortHex(id));
      const alt =
        `Image ${g.title}: ${plural(g.layers.length, 'layer')} shared by ${plural(names.length, 'container')} (${listWords(names)}); ` +
        `each container adds only its own read-write layer on top.`;
      const caption = `${plural(g.layers.length, 'read-only layer')}${names.length > 1 ? `, shared by ${plural(names.length, 'container')}` : ''}`;
      return { ...g, caption, alt };
    });
  };
  const cardById = new Map(cards.map((c) => [c.id, c]));
  const projects = composeProjects(containers).map((p): ProjectGroup => ({
    ...p,
    imageGroups: groupByImage(p.containerIds.map((id) => cardById.get(id)!)),
  }));
  const imageGroups = groupByImage(cards.filter((c) => !c.project));

  const sharedLayerCount = [...usersOf.values()].filter((u) => u.length > 1).length;
  const running = cards.filter((c) => c.running).length;
  const imageCount = new Set(cards.map((c) => c.imageId)).size;
  const alt =
    cards.length === 0
      ? 'There are no containers.'
      : `${plural(cards.length, 'container')}, ${running} running, from ${plural(imageCount, 'image')}. ` +
        (sharedLayerCount ? `${plural(sharedLayerCount, 'layer is', 'layers are')} shared between containers and stored once. ` : '') +
        projects.map((p) => `${p.alt} `).join('') +
        cards.map((c) => c.alt).join(' ');
  return {
    containers: cards,
    imageGroups,
    projects,
    sharedLayerCount,
    alt,
    networks: networkLanes(containers, inspects),
    published: publishedPorts(containers),
  };
}

/**
 * What the terminal says after a reload about the containers it stopped, e.g. `The container live
 * was running when the page was reloaded or closed: it has exited (255) and keeps its files as of
 * 12:03:09. docker start live runs it again.` (times in the page's time zone).
 */
export function interruptedContainersNotice(containers: readonly { name: string; savedAt?: string }[]): string {
  const clock = (iso: string | undefined) => {
    const d = iso ? new Date(iso) : undefined;
    return d && !Number.isNaN(d.getTime())
      ? [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
      : undefined;
  };
  const kept = (c: { name: string; savedAt?: string }) =>
    clock(c.savedAt) ? `its files as of ${clock(c.savedAt)}` : 'none of the files it changed while it ran';
  if (containers.length === 1) {
    const c = containers[0]!;
    return `The container ${c.name} was running when the page was reloaded or closed: it has exited (255) and keeps ${kept(c)}. docker start ${c.name} runs it again.`;
  }
  const list = containers
    .map(
      (c) =>
        `${c.name} (${kept(c).replace('its files as of', 'files as of').replace('none of the files it changed while it ran', 'no files saved')})`,
    )
    .join(', ');
  return `${containers.length} containers were running when the page was reloaded or closed: ${list}. They have exited (255); docker start NAME runs one again.`;
}
