import { describe, expect, it } from 'vitest';
import { closestReferences, editDistance, offeredRepositories, offersRepository, offlineHint } from './nearest.ts';

// the catalog's references as issue 16 leaves it (read from catalog.json at run time, never fixed in code)
const CATALOG = [
  'busybox:latest',
  'busybox:1.35',
  'busybox:1.35.0',
  'debian:bookworm-slim',
  'debian:12-slim',
  'debian:trixie-slim',
  'debian:13-slim',
  'debian:stable-slim',
  'python:3.11-slim',
  'python:3.11-slim-bookworm',
  'python:3.11',
  'python:3.13-slim',
  'python:3.13',
  'python:3-slim',
  'python:slim',
  'python:latest',
  'redis:7',
  'redis:latest',
  'nginx:1.22',
  'nginx:latest',
];

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('python', 'python')).toBe(0);
    expect(editDistance('pyhton', 'python')).toBe(2);
    expect(editDistance('busybx', 'busybox')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closestReferences', () => {
  it('ranks the same repository by version nearness, then variant, newer first on a tie', () => {
    expect(closestReferences('python:3.12-slim', CATALOG)).toEqual(['python:3.13-slim', 'python:3.11-slim', 'python:3.13']);
    expect(closestReferences('python:3.12', CATALOG)).toEqual(['python:3.13', 'python:3.11', 'python:3.13-slim']);
    expect(closestReferences('python:3.10-slim', CATALOG)[0]).toBe('python:3.11-slim');
    expect(closestReferences('python:3.14-slim', CATALOG)[0]).toBe('python:3.13-slim');
  });

  it('prefers a less exact version to another minor one, and a floating tag to another major version', () => {
    expect(closestReferences('python:3.12-slim', ['python:3.10-slim', 'python:3-slim', 'python:slim'])).toEqual([
      'python:3-slim',
      'python:3.10-slim',
      'python:slim',
    ]);
    expect(closestReferences('busybox:9', CATALOG)).toEqual(['busybox:latest', 'busybox:1.35', 'busybox:1.35.0']);
    expect(closestReferences('redis:6.2', CATALOG)).toEqual(['redis:7', 'redis:latest']);
  });

  it('matches variant words in any order', () => {
    expect(closestReferences('python:3.11-bookworm-slim', CATALOG)[0]).toBe('python:3.11-slim-bookworm');
    expect(closestReferences('debian:bullseye-slim', CATALOG).slice(0, 2)).toEqual(['debian:13-slim', 'debian:12-slim']);
  });

  it('never offers the wanted reference itself, and follows the list it is given', () => {
    expect(closestReferences('python:3.11-slim', ['python:3.11-slim', 'python:3.11'])).toEqual(['python:3.11']);
    expect(closestReferences('python:3.12-slim', ['python:3.11-slim', 'python:3.11'])).toEqual(['python:3.11-slim', 'python:3.11']);
    expect(closestReferences('python:3.12-slim', CATALOG, 1)).toEqual(['python:3.13-slim']);
  });

  it('suggests repositories spelled nearly the same, with their nearest tags', () => {
    expect(closestReferences('pyhton:3.11', CATALOG)).toEqual(['python:3.11', 'python:3.11-slim', 'python:3.11-slim-bookworm']);
    expect(closestReferences('busybx', CATALOG)).toEqual(['busybox:latest', 'busybox:1.35', 'busybox:1.35.0']);
    expect(closestReferences('someone/nginx:1.22', CATALOG)[0]).toBe('nginx:1.22');
  });

  it('suggests nothing for an unrelated repository, and skips what does not parse', () => {
    expect(closestReferences('node:20', CATALOG)).toEqual([]);
    expect(closestReferences('python:3.12', ['Not A Ref', 'python:3.11'])).toEqual(['python:3.11']);
    expect(closestReferences('python:3.12', [])).toEqual([]);
  });

  it('reads references the way Docker does (docker.io/library/ is the default)', () => {
    expect(closestReferences('docker.io/library/python:3.12-slim', CATALOG)[0]).toBe('python:3.13-slim');
    expect(closestReferences('python:3.12-slim', ['docker.io/library/python:3.11-slim'])).toEqual(['python:3.11-slim']);
  });
});

describe('offersRepository and offeredRepositories', () => {
  it('know the repositories of the list', () => {
    expect(offersRepository('python:3.12-slim', CATALOG)).toBe(true);
    expect(offersRepository('pyhton', CATALOG)).toBe(false);
    expect(offeredRepositories(CATALOG)).toEqual(['busybox', 'debian', 'python', 'redis', 'nginx']);
  });
});

describe('offlineHint', () => {
  it('names the closest tags of a repository it has', () => {
    expect(offlineHint('python:3.12-slim', CATALOG)).toBe(
      'LayerLab runs offline and has no python:3.12-slim; the closest tags it has: python:3.13-slim, python:3.11-slim, python:3.13.',
    );
  });

  it('names the closest images for a misspelled repository', () => {
    expect(offlineHint('pyhton:3.11', CATALOG)).toBe(
      'LayerLab runs offline and has no image named pyhton; the closest it has: python:3.11, python:3.11-slim, python:3.11-slim-bookworm.',
    );
  });

  it('lists the repositories it has when nothing is near', () => {
    expect(offlineHint('node:20', CATALOG)).toBe(
      'LayerLab runs offline and has no image named node; the images it has: busybox, debian, python, redis, nginx.',
    );
    expect(offlineHint('node:20', [])).toBe('LayerLab runs offline and has no image named node, nor any other image to offer.');
  });
});
