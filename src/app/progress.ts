/**
 * Lesson progress (steps read, exercises passed, where the student is), kept in IndexedDB beside
 * the engine's database so it survives reloads. One record per lesson, keyed by its folder name.
 * Each write is also mirrored synchronously to localStorage: an IndexedDB write still in flight
 * when the page is left (a click on a link right after finishing a step) would otherwise be lost.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { LessonProgress } from '../content/types.ts';

export type { LessonProgress };

const MIRROR = 'layerlab.progress.';

function mirrored(lesson: string): LessonProgress | undefined {
  try {
    const raw = globalThis.localStorage?.getItem(MIRROR + lesson);
    const value = raw ? (JSON.parse(raw) as LessonProgress) : undefined;
    return value && Array.isArray(value.done) && typeof value.current === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The newer of the IndexedDB record and the localStorage mirror. */
function newest(a: LessonProgress | undefined, b: LessonProgress | undefined): LessonProgress | undefined {
  if (!a || !b) return a ?? b;
  return (b.saved ?? 0) > (a.saved ?? 0) ? b : a;
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
    try {
      for (const key of Object.keys(globalThis.localStorage ?? {})) {
        if (!key.startsWith(MIRROR)) continue;
        const lesson = key.slice(MIRROR.length);
        const best = newest(out[lesson], mirrored(lesson));
        if (best) out[lesson] = best;
      }
    } catch {
      // no localStorage: IndexedDB alone
    }
    return out;
  }

  /** One lesson's progress, or a fresh start. */
  async get(lesson: string): Promise<LessonProgress> {
    const db = await this.db;
    const found = db ? ((await db.get(STORE, lesson)) as LessonProgress | undefined) : this.memory.get(lesson);
    return newest(found, mirrored(lesson)) ?? { current: 0, done: [], opened: Date.now() };
  }

  async put(lesson: string, progress: LessonProgress): Promise<void> {
    const value: LessonProgress = {
      current: progress.current,
      done: [...progress.done],
      opened: progress.opened,
      ...(progress.started ? { started: progress.started } : {}),
      saved: Date.now(),
    };
    try {
      globalThis.localStorage?.setItem(MIRROR + lesson, JSON.stringify(value));
    } catch {
      // storage full or disabled: IndexedDB still gets it
    }
    const db = await this.db;
    if (db) await db.put(STORE, value, lesson);
    else this.memory.set(lesson, value);
  }

  /** Forgets one lesson's progress (restart). */
  async remove(lesson: string): Promise<void> {
    try {
      globalThis.localStorage?.removeItem(MIRROR + lesson);
    } catch {
      // nothing mirrored
    }
    const db = await this.db;
    if (db) await db.delete(STORE, lesson);
    this.memory.delete(lesson);
  }

  close(): void {
    void this.db.then((db) => db?.close());
  }
}
