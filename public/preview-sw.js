/*
 * LayerLab's Preview: a service worker for the pages under preview/ (registered with that scope
 * by src/app/preview.ts). `preview/8080/…` means what a browser would get from localhost:8080
 * on a Docker host: each request is handed to the LayerLab page that runs the machine, whose
 * engine relays it through the guest agent to the container publishing host port 8080, and the
 * answer streams back. A page inside a preview that asks for an absolute path (`/static/app.css`)
 * means its own server's path: the worker knows the port from the asking page's address.
 */
/* eslint-env serviceworker */
const scope = new URL(self.registration.scope);
const PREFIX = new RegExp(`^${scope.pathname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)(/.*)?$`);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== scope.origin) return;
  event.respondWith(handle(event, url));
});

/** The host port and path a request means, from its own address or from the preview page asking. */
async function target(event, url) {
  const own = PREFIX.exec(url.pathname);
  if (own) return { port: Number(own[1]), path: (own[2] || '/') + url.search };
  const client = event.clientId ? await self.clients.get(event.clientId) : undefined;
  const from = client ? PREFIX.exec(new URL(client.url).pathname) : null;
  if (from) return { port: Number(from[1]), path: url.pathname + url.search };
  return undefined;
}

async function handle(event, url) {
  const t = await target(event, url);
  if (!t) return fetch(event.request);
  const body = ['GET', 'HEAD'].includes(event.request.method) ? undefined : new Uint8Array(await event.request.arrayBuffer());
  const request = { method: event.request.method, path: t.path, headers: [...event.request.headers], body };
  const pages = (await self.clients.matchAll({ type: 'window', includeUncontrolled: true })).filter(
    (c) => !PREFIX.test(new URL(c.url).pathname),
  );
  for (const page of pages) {
    const response = await ask(page, t.port, request);
    if (response) return response;
  }
  return message(503, `Port ${t.port}: no LayerLab page is running the machine. Open LayerLab (or reload it) and try again.`);
}

/** Asks one LayerLab page; resolves to a Response, or undefined when that page does not run the machine. */
function ask(page, port, request) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    let controller;
    const timer = setTimeout(() => resolve(undefined), 15000);
    channel.port1.onmessage = (e) => {
      const m = e.data;
      if (m.kind === 'skip') {
        clearTimeout(timer);
        resolve(undefined);
      } else if (m.kind === 'error') {
        clearTimeout(timer);
        if (controller) controller.error(new Error(m.message));
        else resolve(message(502, m.message));
      } else if (m.kind === 'head') {
        clearTimeout(timer);
        const body =
          request.method === 'HEAD' || m.status === 204 || m.status === 304
            ? null
            : new ReadableStream({
                start: (c) => void (controller = c),
                cancel: () => channel.port1.postMessage({ kind: 'cancel' }),
              });
        try {
          resolve(new Response(body, { status: m.status, statusText: m.statusText, headers: m.headers }));
        } catch (err) {
          resolve(message(502, `The container answered with something a browser cannot show (${err.message}).`));
        }
      } else if (m.kind === 'chunk') controller?.enqueue(new Uint8Array(m.data));
      else if (m.kind === 'end') controller?.close();
    };
    page.postMessage({ type: 'layerlab-preview', port, request }, [channel.port2]);
  });
}

function message(status, text) {
  const html = `<!doctype html><meta charset="utf-8"><title>Preview</title><body style="font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#333"><h1 style="font-size:1.2rem">LayerLab Preview</h1><p>${text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\n/g, '<br>')}</p></body>`;
  return new Response(html, { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
