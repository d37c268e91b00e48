/**
 * LayerLab's one registry, `localhost:5000`, living inside the engine (there is no network).
 * It follows the OCI distribution spec's model: repositories hold blobs by digest and manifests
 * by digest, tags point at manifests. Bytes go into the SAME content-addressed `BlobStore` as
 * local images, so pushing an image shares its bytes; what each repository holds is recorded in
 * the MetadataStore collection `registry-repos`. Methods are named after the HTTP endpoints.
 */
import { InvalidArgumentError, NotFoundError } from '../errors.ts';
import { isDigest, sha256Digest, type Digest } from '../oci/digest.ts';
import { MediaType, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/types.ts';
import { validateIndex, validateManifest } from '../oci/validate.ts';
import type { BlobInfo, BlobStore, MetadataStore } from '../store/types.ts';

/** Host (and port) of the local registry, as image references spell it. */
export const REGISTRY_HOST = 'localhost:5000';

/** MetadataStore collection: repository name → `RepoRecord`. */
export const REPOS_COLLECTION = 'registry-repos';

/** Error codes of the distribution spec (and their standard messages). */
export const ERROR_MESSAGES = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'manifest references a manifest or blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  SIZE_INVALID: 'provided length did not match content length',
  TAG_INVALID: 'manifest tag did not match URI',
  UNSUPPORTED: 'the operation is unsupported',
} as const;

/** A distribution-spec error code, e.g. `MANIFEST_UNKNOWN`. */
export type ErrorCode = keyof typeof ERROR_MESSAGES;

/** What the registry throws: an engine error carrying the spec's code (also first in its message). */
export type RegistryError = (NotFoundError | InvalidArgumentError) & { readonly code: ErrorCode };

const NOT_FOUND: ReadonlySet<ErrorCode> = new Set(['BLOB_UNKNOWN', 'MANIFEST_UNKNOWN', 'NAME_UNKNOWN']);

/** Throws `CODE: standard message: detail` as a NotFoundError (404 codes) or InvalidArgumentError. */
function fail(code: ErrorCode, detail: string): never {
  const message = `${code}: ${ERROR_MESSAGES[code]}: ${detail}`;
  const err = NOT_FOUND.has(code) ? new NotFoundError(message) : new InvalidArgumentError(message);
  throw Object.assign(err, { code }) as RegistryError;
}

/** The distribution-spec code of an error the registry threw, if it is one. */
export function registryErrorCode(err: unknown): ErrorCode | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' &&
    Object.hasOwn(ERROR_MESSAGES, code) &&
    (err instanceof NotFoundError || err instanceof InvalidArgumentError)
    ? (code as ErrorCode)
    : undefined;
}

/** What the registry keeps about one repository. */
export interface RepoRecord {
  /** Tag → manifest digest. */
  tags: Record<string, string>;
  /** Manifest digest → its media type. */
  manifests: Record<string, string>;
  /** Digests of the blobs (configs, layers) the repository holds, sorted. */
  blobs: string[];
}

/** A manifest as `GET /v2/<name>/manifests/<reference>` returns it. */
export interface ManifestResponse {
  /** The manifest exactly as pushed. */
  bytes: Uint8Array;
  /** Its media type (`Content-Type`). */
  mediaType: string;
  /** Its digest (`Docker-Content-Digest`). */
  digest: Digest;
}

/** Pagination of `listTags` and `catalog` (`?n=&last=`). */
export interface Page {
  /** At most this many entries. */
  n?: number;
  /** Only entries after this one. */
  last?: string;
}

/** What a LocalRegistry is made of. */
export interface RegistryDeps {
  /** The content store, shared with local images. */
  blobs: BlobStore;
  meta: MetadataStore;
}

