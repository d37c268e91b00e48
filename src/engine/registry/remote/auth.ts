/**
 * Registry authentication as Docker does it: the `WWW-Authenticate` challenge of a 401 says
 * `Basic` (send the login with every request) or `Bearer` (ask the token server at `realm` for a
 * token for `service` and the repository scopes, with the login as Basic credentials or
 * anonymously, then send `Authorization: Bearer <token>`). See the distribution spec's token
 * authentication: https://distribution.github.io/distribution/spec/auth/token/
 */

/** One challenge of a `WWW-Authenticate` header: its scheme (lower case) and parameters. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses `WWW-Authenticate` (RFC 7235): `Bearer realm="https://auth",service="reg",scope="repository:a:pull"`,
 * `Basic realm="Registry Realm"`; several challenges may be comma-separated.
 */
export function parseChallenges(header: string | null): Challenge[] {
  const out: Challenge[] = [];
  if (!header) return out;
  let i = 0;
  const skip = (chars: string): void => {
    while (i < header.length && chars.includes(header[i]!)) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < header.length && !' \t,="'.includes(header[i]!)) i++;
    return header.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < header.length) {
    skip(' \t,');
    const word = token();
    if (word === '') {
      i++;
      continue;
    }
    skip(' \t');
    if (header[i] !== '=' || !current) {
      current = { scheme: word.toLowerCase(), params: {} };
      out.push(current);
      continue;
    }
    i++;
    skip(' \t');
    let value = '';
    if (header[i] === '"') {
      i++;
      while (i < header.length && header[i] !== '"') {
        if (header[i] === '\\') i++;
        value += header[i] ?? '';
        i++;
      }
      i++;
    } else value = token();
    current.params[word.toLowerCase()] = value;
  }
  return out;
}

/** `Basic base64(user:password)`, UTF-8 encoded. */
export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/** `repository:NAME:pull` or `repository:NAME:pull,push`. */
export function repositoryScope(path: string, actions: readonly ('pull' | 'push')[]): string {
  return `repository:${path}:${actions.join(',')}`;
}

/** The token server's URL for `challenge` (Bearer) and `scopes`, plus `account` when logging in. */
export function tokenUrl(challenge: Challenge, scopes: readonly string[], account?: string): string {
  const url = new URL(challenge.params.realm ?? '');
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  for (const s of scopes) url.searchParams.append('scope', s);
  if (account) url.searchParams.set('account', account);
  return url.href;
}

/** The token of a token server's JSON answer (`token`, or OAuth2's `access_token`). */
export function tokenOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { token?: unknown; access_token?: unknown };
  if (typeof b.token === 'string' && b.token !== '') return b.token;
  if (typeof b.access_token === 'string' && b.access_token !== '') return b.access_token;
  return undefined;
}
