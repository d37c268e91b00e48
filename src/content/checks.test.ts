import { describe, expect, it } from 'vitest';
import type { ContainerInspect, ContainerSummary, DockerEngine, HistoryEntry, ImageInspect, VolumeInfo } from '../engine/api.ts';
import { writeTar } from '../engine/layer/tar.ts';
import { evaluateCheck, normalizeRef, type CheckContext, type CommandRecord } from './checks.ts';

/** A test double of the engine's read side: just enough state for the predicates. */
function fakeEngine(): CheckContext['engine'] {
  const images: Record<string, { inspect: Partial<ImageInspect>; history: Partial<HistoryEntry>[] }> = {
    'web:latest': {
      inspect: { RootFS: { Type: 'layers', Layers: ['sha256:a', 'sha256:b'] }, Config: { Cmd: ['python', 'app.py'], WorkingDir: '/app' } },
      history: [{ createdBy: 'COPY . /app # buildkit' }, { createdBy: 'WORKDIR /app' }],
    },
  };
  const containers: Record<string, Partial<ContainerInspect> & { files?: Record<string, string> }> = {
    db: {
      State: { Status: 'exited', ExitCode: 0 } as ContainerInspect['State'],
      Config: { Image: 'busybox' } as ContainerInspect['Config'],
      Mounts: [{ Type: 'volume', Name: 'data', Source: '', Destination: '/data', RW: true }],
      files: { '/data/notes.txt': 'hello world\n' },
    },
  };
  const notFound = (what: string) => Promise.reject(Object.assign(new Error(`No such ${what}`), { name: 'NotFoundError' }));
  return {
    images: {
      inspect: (ref: string) =>
        images[normalizeRef(ref)] ? Promise.resolve(images[normalizeRef(ref)]!.inspect as ImageInspect) : notFound('image'),
      history: (ref: string) => Promise.resolve((images[normalizeRef(ref)]?.history ?? []) as HistoryEntry[]),
    } as unknown as DockerEngine['images'],
    containers: {
      inspect: (name: string) => (containers[name] ? Promise.resolve(containers[name] as ContainerInspect) : notFound('container')),
      list: () =>
        Promise.resolve(
          Object.entries(containers).map(([name, c]) => ({ name, image: c.Config!.Image, state: c.State!.Status }) as ContainerSummary),
        ),
      diff: () => Promise.resolve([{ kind: 'A', path: '/tmp/x' }]),
      copyFrom: (name: string, path: string) => {
        const text = containers[name]?.files?.[path];
        if (text === undefined) return notFound('file');
        const data = new TextEncoder().encode(text);
        const stat = { name: path.split('/').pop()!, type: 'file', size: data.length, mode: 0o644, mtime: 0, linkTarget: '' };
        return Promise.resolve({ stat, tar: writeTar([{ name: stat.name, type: 'file', data }]) });
      },
    } as unknown as DockerEngine['containers'],
    volumes: { list: () => Promise.resolve([{ Name: 'data' } as VolumeInfo]) } as unknown as DockerEngine['volumes'],
    networks: {
      inspect: (name: string) => (name === 'shop' ? Promise.resolve({ Name: 'shop' }) : notFound('network')),
    } as unknown as DockerEngine['networks'],
  };
}

const ctx = (over: Partial<CheckContext> = {}): CheckContext => ({
  engine: fakeEngine(),
  httpGet: async (port) =>
    port === 8080 ? { container: 'web', status: 200, body: '<h1>Hello from Flask</h1>' } : { error: `Nothing publishes port ${port} yet.` },
  registryTags: async (repo) => (repo === 'web' ? ['latest'] : undefined),
  files: { Dockerfile: 'FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n' },
  commands: [
    { at: 1, line: 'docker run --rm -v data:/data busybox cat /data/notes.txt', exitCode: 0, output: 'hello world\n' },
    { at: 2, line: 'docker run --name x nope', exitCode: 125, output: 'Unable to find image' },
  ],
  builds: [
    {
      at: 3,
      tags: ['web:latest'],
      steps: [
        { instruction: 'FROM python:3.11-slim', cached: true, ms: 1 },
        { instruction: 'RUN pip install -r requirements.txt', cached: true, ms: 1 },
        { instruction: 'COPY . .', cached: false, ms: 9 },
      ],
    },
  ],
  removals: [
    { at: 4, kind: 'container', name: 'gone' },
    { at: 5, kind: 'volume', name: 'old' },
  ],
  imageFile: async (ref, path) =>
    normalizeRef(ref) === 'web:latest' && path === '/app/app.py' ? new TextEncoder().encode('print("hi")\n') : undefined,
  volumeFile: async (name, path) => (name === 'data' && path === 'notes.txt' ? new TextEncoder().encode('hello world\n') : undefined),
  ...over,
});

