/**
 * Networks (`docker network …`) and containers' endpoints on them. A bridge network is a Linux
 * bridge in the machine (the default `bridge` is `docker0`, 172.17.0.0/16); a container joins it
 * through a veth pair the agent makes when the container starts, with the lowest free address of
 * the network's subnet. `host` is the machine's own network stack; `none` is loopback only.
 * Records live in the engine's store; bridges in the guest are a cache the agent makes again on a
 * fresh machine (every start names its bridges).
 */
import type { GuestMachine, SpawnSpec } from '../../runtime/types.ts';
import type { NetworkCreateOptions, NetworkInspect, PruneReport } from '../api.ts';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../errors.ts';
import { CONTAINER_RESOLV_CONF, guestShell, shellQuote } from '../guest/guest-fs.ts';
import type { MetadataStore } from '../store/types.ts';
import { randomHex } from '../util/ids.ts';
import {
  allocateIp,
  contains,
  DEFAULT_BRIDGE_GATEWAY,
  DEFAULT_BRIDGE_SUBNET,
  defaultGateway,
  formatSubnet,
  macForIp,
  nextSubnet,
  overlaps,
  parseIp,
  parseSubnet,
} from './ipam.ts';
import type { PortMap } from './ports.ts';
import { NETWORKS, type Endpoint, type EndpointConfig, type NetworkRecord } from './types.ts';

/** A container as the network manager sees it. */
export interface NetworkUser {
  id: string;
  name: string;
  running: boolean;
  /** `hostConfig.networkMode`. */
  mode: string;
  /** The networks it is configured for (name → config). */
  networks: Record<string, EndpointConfig>;
  /** Its endpoints while it runs (network name → endpoint). */
  endpoints: Record<string, Endpoint>;
  /** Where its ports are published while it runs. */
  ports?: PortMap;
}

/** What happened to a network, in the words of Docker's events. */
export interface NetworkEvent {
  action: 'create' | 'destroy' | 'connect' | 'disconnect';
  id: string;
  name: string;
  /** The container, for connect and disconnect. */
  container?: string;
}

/** Dependencies of the network manager. */
export interface NetworkDeps {
  meta: MetadataStore;
  now(): Date;
  /** Every container with its network configuration and live endpoints. */
  users(): Promise<NetworkUser[]>;
  getGuest?(): Promise<GuestMachine>;
  onEvent?(event: NetworkEvent): void;
}

/** How a container starts on its networks: spawn spec parts and its /etc files. */
export interface Attachment {
  /** Whether the container gets a network namespace of its own (every mode but `host`). */
  ownNamespace: boolean;
  bridges: NonNullable<SpawnSpec['bridges']>;
  interfaces: NonNullable<SpawnSpec['networks']>;
  /** network name → endpoint (empty for host and none). */
  endpoints: Record<string, Endpoint>;
  /** Lines for /etc/hosts after Docker's defaults (the container's own address and hostname). */
  hostsLines: string;
  /** The container's /etc/resolv.conf. */
  resolvConf: string;
  /** Files the agent writes for the embedded DNS (one per user-defined bridge). */
  dnsFiles: { path: string; content: string }[];
}

/** The predefined networks, as `docker network ls` shows them on a fresh Docker. */
const PREDEFINED: { name: string; driver: NetworkRecord['driver'] }[] = [
  { name: 'bridge', driver: 'bridge' },
  { name: 'host', driver: 'host' },
  { name: 'none', driver: 'null' },
];

/** Docker's options on its default bridge network. */
const DEFAULT_BRIDGE_OPTIONS: Record<string, string> = {
  'com.docker.network.bridge.default_bridge': 'true',
  'com.docker.network.bridge.enable_icc': 'true',
  'com.docker.network.bridge.enable_ip_masquerade': 'true',
  'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
  'com.docker.network.bridge.name': 'docker0',
  'com.docker.network.driver.mtu': '1500',
};

/** Where the agent's embedded DNS reads a user-defined bridge's names. */
export function dnsHostsPath(bridge: string): string {
  return `/run/layerlab/dns/${bridge}`;
}

/** A user-defined network's /etc/resolv.conf: Docker's embedded DNS server. */
export const EMBEDDED_DNS_RESOLV_CONF = 'nameserver 127.0.0.11\noptions ndots:0\n';
/** The default bridge's /etc/resolv.conf: Docker copies the host's; LayerLab's machine has no way out. */
export const NO_WAY_OUT_RESOLV_CONF =
  '# LayerLab: the machine has no way out to the internet, so there is no nameserver here.\n' +
  '# Containers on a user-defined network (docker network create) find each other by name.\n';
