import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgressStore } from './progress.ts';

/** A localStorage stand-in for Node (the mirror's storage). */
class MemoryStorage {
  [key: string]: unknown;
  getItem(k: string) {
    return Object.hasOwn(this, k) ? (this[k] as string) : null;
  }
  setItem(k: string, v: string) {
    this[k] = String(v);
  }
  removeItem(k: string) {
    delete this[k];
  }
}

describe('ProgressStore', () => {
  beforeEach(() => {
    (globalThis as { localStorage?: unknown }).localStorage = new MemoryStorage();
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('keeps progress in IndexedDB across store instances, and forgets it on restart', async () => {
    const name = `progress-${Math.random()}`;
    const a = new ProgressStore(name);
    await a.put('01-x', { current: 2, done: ['s1', 's2'], opened: 1, started: 1 });
    a.close();
    delete (globalThis as { localStorage?: unknown }).localStorage; // only IndexedDB left
    const b = new ProgressStore(name);
    expect(await b.get('01-x')).toMatchObject({ current: 2, done: ['s1', 's2'], started: 1 });
    expect(Object.keys(await b.all())).toEqual(['01-x']);
    await b.remove('01-x');
    expect(await b.get('01-x')).toMatchObject({ current: 0, done: [] });
  });

  it('a write the page left before IndexedDB finished is still found through the mirror', async () => {
    const name = `progress-${Math.random()}`;
    const a = new ProgressStore(name);
    await a.put('02-y', { current: 1, done: ['s1'], opened: 1 });
    // the last step's write reached localStorage only (the page navigated away)
    localStorage.setItem(
      'layerlab.progress.02-y',
      JSON.stringify({ current: 4, done: ['s1', 's2', 's3', 's4', 's5'], opened: 1, saved: Date.now() + 1000 }),
    );
    const b = new ProgressStore(name);
    expect((await b.all())['02-y']!.done).toHaveLength(5);
    expect((await b.get('02-y')).current).toBe(4);
  });
});