describe('evaluateCheck', () => {
  it('passes predicates that hold in the engine state', async () => {
    const checks = [
      { image: { ref: 'web', layerCreatedBy: '^COPY', minLayers: 2, cmd: ['python', 'app.py'], workdir: '/app' } },
      { image: { ref: 'web', runs: '^python3? app\\.py$', file: { path: '/app/app.py', contains: 'print' } } },
      { container: { name: 'gone', removed: true } },
      { volume: { name: 'old', removed: true } },
      { volume: { name: 'data', file: { path: 'notes.txt', contains: '^hello' } } },
      { ran: { command: '^docker run --name x', exitCode: 125, after: { command: '^docker run', output: 'hello world' } } },
      {
        container: {
          name: 'db',
          state: 'exited' as const,
          image: 'busybox:latest',
          exitCode: 0,
          mount: { volume: 'data', destination: '/data' },
          diff: [{ path: '/tmp/x', kind: 'A' as const }],
          file: { path: '/data/notes.txt', contains: 'hello' },
        },
      },
      { container: { name: 'gone', exists: false } },
      { containers: { image: 'busybox', min: 1, max: 1 } },
      { volume: { name: 'data' } },
      { ran: { command: '^docker run .*-v data:/data', output: 'hello world' } },
      { build: { tag: 'web', cached: ['pip install'], ran: ['^COPY \\. \\.'] } },
      { registry: { repository: 'localhost:5000/web' } },
      { file: { path: 'Dockerfile', contains: 'COPY requirements\\.txt[\\s\\S]*RUN pip[\\s\\S]*COPY \\. \\.' } },
      { all: [{ volume: { name: 'data' } }, { not: { volume: { name: 'other' } } }] },
      { any: [{ volume: { name: 'other' } }, { volume: { name: 'data' } }] },
    ];
    for (const check of checks) expect(await evaluateCheck(check, ctx()), JSON.stringify(check)).toEqual({ passed: true, failures: [] });
  });

  it('fails with a message a student can act on', async () => {
    const failing: [Parameters<typeof evaluateCheck>[0], RegExp][] = [
      [{ image: { ref: 'api' } }, /no image called api/],
      [{ image: { ref: 'web', layerCreatedBy: '^RUN' } }, /no layer whose instruction contains "RUN"/],
      [{ image: { ref: 'web', exists: false } }, /still exists/],
      [{ container: { name: 'db', state: 'running' } }, /db is exited, not running/],
      [{ container: { name: 'db', file: { path: '/data/other' } } }, /has no file \/data\/other/],
      [{ container: { name: 'db', exists: false } }, /still exists/],
      [{ containers: { min: 2 } }, /1 containers; at least 2|is 1 containers/],
      [{ ran: { command: '^docker history' } }, /^No command starting with "docker history" has run yet\.$/],
      [{ ran: { command: '^docker run --name x' } }, /exit code 125/],
      [{ ran: { command: '^docker run .*-v', output: 'bye' } }, /does not show "bye" yet/],
      [{ ran: { command: '^docker run .*-v', after: 'nope' } }, /^The command this exercise asks for has not run yet\.$/],
      [{ build: { cached: ['COPY'] } }, /no CACHED step contains "COPY"/],
      [{ registry: { repository: 'localhost:5000/api' } }, /no localhost:5000\/api:latest/],
      [{ file: { path: 'app.py' } }, /no file app\.py/],
      [
        { image: { ref: 'web', runs: 'receipt\\.sh' } },
        /^The image web runs "python app\.py" by default, not a command containing "receipt\.sh"\.$/,
      ],
      [{ image: { ref: 'web', file: { path: '/app/items.csv' } } }, /^The image web has no file \/app\/items\.csv\.$/],
      [
        { image: { ref: 'web', file: { path: '/app/app.py', contains: 'flask' } } },
        /^The file \/app\/app\.py in the image web does not contain "flask" yet\.$/,
      ],
      [{ container: { name: 'db', removed: true } }, /^The container db still exists/],
      // never created, so never removed: exists: false would pass, removed: true does not
      [{ container: { name: 'never', removed: true } }, /^No container named never has been removed during this lesson yet\.$/],
      [{ volume: { name: 'never', removed: true } }, /^No volume named never has been removed during this lesson yet\.$/],
      [{ volume: { name: 'data', removed: true } }, /^The volume data still exists\.$/],
      [
        { volume: { name: 'data', file: { path: 'notes.txt', contains: 'bye' } } },
        /^The file notes\.txt in the volume data does not contain "bye" yet\.$/,
      ],
      [{ volume: { name: 'data', file: { path: 'todo.txt' } } }, /^The volume data has no file todo\.txt\.$/],
      // after a command whose output matches: there is none that printed "Loaded"
      [{ ran: { command: '^docker run', after: { command: '^docker run', output: 'Loaded' } } }, /has run yet/],
      [{ not: { volume: { name: 'data' } }, message: 'Remove the volume data.' }, /Remove the volume data/],
      [{ volume: { name: 'x' }, message: 'Create the volume x first.' }, /^Create the volume x first\.$/],
    ];
    for (const [check, message] of failing) {
      const r = await evaluateCheck(check, ctx());
      expect(r.passed, JSON.stringify(check)).toBe(false);
      expect(r.failures.join(' '), JSON.stringify(check)).toMatch(message);
    }
  });

  it('never shows a regular expression in a message it makes up: a literal is quoted, anything else is described', async () => {
    const regexes: Parameters<typeof evaluateCheck>[0][] = [
      { ran: { command: 'docker (container )?run .*web' } },
      { ran: { command: '^docker run', output: 'bye\\s+world' } },
      { image: { ref: 'web', layerCreatedBy: 'pip install .*-r' } },
      { build: { cached: ['COPY [a-z]+'], ran: ['^RUN (pip|apt)'] } },
      { container: { name: 'db', file: { path: '/data/hello.txt', contains: '^hello$|^hi$' } } },
      { file: { path: 'Dockerfile', contains: 'FROM alpine:3\\.1[0-9]' } },
    ];
    for (const check of regexes) {
      const r = await evaluateCheck(check, ctx({ builds: [{ at: 1, tags: ['web:latest'], steps: [] }] }));
      expect(r.passed, JSON.stringify(check)).toBe(false);
      for (const f of r.failures) expect(f, JSON.stringify(check)).not.toMatch(/[\\[\]()|*+?{}^$]|\.\*/);
    }
    expect((await evaluateCheck(regexes[0]!, ctx())).failures).toEqual(['The command this exercise asks for has not run yet.']);
    // an escaped literal reads back as the text the teacher typed
    expect((await evaluateCheck({ ran: { command: 'echo \\$HOME \\(x\\)' } }, ctx())).failures).toEqual([
      'No command containing "echo $HOME (x)" has run yet.',
    ]);
    expect((await evaluateCheck({ ran: { command: '^docker ps$' } }, ctx())).failures).toEqual(['No command "docker ps" has run yet.']);
  });

  it('only counts builds and commands it is given (the lesson passes what ran since it opened)', async () => {
    expect((await evaluateCheck({ build: {} }, ctx({ builds: [] }))).failures).toEqual(['No build has finished yet.']);
    expect((await evaluateCheck({ ran: { command: 'docker' } }, ctx({ commands: [] }))).passed).toBe(false);
  });
});

