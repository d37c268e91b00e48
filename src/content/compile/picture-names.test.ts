/**
 * Lessons point at the workspace's pictures by name ("look at the **Containers** picture"): every
 * name they use must be the title a panel of the page really carries.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every file under `dir` whose name passes `keep`. */
function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, keep) : keep(name) ? [path] : [];
  });
}

/** The titles of the page's panels: the text of each `<h2>` in the site's Svelte files, before any hint. */
function panelTitles(): Set<string> {
  const titles = new Set<string>();
  for (const path of [
    ...files(resolve('src/app'), (n) => n.endsWith('.svelte')),
    ...files(resolve('src/ui'), (n) => n.endsWith('.svelte')),
  ]) {
    for (const m of readFileSync(path, 'utf8').matchAll(/<h[23]\b[^>]*>([^<{]+)/g)) titles.add(m[1]!.trim());
  }
  return titles;
}

describe('lessons name the pictures as the page titles them', () => {
  it('every "X picture" in a lesson is a panel title', () => {
    const titles = panelTitles();
    expect(titles).toContain('Containers');
    const named: string[] = [];
    for (const path of files(resolve('lessons'), (n) => n.endsWith('.md') || n.endsWith('.txt'))) {
      const text = readFileSync(path, 'utf8').replace(/\s+/g, ' ');
      for (const m of text.matchAll(/(?:\*\*([^*]+)\*\*|\b(?:the|The) ([A-Z][\w ]*?)) picture\b/g)) {
        const name = (m[1] ?? m[2])!;
        named.push(name);
        expect(titles.has(name), `${path} says "${m[0]}", but no panel is titled ${name} (titles: ${[...titles].join(', ')})`).toBe(true);
      }
    }
    expect(named.length).toBeGreaterThan(5);
  });
});
