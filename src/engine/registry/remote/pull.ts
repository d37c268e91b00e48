/**
 * `docker pull HOST/NAME[:TAG|@DIGEST]` from a registry over HTTP(S), printing what Docker prints.
 * The manifest (an index or manifest list resolves to its linux/386 entry, and one without it is
 * refused) and the config are verified by digest; each layer the store lacks streams from
 * `response.body` into a `BlobWriter` (its digest and size checked at commit) and, as it arrives,
 * through a `LayerStreamVerifier` (streaming gunzip or zstd, the diffID's SHA-256, the tar's headers
 * for `validateLayer` and `contentSize`), so no layer is ever held whole; then
 * `ImageStore.recordVerifiedLayer` records it. An interrupted pull run again fetches only the
 * layers not yet stored (a stored blob is checked the same way, read piece by piece).
 */
import type { PullEvent } from '../../api.ts';
import { EngineError, InvalidArgumentError, NotFoundError, OperationCancelledError } from '../../errors.ts';
import type { ImageStore } from '../../images/store.ts';
import { sha256Digest, type Digest } from '../../oci/digest.ts';
import { deserializeImage, type Image, type Layer } from '../../oci/image.ts';
import { MediaType, type ImageIndex } from '../../oci/types.ts';
import { LayerError } from '../../layer/errors.ts';
import { LayerStreamVerifier, type VerifiedLayer } from '../../layer/layer-stream-verify.ts';
import { Sha256 } from '../../store/digest.ts';
import { DigestMismatchError, SizeMismatchError } from '../../store/errors.ts';
import type { BlobStore } from '../../store/types.ts';
import { repositoryScope } from './auth.ts';
import { endpointFor, RegistryClient, RegistryResponseError, type RemoteDeps } from './http.ts';
import { parseRemoteReference, type RemoteReference } from './reference.ts';

/** What a remote pull works on. */
export interface PullDeps extends RemoteDeps {
  images: ImageStore;
  blobs: BlobStore;
}

/** The platform LayerLab's machine runs (32-bit x86 Linux). */
export const PLATFORM = { os: 'linux', architecture: '386' } as const;

/** Every manifest type a pull accepts, for the Accept header. */
export const MANIFEST_ACCEPT = [MediaType.OciIndex, MediaType.DockerManifestList, MediaType.OciManifest, MediaType.DockerManifest].join(
  ', ',
);

/** Largest manifest or config read (registries commonly limit manifests to 4 MiB). */
const MAX_DOCUMENT = 4 * 1024 * 1024;
/** Progress is reported at most every this many bytes (and at the end). */
const PROGRESS_STEP = 256 * 1024;
/** Bytes read at a time from a layer blob already stored (`verifyStored`). */
const STORED_PIECE = 1024 * 1024;
const INDEX_TYPES: ReadonlySet<string> = new Set([MediaType.OciIndex, MediaType.DockerManifestList]);
const short = (digest: string): string => digest.slice(7, 19);

/** Reads a small body whole (manifests, configs), refusing more than `MAX_DOCUMENT` bytes. */
async function readDocument(response: Response, what: string): Promise<Uint8Array> {
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_DOCUMENT) throw new InvalidArgumentError(`${what} is ${length} bytes, more than the ${MAX_DOCUMENT} LayerLab reads`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_DOCUMENT) throw new InvalidArgumentError(`${what} is more than the ${MAX_DOCUMENT} bytes LayerLab reads`);
  return bytes;
}

/** Docker's translatePullError: denied, unknown manifest and unknown repository in its words. */
function pullError(err: unknown, ref: RemoteReference): unknown {
  if (!(err instanceof RegistryResponseError)) return err;
  const first = err.errors[0];
  const cause = { cause: err };
  if (err.code === 'DENIED' || (err.status === 403 && !first))
    return new NotFoundError(
      `pull access denied for ${ref.repository}, repository does not exist or may require 'docker login': ${err.message}`,
      cause,
    );
  if (err.code === 'MANIFEST_UNKNOWN' || (err.status === 404 && !first))
    return new NotFoundError(
      `manifest for ${ref.familiar} not found: ${first ? err.message : 'manifest unknown: manifest unknown'}`,
      cause,
    );
  if (err.code === 'NAME_UNKNOWN') return new NotFoundError(`repository ${ref.repository} not found: ${err.message}`, cause);
  return new RegistryResponseError(err.withRequest(), err.status, err.errors, err.request, cause);
}

