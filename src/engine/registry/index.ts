/** Public surface of the local registry (`localhost:5000`): import from here. */
export {
  ERROR_MESSAGES,
  LocalRegistry,
  REGISTRY_HOST,
  REPOS_COLLECTION,
  registryErrorCode,
  type ErrorCode,
  type ManifestResponse,
  type Page,
  type RegistryDeps,
  type RegistryError,
  type RepoRecord,
} from './registry.ts';
export {
  isLocalRegistryReference,
  login,
  LOGIN_REFUSED,
  pullFromRegistry,
  push,
  type EventSink,
  type PushedLayer,
  type PushResult,
} from './transfer.ts';
