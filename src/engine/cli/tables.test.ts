import { describe, expect, it } from 'vitest';
import { goldenFiles } from '../../../tests/fixtures/golden.ts';
import type { ContainerSummary, DiskUsage, HistoryEntry, ImageSummary, VolumeInfo } from '../api.ts';
import {
  formatContainers,
  formatDiskUsage,
  formatDiskUsageVerbose,
  formatHistory,
  formatImages,
  formatTop,
  formatVolumes,
} from './tables.ts';

// Golden files live in testdata/; `UPDATE_GOLDEN=1 npx vitest run --project unit src/engine/cli` rewrites them.
const golden = goldenFiles(new URL('./testdata/', import.meta.url));

const now = new Date('2024-05-01T12:00:00Z');
const hex = (c: string): string => c.repeat(64);

export const CONTAINERS: ContainerSummary[] = [
  {
    id: 'f1e2d3c4b5a6' + hex('0').slice(12),
    name: 'web',
    image: 'busybox',
    imageId: 'sha256:' + hex('a'),
    command: "sh -c 'while true; do echo hello; sleep 1; done'",
    created: '2024-05-01T10:00:00Z',
    state: 'running',
    status: 'Up 2 hours',
    exitCode: 0,
    mounts: [],
  },
  {
    id: '0a1b2c3d4e5f' + hex('1').slice(12),
    name: 'db',
    image: 'docker.io/library/busybox:latest',
    imageId: 'sha256:' + hex('a'),
    command: 'sleep 1000',
    created: '2024-05-01T11:59:15Z',
    state: 'running',
    status: 'Up 44 seconds',
    exitCode: 0,
    mounts: [{ Type: 'volume', Name: 'data', Source: '/var/lib/docker/volumes/data/_data', Destination: '/data', RW: true }],
  },
  {
    id: '9f8e7d6c5b4a' + hex('2').slice(12),
    name: 'happy_turing',
    image: 'alpine:3.19',
    imageId: 'sha256:' + hex('b'),
    command: 'echo hi',
    created: '2024-04-28T12:00:00Z',
    state: 'exited',
    status: 'Exited (0) 3 days ago',
    exitCode: 0,
    mounts: [],
  },
  {
    id: '123456789abc' + hex('3').slice(12),
    name: 'by_id',
    image: 'sha256:' + hex('c'),
    imageId: 'sha256:' + hex('c'),
    command: 'sh -c "echo \\"quoted\\""',
    created: '2024-05-01T11:59:59Z',
    state: 'created',
    status: 'Created',
    exitCode: 0,
    mounts: [],
  },
];

export const IMAGES: ImageSummary[] = [
  { id: 'sha256:' + hex('d'), repoTags: ['web:1'], created: '2024-05-01T10:00:00Z', size: 4_300_000, containers: 1, labels: {} },
  {
    id: 'sha256:' + hex('a'),
    repoTags: ['busybox:latest', 'busybox:1.36'],
    created: '2024-04-17T00:00:00Z',
    size: 4_261_234,
    containers: 2,
    labels: {},
  },
  { id: 'sha256:' + hex('e'), repoTags: [], created: '2024-04-28T12:00:00Z', size: 0, containers: 0, labels: {} },
  {
    id: 'sha256:' + hex('b'),
    repoTags: ['docker.io/library/alpine:3.19'],
    created: '2024-01-27T00:00:00Z',
    size: 7_377_040,
    containers: 1,
    labels: {},
  },
  {
    id: 'sha256:' + hex('f'),
    repoTags: ['localhost:5000/team/app:dev'],
    created: '2023-03-01T00:00:00Z',
    size: 123_456_789,
    containers: 0,
    labels: {},
  },
];