/** A manifest fetched and checked against the digest it was asked by or the registry announced. */
async function getManifest(client: RegistryClient, ref: RemoteReference, reference: string, scopes: string[]) {
  const r = await client.request(`/v2/${ref.path}/manifests/${reference}`, { method: 'GET', headers: { Accept: MANIFEST_ACCEPT } }, scopes);
  const bytes = await readDocument(r, `the manifest of ${ref.familiar}`);
  const digest = await sha256Digest(bytes);
  const announced = r.headers.get('docker-content-digest');
  const expected = reference.startsWith('sha256:') ? reference : announced?.startsWith('sha256:') ? announced : undefined;
  if (expected && expected !== digest)
    throw new InvalidArgumentError(`manifest verification failed for digest ${expected}: the registry sent ${digest}`);
  let json: { mediaType?: unknown };
  try {
    json = JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: unknown };
  } catch (e) {
    throw new InvalidArgumentError(`the manifest of ${ref.familiar} is not JSON: ${(e as Error).message}`);
  }
  const mediaType = (typeof json.mediaType === 'string' ? json.mediaType : undefined) ?? r.headers.get('content-type')?.split(';')[0] ?? '';
  return { bytes, digest: digest as Digest, mediaType, json };
}

/** The platforms an index offers, as `os/arch[/variant]`. */
function platforms(index: ImageIndex): string[] {
  return index.manifests.map((m) =>
    m.platform ? [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/') : 'unknown',
  );
}

/** Fetches the image manifest (through an index to its linux/386 entry) and its config. */
async function fetchImage(client: RegistryClient, ref: RemoteReference, scopes: string[]): Promise<{ image: Image; digest: Digest }> {
  const top = await getManifest(client, ref, ref.reference, scopes);
  let got = top;
  if (INDEX_TYPES.has(top.mediaType) || Array.isArray((top.json as { manifests?: unknown }).manifests)) {
    const index = top.json as ImageIndex;
    const entry = index.manifests.find((m) => m.platform?.os === PLATFORM.os && m.platform.architecture === PLATFORM.architecture);
    if (!entry) {
      const offered = [...new Set(platforms(index))].join(', ') || 'none';
      throw new NotFoundError(
        `no matching manifest for linux/386 in the manifest list entries\n` +
          `LayerLab's machine is 32-bit x86 (linux/386); ${ref.familiar} offers ${offered}. Push a linux/386 image, or pull one that has it.`,
      );
    }
    got = await getManifest(client, ref, entry.digest, scopes);
  }
  const manifest = got.json as { config?: { digest?: string; size?: number } };
  if (!manifest.config?.digest) throw new InvalidArgumentError(`the manifest of ${ref.familiar} has no config: it is not an image`);
  const cr = await client.request(`/v2/${ref.path}/blobs/${manifest.config.digest}`, { method: 'GET' }, scopes);
  const config = await readDocument(cr, `the config of ${ref.familiar}`);
  try {
    return { image: await deserializeImage(got.bytes, config), digest: top.digest };
  } catch (err) {
    throw new InvalidArgumentError(`manifest for ${ref.familiar} is not a usable image: ${(err as Error).message}`, { cause: err });
  }
}

/** A layer's check failing, in the words `ImageStore.putLayerBlob` uses for it. */
function layerProblem(err: unknown, verifier: LayerStreamVerifier, layer: Layer): unknown {
  // a stream that does not decompress names the layer; a bad tar is its LayerError as it is
  if (err instanceof LayerError && verifier.failedIn === 'decompress')
    return new InvalidArgumentError(`layer ${short(layer.digest)}: ${err.message}`, { cause: err });
  return err;
}

/** The diffID the manifest's config names, or the error for a layer that is something else. */
function checkDiffID(verified: VerifiedLayer, layer: Layer): EngineError | undefined {
  return verified.diffID === layer.diffID ? undefined : new InvalidArgumentError(`layer ${short(layer.digest)}: diffID mismatch`);
}

/**
 * Streams one layer blob into the blob store, reporting `Downloading` progress, and through a
 * `LayerStreamVerifier` (decompression, diffID, tar headers) as it arrives; its digest and size are
 * checked at commit. A layer whose blob is what the manifest names but whose contents fail the
 * check is not stored.
 */
async function download(
  client: RegistryClient,
  deps: PullDeps,
  ref: RemoteReference,
  layer: Layer,
  scopes: string[],
  onEvent: (e: PullEvent) => void,
  signal?: AbortSignal,
): Promise<VerifiedLayer> {
  const id = short(layer.digest);
  const r = await client.request(`/v2/${ref.path}/blobs/${layer.digest}`, { method: 'GET' }, scopes);
  const writer = await deps.blobs.writer({ digest: layer.digest, size: layer.size });
  const verifier = new LayerStreamVerifier();
  // a content failure is held until the digest is known: a blob that is not the one asked for is a
  // download failure (digest mismatch), not a bad layer
  let problem: unknown;
  const feed = async (chunk: Uint8Array): Promise<void> => {
    if (problem !== undefined) return;
    await verifier.push(chunk).catch((err: unknown) => void (problem = layerProblem(err, verifier, layer)));
  };
  let verified: VerifiedLayer | undefined;
  let committed = false;
  try {
    const reader = r.body?.getReader();
    let last = 0;
    if (reader) {
      for (;;) {
        if (signal?.aborted) throw new OperationCancelledError('pull');
        const { done, value } = await reader.read();
        if (done) break;
        await Promise.all([writer.write(value), feed(value)]);
        if (writer.size - last >= PROGRESS_STEP || writer.size === layer.size) {
          last = writer.size;
          onEvent({ id, status: 'Downloading', current: writer.size, total: layer.size });
        }
      }
    }
    onEvent({ id, status: 'Verifying Checksum' });
    if (problem === undefined) {
      try {
        verified = await verifier.finish();
        problem = checkDiffID(verified, layer);
      } catch (err) {
        problem = layerProblem(err, verifier, layer);
      }
    }
    // the blob is the one asked for but its contents fail the check: it is not stored
    if (problem !== undefined && writer.size === layer.size && writer.digest() === layer.digest) throw new HeldProblem();
    await writer.commit({ digest: layer.digest, size: layer.size });
    committed = true;
  } catch (err) {
    if (err instanceof HeldProblem) throw problem;
    if (err instanceof DigestMismatchError || err instanceof SizeMismatchError)
      throw new InvalidArgumentError(`filesystem layer verification failed for digest ${layer.digest}`, { cause: err });
    if (signal?.aborted || (err as { name?: unknown } | null)?.name === 'AbortError') throw new OperationCancelledError('pull');
    if (err instanceof Error && !(err instanceof EngineError))
      throw new RegistryResponseError(
        `reading layer ${id}: ${err.message}`,
        r.status,
        [],
        `Get ${JSON.stringify(r.url || client.url(`/v2/${ref.path}/blobs/${layer.digest}`))}`,
        {
          cause: err,
        },
      );
    throw err;
  } finally {
    if (!committed) {
      await writer.abort();
      await verifier.cancel();
    }
  }
  if (problem !== undefined) throw problem; // cannot happen: a failed check never commits
  onEvent({ id, status: 'Download complete' });
  return verified!;
}

/** Marks a held content failure on its way out of `download`'s try block. */
class HeldProblem extends Error {}

/** Checks a layer blob a pull stored before it was interrupted, read piece by piece (`BlobStore.read`). */
async function verifyStored(deps: PullDeps, layer: Layer, signal?: AbortSignal): Promise<VerifiedLayer> {
  const verifier = new LayerStreamVerifier();
  const hash = new Sha256();
  try {
    for (let offset = 0; ;) {
      if (signal?.aborted) throw new OperationCancelledError('pull');
      const piece = await deps.blobs.read(layer.digest, offset, STORED_PIECE);
      if (piece.length === 0) break;
      offset += piece.length;
      hash.update(piece);
      await verifier.push(piece);
    }
    if (hash.digest() !== layer.digest) throw new InvalidArgumentError(`layer ${short(layer.digest)}: digest mismatch`);
    const verified = await verifier.finish();
    const problem = checkDiffID(verified, layer);
    if (problem) throw problem;
    return verified;
  } catch (err) {
    await verifier.cancel();
    throw layerProblem(err, verifier, layer);
  }
}

/**
 * `docker pull` from a remote registry: the manifest and config, the layers the store lacks
 * (`Already exists` for the others), then the tag (a pull by digest tags nothing) and RepoDigests.
 */
export async function pullRemote(
  deps: PullDeps,
  input: string,
  onEvent: (e: PullEvent) => void = () => {},
  signal?: AbortSignal,
): Promise<{ id: string; reference: string; digest: Digest }> {
  const ref = parseRemoteReference(input);
  const client = new RegistryClient(endpointFor(ref.domain), deps, signal);
  const scopes = [repositoryScope(ref.path, ['pull'])];
  const source = `${client.endpoint.host}/${ref.path}`;
  try {
    const { image, digest } = await fetchImage(client, ref, scopes);
    onEvent({ id: ref.reference, status: `Pulling from ${ref.path}` });
    // Like Docker: an image already stored locally needs no layers at all.
    const existed = await deps.images.hasImage(image.configDigest);
    if (!existed) {
      const missing: Layer[] = [];
      const seen = new Set<string>();
      for (const layer of image.layers) {
        if (seen.has(layer.digest)) continue;
        seen.add(layer.digest);
        if (await deps.images.hasLayer(layer)) onEvent({ id: short(layer.digest), status: 'Already exists' });
        else {
          missing.push(layer);
          onEvent({ id: short(layer.digest), status: 'Pulling fs layer' });
        }
      }
      for (const layer of missing) {
        if (signal?.aborted) throw new OperationCancelledError('pull');
        const id = short(layer.digest);
        // a blob a pull stored before it was interrupted is not downloaded again
        let verified: VerifiedLayer;
        if (await deps.blobs.has(layer.digest)) {
          onEvent({ id, status: 'Verifying Checksum' });
          verified = await verifyStored(deps, layer, signal);
          onEvent({ id, status: 'Download complete' });
        } else verified = await download(client, deps, ref, layer, scopes, onEvent, signal);
        // the diffID and the tar were checked as the blob streamed (see the registry README)
        await deps.images.recordVerifiedLayer({ digest: layer.digest, diffID: layer.diffID, size: verified.contentSize });
        await deps.memory.sawBlob(layer.digest, source);
        onEvent({ id, status: 'Pull complete' });
      }
    }
    for (const layer of image.layers) await deps.memory.sawBlob(layer.digest, source);
    const before = ref.tag !== undefined ? await deps.images.resolveId(ref.familiar).catch(() => undefined) : undefined;
    const id = await deps.images.put(image);
    const upToDate = ref.tag !== undefined ? before === id : existed;
    if (ref.tag !== undefined) await deps.images.setReference(ref.familiar, id);
    await deps.images.addRepoDigest(id, `${ref.repository}@${digest}`);
    onEvent({ id: '', status: `Digest: ${digest}` });
    onEvent({
      id: '',
      status: upToDate ? `Status: Image is up to date for ${ref.familiar}` : `Status: Downloaded newer image for ${ref.familiar}`,
    });
    return { id, reference: ref.familiar, digest };
  } catch (err) {
    throw pullError(err, ref);
  }
}
