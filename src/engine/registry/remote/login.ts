/**
 * `docker login SERVER` and `docker logout SERVER` for remote registries: the login is checked
 * against `GET /v2/` (a 401's challenge says Basic, or Bearer: a token asked with the login as
 * Basic credentials) and kept per registry host in the engine's MetadataStore.
 */
import { UnavailableError } from '../../errors.ts';
import type { StoredLogin } from '../credentials.ts';
import { basicAuthorization } from './auth.ts';
import { canonicalHost, endpointFor, RegistryClient, RegistryResponseError, requestName, responseError, type RemoteDeps } from './http.ts';

/** What a successful login returns. */
export interface LoginResult {
  /** `Login Succeeded`. */
  status: string;
  /** The registry host the login is kept under (`127.0.0.1:5001`, `docker.io`). */
  server: string;
}

/** The registry host a `docker login`/`logout` SERVER names: `https://host/path` → `host`; Docker Hub's names → `docker.io`. */
export function loginHost(server: string | undefined): string {
  if (server === undefined || server === '') return 'docker.io';
  const stripped = server.replace(/^https?:\/\//, '');
  return canonicalHost(stripped.split('/')[0] ?? stripped);
}

/**
 * Checks `login` (or, without one, the stored login) against the registry's `GET /v2/` and stores
 * it; rejects with Docker's `Get "http://host/v2/": unauthorized: …` when the registry refuses it.
 */
export async function loginRemote(
  deps: RemoteDeps,
  server: string | undefined,
  login?: StoredLogin,
  signal?: AbortSignal,
): Promise<LoginResult> {
  const host = loginHost(server);
  const use = login ?? (await deps.memory.login(host));
  if (!use) throw new UnavailableError(`no login stored for ${host}: give a username and password`);
  const client = new RegistryClient(endpointFor(host), deps, signal, use);
  const v2 = client.url('/v2/');
  try {
    const challenge = await client.ping();
    if (challenge?.scheme === 'bearer') {
      // the token server checks the login (no scope: Docker asks for none at login)
      const token = await client.token(challenge, []);
      const r = await client.raw('GET', v2, { Authorization: `Bearer ${token}` });
      if (!r.ok) throw await responseError(r, 'GET', v2);
      await r.body?.cancel().catch(() => {});
    } else if (challenge) {
      const r = await client.raw('GET', v2, { Authorization: basicAuthorization(use.username, use.password) });
      if (r.status === 401) {
        const e = await responseError(r, 'GET', v2);
        throw new RegistryResponseError(
          e.errors[0] ? e.message : `login attempt to ${v2} failed with status: 401 Unauthorized`,
          401,
          e.errors,
          e.request,
        );
      }
      if (!r.ok) throw await responseError(r, 'GET', v2);
      await r.body?.cancel().catch(() => {});
    }
  } catch (err) {
    if (err instanceof RegistryResponseError) {
      const request = err.request.startsWith('Get ') ? err.request : requestName('GET', v2);
      throw new RegistryResponseError(`${request}: ${err.message}`, err.status, err.errors, request, { cause: err });
    }
    throw err;
  }
  if (login) await deps.memory.saveLogin(host, login);
  return { status: 'Login Succeeded', server: host };
}

/** Forgets the login kept for SERVER; true if there was one. */
export function logoutRemote(deps: Pick<RemoteDeps, 'memory'>, server: string | undefined): Promise<boolean> {
  return deps.memory.forgetLogin(loginHost(server));
}
