/**
 * `docker search` without Docker Hub: the offline catalog's repositories (with its descriptions)
 * and the page's own registry at localhost:5000, matched by name or description as Hub matches.
 */
import type { SearchResult } from '../api.ts';
import type { LocalRegistry } from '../registry/registry.ts';
import { parseReference } from './reference.ts';
import type { ImageSource } from './source.ts';

/** Repositories whose name or description holds `term` (case-insensitive), catalog first, then localhost:5000's. */
export async function searchImages(source: ImageSource, registry: LocalRegistry, term: string): Promise<SearchResult[]> {
  const want = term.toLowerCase();
  const out: SearchResult[] = [];
  const seen = new Set<string>();
  for (const entry of await source.catalog()) {
    const name = parseReference(entry.references[0] ?? '').repository;
    if (seen.has(name)) continue;
    const description = entry.description ?? '';
    if (!name.toLowerCase().includes(want) && !description.toLowerCase().includes(want)) continue;
    seen.add(name);
    // none of them is a Docker Official Image or has stars: they are LayerLab's, built from Debian packages
    out.push({ name, description, starCount: 0, isOfficial: false });
  }
  const { repositories } = await registry.catalog();
  for (const repo of repositories) {
    const name = `localhost:5000/${repo}`;
    if (name.toLowerCase().includes(want.replace(/^localhost:5000\//, '')))
      out.push({ name, description: '', starCount: 0, isOfficial: false });
  }
  return out;
}