/** Largest manifest accepted, as registries commonly limit it. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MANIFEST_TYPES: ReadonlySet<string> = new Set([MediaType.OciManifest, MediaType.DockerManifest]);
const INDEX_TYPES: ReadonlySet<string> = new Set([MediaType.OciIndex, MediaType.DockerManifestList]);

function checkName(repo: string): void {
  if (repo.length === 0 || repo.length > 255 || !repo.split('/').every((c) => COMPONENT.test(c)))
    fail('NAME_INVALID', JSON.stringify(repo));
}

function checkDigest(digest: string): asserts digest is Digest {
  if (!isDigest(digest)) fail('DIGEST_INVALID', `${JSON.stringify(digest)} is not a sha256:<64 lowercase hex> digest`);
}

/** A reference is a digest if it has a colon (tags cannot), else a tag. */
function parseManifestReference(reference: string): { digest: Digest } | { tag: string } {
  if (reference.includes(':')) {
    checkDigest(reference);
    return { digest: reference };
  }
  if (!TAG.test(reference)) fail('TAG_INVALID', JSON.stringify(reference));
  return { tag: reference };
}

function sortedInsert(list: string[], value: string): string[] {
  return list.includes(value) ? list : [...list, value].sort();
}

function page(items: string[], options: Page): string[] {
  let out = options.last !== undefined ? items.filter((i) => i > options.last!) : items;
  if (options.n !== undefined) out = out.slice(0, Math.max(0, options.n));
  return out;
}

function emptyRecord(): RepoRecord {
  return { tags: {}, manifests: {}, blobs: [] };
}

/** The local registry: the distribution API's operations over the engine's stores. */
export class LocalRegistry {
  constructor(private readonly deps: RegistryDeps) {}

  private record(repo: string): Promise<RepoRecord | undefined> {
    return this.deps.meta.get<RepoRecord>(REPOS_COLLECTION, repo);
  }

  private async repoOrFail(repo: string): Promise<RepoRecord> {
    checkName(repo);
    const rec = await this.record(repo);
    if (!rec) fail('NAME_UNKNOWN', repo);
    return rec;
  }

  /** Whether `repo` holds the blob and its bytes are still stored. */
  private async holds(rec: RepoRecord | undefined, digest: Digest): Promise<boolean> {
    return !!rec?.blobs.includes(digest) && (await this.deps.blobs.has(digest));
  }

  /** Records that `repo` holds `digest` (creating the repository). */
  private addBlob(repo: string, digest: Digest): Promise<void> {
    return this.deps.meta.transaction(async (tx) => {
      const rec = (await tx.get<RepoRecord>(REPOS_COLLECTION, repo)) ?? emptyRecord();
      if (!rec.blobs.includes(digest)) tx.put(REPOS_COLLECTION, repo, { ...rec, blobs: sortedInsert(rec.blobs, digest) });
    });
  }

  // --- blobs -------------------------------------------------------------------------------------

  /** `HEAD /v2/<name>/blobs/<digest>`: size and digest if the repository holds the blob, else undefined (404). */
  async headBlob(repo: string, digest: string): Promise<BlobInfo | undefined> {
    checkName(repo);
    checkDigest(digest);
    if (!(await this.holds(await this.record(repo), digest))) return undefined;
    return this.deps.blobs.info(digest);
  }

  /** `GET /v2/<name>/blobs/<digest>`: the blob's bytes; `BLOB_UNKNOWN` if the repository lacks it. */
  async getBlob(repo: string, digest: string): Promise<Uint8Array> {
    checkName(repo);
    checkDigest(digest);
    if (!(await this.holds(await this.record(repo), digest))) fail('BLOB_UNKNOWN', `${repo}@${digest}`);
    return this.deps.blobs.get(digest);
  }

  /**
   * `POST /v2/<name>/blobs/uploads/?digest=<digest>` (monolithic upload): verifies that `bytes`
   * hash to `digest` (else `DIGEST_INVALID`, nothing stored), stores them, adds them to the repository.
   */
  async putBlob(repo: string, digest: string, bytes: Uint8Array): Promise<BlobInfo> {
    checkName(repo);
    checkDigest(digest);
    const actual = await sha256Digest(bytes);
    if (actual !== digest) fail('DIGEST_INVALID', `expected ${digest}, the uploaded content is ${actual}`);
    const info = await this.deps.blobs.put(bytes, digest);
    await this.addBlob(repo, digest);
    return info;
  }

