import { describe, expect, it } from 'vitest';
import type { ContainerSummary, VolumeInfo } from '../engine/api.ts';
import { volumesView, type VolumesView } from './volumes.ts';
import { expectGolden, wrap } from './testdata/golden.ts';
import playground from './testdata/playground.json' with { type: 'json' };

const containers = playground.containers as ContainerSummary[];
const volumes = playground.volumes as VolumeInfo[];

function formatVolumes(v: VolumesView): string {
  const out = [
    `${v.volumes.length} volumes: ${v.attachedCount} attached, ${v.unattachedCount} unattached, missing: ${v.missing.join(', ') || '-'}`,
  ];
  for (const vol of v.volumes) {
    const flags = [vol.anonymous && 'anonymous', vol.unattached && 'unattached', vol.prunable && 'prunable'].filter(Boolean).join(' ');
    out.push(`${vol.label} ${vol.sizeLabel || '?'} [${flags}] ${vol.mountpoint}`);
    for (const a of vol.attachments) out.push(`  -> ${a.containerName} (${a.containerState}) ${a.destination}${a.readOnly ? ' ro' : ''}`);
    for (const f of vol.files) out.push(`  ${f.type === 'directory' ? 'd' : f.type === 'symlink' ? 'l' : '-'} ${f.path} ${f.sizeLabel}`);
    if (vol.moreFiles) out.push(`  … ${vol.moreFiles} more`);
    out.push(wrap(`  alt: ${vol.alt}`, 100, '    '));
  }
  out.push('alt:', wrap(v.alt));
  return `${out.join('\n')}\n`;
}

describe('volumesView', () => {
  it('draws the playground’s volumes (golden)', () => {
    const files = new Map([
      [
        'visits',
        [
          { path: 'count.txt', type: 'file' as const, size: 3 },
          { path: 'log', type: 'directory' as const, size: 0 },
          ...Array.from({ length: 12 }, (_, i) => ({
            path: `log/${String(i).padStart(2, '0')}.txt`,
            type: 'file' as const,
            size: 1200 * i,
          })),
        ],
      ],
    ]);
    const view = volumesView(volumes, containers, files);
    expectGolden('volumes-playground', formatVolumes(view));
    expect(view.volumes.find((v) => v.name === 'visits')).toMatchObject({ moreFiles: 2 });
    const visits = view.volumes.find((v) => v.name === 'visits')!;
    expect(visits.attachments.map((a) => [a.containerName, a.readOnly, a.running])).toEqual([
      ['web-2', true, false],
      ['web-1', false, true],
    ]);
    expect(view.volumes.filter((v) => v.unattached).map((v) => v.label)).toEqual([volumes[1]!.Name.slice(0, 12), 'pip-cache']);
    expect(view.volumes.filter((v) => v.prunable).map((v) => v.name)).toEqual([volumes[1]!.Name]);
  });

  it('flags mounts of volumes it was not given', () => {
    const view = volumesView([], containers);
    expect(view.missing).toEqual([volumes[0]!.Name, 'visits']);
    expect(view.alt).toBe('There are no volumes.');
  });

  it('treats a 64-hex name as anonymous without the label', () => {
    const name = 'f'.repeat(64);
    const view = volumesView([{ Name: name, Driver: 'local', Mountpoint: '/v', CreatedAt: '', Labels: {}, Scope: 'local' }], []);
    expect(view.volumes[0]).toMatchObject({ anonymous: true, prunable: true, label: 'ffffffffffff', sizeLabel: '', size: undefined });
  });
});
