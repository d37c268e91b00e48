import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError } from '../errors.ts';
import { sha256Digest } from '../oci/digest.ts';
import { MediaType } from '../oci/types.ts';
import { registryErrorCode, REPOS_COLLECTION, type ErrorCode } from './registry.ts';
import { newRegistry } from './testkit.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function rejectsWith(
  promise: Promise<unknown>,
  code: ErrorCode,
  kind: typeof NotFoundError | typeof InvalidArgumentError,
): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(kind);
  expect(registryErrorCode(err)).toBe(code);
  expect((err as Error).message.startsWith(`${code}: `)).toBe(true);
  return err as Error;
}

/** A blob plus a minimal OCI manifest referring to it as config and as its one layer. */
async function manifestFor(...blobs: Uint8Array[]): Promise<Uint8Array> {
  const [config, ...layers] = await Promise.all(blobs.map(async (b) => ({ digest: await sha256Digest(b), size: b.length })));
  return bytes(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, ...config },
      layers: layers.map((l) => ({ mediaType: MediaType.OciLayer, ...l })),
    }),
  );
}

describe('LocalRegistry blobs', () => {
  it('putBlob stores by digest; headBlob and getBlob answer per repository', async () => {
    const { registry } = newRegistry();
    const blob = bytes('hello');
    const digest = await sha256Digest(blob);
    expect(await registry.headBlob('web', digest)).toBeUndefined();
    expect(await registry.putBlob('web', digest, blob)).toEqual({ digest, size: 5 });
    expect(await registry.headBlob('web', digest)).toEqual({ digest, size: 5 });
    expect(new TextDecoder().decode(await registry.getBlob('web', digest))).toBe('hello');
    // Blobs belong to repositories: another repository does not have it.
    expect(await registry.headBlob('other', digest)).toBeUndefined();
    await rejectsWith(registry.getBlob('other', digest), 'BLOB_UNKNOWN', NotFoundError);
  });

  it('rejects a digest mismatch on putBlob and stores nothing', async () => {
    const { registry, blobs, meta } = newRegistry();
    const claimed = await sha256Digest('something else');
    const err = await rejectsWith(registry.putBlob('web', claimed, bytes('hello')), 'DIGEST_INVALID', InvalidArgumentError);
    expect(err.message).toContain(await sha256Digest('hello'));
    expect(await blobs.list()).toEqual([]);
    expect(await meta.list(REPOS_COLLECTION)).toEqual([]);
    expect(await registry.headBlob('web', claimed)).toBeUndefined();
    expect((await registry.catalog()).repositories).toEqual([]);
  });

  it('rejects malformed digests and repository names', async () => {
    const { registry } = newRegistry();
    await rejectsWith(registry.putBlob('web', 'sha256:abc', bytes('x')), 'DIGEST_INVALID', InvalidArgumentError);
    await rejectsWith(registry.getBlob('web', 'md5:00'), 'DIGEST_INVALID', InvalidArgumentError);
    await rejectsWith(registry.putBlob('Web', await sha256Digest('x'), bytes('x')), 'NAME_INVALID', InvalidArgumentError);
    await rejectsWith(registry.listTags('a//b'), 'NAME_INVALID', InvalidArgumentError);
    await rejectsWith(registry.getManifest('web', 'bad tag'), 'TAG_INVALID', InvalidArgumentError);
  });

  it('mounts a blob from another repository without copying it', async () => {
    const { registry, blobs } = newRegistry();
    const blob = bytes('base layer');
    const digest = await sha256Digest(blob);
    await registry.putBlob('base', digest, blob);
    const usage = await blobs.usage();
    expect(await registry.mountBlob('app', digest, 'base')).toBe(true);
    expect(await registry.headBlob('app', digest)).toEqual({ digest, size: blob.length });
    expect(await blobs.usage()).toBe(usage);
    // Nothing to mount from a repository that lacks it: the client must upload (202).
    expect(await registry.mountBlob('third', digest, 'nowhere')).toBe(false);
    expect(await registry.headBlob('third', digest)).toBeUndefined();
  });

  it('deleteBlob removes the blob from the repository only', async () => {
    const { registry } = newRegistry();
    const blob = bytes('x');
    const digest = await sha256Digest(blob);
    await registry.putBlob('a', digest, blob);
    await registry.mountBlob('b', digest, 'a');
    await registry.deleteBlob('a', digest);
    expect(await registry.headBlob('a', digest)).toBeUndefined();
    expect(await registry.headBlob('b', digest)).toBeDefined();
    await rejectsWith(registry.deleteBlob('a', digest), 'BLOB_UNKNOWN', NotFoundError);
  });
});

