/**
 * The list outputs of `docker ps`, `images`, `history`, `volume ls`, `network ls` and `system df`, built like
 * docker/cli's formatter package: one context object per row (its fields are what `--format`
 * templates see), Docker's default table templates, header names, and the tab writer.
 */
import type { ContainerStats, ContainerSummary, DiskUsage, HistoryEntry, ImageSummary, NetworkInspect, VolumeInfo } from '../api.ts';
import { bytesSize, ellipsis, goQuote, goTimeString, humanSize, humanSize4, rfc3339, tabwrite, timeAgo, truncateId } from './format.ts';
import { familiarName, parseReference } from './reference.ts';
import { Template } from './template.ts';

/** What a list command needs to know to format its rows. */
export interface FormatOptions {
  /** `--format` as given ('' for the default table). */
  format?: string;
  /** `-q`. */
  quiet?: boolean;
  /** False with `--no-trunc`. */
  trunc?: boolean;
  /** The current time, for "2 hours ago". */
  now: Date;
}

/** Row contexts and headers of one kind of list. */
export interface Kind<R> {
  defaultTable: string;
  quiet: string;
  headers: Record<string, string>;
  typeName: string;
  rows: R[];
}

/** Sorts an object's keys, so `{{json .}}` prints them in Go's map order. */
function sorted(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

/** Docker's Context.Write: pick the format, render each row, and tabulate when it is a table. */
export function write<R>(kind: Kind<R>, options: FormatOptions): string {
  let format = options.format ?? '';
  if (options.quiet) format = kind.quiet;
  else if (format === '' || format === 'table') format = kind.defaultTable;
  else if (format === 'json') format = '{{json .}}';
  const isTable = format.startsWith('table');
  let body = isTable ? format.slice('table'.length) : format;
  body = body
    .replace(/^ +| +$/g, '')
    .replaceAll('\\t', '\t')
    .replaceAll('\\n', '\n');
  const tmpl = Template.parse(body);
  let rows = '';
  for (const r of kind.rows) rows += tmpl.execute(r, { strictType: kind.typeName }) + '\n';
  if (!isTable) return rows;
  const header = tmpl.execute(kind.headers, { header: kind.headers });
  return tabwrite(header + '\n' + rows);
}

// ---------------------------------------------------------------- docker ps

const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
};

