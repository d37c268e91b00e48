/**
 * `docker compose config` output for the projects in `testdata/` (`NAME.yaml`, its `.env` as
 * `NAME.dotenv`, its other files as `NAME.FILE`), compared with `NAME.config.golden`
 * (rewrite them with `UPDATE_GOLDEN=1` and review the diff).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenFiles } from '../../../tests/fixtures/golden.ts';
import { configYaml } from './config.ts';
import { loadProject, type LoadOptions } from './load.ts';
import { parseComposeFile } from './parse.ts';

const TESTDATA = new URL('testdata/', import.meta.url);
const golden = goldenFiles(TESTDATA);
const text = (file: string): string => readFileSync(new URL(file, TESTDATA), 'utf8');

/** Each project and how it is loaded (the caller's environment, profiles, extra -f files). */
const PROJECTS: Readonly<Record<string, { environment?: Record<string, string>; profiles?: string[]; more?: string[] }>> = {
  counter: {},
  build: { environment: { NODE_VERSION: '20', BUILD_DATE: '2026-01-01' } },
  profiles: { profiles: ['debug'] },
  env: { environment: { DEBUG: '1', FROM_SHELL: 'from-shell', OWNER: 'ops' } },
  'long-syntax': {},
  external: {},
  override: { more: ['override.override.yaml'] },
};

async function load(name: string): Promise<ReturnType<typeof loadProject>> {
  const dir = `/home/student/${name}`;
  const setup = PROJECTS[name]!;
  const options: LoadOptions = {
    files: [`${name}.yaml`, ...(setup.more ?? [])].map((f, i) => ({
      path: `${dir}/${i ? f.replace(`${name}.`, 'compose.') : 'compose.yaml'}`,
      text: text(f),
    })),
    environment: { HOME: '/home/student', ...setup.environment },
    ...(setup.profiles ? { profiles: setup.profiles } : {}),
    readFile: async (path) => {
      const file = `${name}.${path
        .slice(dir.length + 1)
        .replace(/^\.\//, '')
        .replaceAll('/', '.')}`;
      if (!path.startsWith(`${dir}/`) || !existsSync(new URL(file, TESTDATA))) throw new Error(`ENOENT: ${path}`);
      return text(file);
    },
  };
  if (existsSync(new URL(`${name}.dotenv`, TESTDATA))) options.dotenv = text(`${name}.dotenv`);
  return loadProject(options);
}

describe('configYaml (docker compose config)', () => {
  for (const name of Object.keys(PROJECTS))
    it(`${name}.yaml`, async () => {
      const project = await load(name);
      const output = configYaml(project);
      golden(`${name}.config.golden`, output);
      // what it prints is a valid compose file that loads to the same project
      const again = await loadProject({
        files: [{ path: `/home/student/${name}/compose.yaml`, text: output }],
        environment: {},
        ...(PROJECTS[name]!.profiles ? { profiles: PROJECTS[name]!.profiles } : {}),
        readFile: () => Promise.reject(new Error('none')),
      });
      expect(configYaml(again)).toBe(output);
      expect(parseComposeFile('/x.yaml', output)).toHaveLength(1);
    });

  it('quotes strings that would read as another type, as go-yaml does', () => {
    const out = configYaml({
      name: 'q',
      workingDir: '/q',
      composeFiles: [],
      services: {
        s: {
          name: 's',
          image: 'a',
          environment: {
            A: 'yes',
            B: '1.5',
            C: '',
            D: 'null',
            E: 'text',
            F: '0x1F',
            G: 'on',
            H: '1e3',
            I: 'a: b',
            J: null,
            K: '2026-01-01',
            L: '$V',
          },
          ports: [],
          expose: [],
          volumes: [],
          networks: {},
          networkMode: 'none',
          dependsOn: {},
          labels: {},
          profiles: [],
          scale: 1,
          pullPolicy: 'missing',
        },
      },
      disabledServices: {},
      networks: {},
      volumes: {},
    });
    expect(out).toBe(
      [
        'name: q',
        'services:',
        '  s:',
        '    environment:',
        '      A: "yes"',
        '      B: "1.5"',
        '      C: ""',
        '      D: "null"',
        '      E: text',
        '      F: "0x1F"',
        '      G: "on"',
        '      H: "1e3"',
        "      I: 'a: b'",
        '      J: null',
        '      K: "2026-01-01"',
        '      L: $$V',
        '    image: a',
        '    network_mode: none',
        '',
      ].join('\n'),
    );
  });
});
