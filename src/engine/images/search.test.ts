import { describe, expect, it } from 'vitest';
import { sha256Digest } from '../oci/digest.ts';
import { MediaType } from '../oci/types.ts';
import { newRegistry } from '../registry/testkit.ts';
import { searchImages } from './search.ts';
import type { CatalogEntry, ImageSource } from './source.ts';

const catalog: CatalogEntry[] = [
  {
    references: ['busybox:latest', 'busybox:1.35'],
    layout: 'busybox',
    size: 1,
    description: 'BusyBox: sh and Unix tools in one small binary',
  },
  { references: ['debian:bookworm-slim'], layout: 'debian', size: 1, description: 'Debian 12 (bookworm), slim, i386' },
  { references: ['python:3.11-slim'], layout: 'python', size: 1, description: 'Python 3.11.2 on debian:bookworm-slim' },
];
const source = { catalog: async () => catalog } as unknown as ImageSource;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('searchImages', () => {
  it("finds the offline catalog's repositories by name or description, and localhost:5000's by name", async () => {
    const { registry } = newRegistry();
    expect((await searchImages(source, registry, 'busy')).map((r) => r.name)).toEqual(['busybox']);
    // python's description names debian: Hub matches descriptions too
    expect((await searchImages(source, registry, 'DEBIAN')).map((r) => r.name)).toEqual(['debian', 'python']);
    expect(await searchImages(source, registry, 'nothing-like-it')).toEqual([]);
    const config = bytes('{}');
    const digest = await sha256Digest(config);
    await registry.putBlob('python-app', digest, config);
    const manifest = bytes(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest, size: 2 },
        layers: [],
      }),
    );
    await registry.putManifest('python-app', '1', manifest, MediaType.OciManifest);
    const found = await searchImages(source, registry, 'python');
    expect(found).toEqual([
      { name: 'python', description: 'Python 3.11.2 on debian:bookworm-slim', starCount: 0, isOfficial: false },
      { name: 'localhost:5000/python-app', description: '', starCount: 0, isOfficial: false },
    ]);
  });
});