/** The fields `docker ps --format` offers for one container. */
export function containerContext(c: ContainerSummary, trunc: boolean, now: Date): Record<string, unknown> {
  let image = c.image || '<no image>';
  if (trunc && c.image) {
    if (truncateId(c.imageId) === truncateId(c.image)) image = truncateId(c.imageId);
    else if (!/^sha256:/.test(c.image))
      image = familiarName(c.image) + (parseReference(c.image).tag !== undefined ? ':' + parseReference(c.image).tag : '');
  }
  const mounts = c.mounts.map((m) => (trunc ? ellipsis(m.Name || m.Source, 15) : m.Name || m.Source)).join(',');
  return sorted({
    ID: trunc ? truncateId(c.id) : c.id,
    Names: c.name,
    Image: image,
    Command: goQuote(trunc ? ellipsis(c.command, 20) : c.command),
    CreatedAt: goTimeString(c.created),
    RunningFor: timeAgo(c.created, now),
    Ports: portsText(c.ports ?? []),
    State: c.state,
    Status: c.status,
    // docker/cli's ContainerContext.Size
    Size: c.sizeRootFs ? `${humanSize(c.sizeRw ?? 0)} (virtual ${humanSize(c.sizeRootFs)})` : humanSize(c.sizeRw ?? 0),
    // docker/cli's ContainerContext.Labels: k=v joined by commas, in map order
    Labels: Object.entries(c.labels ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Mounts: mounts,
    LocalVolumes: String(c.mounts.length),
    Networks: (c.networks ?? []).join(','),
  });
}

/** `docker ps` output (default table, `-q`, or `--format`; `size`: the SIZE column too, as `ps -s`). */
export function formatContainers(list: ContainerSummary[], options: FormatOptions & { size?: boolean }): string {
  const trunc = options.trunc ?? true;
  return write(
    {
      defaultTable: `table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}${options.size ? '\t{{.Size}}' : ''}`,
      quiet: '{{.ID}}',
      headers: CONTAINER_HEADERS,
      typeName: '*formatter.ContainerContext',
      rows: list.map((c) => containerContext(c, trunc, options.now)),
    },
    options,
  );
}

// ---------------------------------------------------------------- docker images

const IMAGE_HEADERS: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

/** One row per repository:tag (or one `<none>` row for a dangling image), as docker/cli lists them. */
export function imageRows(img: ImageSummary): { repo: string; tag: string; digest: string }[] {
  // docker/cli's imageFormat: the digests by repository, then a row per tag (with its repository's
  // digest), then a row for a repository known only by digest (tag <none>)
  const digests = new Map<string, string[]>();
  for (const rd of img.repoDigests ?? []) {
    const at = rd.lastIndexOf('@');
    const repo = familiarName(rd.slice(0, at));
    digests.set(repo, [...(digests.get(repo) ?? []), rd.slice(at + 1)]);
  }
  const rows: { repo: string; tag: string; digest: string }[] = [];
  for (const rt of img.repoTags) {
    if (rt === '<none>:<none>') continue;
    const r = parseReference(rt);
    const repo = familiarName(r);
    for (const digest of digests.get(repo) ?? ['<none>']) rows.push({ repo, tag: r.tag ?? '<none>', digest });
  }
  const tagged = new Set(rows.map((r) => r.repo));
  for (const [repo, list] of digests) if (!tagged.has(repo)) for (const digest of list) rows.push({ repo, tag: '<none>', digest });
  if (rows.length === 0) rows.push({ repo: '<none>', tag: '<none>', digest: '<none>' });
  return rows;
}

/** The fields `docker images --format` offers for one row. */
export function imageContext(
  img: ImageSummary,
  row: { repo: string; tag: string; digest?: string },
  trunc: boolean,
  now: Date,
): Record<string, unknown> {
  return sorted({
    ID: trunc ? truncateId(img.id) : img.id,
    Repository: row.repo,
    Tag: row.tag,
    Digest: row.digest ?? '<none>',
    CreatedSince: timeAgo(img.created, now),
    CreatedAt: goTimeString(img.created),
    Size: humanSize(img.size),
    Containers: img.containers < 0 ? 'N/A' : String(img.containers),
    VirtualSize: humanSize4(img.size),
    SharedSize: 'N/A',
    UniqueSize: 'N/A',
  });
}

/** `docker images` output. */
export function formatImages(list: ImageSummary[], options: FormatOptions & { digests?: boolean }): string {
  const trunc = options.trunc ?? true;
  const rows: Record<string, unknown>[] = [];
  for (const img of list) for (const row of imageRows(img)) rows.push(imageContext(img, row, trunc, options.now));
  return write(
    {
      defaultTable: options.digests
        ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}'
        : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}',
      quiet: '{{.ID}}',
      headers: IMAGE_HEADERS,
      typeName: '*formatter.imageContext',
      rows,
    },
    options,
  );
}

// ---------------------------------------------------------------- docker history

const HISTORY_HEADERS: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

/** `docker history` output; `human` is `-H` (default true). */
export function formatHistory(list: HistoryEntry[], options: FormatOptions & { human?: boolean }): string {
  const trunc = options.trunc ?? true;
  const human = options.human ?? true;
  const rows = list.map((h) => {
    const createdBy = h.createdBy.replaceAll('\t', ' ');
    return sorted({
      ID: trunc && h.id !== '<missing>' ? truncateId(h.id) : h.id,
      CreatedSince: human ? timeAgo(h.created, options.now) : rfc3339(h.created),
      CreatedAt: rfc3339(h.created),
      CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
      Size: human ? humanSize(h.size) : String(h.size),
      Comment: h.comment,
    });
  });
  return write(
    {
      defaultTable: human
        ? 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}'
        : 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
      quiet: '{{.ID}}',
      headers: HISTORY_HEADERS,
      typeName: '*formatter.historyContext',
      rows,
    },
    options,
  );
}