/** `--network none`: loopback only. */
export const NO_NETWORK_RESOLV_CONF = CONTAINER_RESOLV_CONF;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Manages networks and allocates containers' addresses on them. */
export class NetworkManager {
  private defaults: Promise<void> | undefined;
  /** Addresses handed out to containers that are starting (network ID → address → container ID). */
  private readonly pending = new Map<string, Map<string, string>>();

  constructor(private readonly deps: NetworkDeps) {}

  /** Makes `bridge`, `host` and `none` once (with IDs of their own, as a Docker daemon does on its first start). */
  private ensureDefaults(): Promise<void> {
    this.defaults ??= (async () => {
      const existing = new Set((await this.all()).map((n) => n.name));
      for (const p of PREDEFINED) {
        if (existing.has(p.name)) continue;
        const record: NetworkRecord = {
          id: randomHex(32),
          name: p.name,
          driver: p.driver,
          created: this.deps.now().toISOString(),
          internal: false,
          attachable: false,
          labels: {},
          options: p.name === 'bridge' ? { ...DEFAULT_BRIDGE_OPTIONS } : {},
          predefined: true,
          ...(p.name === 'bridge' ? { subnet: DEFAULT_BRIDGE_SUBNET, gateway: DEFAULT_BRIDGE_GATEWAY, bridge: 'docker0' } : {}),
        };
        await this.deps.meta.put(NETWORKS, record.id, record);
      }
    })().catch((err) => {
      this.defaults = undefined;
      throw err;
    });
    return this.defaults;
  }

  private async all(): Promise<NetworkRecord[]> {
    return (await this.deps.meta.list<NetworkRecord>(NETWORKS)).map((e) => e.value);
  }

  /** Every network (predefined ones included). */
  async records(): Promise<NetworkRecord[]> {
    await this.ensureDefaults();
    return this.all();
  }

