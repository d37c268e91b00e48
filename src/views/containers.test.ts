import { describe, expect, it } from 'vitest';
import type { ChangeEntry, ContainerInspect, ContainerSummary, ImageInspect } from '../engine/api.ts';
import { changeRows, containersView, interruptedContainersNotice, type ContainersView } from './containers.ts';
import { expectGolden, wrap } from './testdata/golden.ts';
import playground from './testdata/playground.json' with { type: 'json' };
import python from './testdata/python-image.json' with { type: 'json' };

const containers = playground.containers as ContainerSummary[];
// recorded before HostConfig had CapAdd, CapDrop, Privileged and SecurityOpt (the view does not read them)
const inspects = playground.inspects as unknown as ContainerInspect[];
const images = [python.inspect, ...playground.images] as ImageInspect[];
const diffs = new Map(Object.entries(playground.diffs) as [string, ChangeEntry[]][]);

function formatContainers(v: ContainersView): string {
  const out = [`${v.containers.length} containers, ${v.imageGroups.length} image groups, ${v.sharedLayerCount} shared layers`];
  for (const g of v.imageGroups) {
    out.push(`group ${g.title} (${g.shortId}): ${g.containerIds.map((id) => id.slice(0, 12)).join(' ')} | ${g.caption}`);
    for (const l of [...g.layers].reverse())
      out.push(`  ro ${l.shortId} ${l.sizeLabel.padStart(7)} ${l.label} | used by ${l.usedBy.join(', ')}`);
    out.push(`  alt: ${g.alt}`);
  }
  for (const c of v.containers) {
    out.push(
      '',
      `container ${c.name} (${c.shortId}) image=${c.image} state=${c.state} running=${c.running} exit=${c.exitCode} oom=${c.oomKilled} pid=${c.pid}`,
    );
    out.push(`  status: ${c.status} | command: ${c.command}`);
    out.push(`  limits: memory ${c.limits.memoryLabel}, pids ${c.limits.pidsLabel}, read-only rootfs ${c.limits.readOnlyRootfs}`);
    for (const m of c.mounts) out.push(`  mount: ${m.label}`);
    const rw = c.readWrite;
    out.push(`  rw layer (${rw.known ? `A${rw.added} C${rw.changed} D${rw.deleted}` : 'unknown'}) ${rw.upperDir}`);
    for (const r of rw.rows) out.push(`    ${r.kind} ${'  '.repeat(r.depth)}${r.name}`);
    for (const l of [...c.layers].reverse()) out.push(`  ro [${l.index}] ${l.shortId} shared with: ${l.sharedWith.join(', ') || '-'}`);
    out.push(wrap(`  alt: ${c.alt}`, 100, '    '));
  }
  out.push('', 'alt:', wrap(v.alt));
  return `${out.join('\n')}\n`;
}

