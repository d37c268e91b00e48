/**
 * The HTTP side of the OCI Distribution API client: where a registry host is (loopback hosts over
 * plain http, as Docker treats them as insecure registries; others over https; `docker.io` at
 * `registry-1.docker.io`), one request with authentication (a `GET /v2/` ping learns the
 * challenge; Basic or Bearer tokens cached per scope; one retry after a 401), and errors worded as
 * Docker's: the distribution error JSON (`unauthorized: authentication required`), transport
 * errors as Go prints them (`Get "http://…/v2/": …`), and in the page a request that gets no
 * answer said to be the registry's CORS configuration.
 */
import { OperationCancelledError, UnavailableError } from '../../errors.ts';
import type { RegistryMemory, StoredLogin } from '../credentials.ts';
import { basicAuthorization, parseChallenges, tokenOf, tokenUrl, type Challenge } from './auth.ts';

/** What the remote client is given by the engine. */
export interface RemoteDeps {
  /** The HTTP client (`globalThis.fetch` in the page and in Node; a test double in unit tests). */
  fetch: typeof fetch;
  /** Logins, blob sources and unfinished uploads. */
  memory: RegistryMemory;
  /**
   * The page's origin when requests are made from a page (CORS applies): then a request that gets
   * no answer is explained as the registry's CORS configuration. Absent in Node.
   */
  origin?: string;
}

/** Where a registry is. */
export interface Endpoint {
  /** The host as references and logins name it (`127.0.0.1:5001`, `docker.io`). */
  host: string;
  /** `http://127.0.0.1:5001` or `https://registry-1.docker.io`, without a trailing slash. */
  base: string;
}

/** Docker Hub's names: references say `docker.io`, logins `https://index.docker.io/v1/`. */
const HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** Whether `host` (with or without a port) is a loopback address: `localhost`, `127.0.0.0/8`, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** `docker.io` for any of Docker Hub's names, else the host itself. */
export function canonicalHost(host: string): string {
  return HUB_NAMES.has(host.toLowerCase()) ? 'docker.io' : host;
}

/** Where the registry `host` is: loopback over http, others over https, Docker Hub at registry-1.docker.io. */
export function endpointFor(host: string): Endpoint {
  const h = canonicalHost(host);
  if (h === 'docker.io') return { host: h, base: 'https://registry-1.docker.io' };
  return { host: h, base: `${isLoopbackHost(h) ? 'http' : 'https'}://${h}` };
}

/** One distribution-spec error of a response body. */
export interface DistributionError {
  code: string;
  message: string;
  detail?: unknown;
}

