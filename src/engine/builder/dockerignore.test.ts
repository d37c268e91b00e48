import { describe, expect, it } from 'vitest';
import { matchesDockerignore, parseDockerignore } from './dockerignore.ts';

describe('.dockerignore', () => {
  const p = parseDockerignore('# comment\nnode_modules\n*.log\n!keep.log\n**/secret.txt\ntmp/\n');
  it.each([
    ['node_modules/x/index.js', true],
    ['app.log', true],
    ['keep.log', false],
    ['deep/dir/secret.txt', true],
    ['secret.txt', true],
    ['tmp/a', true],
    ['src/app.py', false],
    ['logs/app.log', false],
  ])('%s → %s', (path, ignored) => {
    expect(matchesDockerignore(p, path)).toBe(ignored);
  });
});
