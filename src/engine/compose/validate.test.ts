import { describe, expect, it } from 'vitest';
import { parseComposeFile, whereOf, type RawValue } from './parse.ts';
import { validateCompose } from './validate.ts';

function firstError(yaml: string): { message: string; line?: number } | undefined {
  const doc = parseComposeFile('/p/compose.yaml', yaml)[0]!.value;
  const error = validateCompose(doc);
  if (!error) return undefined;
  const where = error.container && error.key !== undefined ? whereOf(error.container, error.key) : undefined;
  return { message: error.message, ...(where ? { line: where.line } : {}) };
}

describe('validateCompose: wording and place of the first problem', () => {
  it.each([
    ['services: [web]', 'services must be a mapping', 1],
    ['services:\n  web:\n    imag: nginx\n', 'services.web Additional property imag is not allowed', 3],
    ['services:\n  web:\n    image: a\n    ports:\n      - true\n', 'services.web.ports.0 must be a string, number or mapping', 5],
    ['service: {}', '(root) Additional property service is not allowed', 1],
    ['services:\n  web:\n', 'services.web must be a mapping', 2],
    ['services: {web: {image: 1}}', 'services.web.image must be a string', 1],
    ['services: {web: {image: a, tty: 1}}', 'services.web.tty must be a boolean or string', 1],
    ['services: {web: {image: a, environment: {A: [1]}}}', 'services.web.environment.A must be a string, number, boolean or null', 1],
    ['services: {web: {image: a, environment: 5}}', 'services.web.environment must be a mapping or list', 1],
    ['services: {web: {image: a, depends_on: {db: {required: true}}}}', 'services.web.depends_on.db condition is required', 1],
    [
      'services: {web: {image: a, depends_on: {db: {condition: ready}}}}',
      'services.web.depends_on.db.condition must be one of the following: "service_started", "service_healthy", "service_completed_successfully"',
      1,
    ],
    ['services:\n  web:\n    image: a\n    ports: ["80", "80"]\n', 'services.web.ports array items[0,1] must be unique', 4],
    [
      'services: {web: {image: a, container_name: x}}',
      "services.web.container_name Does not match pattern '[a-zA-Z0-9][a-zA-Z0-9_.-]+'",
      1,
    ],
    ['services: {web: {image: a, cpu_percent: 101}}', 'services.web.cpu_percent must be less than or equal to 100', 1],
    ['services: {web: {image: a, cpu_count: -2}}', 'services.web.cpu_count must be greater than or equal to 0', 1],
    ['volumes: {data: x}', 'volumes.data must be a mapping or null', 1],
    ['services: {"my web": {image: a}}', 'services Additional property my web is not allowed', 1],
    ['services: {web: {image: a, volumes: [{source: x, target: /x}]}}', 'services.web.volumes.0 type is required', 1],
    ['services: {web: {image: a, build: {context: ., foo: 1}}}', 'services.web.build Additional property foo is not allowed', 1],
  ])('%j: %s', (yaml, message, line) => expect(firstError(yaml)).toEqual({ message, line }));

  it('accepts what the specification allows, including keys LayerLab refuses later', () => {
    expect(firstError('services: {web: {image: a, gpus: all, x-anything: [1]}}\nx-top: 1\nsecrets: {s: {file: ./s}}')).toBeUndefined();
  });

  it('reports nothing for a document it is given as plain JSON too', () => {
    const doc: RawValue = { services: { web: { image: 'a', ports: ['80:80', { target: 81 }] } } };
    expect(validateCompose(doc)).toBeUndefined();
  });
});
