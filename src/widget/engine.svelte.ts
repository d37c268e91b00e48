/**
 * One guest per page: every widget on a page shares one EngineClient (one worker, one v86 guest),
 * started by the first widget that is used. Its state is reactive so every widget shows it.
 */
import { EngineClient } from '../app/engine-client.ts';
import type { MachineProgress, MachineStatus } from '../runtime/types.ts';

/** The IndexedDB database of widgets: never the full site's `layerlab`, even on the same origin. */
export const WIDGET_DB = 'layerlab-widget';

/** The page's engine, as widgets see it. */
export class SharedEngine {
  readonly client: EngineClient;
  status: MachineStatus = $state({ state: 'starting' });
  progress: MachineProgress | undefined = $state();
  error: string | undefined = $state();
  kernel: string | undefined = $state();
  /** The images FROM can use: offered offline, and stored by this page's widgets (for the editor's diagnostics). */
  images: { available: string[]; local: string[] } | undefined = $state();

  constructor(base: string) {
    const c = new EngineClient({ base, dbName: WIDGET_DB, workspace: false });
    c.onProgress = (p) => (this.progress = p);
    c.onFailed = (message) => (this.error = message);
    c.onStatus = (s) => {
      this.status = s;
      if (s.state === 'running' && !this.kernel) {
        void c.query<{ kernelVersion: string }>('system.info').then(
          (info) => (this.kernel = info.kernelVersion),
          () => {},
        );
        void this.refreshImages();
      }
    };
    this.client = c;
  }

  /** Reads the offered and stored images again (after a build or a pull). */
  async refreshImages(): Promise<void> {
    try {
      const [available, local] = await Promise.all([
        this.client.query<string[]>('images.available'),
        this.client.query<{ repoTags: string[] }[]>('images.list'),
      ]);
      this.images = { available, local: local.flatMap((i) => i.repoTags) };
    } catch {
      // no diagnostics about base images then
    }
  }
}

let shared: SharedEngine | undefined;

/** The page's engine, started on first call; `base` is LayerLab's site root (where vm/ and images/ are). */
export function sharedEngine(base: string): SharedEngine {
  shared ??= new SharedEngine(base);
  return shared;
}