// ---------------------------------------------------------------- docker volume ls

const VOLUME_HEADERS: Record<string, string> = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Group: 'GROUP',
  Availability: 'AVAILABILITY',
  Status: 'STATUS',
};

function joinLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',');
}

/** The fields `docker volume ls --format` offers for one volume; `links` is how many containers use it. */
export function volumeContext(v: VolumeInfo, links?: number): Record<string, unknown> {
  return sorted({
    Name: v.Name,
    Driver: v.Driver,
    Scope: v.Scope,
    Mountpoint: v.Mountpoint,
    Labels: joinLabels(v.Labels),
    Links: links === undefined ? 'N/A' : String(links),
    Size: v.Size === undefined ? 'N/A' : humanSize(v.Size),
    Group: '',
    Availability: '',
    Status: '',
  });
}

/** `docker volume ls` output. */
export function formatVolumes(list: VolumeInfo[], options: FormatOptions): string {
  return write(
    {
      defaultTable: 'table {{.Driver}}\t{{.Name}}',
      quiet: '{{.Name}}',
      headers: VOLUME_HEADERS,
      typeName: '*formatter.volumeContext',
      rows: list.map((v) => volumeContext(v)),
    },
    options,
  );
}

// ---------------------------------------------------------------- docker system df

function reclaimable(size: number, reclaim: number, percent: boolean): string {
  if (percent && size > 0) return `${humanSize4(reclaim)} (${Math.trunc((reclaim * 100) / size)}%)`;
  return humanSize4(reclaim);
}

/** `docker system df` summary table. */
export function formatDiskUsage(du: DiskUsage, options: { format?: string } = {}): string {
  const row = (type: string, u: DiskUsage['images'], percent: boolean): Record<string, unknown> =>
    sorted({
      Type: type,
      TotalCount: String(u.total),
      Active: String(u.active),
      Size: humanSize4(u.size),
      Reclaimable: reclaimable(u.size, u.reclaimable, percent),
    });
  return write(
    {
      defaultTable: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
      quiet: '{{.Type}}',
      headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
      typeName: '*formatter.diskUsageImagesContext',
      rows: [
        row('Images', du.images, true),
        row('Containers', du.containers, true),
        row('Local Volumes', du.volumes, true),
        row('Build Cache', du.buildCache, false),
      ],
    },
    { format: options.format ?? '', now: new Date(0) },
  );
}

/** `docker system df -v`: images, containers, volumes and build cache sections. */
export function formatDiskUsageVerbose(
  du: DiskUsage,
  images: ImageSummary[],
  containers: ContainerSummary[],
  volumes: VolumeInfo[],
  now: Date,
): string {
  let out = 'Images space usage:\n\n';
  const imageRowsOut: Record<string, unknown>[] = [];
  for (const img of images) {
    const first = imageRows(img)[0] ?? { repo: '<none>', tag: '<none>' };
    imageRowsOut.push(imageContext(img, first, true, now));
  }
  out += write(
    {
      defaultTable:
        'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}',
      quiet: '{{.ID}}',
      headers: IMAGE_HEADERS,
      typeName: '*formatter.imageContext',
      rows: imageRowsOut,
    },
    { now },
  );
  out += '\nContainers space usage:\n\n';
  out += write(
    {
      defaultTable: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}',
      quiet: '{{.ID}}',
      headers: CONTAINER_HEADERS,
      typeName: '*formatter.ContainerContext',
      rows: containers.map((c) => ({ ...containerContext(c, true, now), Size: 'N/A' })),
    },
    { now },
  );
  out += '\nLocal Volumes space usage:\n\n';
  const links = (name: string): number => containers.filter((c) => c.mounts.some((m) => m.Type === 'volume' && m.Name === name)).length;
  out += write(
    {
      defaultTable: 'table {{.Name}}\t{{.Links}}\t{{.Size}}',
      quiet: '{{.Name}}',
      headers: VOLUME_HEADERS,
      typeName: '*formatter.volumeContext',
      rows: volumes.map((v) => volumeContext(v, links(v.Name))),
    },
    { now },
  );
  out += `\nBuild cache usage: ${humanSize4(du.buildCache.size)}\n\n`;
  out += write(
    {
      defaultTable: 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}',
      quiet: '{{.ID}}',
      headers: {
        ID: 'CACHE ID',
        CacheType: 'CACHE TYPE',
        Size: 'SIZE',
        CreatedSince: 'CREATED',
        LastUsedSince: 'LAST USED',
        UsageCount: 'USAGE',
        Shared: 'SHARED',
      },
      typeName: '*formatter.buildCacheContext',
      rows: [],
    },
    { now },
  );
  return out;
}

