/**
 * `docker push`, `docker pull` and `docker login` against the local registry, printing what
 * Docker prints. Push checks each layer with a HEAD first and uploads only what the repository
 * lacks (mounting it from another repository when one has it); pull downloads only layers the
 * local image store lacks.
 */
import type { PullEvent } from '../api.ts';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '../errors.ts';
import type { ImageStore } from '../images/store.ts';
import { parseReference, type Reference } from '../images/reference.ts';
import { sha256Digest, type Digest } from '../oci/digest.ts';
import { deserializeImage, type Image } from '../oci/image.ts';
import { MediaType, type ImageIndex } from '../oci/types.ts';
import { REGISTRY_HOST, registryErrorCode, type LocalRegistry } from './registry.ts';

/** Receives progress lines (`{ id, status }`, like Docker's JSON messages); same shape as `PullEvent`. */
export type EventSink = (e: PullEvent) => void;

/** What happened to one layer in a push. */
export interface PushedLayer {
  digest: Digest;
  diffID: Digest;
  size: number;
  /** `exists`: the repository had it; `mounted`: taken from `from` without upload; `pushed`: uploaded. */
  result: 'exists' | 'mounted' | 'pushed';
  from?: string;
}

/** The outcome of `push`. */
export interface PushResult {
  /** `localhost:5000/web:1`. */
  reference: string;
  /** The manifest's digest and size, as the last line prints them. */
  digest: Digest;
  size: number;
  /** Layers, top first (the order Docker prints them). */
  layers: PushedLayer[];
}

/** Whether `input` names an image in the local registry (`localhost:5000/...`). */
export function isLocalRegistryReference(input: string): boolean {
  try {
    return parseReference(input).domain === REGISTRY_HOST;
  } catch {
    return false;
  }
}

const encoder = new TextEncoder();
const short = (digest: string): string => digest.slice(7, 19);

