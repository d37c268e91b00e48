/**
 * How Compose marks what it made: the `com.docker.compose.*` labels on containers, networks and
 * volumes (the engine keeps no other record of a project: `ps`, `down` and `ls` find everything
 * by these), container names, and the hash that tells `up` a service's config changed.
 */
import { sha256Digest } from '../oci/digest.ts';
import type { ComposeProject, ServiceConfig } from './model.ts';

/** The version LayerLab's Compose reports (the Compose v2 release whose behaviour it follows). */
export const COMPOSE_VERSION = '2.40.3';

/** Compose's label keys. */
export const Label = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  image: 'com.docker.compose.image',
  version: 'com.docker.compose.version',
  dependsOn: 'com.docker.compose.depends_on',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** `PROJECT-SERVICE-N`, or the service's `container_name`. */
export function containerName(project: ComposeProject, service: ServiceConfig, n: number): string {
  return service.containerName ?? `${project.name}-${service.name}-${n}`;
}

/** The image a service runs: `image:`, or `PROJECT-SERVICE` for a service that is only built. */
export function serviceImage(project: ComposeProject, service: ServiceConfig): string {
  return service.image ?? `${project.name}-${service.name}`;
}

/** Keys sorted at every depth, so equal configs give equal JSON. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/**
 * Compose's config hash: the service's config without what does not change a container
 * (`build`, `pull_policy`, `scale`, `profiles`, `depends_on`), so `up` recreates a container
 * only when this differs from its label.
 */
export async function configHash(service: ServiceConfig): Promise<string> {
  const { build: _b, pullPolicy: _p, scale: _s, profiles: _pr, dependsOn: _d, ...rest } = service;
  const digest = await sha256Digest(JSON.stringify(canonical(rest)));
  return digest.slice('sha256:'.length);
}

/** `depends_on` as Compose writes it in its label: `db:service_healthy:false,cache:service_started:false`. */
export function dependsOnLabel(service: ServiceConfig): string {
  return Object.entries(service.dependsOn)
    .map(([name, d]) => `${name}:${d.condition}:${d.restart}`)
    .join(',');
}
