/**
 * A test double of a registry server: a `fetch` function over a LocalRegistry in memory that
 * answers the distribution API endpoints the client uses (ping, blobs, chunked and monolithic
 * uploads with their status, cross-repository mounts, manifests), with Basic auth or a Bearer
 * token server, and that can be told to fail mid-transfer. Unit tests only.
 */
import { sha256Digest } from '../../oci/digest.ts';
import { MemoryBlobStore, MemoryMetadataStore } from '../../store/index.ts';
import { ERROR_MESSAGES, LocalRegistry, registryErrorCode } from '../registry.ts';

/** How the double authenticates. */
export type FakeAuth =
  | { kind: 'none' }
  | { kind: 'basic'; users: Record<string, string> }
  | { kind: 'bearer'; users: Record<string, string>; anonymousPull?: boolean };

/** One request the double saw. */
export interface SeenRequest {
  method: string;
  /** Path and query on the registry (`/v2/web/blobs/uploads/…`), or the token URL. */
  path: string;
  status: number;
  /** Bytes of the request body. */
  bytes: number;
  authorization?: string;
}

/** What `fail` may answer: a network failure (no answer), a body cut after its first chunk, or a status. */
export type Failure = 'network' | 'cut' | number | undefined;

/** The realm of the double's token server. */
export const TOKEN_REALM = 'http://auth.test/token';
const enc = new TextEncoder();

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 || status === 201 || status === 202 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ code, message, detail: null }] }), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A body streamed in 64 KiB chunks; `cut` errors the stream after the first chunk. */
function streamed(bytes: Uint8Array, cut: boolean): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (cut && at > 0) {
        controller.error(new TypeError('terminated'));
        return;
      }
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(at, at + 65536));
      at += 65536;
    },
  });
}

/** The registry double. `fetch` is what the engine is given. */
export class FakeRegistry {
  readonly blobs = new MemoryBlobStore();
  readonly meta = new MemoryMetadataStore();
  readonly registry = new LocalRegistry({ blobs: this.blobs, meta: this.meta });
  readonly requests: SeenRequest[] = [];
  /** Every fetch fails as a page's does when CORS forbids reading the answer. */
  cors = false;
  /** Decides a failure for a request (by method and path). */
  fail: (req: { method: string; path: string }) => Failure = () => undefined;
  /** Upload Location headers are absolute URLs (distribution's default) rather than paths. */
  absoluteLocations = false;
  private readonly uploads = new Map<string, { repo: string; parts: Uint8Array[] }>();
  private readonly tokens = new Map<string, { user?: string; scopes: string[] }>();
  private seq = 0;

  constructor(
    readonly host = '127.0.0.1:5001',
    public auth: FakeAuth = { kind: 'none' },
  ) {}

  /** The fetch the engine uses. */
  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    const body = init?.body instanceof Uint8Array ? init.body : new Uint8Array(0);
    const path = url.pathname + url.search;
    if (init?.signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    if (this.cors) throw new TypeError('Failed to fetch');
    const failure = this.fail({ method, path });
    if (failure === 'network') throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET', message: 'socket hang up' } });
    const seen: SeenRequest = { method, path: url.host === this.host ? path : url.href, status: 0, bytes: body.length };
    const authorization = headers.get('authorization');
    if (authorization) seen.authorization = authorization;
    this.requests.push(seen);
    let r: Response;
    if (typeof failure === 'number') r = errorResponse(failure, 'UNKNOWN', 'unknown error');
    else if (url.href.startsWith(TOKEN_REALM)) r = this.token(url, authorization);
    else if (url.host !== this.host) throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
    else r = await this.serve(method, url, headers, body, failure === 'cut');
    seen.status = r.status;
    return r;
  };

