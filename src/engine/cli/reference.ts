/**
 * Image references the way distribution/reference prints them: the familiar form users type
 * (`busybox:latest`, `me/app:1`) and the normalized form (`docker.io/library/busybox:latest`).
 */

/** The parts of an image reference. */
export interface ParsedReference {
  /** Registry host (`docker.io` when none was given). */
  domain: string;
  /** Repository path (`library/busybox`). */
  path: string;
  tag?: string;
  digest?: string;
}

/** Splits `ref` into domain, path, tag and digest (no validation beyond the shape). */
export function parseReference(ref: string): ParsedReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let domain = 'docker.io';
  let path = rest;
  const first = rest.indexOf('/');
  if (first >= 0) {
    const head = rest.slice(0, first);
    if (head.includes('.') || head.includes(':') || head === 'localhost' || head !== head.toLowerCase()) {
      domain = head === 'index.docker.io' ? 'docker.io' : head;
      path = rest.slice(first + 1);
    }
  }
  if (domain === 'docker.io' && !path.includes('/')) path = 'library/' + path;
  const out: ParsedReference = { domain, path };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** The familiar name without tag (`busybox`, `me/app`, `registry:5000/x`). */
export function familiarName(ref: string | ParsedReference): string {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  if (r.domain === 'docker.io') return r.path.startsWith('library/') && r.path.split('/').length === 2 ? r.path.slice(8) : r.path;
  return `${r.domain}/${r.path}`;
}

/** The familiar string with `:latest` added when there is neither tag nor digest (`busybox:latest`). */
export function familiarTagged(ref: string): string {
  const r = parseReference(ref);
  let s = familiarName(r);
  if (r.tag !== undefined) s += ':' + r.tag;
  else if (r.digest === undefined) s += ':latest';
  if (r.digest !== undefined) s += '@' + r.digest;
  return s;
}

/** The fully qualified form with default tag (`docker.io/library/busybox:latest`). */
export function normalizedTagged(ref: string): string {
  const r = parseReference(ref);
  let s = `${r.domain}/${r.path}`;
  if (r.tag !== undefined) s += ':' + r.tag;
  else if (r.digest === undefined) s += ':latest';
  if (r.digest !== undefined) s += '@' + r.digest;
  return s;
}

/** True for a full image ID (`sha256:<64 hex>` or 64 hex): Docker never tries to pull those. */
export function isFullImageId(ref: string): boolean {
  return /^(sha256:)?[0-9a-f]{64}$/.test(ref);
}
