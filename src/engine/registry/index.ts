/** Public surface of the local registry (`localhost:5000`) and the remote registries' client: import from here. */
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
export { BLOB_SOURCES_COLLECTION, CREDENTIALS_COLLECTION, RegistryMemory, UPLOADS_COLLECTION, type StoredLogin } from './credentials.ts';
export {
  CHUNK_SIZE,
  CORS_HELP,
  DOCKER_HUB_UNREACHABLE,
  endpointFor,
  isLoopbackHost,
  loginHost,
  MANIFEST_ACCEPT,
  namesRemoteRegistry,
  parseRemoteReference,
  PLATFORM,
  RegistryResponseError,
  RemoteRegistries,
  type LoginResult,
  type RemoteOptions,
  type RemoteReference,
} from './remote/index.ts';
