/**
 * `docker push HOST/NAME:TAG` to a registry over HTTP(S), as Docker does it: per layer (top
 * first) `Preparing`, then a HEAD (`Layer already exists`), else a cross-repository mount from a
 * repository of the same registry known to hold the blob (`Mounted from …`), else an upload:
 * POST to start, PATCH chunks with `Content-Range` (following each `Location`), each chunk read
 * from the store with `BlobStore.read` just before it is sent (a blob is never read whole), PUT
 * `?digest=` (the registry verifies the whole).
 * An upload left unfinished is resumed from the offset the registry reports. Then the config,
 * then the manifest with its exact stored bytes and media type.
 */
import type { PullEvent } from '../../api.ts';
import { NotFoundError, OperationCancelledError } from '../../errors.ts';
import type { ImageStore } from '../../images/store.ts';
import type { Digest } from '../../oci/digest.ts';
import { MediaType } from '../../oci/types.ts';
import type { BlobStore } from '../../store/types.ts';
import type { PushedLayer, PushResult } from '../transfer.ts';
import { repositoryScope } from './auth.ts';
import { endpointFor, RegistryClient, RegistryResponseError, type RemoteDeps } from './http.ts';
import { parseRemoteReference, type RemoteReference } from './reference.ts';

/** What a remote push works on. */
export interface PushDeps extends RemoteDeps {
  images: ImageStore;
  /** Where each PATCH's bytes are read from (`BlobStore.read`: one chunk at a time, never the whole blob). */
  blobs: BlobStore;
  /** Bytes per PATCH of a chunked upload (default 5 MiB). */
  chunkSize?: number;
}

/** Default bytes per PATCH. */
export const CHUNK_SIZE = 5 * 1024 * 1024;

const encoder = new TextEncoder();
const short = (digest: string): string => digest.slice(7, 19);
type Report = (status: string, current?: number, total?: number) => void;

/** One push: the client, the repository and what it needs to resume uploads. */
interface PushJob {
  client: RegistryClient;
  deps: PushDeps;
  ref: RemoteReference;
  /** `host/path`, as blob sources and uploads are keyed. */
  source: string;
  scopes: string[];
  signal: AbortSignal | undefined;
}

/** `?digest=…` added to an upload URL that may already have a query. */
function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.href;
}

/** The `Location` of an upload answer, resolved against the request's URL. */
function locationOf(r: Response, requestUrl: string): string {
  const loc = r.headers.get('location');
  if (!loc)
    throw new RegistryResponseError(
      'the registry did not say where to upload (no Location header; in a page the registry must expose it with Access-Control-Expose-Headers)',
      r.status,
      [],
      `Post ${JSON.stringify(requestUrl)}`,
    );
  return new URL(loc, requestUrl).href;
}

/**
 * The next offset an upload expects, from its `Range: 0-N` header (N+1), or 0. Distribution says
 * `0-0` for an empty upload too: that is read as 0 (a 1-byte upload is then sent again, which the
 * registry refuses with 416, and the upload starts over).
 */
function offsetOf(r: Response): number {
  const m = /^(?:bytes=)?0-(\d+)$/.exec(r.headers.get('range') ?? '');
  return m && m[1] !== '0' ? Number(m[1]) + 1 : 0;
}

