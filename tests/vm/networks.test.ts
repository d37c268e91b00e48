/**
 * Networks on the real guest (issue 14): the default bridge (172.17.0.0/16, gateway .1) gives each
 * container an address and Docker's /etc/hosts; on a user-defined network containers reach each
 * other by name and alias through the embedded DNS at 127.0.0.11 (nslookup, getent-style ping and
 * wget all use it); names do not resolve on the default bridge; networks are isolated from each
 * other and from the outside with an immediate error, never a hang; `none` has loopback only and
 * `host` is the machine's own stack; connect and disconnect work on a running container.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { CliIO } from '../../src/engine/cli/io.ts';
import { runDocker } from '../../src/engine/cli/run.ts';

const home = mkdtempSync(join(tmpdir(), 'layerlab-networks-'));
let node: NodeEngine;

/** Runs `docker …` as typed, returning what a terminal shows. */
async function docker(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => (out += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    stderr: (t) => (err += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    isTTY: false,
    columns: 120,
    rows: 24,
    onStdin: () => () => {},
    onStdinEnd: (l) => (queueMicrotask(l), () => {}),
  };
  const code = await runDocker(argv, io, node.engine);
  return { code, out, err };
}

beforeAll(async () => {
  node = await openNodeEngine({ home });
  await node.engine.images.pull('busybox');
}, 60_000);
afterAll(async () => {
  await node?.close();
});

describe('docker networks', () => {
  it('lists the predefined networks and gives a container an address on the default bridge', { timeout: 60_000 }, async () => {
    const ls = await docker('network', 'ls');
    expect(ls.out).toMatch(
      /^NETWORK ID {5}NAME {6}DRIVER {4}SCOPE\n[0-9a-f]{12} {3}bridge {4}bridge {4}local\n[0-9a-f]{12} {3}host {6}host {6}local\n[0-9a-f]{12} {3}none {6}null {6}local\n$/,
    );
    const run = await docker(
      'run',
      '--rm',
      '--name',
      'one',
      '--hostname',
      'one-host',
      'busybox',
      'sh',
      '-c',
      'ip -4 addr show eth0; ip route; cat /etc/hosts /etc/resolv.conf',
    );
    expect(run.err).toBe('');
    expect(run.out).toContain('inet 172.17.0.2/16');
    expect(run.out).toContain('default via 172.17.0.1 dev eth0');
    expect(run.out).toContain('172.17.0.2\tone-host\n');
    expect(run.out).toContain('127.0.0.1\tlocalhost\n');
    // the address is free again once the container is gone
    const again = await docker('run', '--rm', 'busybox', 'ip', '-4', 'addr', 'show', 'eth0');
    expect(again.out).toContain('inet 172.17.0.2/16');
  });

  it('reaches the outside with an immediate error, never a hang', { timeout: 60_000 }, async () => {
    const t0 = Date.now();
    const r = await docker('run', '--rm', 'busybox', 'wget', '-O-', 'http://1.1.1.1/');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/No route to host|Network is unreachable/);
    const dns = await docker('run', '--rm', 'busybox', 'nslookup', 'example.com');
    expect(dns.code).not.toBe(0);
    expect(Date.now() - t0, 'both failed at once').toBeLessThan(15_000);
  });

  it('resolves names and aliases on a user-defined network, not on the default bridge', { timeout: 120_000 }, async () => {
    const created = await docker('network', 'create', 'appnet');
    expect(created.out).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await docker('network', 'create', 'appnet')).err).toBe('Error response from daemon: network with name appnet already exists\n');
    const inspect = JSON.parse((await docker('network', 'inspect', 'appnet')).out);
    expect(inspect[0]).toMatchObject({
      Name: 'appnet',
      Driver: 'bridge',
      Scope: 'local',
      IPAM: { Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] },
    });
    expect(
      (
        await docker(
          'run',
          '-d',
          '--name',
          'web',
          '--network',
          'appnet',
          '--network-alias',
          'site',
          'busybox',
          'httpd',
          '-f',
          '-p',
          '80',
          '-h',
          '/etc',
        )
      ).code,
    ).toBe(0);
    const look = await docker(
      'run',
      '--rm',
      '--network',
      'appnet',
      'busybox',
      'sh',
      '-c',
      'cat /etc/resolv.conf; nslookup web; ping -c 1 site; wget -q -O- http://web/hostname',
    );
    expect(look.out).toContain('nameserver 127.0.0.11');
    expect(look.out).toMatch(/Name:\s+web\nAddress:\s+172\.18\.0\.2/);
    expect(look.out).toContain('64 bytes from 172.18.0.2');
    const web = JSON.parse((await docker('inspect', 'web')).out)[0];
    expect(look.out).toContain(web.Config.Hostname);
    expect(web.NetworkSettings.Networks.appnet).toMatchObject({
      IPAddress: '172.18.0.2',
      Gateway: '172.18.0.1',
      MacAddress: '02:42:ac:12:00:02',
      Aliases: ['site'],
    });
    expect(web.NetworkSettings.Networks.appnet.DNSNames).toEqual(['web', web.Id.slice(0, 12), 'site']);
    expect(web.HostConfig.NetworkMode).toBe('appnet');
    const nets = JSON.parse((await docker('network', 'inspect', 'appnet')).out)[0];
    expect(Object.values(nets.Containers)).toEqual([expect.objectContaining({ Name: 'web', IPv4Address: '172.18.0.2/16' })]);
    // no names on the default bridge, and no way across to another network
    const bridge = await docker('run', '--rm', 'busybox', 'sh', '-c', 'nslookup web; wget -O- http://172.18.0.2/hostname');
    expect(bridge.code).not.toBe(0);
    expect(bridge.out + bridge.err).not.toContain(web.Config.Hostname);
    expect(bridge.err).toMatch(/No route to host/);
    // connect a running container from the default bridge: now it finds web by name
    expect((await docker('run', '-d', '--name', 'client', 'busybox', 'sleep', '1000')).code).toBe(0);
    expect((await docker('network', 'connect', 'appnet', 'client')).code).toBe(0);
    const joined = await docker('exec', 'client', 'wget', '-q', '-O-', 'http://site/hostname');
    expect(joined.out).toBe(`${web.Config.Hostname}\n`);
    expect((await docker('network', 'connect', 'appnet', 'client')).err).toBe(
      'Error response from daemon: endpoint with name client already exists in network appnet\n',
    );
    expect((await docker('network', 'rm', 'appnet')).err).toMatch(
      /^Error response from daemon: error while removing network: network appnet id [0-9a-f]{64} has active endpoints/,
    );
    expect((await docker('network', 'disconnect', 'appnet', 'client')).code).toBe(0);
    const left = await docker('exec', 'client', 'ip', '-4', 'addr');
    expect(left.out).not.toContain('172.18.');
    // a stopped container's name no longer answers
    await docker('rm', '-f', 'web', 'client');
    const gone = await docker('run', '--rm', '--network', 'appnet', 'busybox', 'nslookup', 'web');
    expect(gone.code).not.toBe(0);
    expect((await docker('network', 'rm', 'appnet')).out).toBe('appnet\n');
    expect((await docker('network', 'rm', 'bridge')).err).toBe(
      'Error response from daemon: bridge is a pre-defined network and cannot be removed\n',
    );
  });

  it('has loopback only with --network none and the machine stack with --network host', { timeout: 60_000 }, async () => {
    const none = await docker('run', '--rm', '--network', 'none', 'busybox', 'ls', '/sys/class/net');
    expect(none.out).toBe('lo\n');
    // the machine's own interfaces: docker0 was made by the first bridge container
    const host = await docker('run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net');
    expect(host.out).toContain('docker0');
    const inspect = JSON.parse((await docker('network', 'inspect', 'host')).out)[0];
    expect(inspect).toMatchObject({ Name: 'host', Driver: 'host', IPAM: { Config: null } });
  });
});
