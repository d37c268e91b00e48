import { describe, expect, it } from 'vitest';
import { routeOf, searchOf, type Route } from './router.svelte.ts';

describe('routes', () => {
  it('reads the page from the address and writes it back', () => {
    const cases: [string, Route][] = [
      ['https://x/', { page: 'playground' }],
      ['https://x/?lessons', { page: 'lessons' }],
      ['https://x/?lesson=03-dockerfiles', { page: 'lesson', id: '03-dockerfiles' }],
      ['https://x/?lesson=a%20b&lessons', { page: 'lesson', id: 'a b' }],
    ];
    for (const [url, route] of cases) {
      expect(routeOf(new URL(url))).toEqual(route);
      expect(routeOf(new URL('https://x/' + searchOf(route)))).toEqual(route);
    }
  });
});
