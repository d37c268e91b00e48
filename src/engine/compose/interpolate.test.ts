import { describe, expect, it } from 'vitest';
import { InvalidTemplateError, MissingRequiredError, interpolateDocument, substitute } from './interpolate.ts';
import { ComposeFileError } from './model.ts';
import { parseComposeFile, type RawMap } from './parse.ts';

const env: Record<string, string> = { FOO: 'first', BAR: '', NUM: '8', TTY: 'true', HOST: 'db' };
const lookup = (k: string): string | undefined => env[k];

describe('substitute', () => {
  it.each([
    ['plain text', 'plain text'],
    ['$FOO', 'first'],
    ['${FOO}', 'first'],
    ['x${FOO}y', 'xfirsty'],
    ['$FOO-suffix', 'first-suffix'],
    ['$$FOO', '$FOO'],
    ['$$$FOO', '$first'],
    ['${MISSING:-default}', 'default'],
    ['${BAR:-default}', 'default'],
    ['${BAR-default}', ''],
    ['${MISSING-default}', 'default'],
    ['${FOO:+alt}', 'alt'],
    ['${BAR:+alt}', ''],
    ['${BAR+alt}', 'alt'],
    ['${MISSING+alt}', ''],
    ['${MISSING:-${FOO}}', 'first'],
    ['${MISSING:-${ALSO_MISSING:-deep}}', 'deep'],
    ['${MISSING:-a}b}', 'ab}'],
    ['${FOO:?must be set}', 'first'],
    ['${BAR?may be empty}', ''],
    ['${MISSING:-$$}', '$'],
    ['${MISSING:-x:y}', 'x:y'],
    ['$ alone', '$ alone'],
    ['price: 5$', 'price: 5$'],
    ['$1', '$1'],
    ['${NUM}0', '80'],
  ])('%j → %j', (template, expected) => expect(substitute(template, lookup)).toBe(expected));

  it('tells of each plain variable that is not set (not of those with a default)', () => {
    const unset: string[] = [];
    expect(substitute('${A} $B ${C:-x} ${D-x} ${E:+x}', lookup, (n) => unset.push(n))).toBe('  x x ');
    expect(unset).toEqual(['A', 'B']);
  });

  it.each(['${', '${}', '${FOO', '${FOO bar}', '${FOO:x}', '${1abc}', 'a ${ b', '${FOO:-\n}'])('%j is an invalid template', (template) =>
    expect(() => substitute(template, lookup)).toThrow(InvalidTemplateError),
  );

  it('refuses a required variable with its message', () => {
    expect(() => substitute('${MISSING:?set it in .env}', lookup)).toThrow(new MissingRequiredError('MISSING', 'set it in .env'));
    expect(() => substitute('${BAR:?}', lookup)).toThrow('required variable BAR is missing a value');
    expect(() => substitute('${MISSING?need ${FOO}}', lookup)).toThrow('required variable MISSING is missing a value: need first');
  });
});

describe('interpolateDocument', () => {
  const load = (yaml: string): RawMap => parseComposeFile('/p/compose.yaml', yaml)[0]!.value;

  it('substitutes every string value (never keys) and casts where Compose casts', () => {
    const doc = load(`
services:
  \${HOST}:
    image: "redis:\${TAG:-7}"
    tty: "\${TTY}"
    scale: \${NUM}
    ports: [{target: "80", published: "\${NUM}000"}]
    environment: [A=$$literal]
    volumes: [{type: bind, source: ., target: /x, read_only: "false"}]
networks: {n: {external: "true"}}
`);
    const warnings: string[] = [];
    interpolateDocument(doc, { lookup, file: '/p/compose.yaml', warn: (w) => warnings.push(w) });
    expect(doc).toEqual({
      services: {
        ['${HOST}']: {
          image: 'redis:7',
          tty: true,
          scale: 8,
          ports: [{ target: 80, published: '8000' }],
          environment: ['A=$literal'],
          volumes: [{ type: 'bind', source: '.', target: '/x', read_only: false }],
        },
      },
      networks: { n: { external: true } },
    });
    expect(warnings).toEqual([]);
  });

  it('warns of unset variables in Compose words, and of YAML 1.1 booleans', () => {
    const doc = load('services: {web: {image: "$NOPE", init: "yes"}}');
    const warnings: string[] = [];
    interpolateDocument(doc, { lookup, file: '/p/compose.yaml', warn: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      'The "NOPE" variable is not set. Defaulting to a blank string.',
      '"yes" for boolean is not supported by YAML 1.2, please use `true`',
    ]);
    expect(doc).toEqual({ services: { web: { image: '', init: true } } });
  });

  it('names the path and the line in its errors', () => {
    const run = (yaml: string): ComposeFileError => {
      try {
        interpolateDocument(load(yaml), { lookup, file: '/p/compose.yaml', warn: () => {} });
      } catch (e) {
        return e as ComposeFileError;
      }
      throw new Error('no error');
    };
    const invalid = run('services:\n  web:\n    image: "${"\n');
    expect(invalid.message).toBe(
      'invalid interpolation format for services.web.image: "${". You may need to escape any $ characters with a second $',
    );
    expect(invalid.where).toEqual({ file: '/p/compose.yaml', line: 3, column: 5 });
    expect(run('services: {web: {image: "${X:?give X}"}}').message).toBe(
      'error while interpolating services.web.image: required variable X is missing a value: give X',
    );
    expect(run('services: {web: {ports: ["${"]}}').message).toMatch(/^invalid interpolation format for services\.web\.ports\.\[\]: /);
    expect(run('services: {web: {tty: "maybe"}}').message).toBe(
      'error while interpolating services.web.tty: failed to cast to expected type: invalid boolean: maybe',
    );
    expect(run('services: {web: {scale: "two"}}').message).toBe(
      'error while interpolating services.web.scale: failed to cast to expected type: strconv.Atoi: parsing "two": invalid syntax',
    );
  });
});
