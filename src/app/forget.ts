/** "Reset everything": forgets all this browser stored for LayerLab (localStorage and IndexedDB). */
import { PROGRESS_DB } from './progress.ts';

/** The engine's IndexedDB database and the lessons' progress database. */
const DATABASES = ['layerlab', PROGRESS_DB];

/** Deletes LayerLab's localStorage keys and databases (callers close their connections first). */
export async function forgetEverything(): Promise<void> {
  for (const key of Object.keys(localStorage)) if (key.startsWith('layerlab.')) localStorage.removeItem(key);
  for (const name of DATABASES) {
    await new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase(name);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
  }
}
