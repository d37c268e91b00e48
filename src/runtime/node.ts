/**
 * Node environment for the guest machine: guest files from `public/vm/` on disk (or
 * `$LAYERLAB_VM_DIR`), v86's wasm from node_modules. Used by tests, benchmarks and the CLI.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { V86Machine, type MachineEnvironment, type StartOptions } from './v86-machine.ts';

const require = createRequire(import.meta.url);

/**
 * The LayerLab package's root (the folder holding `public/`): found upwards from this module, which
 * runs from `src/runtime/` through tsx or from the CLI's bundle in `bin/dist/`.
 */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'public', 'vm', 'manifest.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '../..');
  }
}

/** The repository's `public/vm/` directory. */
export const DEFAULT_VM_DIR = join(PACKAGE_ROOT, 'public', 'vm');

/** A Node environment reading guest files from `vmDir`. */
export function nodeEnvironment(vmDir = process.env.LAYERLAB_VM_DIR ?? DEFAULT_VM_DIR): MachineEnvironment {
  return {
    async fetchAsset(name, onProgress) {
      try {
        const data = new Uint8Array(await readFile(join(vmDir, name)));
        onProgress?.(data.length, data.length);
        return data;
      } catch (err) {
        throw new Error(`reading guest file ${join(vmDir, name)}`, { cause: err });
      }
    },
    wasm: { wasm_path: require.resolve('v86/build/v86.wasm') },
  };
}

/** Starts a guest machine in Node. */
export function startNodeMachine(options: StartOptions & { vmDir?: string } = {}): Promise<V86Machine> {
  return V86Machine.start(nodeEnvironment(options.vmDir), options);
}
