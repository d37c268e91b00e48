import { describe, expect, it } from 'vitest';
import { isExternal, safeHref } from './links.ts';

describe('safeHref', () => {
  it('keeps https, http and relative links', () => {
    for (const h of ['https://docs.docker.com/', 'http://example.org/a', '?lesson=02-images', '../x', '#top', '/abs'])
      expect(safeHref(h)).toBe(h);
  });
  it('refuses every other scheme, however it is spelled', () => {
    for (const h of [
      'javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      ' javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      'file:///etc/passwd',
      '\u0001javascript:x',
    ]) {
      expect(safeHref(h), JSON.stringify(h)).toBeUndefined();
    }
  });
  it('says which links leave the site', () => {
    expect(isExternal('https://docs.docker.com/')).toBe(true);
    expect(isExternal('?lessons')).toBe(false);
  });
});
