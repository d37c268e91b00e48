/** What the network manager keeps: network records and a container's endpoints on them. */

/** The metadata collection of network records. */
export const NETWORKS = 'networks';

/** Docker's network drivers that LayerLab has: Linux bridges, the machine's own stack, and none. */
export type NetworkDriver = 'bridge' | 'host' | 'null';

/** What the store keeps about a network. */
export interface NetworkRecord {
  /** 64 hex characters, like Docker's. */
  id: string;
  name: string;
  driver: NetworkDriver;
  /** RFC 3339. */
  created: string;
  /** bridge networks: `172.18.0.0/16`. */
  subnet?: string;
  /** bridge networks: the gateway, the bridge's own address in the machine. */
  gateway?: string;
  /** bridge networks: the Linux bridge in the machine (`docker0`, `br-` + 12 hex). */
  bridge?: string;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** `bridge`, `host` and `none`: made by the engine, never removed. */
  predefined?: boolean;
}

/** A container's address on one network while it runs (Docker's EndpointSettings). */
export interface Endpoint {
  networkId: string;
  endpointId: string;
  ipAddress: string;
  prefixLen: number;
  gateway: string;
  macAddress: string;
  /** The veth end in the machine (a port of the network's bridge). */
  hostInterface: string;
  /** The interface in the container (eth0, eth1, …). */
  interface: string;
  aliases: string[];
  /** Names that resolve to this endpoint on a user-defined network. */
  dnsNames: string[];
}

/** How a container asked to be attached to one network (Docker's EndpointsConfig entry). */
export interface EndpointConfig {
  aliases?: string[];
  /** `--ip`. */
  ipv4Address?: string;
}
