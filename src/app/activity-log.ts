/**
 * The activity log lesson checks read: terminal commands run (with the end of what they printed),
 * builds finished, and containers and volumes removed, newest last, each stamped with when it
 * happened. Kept in IndexedDB beside the engine's database, so a student who reloads the page
 * mid-lesson does not have to run a command again for `ran:`/`build:`/`removed:` checks to see it.
 * Bounded: the newest `limit` of each kind.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { BuildRecord, CommandRecord, RemovalRecord } from '../content/checks.ts';

const KINDS = ['commands', 'builds', 'removals'] as const;
type Kind = (typeof KINDS)[number];
type RecordOf<K extends Kind> = K extends 'commands' ? CommandRecord : K extends 'builds' ? BuildRecord : RemovalRecord;

/** The log; works in memory alone when IndexedDB is unavailable (then a reload forgets it). */
export class ActivityLog {
  private readonly commands: CommandRecord[] = [];
  private readonly builds: BuildRecord[] = [];
  private readonly removals: RemovalRecord[] = [];
  private readonly db: Promise<IDBPDatabase | undefined>;
  /** Resolves once the stored records are loaded (appends before that are kept and merged). */
  readonly ready: Promise<void>;

  /** Opens (or creates) the log in the IndexedDB database `name`; `limit` records of each kind are kept. */
  constructor(
    name: string,
    private readonly limit = 200,
  ) {
    // version 2 added removals; an older log keeps its commands and builds
    this.db = openDB(name, 2, {
      upgrade(db) {
        for (const kind of KINDS) if (!db.objectStoreNames.contains(kind)) db.createObjectStore(kind, { autoIncrement: true });
      },
    }).catch(() => undefined);
    this.ready = this.load();
  }

  private async load(): Promise<void> {
    const db = await this.db;
    if (!db) return;
    try {
      const [commands, builds, removals] = await Promise.all([
        db.getAll('commands') as Promise<CommandRecord[]>,
        db.getAll('builds') as Promise<BuildRecord[]>,
        db.getAll('removals') as Promise<RemovalRecord[]>,
      ]);
      // records appended while loading are newer than anything stored
      this.commands.unshift(...commands.filter((r) => typeof r?.at === 'number'));
      this.builds.unshift(...builds.filter((r) => typeof r?.at === 'number'));
      this.removals.unshift(...removals.filter((r) => typeof r?.at === 'number'));
      this.trim(this.commands);
      this.trim(this.builds);
      this.trim(this.removals);
    } catch {
      // an unreadable log is an empty one: checks then ask the student to run the command again
    }
  }

  private trim(list: unknown[]): void {
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
  }

  /** Appends a finished command; resolves once it is stored (or storing failed). */
  addCommand(record: CommandRecord): Promise<void> {
    return this.add('commands', this.commands, record);
  }

  /** Appends a finished build; resolves once it is stored (or storing failed). */
  addBuild(record: BuildRecord): Promise<void> {
    return this.add('builds', this.builds, record);
  }

  /** Appends a removed container or volume; resolves once it is stored (or storing failed). */
  addRemoval(record: RemovalRecord): Promise<void> {
    return this.add('removals', this.removals, record);
  }

  /** Writes one at a time, in order: a resolved add means every earlier add is stored too. */
  private writes: Promise<void> = Promise.resolve();

  private add<K extends Kind>(kind: K, list: RecordOf<K>[], record: RecordOf<K>): Promise<void> {
    list.push(record);
    this.trim(list);
    this.writes = this.writes.then(() => this.store(kind, record));
    return this.writes;
  }

  private async store(kind: Kind, record: RecordOf<Kind>): Promise<void> {
    const db = await this.db;
    if (!db) return;
    try {
      const tx = db.transaction(kind, 'readwrite');
      await tx.store.add(record);
      // drop the oldest beyond the limit
      const keys = await tx.store.getAllKeys();
      for (const key of keys.slice(0, Math.max(0, keys.length - this.limit))) await tx.store.delete(key);
      await tx.done;
    } catch {
      // storage full or closed: the in-memory log still serves this page
    }
  }

  /** What finished at or after `since` (ms since the epoch), oldest first. */
  async since(since: number): Promise<{ commands: CommandRecord[]; builds: BuildRecord[]; removals: RemovalRecord[] }> {
    await this.ready;
    return {
      commands: this.commands.filter((r) => r.at >= since),
      builds: this.builds.filter((r) => r.at >= since),
      removals: this.removals.filter((r) => r.at >= since),
    };
  }
}
