/**
 * OCI image-spec v1.1 document types (descriptor, manifest, index, layout, config), with Docker's
 * extensions to the config (Healthcheck, OnBuild, Shell) and the Docker v2 schema 2 media types.
 * Field names are the JSON names, so a parsed document is one of these types as it is.
 */
import type { Digest } from './digest.ts';

/** Media types of the OCI image spec and their Docker v2 schema 2 equivalents. */
export const MediaType = {
  /** OCI content descriptor (used by the JSON schema and for validation only). */
  OciDescriptor: 'application/vnd.oci.descriptor.v1+json',
  /** OCI image layout header (the `oci-layout` file). */
  OciLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  /** OCI image manifest. */
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  /** OCI image index (multi-platform list). */
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  /** OCI image config. */
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  /** OCI layer, uncompressed tar. */
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  /** OCI layer, gzip-compressed tar. */
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** OCI layer, zstd-compressed tar. */
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** OCI non-distributable layer (deprecated), uncompressed. */
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  /** OCI non-distributable layer (deprecated), gzip. */
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  /** OCI non-distributable layer (deprecated), zstd. */
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  /** The OCI empty JSON blob `{}` (artifacts). */
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  /** Docker image manifest, v2 schema 2. */
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Docker manifest list (the Docker counterpart of the OCI index). */
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Docker image config. */
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** Docker layer, gzip-compressed tar. */
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Docker layer, uncompressed tar (rare, accepted by Docker). */
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  /** Docker foreign layer (e.g. Windows base layers). */
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** Well-known annotation keys. */
export const Annotation = {
  /** Tag or name of a manifest in an OCI layout's index.json (e.g. `latest`). */
  RefName: 'org.opencontainers.image.ref.name',
  /** Full image name containerd (and `docker save` since 25) put beside RefName. */
  ContainerdImageName: 'io.containerd.image.name',
  /** Creation time (RFC 3339). */
  Created: 'org.opencontainers.image.created',
  /** Reference of the image this one was built `FROM`. */
  BaseName: 'org.opencontainers.image.base.name',
  /** Manifest digest of the base image. */
  BaseDigest: 'org.opencontainers.image.base.digest',
} as const;

/** The content of the `oci-layout` file of an OCI image layout. */
export interface ImageLayout {
  /** Always `1.0.0`. */
  readonly imageLayoutVersion: '1.0.0';
}

/** The one valid `oci-layout` file. */
export const IMAGE_LAYOUT: ImageLayout = Object.freeze({ imageLayoutVersion: '1.0.0' });

/** The platform an image (or a manifest in an index) runs on. */
export interface Platform {
  /** CPU architecture in Go's GOARCH spelling: `386`, `amd64`, `arm64`... */
  readonly architecture: string;
  /** Operating system in Go's GOOS spelling: `linux`, `windows`... */
  readonly os: string;
  /** OS version (Windows only in practice). */
  readonly 'os.version'?: string;
  /** Required OS features (Windows only in practice). */
  readonly 'os.features'?: readonly string[];
  /** CPU variant, e.g. `v7` for arm. */
  readonly variant?: string;
  /** Reserved by the spec. */
  readonly features?: readonly string[];
}

/** A reference to content by digest, size and media type (OCI `descriptor.md`). */
export interface Descriptor {
  /** Media type of the referenced content. */
  readonly mediaType: string;
  /** Digest of the referenced bytes exactly as stored. */
  readonly digest: Digest;
  /** Size of the referenced bytes. */
  readonly size: number;
  /** Where the content may also be downloaded. */
  readonly urls?: readonly string[];
  /** Arbitrary metadata. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The content itself, base64 (padded), for small blobs. */
  readonly data?: string;
  /** Platform of a manifest referenced from an index. */
  readonly platform?: Platform;
  /** Artifact type of a referenced artifact manifest. */
  readonly artifactType?: string;
}

/** An image manifest: one config and an ordered list of layers (base layer first). */
export interface ImageManifest {
  /** Always 2. */
  readonly schemaVersion: 2;
  /** `MediaType.OciManifest` or `MediaType.DockerManifest` (optional for OCI, but we always write it). */
  readonly mediaType?: string;
  /** Artifact type, for artifact manifests only. */
  readonly artifactType?: string;
  /** The config blob. */
  readonly config: Descriptor;
  /** The layer blobs, base first. */
  readonly layers: readonly Descriptor[];
  /** A manifest this one refers to (referrers API). */
  readonly subject?: Descriptor;
  /** Arbitrary metadata. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An image index: a list of manifests, usually one per platform. */
export interface ImageIndex {
  /** Always 2. */
  readonly schemaVersion: 2;
  /** `MediaType.OciIndex` or `MediaType.DockerManifestList`. */
  readonly mediaType?: string;
  /** Artifact type, for artifact indexes only. */
  readonly artifactType?: string;
  /** The manifests. */
  readonly manifests: readonly Descriptor[];
  /** A manifest this one refers to (referrers API). */
  readonly subject?: Descriptor;
  /** Arbitrary metadata. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Docker's HEALTHCHECK settings; durations are integer nanoseconds as in Docker's JSON. */
export interface Healthcheck {
  /** `[]` inherit, `["NONE"]` disable, `["CMD", ...]` exec, `["CMD-SHELL", cmd]` shell. */
  readonly Test?: readonly string[];
  /** Time between checks, ns. */
  readonly Interval?: number;
  /** Time before a check is considered hung, ns. */
  readonly Timeout?: number;
  /** Grace period for the container to start, ns. */
  readonly StartPeriod?: number;
  /** Time between checks during the start period, ns. */
  readonly StartInterval?: number;
  /** Consecutive failures needed to be unhealthy. */
  readonly Retries?: number;
}

/** The execution parameters inside an image config (OCI `config` plus Docker's extensions). */
export interface ContainerConfig {
  /** `user`, `uid`, `user:group`, `uid:gid`... */
  readonly User?: string;
  /** Ports as a set: keys `80/tcp`, values `{}`. */
  readonly ExposedPorts?: Readonly<Record<string, Readonly<Record<string, never>>>>;
  /** `KEY=value` entries. */
  readonly Env?: readonly string[];
  /** Executable and leading arguments. */
  readonly Entrypoint?: readonly string[] | null;
  /** Default arguments (or command when there is no entrypoint). */
  readonly Cmd?: readonly string[] | null;
  /** Volume mount points as a set: keys paths, values `{}`. */
  readonly Volumes?: Readonly<Record<string, Readonly<Record<string, never>>>> | null;
  /** Working directory of the process. */
  readonly WorkingDir?: string;
  /** Arbitrary metadata. */
  readonly Labels?: Readonly<Record<string, string>> | null;
  /** Signal that stops the container, e.g. `SIGTERM`. */
  readonly StopSignal?: string;
  /** Windows-only legacy flag (BuildKit sets it for shell-form CMD). */
  readonly ArgsEscaped?: boolean;
  /** Docker extension: HEALTHCHECK. */
  readonly Healthcheck?: Healthcheck;
  /** Docker extension: ONBUILD triggers, as Dockerfile lines. */
  readonly OnBuild?: readonly string[] | null;
  /** Docker extension: SHELL for shell-form instructions. */
  readonly Shell?: readonly string[];
}

/** A writable copy of an OCI value, all the way down (what a caller edits before it becomes an image again). */
export type Writable<T> = T extends readonly (infer U)[]
  ? Writable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Writable<T[K]> }
    : T;

/** The layer diff IDs of an image config. */
export interface RootFS {
  /** Always `layers`. */
  readonly type: 'layers';
  /** DiffIDs (digests of the uncompressed layer tars), base first. */
  readonly diff_ids: readonly Digest[];
}

/** One build step of an image (what `docker history` shows). */
export interface History {
  /** When the step ran (RFC 3339). */
  readonly created?: string;
  /** The command that made the step, e.g. `RUN /bin/sh -c apk add curl # buildkit`. */
  readonly created_by?: string;
  /** Who made it. */
  readonly author?: string;
  /** Free text; BuildKit writes `buildkit.dockerfile.v0`. */
  readonly comment?: string;
  /** True for metadata-only steps that added no layer. */
  readonly empty_layer?: boolean;
}

/** An image config (the OCI `Image` document; Docker calls its hash the image ID). */
export interface ImageConfig {
  /** When the image was created (RFC 3339). */
  readonly created?: string;
  /** Who created it. */
  readonly author?: string;
  /** CPU architecture (GOARCH). */
  readonly architecture: string;
  /** Operating system (GOOS). */
  readonly os: string;
  /** OS version (Windows). */
  readonly 'os.version'?: string;
  /** OS features (Windows). */
  readonly 'os.features'?: readonly string[];
  /** CPU variant. */
  readonly variant?: string;
  /** Execution parameters. */
  readonly config?: ContainerConfig;
  /** Layer diff IDs. */
  readonly rootfs: RootFS;
  /** Build steps, oldest first. */
  readonly history?: readonly History[];
}

/** Which family a manifest, config or layer media type belongs to (undefined: neither). */
export function mediaTypeFamily(mediaType: string | undefined): 'oci' | 'docker' | undefined {
  if (mediaType === undefined) return undefined;
  if (mediaType.startsWith('application/vnd.oci.')) return 'oci';
  if (mediaType.startsWith('application/vnd.docker.')) return 'docker';
  return undefined;
}

const LAYER_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaType.OciLayer,
  MediaType.OciLayerGzip,
  MediaType.OciLayerZstd,
  MediaType.OciLayerNondistributable,
  MediaType.OciLayerNondistributableGzip,
  MediaType.OciLayerNondistributableZstd,
  MediaType.DockerLayer,
  MediaType.DockerLayerGzip,
  MediaType.DockerForeignLayerGzip,
]);

/** Whether `mediaType` is one of the OCI or Docker layer (filesystem changeset) media types. */
export function isLayerMediaType(mediaType: string): boolean {
  return LAYER_MEDIA_TYPES.has(mediaType);
}
