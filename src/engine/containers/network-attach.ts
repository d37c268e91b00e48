/**
 * A container's networking beyond its start: `docker network connect` and `disconnect` (its
 * configured networks change in its record; a running container also gets or loses the interface
 * at once, through a process the agent runs in its namespaces), and connections to its ports (what
 * a published port relays).
 */
import type { GuestMachine } from '../../runtime/types.ts';
import type { AttachedProcess } from '../api.ts';
import { ConflictError, EngineError, InvalidArgumentError, UnavailableError } from '../errors.ts';
import { containerDirs, guestShell, shellQuote } from '../guest/guest-fs.ts';
import type { NetworkManager } from '../networks/manager.ts';
import { attached } from './process.ts';
import { networkModeOf } from './record.ts';
import type { ContainerRecord } from './types.ts';

/** What connect and disconnect need of the container manager. */
export interface AttachContext {
  networks: NetworkManager;
  save(r: ContainerRecord): Promise<void>;
  /** The running container's machine and main process, if it runs. */
  live(id: string): { guest: GuestMachine; pid: number } | undefined;
}

/** `docker network connect NETWORK CONTAINER`. */
export async function connectContainer(
  ctx: AttachContext,
  r: ContainerRecord,
  networkName: string,
  options: { aliases?: string[]; ip?: string },
): Promise<void> {
  const n = await ctx.networks.find(networkName);
  const mode = networkModeOf(r);
  if (mode === 'host' || n.driver === 'host')
    throw new ConflictError('container cannot be disconnected from host network or connected to host network');
  if (mode === 'none' || n.driver === 'null')
    throw new ConflictError('Container cannot be connected to multiple networks with one of the networks in private (none) mode');
  const networks = r.networks ?? { [mode]: {} };
  if (networks[n.name]) throw new ConflictError(`endpoint with name ${r.name} already exists in network ${n.name}`);
  if (n.predefined && options.aliases?.length)
    throw new InvalidArgumentError('network-scoped alias is supported only for containers in user defined networks');
  if (n.predefined && options.ip) throw new InvalidArgumentError('user specified IP address is supported on user defined networks only');
  const cfg = { ...(options.aliases?.length ? { aliases: options.aliases } : {}), ...(options.ip ? { ipv4Address: options.ip } : {}) };
  const live = ctx.live(r.id);
  if (live) {
    const index = Object.keys(r.endpoints ?? {}).length;
    const one = await ctx.networks.attachOne({ id: r.id, name: r.name }, n.name, cfg, index);
    try {
      const proc = await live.guest.spawn({
        argv: ['true'],
        join: live.pid,
        bridges: one.bridges,
        networks: one.interfaces,
        ...(one.dnsFiles.length ? { dns: one.bridges.map((b) => b.name) } : {}),
      });
      const chunks: Uint8Array[] = [];
      proc.onStderr((d) => void chunks.push(d));
      const status = await proc.exit;
      if (status.code !== 0) {
        const why = new TextDecoder().decode(Uint8Array.from(chunks.flatMap((c) => [...c]))).trim();
        throw new EngineError('guest', `failed to connect ${r.name} to ${n.name}: ${why || `exit ${status.code}`}`);
      }
      r.endpoints = { ...(r.endpoints ?? {}), ...one.endpoints };
      r.networks = { ...networks, [n.name]: cfg };
      await ctx.save(r);
    } finally {
      ctx.networks.release(r.id);
    }
    await ctx.networks.refreshDns(live.guest, [n.name], '');
    // on a user-defined network the container asks the embedded DNS, as libnetwork rewrites its resolv.conf
    if (one.dnsFiles.length) {
      const resolv = `${containerDirs(r.id).base}/resolv.conf`;
      await guestShell(live.guest, `printf '%s' ${shellQuote(one.resolvConf)} > ${resolv}`, `pointing ${r.name} at the embedded DNS`);
    }
  } else {
    r.networks = { ...networks, [n.name]: cfg };
    await ctx.save(r);
  }
}

/** `docker network disconnect NETWORK CONTAINER`. */
export async function disconnectContainer(ctx: AttachContext, r: ContainerRecord, networkName: string): Promise<void> {
  const n = await ctx.networks.find(networkName);
  const mode = networkModeOf(r);
  const networks = r.networks ?? { [mode]: {} };
  if (!networks[n.name]) throw new ConflictError(`container ${r.id} is not connected to network ${n.name}`);
  if (n.driver === 'host') throw new ConflictError('container cannot be disconnected from host network or connected to host network');
  const live = ctx.live(r.id);
  const endpoint = r.endpoints?.[n.name];
  if (live && endpoint) {
    // the pair goes with its machine end
    await guestShell(live.guest, `ip link del ${endpoint.hostInterface}`, `disconnecting ${r.name} from ${n.name}`);
  }
  const rest = { ...networks };
  delete rest[n.name];
  r.networks = rest;
  if (r.endpoints) {
    const endpoints = { ...r.endpoints };
    delete endpoints[n.name];
    r.endpoints = endpoints;
  }
  await ctx.save(r);
  if (live && endpoint) await ctx.networks.refreshDns(live.guest, [n.name], r.id);
}

/** A TCP connection from the machine to a running container's port, on its own address. */
export async function dialContainer(ctx: AttachContext, r: ContainerRecord, containerPort: number): Promise<AttachedProcess> {
  const live = ctx.live(r.id);
  if (!live || r.state.status !== 'running') throw new ConflictError(`Container ${r.id} is not running`);
  const mode = networkModeOf(r);
  const address = mode === 'host' ? '127.0.0.1' : Object.values(r.endpoints ?? {})[0]?.ipAddress;
  if (!address)
    throw new ConflictError(`container ${r.name} has no network (--network ${mode}), so nothing can reach its port ${containerPort}`);
  try {
    const proc = await live.guest.spawn({ argv: [], connect: `${address}:${containerPort}` });
    return attached(
      proc,
      proc.exit.then((s) => s.code),
    );
  } catch (err) {
    const message = (err as Error).message;
    if (!/Connection refused/.test(message)) throw new UnavailableError(message, { cause: err });
    throw new UnavailableError(
      `${message}\nNothing in ${r.name} listens on port ${containerPort} of its address ${address}. A server must listen on 0.0.0.0 to be reached from outside its container: one bound to 127.0.0.1 (Flask's app.run() without host="0.0.0.0", say) answers only inside it.`,
      { cause: err },
    );
  }
}

/** The running container (of `records`) that publishes `hostPort`, and its port behind it. */
export function publishedAt(records: ContainerRecord[], hostPort: number): { id: string; name: string; containerPort: number } | undefined {
  for (const r of records) {
    if (r.state.status !== 'running' && r.state.status !== 'paused') continue;
    for (const [key, list] of Object.entries(r.ports ?? {}))
      if (list.some((b) => Number(b.HostPort) === hostPort)) return { id: r.id, name: r.name, containerPort: Number(key.split('/')[0]) };
  }
  return undefined;
}
