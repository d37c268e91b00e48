/**
 * Image references as Docker reads them: `busybox` is `docker.io/library/busybox:latest`,
 * shown as `busybox:latest`; `localhost:5000/app:1` keeps its registry.
 */
import { InvalidArgumentError } from '../errors.ts';

/** A parsed reference. */
export interface Reference {
  /** Registry host (with port), `docker.io` by default. */
  domain: string;
  /** Repository path, e.g. `library/busybox`. */
  path: string;
  tag: string;
  /** `name:tag` the way Docker prints it (`busybox:latest`, `localhost:5000/app:1`). */
  familiar: string;
  /** Repository as Docker prints it (`busybox`, `localhost:5000/app`). */
  repository: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN = /^(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+|[a-zA-Z0-9-]+)(?::\d+)?$/;

/** Parses `name[:tag]` (digests are not references here); throws Docker's `invalid reference format`. */
export function parseReference(input: string): Reference {
  const ref = input.trim();
  if (!ref || ref.includes('@')) throw new InvalidArgumentError(`invalid reference format: ${JSON.stringify(input)}`);
  let name = ref;
  let tag = 'latest';
  const lastColon = ref.lastIndexOf(':');
  if (lastColon > ref.lastIndexOf('/')) {
    name = ref.slice(0, lastColon);
    tag = ref.slice(lastColon + 1);
    if (!TAG.test(tag)) throw new InvalidArgumentError(`invalid reference format: ${JSON.stringify(input)}`);
  }
  const parts = name.split('/');
  let domain = 'docker.io';
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!DOMAIN.test(first)) throw new InvalidArgumentError(`invalid reference format: ${JSON.stringify(input)}`);
    domain = first;
    parts.shift();
  }
  if (parts.length === 0) throw new InvalidArgumentError(`invalid reference format: ${JSON.stringify(input)}`);
  for (const p of parts) {
    if (p !== p.toLowerCase() && COMPONENT.test(p.toLowerCase())) {
      const shown = domain === 'docker.io' && parts.length === 1 ? `library/${parts[0]}` : parts.join('/');
      throw new InvalidArgumentError(`invalid reference format: repository name (${shown}) must be lowercase`);
    }
    if (!COMPONENT.test(p)) throw new InvalidArgumentError(`invalid reference format: ${JSON.stringify(input)}`);
  }
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  const repository = domain === 'docker.io' ? path.replace(/^library\//, '') : `${domain}/${path}`;
  return { domain, path, tag, repository, familiar: `${repository}:${tag}` };
}

/** Whether `input` looks like an image ID or ID prefix rather than a name. */
export function looksLikeId(input: string): boolean {
  return /^sha256:[0-9a-f]{1,64}$/.test(input) || /^[0-9a-f]{4,64}$/.test(input);
}
