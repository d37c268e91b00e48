/**
 * A same-thread yield for v86's emulation loop in a Web Worker. libv86 there yields after each
 * slice of emulation by posting to a nested helper Worker and waiting for its reply (a cross-thread
 * round trip per slice); in Node it uses setImmediate. This swaps in a task on the worker's own
 * event loop: `scheduler.postTask` where the browser has it, else a MessageChannel message (both
 * unclamped, unlike a nested setTimeout); a delay (the guest idles until a timer) stays a setTimeout.
 */

/** The part of libv86's internal CPU runner (`emulator.v86`) the yield swaps. */
interface EmulationLoop {
  running?: boolean;
  yield(delay: number, tick: number): void;
  yield_callback(tick: number): void;
  unregister_yield(): void;
  next_tick(delay: number): void;
}

/** What is needed of a V86 emulator. */
interface Emulator {
  v86?: unknown;
  add_listener(event: string, listener: () => void): void;
}

type PostTask = (callback: () => void, options?: { priority?: 'user-blocking' | 'user-visible' | 'background' }) => Promise<unknown>;

/** True inside a browser's Web Worker (where libv86 uses its helper Worker). */
function inBrowserWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined' && typeof process === 'undefined';
}

/** Gives `emulator` a same-thread yield once it is loaded (a no-op outside a browser worker). */
export function useSameThreadYield(emulator: Emulator): void {
  if (!inBrowserWorker()) return;
  emulator.add_listener('emulator-loaded', () => {
    const loop = emulator.v86 as EmulationLoop | undefined;
    if (!loop || typeof loop.yield_callback !== 'function') return;
    // the helper Worker goes, with the tick it was holding: the kick below takes its place
    loop.unregister_yield();
    const scheduler = (globalThis as { scheduler?: { postTask?: PostTask } }).scheduler;
    const postTask = scheduler?.postTask?.bind(scheduler);
    let channel: MessageChannel | undefined;
    let now: (tick: number) => void;
    if (postTask) {
      now = (tick) => void postTask(() => loop.yield_callback(tick), { priority: 'user-visible' });
    } else {
      channel = new MessageChannel();
      channel.port1.onmessage = (e: MessageEvent<number>) => loop.yield_callback(e.data);
      now = (tick) => channel!.port2.postMessage(tick);
    }
    loop.yield = (delay, tick) => {
      if (delay < 1) now(tick);
      else setTimeout(() => loop.yield_callback(tick), delay);
    };
    loop.unregister_yield = () => channel?.port1.close();
    if (loop.running) loop.next_tick(0);
    // which yield runs, for the bench and for anyone looking at the worker in devtools
    (globalThis as { v86Yield?: string }).v86Yield = postTask ? 'scheduler.postTask' : 'MessageChannel';
  });
}
