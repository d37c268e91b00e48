/**
 * The lessons' own exercise checks (read from lessons/) against worlds a student could leave: each
 * right answer the lesson should accept passes, and each wrong one fails. The engine is a test
 * double holding just the state a check reads; tests/e2e/lessons.spec.ts runs every check against
 * the real engine through the lessons' solution paths.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type {
  ContainerInspect,
  ContainerSummary,
  DockerEngine,
  HistoryEntry,
  ImageInspect,
  MountPoint,
  VolumeInfo,
} from '../engine/api.ts';
import { writeTar } from '../engine/layer/tar.ts';
import { loadLessons } from './compile/load-lessons.ts';
import { evaluateCheck, normalizeRef, type CheckContext, type CommandRecord, type RemovalRecord } from './checks.ts';
import type { Check } from './types.ts';

const lessons = loadLessons(resolve('lessons'));

/** The check of the exercise in step `title` of lesson `id`. */
function checkOf(id: string, title: string): Check {
  const step = lessons.find((l) => l.id === id)?.steps.find((s) => s.title === title);
  if (!step?.exercise) throw new Error(`${id} has no exercise "${title}"`);
  return step.exercise.check;
}

interface ImageState {
  cmd?: string[];
  entrypoint?: string[];
  workdir?: string;
  layers?: number;
  history?: string[];
  files?: Record<string, string>;
}
interface ContainerState {
  state?: 'running' | 'exited' | 'created';
  /** Networks it is on (default: bridge). */
  networks?: string[];
  image?: string;
  files?: Record<string, string>;
  diff?: { path: string; kind: 'A' | 'C' | 'D' }[];
  mounts?: MountPoint[];
}
/** What the student left: images, containers, volumes (name → files), and what ran. */
interface World {
  images?: Record<string, ImageState>;
  containers?: Record<string, ContainerState>;
  volumes?: Record<string, Record<string, string>>;
  /** [line, output, exit code] */
  commands?: ([string, string?, number?] | CommandRecord)[];
  /** Each build: its tags and [instruction, cached] per step. */
  builds?: { tags: string[]; steps: [string, boolean][] }[];
  removals?: [RemovalRecord['kind'], string][];
  files?: Record<string, string>;
  registry?: Record<string, string[]>;
  /** Networks that exist besides bridge, host and none. */
  networks?: string[];
  /** What localhost:PORT answers: [container, status, page]. */
  ports?: Record<number, [string, number, string]>;
}

const notFound = (what: string) => Promise.reject(Object.assign(new Error(`No such ${what}`), { name: 'NotFoundError' }));
const bytes = (text: string | undefined) => (text === undefined ? undefined : new TextEncoder().encode(text));

