/**
 * Leases, after containerd's: an operation that writes blobs before the records that refer to them
 * (a pull, a load, a build, a commit, a push, a copy into a stopped container) holds a lease while
 * it runs, and garbage collection never sweeps while any lease is held. A collection asked for
 * meanwhile is not lost: it runs once the last lease ends (or the caller waits for it).
 */

/** The leases of one engine. */
export class Leases {
  private held = 0;
  private waiters: (() => void)[] = [];

  /** Whether any lease is held now. */
  get active(): boolean {
    return this.held > 0;
  }

  /** Runs `fn` under a lease: no collection sweeps until it ends (however it ends). */
  async hold<T>(fn: () => Promise<T>): Promise<T> {
    this.held++;
    try {
      return await fn();
    } finally {
      this.held--;
      if (this.held === 0) for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Resolves when no lease is held (at once if none is). */
  idle(): Promise<void> {
    return this.held === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