describe('LocalRegistry manifests', () => {
  it('putManifest by tag, getManifest by tag and by digest', async () => {
    const { registry } = newRegistry();
    const config = bytes('{}');
    const layer = bytes('layer');
    for (const b of [config, layer]) await registry.putBlob('web', await sha256Digest(b), b);
    const manifest = await manifestFor(config, layer);
    const digest = await registry.putManifest('web', '1', manifest, MediaType.OciManifest);
    expect(digest).toBe(await sha256Digest(manifest));
    for (const reference of ['1', digest]) {
      const got = await registry.getManifest('web', reference);
      expect(got.digest).toBe(digest);
      expect(got.mediaType).toBe(MediaType.OciManifest);
      expect(got.bytes).toEqual(manifest);
    }
    expect(await registry.headManifest('web', '1')).toEqual({ mediaType: MediaType.OciManifest, digest, size: manifest.length });
    expect(await registry.headManifest('web', '2')).toBeUndefined();
  });

  it('rejects a manifest referencing a blob the repository lacks (MANIFEST_BLOB_UNKNOWN)', async () => {
    const { registry, blobs } = newRegistry();
    const config = bytes('{}');
    const layer = bytes('layer');
    await registry.putBlob('web', await sha256Digest(config), config);
    const manifest = await manifestFor(config, layer);
    const err = await rejectsWith(
      registry.putManifest('web', '1', manifest, MediaType.OciManifest),
      'MANIFEST_BLOB_UNKNOWN',
      InvalidArgumentError,
    );
    expect(err.message).toContain(await sha256Digest(layer));
    // Having the blob in another repository (and so in the shared blob store) is not enough.
    await registry.putBlob('other', await sha256Digest(layer), layer);
    await rejectsWith(registry.putManifest('web', '1', manifest, MediaType.OciManifest), 'MANIFEST_BLOB_UNKNOWN', InvalidArgumentError);
    expect(await blobs.has(await sha256Digest(manifest))).toBe(false);
    await rejectsWith(registry.getManifest('web', '1'), 'MANIFEST_UNKNOWN', NotFoundError);
    // Once mounted, the same manifest is accepted.
    await registry.mountBlob('web', await sha256Digest(layer), 'other');
    await registry.putManifest('web', '1', manifest, MediaType.OciManifest);
  });

  it('rejects invalid manifests, wrong media types and digest references that do not match', async () => {
    const { registry } = newRegistry();
    const config = bytes('{}');
    await registry.putBlob('web', await sha256Digest(config), config);
    const manifest = await manifestFor(config);
    await rejectsWith(registry.putManifest('web', '1', bytes('not json'), MediaType.OciManifest), 'MANIFEST_INVALID', InvalidArgumentError);
    await rejectsWith(
      registry.putManifest('web', '1', bytes('{"schemaVersion":2}'), MediaType.OciManifest),
      'MANIFEST_INVALID',
      InvalidArgumentError,
    );
    await rejectsWith(registry.putManifest('web', '1', manifest, MediaType.DockerManifest), 'MANIFEST_INVALID', InvalidArgumentError);
    await rejectsWith(registry.putManifest('web', '1', manifest, 'text/plain'), 'MANIFEST_INVALID', InvalidArgumentError);
    await rejectsWith(
      registry.putManifest('web', await sha256Digest('other'), manifest, MediaType.OciManifest),
      'DIGEST_INVALID',
      InvalidArgumentError,
    );
    // By its own digest it is fine (untagged).
    const digest = await registry.putManifest('web', await sha256Digest(manifest), manifest, MediaType.OciManifest);
    expect((await registry.getManifest('web', digest)).bytes).toEqual(manifest);
    expect((await registry.listTags('web')).tags).toEqual([]);
  });

  it('accepts an index only when the repository holds its manifests', async () => {
    const { registry } = newRegistry();
    const config = bytes('{}');
    await registry.putBlob('web', await sha256Digest(config), config);
    const manifest = await manifestFor(config);
    const index = bytes(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciIndex,
        manifests: [{ mediaType: MediaType.OciManifest, digest: await sha256Digest(manifest), size: manifest.length }],
      }),
    );
    await rejectsWith(registry.putManifest('web', 'multi', index, MediaType.OciIndex), 'MANIFEST_BLOB_UNKNOWN', InvalidArgumentError);
    await registry.putManifest('web', '1', manifest, MediaType.OciManifest);
    await registry.putManifest('web', 'multi', index, MediaType.OciIndex);
    expect((await registry.getManifest('web', 'multi')).mediaType).toBe(MediaType.OciIndex);
  });

  it('deleteManifest by tag removes the tag; by digest the manifest and its tags', async () => {
    const { registry } = newRegistry();
    const config = bytes('{}');
    await registry.putBlob('web', await sha256Digest(config), config);
    const manifest = await manifestFor(config);
    const digest = await registry.putManifest('web', '1', manifest, MediaType.OciManifest);
    await registry.putManifest('web', '2', manifest, MediaType.OciManifest);
    await registry.putManifest('web', 'latest', manifest, MediaType.OciManifest);
    await registry.deleteManifest('web', 'latest');
    expect((await registry.listTags('web')).tags).toEqual(['1', '2']);
    expect((await registry.getManifest('web', digest)).digest).toBe(digest);
    await registry.deleteManifest('web', digest);
    expect((await registry.listTags('web')).tags).toEqual([]);
    await rejectsWith(registry.getManifest('web', digest), 'MANIFEST_UNKNOWN', NotFoundError);
    await rejectsWith(registry.deleteManifest('web', digest), 'MANIFEST_UNKNOWN', NotFoundError);
    await rejectsWith(registry.deleteManifest('nope', '1'), 'NAME_UNKNOWN', NotFoundError);
  });
});

