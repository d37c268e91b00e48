/**
 * Messages between the page and the machine's module Web Worker (worker.ts ↔ remote.ts).
 */
import type { ExitStatus, MachineProgress, MachineStatus, SpawnSpec } from './types.ts';

/** An error as it crosses the worker boundary. */
export interface WireError {
  name: string;
  message: string;
}

/** Page → worker. */
export type ToWorker =
  | { t: 'start'; boot: 'auto' | 'cold' | 'snapshot'; vmBase: string }
  | { t: 'spawn'; id: number; spec: SpawnSpec }
  | { t: 'stdin'; id: number; data: Uint8Array }
  | { t: 'stdinEof'; id: number }
  | { t: 'signal'; id: number; signal: number }
  | { t: 'resize'; id: number; rows: number; cols: number }
  | { t: 'consumed'; id: number; bytes: number }
  | { t: 'writeFile'; req: number; path: string; data: Uint8Array }
  | { t: 'readFile'; req: number; path: string }
  | { t: 'ping'; req: number; timeoutMs?: number }
  | { t: 'stop' };

/** Worker → page. */
export type FromWorker =
  | { t: 'progress'; progress: MachineProgress }
  | { t: 'status'; status: MachineStatus }
  | { t: 'startFailed'; error: WireError }
  | { t: 'started'; id: number; pid: number }
  | { t: 'spawnFailed'; id: number; error: WireError }
  | { t: 'out'; id: number; stream: 'stdout' | 'stderr'; data: Uint8Array }
  | { t: 'exit'; id: number; status: ExitStatus }
  | { t: 'lost'; id: number; error: WireError }
  | { t: 'reply'; req: number; ok: true; value?: unknown }
  | { t: 'reply'; req: number; ok: false; error: WireError };

/** Flattens an error for postMessage. */
export function toWire(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