export const HISTORY: HistoryEntry[] = [
  {
    id: 'sha256:' + hex('d'),
    created: '2024-05-01T10:00:00Z',
    createdBy: 'CMD ["sh" "-c" "echo hello from web"]',
    size: 0,
    comment: 'buildkit.dockerfile.v0',
    emptyLayer: true,
  },
  {
    id: '<missing>',
    created: '2024-05-01T10:00:00Z',
    createdBy: 'RUN /bin/sh -c echo hello > /hello.txt # buildkit',
    size: 12_288,
    comment: 'buildkit.dockerfile.v0',
    emptyLayer: false,
  },
  {
    id: '<missing>',
    created: '2024-05-01T09:59:58Z',
    createdBy: 'COPY app.sh /app/app.sh # buildkit',
    size: 1_024,
    comment: 'buildkit.dockerfile.v0',
    emptyLayer: false,
  },
  {
    id: '<missing>',
    created: '2024-04-17T00:00:00Z',
    createdBy: '/bin/sh -c #(nop)  CMD ["sh"]',
    size: 0,
    comment: '',
    emptyLayer: true,
  },
  {
    id: '<missing>',
    created: '2024-04-17T00:00:00Z',
    createdBy: '/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3443cef785fd1 in / ',
    size: 4_261_234,
    comment: '',
    emptyLayer: false,
  },
];

export const VOLUMES: VolumeInfo[] = [
  {
    Name: 'data',
    Driver: 'local',
    Mountpoint: '/var/lib/docker/volumes/data/_data',
    CreatedAt: '2024-05-01T10:00:00Z',
    Labels: {},
    Scope: 'local',
    Size: 1_024_000,
  },
  {
    Name: hex('7'),
    Driver: 'local',
    Mountpoint: `/var/lib/docker/volumes/${hex('7')}/_data`,
    CreatedAt: '2024-05-01T10:00:00Z',
    Labels: { 'com.docker.volume.anonymous': '' },
    Scope: 'local',
    Size: 0,
  },
  {
    Name: 'logs',
    Driver: 'local',
    Mountpoint: '/var/lib/docker/volumes/logs/_data',
    CreatedAt: '2024-05-01T10:00:00Z',
    Labels: { team: 'ops' },
    Scope: 'local',
  },
];

export const DISK_USAGE: DiskUsage = {
  images: { total: 5, active: 3, size: 139_395_063, reclaimable: 123_456_789 },
  containers: { total: 4, active: 2, size: 1_234_567, reclaimable: 12_288 },
  volumes: { total: 3, active: 1, size: 2_048_000, reclaimable: 1_024_000 },
  buildCache: { total: 7, active: 0, size: 20_480, reclaimable: 20_480 },
};

describe('docker ps', () => {
  it('default table', () => golden('ps.golden', formatContainers(CONTAINERS, { now })));
  it('--no-trunc', () => golden('ps-no-trunc.golden', formatContainers(CONTAINERS, { now, trunc: false })));
  it('-q', () =>
    expect(formatContainers(CONTAINERS, { now, quiet: true })).toBe('f1e2d3c4b5a6\n0a1b2c3d4e5f\n9f8e7d6c5b4a\n123456789abc\n'));
  it('no containers prints the header only', () => {
    expect(formatContainers([], { now })).toBe('CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
  });
  it('--format with and without table', () => {
    golden(
      'ps-format-table.golden',
      formatContainers(CONTAINERS, { now, format: 'table {{.Names}}\\t{{.State}}\\t{{.Mounts}}\\t{{.RunningFor}}' }),
    );
    expect(formatContainers(CONTAINERS.slice(0, 2), { now, format: '{{.ID}} {{.Names}} {{.Image}} {{.Status}}' })).toBe(
      'f1e2d3c4b5a6 web busybox Up 2 hours\n0a1b2c3d4e5f db busybox:latest Up 44 seconds\n',
    );
    expect(formatContainers(CONTAINERS.slice(1, 2), { now, format: '{{.Command}}|{{.State}}|{{.LocalVolumes}}' })).toBe(
      '"sleep 1000"|running|1\n',
    );
  });
  it('--format json prints one object per line with sorted keys', () => {
    const line = formatContainers(CONTAINERS.slice(0, 1), { now, format: 'json' });
    expect(line.endsWith('\n')).toBe(true);
    const obj = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(obj)).toEqual([...Object.keys(obj)].sort());
    expect(obj.Names).toBe('web');
    expect(obj.RunningFor).toBe('2 hours ago');
  });
  it('unknown fields fail like Go templates', () => {
    expect(() => formatContainers(CONTAINERS, { now, format: '{{.Nope}}' })).toThrow(
      "can't evaluate field Nope in type *formatter.ContainerContext",
    );
  });
});