function context(w: World): CheckContext {
  const image = (ref: string) => w.images?.[normalizeRef(ref)];
  const engine = {
    images: {
      inspect: (ref: string) => {
        const i = image(ref);
        if (!i) return notFound('image');
        return Promise.resolve({
          RootFS: { Type: 'layers', Layers: Array.from({ length: i.layers ?? 1 }, (_, n) => `sha256:${n}`) },
          Config: { Cmd: i.cmd, Entrypoint: i.entrypoint, WorkingDir: i.workdir ?? '' },
        } as unknown as ImageInspect);
      },
      history: (ref: string) => Promise.resolve((image(ref)?.history ?? []).map((createdBy) => ({ createdBy }) as HistoryEntry)),
    },
    containers: {
      inspect: (name: string) => {
        const c = w.containers?.[name];
        if (!c) return notFound('container');
        return Promise.resolve({
          State: { Status: c.state ?? 'running', ExitCode: 0 },
          Config: { Image: c.image ?? 'busybox' },
          Mounts: c.mounts ?? [],
          NetworkSettings: { Networks: Object.fromEntries((c.networks ?? ['bridge']).map((n) => [n, {}])) },
        } as unknown as ContainerInspect);
      },
      list: () =>
        Promise.resolve(
          Object.entries(w.containers ?? {}).map(
            ([name, c]) => ({ name, image: c.image ?? 'busybox', state: c.state ?? 'running' }) as ContainerSummary,
          ),
        ),
      diff: (name: string) => Promise.resolve(w.containers?.[name]?.diff ?? []),
      copyFrom: (name: string, path: string) => {
        const data = bytes(w.containers?.[name]?.files?.[path]);
        if (!data) return notFound('file');
        const stat = { name: path.split('/').pop()!, type: 'file', size: data.length, mode: 0o644, mtime: 0, linkTarget: '' };
        return Promise.resolve({ stat, tar: writeTar([{ name: stat.name, type: 'file', data }]) });
      },
    },
    volumes: { list: () => Promise.resolve(Object.keys(w.volumes ?? {}).map((Name) => ({ Name }) as VolumeInfo)) },
    networks: {
      inspect: (name: string) =>
        ['bridge', 'host', 'none', ...(w.networks ?? [])].includes(name) ? Promise.resolve({ Name: name }) : notFound('network'),
    },
  } as unknown as Pick<DockerEngine, 'images' | 'containers' | 'volumes' | 'networks'>;
  return {
    engine,
    httpGet: async (port) => {
      const p = w.ports?.[port];
      return p ? { container: p[0], status: p[1], body: p[2] } : { error: `Nothing publishes port ${port} yet.` };
    },
    registryTags: async (repo) => w.registry?.[repo],
    files: w.files ?? {},
    commands: (w.commands ?? []).map((c, i) => (Array.isArray(c) ? { at: i + 1, line: c[0], output: c[1] ?? '', exitCode: c[2] ?? 0 } : c)),
    builds: (w.builds ?? []).map((b, i) => ({
      at: i + 1,
      tags: b.tags,
      steps: b.steps.map(([instruction, cached]) => ({ instruction, cached, ms: 1 })),
    })),
    removals: (w.removals ?? []).map(([kind, name], i) => ({ at: i + 1, kind, name })),
    imageFile: async (ref, path) => {
      const i = image(ref);
      if (!i) throw new Error('No such image');
      return bytes(i.files?.[path]);
    },
    volumeFile: async (name, path) => bytes(w.volumes?.[name]?.[path]),
  };
}

/** Expects the check to pass in each right world and fail in each wrong one. */
async function judge(check: Check, right: Record<string, World>, wrong: Record<string, World>) {
  for (const [what, w] of Object.entries(right)) {
    const r = await evaluateCheck(check, context(w));
    expect(r.failures, `right answer refused: ${what}`).toEqual([]);
  }
  for (const [what, w] of Object.entries(wrong)) {
    const r = await evaluateCheck(check, context(w));
    expect(r.passed, `wrong answer accepted: ${what}`).toBe(false);
    expect(r.failures.length, `no message for: ${what}`).toBeGreaterThan(0);
  }
}

describe('lesson 01', () => {
  const L = '01-what-is-a-container';
  it("night-owl: sleep 1000 in vm ps, typed as vm ps or in the machine's shell; sleep 10000 is not it", async () => {
    const owl = { 'night-owl': { image: 'busybox' } };
    await judge(
      checkOf(L, 'From outside, just a process'),
      {
        'vm ps': { containers: owl, commands: [['vm ps', '  PID USER  COMMAND\n   60 root  sleep 1000\n   61 root  ps\n']] },
        'ps in the vm shell': {
          containers: owl,
          commands: [
            {
              at: 1,
              line: 'vm',
              output: 'vm:/var/lib/layerlab# ps\n  60 root  sleep 1000\nvm:/var/lib/layerlab#',
              exitCode: 0,
              running: true,
            },
          ],
        },
      },
      {
        'sleep 10000': { containers: owl, commands: [['vm ps', '   60 root  sleep 10000\n']] },
        'no night-owl': { commands: [['vm ps', '   60 root  sleep 1000\n']] },
      },
    );
  });

  it('uname -r in a Debian container: as one command, or typed in docker run -it … sh (still open or left)', async () => {
    const typed = '# uname -r\n6.1.158\n# ';
    await judge(
      checkOf(L, 'One kernel for everyone'),
      {
        'one command': { commands: [['docker run --rm debian:bookworm-slim uname -r', '6.1.158\n']] },
        'typed in a shell, session left': { commands: [['docker run -it debian:bookworm-slim sh', `${typed}exit\n`]] },
        'typed in a shell still open': {
          commands: [{ at: 1, line: 'docker run -it --rm debian:bookworm-slim sh', output: typed, exitCode: 0, running: true }],
        },
      },
      {
        busybox: { commands: [['docker run --rm busybox uname -r', '6.1.158\n']] },
        'a shell where uname was not typed': {
          commands: [['docker run -it debian:bookworm-slim sh', '# cat /etc/debian_version\n12.12\n# exit\n']],
        },
      },
    );
  });

  it('sleepy and night-owl removed: not when they never existed', async () => {
    await judge(
      checkOf(L, 'Containers come and go'),
      {
        removed: {
          removals: [
            ['container', 'sleepy'],
            ['container', 'night-owl'],
          ],
        },
      },
      {
        'never created': {},
        'one left': { removals: [['container', 'sleepy']], containers: { 'night-owl': {} } },
        'only one was ever removed': { removals: [['container', 'sleepy']] },
      },
    );
  });
});