function offline(ref: Reference, verb: 'push to' | 'pull from'): UnavailableError {
  const name = ref.path.replace(/^library\//, '');
  return new UnavailableError(
    `LayerLab runs offline and cannot ${verb} ${ref.domain}: its only registry is the local one at ${REGISTRY_HOST}. ` +
      (verb === 'push to'
        ? `Tag the image for it first: docker tag ${ref.familiar} ${REGISTRY_HOST}/${name}:${ref.tag}`
        : `Try ${REGISTRY_HOST}/${name}:${ref.tag}`),
  );
}

/** `docker push localhost:5000/NAME:TAG`: uploads the layers the repository lacks, then the config and manifest. */
export async function push(store: ImageStore, registry: LocalRegistry, input: string, onEvent: EventSink = () => {}): Promise<PushResult> {
  const ref = parseReference(input);
  onEvent({ id: '', status: `The push refers to repository [${ref.domain}/${ref.path}]` });
  let id: string;
  try {
    id = await store.resolveId(ref.familiar);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError(`An image does not exist locally with the tag: ${ref.repository}`);
    throw err;
  }
  if (ref.domain !== REGISTRY_HOST) throw offline(ref, 'push to');
  const image = await store.load(id);
  const repo = ref.path;

  // Docker lists layers top first, each once.
  const seen = new Set<string>();
  const layers = [...image.layers].reverse().filter((l) => !seen.has(l.digest) && seen.add(l.digest));
  for (const l of layers) onEvent({ id: short(l.diffID), status: 'Preparing' });

  const done: PushedLayer[] = [];
  for (const l of layers) {
    const lid = short(l.diffID);
    const outcome = await upload(store, registry, repo, l.digest, (status, current, total) =>
      onEvent(current === undefined ? { id: lid, status } : { id: lid, status, current, total }),
    );
    done.push({ digest: l.digest, diffID: l.diffID, size: l.size, ...outcome });
  }
  await upload(store, registry, repo, image.configDigest, () => {});

  const manifestBytes = encoder.encode(image.rawManifest);
  const digest = await registry.putManifest(repo, ref.tag, manifestBytes, image.manifest.mediaType ?? MediaType.OciManifest);
  await store.addRepoDigest(id, `${ref.repository}@${digest}`);
  onEvent({ id: '', status: `${ref.tag}: digest: ${digest} size: ${manifestBytes.length}` });
  return { reference: ref.familiar, digest, size: manifestBytes.length, layers: done };
}

/** Makes `repo` hold one blob: HEAD, then mount from another repository, then upload. */
async function upload(
  store: ImageStore,
  registry: LocalRegistry,
  repo: string,
  digest: Digest,
  report: (status: string, current?: number, total?: number) => void,
): Promise<{ result: PushedLayer['result']; from?: string }> {
  if (await registry.headBlob(repo, digest)) {
    report('Layer already exists');
    return { result: 'exists' };
  }
  for (const other of (await registry.catalog()).repositories) {
    if (other !== repo && (await registry.headBlob(other, digest)) && (await registry.mountBlob(repo, digest, other))) {
      report(`Mounted from ${other}`);
      return { result: 'mounted', from: other };
    }
  }
  const bytes = await store.readBlob(digest);
  report('Pushing', 0, bytes.length);
  await registry.putBlob(repo, digest, bytes);
  report('Pushing', bytes.length, bytes.length);
  report('Pushed');
  return { result: 'pushed' };
}

/** The image manifest to pull: the manifest itself, or from an index the linux/386 (else first) entry. */
async function fetchImage(registry: LocalRegistry, repo: string, ref: Reference): Promise<Image> {
  let got;
  try {
    got = await registry.getManifest(repo, ref.tag);
  } catch (err) {
    const code = registryErrorCode(err);
    if (code === 'MANIFEST_UNKNOWN' || code === 'NAME_UNKNOWN')
      throw new NotFoundError(`manifest for ${ref.familiar} not found: manifest unknown`, { cause: err });
    throw err;
  }
  if (got.mediaType === MediaType.OciIndex || got.mediaType === MediaType.DockerManifestList) {
    const index = JSON.parse(new TextDecoder().decode(got.bytes)) as ImageIndex;
    const entry = index.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === '386') ?? index.manifests[0];
    if (!entry) throw new NotFoundError(`manifest for ${ref.familiar} not found: the index is empty`);
    got = await registry.getManifest(repo, entry.digest);
  }
  if ((await sha256Digest(got.bytes)) !== got.digest) throw new InvalidArgumentError(`manifest for ${ref.familiar}: digest mismatch`);
  const manifest = JSON.parse(new TextDecoder().decode(got.bytes)) as { config: { digest: string } };
  const config = await registry.getBlob(repo, manifest.config.digest);
  try {
    return await deserializeImage(got.bytes, config);
  } catch (err) {
    throw new InvalidArgumentError(
      `manifest for ${ref.familiar} is not a usable image: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/** `docker pull localhost:5000/NAME:TAG`: downloads the layers the image store lacks, then tags the image. */
export async function pullFromRegistry(
  store: ImageStore,
  registry: LocalRegistry,
  input: string,
  onEvent: EventSink = () => {},
  signal?: AbortSignal,
): Promise<{ id: string; reference: string; digest: Digest }> {
  const ref = parseReference(input);
  if (ref.domain !== REGISTRY_HOST) throw offline(ref, 'pull from');
  const repo = ref.path;
  const image = await fetchImage(registry, repo, ref);
  onEvent({ id: ref.tag, status: `Pulling from ${ref.path}` });
  // Like Docker: an image already stored locally needs no layers at all.
  if (!(await store.hasImage(image.configDigest))) {
    for (const layer of image.layers) {
      if (signal?.aborted) throw new InvalidArgumentError('pull cancelled');
      const lid = short(layer.digest);
      if (await store.hasLayer(layer)) {
        onEvent({ id: lid, status: 'Already exists' });
        continue;
      }
      onEvent({ id: lid, status: 'Pulling fs layer' });
      const blob = await registry.getBlob(repo, layer.digest);
      onEvent({ id: lid, status: 'Downloading', current: blob.length, total: layer.size });
      onEvent({ id: lid, status: 'Verifying Checksum' });
      onEvent({ id: lid, status: 'Download complete' });
      await store.putLayerBlob(layer, blob);
      onEvent({ id: lid, status: 'Pull complete' });
    }
  }
  let before: string | undefined;
  try {
    before = await store.resolveId(ref.familiar);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const id = await store.put(image);
  await store.setReference(ref.familiar, id);
  await store.addRepoDigest(id, `${ref.repository}@${image.manifestDigest}`);
  onEvent({ id: '', status: `Digest: ${image.manifestDigest}` });
  onEvent({
    id: '',
    status: before === id ? `Status: Image is up to date for ${ref.familiar}` : `Status: Downloaded newer image for ${ref.familiar}`,
  });
  return { id, reference: ref.familiar, digest: image.manifestDigest };
}

/** The message `docker login` gets: there is nothing to log in to. */
export const LOGIN_REFUSED = `login is not needed: LayerLab's registry at ${REGISTRY_HOST} is local to this browser and has no accounts; other registries are unreachable offline`;

/** `docker login [server]`: always refused, with a message saying why. */
export async function login(_server?: string): Promise<never> {
  throw new UnavailableError(LOGIN_REFUSED);
}