describe('docker images', () => {
  it('default table', () => golden('images.golden', formatImages(IMAGES, { now })));
  it('--no-trunc', () => golden('images-no-trunc.golden', formatImages(IMAGES, { now, trunc: false })));
  it('-q prints one ID per row', () => {
    expect(formatImages(IMAGES.slice(0, 2), { now, quiet: true })).toBe('dddddddddddd\naaaaaaaaaaaa\naaaaaaaaaaaa\n');
  });
  it('header only', () => expect(formatImages([], { now })).toBe('REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n'));
  it('--digests: a DIGEST column from RepoDigests; a repository known only by digest gets a <none> tag', () => {
    const d = 'sha256:' + hex('f');
    const pulled: ImageSummary[] = [
      { ...IMAGES[1]!, repoDigests: [`busybox@${d}`] },
      { ...IMAGES[2]!, repoDigests: [`localhost:5000/old@${d}`] },
      IMAGES[0]!,
    ];
    expect(formatImages(pulled, { now, digests: true })).toBe(
      [
        'REPOSITORY           TAG       DIGEST                                                                    IMAGE ID       CREATED       SIZE',
        `busybox              latest    ${d}   aaaaaaaaaaaa   2 weeks ago   4.26MB`,
        `busybox              1.36      ${d}   aaaaaaaaaaaa   2 weeks ago   4.26MB`,
        `localhost:5000/old   <none>    ${d}   eeeeeeeeeeee   3 days ago    0B`,
        'web                  1         <none>                                                                    dddddddddddd   2 hours ago   4.3MB',
        '',
      ].join('\n'),
    );
  });

  it('--format', () => {
    expect(formatImages(IMAGES.slice(1, 2), { now, format: '{{.Repository}}:{{.Tag}} {{.Size}} {{.CreatedSince}}' })).toBe(
      'busybox:latest 4.26MB 2 weeks ago\nbusybox:1.36 4.26MB 2 weeks ago\n',
    );
  });
});

describe('docker history', () => {
  it('default table', () => golden('history.golden', formatHistory(HISTORY, { now })));
  it('--no-trunc', () => golden('history-no-trunc.golden', formatHistory(HISTORY, { now, trunc: false })));
  it('-H=false', () => golden('history-not-human.golden', formatHistory(HISTORY, { now, human: false })));
  it('-q', () => expect(formatHistory(HISTORY.slice(0, 2), { now, quiet: true })).toBe('dddddddddddd\n<missing>\n'));
});

describe('docker volume ls', () => {
  it('default table', () => golden('volume-ls.golden', formatVolumes(VOLUMES, { now })));
  it('-q', () => expect(formatVolumes(VOLUMES.slice(0, 1), { now, quiet: true })).toBe('data\n'));
  it('--format', () =>
    expect(formatVolumes(VOLUMES.slice(2), { now, format: '{{.Name}} {{.Labels}} {{.Scope}}' })).toBe('logs team=ops local\n'));
});

describe('docker system df', () => {
  it('summary table', () => golden('system-df.golden', formatDiskUsage(DISK_USAGE)));
  it('--format', () => {
    expect(formatDiskUsage(DISK_USAGE, { format: '{{.Type}}: {{.Reclaimable}}' })).toBe(
      'Images: 123.5MB (88%)\nContainers: 12.29kB (0%)\nLocal Volumes: 1.024MB (50%)\nBuild Cache: 20.48kB\n',
    );
  });
  it('empty engine', () => {
    const zero = { total: 0, active: 0, size: 0, reclaimable: 0 };
    expect(formatDiskUsage({ images: zero, containers: zero, volumes: zero, buildCache: zero })).toBe(
      'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n' +
        'Images          0         0         0B        0B\n' +
        'Containers      0         0         0B        0B\n' +
        'Local Volumes   0         0         0B        0B\n' +
        'Build Cache     0         0         0B        0B\n',
    );
  });
  it('-v', () => golden('system-df-v.golden', formatDiskUsageVerbose(DISK_USAGE, IMAGES, CONTAINERS, VOLUMES, now)));
});

describe('docker top', () => {
  it('pads with a minimum width of 20', () => {
    expect(formatTop(['UID', 'PID', 'CMD'], [['root', '1', 'sleep 1000']])).toBe(
      'UID                 PID                 CMD\nroot                1                   sleep 1000\n',
    );
  });
});
