import { describe, expect, it } from 'vitest';
import { parseReference } from './reference.ts';

describe('parseReference', () => {
  it.each([
    ['busybox', 'busybox:latest', 'library/busybox', 'docker.io'],
    ['busybox:1.35', 'busybox:1.35', 'library/busybox', 'docker.io'],
    ['docker.io/library/python:3.11-slim', 'python:3.11-slim', 'library/python', 'docker.io'],
    ['me/app', 'me/app:latest', 'me/app', 'docker.io'],
    ['localhost:5000/web:v1', 'localhost:5000/web:v1', 'web', 'localhost:5000'],
  ])('%s', (input, familiar, path, domain) => {
    expect(parseReference(input)).toMatchObject({ familiar, path, domain });
  });

  it('rejects bad references with Docker wording', () => {
    expect(() => parseReference('Busybox')).toThrow('invalid reference format: repository name (library/Busybox) must be lowercase');
    expect(() => parseReference('a b')).toThrow('invalid reference format');
    expect(() => parseReference('x:')).toThrow('invalid reference format');
    expect(() => parseReference('')).toThrow('invalid reference format');
  });
});
