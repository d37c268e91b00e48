import { describe, expect, it } from 'vitest';
import { goldenFiles } from '../../../tests/fixtures/golden.ts';
import { dockerOn as docker, scriptedEngine as setup } from '../../../tests/fixtures/scripted-engine.ts';

const golden = goldenFiles(new URL('./testdata/', import.meta.url));

/** Network IDs are random: the table with them replaced by their names' order. */
function stable(text: string, ids: string[]): string {
  return ids.reduce((t, id, i) => t.replaceAll(id.slice(0, 12), `<id${i}>`.padEnd(12)), text);
}

describe('docker network', () => {
  it('creates, lists, filters and removes networks as docker/cli prints them', async () => {
    const engine = await setup();
    const created = await docker(engine, 'network', 'create', '--label', 'tier=front', 'front');
    expect(created).toMatchObject({ code: 0, err: '' });
    expect(created.out).toMatch(/^[0-9a-f]{64}\n$/);
    await docker(engine, 'network', 'create', '--subnet', '10.7.0.0/24', '--internal', 'back');
    const ids = (await engine.networks.list()).sort((a, b) => a.Name.localeCompare(b.Name)).map((n) => n.Id);
    golden('network-ls.golden', stable((await docker(engine, 'network', 'ls')).out, ids));
    expect((await docker(engine, 'network', 'ls', '--filter', 'type=custom', '--format', '{{.Name}} {{.Internal}}')).out).toBe(
      'back true\nfront false\n',
    );
    expect((await docker(engine, 'network', 'ls', '-f', 'label=tier=front', '-q')).out).toBe(`${ids[2]!.slice(0, 12)}\n`);
    expect((await docker(engine, 'network', 'ls', '-f', 'driver=null', '--format', '{{.Name}}')).out).toBe('none\n');
    expect((await docker(engine, 'network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}', 'back')).out).toBe(
      '10.7.0.0/24 10.7.0.1\n',
    );
    expect(await docker(engine, 'network', 'rm', 'front', 'nothing')).toEqual({
      code: 1,
      out: 'front\n',
      err: 'Error response from daemon: network nothing not found\n',
    });
    expect(await docker(engine, 'network', 'rm', '-f', 'nothing')).toMatchObject({ code: 0 });
    expect(await docker(engine, 'network', 'prune', '-f')).toEqual({ code: 0, out: 'Deleted Networks:\nback\n\n', err: '' });
  });

  it("refuses what Docker refuses, in Docker's words", async () => {
    const engine = await setup();
    await docker(engine, 'network', 'create', 'app');
    expect((await docker(engine, 'network', 'create', 'app')).err).toBe(
      'Error response from daemon: network with name app already exists\n',
    );
    expect((await docker(engine, 'network', 'rm', 'none')).err).toBe(
      'Error response from daemon: none is a pre-defined network and cannot be removed\n',
    );
    expect((await docker(engine, 'network', 'create', '--gateway', '10.0.0.1', 'x')).err).toContain(
      'every ip-range or gateway must have a corresponding subnet',
    );
    expect((await docker(engine, 'network', 'create', '--ipv6', 'x')).err).toContain('--ipv6 is not supported by LayerLab');
    expect((await docker(engine, 'run', '--network', 'missing', 'busybox', 'true')).err).toBe(
      "docker: Error response from daemon: network missing not found.\nSee 'docker run --help'.\n",
    );
    expect((await docker(engine, 'create', '--network-alias', 'a', 'busybox', 'true')).err).toContain(
      'network-scoped alias is supported only for containers in user defined networks',
    );
    expect((await docker(engine, 'create', '--ip', '172.17.0.9', 'busybox', 'true')).err).toContain(
      'user specified IP address is supported on user defined networks only',
    );
    await docker(engine, 'create', '--name', 'quiet', '--network', 'none', 'busybox', 'true');
    expect((await docker(engine, 'network', 'connect', 'app', 'quiet')).err).toBe(
      'Error response from daemon: Container cannot be connected to multiple networks with one of the networks in private (none) mode\n',
    );
  });

  it('connects and disconnects a stopped container for its next start', async () => {
    const engine = await setup();
    await docker(engine, 'network', 'create', 'app');
    await docker(engine, 'create', '--name', 'web', 'busybox', 'true');
    expect(await docker(engine, 'network', 'connect', '--alias', 'site', 'app', 'web')).toEqual({ code: 0, out: '', err: '' });
    const networks = (await engine.containers.inspect('web')).NetworkSettings.Networks;
    expect(Object.keys(networks)).toEqual(['bridge', 'app']);
    expect(networks.app!.Aliases).toEqual(['site']);
    expect((await docker(engine, 'network', 'connect', 'app', 'web')).err).toBe(
      'Error response from daemon: endpoint with name web already exists in network app\n',
    );
    expect((await docker(engine, 'network', 'disconnect', 'app', 'web')).code).toBe(0);
    expect(Object.keys((await engine.containers.inspect('web')).NetworkSettings.Networks)).toEqual(['bridge']);
    expect((await docker(engine, 'network', 'disconnect', 'app', 'web')).err).toMatch(
      /^Error response from daemon: container [0-9a-f]{64} is not connected to network app\n$/,
    );
  });
});
