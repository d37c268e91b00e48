/**
 * What every step of a build works with: the `StepContext` a step receives (the builder's stores,
 * the build's options, cache and context, the stage it belongs to, the image and config so far),
 * and the small helpers steps share (line errors, the ENV and ARGs in scope, POSIX paths).
 */
import type { BuildContext, ImageRuntimeConfig } from '../api.ts';
import type { ContainerManager } from '../containers/manager.ts';
import type { DockerfileNode } from '../dockerfile/index.ts';
import { BuildError } from '../errors.ts';
import type { ImageStore } from '../images/store.ts';
import type { BlobStore, MetadataStore } from '../store/types.ts';
import type { BuildCache } from './cache.ts';

/** The shell of RUN, CMD and ENTRYPOINT in shell form until SHELL changes it. */
export const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** The PATH of a stage FROM scratch, and of a RUN in an image without Env. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Dependencies of the builder. */
export interface BuilderDeps {
  images: ImageStore;
  /**
   * Pulls a base image a FROM or COPY --from names and the store lacks (the engine's own pull:
   * the offline catalog, `localhost:5000` or a registry); `images.pull` (the catalog only) if unset.
   */
  pull?(reference: string, signal?: AbortSignal): Promise<{ id: string }>;
  containers: ContainerManager;
  meta: MetadataStore;
  blobs: BlobStore;
  now(): Date;
}

/** One stage of the Dockerfile: its FROM and the instructions after it. */
export interface Stage {
  index: number;
  name?: string;
  from: DockerfileNode;
  steps: DockerfileNode[];
}

/** Where a stage stands between steps. */
export interface State {
  /** Current image ID ('' for an empty scratch image not yet stored). */
  id: string;
  config: ImageRuntimeConfig;
  /** ARGs in scope with their values. */
  args: Map<string, string>;
}

/** Where a RUN step's process output goes (the build's progress events). */
export type StepOutput = (stream: 'stdout' | 'stderr', data: Uint8Array) => void;

/** Everything one step of a build may use; a step returns the `State` it leaves. */
export interface StepContext {
  /** The builder's stores, containers and clock. */
  readonly deps: BuilderDeps;
  /** Cache keys, hits and records of this builder. */
  readonly cache: BuildCache;
  /** Cancels the build (Ctrl-C): a RUN step's process is killed, a pull stops. */
  readonly signal: AbortSignal | undefined;
  /** `--no-cache`: filesystem steps run even when the cache has them (metadata steps still hit). */
  readonly noCache: boolean;
  /** `--build-arg` values. */
  readonly buildArgs: Readonly<Record<string, string>>;
  /** The build context, without what `.dockerignore` excludes. */
  readonly context: BuildContext;
  /** Every stage of the Dockerfile (`COPY --from` may name any earlier one). */
  readonly stages: readonly Stage[];
  /** The stage this step belongs to. */
  readonly stage: Stage;
  /** The states the stages built so far ended in, by stage index. */
  readonly results: ReadonlyMap<number, State>;
  /** ARGs declared before the first FROM. */
  readonly globalArgs: ReadonlyMap<string, string>;
  /** The instruction this step runs. */
  readonly node: DockerfileNode;
  /** The image, config and ARGs the step starts from. */
  readonly state: State;
  /** Expands `$VAR`s in a word with the ENV and ARGs in scope; an error names the line. */
  expand(word: string): string;
  /** Reports a RUN step's process output. */
  readonly output: StepOutput;
}

/** A build error at the instruction's line: `dockerfile:<line>: <message>`. */
export function lineError(node: DockerfileNode, message: string): BuildError {
  return new BuildError(`dockerfile:${node.startLine}: ${message}`, node.startLine);
}

/** The variables a word may use: the ARGs in scope, overridden by the config's Env. */
export function envMap(config: ImageRuntimeConfig, args: ReadonlyMap<string, string>): Map<string, string> {
  const m = new Map(args);
  for (const e of config.Env ?? []) {
    const i = e.indexOf('=');
    m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return m;
}

/** `path` resolved against `base` the POSIX way, lexically (`..` stops at the root). */
export function posixJoin(base: string, path: string): string {
  const parts = (path.startsWith('/') ? path : `${base}/${path}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (!p || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}
