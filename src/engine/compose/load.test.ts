import { describe, expect, it } from 'vitest';
import { findComposeFile, findComposeOverrideFile, loadProject, normalizeProjectName, type LoadOptions } from './load.ts';
import { ComposeFileError, type ComposeProject } from './model.ts';

const DIR = '/home/student/My App';

/** Loads `yaml` as `DIR/compose.yaml`; `files` are what `readFile` finds. */
function load(yaml: string, options: Partial<LoadOptions> = {}, files: Record<string, string> = {}): Promise<ComposeProject> {
  return loadProject({
    files: [{ path: `${DIR}/compose.yaml`, text: yaml }],
    environment: {},
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<ComposeFileError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ComposeFileError) return e;
    throw e;
  }
  throw new Error('loaded without an error');
}

describe('findComposeFile', () => {
  it('takes the first of Compose’s names, and warns when there are several', () => {
    expect(findComposeFile(['README.md', 'docker-compose.yml'])).toEqual({ name: 'docker-compose.yml' });
    expect(findComposeFile(['docker-compose.yaml', 'compose.yml', 'compose.yaml'])).toEqual({
      name: 'compose.yaml',
      warning: 'Found multiple config files with supported names: compose.yaml, compose.yml, docker-compose.yaml\nUsing compose.yaml',
    });
    expect(findComposeFile(['Dockerfile'])).toBeUndefined();
    expect(findComposeOverrideFile(['compose.yaml', 'compose.override.yml'])).toEqual({ name: 'compose.override.yml' });
  });
});

describe('the project name', () => {
  it('comes from the folder, normalised as Compose does', async () => {
    expect((await load('services: {web: {image: a}}')).name).toBe('myapp');
    expect(normalizeProjectName('__My.Project-1')).toBe('myproject-1');
  });

  it('comes from name: (interpolated) over the folder, and from -p or COMPOSE_PROJECT_NAME over both', async () => {
    const yaml = 'name: "${TEAM:-lab}-Demo"\nservices: {web: {image: a}}';
    expect((await load(yaml)).name).toBe('lab-demo');
    expect((await load(yaml, { environment: { TEAM: 'Blue' } })).name).toBe('blue-demo');
    expect((await load(yaml, { projectName: 'chosen' })).name).toBe('chosen');
    expect((await load(yaml, { dotenv: 'COMPOSE_PROJECT_NAME=from-env' })).name).toBe('from-env');
  });

  it('is given to interpolation as COMPOSE_PROJECT_NAME', async () => {
    const p = await load('services: {web: {image: a, container_name: "${COMPOSE_PROJECT_NAME}-web"}}', { projectName: 'demo' });
    expect(p.services['web']?.containerName).toBe('demo-web');
  });

  it('refuses a -p that is not already normalised, and an empty name', async () => {
    expect((await failure(load('services: {}', { projectName: 'My App' }))).message).toBe(
      'invalid project name "My App": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number',
    );
    expect((await failure(load('name: "!!!"\nservices: {}'))).message).toBe('project name must not be empty');
  });
});

describe('the environment', () => {
  it('is the caller’s over .env, and .env may use the caller’s', async () => {
    const p = await load('services: {web: {image: "${IMAGE}:${TAG}", environment: ["A=${A}"]}}', {
      environment: { TAG: 'from-shell', BASE: 'alpine' },
      dotenv: 'IMAGE=${BASE}\nTAG=from-dotenv\nA="quoted value"\n',
    });
    expect(p.services['web']?.image).toBe('alpine:from-shell');
    expect(p.services['web']?.environment).toEqual({ A: 'quoted value' });
  });

  it('warns once of each unset variable and of an obsolete version', async () => {
    const p = await load('version: "3.9"\nservices: {web: {image: "a$NOPE", command: "echo $$NOPE ${NOPE}"}}');
    expect(p.warnings).toEqual([
      'The "NOPE" variable is not set. Defaulting to a blank string.',
      `${DIR}/compose.yaml: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`,
    ]);
    expect(p.services['web']?.command).toEqual(['echo', '$NOPE']);
    expect(p.services['web']?.image).toBe('a');
  });

  it('reports a broken .env with its line', async () => {
    expect((await failure(load('services: {}', { dotenv: 'A=1\nB C=2\n' }))).message).toBe(
      `failed to read ${DIR}/.env: line 2: key cannot contain a space`,
    );
  });
});

