/**
 * Lesson progress (steps read, exercises passed, where the student is), kept in IndexedDB beside
 * the engine's database so it survives reloads. One record per lesson, keyed by its folder name.
 */
import { openDB, type IDBPDatabase } from 'idb';

/** What a student has done in one lesson. */
export interface LessonProgress {
  /** Index of the step shown. */
  current: number;
  /** Steps read (without exercise) or passed (with one), by step id. */
  done: string[];
  /** When the lesson was last opened (ms since the epoch). */
  opened: number;
}

export const PROGRESS_DB = 'layerlab-progress';
const STORE = 'lessons';

/** The progress store; falls back to memory when IndexedDB is unavailable (then nothing is kept). */
export class ProgressStore {
  private db: Promise<IDBPDatabase | undefined>;
  private readonly memory = new Map<string, LessonProgress>();

  constructor(name = PROGRESS_DB) {
    this.db = openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore(STORE);
      },
    }).catch(() => undefined);
  }

  /** Every lesson's progress. */
  async all(): Promise<Record<string, LessonProgress>> {
    const db = await this.db;
    if (!db) return Object.fromEntries(this.memory);
    const out: Record<string, LessonProgress> = {};
    const keys = (await db.getAllKeys(STORE)) as string[];
    const values = (await db.getAll(STORE)) as LessonProgress[];
    keys.forEach((k, i) => (out[k] = values[i]!));
    return out;
  }

  /** One lesson's progress, or a fresh start. */
  async get(lesson: string): Promise<LessonProgress> {
    const db = await this.db;
    const found = db ? ((await db.get(STORE, lesson)) as LessonProgress | undefined) : this.memory.get(lesson);
    return found ?? { current: 0, done: [], opened: Date.now() };
  }

  async put(lesson: string, progress: LessonProgress): Promise<void> {
    const value = { current: progress.current, done: [...progress.done], opened: progress.opened };
    const db = await this.db;
    if (db) await db.put(STORE, value, lesson);
    else this.memory.set(lesson, value);
  }

  /** Forgets one lesson's progress (restart). */
  async remove(lesson: string): Promise<void> {
    const db = await this.db;
    if (db) await db.delete(STORE, lesson);
    this.memory.delete(lesson);
  }

  close(): void {
    void this.db.then((db) => db?.close());
  }
}