describe('LocalRegistry listing', () => {
  it('lists tags and the catalog, sorted and paginated', async () => {
    const { registry } = newRegistry();
    const config = bytes('{}');
    const manifest = await manifestFor(config);
    for (const repo of ['web', 'api', 'team/db']) {
      await registry.putBlob(repo, await sha256Digest(config), config);
      for (const tag of ['2', '1', 'latest']) await registry.putManifest(repo, tag, manifest, MediaType.OciManifest);
    }
    expect(await registry.catalog()).toEqual({ repositories: ['api', 'team/db', 'web'] });
    expect(await registry.catalog({ n: 1 })).toEqual({ repositories: ['api'] });
    expect(await registry.catalog({ n: 5, last: 'api' })).toEqual({ repositories: ['team/db', 'web'] });
    expect(await registry.listTags('team/db')).toEqual({ name: 'team/db', tags: ['1', '2', 'latest'] });
    expect(await registry.listTags('web', { n: 1, last: '1' })).toEqual({ name: 'web', tags: ['2'] });
  });

  it('names unknown repositories and tags with NAME_UNKNOWN and MANIFEST_UNKNOWN', async () => {
    const { registry } = newRegistry();
    await rejectsWith(registry.listTags('web'), 'NAME_UNKNOWN', NotFoundError);
    await rejectsWith(registry.getManifest('web', '1'), 'NAME_UNKNOWN', NotFoundError);
    const config = bytes('{}');
    await registry.putBlob('web', await sha256Digest(config), config);
    await registry.putManifest('web', '1', await manifestFor(config), MediaType.OciManifest);
    const err = await rejectsWith(registry.getManifest('web', '2'), 'MANIFEST_UNKNOWN', NotFoundError);
    expect(err.message).toBe('MANIFEST_UNKNOWN: manifest unknown: web:2');
  });

  it('referencedBlobs lists every blob and manifest it holds, for garbage collection', async () => {
    const { registry } = newRegistry();
    const config = bytes('{}');
    const manifest = await manifestFor(config);
    await registry.putBlob('web', await sha256Digest(config), config);
    await registry.putManifest('web', '1', manifest, MediaType.OciManifest);
    expect(await registry.referencedBlobs()).toEqual([await sha256Digest(config), await sha256Digest(manifest)].sort());
  });
});
