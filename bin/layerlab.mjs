#!/usr/bin/env node
// LayerLab's headless command line. It runs the compiled bundle bin/dist/layerlab-main.mjs (made
// by `npm install`, see bin/build-cli.mjs), compiling it again first when a TypeScript source is
// newer; without esbuild it runs the sources through tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bin = dirname(fileURLToPath(import.meta.url));
const bundle = join(bin, 'dist', 'layerlab-main.mjs');

/** The newest modification time of the .ts files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'testdata') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

async function load() {
  const sources = Math.max(newest(bin), newest(join(bin, '..', 'src')));
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources) {
    try {
      const { buildCli } = await import('./build-cli.mjs');
      await buildCli();
    } catch {
      // no esbuild (a production install): the sources, compiled as they load
      const { register } = await import('tsx/esm/api');
      register();
      return import('./layerlab-main.ts');
    }
  }
  return import(pathToFileURL(bundle).href);
}

const { main } = await load();
process.exitCode = await main(process.argv.slice(2));
