/**
 * `import lessons from 'virtual:lessons'`: every lesson under lessons/, read and checked at build
 * time (a broken lesson fails the build with the file and field), shipped as JSON data.
 */
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { loadLessons } from './load-lessons.ts';

const ID = 'virtual:lessons';
const RESOLVED = '\0virtual:lessons';

/** The Vite plugin; `root` is the lessons folder. */
export function lessonsPlugin(root = resolve('lessons')): Plugin {
  return {
    name: 'layerlab-lessons',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      this.addWatchFile(root);
      return `export default ${JSON.stringify(loadLessons(root))};`;
    },
    handleHotUpdate(ctx) {
      if (!ctx.file.startsWith(root)) return;
      const mod = ctx.server.moduleGraph.getModuleById(RESOLVED);
      if (mod) {
        ctx.server.moduleGraph.invalidateModule(mod);
        ctx.server.ws.send({ type: 'full-reload' });
      }
    },
  };
}