describe('errors', () => {
  it('says which file and line fail the schema', async () => {
    const e = await failure(load('services:\n  web:\n    image: nginx\n    imag: typo\n'));
    expect(e.message).toBe(`validating ${DIR}/compose.yaml: services.web Additional property imag is not allowed`);
    expect(e.where).toEqual({ file: `${DIR}/compose.yaml`, line: 4, column: 5 });
  });

  it.each([
    ['', 'empty compose file'],
    ['version: "3"', 'empty compose file'],
    ['services: {web: {image: a, depends_on: [db]}}', 'service "web" depends on undefined service "db": invalid compose project'],
    ['services: {web: {image: a, volumes: ["data:/data"]}}', 'service "web" refers to undefined volume data: invalid compose project'],
    ['services: {web: {image: a, networks: [back]}}', 'service "web" refers to undefined network back: invalid compose project'],
    ['services: {web: {restart: always}}', 'service "web" has neither an image nor a build context specified: invalid compose project'],
    [
      'services: {web: {image: a, network_mode: host, networks: [default]}}',
      'service web declares mutually exclusive `network_mode` and `networks`: invalid compose project',
    ],
    [
      'services: {a: {image: a, depends_on: [b]}, b: {image: b, depends_on: [c]}, c: {image: c, depends_on: [a]}}',
      'dependency cycle detected: a -> b -> c -> a',
    ],
    ['services: {web: {image: a, healthcheck: {test: [curl, x]}}}', 'healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"'],
    [
      'services: {web: {image: "${"}}',
      'invalid interpolation format for services.web.image: "${". You may need to escape any $ characters with a second $',
    ],
    [
      'services: {web: {image: "${IMG:?set IMG}"}}',
      'error while interpolating services.web.image: required variable IMG is missing a value: set IMG',
    ],
    [
      'services:\n  web:\n    image: a: b',
      `failed to parse ${DIR}/compose.yaml: yaml: line 3: mapping values are not allowed in this context`,
    ],
  ])('%j: %s', async (yaml, message) => expect((await failure(load(yaml))).message).toBe(message));

  it('places a semantic error on the service’s line', async () => {
    const e = await failure(load('services:\n  db:\n    image: b\n  web:\n    image: a\n    depends_on: [cache]\n'));
    expect(e.where?.line).toBe(6);
    expect((await failure(load('services:\n  db:\n    image: b\n  web:\n    image: a\n    mem_limit: lots\n'))).where?.line).toBe(4);
    expect((await failure(load('services:\n  web:\n    image: a\n    env_file: missing.env\n'))).where?.line).toBe(4);
  });
});