/** Asks a mount from each repository of the same registry seen holding the blob; the repository mounted from, or an upload URL the registry started instead. */
async function tryMount(job: PushJob, digest: Digest): Promise<{ from?: string; location?: string }> {
  const prefix = `${job.client.endpoint.host}/`;
  for (const seen of await job.deps.memory.sources(digest)) {
    if (!seen.startsWith(prefix)) continue;
    const from = seen.slice(prefix.length);
    if (from === job.ref.path) continue;
    const path = `/v2/${job.ref.path}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const scopes = [...job.scopes, repositoryScope(from, ['pull'])];
    const r = await job.client.request(path, { method: 'POST', ok: [201, 202] }, scopes).catch((err: unknown) => {
      // a repository we may not read (or that is gone) is no reason to fail: upload instead
      if (err instanceof RegistryResponseError && [401, 403, 404].includes(err.status)) return undefined;
      throw err;
    });
    if (!r) continue;
    await r.body?.cancel().catch(() => {});
    if (r.status === 201) return { from };
    // 202: the registry could not mount and started an upload instead
    return { location: locationOf(r, job.client.url(path)) };
  }
  return {};
}

/** Starts an upload (or resumes the one left unfinished): its URL and the offset to send from. */
async function startUpload(job: PushJob, digest: Digest, started?: string): Promise<{ location: string; offset: number }> {
  const left = await job.deps.memory.upload(job.source, digest);
  if (left) {
    const r = await job.client.request(left, { method: 'GET', ok: [204, 200, 404] }, job.scopes).catch(() => undefined);
    await r?.body?.cancel().catch(() => {});
    if (r && (r.status === 204 || r.status === 200)) {
      if (started) await job.client.request(started, { method: 'DELETE', ok: [202, 204, 404, 405] }, job.scopes).catch(() => undefined);
      return { location: r.headers.get('location') ? locationOf(r, left) : left, offset: offsetOf(r) };
    }
  }
  if (started) return { location: started, offset: 0 };
  const path = `/v2/${job.ref.path}/blobs/uploads/`;
  const r = await job.client.request(path, { method: 'POST', ok: [202] }, job.scopes);
  await r.body?.cancel().catch(() => {});
  return { location: locationOf(r, job.client.url(path)), offset: 0 };
}

/** Uploads a blob in chunks (resuming one left unfinished; one the registry no longer takes starts over). */
async function upload(job: PushJob, digest: Digest, size: number, report: Report, started?: string): Promise<void> {
  const resumable = (await job.deps.memory.upload(job.source, digest)) !== undefined;
  try {
    await uploadFrom(job, digest, size, report, await startUpload(job, digest, started));
  } catch (err) {
    if (!resumable || !(err instanceof RegistryResponseError) || ![400, 404, 416].includes(err.status)) throw err;
    await job.deps.memory.setUpload(job.source, digest, undefined);
    await uploadFrom(job, digest, size, report, await startUpload(job, digest));
  }
}

/**
 * PATCH chunks with Content-Range from `offset`, each read from the store just before it is sent
 * (`BlobStore.read`: one chunk in memory at a time), then PUT `?digest=`: the registry checks the
 * whole content against the digest, as pieces read from the store are not checked.
 */
async function uploadFrom(
  job: PushJob,
  digest: Digest,
  size: number,
  report: Report,
  start: { location: string; offset: number },
): Promise<void> {
  let { location, offset } = start;
  await job.deps.memory.setUpload(job.source, digest, location);
  const chunk = Math.max(1, job.deps.chunkSize ?? CHUNK_SIZE);
  if (offset > 0) report('Pushing', offset, size);
  while (offset < size) {
    if (job.signal?.aborted) throw new OperationCancelledError('push');
    const end = Math.min(size, offset + chunk);
    const body = await job.deps.blobs.read(digest, offset, end - offset);
    const r = await job.client.request(
      location,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${end - 1}` },
        body,
        ok: [202, 204],
      },
      job.scopes,
    );
    await r.body?.cancel().catch(() => {});
    location = r.headers.get('location') ? locationOf(r, location) : location;
    offset = end;
    await job.deps.memory.setUpload(job.source, digest, location);
    report('Pushing', offset, size);
  }
  const r = await job.client.request(
    withQuery(location, { digest }),
    { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(0), ok: [201, 204] },
    job.scopes,
  );
  await r.body?.cancel().catch(() => {});
  await job.deps.memory.setUpload(job.source, digest, undefined);
}

