/**
 * What the engine remembers about remote registries, in its MetadataStore (IndexedDB in the page,
 * `$LAYERLAB_HOME` in the Node CLI): logins per registry host (`docker login`), which repositories
 * were seen holding a blob (so a push can mount it instead of uploading, as Docker's daemon
 * remembers), and blob uploads in progress (so an interrupted push resumes where it stopped).
 * None of it is ever part of a share link: those carry workspace files and typed commands only.
 */
import type { MetadataStore } from '../store/types.ts';

/** MetadataStore collection: registry host → `StoredLogin`. */
export const CREDENTIALS_COLLECTION = 'registry-credentials';
/** MetadataStore collection: blob digest → `host/repository` names that hold it. */
export const BLOB_SOURCES_COLLECTION = 'registry-blob-sources';
/** MetadataStore collection: `host/repository@digest` → the upload's `Location`. */
export const UPLOADS_COLLECTION = 'registry-uploads';

/** One registry's login, as `docker login` stored it (unencrypted, as Docker's config.json without a helper). */
export interface StoredLogin {
  username: string;
  password: string;
}

/** How many repositories are remembered per blob (the most recent first). */
const MAX_SOURCES = 8;

/** Logins, blob sources and uploads in progress, over the engine's MetadataStore. */
export class RegistryMemory {
  constructor(private readonly meta: MetadataStore) {}

  /** The login stored for `host`, if any. */
  login(host: string): Promise<StoredLogin | undefined> {
    return this.meta.get<StoredLogin>(CREDENTIALS_COLLECTION, host);
  }

  /** Stores (replaces) the login for `host`. */
  saveLogin(host: string, login: StoredLogin): Promise<void> {
    return this.meta.put(CREDENTIALS_COLLECTION, host, { username: login.username, password: login.password });
  }

  /** Forgets the login for `host`; true if there was one. */
  forgetLogin(host: string): Promise<boolean> {
    return this.meta.delete(CREDENTIALS_COLLECTION, host);
  }

  /** Repositories (`host/path`) seen holding `digest`, most recent first. */
  async sources(digest: string): Promise<string[]> {
    return (await this.meta.get<string[]>(BLOB_SOURCES_COLLECTION, digest)) ?? [];
  }

  /** Remembers that `host/path` holds `digest` (after a pull, push or mount). */
  async sawBlob(digest: string, repository: string): Promise<void> {
    await this.meta.transaction(async (tx) => {
      const old = (await tx.get<string[]>(BLOB_SOURCES_COLLECTION, digest)) ?? [];
      if (old[0] === repository) return;
      tx.put(BLOB_SOURCES_COLLECTION, digest, [repository, ...old.filter((r) => r !== repository)].slice(0, MAX_SOURCES));
    });
  }

  /** The upload URL of an unfinished upload of `digest` to `host/path`, if one was left. */
  upload(repository: string, digest: string): Promise<string | undefined> {
    return this.meta.get<string>(UPLOADS_COLLECTION, `${repository}@${digest}`);
  }

  /** Records (or, with `undefined`, forgets) the upload URL of `digest` to `host/path`. */
  async setUpload(repository: string, digest: string, location: string | undefined): Promise<void> {
    if (location === undefined) await this.meta.delete(UPLOADS_COLLECTION, `${repository}@${digest}`);
    else await this.meta.put(UPLOADS_COLLECTION, `${repository}@${digest}`, location);
  }
}
