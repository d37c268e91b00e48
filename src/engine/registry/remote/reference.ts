/**
 * References to images on remote registries: `127.0.0.1:5001/web:1`, `registry.school.example/class/app`,
 * `127.0.0.1:5001/web@sha256:…` (by digest), and on Docker Hub `i386/alpine` (`docker.io/i386/alpine`).
 */
import { InvalidArgumentError } from '../../errors.ts';
import { parseReference } from '../../images/reference.ts';
import { isDigest, type Digest } from '../../oci/digest.ts';
import { REGISTRY_HOST } from '../registry.ts';

/** A parsed remote reference. */
export interface RemoteReference {
  /** Registry host as written (`127.0.0.1:5001`, `docker.io`). */
  domain: string;
  /** Repository path on the registry (`web`, `library/busybox`). */
  path: string;
  /** The tag, unless the reference is by digest. */
  tag?: string;
  /** The manifest digest of a reference by digest. */
  digest?: Digest;
  /** What the manifests endpoint is asked for: the digest, else the tag. */
  reference: string;
  /** The repository as Docker prints it (`127.0.0.1:5001/web`, `busybox`). */
  repository: string;
  /** `repository:tag` or `repository@digest`, as Docker's Status line prints it. */
  familiar: string;
}

/** Parses `[host/]path[:tag][@sha256:…]`; throws Docker's `invalid reference format`. */
export function parseRemoteReference(input: string): RemoteReference {
  const at = input.indexOf('@');
  const name = at >= 0 ? input.slice(0, at) : input;
  const digest = at >= 0 ? input.slice(at + 1) : undefined;
  if (digest !== undefined && !isDigest(digest)) throw new InvalidArgumentError(`invalid reference format: ${JSON.stringify(input)}`);
  const r = parseReference(name);
  if (digest !== undefined)
    return { domain: r.domain, path: r.path, digest, reference: digest, repository: r.repository, familiar: `${r.repository}@${digest}` };
  return { domain: r.domain, path: r.path, tag: r.tag, reference: r.tag, repository: r.repository, familiar: r.familiar };
}

/** The registry host a reference names (`docker.io` when it names none); undefined if it does not parse. */
export function registryHostOf(input: string): string | undefined {
  try {
    return parseRemoteReference(input).domain;
  } catch {
    return undefined;
  }
}

/** Whether `input` names an image on a registry other than Docker Hub and the local `localhost:5000`. */
export function namesRemoteRegistry(input: string): boolean {
  const host = registryHostOf(input);
  return host !== undefined && host !== 'docker.io' && host !== REGISTRY_HOST;
}
