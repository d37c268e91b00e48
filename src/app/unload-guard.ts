/**
 * A reload ends every process on the machine: running containers keep their files only as of
 * their last checkpoint (after each command, and every few seconds while they run). So while
 * containers run the browser asks before leaving, and when the page is hidden or left their files
 * are saved at once.
 */

/** Installs the guard; returns what removes it. */
export function guardUnload(containersRunning: () => boolean, saveNow: () => void): () => void {
  const warn = (e: BeforeUnloadEvent) => {
    if (!containersRunning()) return;
    e.preventDefault();
    e.returnValue = '';
  };
  addEventListener('beforeunload', warn);
  const sync = () => {
    if (document.visibilityState === 'hidden' && containersRunning()) saveNow();
  };
  document.addEventListener('visibilitychange', sync);
  addEventListener('pagehide', sync);
  return () => {
    removeEventListener('beforeunload', warn);
    document.removeEventListener('visibilitychange', sync);
    removeEventListener('pagehide', sync);
  };
}
