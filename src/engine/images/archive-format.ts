/**
 * The image archive formats `docker save` writes and `docker load` reads: an OCI image layout
 * (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) and a docker-save `manifest.json`, which
 * Docker 25+ writes into one tar at once. What the two sides must agree on lives here.
 */
import { Annotation } from '../oci/index.ts';
import { parseReference, type Reference } from './reference.ts';

/** The content of an OCI layout's `oci-layout` file. */
export const OCI_LAYOUT = { imageLayoutVersion: '1.0.0' } as const;

/** One image of a docker-save `manifest.json`: config and layers as paths in the archive, and its names. */
export interface DockerSaveEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** The hex part of a `sha256:<hex>` digest. */
export function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

/** Where a blob lives in an OCI layout: `blobs/sha256/<hex>`. */
export function blobPath(digest: string): string {
  return `blobs/sha256/${hexOf(digest)}`;
}

/**
 * The annotations of an `index.json` descriptor that names `ref`, as Docker writes them:
 * containerd's full name and the OCI ref name (the tag alone).
 */
export function referenceAnnotations(ref: Reference): Record<string, string> {
  return {
    [Annotation.ContainerdImageName]: `${ref.domain}/${ref.path}:${ref.tag}`,
    [Annotation.RefName]: ref.tag,
  };
}

/**
 * The reference an index.json descriptor names: containerd's full `io.containerd.image.name`,
 * else `org.opencontainers.image.ref.name` when it is a full name (`busybox:1.36`,
 * `localhost:5000/app`); a bare tag such as `latest` names no repository, so none.
 */
export function namesFromAnnotations(annotations: Readonly<Record<string, string>> | undefined): string[] {
  for (const name of [annotations?.[Annotation.ContainerdImageName], annotations?.[Annotation.RefName]]) {
    if (!name || !/[:/]/.test(name)) continue;
    try {
      return [parseReference(name).familiar];
    } catch {
      // not a reference: ignore it, as containerd does
    }
  }
  return [];
}
