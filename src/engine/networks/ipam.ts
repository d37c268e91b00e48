/**
 * IPv4 address management as Docker's default IPAM does it: the default bridge is 172.17.0.0/16,
 * each new network takes the next free pool (172.18.0.0/16 … 172.31.0.0/16, then
 * 192.168.0.0/20, 192.168.16.0/20, …), its gateway is the first address, and containers get the
 * lowest free address after it.
 */
import { InvalidArgumentError } from '../errors.ts';

/** A subnet: network address as a 32-bit number and prefix length. */
export interface Subnet {
  base: number;
  prefix: number;
}

/** `172.17.0.2` → 32-bit number; throws InvalidArgumentError for anything else. */
export function parseIp(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new InvalidArgumentError(`invalid IP address: ${text}`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** 32-bit number → dotted quad. */
export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `172.18.0.0/16` → Subnet; the address must be the network's own (Docker refuses host bits). */
export function parseSubnet(text: string): Subnet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m) throw new InvalidArgumentError(`invalid CIDR address: ${text}`);
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) throw new InvalidArgumentError(`invalid subnet ${text}: LayerLab takes prefixes from /8 to /30`);
  const base = parseIp(m[1]!);
  if ((base & mask(prefix)) >>> 0 !== base) {
    throw new InvalidArgumentError(
      `invalid subnet ${text}: it has host bits set (the network is ${formatIp((base & mask(prefix)) >>> 0)}/${prefix})`,
    );
  }
  return { base, prefix };
}

/** Subnet → `172.18.0.0/16`. */
export function formatSubnet(s: Subnet): string {
  return `${formatIp(s.base)}/${s.prefix}`;
}

/** Whether an address is inside a subnet. */
export function contains(s: Subnet, ip: number): boolean {
  return (ip & mask(s.prefix)) >>> 0 === s.base;
}

/** Whether two subnets share any address. */
export function overlaps(a: Subnet, b: Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & mask(p)) >>> 0 === (b.base & mask(p)) >>> 0;
}

/** The default bridge's subnet. */
export const DEFAULT_BRIDGE_SUBNET = '172.17.0.0/16';
/** docker0's own address: the machine, as containers on the default bridge reach it (`host-gateway`). */
export const DEFAULT_BRIDGE_GATEWAY = '172.17.0.1';

/** Docker's default address pools after the default bridge's, in order. */
function* defaultPools(): Generator<Subnet> {
  for (let b = 18; b <= 31; b++) yield { base: parseIp(`172.${b}.0.0`), prefix: 16 };
  for (let c = 0; c < 256; c += 16) yield { base: parseIp(`192.168.${c}.0`), prefix: 20 };
}

/** The first default pool that overlaps none of `used`; throws when all are taken (Docker's words). */
export function nextSubnet(used: Subnet[]): Subnet {
  for (const pool of defaultPools()) if (!used.some((u) => overlaps(u, pool))) return pool;
  throw new InvalidArgumentError(
    'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
  );
}

/** The gateway Docker gives a subnet: its first address. */
export function defaultGateway(s: Subnet): string {
  return formatIp(s.base + 1);
}

/**
 * An address for a container: `requested` when it is in the subnet and free, else the lowest free
 * address that is neither the network's, its gateway nor its broadcast.
 */
export function allocateIp(s: Subnet, gateway: string, used: Set<string>, requested?: string): string {
  const size = 2 ** (32 - s.prefix);
  if (requested) {
    const ip = parseIp(requested);
    if (!contains(s, ip)) throw new InvalidArgumentError(`no configured subnet contains IP address ${requested}`);
    if (ip === s.base || ip === s.base + size - 1 || requested === gateway || used.has(requested)) {
      throw new InvalidArgumentError(`Address already in use`);
    }
    return requested;
  }
  for (let ip = s.base + 1; ip < s.base + size - 1; ip++) {
    const text = formatIp(ip);
    if (text !== gateway && !used.has(text)) return text;
  }
  throw new InvalidArgumentError(`no available IPv4 addresses on this network's address pools: ${formatSubnet(s)}`);
}

/** The MAC address Docker derives from an IPv4 address: 02:42 and the address's four bytes. */
export function macForIp(ip: string): string {
  const n = parseIp(ip);
  return ['02', '42', ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
