#!/usr/bin/env node
// Compiles the headless CLI (bin/layerlab-main.ts and the engine it imports) into one JavaScript
// module, bin/dist/layerlab-main.mjs, so `npx layerlab` starts without compiling TypeScript on every
// call. Run by `npm install` (the `prepare` script) and by bin/layerlab.mjs when a source is newer.
import { mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const bin = dirname(fileURLToPath(import.meta.url));

/** Bundles the CLI; resolves with the output's path. */
export async function buildCli() {
  const out = join(bin, 'dist', 'layerlab-main.mjs');
  const tmp = `${out}.${process.pid}.tmp`;
  mkdirSync(dirname(out), { recursive: true });
  await build({
    entryPoints: [join(bin, 'layerlab-main.ts')],
    outfile: tmp,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // packages from node_modules stay imports: v86 finds its wasm beside itself
    packages: 'external',
    logLevel: 'warning',
    legalComments: 'none',
    // a package's package.json (v86's version, which a snapshot must match) is bundled as data:
    // esbuild would drop the import's `with { type: 'json' }`, which Node requires
    plugins: [
      {
        name: 'bundle-package-json',
        setup(b) {
          const require = createRequire(join(bin, 'layerlab-main.ts'));
          b.onResolve({ filter: /^[^./].*\/package\.json$/ }, (args) => ({ path: require.resolve(args.path) }));
        },
      },
    ],
  });
  // never a half-written bundle, even with two CLIs building at once
  renameSync(tmp, out);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
