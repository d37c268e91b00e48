/**
 * The engine in Node (headless CLI, VM tests, benchmarks): file-system stores under
 * `$LAYERLAB_HOME` (default `~/.layerlab`), the guest started on first need from the committed
 * snapshot, base images read from `public/images/`.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.ts';
import { staticImageSource } from '../src/engine/images/source.ts';
import { PACKAGE_ROOT, startNodeMachine } from '../src/runtime/node.ts';
import type { StartOptions, V86Machine } from '../src/runtime/v86-machine.ts';
import { nodeBindHost } from './node-bind-host.ts';
import { openFsStorage } from '../src/storage/fs-store.ts';

/** The repository's `public/images/`. */
export const IMAGES_DIR = join(PACKAGE_ROOT, 'public', 'images');

/** An engine with its lazily started machine. */
export interface NodeEngine {
  engine: Engine;
  /** The machine, if it was started. */
  machine(): V86Machine | undefined;
  /** Stops the machine (containers still running come back as exited next time). */
  close(): Promise<void>;
}

/**
 * Opens the engine whose state lives in `home` (`checkpointEvery`: save running containers' files
 * this often, as the page does; `dockerHub`: pull docker.io images the offline catalog lacks from
 * Docker Hub, as the CLI does).
 */
export async function openNodeEngine(
  options: { home?: string; machine?: StartOptions; checkpointEvery?: number; dockerHub?: boolean } = {},
): Promise<NodeEngine> {
  const home = options.home ?? process.env.LAYERLAB_HOME ?? join(homedir(), '.layerlab');
  const { blobs, metadata: meta } = await openFsStorage(home);
  let machine: V86Machine | undefined;
  let starting: Promise<V86Machine> | undefined;
  const engine = new Engine({
    blobs,
    meta,
    ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    // bind mounts are the disk's folders, as in Docker
    bindHost: nodeBindHost(),
    // registries over HTTP(S) (no CORS in Node); logins persist with the rest of the state in `home`
    fetch: globalThis.fetch,
    ...(options.dockerHub ? { dockerHub: true } : {}),
    getGuest: () => (starting ??= startNodeMachine({ healthInterval: 0, ...options.machine }).then((m) => (machine = m))),
    source: staticImageSource(async (path, onProgress) => {
      const data = new Uint8Array(await readFile(join(IMAGES_DIR, path)));
      onProgress?.(data.length, data.length);
      return data;
    }),
  });
  return {
    engine,
    machine: () => machine,
    close: async () => {
      if (!starting) return;
      await engine.containerManager.shutdown();
      await (await starting).stop();
    },
  };
}
