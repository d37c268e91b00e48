import { beforeEach, describe, expect, it } from 'vitest';
import { completeDocker } from './complete.ts';
import { FakeEngine } from './testkit.ts';

let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
  engine.imageList = [
    {
      id: 'sha256:' + 'a'.repeat(64),
      repoTags: ['busybox:latest', 'docker.io/library/busybox:1.36'],
      created: '2024-04-17T00:00:00Z',
      size: 1,
      containers: 0,
      labels: {},
    },
    { id: 'sha256:' + 'd'.repeat(64), repoTags: ['web:1'], created: '2024-04-17T00:00:00Z', size: 1, containers: 0, labels: {} },
  ];
  engine.availableRefs = ['alpine:3.19', 'busybox:latest'];
  engine.addContainer({ id: 'abc123' + '0'.repeat(58), name: 'web', state: 'running' });
  engine.addContainer({ id: 'def456' + '1'.repeat(58), name: 'worker', state: 'exited' });
  engine.volumeList = [
    { Name: 'data', Driver: 'local', Mountpoint: '/x', CreatedAt: '', Labels: {}, Scope: 'local' },
    { Name: 'logs', Driver: 'local', Mountpoint: '/y', CreatedAt: '', Labels: {}, Scope: 'local' },
  ];
});

describe('completeDocker', () => {
  it.each<[string, string[]]>([
    ['doc', ['docker']],
    ['docker ru', ['run']],
    ['docker r', ['rename', 'restart', 'rm', 'rmi', 'run']],
    ['docker ', []],
    ['docker im', ['image', 'images', 'import']],
    ['docker image ', ['build', 'history', 'import', 'inspect', 'load', 'ls', 'prune', 'pull', 'push', 'rm', 'save', 'tag']],
    ['docker lo', ['load', 'login', 'logout', 'logs']],
    ['docker p', ['pause', 'port', 'ps', 'pull', 'push']],
    ['docker s', ['save', 'search', 'start', 'stats', 'stop', 'system']],
    ['docker volume r', ['rm']],
    ['docker system ', ['df', 'events', 'info', 'prune']],
  ])('subcommands: %j', async (line, want) => {
    const got = await completeDocker(line, engine);
    if (line === 'docker ') {
      expect(got).toContain('run');
      expect(got).toContain('volume');
      expect(got).not.toContain('help');
    } else expect(got).toEqual(want);
  });

  it.each<[string, string[]]>([
    ['docker ps --a', ['--all']],
    ['docker ps --', ['--all', '--filter', '--format', '--help', '--last', '--latest', '--no-trunc', '--quiet', '--size']],
    ['docker run --r', ['--read-only', '--restart', '--rm']],
    ['docker rm -', ['--force', '--help', '--volumes', '-f', '-v']],
    ['docker save -', ['--help', '--output', '-o']],
    ['docker load -', ['--help', '--input', '--quiet', '-i', '-q']],
    ['docker push -', ['--disable-content-trust', '--help', '--quiet', '-q']],
    ['docker image push --', ['--disable-content-trust', '--help', '--quiet']],
    ['docker login -', ['--help', '--password', '--password-stdin', '--username', '-p', '-u']],
    ['docker logout -', ['--help']],
  ])('flags: %j', async (line, want) => {
    expect(await completeDocker(line, engine)).toEqual(want);
  });

  it.each<[string, string[]]>([
    ['docker stop ', ['web']],
    ['docker start ', ['worker']],
    ['docker logs w', ['web', 'worker']],
    ['docker rm -f w', ['web', 'worker']],
    ['docker exec -it ', ['web']],
    ['docker exec -it web ', []],
    ['docker stop abc', ['abc123000000']],
    ['docker run ', ['alpine:3.19', 'busybox:1.36', 'busybox:latest', 'web:1']],
    ['docker run -it --rm b', ['busybox:1.36', 'busybox:latest']],
    ['docker run busybox ', []],
    ['docker run busybox ls -', []],
    ['docker run -v ', ['data:', 'logs:']],
    ['docker run --name x -e A=1 w', ['web:1']],
    ['docker rmi ', ['busybox:1.36', 'busybox:latest', 'web:1']],
    ['docker tag web:1 ', []],
    ['docker volume rm ', ['data', 'logs']],
    ['docker volume inspect d', ['data']],
    ['docker cp w', ['web:', 'worker:']],
    ['docker cp web:/etc/hosts ', ['web:', 'worker:']],
    ['docker inspect w', ['web', 'web:1', 'worker']],
    ['docker stop -s ', ['SIGHUP', 'SIGINT', 'SIGKILL', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2']],
    ['docker images -f d', ['dangling=false', 'dangling=true']],
    ['docker pull a', ['alpine:3.19']],
    ['docker save ', ['busybox:1.36', 'busybox:latest', 'web:1']],
    ['docker save -o out.tar busybox:latest w', ['web:1']],
    ['docker image save b', ['busybox:1.36', 'busybox:latest']],
    ['docker load ', []],
    ['docker load -i ', []],
    ['docker push ', ['busybox:1.36', 'busybox:latest', 'web:1']],
    ['docker push web:1 ', []],
    ['docker login ', ['localhost:5000']],
    ['docker login -u me ', ['localhost:5000']],
    ['docker logout l', ['localhost:5000']],
    ['docker run "bus', ['busybox:1.36', 'busybox:latest']],
    ['stop ', ['web']],
  ])('names: %j', async (line, want) => {
    expect(await completeDocker(line, engine)).toEqual(want);
  });

  it('returns nothing when the engine fails', async () => {
    engine.containers.list = async () => {
      throw new Error('engine is starting');
    };
    expect(await completeDocker('docker stop ', engine)).toEqual([]);
  });
});
