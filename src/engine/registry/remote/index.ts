/**
 * Remote registries as the engine sees them: which references go to them, and pull, push,
 * login, logout over an injected `fetch`. `localhost:5000` is never remote (it is the LocalRegistry
 * inside the engine); `docker.io` references go to Docker Hub only when the engine is told it can
 * reach it (`dockerHub`, the Node CLI) and the offline catalog lacks them.
 */
import type { PullEvent } from '../../api.ts';
import { UnavailableError } from '../../errors.ts';
import type { ImageStore } from '../../images/store.ts';
import { parseReference } from '../../images/reference.ts';
import type { Digest } from '../../oci/digest.ts';
import type { BlobStore, MetadataStore } from '../../store/types.ts';
import { RegistryMemory, type StoredLogin } from '../credentials.ts';
import { REGISTRY_HOST } from '../registry.ts';
import { LOGIN_REFUSED, type PushResult } from '../transfer.ts';
import type { RemoteDeps } from './http.ts';
import { loginHost, loginRemote, logoutRemote, type LoginResult } from './login.ts';
import { pullRemote } from './pull.ts';
import { pushRemote } from './push.ts';
import { parseRemoteReference } from './reference.ts';

export { CORS_HELP, endpointFor, isLoopbackHost, RegistryResponseError } from './http.ts';
export { loginHost, type LoginResult } from './login.ts';
export { MANIFEST_ACCEPT, PLATFORM } from './pull.ts';
export { CHUNK_SIZE } from './push.ts';
export { namesRemoteRegistry, parseRemoteReference, type RemoteReference } from './reference.ts';

/** How the engine reaches remote registries (all from `EngineOptions`). */
export interface RemoteOptions {
  /** HTTP; absent: no registry but the offline catalog and localhost:5000. */
  fetch?: typeof fetch;
  /** Docker Hub is reachable (the Node CLI; never a page: Docker Hub sends no CORS headers). */
  dockerHub?: boolean;
  /** The page's origin, when requests come from a page (CORS applies). */
  origin?: string;
  /** Bytes per PATCH of a chunked upload. */
  chunkSize?: number;
}

/** Why Docker Hub is out of reach: said by login, search and push. */
export const DOCKER_HUB_UNREACHABLE =
  'Docker Hub cannot be reached from here: a page cannot use it (it sends no CORS headers), and LayerLab offers its images from the offline catalog instead; the Node CLI (npm run layerlab -- docker …) can pull from it';

/** The engine's remote registries. */
export class RemoteRegistries {
  readonly memory: RegistryMemory;

  constructor(
    private readonly options: RemoteOptions,
    private readonly stores: { images: ImageStore; blobs: BlobStore; meta: MetadataStore },
  ) {
    this.memory = new RegistryMemory(stores.meta);
  }

  private deps(): RemoteDeps {
    if (!this.options.fetch)
      throw new UnavailableError('LayerLab has no HTTP client here: only the offline catalog and localhost:5000 exist');
    return {
      fetch: this.options.fetch,
      memory: this.memory,
      ...(this.options.origin !== undefined ? { origin: this.options.origin } : {}),
    };
  }

  /** Whether the engine can speak HTTP to registries at all. */
  get enabled(): boolean {
    return this.options.fetch !== undefined;
  }

  /** Whether `docker pull input` goes to a remote registry (`offered`: the offline catalog's references). */
  async pulls(input: string, offered: () => Promise<string[]>): Promise<boolean> {
    if (!this.enabled) return false;
    let ref;
    try {
      ref = parseRemoteReference(input);
    } catch {
      return false;
    }
    if (ref.domain === REGISTRY_HOST) return false;
    if (ref.domain !== 'docker.io') return true;
    if (!this.options.dockerHub) return false;
    if (ref.digest !== undefined) return true;
    const offline = (await offered()).some((r) => {
      try {
        return parseReference(r).familiar === ref.familiar;
      } catch {
        return false;
      }
    });
    return !offline;
  }

  /** Whether `docker push input` goes to a remote registry. */
  pushes(input: string): boolean {
    if (!this.enabled) return false;
    try {
      const ref = parseRemoteReference(input);
      return ref.domain !== REGISTRY_HOST && (ref.domain !== 'docker.io' || !!this.options.dockerHub);
    } catch {
      return false;
    }
  }

  /** `docker pull` from a remote registry. */
  pull(input: string, onEvent?: (e: PullEvent) => void, signal?: AbortSignal): Promise<{ id: string; reference: string; digest: Digest }> {
    return pullRemote({ ...this.deps(), images: this.stores.images, blobs: this.stores.blobs }, input, onEvent, signal);
  }

  /** `docker push` to a remote registry. */
  push(input: string, onEvent?: (e: PullEvent) => void, signal?: AbortSignal): Promise<PushResult> {
    const chunk = this.options.chunkSize !== undefined ? { chunkSize: this.options.chunkSize } : {};
    return pushRemote({ ...this.deps(), images: this.stores.images, blobs: this.stores.blobs, ...chunk }, input, onEvent, signal);
  }

  /** Rejects when SERVER cannot be logged in to here: localhost:5000 (no accounts), Docker Hub from a page, anything without HTTP. */
  private checkLoginServer(server: string | undefined): string {
    const host = loginHost(server);
    if (host === REGISTRY_HOST || !this.enabled) throw new UnavailableError(LOGIN_REFUSED);
    if (host === 'docker.io' && !this.options.dockerHub) throw new UnavailableError(DOCKER_HUB_UNREACHABLE);
    return host;
  }

  /** Who is logged in to SERVER (`username` undefined: nobody); rejects for a server that cannot be logged in to here. */
  async loginStatus(server: string | undefined): Promise<{ server: string; username?: string }> {
    const host = this.checkLoginServer(server);
    const stored = await this.memory.login(host);
    return stored ? { server: host, username: stored.username } : { server: host };
  }

  /** `docker login`: checks the login (or the stored one) against the registry and keeps it. */
  login(server: string | undefined, login?: StoredLogin, signal?: AbortSignal): Promise<LoginResult> {
    this.checkLoginServer(server);
    return loginRemote(this.deps(), server, login, signal);
  }

  /** `docker logout`: forgets the login kept for SERVER; true if there was one. */
  logout(server: string | undefined): Promise<boolean> {
    return logoutRemote({ memory: this.memory }, server);
  }

  /** `docker search` of a term naming a remote registry: refused, with why. */
  refuseSearch(term: string): void {
    const slash = term.indexOf('/');
    const first = slash > 0 ? term.slice(0, slash) : '';
    if (!(first.includes('.') || first.includes(':') || first === 'localhost') || first === REGISTRY_HOST) return;
    throw new UnavailableError(
      `Unexpected status code 404\n` +
        `LayerLab cannot search ${first}: docker search asks a registry's v1 search API, which Docker Hub has and OCI distribution registries (distribution, zot, Harbor) do not. ` +
        `LayerLab searches its offline catalog and localhost:5000; pull from ${first} by name (docker pull ${term.replace(/\/+$/, '')}:TAG).`,
    );
  }
}
