/**
 * What a service's container is asked of the engine: a `ServiceConfig` turned into the options of
 * `docker create` (as Compose's getCreateOptions does), and the networks it joins after creation.
 */
import type { CreateContainerOptions, RestartPolicy } from '../api.ts';
import { InvalidArgumentError } from '../errors.ts';
import { containerName, dependsOnLabel, Label, serviceImage, COMPOSE_VERSION } from './labels.ts';
import type { ComposeProject, ServiceConfig } from './model.ts';

/** A service's networks in the order Compose attaches them (by name), as engine names with their aliases. */
export function serviceNetworks(
  project: ComposeProject,
  service: ServiceConfig,
): { key: string; name: string; aliases: string[]; ip?: string }[] {
  return Object.keys(service.networks)
    .sort()
    .map((key) => {
      const net = project.networks[key];
      if (!net) throw new InvalidArgumentError(`service "${service.name}" refers to undefined network ${key}: invalid compose project`);
      const options = service.networks[key] ?? {};
      return {
        key,
        name: net.name,
        aliases: [service.name, ...(options.aliases ?? [])],
        ...(options.ipv4Address ? { ip: options.ipv4Address } : {}),
      };
    });
}

/** `restart:` as the engine's policy (`no`, `always`, `unless-stopped`, `on-failure[:N]`). */
export function restartPolicy(value: string | undefined): RestartPolicy | undefined {
  if (!value) return undefined;
  const [name = '', count] = value.split(':');
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(name))
    throw new InvalidArgumentError(
      `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
    );
  return { Name: name as RestartPolicy['Name'], MaximumRetryCount: count ? Number(count) : 0 };
}

/** The create options of container number `n` of `service` (one-off containers of `run` pass their name and command). */
export function createOptions(
  project: ComposeProject,
  service: ServiceConfig,
  n: number,
  extra: { hash: string; imageId: string; oneoff?: { name: string; cmd?: string[] } },
): CreateContainerOptions {
  const labels: Record<string, string> = {
    ...service.labels,
    [Label.project]: project.name,
    [Label.service]: service.name,
    [Label.number]: String(n),
    [Label.oneoff]: extra.oneoff ? 'True' : 'False',
    [Label.configHash]: extra.hash,
    [Label.workingDir]: project.workingDir,
    [Label.configFiles]: project.composeFiles.join(','),
    [Label.image]: extra.imageId,
    [Label.version]: COMPOSE_VERSION,
    [Label.dependsOn]: dependsOnLabel(service),
  };
  const opts: CreateContainerOptions = {
    image: serviceImage(project, service),
    name: extra.oneoff?.name ?? containerName(project, service, n),
    labels,
    env: Object.entries(service.environment).flatMap(([k, v]) => (v === null ? [] : [`${k}=${v}`])),
  };
  const cmd = extra.oneoff?.cmd?.length ? extra.oneoff.cmd : service.command;
  if (cmd) opts.cmd = [...cmd];
  if (service.entrypoint) opts.entrypoint = [...service.entrypoint];
  if (service.workingDir) opts.workingDir = service.workingDir;
  if (service.user) opts.user = service.user;
  if (service.hostname) opts.hostname = service.hostname;
  if (service.tty) opts.tty = true;
  if (service.stdinOpen) opts.openStdin = true;
  if (service.memLimit) opts.memory = service.memLimit;
  if (service.pidsLimit) opts.pidsLimit = service.pidsLimit;
  if (service.cpus) opts.nanoCpus = Math.round(service.cpus * 1e9);
  if (service.readOnly) opts.readOnly = true;
  if (service.privileged) opts.privileged = true;
  if (service.init) opts.init = true;
  if (service.capAdd?.length) opts.capAdd = [...service.capAdd];
  if (service.capDrop?.length) opts.capDrop = [...service.capDrop];
  if (service.extraHosts?.length) opts.extraHosts = [...service.extraHosts];
  if (service.stopSignal) opts.stopSignal = service.stopSignal;
  if (service.stopGracePeriod !== undefined) opts.stopTimeout = service.stopGracePeriod;
  const restart = restartPolicy(service.restart);
  if (restart && !extra.oneoff) opts.restartPolicy = restart;
  if (service.tmpfs?.length) {
    opts.tmpfs = {};
    for (const t of service.tmpfs) {
      const i = t.indexOf(':');
      opts.tmpfs[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
    }
  }
  const hc = service.healthcheck;
  if (hc) {
    opts.healthcheck = hc.disable
      ? { Test: ['NONE'] }
      : {
          ...(hc.test ? { Test: [...hc.test] } : {}),
          ...(hc.interval !== undefined ? { Interval: hc.interval } : {}),
          ...(hc.timeout !== undefined ? { Timeout: hc.timeout } : {}),
          ...(hc.startPeriod !== undefined ? { StartPeriod: hc.startPeriod } : {}),
          ...(hc.startInterval !== undefined ? { StartInterval: hc.startInterval } : {}),
          ...(hc.retries !== undefined ? { Retries: hc.retries } : {}),
        };
  }
  // mounts: named volumes by their engine name, anonymous ones, binds, tmpfs
  const volumes: NonNullable<CreateContainerOptions['volumes']> = [];
  const binds: NonNullable<CreateContainerOptions['binds']> = [];
  for (const v of service.volumes) {
    if (v.type === 'volume') {
      const source = v.source === undefined ? undefined : project.volumes[v.source]?.name;
      if (v.source !== undefined && source === undefined)
        throw new InvalidArgumentError(`service "${service.name}" refers to undefined volume ${v.source}: invalid compose project`);
      volumes.push({ ...(source ? { source } : {}), target: v.target, ...(v.readOnly ? { readonly: true } : {}) });
    } else if (v.type === 'bind') {
      binds.push({
        source: v.source ?? '',
        target: v.target,
        ...(v.readOnly ? { readonly: true } : {}),
        ...(v.createHostPath ? { create: true } : {}),
      });
    } else {
      opts.tmpfs = { ...(opts.tmpfs ?? {}), [v.target]: '' };
    }
  }
  if (volumes.length) opts.volumes = volumes;
  if (binds.length) opts.binds = binds;
  // ports and exposed ports
  if (service.ports.length) {
    opts.portBindings = {};
    for (const p of service.ports) {
      const key = `${p.target}/${p.protocol}`;
      (opts.portBindings[key] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: p.published ?? '' });
    }
  }
  if (service.expose.length) opts.expose = service.expose.map((e) => (e.includes('/') ? e : `${e}/tcp`));
  // the first network at create, the others connected before start (as Compose does)
  if (service.networkMode) opts.network = service.networkMode;
  else {
    const first = serviceNetworks(project, service)[0];
    if (first) {
      opts.network = first.name;
      opts.networkAliases = first.aliases;
      if (first.ip) opts.ip = first.ip;
    }
  }
  return opts;
}
