import { describe, expect, it } from 'vitest';
import { ComposeFileError } from './model.ts';
import { mergeDocument, newRawMap, parseComposeFile, whereOf, type RawMap } from './parse.ts';

const FILE = '/p/compose.yaml';

function error(fn: () => unknown): ComposeFileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ComposeFileError) return e;
    throw e;
  }
  throw new Error('no error');
}

/** The files merged in order, as the loader merges them. */
function merged(...texts: string[]): RawMap {
  let dict = newRawMap();
  texts.forEach((text, i) => {
    for (const doc of parseComposeFile(`/p/${i}.yaml`, text)) dict = mergeDocument(dict, doc);
  });
  return JSON.parse(JSON.stringify(dict)) as RawMap;
}

describe('parseComposeFile', () => {
  it('reads YAML 1.2 scalars, anchors and merge keys', () => {
    const [doc] = parseComposeFile(
      FILE,
      `
x-common: &common
  restart: always
  environment: {A: "1"}
services:
  web:
    <<: *common
    restart: "no"
    image: nginx
    tty: yes
    ports: [8080, 0x10, 1.0]
    command:
`,
    );
    expect(doc!.value).toEqual({
      'x-common': { restart: 'always', environment: { A: '1' } },
      services: { web: { restart: 'no', environment: { A: '1' }, image: 'nginx', tty: 'yes', ports: [8080, 16, 1], command: null } },
    });
  });

  it('remembers the line of every key and list item', () => {
    const [doc] = parseComposeFile(FILE, 'services:\n  web:\n    image: a\n    ports:\n      - "80"\n      - "81"\n');
    const web = (doc!.value['services'] as RawMap)['web'] as RawMap;
    expect(whereOf(web, 'image')).toEqual({ file: FILE, line: 3, column: 5 });
    expect(whereOf(web['ports'] as object, 1)).toEqual({ file: FILE, line: 6, column: 9 });
  });

  it('reads each document of a file, and none from a file of comments', () => {
    expect(parseComposeFile(FILE, 'services: {a: {image: a}}\n---\nservices: {b: {image: b}}\n')).toHaveLength(2);
    expect(parseComposeFile(FILE, '# nothing\n')).toEqual([]);
    expect(parseComposeFile(FILE, '')).toEqual([]);
  });

  it('words YAML errors as go-yaml, with the file and line', () => {
    const e = error(() => parseComposeFile(FILE, 'services:\n  web:\n    image: a: b\n'));
    expect(e.message).toBe(`failed to parse ${FILE}: yaml: line 3: mapping values are not allowed in this context`);
    expect(e.where?.line).toBe(3);
    expect(error(() => parseComposeFile(FILE, 'services:\n  a: 1\n  a: 2\n')).message).toBe(
      `failed to parse ${FILE}: yaml: line 3: mapping key "a" already defined at line 2`,
    );
    expect(error(() => parseComposeFile(FILE, 'services: [\n')).message).toMatch(/^failed to parse \/p\/compose\.yaml: yaml: line \d+: /);
    expect(error(() => parseComposeFile(FILE, 'services:\n  80: {}\n')).message).toBe('non-string key in services: 80');
    expect(error(() => parseComposeFile(FILE, '- a\n- b\n')).message).toBe('top-level object must be a mapping');
    expect(error(() => parseComposeFile(FILE, 'a: *nope\n')).message).toMatch(/^failed to parse/);
  });
});

describe('mergeDocument (Compose override rules)', () => {
  it('merges services key by key; a later scalar wins, a later null does not', () => {
    expect(merged('services: {web: {image: a, restart: always}}', 'services: {web: {image: b, restart: null}, db: {image: c}}')).toEqual({
      services: { web: { image: 'b', restart: 'always' }, db: { image: 'c' } },
    });
  });

  it('replaces command, entrypoint and healthcheck.test', () => {
    expect(
      merged(
        'services: {w: {command: [a, b], entrypoint: x, healthcheck: {test: [CMD, a], retries: 1}}}',
        'services: {w: {command: c, entrypoint: [y], healthcheck: {test: [NONE]}}}',
      ),
    ).toEqual({
      services: { w: { command: 'c', entrypoint: ['y'], healthcheck: { test: ['NONE'], retries: 1 } } },
    });
  });

  it('merges environment and labels by key (as KEY=VALUE lists), later ones winning', () => {
    expect(
      merged('services: {w: {environment: {A: 1, B: x}, labels: [l=1]}}', 'services: {w: {environment: [B=y, C], labels: {m: 2}}}'),
    ).toEqual({
      services: { w: { environment: ['A=1', 'B=y', 'C'], labels: ['l=1', 'm=2'] } },
    });
  });

  it('appends ports and volumes, a volume target or an identical port only once', () => {
    expect(
      merged(
        'services: {w: {ports: ["80:80", "90"], volumes: [a:/data, /cache]}}',
        'services: {w: {ports: ["80:80", "91"], volumes: [b:/data, ./x:/x]}}',
      ),
    ).toEqual({ services: { w: { ports: ['80:80', '90', '91'], volumes: ['b:/data', '/cache', './x:/x'] } } });
  });

  it('merges networks and depends_on given as lists or mappings', () => {
    expect(
      merged(
        'services: {w: {networks: [a], depends_on: [db]}}',
        'services: {w: {networks: {b: {aliases: [x]}}, depends_on: {cache: {condition: service_healthy}}}}',
      ),
    ).toEqual({
      services: {
        w: {
          networks: { a: null, b: { aliases: ['x'] } },
          depends_on: { db: { condition: 'service_started', required: true }, cache: { condition: 'service_healthy' } },
        },
      },
    });
  });

  it('merges a build string with a build mapping', () => {
    expect(merged('services: {w: {build: ./app}}', 'services: {w: {build: {target: dev}}}')).toEqual({
      services: { w: { build: { context: './app', target: 'dev' } } },
    });
  });

  it('drops what !reset names and replaces what !override names', () => {
    expect(
      merged(
        'services: {w: {image: a, ports: ["80"], environment: {A: 1}, labels: {x: y}}}',
        'services: {w: {ports: !reset [], environment: !override {B: 2}, labels: !reset null}}',
      ),
    ).toEqual({ services: { w: { image: 'a', environment: { B: 2 } } } });
  });

  it('refuses to merge a mapping with a value of another kind', () => {
    expect(
      error(() => merged('services: {w: {build: {context: .}, healthcheck: {test: x}}}', 'services: {w: {healthcheck: [x]}}')).message,
    ).toBe('cannot override services.w.healthcheck');
  });

  it('keeps the position of the file a merged value came from', () => {
    let dict = newRawMap();
    for (const doc of parseComposeFile('/p/a.yaml', 'services:\n  w:\n    image: a\n    ports: ["1"]\n')) dict = mergeDocument(dict, doc);
    for (const doc of parseComposeFile('/p/b.yaml', '\n\nservices:\n  w:\n    image: b\n    ports: ["2"]\n'))
      dict = mergeDocument(dict, doc);
    const w = (dict['services'] as RawMap)['w'] as RawMap;
    expect(whereOf(w, 'image')).toEqual({ file: '/p/b.yaml', line: 5, column: 5 });
    expect(whereOf(w['ports'] as object, 0)?.file).toBe('/p/a.yaml');
    expect(whereOf(w['ports'] as object, 1)?.file).toBe('/p/b.yaml');
  });
});
