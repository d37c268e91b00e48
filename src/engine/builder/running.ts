/**
 * Builds in progress, as small records in the metadata store: written when a build starts,
 * updated at each step, deleted when it ends (done, failed or cancelled). A record still there
 * when a new engine opens the stores belongs to a build whose engine went away mid-build (the page
 * was reloaded or crashed): `interrupted()` reports each such build once and forgets it.
 */
import type { InterruptedBuild } from '../api.ts';
import type { MetadataStore } from '../store/types.ts';
import { randomHex } from '../util/ids.ts';

const RUNNING = 'builds-running';

/** One build's record while it runs. */
export interface RunningBuild {
  /** The build reached a step (`[4/4] RUN pip install …`). */
  step(label: string): void;
  /** The build is over: its record is deleted (resolves once it is). */
  end(): Promise<void>;
}

/** The records of the builds in progress. */
export class RunningBuilds {
  /** Builds this engine started (their records are not leftovers). */
  private readonly mine = new Set<string>();

  constructor(
    private readonly meta: MetadataStore,
    private readonly now: () => Date,
  ) {}

  /** Records that a build started; resolves once the record is stored. */
  async start(tags: readonly string[]): Promise<RunningBuild> {
    const key = randomHex(16);
    this.mine.add(key);
    const record: InterruptedBuild = { startedAt: this.now().toISOString(), tags: [...tags], step: '' };
    // writes one after another, so the delete is always the last
    let writes: Promise<unknown> = this.meta.put(RUNNING, key, record).catch(() => {});
    await writes;
    const queue = (write: () => Promise<unknown>) => (writes = writes.then(write).catch(() => {}));
    return {
      step: (label) => {
        record.step = label;
        const copy = { ...record };
        queue(() => this.meta.put(RUNNING, key, copy));
      },
      end: async () => {
        await queue(() => this.meta.delete(RUNNING, key));
        this.mine.delete(key);
      },
    };
  }

  /** Builds whose engine went away while they ran, oldest first; each is reported once. */
  async interrupted(): Promise<InterruptedBuild[]> {
    const left = (await this.meta.list<InterruptedBuild>(RUNNING)).filter((e) => !this.mine.has(e.key));
    if (left.length === 0) return [];
    await this.meta.transaction((tx) => {
      for (const e of left) tx.delete(RUNNING, e.key);
    });
    return left
      .map((e) => ({ startedAt: e.value.startedAt, tags: e.value.tags ?? [], step: e.value.step ?? '' }))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
