/**
 * Restart policies (`docker run --restart`), as the daemon's restart manager keeps them while the
 * machine runs: which containers were stopped by hand (never restarted until started again), the
 * delay before each restart (100 ms, doubled on each restart up to a minute, back to 100 ms once
 * the container ran 10 seconds), and the restarts waiting out that delay.
 */
import type { ContainerRecord } from './types.ts';

/** The first restart's delay and the longest, as in moby's restartmanager. */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** A container that ran this long before exiting starts again from the first delay. */
const RESET_AFTER_MS = 10_000;

/** The restart manager of one container manager. */
export class RestartPolicies {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly delays = new Map<string, number>();
  private readonly manual = new Set<string>();

  /** `docker stop`, `docker kill` or `docker rm -f` is ending the container: its exit is not restarted. */
  stoppedByHand(id: string): void {
    this.manual.add(id);
  }

  /** Whether the exit now being recorded came from a stop by hand (and forgets that it did). */
  takeStoppedByHand(id: string): boolean {
    return this.manual.delete(id);
  }

  /**
   * How long to wait before restarting `r`, which exited with `code` at `finishedAt`, or undefined
   * to leave it exited (no policy, on-failure with status 0 or out of retries).
   */
  delayFor(r: ContainerRecord, code: number, finishedAt: string): number | undefined {
    const policy = r.hostConfig.restartPolicy;
    if (!policy || policy.Name === 'no') return undefined;
    if (policy.Name === 'on-failure' && (code === 0 || (policy.MaximumRetryCount > 0 && r.restartCount >= policy.MaximumRetryCount)))
      return undefined;
    const ran = Date.parse(finishedAt) - Date.parse(r.state.startedAt);
    const last = ran >= RESET_AFTER_MS ? 0 : (this.delays.get(r.id) ?? 0);
    const delay = last === 0 ? FIRST_DELAY_MS : Math.min(last * 2, MAX_DELAY_MS);
    this.delays.set(r.id, delay);
    return delay;
  }

  /** Runs `restart` after `ms` unless cancelled first. */
  schedule(id: string, ms: number, restart: () => Promise<void>): void {
    this.cancel(id);
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        void restart().catch(() => {});
      }, ms),
    );
  }

  /** Drops a waiting restart (the container was started, stopped or removed meanwhile). */
  cancel(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  /** Forgets everything about a container (it was removed). */
  forget(id: string): void {
    this.cancel(id);
    this.delays.delete(id);
    this.manual.delete(id);
  }
}
