/**
 * One HTTP exchange over a published port's relay (the page's Preview): the request goes to the
 * container as HTTP/1.0 with `Connection: close`, so the answer is never chunked and ends when the
 * server closes the connection; the response's head is parsed and its body streams as it comes
 * (a large download is never held whole).
 */
import type { AttachedProcess } from '../api.ts';

/** What the browser asked for. */
export interface RelayRequest {
  method: string;
  /** Path and query, `/static/app.css?v=2`. */
  path: string;
  headers: [string, string][];
  body?: Uint8Array;
}

/** The container's answer: status, headers (hop-by-hop ones dropped) and the body as a stream. */
export interface RelayResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ReadableStream<Uint8Array>;
}

/** Headers that belong to one connection, not to the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
const MAX_HEAD = 64 * 1024;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function headEnd(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  return -1;
}

/** Sends `request` over `conn` (host `host`, e.g. `localhost:8080`) and resolves when the response's head has come. */
export function relayHttp(conn: AttachedProcess, request: RelayRequest, host: string): Promise<RelayResponse> {
  const lines = [`${request.method} ${request.path || '/'} HTTP/1.0`, `Host: ${host}`, 'Connection: close'];
  for (const [name, value] of request.headers) {
    const n = name.toLowerCase();
    if (n === 'host' || HOP_BY_HOP.has(n) || n === 'content-length') continue;
    lines.push(`${name}: ${value.replace(/[\r\n]/g, ' ')}`);
  }
  if (request.body?.length) lines.push(`Content-Length: ${request.body.length}`);
  conn.write(new TextEncoder().encode(lines.join('\r\n') + '\r\n\r\n'));
  if (request.body?.length) conn.write(request.body);
  // the server sees the end of the request; it can still answer on the half-closed connection
  conn.closeStdin();

  return new Promise((resolve, reject) => {
    let head: Uint8Array = new Uint8Array();
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    let done = false;
    /** The reader went away (the page stopped loading): nothing more is enqueued. */
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: () => {
        cancelled = true;
        conn.kill();
      },
    });
    conn.onStdout((data) => {
      if (cancelled) return;
      if (done) {
        controller?.enqueue(data.slice());
        return;
      }
      head = concat(head, data);
      const end = headEnd(head);
      if (end < 0) {
        if (head.length > MAX_HEAD) {
          conn.kill();
          reject(
            new Error(`the container's answer on this port has no HTTP head in its first ${MAX_HEAD / 1024} KiB: is it an HTTP server?`),
          );
        }
        return;
      }
      done = true;
      const text = new TextDecoder('latin1').decode(head.subarray(0, end));
      const [statusLine = '', ...headerLines] = text.split('\r\n');
      const m = /^HTTP\/\d\.\d (\d{3}) ?(.*)$/.exec(statusLine);
      if (!m) {
        conn.kill();
        reject(new Error(`the container answered on this port, but not in HTTP (${JSON.stringify(statusLine.slice(0, 40))})`));
        return;
      }
      const headers: [string, string][] = [];
      for (const line of headerLines) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const name = line.slice(0, i).trim();
        if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push([name, line.slice(i + 1).trim()]);
      }
      resolve({ status: Number(m[1]), statusText: m[2] ?? '', headers, body });
      const rest = head.subarray(end + 4);
      if (rest.length) controller?.enqueue(rest.slice());
    });
    void conn.exit.then(
      () => {
        if (!done) reject(new Error('the container closed the connection without an answer'));
        else if (!cancelled) controller?.close();
      },
      (err: Error) => (!done ? reject(err) : cancelled ? undefined : controller?.error(err)),
    );
  });
}