  /**
   * `POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>` (cross-repository mount): true
   * (201) if `fromRepo` holds the blob and `repo` now does too, without copying a byte; false (202)
   * if it could not be mounted and must be uploaded.
   */
  async mountBlob(repo: string, digest: string, fromRepo: string): Promise<boolean> {
    checkName(repo);
    checkName(fromRepo);
    checkDigest(digest);
    if (!(await this.holds(await this.record(fromRepo), digest))) return false;
    await this.addBlob(repo, digest);
    return true;
  }

  /** `DELETE /v2/<name>/blobs/<digest>`: the repository stops holding the blob (the bytes go at garbage collection). */
  async deleteBlob(repo: string, digest: string): Promise<void> {
    checkName(repo);
    checkDigest(digest);
    await this.deps.meta.transaction(async (tx) => {
      const rec = await tx.get<RepoRecord>(REPOS_COLLECTION, repo);
      if (!rec?.blobs.includes(digest)) fail('BLOB_UNKNOWN', `${repo}@${digest}`);
      tx.put(REPOS_COLLECTION, repo, { ...rec, blobs: rec.blobs.filter((b) => b !== digest) });
    });
  }

  // --- manifests ---------------------------------------------------------------------------------

  /** Digest and media type the reference (tag or digest) names in `repo`, or undefined. */
  private async lookup(rec: RepoRecord, reference: string): Promise<{ digest: Digest; mediaType: string } | undefined> {
    const ref = parseManifestReference(reference);
    const digest = ('digest' in ref ? ref.digest : rec.tags[ref.tag]) as Digest | undefined;
    const mediaType = digest && rec.manifests[digest];
    if (!digest || !mediaType || !(await this.deps.blobs.has(digest))) return undefined;
    return { digest, mediaType };
  }

  /** `HEAD /v2/<name>/manifests/<reference>`: the manifest's descriptor, or undefined (404). */
  async headManifest(repo: string, reference: string): Promise<Descriptor | undefined> {
    checkName(repo);
    const rec = await this.record(repo);
    const hit = rec && (await this.lookup(rec, reference));
    if (!hit) return undefined;
    return { mediaType: hit.mediaType, digest: hit.digest, size: (await this.deps.blobs.info(hit.digest)).size };
  }

  /** `GET /v2/<name>/manifests/<reference>` (tag or digest); `NAME_UNKNOWN` / `MANIFEST_UNKNOWN`. */
  async getManifest(repo: string, reference: string): Promise<ManifestResponse> {
    parseManifestReference(reference);
    const rec = await this.repoOrFail(repo);
    const hit = await this.lookup(rec, reference);
    if (!hit) fail('MANIFEST_UNKNOWN', `${repo}:${reference}`);
    return { bytes: await this.deps.blobs.get(hit.digest), ...hit };
  }

