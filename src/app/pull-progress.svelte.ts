/**
 * The terminal's download bar: the image pull in progress, from the engine's pull events (per
 * layer, bytes so far and in all), cleared a moment after the pull ends.
 */
import type { PullEvent } from '../engine/api.ts';

/** One image download, layer by layer. */
export interface PullState {
  reference: string;
  layers: Record<string, { current: number; total: number }>;
}

/** Follows pull events and says what the download bar shows. */
export class PullProgress {
  /** The download in progress, if any. */
  current: PullState | undefined = $state();
  /** Bytes downloaded so far, all layers. */
  readonly done = $derived(this.current ? Object.values(this.current.layers).reduce((n, l) => n + l.current, 0) : 0);
  /** Bytes to download, all layers. */
  readonly total = $derived(this.current ? Object.values(this.current.layers).reduce((n, l) => n + l.total, 0) : 0);

  /** Takes one of the engine's pull events for `reference`. */
  event(reference: string, e: PullEvent): void {
    if (e.status.startsWith('Error:')) {
      if (this.current?.reference === reference) this.current = undefined;
      return;
    }
    if (!this.current || this.current.reference !== reference) this.current = { reference, layers: {} };
    if (e.status === 'Downloading' && e.total) this.current.layers[e.id] = { current: e.current ?? 0, total: e.total };
    if (e.status.startsWith('Status:') || e.status.startsWith('Digest:')) {
      const ended = this.current;
      setTimeout(() => {
        if (this.current === ended) this.current = undefined;
      }, 800);
    }
  }
}
