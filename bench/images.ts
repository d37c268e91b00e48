/**
 * Images in and out (issue: images in and out): the seed's Python example built cold and fully
 * cached, and the size of the base images the browser downloads.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGES_DIR, openNodeEngine } from '../bin/node-engine.ts';
import { seedContext } from '../tests/fixtures/seed-app.ts';
import { ms, summarize, time, type Row } from './stats.ts';

/** Measures the Python path; returns printed rows. */
export async function benchImages(): Promise<Row[]> {
  const rows: Row[] = [];
  const catalog = JSON.parse(readFileSync(join(IMAGES_DIR, 'catalog.json'), 'utf8')) as {
    images: { references: string[]; size: number }[];
  };
  const size = (ref: string) => catalog.images.find((i) => i.references.includes(ref))!.size;
  // both units: Docker prints decimal MB (10^6 bytes); MiB (2^20) is what many tools mean by MB
  const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB (${(b / 1024 / 1024).toFixed(2)} MiB)`;
  rows.push({
    name: 'python:3.11-slim download (zstd layers, whole image)',
    value: mb(size('python:3.11-slim')),
    target: '≤ 15 MB (decimal, as Docker prints sizes)',
    ok: size('python:3.11-slim') <= 15e6,
  });
  // the trixie images (issue 16: the seed's own Python tag): each within 15 MB as well
  for (const ref of ['debian:trixie-slim', 'python:3.13-slim']) {
    const has = catalog.images.some((i) => i.references.includes(ref));
    rows.push({
      name: `${ref} download (zstd layers, whole image)`,
      value: has ? mb(size(ref)) : 'not in the catalog',
      target: '≤ 15 MB (decimal)',
      ok: has && size(ref) <= 15e6,
    });
  }
  rows.push({ name: 'debian:bookworm-slim download (its base layer)', value: mb(size('debian:bookworm-slim')) });
  // the service images share debian's layer: a machine that has debian or python fetches only their own layer
  rows.push({ name: 'redis:7 download (whole image)', value: mb(size('redis:7')) });
  rows.push({ name: 'nginx:latest download (whole image)', value: mb(size('nginx:latest')) });

  const { engine, close } = await openNodeEngine({ home: mkdtempSync(join(tmpdir(), 'layerlab-bench-py-')) });
  try {
    let t0 = performance.now();
    await engine.images.pull('python:3.11-slim');
    const { id } = await engine.containers.create({ image: 'python:3.11-slim', cmd: ['python3', '-c', 'pass'], autoRemove: true });
    await (await engine.containers.start(id, {}))!.exit;
    rows.push({ name: 'first python3 run (pull, extract layers, start)', value: `${(performance.now() - t0).toFixed(0)} ms` });
    const colds: number[] = [];
    for (let i = 0; i < 3; i++) {
      t0 = performance.now();
      await engine.build({ context: seedContext(), tags: ['seed:1'], noCache: true });
      colds.push(performance.now() - t0);
    }
    const cold = summarize(colds);
    rows.push({ name: 'seed example cold build (--no-cache)', value: ms(cold), target: '≤ 20 s median', ok: cold.median <= 20_000 });
    const cached = await time(10, () => engine.build({ context: seedContext(), tags: ['seed:1'] }), 1);
    rows.push({ name: 'seed example fully cached rebuild', value: ms(cached), target: '≤ 150 ms median', ok: cached.median <= 150 });
  } finally {
    await close();
  }
  return rows;
}
