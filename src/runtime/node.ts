/**
 * Node environment for the guest machine: guest files from `public/vm/` on disk (or
 * `$LAYERLAB_VM_DIR`), v86's wasm from node_modules. Used by tests, benchmarks and the CLI.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { V86Machine, type MachineEnvironment, type StartOptions } from './v86-machine.ts';

const require = createRequire(import.meta.url);

/** The repository's `public/vm/` directory. */
export const DEFAULT_VM_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../public/vm');

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
