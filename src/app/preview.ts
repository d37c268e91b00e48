/**
 * The page's side of the Preview: registers the service worker that owns `preview/` (see
 * public/preview-sw.js) and answers its requests through the engine worker, streaming each
 * answer back on the MessagePort the service worker gave. A page that does not run the machine
 * (another tab has it) says so, and the service worker asks the next one.
 */
import type { RelayRequest } from '../engine/networks/http-relay.ts';
import type { EngineClient } from './engine-client.ts';

/** The Preview address of a host port, under the site's base. */
export function previewUrl(hostPort: number, path = '/'): string {
  return `${import.meta.env.BASE_URL}preview/${hostPort}${path}`;
}

/** Starts serving previews for this page (a no-op where the browser has no service workers). */
export function servePreviews(client: () => EngineClient | undefined): void {
  if (!('serviceWorker' in navigator)) return;
  const base = import.meta.env.BASE_URL;
  navigator.serviceWorker.register(`${base}preview-sw.js`, { scope: `${base}preview/` }).catch((err: Error) => {
    console.warn(`LayerLab: the Preview's service worker could not be registered: ${err.message}`);
  });
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent<{ type?: string; port: number; request: RelayRequest }>) => {
    if (e.data?.type !== 'layerlab-preview') return;
    const reply = e.ports[0];
    if (!reply) return;
    const c = client();
    if (!c) {
      reply.postMessage({ kind: 'skip' });
      return;
    }
    const cancel = c.preview(e.data.port, e.data.request, {
      head: (status, statusText, headers) => reply.postMessage({ kind: 'head', status, statusText, headers }),
      chunk: (data) => reply.postMessage({ kind: 'chunk', data }, [data.buffer]),
      end: () => reply.postMessage({ kind: 'end' }),
      error: (message) => reply.postMessage({ kind: 'error', message }),
    });
    reply.onmessage = (m: MessageEvent<{ kind?: string }>) => {
      if (m.data?.kind === 'cancel') cancel();
    };
  });
}

/**
 * Inside a Preview frame, a link or form of the previewed app that points at an absolute path
 * (`/about`) leaves `preview/PORT/` and loads LayerLab itself; this sends it back where it meant
 * to go. Returns true when it redirects (the caller then mounts nothing).
 */
export function returnToPreview(): boolean {
  let port: string | undefined;
  try {
    port = (window.frameElement as HTMLElement | null)?.dataset.previewPort;
  } catch {
    return false;
  }
  if (!port) return false;
  location.replace(
    previewUrl(Number(port), location.pathname.slice(import.meta.env.BASE_URL.length - 1) + location.search + location.hash),
  );
  return true;
}
