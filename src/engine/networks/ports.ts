/**
 * Published ports as Docker keeps them: `-p [hostIP:]hostPort:containerPort[/tcp]`, `-P` for
 * every exposed port, host ports handed out at start (an ephemeral one when none is given) and
 * refused when another running container holds them. A published port is a relay, not a NAT:
 * the agent connects to the container's own address, so a server bound to 127.0.0.1 inside the
 * container cannot be reached through it, exactly as with Docker.
 */
import { ConflictError, InvalidArgumentError } from '../errors.ts';

/** `80/tcp` → the bindings asked for (Docker's PortBindings / NetworkSettings.Ports value). */
export type PortMap = Record<string, { HostIp: string; HostPort: string }[]>;

/** The first host port Docker hands out when none is given (Linux's ip_local_port_range). */
export const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;

function portNumber(text: string, spec: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    throw new InvalidArgumentError(`invalid containerPort: ${text}`.replace('containerPort', spec));
  return Number(text);
}

/**
 * Parses `-p` values into PortBindings and the ports they expose (docker/cli's nat.ParsePortSpecs,
 * TCP only, one port or a range of equal length on both sides).
 */
export function parsePublish(specs: string[]): { bindings: PortMap; exposed: string[] } {
  const bindings: PortMap = {};
  const exposed: string[] = [];
  for (const spec of specs) {
    const [addressPart, protoPart] = spec.split('/') as [string, string | undefined];
    const proto = protoPart ?? 'tcp';
    if (proto !== 'tcp') {
      throw new InvalidArgumentError(`--publish ${spec}: LayerLab relays TCP only (${proto} is not supported)`);
    }
    const parts = addressPart.split(':');
    let hostIp = '';
    let hostPort = '';
    let containerPort: string;
    if (parts.length === 1) containerPort = parts[0]!;
    else if (parts.length === 2) [hostPort, containerPort] = parts as [string, string];
    else if (parts.length === 3) [hostIp, hostPort, containerPort] = parts as [string, string, string];
    else throw new InvalidArgumentError(`invalid port format for --publish: ${spec}`);
    if (hostIp && !/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIp)) throw new InvalidArgumentError(`invalid IP address: ${hostIp}`);
    const range = (text: string, what: string): [number, number] => {
      const [a, b] = text.split('-');
      const start = portNumber(a ?? '', what);
      const end = b === undefined ? start : portNumber(b, what);
      if (end < start) throw new InvalidArgumentError(`invalid range specified for ${what}: ${text}`);
      return [start, end];
    };
    const [cStart, cEnd] = range(containerPort, 'containerPort');
    const hRange = hostPort ? range(hostPort, 'hostPort') : undefined;
    if (hRange && hRange[1] - hRange[0] !== cEnd - cStart && hRange[0] !== hRange[1]) {
      throw new InvalidArgumentError(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
    for (let p = cStart; p <= cEnd; p++) {
      const key = `${p}/tcp`;
      const host = hRange ? String(hRange[0] === hRange[1] ? hRange[0] : hRange[0] + (p - cStart)) : '';
      (bindings[key] ??= []).push({ HostIp: hostIp, HostPort: host });
      if (!exposed.includes(key)) exposed.push(key);
    }
  }
  return { bindings, exposed };
}

/** Parses `--expose` values (`80`, `8000-8002`, `53/tcp`) into port keys. */
export function parseExpose(specs: string[]): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    const [ports, proto = 'tcp'] = spec.split('/') as [string, string | undefined];
    if (proto !== 'tcp') throw new InvalidArgumentError(`--expose ${spec}: LayerLab relays TCP only`);
    const [a, b] = ports.split('-');
    const start = portNumber(a ?? '', 'port');
    const end = b === undefined ? start : portNumber(b, 'port');
    for (let p = start; p <= end; p++) out.push(`${p}/tcp`);
  }
  return out;
}

/** Host ports held by running containers other than `except`. */
export function hostPortsInUse(records: { id: string; running: boolean; ports?: PortMap }[], except: string): Set<number> {
  const taken = new Set<number>();
  for (const r of records) {
    if (r.id === except || !r.running) continue;
    for (const list of Object.values(r.ports ?? {})) for (const b of list) taken.add(Number(b.HostPort));
  }
  return taken;
}

/** `80/tcp` → 80. */
export function portOf(key: string): number {
  return Number(key.split('/')[0]);
}

/**
 * The host ports a starting container gets: each binding's own, or the next free ephemeral port
 * (also for every exposed port with `publishAll`); a host port another running container holds
 * is refused in the daemon's words.
 */
export function assignPorts(bindings: PortMap, exposed: string[], publishAll: boolean, taken: Set<number>): PortMap {
  const wanted: PortMap = {};
  for (const [key, list] of Object.entries(bindings)) wanted[key] = list.map((b) => ({ ...b }));
  if (publishAll) for (const key of exposed) wanted[key] ??= [{ HostIp: '', HostPort: '' }];
  const used = new Set(taken);
  const out: PortMap = {};
  let next = EPHEMERAL_FIRST;
  for (const [key, list] of Object.entries(wanted).sort((a, b) => portOf(a[0]) - portOf(b[0]))) {
    out[key] = list.map((b) => {
      const ip = b.HostIp || '0.0.0.0';
      let port: number;
      if (b.HostPort) {
        port = Number(b.HostPort);
        if (used.has(port))
          throw new ConflictError(
            `driver failed programming external connectivity: Bind for ${ip}:${port} failed: port is already allocated`,
          );
      } else {
        while (used.has(next) && next <= EPHEMERAL_LAST) next++;
        port = next;
      }
      used.add(port);
      return { HostIp: ip, HostPort: String(port) };
    });
  }
  return out;
}
