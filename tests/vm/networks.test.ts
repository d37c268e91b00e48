/**
 * Networks on the real guest (issue 14): the default bridge (172.17.0.0/16, gateway .1) gives each
 * container an address and Docker's /etc/hosts; on a user-defined network containers reach each
 * other by name and alias through the embedded DNS at 127.0.0.11 (nslookup, getent-style ping and
 * wget all use it); names do not resolve on the default bridge; networks are isolated from each
 * other and from the outside with an immediate error, never a hang; `none` has loopback only and
 * `host` is the machine's own stack; connect and disconnect work on a running container.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { CliIO } from '../../src/engine/cli/io.ts';
import { runDocker } from '../../src/engine/cli/run.ts';
import { relayHttp } from '../../src/engine/networks/http-relay.ts';

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

  it("resolves names for Debian's getent (glibc's resolver) and serves Python's http.server by name", { timeout: 180_000 }, async () => {
    await node.engine.images.pull('python:3.11-slim');
    expect((await docker('network', 'create', 'pynet')).code).toBe(0);
    const py = await docker(
      'run',
      '-d',
      '--name',
      'pyweb',
      '--network',
      'pynet',
      'python:3.11-slim',
      'python',
      '-m',
      'http.server',
      '8000',
      '-d',
      '/etc',
    );
    expect(py.code).toBe(0);
    const getent = await docker('run', '--rm', '--network', 'pynet', 'python:3.11-slim', 'getent', 'hosts', 'pyweb');
    expect(getent.out).toMatch(/^172\.\d+\.0\.2\s+pyweb\n$/);
    // http.server takes a moment to listen
    let page = '';
    for (let i = 0; i < 40 && !page.includes('debian_version'); i++) {
      page = (await docker('run', '--rm', '--network', 'pynet', 'busybox', 'wget', '-q', '-O-', 'http://pyweb:8000/')).out;
      if (!page.includes('debian_version')) await new Promise((r) => setTimeout(r, 500));
    }
    expect(page).toContain('Directory listing for /');
    await docker('rm', '-f', 'pyweb');
    await docker('network', 'rm', 'pynet');
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

describe('published ports', () => {
  it('relays to the container’s own address: ps, port, inspect, conflicts, and a server on 127.0.0.1', { timeout: 120_000 }, async () => {
    const web = await docker(
      'run',
      '-d',
      '--name',
      'pub',
      '-p',
      '8080:80',
      '--expose',
      '9000',
      'busybox',
      'httpd',
      '-f',
      '-p',
      '80',
      '-h',
      '/etc',
    );
    expect(web.code).toBe(0);
    expect((await docker('ps', '--format', '{{.Names}} {{.Ports}}')).out).toBe('pub 0.0.0.0:8080->80/tcp, 9000/tcp\n');
    expect((await docker('port', 'pub')).out).toBe('80/tcp -> 0.0.0.0:8080\n');
    expect((await docker('port', 'pub', '80')).out).toBe('0.0.0.0:8080\n');
    expect((await docker('port', 'pub', '81')).err).toBe("Error: No public port '81/tcp' published for pub\n");
    const inspect = JSON.parse((await docker('inspect', 'pub')).out)[0];
    expect(inspect.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
    expect(inspect.NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '9000/tcp': null });
    // one HTTP exchange through the agent's relay, as a published port carries it
    const conn = await node.engine.containers.dial('pub', 80);
    let reply = '';
    conn.onStdout((d) => (reply += new TextDecoder().decode(d)));
    conn.write('GET /hostname HTTP/1.0\r\nHost: localhost\r\n\r\n');
    conn.closeStdin();
    expect(await conn.exit).toBe(0);
    expect(reply).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/);
    expect(reply).toContain(`\r\n\r\n${inspect.Config.Hostname}\n`);
    // what the page's Preview does for localhost:8080: an HTTP exchange streamed back
    expect(await node.engine.containers.publishedAt(8080)).toMatchObject({ name: 'pub', containerPort: 80 });
    expect(await node.engine.containers.publishedAt(8090)).toBeUndefined();
    const res = await relayHttp(
      await node.engine.containers.dial('pub', 80),
      { method: 'GET', path: '/passwd', headers: [['Accept', '*/*']] },
      'localhost:8080',
    );
    expect(res.status).toBe(200);
    expect(res.headers.map(([k]) => k.toLowerCase())).toContain('content-length');
    expect(await new Response(res.body).text()).toContain('root:x:0:0:root:/root:/bin/sh');
    const missing = await relayHttp(
      await node.engine.containers.dial('pub', 80),
      { method: 'GET', path: '/nothing', headers: [] },
      'localhost:8080',
    );
    expect([missing.status, missing.statusText]).toEqual([404, 'Not Found']);
    await missing.body.cancel();
    // the same host port twice: Docker's words, and the container does not start
    const clash = await docker('run', '-d', '--name', 'clash', '-p', '8080:80', 'busybox', 'sleep', '100');
    expect(clash.code).toBe(125);
    expect(clash.err).toContain('Bind for 0.0.0.0:8080 failed: port is already allocated');
    // -P: every exposed port on a free host port from 32768
    expect((await docker('run', '-d', '--name', 'all', '-P', '--expose', '7000', 'busybox', 'sleep', '100')).code).toBe(0);
    expect((await docker('port', 'all')).out).toBe('7000/tcp -> 0.0.0.0:32768\n');
    // a server bound to 127.0.0.1 inside the container is not reachable through its published port
    await docker('run', '-d', '--name', 'local', '-p', '8081:80', 'busybox', 'httpd', '-f', '-p', '127.0.0.1:80', '-h', '/etc');
    await expect(node.engine.containers.dial('local', 80)).rejects.toThrow(
      /Connection refused\nNothing in local listens on port 80 of its address 172\.17\.0\.\d+\. A server must listen on 0\.0\.0\.0/,
    );
    await docker('rm', '-f', 'pub', 'clash', 'all', 'local');
  });

  it('serves a foreground docker run -p on the host’s 127.0.0.1 in the Node CLI (curl)', { timeout: 120_000 }, () => {
    const cli = join(process.cwd(), 'bin', 'layerlab.mjs');
    const env = { ...process.env, LAYERLAB_HOME: mkdtempSync(join(tmpdir(), 'layerlab-publish-')) };
    const child = spawn(
      process.execPath,
      // --init: as PID 1 httpd would ignore the Ctrl-C the CLI passes on (as under Docker), and the CLI would never end
      [cli, 'docker', 'run', '--rm', '--init', '-p', '18080:80', 'busybox', 'httpd', '-f', '-v', '-p', '80', '-h', '/etc'],
      { env },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 90_000;
      const attempt = () => {
        const curl = spawnSync('curl', ['-s', '-m', '5', 'http://127.0.0.1:18080/hostname']);
        const body = curl.stdout.toString();
        if (curl.status === 0 && body.length > 0) {
          // Ctrl-C ends the container and the CLI; a CLI still running after 30 s is killed and the test fails
          const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.once('exit', (code, signal) => {
            clearTimeout(killer);
            try {
              expect(body).toMatch(/^[0-9a-f]{12}\n$/);
              expect(signal, `the CLI ended on Ctrl-C: ${err}`).toBeNull();
              resolve();
            } catch (e) {
              reject(e);
            }
          });
          child.kill('SIGINT');
        } else if (Date.now() > deadline) {
          child.kill('SIGKILL');
          reject(new Error(`curl never reached the container: ${err}`));
        } else setTimeout(attempt, 500);
      };
      attempt();
    });
  });
});
