import { describe, expect, it } from 'vitest';
import { MemoryMetadataStore } from '../store/memory.ts';
import { allocateIp, macForIp, nextSubnet, parseSubnet, formatSubnet } from './ipam.ts';
import { NetworkManager, type NetworkEvent, type NetworkUser } from './manager.ts';

function manager(users: NetworkUser[] = []) {
  const events: NetworkEvent[] = [];
  const networks = new NetworkManager({
    meta: new MemoryMetadataStore(),
    now: () => new Date(0),
    users: async () => users,
    onEvent: (e) => events.push(e),
  });
  return { networks, events, users };
}

describe('IPAM', () => {
  it("takes Docker's default pools in order, skipping those in use", () => {
    expect(formatSubnet(nextSubnet([parseSubnet('172.17.0.0/16')]))).toBe('172.18.0.0/16');
    expect(formatSubnet(nextSubnet([parseSubnet('172.17.0.0/16'), parseSubnet('172.18.5.0/24')]))).toBe('172.19.0.0/16');
    const all172 = Array.from({ length: 15 }, (_, i) => parseSubnet(`172.${17 + i}.0.0/16`));
    expect(formatSubnet(nextSubnet(all172))).toBe('192.168.0.0/20');
  });

  it('gives the lowest free address after the gateway, or the one asked for', () => {
    const s = parseSubnet('172.18.0.0/16');
    expect(allocateIp(s, '172.18.0.1', new Set())).toBe('172.18.0.2');
    expect(allocateIp(s, '172.18.0.1', new Set(['172.18.0.2', '172.18.0.3']))).toBe('172.18.0.4');
    expect(allocateIp(s, '172.18.0.1', new Set(), '172.18.5.9')).toBe('172.18.5.9');
    expect(() => allocateIp(s, '172.18.0.1', new Set(['172.18.5.9']), '172.18.5.9')).toThrow('Address already in use');
    expect(() => allocateIp(s, '172.18.0.1', new Set(), '10.0.0.2')).toThrow('no configured subnet contains IP address 10.0.0.2');
    const tiny = parseSubnet('10.9.0.0/30');
    expect(() => allocateIp(tiny, '10.9.0.1', new Set(['10.9.0.2']))).toThrow('no available IPv4 addresses');
  });

  it("derives Docker's MAC address from the IPv4 address, and refuses subnets with host bits", () => {
    expect(macForIp('172.17.0.2')).toBe('02:42:ac:11:00:02');
    expect(() => parseSubnet('172.18.0.1/16')).toThrow('it has host bits set (the network is 172.18.0.0/16)');
    expect(() => parseSubnet('nonsense')).toThrow('invalid CIDR address: nonsense');
  });
});