describe('normalizeRef', () => {
  it('adds :latest only where a tag is missing', () => {
    expect(normalizeRef('web')).toBe('web:latest');
    expect(normalizeRef('localhost:5000/web')).toBe('localhost:5000/web:latest');
    expect(normalizeRef('localhost:5000/web:v1')).toBe('localhost:5000/web:v1');
    expect(normalizeRef('sha256:abc')).toBe('sha256:abc');
  });
});

describe('ran and interactive sessions', () => {
  const session = (over: Partial<CommandRecord>): CommandRecord => ({
    at: 1,
    line: 'docker run -it debian:bookworm-slim sh',
    exitCode: 0,
    output: '# uname -r\n6.1.158\n# exit\n',
    ...over,
  });

  it('sees what was typed in a session in its output, also while the session is still open', async () => {
    const check = { ran: { command: 'docker run .*debian:bookworm-slim', output: 'uname[^\\n]*\\n[^\\n]*\\d+\\.\\d+\\.\\d+' } };
    expect((await evaluateCheck(check, ctx({ commands: [session({})] }))).passed).toBe(true);
    expect((await evaluateCheck(check, ctx({ commands: [session({ running: true, output: '# uname -r\n6.1.158\n# ' })] }))).passed).toBe(
      true,
    );
    expect((await evaluateCheck(check, ctx({ commands: [session({ output: '# ls\nbin\n' })] }))).passed).toBe(false);
  });

  it('an open session has no exit code yet: it does not count when an exit code is asked for', async () => {
    const open = ctx({ commands: [session({ running: true })] });
    expect((await evaluateCheck({ ran: { command: 'debian' } }, open)).passed).toBe(true);
    expect((await evaluateCheck({ ran: { command: 'debian', exitCode: 0 } }, open)).passed).toBe(false);
    expect((await evaluateCheck({ ran: { command: 'debian', exitCode: 1 } }, open)).passed).toBe(false);
  });
});

describe('ports and networks', () => {
  it('port: passes when localhost:PORT answers with a page that matches, and says what is wrong otherwise', async () => {
    expect(await evaluateCheck({ port: { hostPort: 8080, contains: 'Hello from Flask' } }, ctx())).toEqual({ passed: true, failures: [] });
    expect((await evaluateCheck({ port: { hostPort: 8080, contains: 'Goodbye' } }, ctx())).failures).toEqual([
      'localhost:8080 (web) answers, but its page does not contain "Goodbye" yet.',
    ]);
    expect((await evaluateCheck({ port: { hostPort: 5000 } }, ctx())).failures).toEqual(['Nothing publishes port 5000 yet.']);
  });

  it('network: exists (or not), with these containers on it', async () => {
    expect((await evaluateCheck({ network: { name: 'shop' } }, ctx())).passed).toBe(true);
    expect((await evaluateCheck({ network: { name: 'nope' } }, ctx())).failures).toEqual(['There is no network named nope.']);
    expect((await evaluateCheck({ network: { name: 'shop', exists: false } }, ctx())).failures).toEqual([
      'There is still a network named shop.',
    ]);
    expect((await evaluateCheck({ network: { name: 'shop', containers: ['ghost'] } }, ctx())).failures).toEqual([
      'There is no container named ghost.',
    ]);
  });
});
