/**
 * Where base images come from offline: OCI image layouts shipped as static files beside the
 * site (`images/<name>/`), listed in `images/catalog.json`, fetched only when first used.
 */
import { NotFoundError } from '../errors.ts';
import type { ImageIndex } from '../oci/types.ts';

/** One image the catalog offers. */
export interface CatalogEntry {
  /** References it answers to, e.g. `busybox:latest`, `busybox:1.35`. */
  references: string[];
  /** Folder of its OCI layout, relative to the catalog. */
  layout: string;
  /** Compressed bytes to download. */
  size: number;
  description?: string;
}

/** Reads files relative to the images folder (fetch in the browser, fs in Node). */
export type FetchFile = (path: string, onProgress?: (loaded: number, total: number) => void) => Promise<Uint8Array>;

/** An offline source of images. */
export interface ImageSource {
  /** Everything it offers. */
  catalog(): Promise<CatalogEntry[]>;
  /** The layout's index.json. */
  index(entry: CatalogEntry): Promise<ImageIndex>;
  /** A blob of the layout. */
  blob(entry: CatalogEntry, digest: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array>;
}

/** An ImageSource over static OCI layouts and a catalog.json. */
export function staticImageSource(fetchFile: FetchFile): ImageSource {
  let catalog: Promise<CatalogEntry[]> | undefined;
  const json = async <T>(path: string): Promise<T> => JSON.parse(new TextDecoder().decode(await fetchFile(path))) as T;
  return {
    catalog() {
      catalog ??= json<{ images: CatalogEntry[] }>('catalog.json').then((c) => c.images);
      catalog.catch(() => (catalog = undefined));
      return catalog;
    },
    index(entry) {
      return json<ImageIndex>(`${entry.layout}/index.json`);
    },
    async blob(entry, digest, onProgress) {
      const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
      if (!m) throw new NotFoundError(`bad blob digest in layout: ${digest}`);
      return fetchFile(`${entry.layout}/blobs/sha256/${m[1]}`, onProgress);
    },
  };
}