describe('lesson 02', () => {
  const L = '02-images-and-containers';
  it("busybox's Cmd printed with {{.Config.Cmd}} or {{json .Config.Cmd}}", async () => {
    await judge(
      checkOf(L, 'Look inside with inspect'),
      {
        plain: { commands: [["docker image inspect -f '{{.Config.Cmd}}' busybox", '[sh]\n']] },
        json: { commands: [["docker inspect -f '{{json .Config.Cmd}}' busybox", '["sh"]\n']] },
      },
      { 'the layers': { commands: [["docker image inspect -f '{{.RootFS.Layers}}' busybox", '[sha256:1234]\n']] } },
    );
  });

  it('/b.txt in twin-b only: twin-a must still be there to compare with', async () => {
    const twinB = { diff: [{ path: '/b.txt', kind: 'A' as const }], files: { '/b.txt': '' } };
    await judge(
      checkOf(L, 'Each container writes to its own layer'),
      { 'both twins': { containers: { 'twin-a': {}, 'twin-b': twinB } } },
      {
        'twin-a gone': { containers: { 'twin-b': twinB } },
        'twin-a has it too': { containers: { 'twin-a': { files: { '/b.txt': '' } }, 'twin-b': twinB } },
      },
    );
  });
});

describe('lesson 03', () => {
  const L = '03-dockerfiles';
  const fail = "ModuleNotFoundError: No module named 'flask'\n";
  it('python app.py, in any of its right spellings, fails for want of flask', async () => {
    await judge(
      checkOf(L, 'Look at what you built'),
      {
        'python app.py': { commands: [['docker run --rm hello-py python app.py', fail, 1]] },
        'python /app/app.py': { commands: [['docker run --rm hello-py python /app/app.py', fail, 1]] },
        'python3 ./app.py': { commands: [['docker run --rm hello-py:latest python3 ./app.py', fail, 1]] },
      },
      { 'another image': { commands: [['docker run --rm python:3.11-slim python app.py', "python: can't open file '/app.py'\n", 2]] } },
    );
  });

  it('the image installs Flask and runs app.py with python or python3, exec or shell form', async () => {
    const history = ['RUN /bin/sh -c pip install -r requirements.txt # buildkit'];
    const image = (cmd: string[]) => ({ images: { 'hello-py:latest': { cmd, history } } });
    await judge(
      checkOf(L, 'Finish the recipe with RUN and CMD'),
      {
        'CMD ["python", "app.py"]': image(['python', 'app.py']),
        'CMD ["python3", "app.py"]': image(['python3', 'app.py']),
        'CMD ["python", "/app/app.py"]': image(['python', '/app/app.py']),
        'CMD python3 ./app.py': image(['/bin/sh', '-c', 'python3 ./app.py']),
      },
      {
        "python:3.11-slim's CMD": image(['python3']),
        'another program': image(['python', 'other.py']),
        'no install': { images: { 'hello-py:latest': { cmd: ['python', 'app.py'], history: [] } } },
      },
    );
  });

  it('pip list, pip3 list or python -m pip list shows Flask', async () => {
    const list = 'Package Version\nFlask   3.0.3\n';
    await judge(
      checkOf(L, 'Run your image'),
      {
        'pip list': { commands: [['docker run --rm hello-py pip list', list]] },
        'pip3 list': { commands: [['docker run --rm hello-py pip3 list', list]] },
        'python -m pip list': { commands: [['docker run --rm hello-py python -m pip list', list]] },
      },
      { 'the base image': { commands: [['docker run --rm python:3.11-slim pip list', 'Package Version\npip 24.0\n']] } },
    );
  });
});

