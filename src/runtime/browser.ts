/**
 * Browser environment for the guest machine (used inside the worker): guest files fetched
 * from the site's `vm/` folder with progress, v86's wasm through `wasm_fn`.
 */
import wasmUrl from 'v86/build/v86.wasm?url';
import type { MachineEnvironment } from './v86-machine.ts';

/** Fetches `url` into bytes, reporting progress as the body arrives. */
export async function fetchWithProgress(
  url: string,
  onProgress?: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const res = await fetch(url, signal ? { signal } : {});
  if (!res.ok) throw new Error(`downloading ${url}: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.(loaded, Math.max(total, loaded));
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * v86's compiled WebAssembly module, by URL: compiled once per worker, so a second machine (the
 * lesson's VM-vs-container demo) neither compiles it again nor competes with the first machine
 * for the CPU while the browser optimises a second copy.
 */
const modules = new Map<string, Promise<WebAssembly.Module>>();
function compiled(url: string): Promise<WebAssembly.Module> {
  let module = modules.get(url);
  if (!module) {
    module = WebAssembly.compileStreaming(fetch(url));
    modules.set(url, module);
    // a failed download is tried again by the next machine
    module.catch(() => modules.delete(url));
  }
  return module;
}

/** A browser environment whose guest files live under `vmBase` (an absolute URL ending in `/`). */
export function browserEnvironment(vmBase: string): MachineEnvironment {
  const wasm = new URL(wasmUrl, vmBase).href;
  return {
    fetchAsset: (name, onProgress, signal) => fetchWithProgress(new URL(name, vmBase).href, onProgress, signal),
    wasm: {
      wasm_fn: async (imports: WebAssembly.Imports) => (await WebAssembly.instantiate(await compiled(wasm), imports)).exports,
    },
  };
}
