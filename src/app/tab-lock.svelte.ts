/**
 * One tab at a time owns LayerLab's machine and its stores (the images, containers and volumes
 * in IndexedDB): two engines over the same database would each keep their own picture of it. The
 * owner holds a Web Lock for as long as it is open; another tab of the site says so and offers to
 * take over, and the tab it takes over from stops its machine and says why.
 */

const LOCK = 'layerlab-machine';

/** Who has the machine, as this tab sees it. */
export type TabLockState = 'asking' | 'owner' | 'elsewhere' | 'taken';

/** This tab's claim on the machine. */
export class TabLock {
  state: TabLockState = $state('asking');
  /** Called when another tab took the machine from this one. */
  onTaken: () => void = () => {};

  constructor(private readonly locks: LockManager | undefined = globalThis.navigator?.locks) {}

  /**
   * Claims the machine: at once when no tab has it, or from the tab that has it with `takeOver`.
   * Resolves true once this tab owns it. Without Web Locks (an old browser) every tab owns it.
   */
  claim(takeOver = false): Promise<boolean> {
    if (!this.locks) {
      this.state = 'owner';
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.locks!.request(LOCK, takeOver ? { steal: true } : { ifAvailable: true }, (lock) => {
        if (!lock) {
          this.state = 'elsewhere';
          resolve(false);
          return undefined;
        }
        this.state = 'owner';
        resolve(true);
        // held while the tab lives (never released: closing the tab releases it)
        return new Promise<void>(() => {});
      }).catch(() => {
        // the lock was stolen: another tab took the machine
        if (this.state === 'owner') {
          this.state = 'taken';
          this.onTaken();
        }
      });
    });
  }
}
