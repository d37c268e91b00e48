/**
 * Compose's orchestration over the engine, as a client of `DockerEngine` (Compose is a client of
 * Docker's API too): make a project's networks, volumes and images, converge each service's
 * containers on its config (create, recreate only what changed, scale), start them in dependency
 * order waiting for `depends_on` conditions, and take it all down again. Everything it made is
 * found again by the `com.docker.compose.*` labels, never by a record of its own.
 */
import type { ContainerSummary, DockerEngine } from '../api.ts';
import { EngineError, InvalidArgumentError, NotFoundError, OperationCancelledError } from '../errors.ts';
import { createOptions, serviceNetworks } from './container-spec.ts';
import { COMPOSE_VERSION, configHash, containerName, Label, serviceImage } from './labels.ts';
import type { ComposeProject, ServiceConfig } from './model.ts';

/** One progress line: `Container app-web-1  Started` (done) or `… Starting` (working). */
export interface ProgressEvent {
  /** `Container app-web-1`, `Network app_default`, `Volume "app_data"`, `Image app-web`. */
  resource: string;
  status: string;
  done: boolean;
  failed?: boolean;
}

/** What the orchestrator asks of the command line around it. */
export interface ComposeHooks {
  progress(e: ProgressEvent): void;
  /** Builds a service's image, printing the build's own output. */
  build(service: ServiceConfig, image: string): Promise<void>;
  /** Pulls a service's image, printing progress. */
  pull(service: ServiceConfig, image: string): Promise<void>;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

/** A project's container as Compose sees it: the engine's summary and the labels that place it. */
export interface ProjectContainer {
  summary: ContainerSummary;
  service: string;
  number: number;
  oneoff: boolean;
}

/** The containers of project `name` (every state), sorted by service and number. */
export async function projectContainers(
  engine: DockerEngine,
  name: string,
  options: { oneoff?: boolean } = {},
): Promise<ProjectContainer[]> {
  const all = await engine.containers.list({ all: true });
  return all
    .filter((c) => c.labels?.[Label.project] === name)
    .map((c) => ({
      summary: c,
      service: c.labels?.[Label.service] ?? '',
      number: Number(c.labels?.[Label.number] ?? 0),
      oneoff: c.labels?.[Label.oneoff] === 'True',
    }))
    .filter((c) => options.oneoff || !c.oneoff)
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.number - b.number));
}

/** The services named plus what they depend on (required dependencies), all when none are named. */
export function withDependencies(project: ComposeProject, names: readonly string[]): string[] {
  if (names.length === 0) return Object.keys(project.services);
  const out = new Set<string>();
  const add = (name: string): void => {
    if (out.has(name)) return;
    const s = project.services[name] ?? project.disabledServices[name];
    if (!s) throw new NotFoundError(`no such service: ${name}`);
    out.add(name);
    for (const [dep, d] of Object.entries(s.dependsOn)) if (d.required || project.services[dep]) add(dep);
  };
  for (const n of names) add(n);
  return [...out];
}