describe('containersView', () => {
  const view = containersView(containers, inspects, images, diffs);

  it('draws the playground (golden)', () => {
    expectGolden('containers-playground', formatContainers(view));
  });

  it('gives containers of one image the same layer ids', () => {
    const web1 = view.containers.find((c) => c.name === 'web-1')!;
    const web2 = view.containers.find((c) => c.name === 'web-2')!;
    const repl = view.containers.find((c) => c.name === 'repl')!;
    expect(web1.layers.map((l) => l.diffID)).toEqual(web2.layers.map((l) => l.diffID));
    expect(web1.layers).toHaveLength(7);
    // python's three layers are under all four containers
    expect(web1.layers[0]?.sharedWith).toEqual(['repl', 'scratchpad', 'web-2']);
    expect(web1.layers[0]?.usedBy).toEqual(['repl', 'scratchpad', 'web-1', 'web-2']);
    expect(web1.layers[6]?.sharedWith).toEqual(['web-2']);
    expect(repl.layers.map((l) => l.diffID)).toEqual(web1.layers.slice(0, 3).map((l) => l.diffID));
    expect(view.sharedLayerCount).toBe(7);
  });

  it('groups containers by image, layers once', () => {
    expect(view.imageGroups.map((g) => [g.title, g.layers.length, g.containerIds.length])).toEqual([
      ['python:3.11-slim', 3, 2],
      ['web:1', 7, 2],
    ]);
    expect(view.imageGroups[1]?.layers[3]?.label).toBe('WORKDIR /app');
    expect(view.imageGroups[1]?.layers[5]?.label).toBe('RUN pip install -r requirements.txt');
  });

  it('reads state, limits, mounts and the read-write layer', () => {
    const web1 = view.containers.find((c) => c.name === 'web-1')!;
    expect(web1.limits).toEqual({ memory: 67108864, memoryLabel: '64MiB', pids: 100, pidsLabel: '100', readOnlyRootfs: false });
    expect(web1.mounts).toEqual([
      { kind: 'volume', volume: 'visits', volumeLabel: 'visits', destination: '/app/data', readOnly: false, label: 'visits → /app/data' },
    ]);
    expect(web1.readWrite).toMatchObject({ added: 5, changed: 3, deleted: 0, known: true });
    const repl = view.containers.find((c) => c.name === 'repl')!;
    expect(repl).toMatchObject({ state: 'exited', exitCode: 137, oomKilled: true });
    expect(repl.alt).toContain('has exited with code 137, killed for running out of memory');
    expect(view.containers.find((c) => c.name === 'web-1')?.alt).toContain(
      'It stands on 7 read-only image layers; it shares all 7 with web-2 and 3 with repl and scratchpad.',
    );
    expect(repl.mounts[0]?.volumeLabel).toHaveLength(12);
    const scratch = view.containers.find((c) => c.name === 'scratchpad')!;
    expect(scratch.readWrite).toMatchObject({ known: true, changes: [] });
    expect(scratch.limits).toMatchObject({ memory: null, memoryLabel: 'no limit', pids: null, readOnlyRootfs: true });
  });

  it('says a container waits to be restarted by its restart policy', () => {
    const c = { ...containers[0]!, state: 'restarting' as const, status: 'Restarting (3) 1 second ago', exitCode: 3 };
    const inspect = inspects.find((i) => i.Id === c.id)!;
    const restarting = {
      ...inspect,
      State: { ...inspect.State, Status: 'restarting' as const, Running: true, Restarting: true, ExitCode: 3 },
    };
    const view = containersView([c], [restarting], images, diffs);
    expect(view.containers[0]!.alt).toContain(
      'exited with code 3 and waits to be restarted by its restart policy (Restarting (3) 1 second ago)',
    );
  });

  it("says what a running container's health check says", () => {
    const c = { ...containers[0]!, state: 'running' as const, status: 'Up 5 seconds (healthy)' };
    const inspect = inspects.find((i) => i.Id === c.id)!;
    const healthy = { ...inspect, State: { ...inspect.State, Health: { Status: 'healthy' as const, FailingStreak: 0, Log: [] } } };
    const view = containersView([c], [healthy], images, diffs);
    expect(view.containers[0]!.health).toBe('healthy');
    expect(view.containers[0]!.alt).toContain('is running (Up 5 seconds (healthy)); its health check says healthy');
  });

  it("draws a bind mount as the host's folder, apart from volumes", () => {
    const c = containers[0]!;
    const inspect = inspects.find((i) => i.Id === c.id)!;
    const bound = {
      ...inspect,
      Mounts: [{ Type: 'bind' as const, Name: '', Source: '/workspace', Destination: '/app', RW: true, Propagation: 'rprivate' }],
    };
    const view = containersView([c], [bound], images, diffs);
    expect(view.containers[0]!.mounts).toEqual([
      {
        kind: 'bind',
        volume: '/workspace',
        volumeLabel: '/workspace',
        destination: '/app',
        readOnly: false,
        label: "bind mount of the host's /workspace → /app",
      },
    ]);
    expect(view.containers[0]!.alt).toContain("Bind mounts of the host's folders: /workspace at /app.");
    expect(view.containers[0]!.alt).not.toContain('Volumes:');
  });

  it('counts in words: one layer, one process, one container', () => {
    const c = containers[0]!;
    const inspect = inspects.find((i) => i.Id === c.id)!;
    const image = images.find((i) => i.Id === c.imageId)!;
    const oneLayer = { ...image, RootFS: { ...image.RootFS, Layers: image.RootFS.Layers.slice(0, 1) } };
    const view = containersView([c], [{ ...inspect, HostConfig: { ...inspect.HostConfig, PidsLimit: 1 } }], [oneLayer], diffs);
    expect(view.imageGroups[0]!.caption).toBe('1 read-only layer');
    expect(view.containers[0]!.alt).toContain('1 read-only image layer;');
    expect(view.containers[0]!.alt).toMatch(/\b1 process\b/);
    expect(view.containers[0]!.alt).not.toMatch(/\b1 (layers|processes|containers)\b/);
  });

  it('copes with missing inspect, image and diff', () => {
    const only = containersView([containers[3]!], [], [], new Map());
    const c = only.containers[0]!;
    expect(c.layers).toEqual([]);
    expect(c.readWrite).toMatchObject({ known: false, changes: [], upperDir: '' });
    expect(c.limits.memory).toBeNull();
    expect(c.mounts.map((m) => m.destination)).toEqual(['/app/data']);
    expect(c.alt).toContain('Its image is not known.');
    expect(only.imageGroups[0]?.layers).toEqual([]);
    expect(containersView([], [], [], new Map()).alt).toBe('There are no containers.');
  });
});

describe('changeRows', () => {
  it('indents docker diff as a tree, parents first', () => {
    const rows = changeRows([
      { kind: 'A', path: '/tmp/b' },
      { kind: 'C', path: '/tmp' },
      { kind: 'D', path: '/etc/motd' },
      { kind: 'C', path: '/etc' },
      { kind: 'A', path: '/tmp/a.d/x' },
      { kind: 'A', path: '/tmp/a.d' },
    ]);
    expect(rows.map((r) => `${r.depth} ${r.kind} ${r.name} ${r.change}`)).toEqual([
      '0 C etc changed',
      '1 D motd deleted',
      '0 C tmp changed',
      '1 A a.d added',
      '2 A x added',
      '1 A b added',
    ]);
  });
});

describe('interruptedContainersNotice', () => {
  const at = (h: number, m: number, s: number) => new Date(2026, 11, 3, h, m, s).toISOString();
  it('says which containers a reload stopped and how much of their files they keep', () => {
    expect(interruptedContainersNotice([{ name: 'live', savedAt: at(12, 3, 9) }])).toBe(
      'The container live was running when the page was reloaded or closed: it has exited (255) and keeps its files as of 12:03:09. docker start live runs it again.',
    );
    expect(interruptedContainersNotice([{ name: 'a', savedAt: at(9, 0, 1) }, { name: 'b' }])).toBe(
      '2 containers were running when the page was reloaded or closed: a (files as of 09:00:01), b (no files saved). They have exited (255); docker start NAME runs one again.',
    );
  });
});
