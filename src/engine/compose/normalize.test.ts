import { describe, expect, it } from 'vitest';
import { loadProject } from './load.ts';
import { ComposeFileError, type ServiceConfig } from './model.ts';

const DIR = '/home/student/app';

/** Loads one service `web` written as the YAML mapping `body` (plus any `extra` top-level YAML). */
async function web(
  body: string,
  extra = '',
  options: { environment?: Record<string, string>; files?: Record<string, string> } = {},
): Promise<ServiceConfig> {
  const project = await loadProject({
    files: [{ path: `${DIR}/compose.yaml`, text: `services:\n  web:\n${body.replace(/^/gm, '    ')}\n${extra}` }],
    environment: options.environment ?? {},
    readFile: async (path) => {
      const text = options.files?.[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
  });
  return project.services['web']!;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ComposeFileError) return e.message;
    throw e;
  }
  throw new Error('loaded without an error');
}

describe('normalizeService', () => {
  it('fills the defaults of a minimal service', async () => {
    expect(await web('image: nginx')).toEqual({
      name: 'web',
      image: 'nginx',
      environment: {},
      ports: [],
      expose: [],
      volumes: [],
      networks: { default: {} },
      dependsOn: {},
      labels: {},
      profiles: [],
      scale: 1,
      pullPolicy: 'missing',
    });
  });

  it('makes the build context absolute and takes args from the environment when they have no value', async () => {
    expect((await web('build: ./api')).build).toEqual({ context: `${DIR}/api`, dockerfile: 'Dockerfile', args: {} });
    const s = await web(
      'build:\n  context: ../shared\n  dockerfile: docker/Dockerfile.dev\n  target: dev\n  args: [VERSION=1.2, FROM_SHELL, UNSET]',
      '',
      {
        environment: { FROM_SHELL: 'yes' },
      },
    );
    expect(s.build).toEqual({
      context: '/home/student/shared',
      dockerfile: 'docker/Dockerfile.dev',
      args: { VERSION: '1.2', FROM_SHELL: 'yes' },
      target: 'dev',
    });
  });

  it('splits command and entrypoint strings like a shell, without one', async () => {
    const s = await web(`image: a\ncommand: sh -c 'echo "$$HOME" && ls'\nentrypoint: ""`);
    expect(s.command).toEqual(['sh', '-c', 'echo "$HOME" && ls']);
    expect(s.entrypoint).toEqual([]);
    expect((await web('image: a\ncommand: [npm, start]\nentrypoint: null')).command).toEqual(['npm', 'start']);
    expect(await failure(web('image: a\ncommand: echo "oops'))).toBe('services.web.command: invalid command line string');
  });

  it('resolves environment entries without a value from the environment (null when unset), numbers as text', async () => {
    const s = await web('image: a\nenvironment:\n  PLAIN: x\n  NUM: 1.5\n  BOOL: true\n  FROM_SHELL:\n  UNSET:', '', {
      environment: { FROM_SHELL: 'v' },
    });
    expect(s.environment).toEqual({ PLAIN: 'x', NUM: '1.5', BOOL: 'true', FROM_SHELL: 'v', UNSET: null });
    expect(
      (await web('image: a\nenvironment: [A=1, B=, FROM_SHELL, C=x=y]', '', { environment: { FROM_SHELL: 'v' } })).environment,
    ).toEqual({
      A: '1',
      B: '',
      FROM_SHELL: 'v',
      C: 'x=y',
    });
  });

  it('reads env_file entries relative to the project, environment: winning', async () => {
    const files = { [`${DIR}/app.env`]: 'A=from-file\nB=from-file\nREF=${A}-${SHELL_VAR}\n', [`${DIR}/conf/more.env`]: 'C=3' };
    const s = await web(
      'image: a\nenv_file: [app.env, {path: ./conf/more.env}, {path: missing.env, required: false}]\nenvironment: {B: mine}',
      '',
      {
        environment: { SHELL_VAR: 's' },
        files,
      },
    );
    expect(s.environment).toEqual({ A: 'from-file', B: 'mine', REF: 'from-file-s', C: '3' });
    expect(await failure(web('image: a\nenv_file: nope.env'))).toBe(
      `env file ${DIR}/nope.env not found: stat ${DIR}/nope.env: no such file or directory`,
    );
    expect(await failure(web('image: a\nenv_file: [{path: app.env, format: raw}]', '', { files }))).toBe(
      'unsupported env_file format "raw"',
    );
  });

  it('expands ports to the long syntax', async () => {
    const s = await web(
      'image: a\nports: ["8000:80", "127.0.0.1:5432:5432/tcp", 9000, "3000-3001:3000-3001/udp", {target: "443", published: 8443, host_ip: 0.0.0.0}, "8000:80"]',
    );
    expect(s.ports).toEqual([
      { target: 80, published: '8000', protocol: 'tcp' },
      { target: 5432, published: '5432', hostIp: '127.0.0.1', protocol: 'tcp' },
      { target: 9000, protocol: 'tcp' },
      { target: 3000, published: '3000', protocol: 'udp' },
      { target: 3001, published: '3001', protocol: 'udp' },
      { target: 443, published: '8443', hostIp: '0.0.0.0', protocol: 'tcp' },
    ]);
    expect(await failure(web('image: a\nports: ["80:abc"]'))).toBe('invalid containerPort: abc');
    expect(await failure(web('image: a\nports: [{target: 80, host_ip: nowhere}]'))).toBe(
      'services.web.ports.0: invalid ip address: nowhere',
    );
    expect((await web('image: a\nexpose: ["3000", 4000, "5000-5001/udp"]')).expose).toEqual([
      '3000/tcp',
      '4000/tcp',
      '5000/udp',
      '5001/udp',
    ]);
  });

  it('expands volumes: named, binds made absolute (~ from HOME), anonymous, long syntax', async () => {
    const s = await web(
      'image: a\nvolumes:\n  - data:/var/lib/data:ro\n  - ./src:/app/src\n  - ~/cache:/cache\n  - /logs\n  - {type: bind, source: ../conf, target: /etc/conf/, read_only: true}\n  - {type: volume, target: /anon}\n  - {type: tmpfs, target: /tmp}',
      'volumes: {data: {}}',
      { environment: { HOME: '/home/student' } },
    );
    expect(s.volumes).toEqual([
      { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: true },
      { type: 'bind', source: `${DIR}/src`, target: '/app/src', readOnly: false, createHostPath: true },
      { type: 'bind', source: '/home/student/cache', target: '/cache', readOnly: false, createHostPath: true },
      { type: 'volume', target: '/logs', readOnly: false },
      { type: 'bind', source: '/home/student/conf', target: '/etc/conf', readOnly: true, createHostPath: false },
      { type: 'volume', target: '/anon', readOnly: false },
      { type: 'tmpfs', target: '/tmp', readOnly: false },
    ]);
    expect(await failure(web('image: a\ntmpfs: /data\nvolumes: [./a:/data]'))).toBe(
      'services.web.volumes[0]: target /data already mounted as services.web.tmpfs[0]',
    );
    expect(await failure(web('image: a\nvolumes: [{type: bind, target: /x}]'))).toBe(
      'invalid mount config for type "bind": field Source must not be empty',
    );
    expect(await failure(web('image: a\nvolumes: ["a::b"]'))).toBe('invalid spec: a::b: empty section between colons');
  });

  it('reads networks and depends_on in both syntaxes', async () => {
    const s = await web(
      'image: a\nnetworks: {front: {aliases: [www], ipv4_address: 10.1.0.5}, back: }\ndepends_on: {db: {condition: service_healthy, restart: true}, cache: {condition: service_started, required: false}}',
      '  db: {image: b}\n  cache: {image: c}\nnetworks: {front: {}, back: {}}',
    );
    expect(s.networks).toEqual({ front: { aliases: ['www'], ipv4Address: '10.1.0.5' }, back: {} });
    expect(s.dependsOn).toEqual({
      db: { condition: 'service_healthy', restart: true, required: true },
      cache: { condition: 'service_started', restart: false, required: false },
    });
  });

  it('turns healthcheck durations into nanoseconds and a test string into CMD-SHELL', async () => {
    const s = await web(
      'image: a\nhealthcheck: {test: "curl -f http://localhost || exit 1", interval: 1m30s, timeout: 10s, start_period: 500ms, start_interval: 2s, retries: 3}',
    );
    expect(s.healthcheck).toEqual({
      test: ['CMD-SHELL', 'curl -f http://localhost || exit 1'],
      interval: 90e9,
      timeout: 10e9,
      startPeriod: 500e6,
      startInterval: 2e9,
      retries: 3,
    });
    expect((await web('image: a\nhealthcheck: {disable: true}')).healthcheck).toEqual({ disable: true });
    expect(await failure(web('image: a\nhealthcheck: {interval: soon}'))).toBe(
      'services.web.healthcheck.interval: time: invalid duration "soon"',
    );
  });

  it('reads the scalar keys, limits and sizes (a service with a profile, enabled by it)', async () => {
    const project = await loadProject({
      files: [
        {
          path: `${DIR}/compose.yaml`,
          text:
            'services:\n  web:\n    image: a\n    restart: on-failure:3\n    working_dir: /app\n    user: "1000:1000"\n    hostname: h\n    container_name: my-web\n' +
            '    stop_signal: SIGINT\n    stop_grace_period: 1m30s\n    tty: true\n    stdin_open: "true"\n    init: true\n    read_only: true\n    privileged: false\n' +
            '    mem_limit: 512m\n    cpus: "0.5"\n    pids_limit: 100\n    cap_add: [NET_ADMIN]\n    cap_drop: [ALL]\n' +
            '    extra_hosts: ["db.local:10.0.0.2", "v6=::1"]\n    tmpfs: [/run, "/tmp:size=64m"]\n    labels: [com.x=1, flag]\n    profiles: [dev]\n    pull_policy: if_not_present\n',
        },
      ],
      environment: {},
      profiles: ['dev'],
      readFile: () => Promise.reject(new Error('none')),
    });
    expect(project.services['web']).toMatchObject({
      restart: 'on-failure:3',
      workingDir: '/app',
      user: '1000:1000',
      hostname: 'h',
      containerName: 'my-web',
      stopSignal: 'SIGINT',
      stopGracePeriod: 90,
      tty: true,
      stdinOpen: true,
      init: true,
      readOnly: true,
      privileged: false,
      memLimit: 512 * 1024 ** 2,
      cpus: 0.5,
      pidsLimit: 100,
      capAdd: ['NET_ADMIN'],
      capDrop: ['ALL'],
      extraHosts: ['db.local:10.0.0.2', 'v6:::1'],
      tmpfs: ['/run', '/tmp:size=64m'],
      labels: { 'com.x': '1', flag: '' },
      profiles: ['dev'],
      pullPolicy: 'missing',
    });
  });

  it('takes limits and replicas from deploy, refusing values that differ from the service’s', async () => {
    const s = await web('image: a\ndeploy: {replicas: 3, resources: {limits: {memory: 1g, cpus: "1.5", pids: 50}}}');
    expect([s.scale, s.memLimit, s.cpus, s.pidsLimit]).toEqual([3, 1024 ** 3, 1.5, 50]);
    expect((await web('image: a\nscale: 2')).scale).toBe(2);
    expect(await failure(web('image: a\nscale: 2\ndeploy: {replicas: 3}'))).toBe(
      "services.web: can't set distinct values on 'scale' and 'deploy.replicas': invalid compose project",
    );
    expect(await failure(web('image: a\nmem_limit: 1g\ndeploy: {resources: {limits: {memory: 2g}}}'))).toBe(
      "services.web: can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory': invalid compose project",
    );
    expect(await failure(web('image: a\ncontainer_name: one\nscale: 2'))).toBe(
      "services.web: can't set container_name and scale as container name must be unique: invalid compose project",
    );
    expect(await failure(web('image: a\nscale: -1'))).toBe('services.web.scale: must be greater than or equal to 0');
    expect(await failure(web('image: a\nmem_limit: lots'))).toBe("services.web.mem_limit: invalid size: 'lots'");
  });

  it('warns when a shell operator ends a command string', async () => {
    const project = await loadProject({
      files: [{ path: `${DIR}/compose.yaml`, text: 'services: {web: {image: a, command: "npm install && npm start"}}' }],
      environment: {},
      readFile: () => Promise.reject(new Error('none')),
    });
    expect(project.services['web']?.command).toEqual(['npm', 'install']);
    expect(project.warnings).toEqual([
      'services.web.command: Compose runs no shell, so the command ends before "&& npm start"; write it as ["sh", "-c", "npm install && npm start"] to run it in a shell',
    ]);
  });
});
