import { describe, expect, it } from 'vitest';
import { COMPOSE_FILE_NAMES as ENGINE_NAMES } from '../../engine/compose/load.ts';
import { COMPOSE_FILE_NAMES, composeDiagnostics, isComposePath, workspaceComposeFile } from './compose-diagnostics.ts';

const lint = (text: string, options: Partial<Parameters<typeof composeDiagnostics>[1]> = {}) =>
  composeDiagnostics(text, { path: 'compose.yaml', ...options });

const good = `services:
  web:
    image: busybox
    command: httpd -f -p 8000 -h /www
    ports:
      - "8000:8000"
  cache:
    image: busybox
    command: sleep 3600
`;

describe('composeDiagnostics', () => {
  it('finds nothing in a good compose file', async () => {
    expect(await lint(good)).toEqual([]);
  });

  it("puts a schema error on the typo's line, with a suggestion", async () => {
    expect(await lint(good.replace('    image: busybox\n    command: sleep', '    imag: busybox\n    command: sleep'))).toEqual([
      { line: 8, severity: 'error', message: 'services.cache Additional property imag is not allowed. Did you mean image?' },
    ]);
    expect(await lint(`servics:\n  web:\n    image: busybox\n`)).toEqual([
      { line: 1, severity: 'error', message: '(root) Additional property servics is not allowed. Did you mean services?' },
    ]);
    // no suggestion for a word far from every key
    expect((await lint(`services:\n  web:\n    image: busybox\n    colour: red\n`))[0]?.message).toBe(
      'services.web Additional property colour is not allowed',
    );
  });

  it('says where YAML cannot be read, naming the file as the workspace does', async () => {
    expect(await lint('services:\n  web:\n    image: busybox\n   ports: [\n', { path: 'app/compose.yml' })).toEqual([
      { line: 4, severity: 'error', message: expect.stringMatching(/^failed to parse app\/compose\.yml: yaml: /) },
    ]);
  });

  it('reports what LayerLab refuses and broken references on their lines', async () => {
    expect(await lint('services:\n  web:\n    image: busybox\n    gpus: all\n')).toEqual([
      { line: 4, severity: 'error', message: 'services.web: "gpus" is not supported in LayerLab: the machine has no GPU' },
    ]);
    expect(await lint('services:\n  web:\n    image: busybox\n    depends_on: [db]\n')).toEqual([
      { line: 4, severity: 'error', message: 'service "web" depends on undefined service "db": invalid compose project' },
    ]);
    expect(await lint('')).toEqual([{ line: 1, severity: 'error', message: 'empty compose file' }]);
  });

  it('places warnings on the line they are about: version, an unset variable', async () => {
    const text = `version: "3.8"\nservices:\n  web:\n    image: busybox\n    environment:\n      GREETING: \${GREETING}\n`;
    expect(await lint(text)).toEqual([
      {
        line: 1,
        severity: 'warning',
        message: 'the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion',
      },
      { line: 6, severity: 'warning', message: 'The "GREETING" variable is not set. Defaulting to a blank string.' },
    ]);
  });

  it('interpolates with .env, and with the environment given', async () => {
    const text = 'services:\n  web:\n    image: busybox:${TAG}\n';
    expect(await lint(text, { dotenv: 'TAG=latest\n' })).toEqual([]);
    expect(await lint(text, { environment: { TAG: 'latest' } })).toEqual([]);
    expect(await lint(text)).toEqual([{ line: 3, severity: 'warning', message: expect.stringContaining('"TAG" variable is not set') }]);
    // a required variable missing is an error on its line
    expect(await lint('services:\n  web:\n    image: busybox:${TAG:?set TAG}\n')).toEqual([
      { line: 3, severity: 'error', message: expect.stringContaining('set TAG') },
    ]);
  });

  it('reads env_file from the workspace, relative to the compose file', async () => {
    const text = 'services:\n  web:\n    image: busybox\n    env_file: web.env\n';
    const files: Record<string, string> = { 'app/web.env': 'A=1\n' };
    expect(await lint(text, { path: 'app/compose.yaml', readFile: (p) => files[p] })).toEqual([]);
    expect(await lint(text, { readFile: (p) => files[p] })).toEqual([
      { line: 4, severity: 'error', message: 'env file web.env not found: stat web.env: no such file or directory' },
    ]);
  });
});

describe('compose file names', () => {
  it('are the engine loader’s', () => {
    expect(COMPOSE_FILE_NAMES).toEqual(ENGINE_NAMES);
  });

  it.each([
    ['compose.yaml', true],
    ['compose.yml', true],
    ['docker-compose.yml', true],
    ['docker-compose.yaml', true],
    ['app/compose.yaml', true],
    ['compose.override.yml', false],
    ['my-compose.yaml', false],
    ['Dockerfile', false],
  ])('isComposePath(%s) is %s', (path, expected) => {
    expect(isComposePath(path)).toBe(expected);
  });

  it('finds the file docker compose uses in the top folder, in its order of preference', () => {
    expect(workspaceComposeFile(['Dockerfile', 'docker-compose.yml', 'compose.yaml'])).toBe('compose.yaml');
    expect(workspaceComposeFile(['docker-compose.yaml'])).toBe('docker-compose.yaml');
    expect(workspaceComposeFile(['app/compose.yaml', 'Dockerfile'])).toBeUndefined();
  });
});