describe('what LayerLab refuses, by name', () => {
  it.each([
    ['services: {web: {image: a, gpus: all}}', 'services.web: "gpus" is not supported in LayerLab: the machine has no GPU'],
    [
      'services: {web: {image: a}}\nsecrets: {s: {file: ./s}}',
      '"secrets" is not supported in LayerLab: they come from swarm: mount a file with `volumes:` instead',
    ],
    [
      'include: [a.yaml]\nservices: {}',
      '"include" is not supported in LayerLab: LayerLab reads only the files given with -f: merge files with several -f instead',
    ],
    [
      'services: {web: {image: a, deploy: {placement: {constraints: [x]}}}}',
      'services.web.deploy: "placement" is not supported in LayerLab: there is no swarm',
    ],
    [
      'services: {web: {image: a, deploy: {mode: global}}}',
      'services.web.deploy: mode "global" is not supported in LayerLab: there is no swarm',
    ],
    [
      'services: {web: {build: {context: ., cache_from: [x]}}}',
      `services.web.build: "cache_from" is not supported in LayerLab: LayerLab's builder takes only context, dockerfile, args and target`,
    ],
    [
      'services: {web: {build: "https://github.com/x/y.git"}}',
      'services.web.build: the context "https://github.com/x/y.git" is not supported in LayerLab: LayerLab builds only from a folder of the project',
    ],
    [
      'services: {web: {image: a, network_mode: "service:db"}, db: {image: b}}',
      'services.web: network_mode "service:db" is not supported in LayerLab: LayerLab runs containers on host, none, bridge or the project networks only',
    ],
    [
      'services: {web: {image: a, pull_policy: daily}}',
      'services.web: pull_policy "daily" is not supported in LayerLab: LayerLab knows always, never, missing and build',
    ],
    [
      'services: {web: {image: a, ports: ["80/sctp"]}}',
      'services.web.ports.0: protocol "sctp" is not supported in LayerLab: the machine relays TCP and UDP only',
    ],
    [
      'services: {web: {image: a, volumes: ["data:/data:nocopy"]}}\nvolumes: {data: {}}',
      `services.web.volumes.0: the volume option "nocopy" is not supported in LayerLab: LayerLab's engine always fills a new volume from the image`,
    ],
    [
      'services: {web: {image: a, volumes: [{type: npipe, source: x, target: /x}]}}',
      'services.web.volumes.0: type "npipe" is not supported in LayerLab: LayerLab mounts volumes, binds and tmpfs only',
    ],
    [
      'services: {web: {image: a, networks: {n: {ipv6_address: "::2"}}}}\nnetworks: {n: {}}',
      `services.web.networks.n: "ipv6_address" is not supported in LayerLab: the machine's networks have no IPv6`,
    ],
    [
      'services: {web: {image: a}}\nnetworks: {n: {driver: overlay}}',
      'networks.n: driver "overlay" is not supported in LayerLab: there is no swarm',
    ],
    [
      'services: {web: {image: a}}\nvolumes: {v: {driver: nfs}}',
      `volumes.v: driver "nfs" is not supported in LayerLab: LayerLab's engine has the local volume driver only`,
    ],
    [
      'services: {web: {image: a, logging: {driver: syslog}}}',
      `services.web: "logging" is not supported in LayerLab: LayerLab's engine keeps logs with its own driver`,
    ],
  ])('%j', async (yaml, message) => expect((await failure(load(yaml))).message).toBe(message));

  it('places the refusal on the key’s line, and ignores x- extensions as Compose does', async () => {
    expect((await failure(load('services:\n  web:\n    image: a\n    gpus: all\n'))).where?.line).toBe(4);
    const p = await load('x-defaults: {restart: always}\nservices: {web: {image: a, x-note: hi, ports: [{target: 80, x-p: 1}]}}');
    expect(Object.keys(p.services)).toEqual(['web']);
  });
});

describe('profiles and named services', () => {
  const yaml = `
services:
  web: {image: a, depends_on: [db]}
  db: {image: b}
  debug: {image: c, profiles: [debug], depends_on: [tools]}
  tools: {image: d, profiles: [tools]}
  admin: {image: e, profiles: [admin, debug]}
`;

  it('enables services without profiles, and those of an active profile', async () => {
    let p = await load(yaml);
    expect(Object.keys(p.services)).toEqual(['db', 'web']);
    expect(Object.keys(p.disabledServices)).toEqual(['admin', 'debug', 'tools']);
    p = await load(yaml, { profiles: ['debug', 'tools'] });
    expect(Object.keys(p.services)).toEqual(['admin', 'db', 'debug', 'tools', 'web']);
    p = await load(yaml, { profiles: ['*'] });
    expect(Object.keys(p.disabledServices)).toEqual([]);
  });

  it('reads COMPOSE_PROFILES from the environment or .env when no profile is given', async () => {
    expect(Object.keys((await load(yaml, { environment: { COMPOSE_PROFILES: 'admin' } })).services)).toEqual(['admin', 'db', 'web']);
    expect(Object.keys((await load(yaml, { dotenv: 'COMPOSE_PROFILES=tools, admin' })).services)).toEqual(['admin', 'db', 'tools', 'web']);
  });

  it('enables a named service with its profiles and what it depends on', async () => {
    const p = await load(yaml, { services: ['debug'] });
    expect(Object.keys(p.services)).toEqual(['admin', 'db', 'debug', 'tools', 'web']);
    expect((await failure(load(yaml, { services: ['nope'] }))).message).toBe('no such service: nope');
  });

  it('refuses a required dependency on a disabled service, not an optional one', async () => {
    const needs =
      'services: {web: {image: a, depends_on: {db: {condition: service_started, required: REQ}}}, db: {image: b, profiles: [x]}}';
    expect((await failure(load(needs.replace('REQ', 'true')))).message).toBe(
      'service "web" depends on undefined service "db": invalid compose project',
    );
    expect(Object.keys((await load(needs.replace('REQ', 'false'))).services)).toEqual(['web']);
  });
});

