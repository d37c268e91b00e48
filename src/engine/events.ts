/**
 * The engine's events (`docker events`): what happened to containers, images, volumes and
 * networks since the engine started, in Docker's event shape, the newest 256 kept as the
 * daemon keeps them, and live to whoever listens.
 */

/** One event as Docker's API gives it (`events.Message`, without its deprecated fields). */
export interface DockerEvent {
  Type: 'container' | 'image' | 'volume' | 'network';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** Seconds since the epoch. */
  time: number;
  /** Nanoseconds since the epoch (to the millisecond: a JavaScript number holds no more). */
  timeNano: number;
}

/** What `events()` reads: a time window (Unix seconds, fractions allowed) and, without `until`, live events until `signal`. */
export interface EventQuery {
  since?: number;
  until?: number;
  signal?: AbortSignal;
  onEvent(e: DockerEvent): void;
}

/** How many past events are kept (moby's eventsLimit). */
const KEPT = 256;

/** The event log of one engine. */
export class EventLog {
  private readonly past: DockerEvent[] = [];
  private readonly listeners = new Set<(e: DockerEvent) => void>();

  constructor(private readonly now: () => Date) {}

  /** Records an event now and hands it to the listeners. */
  record(type: DockerEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const ms = this.now().getTime();
    const e: DockerEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Math.floor(ms / 1000),
      timeNano: ms * 1e6,
    };
    this.past.push(e);
    if (this.past.length > KEPT) this.past.shift();
    for (const l of this.listeners) l(e);
  }

  /**
   * Past events from `since` (none without it, as the daemon sends), then live ones until `until`
   * passes or `signal` aborts; with `until` in the past it ends after the past ones.
   */
  async events(q: EventQuery): Promise<void> {
    const sinceMs = q.since !== undefined ? q.since * 1000 : undefined;
    const untilMs = q.until !== undefined ? q.until * 1000 : undefined;
    const inWindow = (e: DockerEvent) =>
      (sinceMs === undefined || e.timeNano / 1e6 >= sinceMs) && (untilMs === undefined || e.timeNano / 1e6 <= untilMs);
    if (sinceMs !== undefined) for (const e of [...this.past]) if (inWindow(e)) q.onEvent(e);
    const nowMs = this.now().getTime();
    if (untilMs !== undefined && untilMs <= nowMs) return;
    if (q.signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const listener = (e: DockerEvent) => {
        if (inWindow(e)) q.onEvent(e);
      };
      this.listeners.add(listener);
      const done = () => {
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve();
      };
      const timer = untilMs !== undefined ? setTimeout(done, untilMs - nowMs) : undefined;
      q.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