/** `docker top`: titles and process rows through a tab writer with minwidth 20, padding 3 (as docker/cli's top.go). */
export function formatTop(titles: string[], processes: string[][]): string {
  const lines = [titles.join('\t'), ...processes.map((p) => p.join('\t'))];
  return tabwrite(lines.join('\n') + '\n', 20, 3);
}

// ---------------------------------------------------------------- docker stats

const STATS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Container: 'CONTAINER',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

/** `docker stats` output (Docker's columns; no network and no block I/O accounting here: 0B / 0B). */
export function formatStats(list: ContainerStats[], options: FormatOptions): string {
  const trunc = options.trunc ?? true;
  const pct = (x: number) => `${x.toFixed(2)}%`;
  return write(
    {
      defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}',
      quiet: '{{.ID}}',
      headers: STATS_HEADERS,
      typeName: '*formatter.statsContext',
      rows: list.map((s) =>
        sorted({
          ID: trunc ? truncateId(s.id) : s.id,
          Container: trunc ? truncateId(s.id) : s.id,
          Name: s.running || s.name ? s.name : '--',
          CPUPerc: s.running ? pct(s.cpuPercent) : '--',
          MemUsage: s.running ? `${bytesSize(s.memoryUsage)} / ${bytesSize(s.memoryLimit)}` : '-- / --',
          MemPerc: s.running ? pct(s.memoryLimit ? (s.memoryUsage / s.memoryLimit) * 100 : 0) : '--',
          NetIO: s.running ? '0B / 0B' : '--',
          BlockIO: s.running ? '0B / 0B' : '--',
          PIDs: s.running ? String(s.pids) : '--',
        }),
      ),
    },
    options,
  );
}

/** docker/cli's PORTS text: `0.0.0.0:5000->5000/tcp, 8080/tcp`, by container port. */
export function portsText(ports: NonNullable<ContainerSummary['ports']>): string {
  return [...ports]
    .sort((a, b) => a.PrivatePort - b.PrivatePort || (a.PublicPort ?? 0) - (b.PublicPort ?? 0))
    .map((p) => (p.PublicPort ? `${p.IP ?? '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`))
    .join(', ');
}

// ---------------------------------------------------------------- docker network ls

const NETWORK_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

/** `docker network ls` (docker/cli's networkContext; IDs cut to 12 unless `noTrunc`). */
export function formatNetworks(list: NetworkInspect[], options: FormatOptions & { noTrunc?: boolean }): string {
  return write(
    {
      defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
      quiet: '{{.ID}}',
      headers: NETWORK_HEADERS,
      typeName: '*formatter.networkContext',
      rows: list.map((n) =>
        sorted({
          ID: options.noTrunc ? n.Id : n.Id.slice(0, 12),
          Name: n.Name,
          Driver: n.Driver,
          Scope: n.Scope,
          IPv4: String(n.EnableIPv4),
          IPv6: String(n.EnableIPv6),
          Internal: String(n.Internal),
          Labels: joinLabels(n.Labels),
          CreatedAt: goTimeString(n.Created),
        }),
      ),
    },
    options,
  );
}
