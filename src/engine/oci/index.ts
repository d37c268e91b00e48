/** Public surface of the OCI image package: import from here. */
export type { Digest } from './digest.ts';
export { digestHex, isDigest, parseDigest, sha256Digest } from './digest.ts';
export type { OciErrorContext, OciErrorKind, Problem } from './errors.ts';
export { OciError } from './errors.ts';
export type {
  ContainerConfig,
  Descriptor,
  Healthcheck,
  History,
  ImageConfig,
  ImageIndex,
  ImageLayout,
  ImageManifest,
  Platform,
  RootFS,
} from './types.ts';
export { Annotation, IMAGE_LAYOUT, isLayerMediaType, MediaType, mediaTypeFamily } from './types.ts';
export type { Shape } from './json.ts';
export { canonicalJson, CONFIG_SHAPE, DESCRIPTOR_SHAPE, INDEX_SHAPE, MANIFEST_SHAPE } from './json.ts';
export type { ConfigPatch, Image, ImageFormat, Layer, LayerHistory, MetadataPatch } from './image.ts';
export {
  appendEmptyLayerHistory,
  appendLayer,
  DEFAULT_PATH_ENV,
  deserializeImage,
  emptyImage,
  imageId,
  manifestDescriptor,
  serializeImage,
  shortId,
  withConfig,
  withMetadata,
} from './image.ts';
export type { ManifestValidationOptions } from './validate.ts';
export {
  isDateTime,
  isUri,
  validateConfig,
  validateDescriptor,
  validateDocument,
  validateImage,
  validateIndex,
  validateLayout,
  validateManifest,
} from './validate.ts';
export type { BuildStep, KeyValue } from './display.ts';
export {
  BUILDKIT_HISTORY_COMMENT,
  buildkitHistory,
  displayCreatedBy,
  formatCreatedBy,
  formatGoG,
  goDuration,
  goQuote,
  humanDuration,
  humanSize,
  humanSizeWithPrecision,
  shellForm,
  stepCreatesLayer,
  timeAgo,
} from './display.ts';