describe('NetworkManager', () => {
  it('has bridge, host and none, made once, which cannot be removed', async () => {
    const { networks } = manager();
    const list = await networks.list();
    expect(list.map((n) => [n.Name, n.Driver])).toEqual(
      expect.arrayContaining([
        ['bridge', 'bridge'],
        ['host', 'host'],
        ['none', 'null'],
      ]),
    );
    expect((await networks.list()).map((n) => n.Id).sort()).toEqual(list.map((n) => n.Id).sort());
    const bridge = await networks.inspect('bridge');
    expect(bridge.IPAM.Config).toEqual([{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }]);
    expect(bridge.Options['com.docker.network.bridge.name']).toBe('docker0');
    await expect(networks.remove('bridge')).rejects.toThrow('bridge is a pre-defined network and cannot be removed');
    await expect(networks.create('x', { driver: 'host' })).rejects.toThrow('only one instance of "host" network is allowed');
  });

  it('creates user-defined bridges on the next free pools, with Docker’s errors', async () => {
    const { networks, events } = manager();
    const a = await networks.create('front');
    const b = await networks.create('back', { subnet: '10.5.0.0/24', labels: { tier: 'db' } });
    expect((await networks.inspect('front')).IPAM.Config).toEqual([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
    expect((await networks.inspect(b.slice(0, 6))).IPAM.Config).toEqual([{ Subnet: '10.5.0.0/24', Gateway: '10.5.0.1' }]);
    expect((await networks.inspect('back')).Labels).toEqual({ tier: 'db' });
    await expect(networks.create('front')).rejects.toThrow('network with name front already exists');
    await expect(networks.create('again', { subnet: '172.18.1.0/24' })).rejects.toThrow(
      'Pool overlaps with other one on this address space',
    );
    await expect(networks.create('bad name')).rejects.toThrow('invalid network name "bad name"');
    await expect(networks.create('o', { driver: 'overlay' })).rejects.toThrow('plugin "overlay" not found');
    await expect(networks.inspect('nothing')).rejects.toThrow('network nothing not found');
    expect(events).toEqual([
      { action: 'create', id: a, name: 'front' },
      { action: 'create', id: b, name: 'back' },
    ]);
  });

  it('gives a starting container an address, a veth pair and the embedded DNS on a user-defined network', async () => {
    const users: NetworkUser[] = [];
    const { networks } = manager(users);
    await networks.create('app');
    const first = await networks.attach({
      id: 'a'.repeat(64),
      name: 'web',
      hostname: 'aaaaaaaaaaaa',
      mode: 'app',
      networks: { app: { aliases: ['site'] } },
    });
    expect(first.interfaces).toEqual([
      expect.objectContaining({ interface: 'eth0', address: '172.18.0.2/16', mac: '02:42:ac:12:00:02', gateway: '172.18.0.1' }),
    ]);
    expect(first.interfaces[0]!.hostInterface).toMatch(/^veth[0-9a-f]{7}$/);
    expect(first.hostsLines).toBe('172.18.0.2\taaaaaaaaaaaa\n');
    expect(first.resolvConf).toBe('nameserver 127.0.0.11\noptions ndots:0\n');
    expect(first.endpoints.app!.dnsNames).toEqual(['web', 'aaaaaaaaaaaa', 'site']);
    expect(first.dnsFiles[0]!.content).toBe('172.18.0.2 web aaaaaaaaaaaa site\n');
    // a second one, started while the first is still starting, gets the next address
    const second = await networks.attach({ id: 'b'.repeat(64), name: 'db', hostname: 'bbbbbbbbbbbb', mode: 'app', networks: { app: {} } });
    expect(second.endpoints.app!.ipAddress).toBe('172.18.0.3');
    // once the first runs (its record holds the address) nothing changes; once it stops, its address is free
    users.push({ id: 'a'.repeat(64), name: 'web', running: true, mode: 'app', networks: { app: {} }, endpoints: first.endpoints });
    networks.release('a'.repeat(64));
    networks.release('b'.repeat(64));
    const third = await networks.attach({ id: 'c'.repeat(64), name: 'c', hostname: 'c', mode: 'app', networks: { app: {} } });
    expect(third.endpoints.app!.ipAddress).toBe('172.18.0.3');
    expect(third.dnsFiles[0]!.content).toBe('172.18.0.2 web aaaaaaaaaaaa site\n172.18.0.3 c cccccccccccc\n');
    await expect(networks.remove('app')).rejects.toThrow(/has active endpoints \(name:"web" id:"aaaaaaaaaaaa"\)/);
  });

  it('gives the default bridge no DNS, none no interface, and host the machine stack', async () => {
    const { networks } = manager();
    const bridge = await networks.attach({ id: 'a'.repeat(64), name: 'x', hostname: 'h', mode: 'bridge', networks: { bridge: {} } });
    expect(bridge.bridges).toEqual([{ name: 'docker0', gateway: '172.17.0.1/16' }]);
    expect(bridge.dnsFiles).toEqual([]);
    expect(bridge.resolvConf).toContain('no way out');
    expect(bridge.endpoints.bridge!.dnsNames).toEqual([]);
    const none = await networks.attach({ id: 'b'.repeat(64), name: 'y', hostname: 'h', mode: 'none', networks: { none: {} } });
    expect(none).toMatchObject({ ownNamespace: true, interfaces: [], hostsLines: '' });
    const host = await networks.attach({ id: 'c'.repeat(64), name: 'z', hostname: 'h', mode: 'host', networks: { host: {} } });
    expect(host.ownNamespace).toBe(false);
  });

  it('prunes user-defined networks no container is configured for', async () => {
    const users: NetworkUser[] = [{ id: 'a'.repeat(64), name: 'web', running: false, mode: 'kept', networks: { kept: {} }, endpoints: {} }];
    const { networks } = manager(users);
    await networks.create('kept');
    await networks.create('unused');
    expect(await networks.prune()).toEqual({ deleted: ['unused'], spaceReclaimed: 0 });
    expect((await networks.list()).map((n) => n.Name).sort()).toEqual(['bridge', 'host', 'kept', 'none']);
  });
});