/** Services in start order (dependencies first); a cycle is Compose's error. */
export function startOrder(project: ComposeProject, names: readonly string[]): ServiceConfig[] {
  const order: ServiceConfig[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const s = project.services[name] ?? project.disabledServices[name];
    if (!s || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new InvalidArgumentError(`dependency cycle detected: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(s.dependsOn).sort()) if (names.includes(dep)) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(s);
  };
  for (const n of [...names].sort()) visit(n, []);
  return order;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new OperationCancelledError('compose'));
    const t = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(t);
      reject(new OperationCancelledError('compose'));
    }
    signal?.addEventListener('abort', abort, { once: true });
  });

/** The orchestrator for one loaded project. */
export class ComposeRunner {
  constructor(
    readonly engine: DockerEngine,
    readonly project: ComposeProject,
    readonly hooks: ComposeHooks,
  ) {}

  private service(name: string): ServiceConfig {
    const s = this.project.services[name] ?? this.project.disabledServices[name];
    if (!s) throw new NotFoundError(`no such service: ${name}`);
    return s;
  }

  private step(resource: string, working: string, done: string): { done(): void; fail(status?: string): void } {
    this.hooks.progress({ resource, status: working, done: false });
    return {
      done: () => this.hooks.progress({ resource, status: done, done: true }),
      fail: (status = 'Error') => this.hooks.progress({ resource, status, done: true, failed: true }),
    };
  }

  /** Makes the networks the services use (a missing external one is Compose's error). */
  async ensureNetworks(services: readonly ServiceConfig[]): Promise<void> {
    const keys = new Set<string>();
    for (const s of services) if (!s.networkMode) for (const k of Object.keys(s.networks)) keys.add(k);
    const existing = await this.engine.networks.list();
    for (const key of [...keys].sort()) {
      const net = this.project.networks[key];
      if (!net) throw new InvalidArgumentError(`service refers to undefined network ${key}: invalid compose project`);
      if (existing.some((n) => n.Name === net.name)) continue;
      if (net.external) throw new NotFoundError(`network ${net.name} declared as external, but could not be found`);
      const step = this.step(`Network ${net.name}`, 'Creating', 'Created');
      try {
        await this.engine.networks.create(net.name, {
          ...(net.driver ? { driver: net.driver } : {}),
          ...(net.subnet ? { subnet: net.subnet } : {}),
          ...(net.gateway ? { gateway: net.gateway } : {}),
          ...(net.internal ? { internal: true } : {}),
          ...(net.attachable ? { attachable: true } : {}),
          labels: { ...net.labels, [Label.network]: key, [Label.project]: this.project.name, [Label.version]: COMPOSE_VERSION },
        });
      } catch (e) {
        step.fail();
        throw e;
      }
      step.done();
    }
  }

  /** Makes the named volumes the services mount (a missing external one is Compose's error). */
  async ensureVolumes(services: readonly ServiceConfig[]): Promise<void> {
    const keys = new Set<string>();
    for (const s of services) for (const v of s.volumes) if (v.type === 'volume' && v.source !== undefined) keys.add(v.source);
    const existing = new Set((await this.engine.volumes.list()).map((v) => v.Name));
    for (const key of [...keys].sort()) {
      const vol = this.project.volumes[key];
      if (!vol) throw new InvalidArgumentError(`service refers to undefined volume ${key}: invalid compose project`);
      if (existing.has(vol.name)) continue;
      if (vol.external) throw new NotFoundError(`external volume "${vol.name}" not found`);
      const step = this.step(`Volume "${vol.name}"`, 'Creating', 'Created');
      await this.engine.volumes.create(vol.name, {
        ...vol.labels,
        [Label.volume]: key,
        [Label.project]: this.project.name,
        [Label.version]: COMPOSE_VERSION,
      });
      step.done();
    }
  }

  /** Builds or pulls what the services need: `build` always (`--build`), never (`--no-build`) or when missing. */
  async ensureImages(
    services: readonly ServiceConfig[],
    options: { build?: 'always' | 'never' | 'missing'; pull?: boolean } = {},
  ): Promise<void> {
    const build = options.build ?? 'missing';
    for (const s of services) {
      const image = serviceImage(this.project, s);
      const present = await this.engine.images.inspect(image).then(
        () => true,
        () => false,
      );
      if (s.build && (build === 'always' || (!present && build === 'missing') || s.pullPolicy === 'build')) {
        await this.hooks.build(s, image);
        continue;
      }
      if (present && !options.pull && s.pullPolicy !== 'always') continue;
      if (!present && s.pullPolicy === 'never') throw new NotFoundError(`No such image: ${image}`);
      if (!present && s.build && build === 'never') throw new NotFoundError(`No such image: ${image}`);
      await this.hooks.pull(s, image);
    }
  }

  /**
   * Converges each service's containers on its config: keeps those whose config hash and image
   * are unchanged, recreates the others (all with `forceRecreate`), creates missing ones up to
   * the service's scale and removes those beyond it.
   */
  async create(services: readonly ServiceConfig[], options: { forceRecreate?: boolean; noRecreate?: boolean } = {}): Promise<void> {
    const existing = await projectContainers(this.engine, this.project.name);
    for (const s of services) {
      if (s.scale > 1 && s.containerName)
        throw new InvalidArgumentError(
          `service ${s.name} declares container_name, which cannot be scaled: remove container_name or set scale: 1`,
        );
      const hash = await configHash(s);
      const imageId = (await this.engine.images.inspect(serviceImage(this.project, s))).Id;
      const mine = existing.filter((c) => c.service === s.name);
      for (const c of mine.filter((c) => c.number > s.scale || c.number < 1)) await this.removeContainer(c.summary, { stop: true });
      for (let n = 1; n <= s.scale; n++) {
        const current = mine.find((c) => c.number === n);
        const name = containerName(this.project, s, n);
        if (current) {
          const changed = current.summary.labels?.[Label.configHash] !== hash || current.summary.labels?.[Label.image] !== imageId;
          if (options.noRecreate || (!options.forceRecreate && !changed)) continue;
          const step = this.step(`Container ${name}`, 'Recreate', 'Recreated');
          await this.stopQuietly(current.summary);
          await this.engine.containers.remove(current.summary.id, { force: true });
          await this.createOne(s, n, hash, imageId);
          step.done();
          continue;
        }
        const step = this.step(`Container ${name}`, 'Creating', 'Created');
        try {
          await this.createOne(s, n, hash, imageId);
        } catch (e) {
          step.fail();
          throw e;
        }
        step.done();
      }
    }
  }

  private async createOne(
    s: ServiceConfig,
    n: number,
    hash: string,
    imageId: string,
    oneoff?: { name: string; cmd?: string[] },
  ): Promise<string> {
    const opts = createOptions(this.project, s, n, { hash, imageId, ...(oneoff ? { oneoff } : {}) });
    const { id } = await this.engine.containers.create(opts);
    if (!s.networkMode)
      for (const net of serviceNetworks(this.project, s).slice(1))
        await this.engine.networks.connect(net.name, id, { aliases: net.aliases, ...(net.ip ? { ip: net.ip } : {}) });
    return id;
  }

  /**
   * Creates a one-off container of `run` (`PROJECT-SERVICE-run-XXXXXXXXXXXX`) from `service` as the
   * caller adjusted it (tty, environment, ports); returns its ID and name.
   */
  async createOneOff(service: ServiceConfig, options: { cmd?: string[]; name?: string } = {}): Promise<{ id: string; name: string }> {
    const original = this.service(service.name);
    const suffix = Array.from({ length: 12 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    const name = options.name ?? `${this.project.name}-${service.name}-run-${suffix}`;
    const imageId = (await this.engine.images.inspect(serviceImage(this.project, service))).Id;
    const id = await this.createOne({ ...service, containerName: name }, 1, await configHash(original), imageId, {
      name,
      ...(options.cmd ? { cmd: options.cmd } : {}),
    });
    return { id, name };
  }

  /** Starts the services' containers in dependency order, waiting for each dependency's condition first. */
  async start(services: readonly ServiceConfig[]): Promise<void> {
    const names = services.map((s) => s.name);
    for (const s of startOrder(this.project, names)) {
      for (const [dep, d] of Object.entries(s.dependsOn)) {
        if (!names.includes(dep)) continue;
        await this.waitFor(dep, d.condition, d.required);
      }
      const containers = (await projectContainers(this.engine, this.project.name)).filter((c) => c.service === s.name);
      for (const c of containers) {
        if (c.summary.state === 'running') {
          this.hooks.progress({ resource: `Container ${c.summary.name}`, status: 'Running', done: true });
          continue;
        }
        const step = this.step(`Container ${c.summary.name}`, 'Starting', 'Started');
        try {
          await this.engine.containers.start(c.summary.id);
        } catch (e) {
          step.fail();
          throw e;
        }
        step.done();
      }
    }
  }

  /** Waits until `service`'s containers meet `condition` (healthy, or exited 0). */
  private async waitFor(service: string, condition: string, required: boolean): Promise<void> {
    if (condition === 'service_started') return;
    const containers = (await projectContainers(this.engine, this.project.name)).filter((c) => c.service === service);
    for (const c of containers) {
      const resource = `Container ${c.summary.name}`;
      this.hooks.progress({ resource, status: 'Waiting', done: false });
      if (condition === 'service_healthy') {
        for (;;) {
          const info = await this.engine.containers.inspect(c.summary.id);
          const health = info.State.Health?.Status;
          if (!info.Config.Healthcheck?.Test?.length || info.Config.Healthcheck.Test[0] === 'NONE') {
            this.hooks.progress({ resource, status: 'Error', done: true, failed: true });
            throw new InvalidArgumentError(`dependency failed to start: container ${c.summary.name} has no healthcheck configured`);
          }
          if (health === 'healthy') break;
          if (health === 'unhealthy' || info.State.Status === 'exited' || info.State.Status === 'dead') {
            this.hooks.progress({ resource, status: 'Error', done: true, failed: true });
            if (!required) return;
            throw new EngineError('guest', `dependency failed to start: container ${c.summary.name} is unhealthy`);
          }
          await sleep(250, this.hooks.signal);
        }
        this.hooks.progress({ resource, status: 'Healthy', done: true });
      } else {
        const code = await this.engine.containers.wait(c.summary.id);
        this.hooks.progress({ resource, status: 'Exited', done: true, failed: code !== 0 });
        if (code !== 0 && required) throw new EngineError('guest', `service "${service}" didn't complete successfully: exit ${code}`);
      }
    }
  }

  private async stopQuietly(c: ContainerSummary, timeoutSeconds?: number): Promise<void> {
    if (c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting') return;
    await this.engine.containers.stop(c.id, timeoutSeconds === undefined ? {} : { timeoutSeconds });
  }

  /** Stops (with progress) and removes a container, and its anonymous volumes with `volumes`. */
  async removeContainer(c: ContainerSummary, options: { stop?: boolean; volumes?: boolean; timeoutSeconds?: number } = {}): Promise<void> {
    if (options.stop && (c.state === 'running' || c.state === 'paused' || c.state === 'restarting')) {
      const step = this.step(`Container ${c.name}`, 'Stopping', 'Stopped');
      await this.stopQuietly(c, options.timeoutSeconds);
      step.done();
    }
    const step = this.step(`Container ${c.name}`, 'Removing', 'Removed');
    await this.engine.containers.remove(c.id, { force: true, ...(options.volumes ? { volumes: true } : {}) });
    step.done();
  }

  /** Stops the services' running containers, dependents first (all of the project's when none are named). */
  async stop(names: readonly string[], timeoutSeconds?: number): Promise<void> {
    const order = startOrder(this.project, names.length ? names : Object.keys(this.project.services))
      .map((s) => s.name)
      .reverse();
    const containers = await projectContainers(this.engine, this.project.name, { oneoff: true });
    const rank = (c: ProjectContainer): number => (order.includes(c.service) ? order.indexOf(c.service) : -1);
    const chosen = containers.filter((c) => (names.length ? names.includes(c.service) : true)).sort((a, b) => rank(a) - rank(b));
    for (const c of chosen) {
      if (c.summary.state !== 'running' && c.summary.state !== 'paused' && c.summary.state !== 'restarting') continue;
      const step = this.step(`Container ${c.summary.name}`, 'Stopping', 'Stopped');
      await this.stopQuietly(c.summary, timeoutSeconds);
      step.done();
    }
  }

  /**
   * `down`: the project's containers stopped and removed (dependents first), its networks, and
   * with `volumes` its named volumes and anonymous ones; with `rmi` its images (`local`: those
   * Compose named itself, for services without `image:`).
   */
  async down(options: { volumes?: boolean; rmi?: 'local' | 'all'; removeOrphans?: boolean; timeoutSeconds?: number } = {}): Promise<void> {
    const containers = await projectContainers(this.engine, this.project.name, { oneoff: true });
    const known = new Set([...Object.keys(this.project.services), ...Object.keys(this.project.disabledServices)]);
    const orphans = containers.filter((c) => !known.has(c.service) && !c.oneoff);
    const order = startOrder(this.project, Object.keys(this.project.services))
      .map((s) => s.name)
      .reverse();
    const rank = (c: ProjectContainer): number => (order.includes(c.service) ? order.indexOf(c.service) : -1);
    const chosen = containers.filter(
      (c) => known.has(c.service) || c.oneoff || options.removeOrphans || Object.keys(this.project.services).length === 0,
    );
    for (const c of chosen.sort((a, b) => rank(a) - rank(b)))
      await this.removeContainer(c.summary, {
        stop: true,
        ...(options.volumes ? { volumes: true } : {}),
        ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
      });
    if (orphans.length && !options.removeOrphans && Object.keys(this.project.services).length > 0)
      this.hooks.progress({
        resource: '',
        status: `WARNING: Found orphan containers (${orphans.map((c) => c.summary.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
        done: true,
      });
    // networks Compose made for this project (by label), and those the file names that are not external
    const names = new Set(
      Object.values(this.project.networks)
        .filter((n) => !n.external)
        .map((n) => n.name),
    );
    for (const net of await this.engine.networks.list()) {
      // Compose's own (by label), or one the file names that no other project owns
      const owner = net.Labels[Label.project];
      if (owner === undefined ? !names.has(net.Name) : owner !== this.project.name) continue;
      const step = this.step(`Network ${net.Name}`, 'Removing', 'Removed');
      try {
        await this.engine.networks.remove(net.Id);
      } catch (e) {
        step.fail('Resource is still in use');
        if (!(e instanceof EngineError)) throw e;
        continue;
      }
      step.done();
    }
    if (options.volumes) {
      const declared = new Set(
        Object.values(this.project.volumes)
          .filter((v) => !v.external)
          .map((v) => v.name),
      );
      for (const vol of await this.engine.volumes.list()) {
        if (vol.Labels[Label.project] !== this.project.name && !declared.has(vol.Name)) continue;
        const step = this.step(`Volume ${vol.Name}`, 'Removing', 'Removed');
        try {
          await this.engine.volumes.remove(vol.Name);
        } catch (e) {
          step.fail('Resource is still in use');
          if (!(e instanceof EngineError)) throw e;
          continue;
        }
        step.done();
      }
    }
    if (options.rmi) {
      const images = new Set<string>();
      for (const s of Object.values(this.project.services))
        if (options.rmi === 'all' || !s.image) images.add(serviceImage(this.project, s));
      for (const image of [...images].sort()) {
        const present = await this.engine.images.inspect(image).then(
          () => true,
          () => false,
        );
        if (!present) continue;
        const step = this.step(`Image ${image}`, 'Removing', 'Removed');
        try {
          await this.engine.images.remove(image);
        } catch (e) {
          step.fail('Resource is still in use');
          if (!(e instanceof EngineError)) throw e;
          continue;
        }
        step.done();
      }
    }
  }
}
