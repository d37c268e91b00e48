import { describe, expect, it } from 'vitest';
import type { ChangeEntry, ContainerInspect, ContainerSummary, ImageInspect } from '../engine/api.ts';
import { Label } from '../engine/compose/labels.ts';
import { COMPOSE_LABELS, composeMembership, composeProjects } from './compose-projects.ts';
import { containersView, type ContainersView } from './containers.ts';
import { expectGolden, wrap } from './testdata/golden.ts';
import playground from './testdata/playground.json' with { type: 'json' };
import python from './testdata/python-image.json' with { type: 'json' };

const containers = playground.containers as ContainerSummary[];
const inspects = playground.inspects as unknown as ContainerInspect[];
const images = [python.inspect, ...playground.images] as ImageInspect[];
const diffs = new Map(Object.entries(playground.diffs) as [string, ChangeEntry[]][]);

const labels = (service: string, number: number, project = 'workspace') => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
  'com.docker.compose.container-number': String(number),
  'com.docker.compose.oneoff': 'False',
});
const byName = (name: string) => containers.find((c) => c.name === name)!;
const port = (host: number, target: number) => ({ IP: '0.0.0.0', PrivatePort: target, PublicPort: host, Type: 'tcp' as const });

/**
 * The playground's containers after `docker compose up -d --scale web=2` of a project `workspace`
 * (web: the web:1 image publishing 8000 and 8001, cache: python), beside a container of its own (repl).
 */
const compose: ContainerSummary[] = [
  { ...byName('repl') },
  {
    ...byName('web-2'),
    name: 'workspace-web-2',
    state: 'running',
    status: 'Up 3 seconds',
    labels: labels('web', 2),
    networks: ['workspace_default'],
    ports: [port(8001, 5000)],
  },
  {
    ...byName('web-1'),
    name: 'workspace-web-1',
    status: 'Up 3 seconds',
    labels: labels('web', 1),
    networks: ['workspace_default'],
    ports: [port(8000, 5000)],
  },
  {
    ...byName('scratchpad'),
    name: 'workspace-cache-1',
    state: 'running',
    status: 'Up 4 seconds',
    labels: labels('cache', 1),
    networks: ['workspace_default'],
  },
];

function formatProjects(v: ContainersView): string {
  const out: string[] = [];
  for (const p of v.projects) {
    out.push(`project ${p.name}: ${p.heading}`);
    out.push(`  services: ${p.services.join(', ')} | networks: ${p.networks.join(', ')}`);
    out.push(`  ports: ${p.ports.map((x) => `${x.label} (${x.service} ${x.hostPort}→${x.containerPort})`).join('; ') || '-'}`);
    for (const g of p.imageGroups) {
      const names = g.containerIds.map((id) => {
        const c = v.containers.find((x) => x.id === id)!;
        return `${c.service} (${c.name})`;
      });
      out.push(`  image ${g.title} | ${g.caption} | ${names.join(', ')}`);
    }
    out.push(wrap(`  alt: ${p.alt}`, 100, '    '));
  }
  out.push('', 'outside any project:');
  for (const g of v.imageGroups)
    out.push(`  image ${g.title} | ${g.caption} | ${g.containerIds.map((id) => v.containers.find((c) => c.id === id)!.name).join(', ')}`);
  out.push('', 'container alts:');
  for (const c of v.containers) out.push(wrap(`  ${c.alt}`, 100, '    '));
  out.push('', 'alt:', wrap(v.alt));
  return `${out.join('\n')}\n`;
}

describe('composeProjects', () => {
  it('uses the labels Compose puts on its containers', () => {
    expect(COMPOSE_LABELS).toEqual({ project: Label.project, service: Label.service, number: Label.number });
  });

  it('reads project, service and number from the labels; none without the project label', () => {
    expect(composeMembership(labels('web', 2))).toEqual({ project: 'workspace', service: 'web', number: 2 });
    expect(composeMembership({ 'com.docker.compose.project': 'p' })).toEqual({ project: 'p', service: '', number: 0 });
    expect(composeMembership({ 'org.opencontainers.image.title': 'x' })).toBeUndefined();
    expect(composeMembership(undefined)).toBeUndefined();
  });

  it('groups a project under a heading: name, network, published ports', () => {
    const [p] = composeProjects(compose);
    expect(p?.heading).toBe('workspace · network workspace_default · web :8000→5000, web :8001→5000');
    expect(p?.services).toEqual(['cache', 'web']);
    expect(p?.containerIds.map((id) => compose.find((c) => c.id === id)?.name)).toEqual([
      'workspace-cache-1',
      'workspace-web-1',
      'workspace-web-2',
    ]);
  });

  it('leaves out the ports of stopped containers, and says so in words', () => {
    const stopped = compose.map((c) => (c.name === 'workspace-web-2' ? { ...c, state: 'exited' as const, status: 'Exited (0)' } : c));
    const [p] = composeProjects(stopped);
    expect(p?.heading).toBe('workspace · network workspace_default · web :8000→5000');
    expect(p?.alt).toBe(
      'Compose project workspace: 2 services (cache and web), 3 containers, 2 running, on network workspace_default; web publishes port 5000 on localhost:8000.',
    );
    const down = composeProjects(compose.map((c) => ({ ...c, state: 'exited' as const, networks: [] })));
    expect(down[0]?.heading).toBe('workspace');
  });

  it('keeps projects apart, by name', () => {
    const two = [
      ...compose,
      {
        ...byName('repl'),
        id: 'f'.repeat(64),
        name: 'demo-db-1',
        labels: labels('db', 1, 'demo'),
        networks: ['demo_default', 'demo_back'],
      },
    ];
    expect(composeProjects(two).map((p) => p.heading)).toEqual([
      'demo · networks demo_back, demo_default',
      'workspace · network workspace_default · web :8000→5000, web :8001→5000',
    ]);
  });
});

describe('containersView with a Compose project', () => {
  const view = containersView(compose, inspects, images, diffs);

  it("draws the project's containers together, by image, labelled by service (golden)", () => {
    expectGolden('containers-compose', formatProjects(view));
  });

  it('keeps other containers as before', () => {
    expect(view.imageGroups.map((g) => [g.title, g.containerIds.length])).toEqual([['python:3.11-slim', 1]]);
    expect(view.projects[0]?.imageGroups.map((g) => [g.title, g.containerIds.length])).toEqual([
      ['python:3.11-slim', 1],
      ['web:1', 2],
    ]);
    expect(view.containers.find((c) => c.name === 'repl')).not.toHaveProperty('service');
    expect(view.containers.find((c) => c.name === 'workspace-web-2')).toMatchObject({ project: 'workspace', service: 'web' });
    // the Preview opens the project's ports as it does docker run's
    expect(view.published.map((p) => p.label)).toEqual(['localhost:8000 → workspace-web-1:5000', 'localhost:8001 → workspace-web-2:5000']);
  });
});
