import { describe, expect, it } from 'vitest';
import { TabLock } from './tab-lock.svelte.ts';

/** Web Locks for one lock name, enough for ifAvailable and steal (as the spec behaves). */
class FakeLocks {
  private holder: { reject: (e: Error) => void } | undefined;
  request(_name: string, options: { ifAvailable?: boolean; steal?: boolean }, cb: (lock: unknown) => unknown): Promise<unknown> {
    if (this.holder && options.steal) {
      this.holder.reject(new DOMException('stolen', 'AbortError'));
      this.holder = undefined;
    }
    if (this.holder && options.ifAvailable) return Promise.resolve(cb(null));
    return new Promise((_resolve, reject) => {
      this.holder = { reject };
      void cb({ name: 'layerlab-machine' });
    });
  }
}

describe('TabLock', () => {
  it('the first tab owns the machine; a second one hears it is elsewhere, takes over, and the first is told', async () => {
    const locks = new FakeLocks() as unknown as LockManager;
    const first = new TabLock(locks);
    const second = new TabLock(locks);
    let taken = 0;
    first.onTaken = () => taken++;
    expect(await first.claim()).toBe(true);
    expect(first.state).toBe('owner');
    expect(await second.claim()).toBe(false);
    expect(second.state).toBe('elsewhere');
    expect(await second.claim(true)).toBe(true);
    expect(second.state).toBe('owner');
    await Promise.resolve();
    expect(first.state).toBe('taken');
    expect(taken).toBe(1);
  });

  it('owns the machine where the browser has no Web Locks', async () => {
    const lock = new TabLock(undefined);
    expect(await lock.claim()).toBe(true);
  });
});