  /**
   * `PUT /v2/<name>/manifests/<reference>`: stores an image manifest or index after checking it
   * (`MANIFEST_INVALID`), that a digest reference matches it (`DIGEST_INVALID`) and that the
   * repository holds every blob (or manifest, for an index) it refers to (`MANIFEST_BLOB_UNKNOWN`);
   * a tag reference then points at it. Returns the manifest's digest.
   */
  async putManifest(repo: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<Digest> {
    checkName(repo);
    const ref = parseManifestReference(reference);
    if (bytes.length > MAX_MANIFEST_BYTES) fail('MANIFEST_INVALID', `${bytes.length} bytes is more than ${MAX_MANIFEST_BYTES}`);
    const digest = await sha256Digest(bytes);
    if ('digest' in ref && ref.digest !== digest) fail('DIGEST_INVALID', `expected ${ref.digest}, the manifest is ${digest}`);
    if (!MANIFEST_TYPES.has(mediaType) && !INDEX_TYPES.has(mediaType))
      fail('MANIFEST_INVALID', `unsupported media type ${JSON.stringify(mediaType)}`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
    } catch (e) {
      fail('MANIFEST_INVALID', `not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    const isIndex = INDEX_TYPES.has(mediaType);
    const problems = isIndex ? validateIndex(json) : validateManifest(json, { allowNoLayers: true });
    if (problems.length) fail('MANIFEST_INVALID', `${problems[0]!.path || '/'} ${problems[0]!.message}`);
    const declared = (json as { mediaType?: unknown }).mediaType;
    if (declared !== undefined && declared !== mediaType)
      fail('MANIFEST_INVALID', `Content-Type ${mediaType} but the manifest says ${String(declared)}`);

    const rec = (await this.record(repo)) ?? emptyRecord();
    if (isIndex) {
      for (const m of (json as ImageIndex).manifests) {
        if (!rec.manifests[m.digest] || !(await this.deps.blobs.has(m.digest))) fail('MANIFEST_BLOB_UNKNOWN', m.digest);
      }
    } else {
      const manifest = json as ImageManifest;
      for (const d of [manifest.config, ...manifest.layers]) {
        if (!(await this.holds(rec, d.digest))) fail('MANIFEST_BLOB_UNKNOWN', d.digest);
      }
    }
    await this.deps.blobs.put(bytes, digest);
    await this.deps.meta.transaction(async (tx) => {
      const now = (await tx.get<RepoRecord>(REPOS_COLLECTION, repo)) ?? emptyRecord();
      tx.put(REPOS_COLLECTION, repo, {
        ...now,
        manifests: { ...now.manifests, [digest]: mediaType },
        tags: 'tag' in ref ? { ...now.tags, [ref.tag]: digest } : now.tags,
      } satisfies RepoRecord);
    });
    return digest;
  }

  /**
   * `DELETE /v2/<name>/manifests/<reference>`: a digest removes the manifest and every tag on it;
   * a tag removes only the tag. `MANIFEST_UNKNOWN` if there is nothing to delete.
   */
  async deleteManifest(repo: string, reference: string): Promise<void> {
    checkName(repo);
    const ref = parseManifestReference(reference);
    await this.deps.meta.transaction(async (tx) => {
      const rec = await tx.get<RepoRecord>(REPOS_COLLECTION, repo);
      if (!rec) fail('NAME_UNKNOWN', repo);
      if ('tag' in ref) {
        if (!rec.tags[ref.tag]) fail('MANIFEST_UNKNOWN', `${repo}:${ref.tag}`);
        const { [ref.tag]: _gone, ...tags } = rec.tags;
        tx.put(REPOS_COLLECTION, repo, { ...rec, tags });
        return;
      }
      if (!rec.manifests[ref.digest]) fail('MANIFEST_UNKNOWN', `${repo}@${ref.digest}`);
      const { [ref.digest]: _gone, ...manifests } = rec.manifests;
      const tags = Object.fromEntries(Object.entries(rec.tags).filter(([, d]) => d !== ref.digest));
      tx.put(REPOS_COLLECTION, repo, { ...rec, manifests, tags });
    });
  }

  // --- listing -----------------------------------------------------------------------------------

  /** `GET /v2/<name>/tags/list`: the repository's tags, sorted; `NAME_UNKNOWN` if there is no such repository. */
  async listTags(repo: string, options: Page = {}): Promise<{ name: string; tags: string[] }> {
    const rec = await this.repoOrFail(repo);
    return { name: repo, tags: page(Object.keys(rec.tags).sort(), options) };
  }

  /** `GET /v2/_catalog`: every repository, sorted. */
  async catalog(options: Page = {}): Promise<{ repositories: string[] }> {
    const names = (await this.deps.meta.list<RepoRecord>(REPOS_COLLECTION)).map((e) => e.key).sort();
    return { repositories: page(names, options) };
  }

  /** Every blob and manifest the registry holds, so the engine's garbage collection keeps them. */
  async referencedBlobs(): Promise<string[]> {
    const out = new Set<string>();
    for (const { value } of await this.deps.meta.list<RepoRecord>(REPOS_COLLECTION)) {
      for (const b of value.blobs) out.add(b);
      for (const m of Object.keys(value.manifests)) out.add(m);
    }
    return [...out].sort();
  }
}