/** An answer from a registry that is an error: its status, the spec's errors, and Docker's wording. */
export class RegistryResponseError extends UnavailableError {
  override name = 'RegistryResponseError';
  constructor(
    message: string,
    /** The HTTP status (0 when there was no answer). */
    readonly status: number,
    /** The errors of the body (`{ errors: [...] }`), maybe none. */
    readonly errors: readonly DistributionError[],
    /** `Get "URL"`: what was asked, as Go's url.Error starts. */
    readonly request: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The first error code of the body (`MANIFEST_UNKNOWN`), if any. */
  get code(): string | undefined {
    return this.errors[0]?.code;
  }

  /** The message with what was asked in front: `Head "http://…": no basic auth credentials`. */
  withRequest(): string {
    return `${this.request}: ${this.message}`;
  }
}

/** `manifest unknown: manifest unknown`: errcode's `code words: message`. */
export function errcodeText(e: DistributionError): string {
  return `${e.code.toLowerCase().replaceAll('_', ' ')}: ${e.message}`;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  416: 'Requested Range Not Satisfiable',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** `Get "http://host/v2/"`, as Go's url.Error names a request. */
export function requestName(method: string, url: string): string {
  return `${method[0]}${method.slice(1).toLowerCase()} ${JSON.stringify(url)}`;
}

/** Reads a registry's error answer into a RegistryResponseError worded as Docker's distribution client does. */
export async function responseError(response: Response, method: string, url: string): Promise<RegistryResponseError> {
  let errors: DistributionError[] = [];
  try {
    const text = method === 'HEAD' ? '' : await response.text();
    const body = JSON.parse(text) as { errors?: unknown; details?: unknown };
    if (Array.isArray(body.errors))
      errors = body.errors
        .filter((e): e is DistributionError => typeof (e as DistributionError)?.code === 'string')
        .map((e) => ({ code: e.code, message: typeof e.message === 'string' ? e.message : '', detail: e.detail }));
    // token servers (Docker Hub's) answer {"details": "incorrect username or password"}
    else if (typeof body.details === 'string') errors = [{ code: 'UNAUTHORIZED', message: body.details }];
  } catch {
    // not JSON: the status says it
  }
  const status = response.status;
  let message: string;
  if (errors[0]) message = errcodeText(errors[0]);
  else if (status === 401) message = 'unauthorized: authentication required';
  else if (status === 403) message = 'denied: requested access to the resource is denied';
  else if (status === 404) message = 'not found';
  else message = `received unexpected HTTP status: ${status} ${response.statusText || STATUS_TEXT[status] || ''}`.trimEnd();
  if (status === 401 && !errors[0]) errors = [{ code: 'UNAUTHORIZED', message: 'authentication required' }];
  return new RegistryResponseError(message, status, errors, requestName(method, url));
}

/** The CORS configuration a class registry needs so that pages can use it (also in the registry README). */
export const CORS_HELP = [
  'A page can only use a registry that allows its origin with CORS headers; Docker Hub does not (the Node CLI can pull from it).',
  'A class registry allows it in its configuration:',
  '  distribution (docker-registry, registry:2), config.yml:',
  '    http:',
  '      headers:',
  "        Access-Control-Allow-Origin: ['*']",
  '        Access-Control-Allow-Methods: [HEAD, GET, OPTIONS, DELETE, POST, PUT, PATCH]',
  '        Access-Control-Allow-Headers: [Authorization, Accept, Content-Type, Content-Range, Docker-Content-Digest]',
  '        Access-Control-Expose-Headers: [Docker-Content-Digest, Location, Range, WWW-Authenticate, Docker-Upload-UUID]',
  "    with htpasswd logins it answers the browser's OPTIONS preflight with 401: put a proxy that answers OPTIONS (nginx, Caddy) in front",
  '  zot: http.accessControl',
].join('\n');

/** A fetch that failed without an answer, worded for the page (CORS) or for Node (the connection). */
export function transportError(err: unknown, method: string, url: string, host: string, origin: string | undefined): RegistryResponseError {
  const request = requestName(method, url);
  let message: string;
  if (origin !== undefined) {
    message = `the registry at ${host} did not answer, or did not allow this page's origin (${origin}) to read its answers (CORS)\n${CORS_HELP}`;
  } else {
    const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const hostPort = new URL(url).host;
    if (code === 'ECONNREFUSED') message = `dial tcp ${hostPort}: connect: connection refused`;
    else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') message = `dial tcp: lookup ${new URL(url).hostname}: no such host`;
    else if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') message = `dial tcp ${hostPort}: i/o timeout`;
    else
      message =
        typeof cause?.message === 'string' && cause.message !== '' ? cause.message : err instanceof Error ? err.message : String(err);
  }
  return new RegistryResponseError(message, 0, [], request, { cause: err });
}

/** What a request sends. */
export interface RequestInit2 {
  method: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Statuses that are answers, not errors (default: 2xx). */
  ok?: readonly number[];
}

/**
 * A client of one registry for one operation: it pings `/v2/` once, then sends every request with
 * the authorization the challenge asks for, caching Bearer tokens per scope.
 */
export class RegistryClient {
  private challenge: Challenge | undefined | null = null;
  private readonly tokens = new Map<string, string>();
  private login: StoredLogin | undefined | null = null;

  constructor(
    readonly endpoint: Endpoint,
    private readonly deps: RemoteDeps,
    private readonly signal?: AbortSignal,
    /** The login to use instead of the stored one (`docker login` checking new credentials). */
    override?: StoredLogin,
  ) {
    if (override) this.login = override;
  }

  /** The URL of `path` (`/v2/...`) on this registry, or `path` itself when it is absolute. */
  url(path: string): string {
    return new URL(path, this.endpoint.base + '/').href;
  }

  private async storedLogin(): Promise<StoredLogin | undefined> {
    if (this.login === null) this.login = await this.deps.memory.login(this.endpoint.host);
    return this.login;
  }

  /** One fetch, with cancellation and transport errors worded as Docker's. */
  async raw(method: string, url: string, headers: Record<string, string>, body?: Uint8Array): Promise<Response> {
    if (this.signal?.aborted) throw new OperationCancelledError('the request to the registry');
    // called as a plain function: a page's fetch called as a method of another object throws "Illegal invocation"
    const send = this.deps.fetch;
    try {
      return await send(url, {
        method,
        headers,
        ...(body ? { body: body as BodyInit } : {}),
        ...(this.signal ? { signal: this.signal } : {}),
        redirect: 'follow',
      });
    } catch (err) {
      if (this.signal?.aborted || (err as { name?: unknown } | null)?.name === 'AbortError')
        throw new OperationCancelledError('the request to the registry');
      throw transportError(err, method, url, this.endpoint.host, this.deps.origin);
    }
  }

  /** `GET /v2/`: learns whether and how the registry wants authentication (once). */
  async ping(): Promise<Challenge | undefined> {
    if (this.challenge !== null) return this.challenge;
    const url = this.url('/v2/');
    const r = await this.raw('GET', url, {});
    if (r.status === 401) {
      const cs = parseChallenges(r.headers.get('www-authenticate'));
      this.challenge = cs.find((c) => c.scheme === 'bearer') ?? cs.find((c) => c.scheme === 'basic') ?? { scheme: 'basic', params: {} };
      await r.body?.cancel().catch(() => {});
      return this.challenge;
    }
    if (!r.ok) throw await responseError(r, 'GET', url);
    await r.body?.cancel().catch(() => {});
    this.challenge = undefined;
    return undefined;
  }

  /** A Bearer token for `scopes` from the challenge's realm (cached), with the login or anonymously. */
  async token(challenge: Challenge, scopes: readonly string[], refresh = false): Promise<string> {
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && !refresh) return cached;
    const login = await this.storedLogin();
    const url = tokenUrl(challenge, scopes, login?.username);
    const r = await this.raw('GET', url, login ? { Authorization: basicAuthorization(login.username, login.password) } : {});
    if (!r.ok) {
      const e = await responseError(r, 'GET', url);
      throw new RegistryResponseError(e.message, e.status, e.errors, requestName('GET', this.url('/v2/')));
    }
    let body: unknown;
    try {
      body = await r.json();
    } catch {
      body = undefined;
    }
    const token = tokenOf(body);
    if (!token) throw new RegistryResponseError('unable to decode token response: no token in it', r.status, [], requestName('GET', url));
    this.tokens.set(key, token);
    return token;
  }

  /** The Authorization header for `scopes` under the current challenge, if any. */
  private async authorization(scopes: readonly string[], refresh: boolean): Promise<string | undefined> {
    const c = await this.ping();
    if (!c) return undefined;
    if (c.scheme === 'bearer') return `Bearer ${await this.token(c, scopes, refresh)}`;
    const login = await this.storedLogin();
    return login ? basicAuthorization(login.username, login.password) : undefined;
  }

  /**
   * Sends a request with authorization for `scopes`; a 401 gets a fresh token and one retry.
   * Statuses outside `init.ok` (default 2xx) throw a RegistryResponseError.
   */
  async request(path: string, init: RequestInit2, scopes: readonly string[]): Promise<Response> {
    const url = this.url(path);
    let response: Response | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const auth = await this.authorization(scopes, attempt > 0);
      const headers = { ...init.headers, ...(auth ? { Authorization: auth } : {}) };
      response = await this.raw(init.method, url, headers, init.body);
      if (response.status !== 401) break;
      // the answer's own challenge (a scope it wants, a realm) replaces the ping's
      const fresh = parseChallenges(response.headers.get('www-authenticate'));
      const c = fresh.find((x) => x.scheme === 'bearer') ?? fresh.find((x) => x.scheme === 'basic') ?? (await this.ping());
      this.challenge = c;
      if (c?.scheme === 'basic' && !(await this.storedLogin())) {
        await response.body?.cancel().catch(() => {});
        throw new RegistryResponseError('no basic auth credentials', 401, [], requestName(init.method, url));
      }
      if (attempt === 0 && c?.scheme === 'bearer') {
        await response.body?.cancel().catch(() => {});
        continue;
      }
      break;
    }
    const r = response!;
    if (init.ok ? init.ok.includes(r.status) : r.ok) return r;
    throw await responseError(r, init.method, url);
  }
}
