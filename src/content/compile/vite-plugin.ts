/**
 * `import lessons from 'virtual:lessons'`: every lesson under lessons/, read and checked at build
 * time (a broken lesson fails the build with the file and field), shipped as JSON data.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import { loadLessons } from './load-lessons.ts';

const ID = 'virtual:lessons';
const RESOLVED = '\0virtual:lessons';

/** Every file below `dir` (the lessons' markdown and their start/solution files). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The Vite plugin; `dir` is the lessons folder (default `lessons/`). */
export function lessonsPlugin(dir = 'lessons'): Plugin {
  const root = resolve(dir);
  const inside = (file: string) => file === root || file.startsWith(root + sep);
  let serving = false;
  return {
    name: 'layerlab-lessons',
    configResolved(config) {
      serving = config.command === 'serve';
    },
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      // `vite build --watch` rebuilds when a lesson file changes. The dev server must not be told
      // through addWatchFile: there each watch file becomes an import of this module, and a folder
      // cannot be imported (the lessons then failed to load under `npm run dev`). The dev server
      // watches the folder itself (configureServer below).
      if (!serving) for (const file of filesUnder(root)) this.addWatchFile(file);
      return `export default ${JSON.stringify(loadLessons(root))};`;
    },
    configureServer(server) {
      server.watcher.add(root);
      const changed = (file: string) => {
        if (!inside(file)) return;
        const mod = server.moduleGraph.getModuleById(RESOLVED);
        if (mod) server.moduleGraph.invalidateModule(mod);
        server.ws.send({ type: 'full-reload' });
      };
      server.watcher.on('change', changed);
      server.watcher.on('add', changed);
      server.watcher.on('unlink', changed);
    },
  };
}