  /** By exact name, full ID or unique ID prefix (Docker's order); NotFoundError `network X not found`. */
  async find(idOrName: string): Promise<NetworkRecord> {
    const all = await this.records();
    const found =
      all.find((n) => n.name === idOrName) ??
      all.find((n) => n.id === idOrName) ??
      (() => {
        const byPrefix = all.filter((n) => idOrName.length > 0 && n.id.startsWith(idOrName));
        if (byPrefix.length > 1)
          throw new InvalidArgumentError(`network ${idOrName} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
        return byPrefix[0];
      })();
    if (!found) throw new NotFoundError(`network ${idOrName} not found`);
    return found;
  }

  /** `docker network create`; returns the new network's ID. */
  async create(name: string, options: NetworkCreateOptions = {}): Promise<string> {
    if (!NAME.test(name)) throw new InvalidArgumentError(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const driver = options.driver ?? 'bridge';
    if (driver === 'host' || driver === 'null') {
      throw new ConflictError(`only one instance of "${driver}" network is allowed`);
    }
    if (driver !== 'bridge') {
      throw new NotFoundError(
        `plugin "${driver}" not found\nLayerLab has the bridge driver only (one machine: no overlay, macvlan or ipvlan networks).`,
      );
    }
    const all = await this.records();
    if (all.some((n) => n.name === name)) throw new ConflictError(`network with name ${name} already exists`);
    const used = all.filter((n) => n.subnet).map((n) => parseSubnet(n.subnet!));
    let subnet;
    if (options.subnet) {
      subnet = parseSubnet(options.subnet);
      const clash = all.find((n) => n.subnet && overlaps(parseSubnet(n.subnet), subnet!));
      if (clash) throw new ConflictError(`invalid pool request: Pool overlaps with other one on this address space`);
    } else {
      if (options.gateway) throw new InvalidArgumentError('no matching subnet for gateway ' + options.gateway);
      subnet = nextSubnet(used);
    }
    const gateway = options.gateway ?? defaultGateway(subnet);
    if (!contains(subnet, parseIp(gateway))) throw new InvalidArgumentError(`no matching subnet for gateway ${gateway}`);
    const id = randomHex(32);
    const record: NetworkRecord = {
      id,
      name,
      driver: 'bridge',
      created: this.deps.now().toISOString(),
      subnet: formatSubnet(subnet),
      gateway,
      bridge: `br-${id.slice(0, 12)}`,
      internal: !!options.internal,
      attachable: !!options.attachable,
      labels: options.labels ?? {},
      options: options.options ?? {},
    };
    await this.deps.meta.put(NETWORKS, id, record);
    this.deps.onEvent?.({ action: 'create', id, name });
    return id;
  }

  /** `docker network inspect` of one network. */
  async inspect(idOrName: string): Promise<NetworkInspect> {
    const n = await this.find(idOrName);
    return this.document(n, await this.deps.users());
  }

  /** `docker network ls` (every network, as inspect documents). */
  async list(): Promise<NetworkInspect[]> {
    const users = await this.deps.users();
    return (await this.records()).map((n) => this.document(n, users));
  }

  private document(n: NetworkRecord, users: NetworkUser[]): NetworkInspect {
    const containers: NetworkInspect['Containers'] = {};
    for (const u of users) {
      const e = u.running ? u.endpoints[n.name] : undefined;
      if (!e) continue;
      containers[u.id] = {
        Name: u.name,
        EndpointID: e.endpointId,
        MacAddress: e.macAddress,
        IPv4Address: e.ipAddress ? `${e.ipAddress}/${e.prefixLen}` : '',
        IPv6Address: '',
      };
    }
    return {
      Name: n.name,
      Id: n.id,
      Created: n.created,
      Scope: 'local',
      Driver: n.driver,
      EnableIPv4: true,
      EnableIPv6: false,
      IPAM: {
        Driver: 'default',
        Options: n.predefined ? null : {},
        Config: n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway! }] : n.predefined ? null : [],
      },
      Internal: n.internal,
      Attachable: n.attachable,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: containers,
      Options: n.options,
      Labels: n.labels,
    };
  }

  /** `docker network rm`: never a predefined network or one a container is on (running or not). */
  async remove(idOrName: string): Promise<void> {
    const n = await this.find(idOrName);
    if (n.predefined) throw new ConflictError(`${n.name} is a pre-defined network and cannot be removed`);
    const users = (await this.deps.users()).filter((u) => u.running && u.endpoints[n.name]);
    if (users.length > 0) {
      throw new ConflictError(
        `error while removing network: network ${n.name} id ${n.id} has active endpoints (${users.map((u) => `name:"${u.name}" id:"${u.id.slice(0, 12)}"`).join(', ')})`,
      );
    }
    await this.deps.meta.delete(NETWORKS, n.id);
    this.deps.onEvent?.({ action: 'destroy', id: n.id, name: n.name });
    // the bridge goes from a machine that made it (one that never did has nothing to delete)
    if (n.bridge && this.deps.getGuest) {
      const guest = await this.deps.getGuest();
      await guestShell(
        guest,
        `ip link del ${n.bridge} 2>/dev/null; rm -f ${dnsHostsPath(n.bridge)}; true`,
        `removing the bridge of ${n.name}`,
      );
    }
  }

  /** `docker network prune`: user-defined networks no container is configured for. */
  async prune(): Promise<PruneReport> {
    const users = await this.deps.users();
    const deleted: string[] = [];
    for (const n of await this.records()) {
      if (n.predefined) continue;
      if (users.some((u) => u.networks[n.name] || u.mode === n.name)) continue;
      await this.remove(n.id);
      deleted.push(n.name);
    }
    return { deleted, spaceReclaimed: 0 };
  }

  /**
   * The network a `--network` value means for a new container: `bridge`, `host`, `none` or a
   * user-defined network's name (an ID is stored as its name, as Docker does).
   */
  async resolveMode(mode: string | undefined): Promise<string> {
    if (!mode || mode === 'default') return 'bridge';
    if (mode.startsWith('container:')) {
      throw new InvalidArgumentError(`--network ${mode}: sharing another container's network namespace is not supported by LayerLab yet`);
    }
    return (await this.find(mode)).name;
  }

  /** Addresses in use on a network: running containers' and starting ones'. */
  private inUse(n: NetworkRecord, users: NetworkUser[]): Set<string> {
    const used = new Set<string>();
    for (const u of users) {
      const e = u.running ? u.endpoints[n.name] : undefined;
      if (e) used.add(e.ipAddress);
    }
    for (const ip of this.pending.get(n.id)?.keys() ?? []) used.add(ip);
    return used;
  }

  /** Forgets the addresses a starting container held (it runs now, or it failed to start). */
  release(containerId: string): void {
    for (const held of this.pending.values()) for (const [ip, id] of held) if (id === containerId) held.delete(ip);
  }

  /** A container's endpoint on one network (its address held until `release`). */
  private endpoint(n: NetworkRecord, c: { id: string; name: string }, cfg: EndpointConfig, index: number, users: NetworkUser[]): Endpoint {
    const subnet = parseSubnet(n.subnet!);
    const ip = allocateIp(subnet, n.gateway!, this.inUse(n, users), cfg.ipv4Address);
    let held = this.pending.get(n.id);
    if (!held) this.pending.set(n.id, (held = new Map()));
    held.set(ip, c.id);
    const userDefined = !n.predefined;
    return {
      networkId: n.id,
      endpointId: randomHex(32),
      ipAddress: ip,
      prefixLen: subnet.prefix,
      gateway: n.gateway!,
      macAddress: macForIp(ip),
      hostInterface: `veth${randomHex(4).slice(0, 7)}`,
      interface: `eth${index}`,
      aliases: cfg.aliases ?? [],
      dnsNames: userDefined ? [c.name, c.id.slice(0, 12), ...(cfg.aliases ?? [])] : [],
    };
  }

  /** The names the embedded DNS answers on a user-defined bridge: every running endpoint's, and `extra`. */
  private dnsFile(n: NetworkRecord, users: NetworkUser[], extra: Endpoint[]): { path: string; content: string } {
    const lines: string[] = [];
    for (const u of users) {
      const e = u.running ? u.endpoints[n.name] : undefined;
      if (e && e.dnsNames.length) lines.push(`${e.ipAddress} ${e.dnsNames.join(' ')}`);
    }
    for (const e of extra) lines.push(`${e.ipAddress} ${e.dnsNames.join(' ')}`);
    return { path: dnsHostsPath(n.bridge!), content: lines.join('\n') + '\n' };
  }

  /** What a container needs to start on its networks; its addresses are held until `release`. */
  async attach(
    c: {
      id: string;
      name: string;
      hostname: string;
      mode: string;
      networks: Record<string, EndpointConfig>;
    },
    users?: NetworkUser[],
  ): Promise<Attachment> {
    const none: Attachment = {
      ownNamespace: true,
      bridges: [],
      interfaces: [],
      endpoints: {},
      hostsLines: '',
      resolvConf: NO_NETWORK_RESOLV_CONF,
      dnsFiles: [],
    };
    if (c.mode === 'none') return none;
    if (c.mode === 'host') return { ...none, ownNamespace: false, resolvConf: NO_WAY_OUT_RESOLV_CONF };
    // the caller may have read them already (a start does, for its ports)
    const others = (users ?? (await this.deps.users())).filter((u) => u.id !== c.id);
    const attachment: Attachment = { ...none, resolvConf: NO_WAY_OUT_RESOLV_CONF };
    for (const [index, name] of Object.keys(c.networks).entries()) {
      const n = await this.find(name);
      if (n.driver !== 'bridge') continue;
      const e = this.add(attachment, n, c, c.networks[name]!, index, others);
      if (index === 0) attachment.hostsLines = `${e.ipAddress}\t${c.hostname}\n`;
    }
    return attachment;
  }

  /** One more network for a running container (`docker network connect`), as interface `eth<index>`. */
  async attachOne(c: { id: string; name: string }, name: string, cfg: EndpointConfig, index: number): Promise<Attachment> {
    const users = (await this.deps.users()).filter((u) => u.id !== c.id);
    const attachment: Attachment = {
      ownNamespace: true,
      bridges: [],
      interfaces: [],
      endpoints: {},
      hostsLines: '',
      resolvConf: '',
      dnsFiles: [],
    };
    // a connected network never takes over the default route
    this.add(attachment, await this.find(name), c, cfg, Math.max(index, 1), users, `eth${index}`);
    return attachment;
  }

  private add(
    attachment: Attachment,
    n: NetworkRecord,
    c: { id: string; name: string },
    cfg: EndpointConfig,
    index: number,
    users: NetworkUser[],
    ifname = `eth${index}`,
  ): Endpoint {
    const e = { ...this.endpoint(n, c, cfg, index, users), interface: ifname };
    attachment.endpoints[n.name] = e;
    attachment.bridges.push({ name: n.bridge!, gateway: `${n.gateway}/${e.prefixLen}` });
    attachment.interfaces.push({
      bridge: n.bridge!,
      hostInterface: e.hostInterface,
      interface: e.interface,
      address: `${e.ipAddress}/${e.prefixLen}`,
      mac: e.macAddress,
      // the first network routes (Docker's default gateway); an internal network never does
      ...(index === 0 && !n.internal ? { gateway: n.gateway! } : {}),
    });
    if (!n.predefined) {
      attachment.resolvConf = EMBEDDED_DNS_RESOLV_CONF;
      attachment.dnsFiles.push(this.dnsFile(n, users, [e]));
    }
    return e;
  }

  /**
   * Rewrites the embedded DNS's names of these networks in the guest (after a container on them
   * stopped or left): a name answers only while its container runs.
   */
  async refreshDns(guest: GuestMachine, networkNames: string[], leaving: string): Promise<void> {
    const named: NetworkRecord[] = [];
    for (const name of networkNames) {
      const n = await this.find(name).catch(() => undefined);
      if (n && !n.predefined && n.bridge) named.push(n);
    }
    // the default bridge has no names to forget: a container leaving it costs no read of the others
    if (named.length === 0) return;
    const users = (await this.deps.users()).filter((u) => u.id !== leaving);
    const files: string[] = [];
    for (const n of named) {
      const f = this.dnsFile(n, users, []);
      files.push(`printf '%s' ${shellQuote(f.content)} > ${f.path}`);
    }
    if (files.length) await guestShell(guest, `mkdir -p /run/layerlab/dns; ${files.join('; ')}`, 'updating container names');
  }
}