describe('networks and volumes of the project', () => {
  it('names them PROJECT_KEY unless named or external, keeping only those the enabled services use', async () => {
    const p = await load(`
services:
  web: {image: a, networks: [front, ext], volumes: [data:/data, shared:/shared, legacy:/legacy]}
  off: {image: b, profiles: [x], networks: [back], volumes: [other:/o]}
networks:
  front: {}
  back: {}
  ext: {external: true}
  unused: {}
volumes:
  data:
  shared: {external: true, name: team-data}
  legacy: {external: {name: old-data}}
  other: {name: custom}
`);
    expect(p.networks).toEqual({
      ext: { name: 'ext', external: true, labels: {} },
      front: { name: 'myapp_front', external: false, labels: {} },
    });
    expect(p.volumes).toEqual({
      data: { name: 'myapp_data', external: false, labels: {} },
      legacy: { name: 'old-data', external: true, labels: {} },
      shared: { name: 'team-data', external: true, labels: {} },
    });
    expect(p.warnings).toEqual(['volumes.legacy: external.name is deprecated. Please set name and external: true']);
  });

  it('adds the default network for services that name none', async () => {
    const p = await load('services: {web: {image: a}, host: {image: b, network_mode: host}}\nnetworks: {default: {name: given}}');
    expect(p.networks).toEqual({ default: { name: 'given', external: false, labels: {} } });
    expect(p.services['web']?.networks).toEqual({ default: {} });
    expect(p.services['host']?.networks).toEqual({});
    expect(p.services['host']?.networkMode).toBe('host');
  });

  it('reads bridge options and refuses what conflicts with external', async () => {
    const p = await load(
      'services: {web: {image: a, networks: [n]}}\nnetworks: {n: {driver: bridge, internal: true, attachable: "true", labels: [a=b], ipam: {config: [{subnet: 10.9.0.0/16, gateway: 10.9.0.1}]}}}',
    );
    expect(p.networks['n']).toEqual({
      name: 'myapp_n',
      driver: 'bridge',
      external: false,
      internal: true,
      attachable: true,
      labels: { a: 'b' },
      subnet: '10.9.0.0/16',
      gateway: '10.9.0.1',
    });
    expect((await failure(load('services: {}\nvolumes: {v: {external: true, labels: {a: b}}}'))).message).toBe(
      'volumes.v: conflicting parameters "external" and "labels" specified',
    );
  });
});

describe('several files', () => {
  it('merges later files over earlier ones and lists them all', async () => {
    const p = await loadProject({
      files: [
        { path: `${DIR}/compose.yaml`, text: 'services: {web: {image: a, ports: ["80:80"], environment: {A: "1", B: "1"}}}' },
        { path: `${DIR}/compose.override.yaml`, text: 'services: {web: {image: b, ports: ["81:81"], environment: [B=2]}}' },
      ],
      environment: {},
      readFile: () => Promise.reject(new Error('none')),
    });
    expect(p.composeFiles).toEqual([`${DIR}/compose.yaml`, `${DIR}/compose.override.yaml`]);
    expect(p.services['web']?.image).toBe('b');
    expect(p.services['web']?.ports.map((x) => x.published)).toEqual(['80', '81']);
    expect(p.services['web']?.environment).toEqual({ A: '1', B: '2' });
  });

  it('names the file whose merge breaks the schema', async () => {
    const e = await failure(
      loadProject({
        files: [
          { path: '/p/a.yaml', text: 'services: {web: {image: a}}' },
          { path: '/p/b.yaml', text: 'services:\n  web:\n    tty: maybe-not\n' },
        ],
        environment: {},
        readFile: () => Promise.reject(new Error('none')),
      }),
    );
    expect(e.message).toBe('error while interpolating services.web.tty: failed to cast to expected type: invalid boolean: maybe-not');
    expect(e.where).toEqual({ file: '/p/b.yaml', line: 3, column: 5 });
  });
});
