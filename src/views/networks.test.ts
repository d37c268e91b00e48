import { describe, expect, it } from 'vitest';
import type { ContainerInspect, ContainerSummary } from '../engine/api.ts';
import { networkLanes, publishedPorts } from './networks.ts';

const summary = (
  name: string,
  state: ContainerSummary['state'],
  networks: string[],
  ports: ContainerSummary['ports'] = [],
): ContainerSummary => ({
  id: name.padEnd(64, '0'),
  name,
  image: 'busybox',
  imageId: 'sha256:' + 'a'.repeat(64),
  command: 'sh',
  created: '2024-05-01T10:00:00Z',
  state,
  status: state === 'running' ? 'Up 1 second' : 'Exited (0) 1 second ago',
  exitCode: 0,
  mounts: [],
  networks,
  ports,
});
const inspect = (name: string, networks: Record<string, string>) =>
  ({
    Id: name.padEnd(64, '0'),
    NetworkSettings: { Networks: Object.fromEntries(Object.entries(networks).map(([n, ip]) => [n, { IPAddress: ip }])) },
  }) as unknown as ContainerInspect;

describe('networks in the containers picture', () => {
  it('draws a lane per network, the default bridge first, with addresses of running containers', () => {
    const lanes = networkLanes(
      [
        summary('web', 'running', ['shop']),
        summary('db', 'exited', ['shop']),
        summary('one', 'running', ['bridge'], [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }]),
        summary('quiet', 'running', ['none']),
      ],
      [
        inspect('web', { shop: '172.18.0.2' }),
        inspect('db', { shop: '' }),
        inspect('one', { bridge: '172.17.0.2' }),
        inspect('quiet', { none: '' }),
      ],
    );
    expect(lanes.map((l) => [l.name, l.members.map((m) => m.label)])).toEqual([
      ['bridge', ['one 172.17.0.2 (ports 8080→80)']],
      ['shop', ['web 172.18.0.2', 'db (stopped)']],
      ['none', ['quiet']],
    ]);
    expect(lanes[1]!.alt).toBe(
      'Network shop (user-defined bridge: containers find each other by name): 2 containers, web 172.18.0.2 and db (stopped).',
    );
  });

  it("lists running containers' published ports for the Preview", () => {
    const ports = publishedPorts([
      summary(
        'web',
        'running',
        ['bridge'],
        [
          { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
          { PrivatePort: 9000, Type: 'tcp' },
        ],
      ),
      summary('old', 'exited', ['bridge'], [{ PrivatePort: 5000, Type: 'tcp' }]),
    ]);
    expect(ports).toEqual([{ hostPort: 8080, container: 'web', containerPort: 80, label: 'localhost:8080 → web:80' }]);
  });
});
