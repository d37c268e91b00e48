/**
 * Errors as they cross a worker boundary (postMessage cannot carry Error subclasses).
 */

/** An error flattened for postMessage. */
export interface WireError {
  name: string;
  message: string;
}

/** Flattens an error for postMessage. */
export function toWire(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
