/**
 * Compose projects in the Containers picture: the containers `docker compose` made carry its
 * labels (`com.docker.compose.project`, `.service`, `.container-number`), and the picture draws a
 * project's containers together under one heading, its name, its networks and the ports its
 * services publish (`workspace · network workspace_default · web :8000→5000`), each container
 * labelled by its service. Pure: from `docker ps -a` summaries and the picture's cards.
 */
import type { ContainerSummary } from '../engine/api.ts';
import { compareNames } from '../engine/layer/index.ts';
import { listWords, plural } from './format.ts';

/** The labels Compose puts on the containers it makes (as the engine's `compose/labels.ts`). */
export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
} as const;

/** Which Compose project and service a container belongs to, from its labels. */
export interface ComposeMembership {
  project: string;
  service: string;
  /** `container-number` (1 for the first of a service), 0 when the label is missing. */
  number: number;
}

/** A container's Compose project and service, or undefined for one Compose did not make. */
export function composeMembership(labels: Readonly<Record<string, string>> | undefined): ComposeMembership | undefined {
  const project = labels?.[COMPOSE_LABELS.project];
  if (!project) return undefined;
  const number = Number(labels[COMPOSE_LABELS.number]);
  return { project, service: labels[COMPOSE_LABELS.service] ?? '', number: Number.isInteger(number) && number > 0 ? number : 0 };
}

/** A port a service's running container publishes. */
export interface ProjectPort {
  service: string;
  hostPort: number;
  containerPort: number;
  /** `web :8000→5000`. */
  label: string;
}

/** One Compose project: its containers (ids, by service), networks and published ports. */
export interface ProjectSummary {
  name: string;
  /** Services with a container, sorted. */
  services: string[];
  /** Its containers' ids, by service then container number. */
  containerIds: string[];
  /** Networks its containers are on, sorted (`workspace_default`). */
  networks: string[];
  /** Ports its running containers publish, by service then host port. */
  ports: ProjectPort[];
  /** `workspace · network workspace_default · web :8000→5000`. */
  heading: string;
  /** The project in words (what a screen reader says for the heading and the group). */
  alt: string;
}

/**
 * The Compose projects among `containers`, by name; containers without the project label are in
 * none. Only running containers publish ports.
 */
export function composeProjects(containers: readonly ContainerSummary[]): ProjectSummary[] {
  const byProject = new Map<string, { c: ContainerSummary; m: ComposeMembership }[]>();
  for (const c of containers) {
    const m = composeMembership(c.labels);
    if (m) byProject.set(m.project, [...(byProject.get(m.project) ?? []), { c, m }]);
  }
  return [...byProject]
    .sort(([a], [b]) => compareNames(a, b))
    .map(([name, members]) => {
      members.sort((x, y) => compareNames(x.m.service, y.m.service) || x.m.number - y.m.number);
      const services = [...new Set(members.map((x) => x.m.service))];
      const networks = [...new Set(members.flatMap((x) => x.c.networks ?? []))].sort(compareNames);
      const ports: ProjectPort[] = [];
      for (const { c, m } of members) {
        if (c.state !== 'running') continue;
        for (const p of c.ports ?? []) {
          if (!p.PublicPort || ports.some((o) => o.hostPort === p.PublicPort)) continue;
          ports.push({
            service: m.service,
            hostPort: p.PublicPort,
            containerPort: p.PrivatePort,
            label: `${m.service} :${p.PublicPort}→${p.PrivatePort}`,
          });
        }
      }
      ports.sort((a, b) => compareNames(a.service, b.service) || a.hostPort - b.hostPort);
      const running = members.filter((x) => x.c.state === 'running').length;
      const heading = [
        name,
        ...(networks.length ? [`${networks.length > 1 ? 'networks' : 'network'} ${networks.join(', ')}`] : []),
        ...(ports.length ? [ports.map((p) => p.label).join(', ')] : []),
      ].join(' · ');
      // `web publishes port 5000 on localhost:8000 and localhost:8001` (a service scaled to two)
      const hosts = new Map<string, number[]>();
      for (const p of ports) {
        const what = `${p.service} publishes port ${p.containerPort}`;
        hosts.set(what, [...(hosts.get(what) ?? []), p.hostPort]);
      }
      const publishing = [...hosts].map(([what, on]) => `${what} on ${listWords(on.map((h) => `localhost:${h}`))}`);
      const alt =
        `Compose project ${name}: ${plural(services.length, 'service')} (${listWords(services)}), ` +
        `${plural(members.length, 'container')}, ${running} running` +
        (networks.length ? `, on ${networks.length > 1 ? 'networks' : 'network'} ${listWords(networks)}` : '') +
        (publishing.length ? `; ${listWords(publishing)}` : '') +
        '.';
      return { name, services, containerIds: members.map((x) => x.c.id), networks, ports, heading, alt };
    });
}