describe('lesson 04', () => {
  const L = '04-layers-and-cache';
  const dockerfile =
    'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n';
  const image = { 'greeter:latest': { history: ['COPY requirements.txt . # buildkit'] } };
  const build = (copyRan: boolean, pipCached: boolean, copy = 'COPY . .', pip = 'RUN pip install -r requirements.txt') => ({
    tags: ['greeter:latest'],
    steps: [
      ['FROM python:3.11-slim', false],
      ['WORKDIR /app', true],
      ['COPY requirements.txt .', pipCached],
      [pip, pipCached],
      [copy, !copyRan],
    ] as [string, boolean][],
  });
  it('after a code change the install stays cached while COPY . runs again', async () => {
    await judge(
      checkOf(L, 'Install first, copy the code last'),
      {
        'as shown': { files: { Dockerfile: dockerfile }, images: image, builds: [build(true, false), build(true, true)] },
        'pip install --no-cache-dir, COPY ./requirements.txt, COPY . /app': {
          files: {
            Dockerfile: dockerfile
              .replace('COPY requirements.txt .', 'COPY ./requirements.txt .')
              .replace('pip install -r', 'pip install --no-cache-dir -r')
              .replace('COPY . .', 'COPY . /app'),
          },
          images: { 'greeter:latest': { history: ['COPY ./requirements.txt . # buildkit'] } },
          builds: [build(true, true, 'COPY . /app', 'RUN pip install --no-cache-dir -r requirements.txt')],
        },
      },
      {
        'a rebuild without a change (everything cached)': {
          files: { Dockerfile: dockerfile },
          images: image,
          builds: [build(true, false), build(false, true)],
        },
        'the first build in the new order (pip ran)': { files: { Dockerfile: dockerfile }, images: image, builds: [build(true, false)] },
        'the old order': {
          files: { Dockerfile: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\n' },
          images: { 'greeter:latest': { history: ['COPY . /app # buildkit'] } },
          builds: [build(true, false, 'COPY . /app')],
        },
      },
    );
  });
});

describe('lesson 05', () => {
  const L = '05-read-write-layer';
  it("my-notes is scratchpad's commit, also once scratchpad is removed", async () => {
    const notes = { 'my-notes:latest': { layers: 2, files: { '/notes.txt': 'my first note\n' } } };
    await judge(
      checkOf(L, 'Keep the changes as an image'),
      {
        'scratchpad still there': { images: notes, containers: { scratchpad: {} } },
        'scratchpad removed since': { images: notes, removals: [['container', 'scratchpad']] },
      },
      {
        'a commit of another container': { images: { 'my-notes:latest': { layers: 2, files: { '/other.txt': 'x' } } } },
        'no commit': { containers: { scratchpad: {} } },
      },
    );
  });
});

describe('lesson 06', () => {
  const L = '06-volumes';
  const both = { notebook: { 'notes.txt': 'buy milk\nwater the plants\n' } };
  const printed = 'buy milk\nwater the plants\n';
  it('the note is written into the volume, then printed from a container that mounts it anywhere', async () => {
    await judge(
      checkOf(L, 'Mount the volume in a container'),
      {
        'at /data': { volumes: both, commands: [['docker run --rm -v notebook:/data busybox cat /data/notes.txt', printed]] },
        'at /notes': { volumes: both, commands: [['docker run --rm -v notebook:/notes busybox cat /notes/notes.txt', printed]] },
        '--mount': {
          volumes: both,
          commands: [['docker run --rm --mount source=notebook,target=/data busybox cat /data/notes.txt', printed]],
        },
      },
      {
        'echoed, never written': {
          volumes: { notebook: { 'notes.txt': 'buy milk\n' } },
          commands: [['docker run --rm -v notebook:/data busybox echo "buy milk water the plants"', 'buy milk water the plants\n']],
        },
        'written, never printed': {
          volumes: both,
          commands: [['docker run --rm -v notebook:/data busybox sh -c \'echo "water the plants" >> /data/notes.txt\'', '']],
        },
      },
    );
  });

  it('site binds the workspace at /site and wrote hello.txt into it: a volume there, or no file, is not it', async () => {
    const bound: MountPoint = { Type: 'bind', Name: '', Source: '/workspace', Destination: '/site', RW: true };
    const hello = { 'hello.txt': 'made in a container\n' };
    await judge(
      checkOf(L, 'Bind mount a folder of your own'),
      { 'bound and written': { containers: { site: { state: 'exited', mounts: [bound] } }, files: hello } },
      {
        'a volume at /site': {
          containers: {
            site: { state: 'exited', mounts: [{ Type: 'volume', Name: 'site', Source: '/v', Destination: '/site', RW: true }] },
          },
          files: hello,
        },
        'bound, nothing written': { containers: { site: { state: 'exited', mounts: [bound] } } },
        'a file typed in the editor, no container': { files: hello },
      },
    );
  });

  it('the volume notebook is removed: not when it never existed', async () => {
    await judge(
      checkOf(L, 'Remove a volume'),
      { removed: { removals: [['volume', 'notebook']] } },
      { 'never created': {}, 'still there': { volumes: { notebook: {} } } },
    );
  });

  it('notebook-writer removed, then the notebook printed from a new container', async () => {
    await judge(
      checkOf(L, 'Remove the container, keep the data'),
      {
        'rm, then cat': {
          removals: [['container', 'notebook-writer']],
          commands: [
            ['docker rm notebook-writer', 'notebook-writer\n'],
            ['docker run --rm -v notebook:/data busybox cat /data/notes.txt', 'buy milk\n'],
          ],
        },
      },
      {
        'cat before rm': {
          removals: [['container', 'notebook-writer']],
          commands: [
            ['docker run --rm -v notebook:/data busybox cat /data/notes.txt', 'buy milk\n'],
            ['docker rm notebook-writer', 'notebook-writer\n'],
          ],
        },
        'never existed': {
          commands: [
            ['docker rm notebook-writer', 'Error response from daemon: No such container: notebook-writer\n', 1],
            ['docker run --rm -v notebook:/data busybox cat /data/notes.txt', 'buy milk\n'],
          ],
        },
      },
    );
  });
});

describe('lesson 07', () => {
  const L = '07-containers-vs-vms';
  it('limited: its LIMIT read with docker stats --no-stream after it started; another limit or no reading is not it', async () => {
    const run: [string, string, number] = ['docker run -d --name limited -m 16m busybox sleep 3600', 'abc', 0];
    const stats = (limit: string): [string, string, number] => [
      'docker stats --no-stream',
      `CONTAINER ID   NAME          CPU %     MEM USAGE / LIMIT     MEM %     NET I/O   BLOCK I/O   PIDS\n3f2a   limited       0.00%     136KiB / ${limit}     0.83%     0B / 0B   0B / 0B     1\n9c1d   compare-box   0.00%     140KiB / 111.6MiB   0.12%     0B / 0B   0B / 0B     1\n`,
      0,
    ];
    await judge(
      checkOf(L, 'A limit on memory'),
      {
        'run, then stats': { containers: { limited: {} }, commands: [run, stats('16MiB')] },
        'stats of limited alone': {
          containers: { limited: {} },
          commands: [run, ['docker container stats --no-stream limited', stats('16MiB')[1], 0]],
        },
      },
      {
        'no limit': { containers: { limited: {} }, commands: [run, stats('111.6MiB')] },
        'stats before the run': { containers: { limited: {} }, commands: [stats('16MiB'), run] },
        'live stats never ended': { containers: { limited: {} }, commands: [run] },
        'limited stopped': { containers: { limited: { state: 'exited' } }, commands: [run, stats('16MiB')] },
      },
    );
  });
});

describe('lesson 08', () => {
  const L = '08-docker-platform';
  const image = { 'localhost:5000/postcard:latest': {} };
  const rmi: [string, string, number] = ['docker rmi localhost:5000/postcard', 'Untagged: localhost:5000/postcard:latest\n', 0];
  const load: [string, string] = ['docker load -i postcard.tar', 'Loaded image: localhost:5000/postcard:latest\n'];
  const run: [string, string] = ['docker run --rm localhost:5000/postcard', 'Greetings from a container!\n'];
  it('the image was really removed, loaded back, and run', async () => {
    await judge(
      checkOf(L, 'Save an image to a file'),
      {
        'rmi, load, run': { images: image, commands: [rmi, load, run] },
        'rmi of two names, one of them already gone': {
          images: image,
          commands: [
            [
              'docker rmi postcard localhost:5000/postcard',
              'Untagged: localhost:5000/postcard:latest\nError response from daemon: No such image: postcard:latest\n',
              1,
            ],
            load,
            run,
          ],
        },
      },
      {
        'the rmi failed (the image was never gone)': {
          images: image,
          commands: [
            ['docker rmi localhost:5000/postcard', 'Error response from daemon: conflict: unable to remove repository reference\n', 1],
            load,
            run,
          ],
        },
        'not run after the load': { images: image, commands: [rmi, load] },
      },
    );
  });

  it('postcard-sleeper stopped and removed: not when it never existed', async () => {
    await judge(
      checkOf(L, 'List, stop and remove'),
      {
        'stop -t 1, rm': {
          commands: [
            ['docker stop -t 1 postcard-sleeper', 'postcard-sleeper\n'],
            ['docker rm postcard-sleeper', 'postcard-sleeper\n'],
          ],
          removals: [['container', 'postcard-sleeper']],
        },
      },
      {
        'never started': {
          commands: [['docker stop postcard-sleeper', 'Error response from daemon: No such container: postcard-sleeper\n', 0]],
        },
      },
    );
  });
});

describe('lesson 09', () => {
  const L = '09-capstone';
  it('the Dockerfile: COPY . as lessons 3 and 4 taught, lowercase instructions, and items.csv copied too', async () => {
    const df = (text: string) => ({ files: { Dockerfile: text } });
    await judge(
      checkOf(L, 'Write the Dockerfile'),
      {
        'as in the solution': df('FROM busybox\nWORKDIR /app\nCOPY receipt.sh items.csv ./\nCMD ["sh", "receipt.sh"]\n'),
        'COPY . .': df('FROM busybox\nWORKDIR /app\nCOPY . .\nCMD ["sh", "receipt.sh"]\n'),
        'COPY . /app': df('FROM busybox\nWORKDIR /app\nCOPY . /app\nCMD ["sh", "receipt.sh"]\n'),
        lowercase: df('from busybox\nworkdir /app\ncopy . .\ncmd ["sh", "receipt.sh"]\n'),
        'two COPY lines': df('FROM busybox\nWORKDIR /app\nCOPY receipt.sh .\nCOPY items.csv .\nCMD sh receipt.sh\n'),
      },
      {
        'items.csv not copied': df('FROM busybox\nWORKDIR /app\nCOPY receipt.sh ./\nCMD ["sh", "receipt.sh"]\n'),
        'another base': df('FROM busybox2\nWORKDIR /app\nCOPY . .\nCMD ["sh", "receipt.sh"]\n'),
        'no Dockerfile': {},
      },
    );
  });

  it('the pushed image is the capstone, not another /app image tagged with its name', async () => {
    const capstone = {
      workdir: '/app',
      cmd: ['sh', 'receipt.sh'],
      files: { '/app/receipt.sh': '#!/bin/sh\n', '/app/items.csv': 'item,quantity,price\n' },
    };
    await judge(
      checkOf(L, 'Ship it'),
      { capstone: { images: { 'localhost:5000/capstone:latest': capstone }, registry: { capstone: ['latest'] } } },
      {
        "hello-py under the capstone's name": {
          images: { 'localhost:5000/capstone:latest': { workdir: '/app', cmd: ['python', 'app.py'], files: { '/app/app.py': '' } } },
          registry: { capstone: ['latest'] },
        },
        'not pushed': { images: { 'localhost:5000/capstone:latest': capstone } },
      },
    );
  });
});

describe('lesson 10', () => {
  const L = '10-networks-and-ports';
  const page = '<h1>Hello from a container</h1>';
  it('publish: localhost:8080 answers with the page; nothing published or another page is not it', async () => {
    await judge(
      checkOf(L, 'Publish a port'),
      { 'web on 8080': { ports: { 8080: ['web', 200, page] } } },
      {
        'nothing published': {},
        'another page': { ports: { 8080: ['web', 200, '<h1>It works</h1>'] } },
        'a server error': { ports: { 8080: ['web', 500, page] } },
      },
    );
  });

  it('the trap: seen first (127.0.0.1), then fixed; the fix alone or the trap alone is not it', async () => {
    const trap: [string, string, number] = ['docker run -d --name trap -p 8081:80 site httpd -f -p 127.0.0.1:80 -h /www', 'abc', 0];
    await judge(
      checkOf(L, 'The 127.0.0.1 trap'),
      { 'trap, then fixed': { commands: [trap], ports: { 8081: ['trap', 200, page] } } },
      { 'never saw the trap': { ports: { 8081: ['trap', 200, page] } }, 'still trapped': { commands: [trap] } },
    );
  });

  it('by name: api on shop, fetched by name from shop; the default bridge or no network is not it', async () => {
    const fetched: [string, string, number] = ['docker run --rm --network shop busybox wget -q -O- http://api/', page, 0];
    await judge(
      checkOf(L, 'Containers find each other by name'),
      {
        'run on shop': { networks: ['shop'], containers: { api: { networks: ['shop'] } }, commands: [fetched] },
        'exec from a container on shop': {
          networks: ['shop'],
          containers: { api: { networks: ['shop'] } },
          commands: [['docker exec web wget -q -O- http://api/', page, 0]],
        },
      },
      {
        'no network': { containers: { api: {} }, commands: [fetched] },
        'api on the default bridge': { networks: ['shop'], containers: { api: {} }, commands: [fetched] },
        'never fetched': { networks: ['shop'], containers: { api: { networks: ['shop'] } } },
        'name did not resolve': {
          networks: ['shop'],
          containers: { api: { networks: ['shop'] } },
          commands: [['docker run --rm busybox wget -q -O- http://api/', "wget: bad address 'api'", 1]],
        },
      },
    );
  });
});

describe('lesson 11', () => {
  const L = '11-compose';
  const onCounter = { networks: ['counter'] };
  const web: [string, string, number] = ['docker run -d --name web --network counter -p 8000:5000 counter-web', 'abc', 0];
  it('by hand: redis and web running on counter, web published on 8000; the default bridge or another port is not it', async () => {
    const both = { redis: { ...onCounter, image: 'redis:7' }, web: { ...onCounter, image: 'counter-web' } };
    await judge(
      checkOf(L, 'Connect them by hand'),
      {
        'as shown': { networks: ['counter'], containers: both, commands: [web] },
        '--publish, docker container run': {
          networks: ['counter'],
          containers: both,
          commands: [['docker container run -d --publish 8000:5000 --network counter --name web counter-web:latest', 'abc', 0]],
        },
        'on 0.0.0.0, --publish=': {
          networks: ['counter'],
          containers: both,
          commands: [['docker run -d --name web --network=counter --publish=0.0.0.0:8000:5000 counter-web', 'abc', 0]],
        },
      },
      {
        'web on the default bridge': {
          networks: ['counter'],
          containers: { ...both, web: { image: 'counter-web' } },
          commands: [['docker run -d --name web -p 8000:5000 counter-web', 'abc', 0]],
        },
        'redis stopped': { networks: ['counter'], containers: { ...both, redis: { ...both.redis, state: 'exited' } }, commands: [web] },
        'published on another port': {
          networks: ['counter'],
          containers: both,
          commands: [['docker run -d --name web --network counter -p 5000:5000 counter-web', 'abc', 0]],
        },
        'redis from another image': { networks: ['counter'], containers: { ...both, redis: { ...onCounter } }, commands: [web] },
      },
    );
  });

  const redisData: MountPoint = { Type: 'volume', Name: 'workspace_redis-data', Source: '/v', Destination: '/data', RW: true };
  const project = (web: ContainerState = {}, redis: ContainerState = {}) => ({
    networks: ['workspace_default'],
    containers: {
      'workspace-web-1': { networks: ['workspace_default'], image: 'workspace-web', ...web },
      'workspace-redis-1': { networks: ['workspace_default'], image: 'redis:7', mounts: [redisData], ...redis },
    },
  });
  it("compose: the project's web and redis running on its network, redis-data at /data", async () => {
    const anonymous: MountPoint = { ...redisData, Name: 'f'.repeat(64) };
    await judge(
      checkOf(L, 'The same in one compose.yaml'),
      { 'up -d': project() },
      {
        nothing: {},
        'web could not start (port 8000 still held by the hand-made web)': project({ state: 'created' }),
        'redis without the named volume': project({}, { mounts: [anonymous] }),
        'another project name': {
          networks: ['counter_default'],
          containers: {
            'counter-web-1': { networks: ['counter_default'] },
            'counter-redis-1': { networks: ['counter_default'], image: 'redis:7', mounts: [redisData] },
          },
        },
      },
    );
  });

  it('exec: hits set to 1000 with redis-cli, then read back; a failed set or a read before it is not it', async () => {
    const set: [string, string, number] = ['docker compose exec redis redis-cli set hits 1000', 'OK\n', 0];
    const get: [string, string, number] = ['docker compose exec redis redis-cli get hits', '"1000"\n', 0];
    await judge(
      checkOf(L, 'Look inside: logs and exec'),
      {
        'compose exec': { commands: [set, get] },
        'docker exec, SET and GET, no terminal': {
          commands: [
            ['docker exec workspace-redis-1 redis-cli SET hits 1000', 'OK\n', 0],
            ['docker exec workspace-redis-1 redis-cli GET hits', '1001\n', 0],
          ],
        },
      },
      {
        'read before the set': { commands: [get, set] },
        'the set failed': {
          commands: [
            ['docker compose exec redis redis-cli set hits 1000', 'Could not connect to Redis at 127.0.0.1:6379: Connection refused\n', 1],
            get,
          ],
        },
        'another value': {
          commands: [
            ['docker compose exec redis redis-cli set hits 7', 'OK\n', 0],
            ['docker compose exec redis redis-cli get hits', '"7"\n', 0],
          ],
        },
      },
    );
  });

  it('down and up: the count saved in the volume, the new redis using it; down -v, no up or nothing saved is not it', async () => {
    const saved = {
      'workspace_redis-data': { 'dump.rdb': 'REDIS0010\u00fa\tredis-ver\u00057.0.15\u0000\u0004hits\u00c1\u00e9\u0003\u00ff' },
    };
    const down: [string, string, number] = ['docker compose down', '', 0];
    const up: [string, string, number] = ['docker compose up -d', '', 0];
    await judge(
      checkOf(L, 'Down and up again: the count stays'),
      {
        'down, up': { ...project(), volumes: saved, commands: [down, up] },
        'down -t 1, up': { ...project(), volumes: saved, commands: [['docker compose down -t 1', '', 0], up] },
      },
      {
        'down -v, up': {
          ...project(),
          volumes: { 'workspace_redis-data': {} },
          commands: [['docker compose down -v', '', 0], up],
        },
        'up, never down': { ...project(), volumes: saved, commands: [up] },
        'down, not up again': { volumes: saved, commands: [up, down] },
        'nothing saved in the volume': { ...project(), volumes: { 'workspace_redis-data': {} }, commands: [down, up] },
      },
    );
  });

  it('down -v: the volume deleted and no container of the project left; plain down, or up again after it, is not it', async () => {
    const gone: [RemovalRecord['kind'], string][] = [
      ['container', 'workspace-web-1'],
      ['container', 'workspace-redis-1'],
      ['volume', 'workspace_redis-data'],
    ];
    await judge(
      checkOf(L, 'Start from zero with down -v'),
      { 'down -v': { removals: gone } },
      {
        'plain down': { removals: gone.slice(0, 2), volumes: { 'workspace_redis-data': {} } },
        'up again after down -v': { ...project(), removals: gone, volumes: { 'workspace_redis-data': {} } },
        'never started': {},
      },
    );
  });
});