/** Makes the repository hold one blob: HEAD, then a mount, then an upload. */
async function pushBlob(job: PushJob, digest: Digest, report: Report): Promise<{ result: PushedLayer['result']; from?: string }> {
  if (job.signal?.aborted) throw new OperationCancelledError('push');
  const head = await job.client.request(`/v2/${job.ref.path}/blobs/${digest}`, { method: 'HEAD', ok: [200, 404] }, job.scopes);
  if (head.status === 200) {
    report('Layer already exists');
    await job.deps.memory.sawBlob(digest, job.source);
    return { result: 'exists' };
  }
  const mount = await tryMount(job, digest);
  if (mount.from !== undefined) {
    report(`Mounted from ${mount.from}`);
    await job.deps.memory.sawBlob(digest, job.source);
    return { result: 'mounted', from: mount.from };
  }
  // never read whole: each PATCH reads its chunk from the store (BlobStore.read)
  const { size } = await job.deps.blobs.info(digest);
  report('Pushing', 0, size);
  await upload(job, digest, size, report, mount.location);
  report('Pushed');
  await job.deps.memory.sawBlob(digest, job.source);
  return { result: 'pushed' };
}

/** `docker push HOST/NAME:TAG` to a remote registry. */
export async function pushRemote(
  deps: PushDeps,
  input: string,
  onEvent: (e: PullEvent) => void = () => {},
  signal?: AbortSignal,
): Promise<PushResult> {
  const ref = parseRemoteReference(input);
  onEvent({ id: '', status: `The push refers to repository [${ref.domain}/${ref.path}]` });
  if (ref.tag === undefined) throw new NotFoundError(`An image does not exist locally with the tag: ${ref.repository}`);
  let id: string;
  try {
    id = await deps.images.resolveId(ref.familiar);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError(`An image does not exist locally with the tag: ${ref.repository}`);
    throw err;
  }
  const image = await deps.images.load(id);
  const client = new RegistryClient(endpointFor(ref.domain), deps, signal);
  const job: PushJob = {
    client,
    deps,
    ref,
    source: `${client.endpoint.host}/${ref.path}`,
    scopes: [repositoryScope(ref.path, ['pull', 'push'])],
    signal,
  };
  try {
    const seen = new Set<string>();
    const layers = [...image.layers].reverse().filter((l) => !seen.has(l.digest) && seen.add(l.digest));
    for (const l of layers) onEvent({ id: short(l.diffID), status: 'Preparing' });
    const done: PushedLayer[] = [];
    for (const l of layers) {
      const lid = short(l.diffID);
      const outcome = await pushBlob(job, l.digest, (status, current, total) =>
        onEvent(current === undefined ? { id: lid, status } : { id: lid, status, current, total }),
      );
      done.push({ digest: l.digest, diffID: l.diffID, size: l.size, ...outcome });
    }
    await pushBlob(job, image.configDigest, () => {});
    const manifest = encoder.encode(image.rawManifest);
    const r = await client.request(
      `/v2/${ref.path}/manifests/${ref.tag}`,
      {
        method: 'PUT',
        headers: { 'Content-Type': image.manifest.mediaType ?? MediaType.OciManifest },
        body: manifest,
        ok: [201, 200, 202],
      },
      job.scopes,
    );
    await r.body?.cancel().catch(() => {});
    const announced = r.headers.get('docker-content-digest');
    if (announced && announced !== image.manifestDigest)
      throw new RegistryResponseError(
        `the registry stored the manifest as ${announced}, not ${image.manifestDigest}`,
        r.status,
        [],
        `Put ${JSON.stringify(client.url(`/v2/${ref.path}/manifests/${ref.tag}`))}`,
      );
    await deps.images.addRepoDigest(id, `${ref.repository}@${image.manifestDigest}`);
    onEvent({ id: '', status: `${ref.tag}: digest: ${image.manifestDigest} size: ${manifest.length}` });
    return { reference: ref.familiar, digest: image.manifestDigest, size: manifest.length, layers: done };
  } catch (err) {
    // Docker prints a registry's answer in the push stream as it is (`denied: …`, `no basic auth credentials`),
    // and a request that got no answer with what was asked (`Head "http://…": dial tcp …`)
    if (err instanceof RegistryResponseError && err.status === 0)
      throw new RegistryResponseError(err.withRequest(), 0, [], err.request, { cause: err });
    throw err;
  }
}
