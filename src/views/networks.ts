/**
 * Networks in the Containers picture: each network a lane with the containers on it and their
 * addresses, and the ports running containers publish (what the Preview opens). Pure: from
 * `docker ps -a` summaries and `docker inspect` documents.
 */
import type { ContainerInspect, ContainerSummary } from '../engine/api.ts';
import { listWords, plural } from './format.ts';

/** One container on a network lane. */
export interface LaneMember {
  id: string;
  name: string;
  running: boolean;
  /** Its address while it runs, '' when stopped. */
  address: string;
  /** `web 172.18.0.2 (ports 8080→80)`, or `web (stopped)`. */
  label: string;
}

/** One network with its containers. */
export interface NetworkLane {
  name: string;
  /** `default bridge: no names`, `user-defined: names resolve`, `loopback only`, `the machine's own`. */
  kind: string;
  members: LaneMember[];
  alt: string;
}

/** A port a running container publishes. */
export interface PublishedPortView {
  hostPort: number;
  container: string;
  containerPort: number;
  /** `localhost:8080 → web:80`. */
  label: string;
}

function kindOf(name: string): string {
  if (name === 'bridge') return 'default bridge: containers reach each other by address, not by name';
  if (name === 'none') return 'no network: loopback only';
  if (name === 'host') return "the machine's own network";
  return 'user-defined bridge: containers find each other by name';
}

/** Lanes for every network a container is on (running or not), in name order with `bridge` first. */
export function networkLanes(containers: readonly ContainerSummary[], inspects: readonly ContainerInspect[]): NetworkLane[] {
  const byId = new Map(inspects.map((i) => [i.Id, i]));
  const lanes = new Map<string, LaneMember[]>();
  for (const c of containers) {
    // (inspect documents recorded before LayerLab had networks have no NetworkSettings)
    const settings = byId.get(c.id)?.NetworkSettings?.Networks ?? {};
    for (const name of c.networks ?? Object.keys(settings)) {
      const address = c.state === 'running' ? (settings[name]?.IPAddress ?? '') : '';
      // its published ports, host port first as in -p (only a running container publishes)
      const ports = c.state === 'running' ? (c.ports ?? []).filter((p) => p.PublicPort).map((p) => `${p.PublicPort}→${p.PrivatePort}`) : [];
      const member: LaneMember = {
        id: c.id,
        name: c.name,
        running: c.state === 'running',
        address,
        label:
          c.state === 'running'
            ? `${c.name}${address ? ` ${address}` : ''}${ports.length ? ` (ports ${ports.join(', ')})` : ''}`
            : `${c.name} (stopped)`,
      };
      lanes.set(name, [...(lanes.get(name) ?? []), member]);
    }
  }
  const order = (n: string) => (n === 'bridge' ? '0' : n === 'host' || n === 'none' ? '2' + n : '1' + n);
  return [...lanes]
    .sort((a, b) => (order(a[0]) < order(b[0]) ? -1 : 1))
    .map(([name, members]) => ({
      name,
      kind: kindOf(name),
      members,
      alt: `Network ${name} (${kindOf(name)}): ${plural(members.length, 'container')}, ${listWords(members.map((m) => m.label))}.`,
    }));
}

/** The ports running containers publish, by host port. */
export function publishedPorts(containers: readonly ContainerSummary[]): PublishedPortView[] {
  const out: PublishedPortView[] = [];
  for (const c of containers) {
    if (c.state !== 'running') continue;
    for (const p of c.ports ?? []) {
      if (!p.PublicPort || out.some((o) => o.hostPort === p.PublicPort)) continue;
      out.push({
        hostPort: p.PublicPort,
        container: c.name,
        containerPort: p.PrivatePort,
        label: `localhost:${p.PublicPort} → ${c.name}:${p.PrivatePort}`,
      });
    }
  }
  return out.sort((a, b) => a.hostPort - b.hostPort);
}
