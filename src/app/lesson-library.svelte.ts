/**
 * The lessons and the student's progress in each, loaded on demand (a separate chunk: the
 * playground's first paint does not wait for the lessons, their components or IndexedDB).
 */
import type { Lesson, LessonProgress } from '../content/types.ts';
import type LessonListComponent from '../ui/lessons/LessonList.svelte';
import type LessonPaneComponent from '../ui/lessons/LessonPane.svelte';
import { ProgressStore } from './progress.ts';

/** Every lesson, its components, and the progress stored for each. */
export class LessonLibrary {
  lessons: Lesson[] | undefined = $state();
  /** Why the lessons could not be loaded. */
  error: string | undefined = $state();
  /** Progress per lesson id, as stored. */
  progress: Record<string, LessonProgress> = $state({});
  LessonPane: typeof LessonPaneComponent | undefined = $state();
  LessonList: typeof LessonListComponent | undefined = $state();
  /** Where progress is kept (IndexedDB, mirrored to localStorage). */
  readonly store = new ProgressStore();

  /** Loads the lessons, their components and the stored progress, once. */
  async load(): Promise<void> {
    if (this.lessons) return;
    try {
      const [data, pane, list] = await Promise.all([
        import('virtual:lessons'),
        import('../ui/lessons/LessonPane.svelte'),
        import('../ui/lessons/LessonList.svelte'),
      ]);
      this.LessonPane = pane.default;
      this.LessonList = list.default;
      this.lessons = data.default;
      this.progress = await this.store.all();
    } catch (err) {
      this.error = `The lessons could not be loaded: ${(err as Error).message}`;
    }
  }

  /** The lesson with this id, once loaded. */
  find(id: string): Lesson | undefined {
    return this.lessons?.find((l) => l.id === id);
  }

  /** Keeps a lesson's progress (in the list and in the store). */
  save(id: string, p: LessonProgress): void {
    this.progress = { ...this.progress, [id]: p };
    void this.store.put(id, p);
  }
}