  /** The token server: a token for the asked scopes if the Basic login is right (or anonymous pulls are allowed). */
  private token(url: URL, authorization: string | null): Response {
    if (this.auth.kind !== 'bearer') return errorResponse(404, 'NOT_FOUND', 'no token server');
    let user: string | undefined;
    if (authorization) {
      const [u = '', ...rest] = atob(authorization.replace(/^Basic /, '')).split(':');
      if (this.auth.users[u] !== rest.join(':')) return json(401, { details: 'incorrect username or password' });
      user = u;
    }
    const scopes = url.searchParams.getAll('scope');
    const token = `token-${++this.seq}`;
    this.tokens.set(token, { ...(user ? { user } : {}), scopes });
    return json(200, { token, access_token: token, expires_in: 300 });
  }

  /** Whether the request may go on; else the 401 to send. */
  private authorize(authorization: string | null, repo: string | undefined, action: 'pull' | 'push'): Response | undefined {
    const auth = this.auth;
    if (auth.kind === 'none') return undefined;
    if (auth.kind === 'basic') {
      if (authorization?.startsWith('Basic ')) {
        const [u = '', ...rest] = atob(authorization.slice(6)).split(':');
        if (auth.users[u] === rest.join(':')) return undefined;
      }
      return errorResponse(401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': 'Basic realm="Registry Realm"' });
    }
    const scope = repo ? `repository:${repo}:${action === 'pull' ? 'pull' : 'pull,push'}` : undefined;
    const challenge = `Bearer realm="${TOKEN_REALM}",service="fake-registry"${scope ? `,scope="${scope}"` : ''}`;
    const t = authorization?.startsWith('Bearer ') ? this.tokens.get(authorization.slice(7)) : undefined;
    const allowed =
      t &&
      (repo === undefined ||
        t.scopes.some((s) => {
          const [kind, name, actions = ''] = s.split(':');
          return (
            kind === 'repository' &&
            name === repo &&
            actions.split(',').includes(action) &&
            (t.user || (action === 'pull' && auth.anonymousPull))
          );
        }));
    if (allowed) return undefined;
    return errorResponse(401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': challenge });
  }

  private location(path: string): string {
    return this.absoluteLocations ? `http://${this.host}${path}` : path;
  }

  private async serve(method: string, url: URL, headers: Headers, body: Uint8Array, cut: boolean): Promise<Response> {
    if (url.pathname === '/v2/' || url.pathname === '/v2')
      return this.authorize(headers.get('authorization'), undefined, 'pull') ?? json(200, {});
    const m = /^\/v2\/(.+)\/(blobs\/uploads|blobs|manifests)\/(.*)$/.exec(url.pathname);
    if (!m) return errorResponse(404, 'NOT_FOUND', 'page not found');
    const [, repo = '', kind, rest = ''] = m;
    const write = !(method === 'GET' || method === 'HEAD');
    const denied = this.authorize(headers.get('authorization'), repo, write ? 'push' : 'pull');
    if (denied) return denied;
    if (kind === 'blobs/uploads' && url.searchParams.get('from') && (await this.mountable(url, headers))) {
      const digest = url.searchParams.get('mount') ?? '';
      if (await this.registry.mountBlob(repo, digest, url.searchParams.get('from') ?? ''))
        return json(201, null, { Location: this.location(`/v2/${repo}/blobs/${digest}`), 'Docker-Content-Digest': digest });
    }
    try {
      if (kind === 'blobs/uploads') return await this.upload(method, repo, rest, url, headers, body);
      if (kind === 'blobs') {
        const info = await this.registry.headBlob(repo, rest);
        if (!info)
          return method === 'HEAD' ? new Response(null, { status: 404 }) : errorResponse(404, 'BLOB_UNKNOWN', ERROR_MESSAGES.BLOB_UNKNOWN);
        const h = { 'Content-Length': String(info.size), 'Docker-Content-Digest': info.digest, 'Content-Type': 'application/octet-stream' };
        if (method === 'HEAD') return new Response(null, { status: 200, headers: h });
        return new Response(streamed(await this.registry.getBlob(repo, rest), cut), { status: 200, headers: h });
      }
      if (method === 'PUT') {
        const type = headers.get('content-type') ?? '';
        const digest = await this.registry.putManifest(repo, rest, body, type);
        return json(201, null, { 'Docker-Content-Digest': digest, Location: this.location(`/v2/${repo}/manifests/${digest}`) });
      }
      const got = await this.registry.getManifest(repo, rest);
      const h = { 'Content-Type': got.mediaType, 'Docker-Content-Digest': got.digest, 'Content-Length': String(got.bytes.length) };
      return new Response(method === 'HEAD' ? null : (got.bytes as BodyInit), { status: 200, headers: h });
    } catch (err) {
      const code = registryErrorCode(err);
      if (!code) throw err;
      const status = code === 'BLOB_UNKNOWN' || code === 'MANIFEST_UNKNOWN' || code === 'NAME_UNKNOWN' ? 404 : 400;
      return method === 'HEAD' ? new Response(null, { status }) : errorResponse(status, code, ERROR_MESSAGES[code]);
    }
  }

  /** A mount needs pull access to the source repository too. */
  private async mountable(url: URL, headers: Headers): Promise<boolean> {
    return !this.authorize(headers.get('authorization'), url.searchParams.get('from') ?? undefined, 'pull');
  }

  private uploadHeaders(repo: string, id: string, size: number): Record<string, string> {
    return {
      Location: this.location(`/v2/${repo}/blobs/uploads/${id}?_state=s${size}`),
      Range: `0-${Math.max(0, size - 1)}`,
      'Docker-Upload-UUID': id,
    };
  }

  private async upload(method: string, repo: string, id: string, url: URL, headers: Headers, body: Uint8Array): Promise<Response> {
    if (method === 'POST' && id === '') {
      const digest = url.searchParams.get('digest');
      if (digest) {
        await this.registry.putBlob(repo, digest, body);
        return json(201, null, { Location: this.location(`/v2/${repo}/blobs/${digest}`), 'Docker-Content-Digest': digest });
      }
      const uuid = `u${++this.seq}`;
      this.uploads.set(uuid, { repo, parts: [] });
      return json(202, null, this.uploadHeaders(repo, uuid, 0));
    }
    const up = this.uploads.get(id);
    if (!up || up.repo !== repo) return errorResponse(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    const size = up.parts.reduce((n, p) => n + p.length, 0);
    if (method === 'GET') return json(204, null, this.uploadHeaders(repo, id, size));
    if (method === 'DELETE') {
      this.uploads.delete(id);
      return json(204, null);
    }
    if (method === 'PATCH') {
      const range = /^(\d+)-(\d+)$/.exec(headers.get('content-range') ?? '');
      if (range && (Number(range[1]) !== size || Number(range[2]) - Number(range[1]) + 1 !== body.length))
        return errorResponse(416, 'BLOB_UPLOAD_INVALID', 'blob upload invalid');
      up.parts.push(body.slice());
      return json(202, null, this.uploadHeaders(repo, id, size + body.length));
    }
    if (method === 'PUT') {
      const digest = url.searchParams.get('digest') ?? '';
      const all = concat([...up.parts, body]);
      if ((await sha256Digest(all)) !== digest) return errorResponse(400, 'DIGEST_INVALID', ERROR_MESSAGES.DIGEST_INVALID);
      await this.registry.putBlob(repo, digest, all);
      this.uploads.delete(id);
      return json(201, null, { Location: this.location(`/v2/${repo}/blobs/${digest}`), 'Docker-Content-Digest': digest });
    }
    return errorResponse(405, 'UNSUPPORTED', ERROR_MESSAGES.UNSUPPORTED);
  }

  /** Stores a document (an index, say) directly, as another client would have pushed it. */
  async putManifest(repo: string, tag: string, doc: unknown, mediaType: string): Promise<string> {
    return this.registry.putManifest(repo, tag, enc.encode(JSON.stringify(doc)), mediaType);
  }
}
