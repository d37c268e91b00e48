/** What a new engine does with the records the last one left (a page reload): Docker's daemon restart. */
import { CONTAINERS, LOGS, type ContainerDeps, type ContainerRecord } from './types.ts';

/**
 * Marks containers that were running when the last engine went away as exited (255), as Docker
 * does after a daemon restart, saying why and how much of their read-write layer was kept; and
 * deletes the build containers it left behind (their builds cannot go on).
 */
export async function recoverContainers(
  deps: ContainerDeps,
  isLive: (id: string) => boolean,
): Promise<{ name: string; savedAt?: string }[]> {
  const interrupted: { name: string; savedAt?: string }[] = [];
  const records = (await deps.meta.list<ContainerRecord>(CONTAINERS)).map((e) => e.value);
  const leftovers = records.filter((r) => r.build && !isLive(r.id));
  if (leftovers.length) {
    await deps.meta.transaction((tx) => {
      for (const r of leftovers) {
        tx.delete(CONTAINERS, r.id);
        tx.delete(LOGS, r.id);
      }
    });
  }
  for (const r of records) {
    if (r.build) continue;
    if ((r.state.status === 'running' || r.state.status === 'paused' || r.state.status === 'restarting') && !isLive(r.id)) {
      if (r.hostConfig.autoRemove) {
        // like the daemon after a restart: a --rm container is removed
        await deps.meta.transaction(async (tx) => {
          tx.delete(CONTAINERS, r.id);
          tx.delete(LOGS, r.id);
        });
        continue;
      }
      const kept = r.checkpointedAt ? `its files were last saved at ${r.checkpointedAt}` : 'its files were never saved';
      const error = `interrupted: the machine stopped while the container was running (the page was closed or reloaded); ${kept}`;
      r.state = { ...r.state, status: 'exited', pid: 0, exitCode: 255, error, finishedAt: deps.now().toISOString() };
      delete r.endpoints;
      await deps.meta.put(CONTAINERS, r.id, r);
      interrupted.push({ name: r.name, ...(r.checkpointedAt ? { savedAt: r.checkpointedAt } : {}) });
    }
  }
  return interrupted;
}
