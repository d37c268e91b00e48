/**
 * `docker build`, in outline: Dockerfile → plan → stages → steps. `plan.ts` reads the Dockerfile
 * and keeps the stages the target needs; each stage is a FROM and its instructions. A filesystem
 * step (RUN, COPY, ADD, WORKDIR; `fs-step.ts`, with COPY's and ADD's entries in `copy.ts`) is a
 * cache hit or runs: RUN in a container made of the image so far (on the guest), COPY and ADD as
 * a layer built from the context, WORKDIR as a layer creating the directory. Metadata
 * instructions (`metadata.ts`) change the config with an empty-layer history entry. The cache key
 * (`cache.ts`) is Docker's: parent image + instruction text after ARG/ENV expansion (+ the content
 * of COPY/ADD sources, not their mtimes). Steps are numbered like BuildKit's (`[stage 2/5] RUN …`),
 * only filesystem steps counted. Every step receives a `StepContext` (`step-context.ts`).
 */
import type { BuildEvent, BuildOptions, BuildResult, InterruptedBuild, PruneReport } from '../api.ts';
import { parseDockerfile, type DockerfileNode, type ShellLexer } from '../dockerfile/index.ts';
import { BuildError, EngineError, OperationCancelledError } from '../errors.ts';
import { NotOfferedError } from '../images/store.ts';
import { emptyImage, withConfig } from '../oci/image.ts';
import { BuildCache } from './cache.ts';
import { describeStep, fsStep } from './fs-step.ts';
import { metadataSteps } from './metadata.ts';
import { FS_STEPS, planBuild, stepCount, type BuildPlan } from './plan.ts';
import { RunningBuilds } from './running.ts';
import {
  DEFAULT_PATH,
  envMap,
  lineError,
  type BuilderDeps,
  type Stage,
  type State,
  type StepContext,
  type StepOutput,
} from './step-context.ts';

/** Builds images from Dockerfiles. */
export class Builder {
  private readonly running: RunningBuilds;
  private readonly cache: BuildCache;

  constructor(private readonly deps: BuilderDeps) {
    this.running = new RunningBuilds(deps.meta, deps.now);
    this.cache = new BuildCache(deps.meta, deps.images, deps.now);
  }

  /**
   * Builds an image. Every build ends with a `build-end` event (done, failed or cancelled), also
   * one that fails before its first step; while it runs, a record in the store says so.
   */
  async build(options: BuildOptions): Promise<BuildResult> {
    const record = await this.running.start(options.tags ?? []);
    const emit = (e: BuildEvent) => {
      if (e.type === 'step-start') record.step(`[${e.label}] ${e.instruction}`);
      options.onEvent?.(e);
    };
    try {
      const result = await this.run(options, emit);
      await record.end();
      emit({ type: 'build-end', outcome: 'done', message: '', imageId: result.imageId });
      return result;
    } catch (err) {
      await record.end();
      if (isCancel(err, options.signal)) {
        emit({ type: 'build-end', outcome: 'cancelled', message: 'build cancelled' });
        throw err instanceof OperationCancelledError ? err : new OperationCancelledError('build');
      }
      const line = err instanceof BuildError ? err.line : undefined;
      emit({ type: 'build-end', outcome: 'failed', message: (err as Error).message, ...(line !== undefined ? { line } : {}) });
      throw err;
    }
  }

  /** Builds that were running when the last engine on these stores went away (each reported once). */
  interruptedBuilds(): Promise<InterruptedBuild[]> {
    return this.running.interrupted();
  }

  /** Forgets the build cache (`docker builder prune`, part of `system prune`). */
  pruneCache(): Promise<PruneReport> {
    return this.cache.prune();
  }

  /** The build: plan it, build each stage the target needs in order, then store and tag the target's image. */
  private async run(options: BuildOptions, emit: (e: BuildEvent) => void): Promise<BuildResult> {
    const plan = planBuild(options);
    const progress = new StepProgress(plan.total, emit, this.deps.now, options.signal);
    const results = new Map<number, State>();
    for (const stage of plan.planned) {
      throwIfCancelled(options.signal);
      results.set(stage.index, await this.buildStage(stage, plan, results, progress, options));
    }
    const imageId = await this.imageOf(results.get(plan.targetIndex)!);
    for (const tag of options.tags ?? []) await this.deps.images.setReference(tag, imageId);
    return { imageId, tags: options.tags ?? [], steps: progress.steps };
  }

  /** One stage: its FROM, the ONBUILD triggers of its base, then each instruction; returns where it ends. */
  private async buildStage(
    stage: Stage,
    plan: BuildPlan,
    results: ReadonlyMap<number, State>,
    progress: StepProgress,
    options: BuildOptions,
  ): Promise<State> {
    const { lexer, globalArgs } = plan;
    const label = stageLabel(stage, plan.planned.length > 1, stepCount(stage));
    let k = 1;
    const baseWord = lexer.processWord(stage.from.next[0] ?? '', globalArgs);
    const platform = stage.from.flags.find((f) => f.startsWith('--platform='))?.slice(11);
    if (platform && !/^linux\/(386|i386)$/.test(lexer.processWord(platform, globalArgs))) {
      throw lineError(stage.from, `platform ${platform} is not available: LayerLab runs linux/386 only`);
    }
    let state = await progress.step(stage, label(k), `FROM ${baseWord}`, stage.from.startLine, async () => ({
      state: await this.base(stage, baseWord, plan.stages, results, options.signal),
      cached: false,
    }));
    // ONBUILD triggers of the base run first
    const triggers = state.config.OnBuild ?? [];
    const steps = [...stage.steps];
    if (triggers.length) {
      steps.unshift(...onBuildSteps(triggers, stage));
      state.config = { ...state.config, OnBuild: [] };
    }

    const shared = {
      deps: this.deps,
      cache: this.cache,
      signal: options.signal,
      noCache: options.noCache ?? false,
      buildArgs: options.buildArgs ?? {},
      context: plan.context,
      stages: plan.stages,
      stage,
      results,
      globalArgs,
    };
    const contextFor = (node: DockerfileNode, st: State): StepContext => {
      // the variables as they are before this instruction (ENV a=1 b=$a sees the old a, as in Docker)
      const env = st.config.Env;
      const args = new Map(st.args);
      return { ...shared, node, state: st, expand: expander(lexer, node, () => envMap({ Env: env }, args)), output: noOutput };
    };
    for (let i = 0; i < steps.length;) {
      throwIfCancelled(options.signal);
      if (!FS_STEPS.has(steps[i]!.value)) {
        // consecutive metadata instructions become one image, however many there are
        const run: DockerfileNode[] = [];
        while (i < steps.length && !FS_STEPS.has(steps[i]!.value)) run.push(steps[i++]!);
        state = await metadataSteps(run, state, contextFor);
        continue;
      }
      const node = steps[i++]!;
      const ctx = contextFor(node, state);
      const text = describeStep(node, ctx.expand);
      state = await progress.step(stage, label(++k), text, node.startLine, (output) => fsStep({ ...ctx, output }, text));
    }
    return state;
  }

  /** The state a stage starts from: an earlier stage, scratch, or an image (pulled when missing). */
  private async base(
    stage: Stage,
    baseWord: string,
    stages: readonly Stage[],
    results: ReadonlyMap<number, State>,
    signal: AbortSignal | undefined,
  ): Promise<State> {
    const prev = stages.find((s) => s.name === baseWord.toLowerCase() && s.index < stage.index);
    if (prev) return { ...results.get(prev.index)!, args: new Map() };
    if (baseWord === 'scratch') return { id: '', config: { Env: [DEFAULT_PATH] }, args: new Map() };
    let id: string;
    try {
      id = await this.deps.images.resolveId(baseWord);
    } catch {
      try {
        id = (await (this.deps.pull ? this.deps.pull(baseWord, signal) : this.deps.images.pull(baseWord, undefined, signal))).id;
      } catch (err) {
        if (signal?.aborted) throw new OperationCancelledError('build');
        if (err instanceof NotOfferedError) throw baseNotOffered(stage.from, baseWord, err);
        throw lineError(stage.from, `${baseWord}: ${(err as Error).message}`);
      }
    }
    const resolved = await this.deps.images.resolve(id);
    return { id, config: { ...resolved.config }, args: new Map() };
  }

  /** The image a stage ended with; FROM scratch with metadata only stores the empty image first. */
  private async imageOf(final: State): Promise<string> {
    if (final.id) return final.id;
    const image = await withConfig(await emptyImage(), final.config);
    return this.deps.images.put(image);
  }
}

/**
 * BuildKit's words for a base image the registry lacks (`python:3.12-slim: failed to resolve source
 * metadata for docker.io/library/python:3.12-slim: …: not found`), on the FROM's line (the CLI
 * prints it as `Dockerfile:1` with the excerpt), then LayerLab's line naming the closest tags.
 */
function baseNotOffered(from: DockerfileNode, word: string, err: NotOfferedError): BuildError {
  const { domain, path, tag } = err.reference;
  const full = `${domain}/${path}:${tag}`;
  const cause = err.repositoryKnown
    ? `${full}: not found`
    : 'pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed';
  return new BuildError(`${word}: failed to resolve source metadata for ${full}: ${cause}\n${err.hint}`, from.startLine, { cause: err });
}

/** Numbers a build's steps and reports each one: `step-start`, its output, then `step-done` or `step-error`. */
class StepProgress {
  /** What `BuildResult.steps` lists: each step's instruction, whether it was cached, how long it took. */
  readonly steps: BuildResult['steps'] = [];
  private count = 0;

  constructor(
    private readonly total: number,
    private readonly emit: (e: BuildEvent) => void,
    private readonly now: () => Date,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Runs the next step; `run` gets where its process output goes and returns the state it leaves. */
  async step(
    stage: Stage,
    label: string,
    instruction: string,
    line: number,
    run: (output: StepOutput) => Promise<{ state: State; cached: boolean }>,
  ): Promise<State> {
    const step = ++this.count;
    const t0 = performance.now();
    this.emit({ type: 'step-start', step, total: this.total, stage: stage.name ?? '', label, instruction, line, at: this.now().getTime() });
    let result: { state: State; cached: boolean };
    try {
      // BuildKit keeps at most 2 MiB of a step's log and says where it stopped
      let logged = 0;
      result = await run((stream, data) => {
        if (logged > STEP_LOG_MAX_BYTES) return;
        logged += data.length;
        if (logged <= STEP_LOG_MAX_BYTES) this.emit({ type: 'step-output', step, stream, data });
        else
          this.emit({
            type: 'step-output',
            step,
            stream: 'stderr',
            data: new TextEncoder().encode(`[output clipped, log limit ${STEP_LOG_MAX_BYTES / 1024 / 1024}MiB reached]\n`),
          });
      });
    } catch (err) {
      this.emit(stepError(step, err, this.signal));
      throw err;
    }
    const ms = performance.now() - t0;
    this.emit({ type: 'step-done', step, cached: result.cached, ms });
    this.steps.push({ instruction, cached: result.cached, ms });
    return result.state;
  }
}

/** BuildKit's label for a stage's k-th step: `2/5`, `base 2/5`, or `stage-1 2/5` when several stages build. */
function stageLabel(stage: Stage, several: boolean, n: number): (k: number) => string {
  return (k) => `${stage.name ?? (several ? `stage-${stage.index}` : '')}${stage.name || several ? ' ' : ''}${k}/${n}`;
}

/** The base image's ONBUILD triggers as instructions, at the line of the FROM that runs them. */
function onBuildSteps(triggers: readonly string[], stage: Stage): DockerfileNode[] {
  return parseDockerfile(triggers.join('\n')).children.map((t) => ({
    ...t,
    startLine: stage.from.startLine,
    endLine: stage.from.startLine,
  }));
}

/**
 * Expands a word of `node` with the variables `env()` gives; a bad substitution is an error at the
 * node's line. The variables are only gathered for a word that names one (a `$`): a Dockerfile of
 * 10,000 ENV lines would otherwise rebuild a map of them all for every line.
 */
function expander(lexer: ShellLexer, node: DockerfileNode, env: () => Map<string, string>): (word: string) => string {
  let vars: Map<string, string> | undefined;
  return (w) => {
    try {
      return lexer.processWord(w, w.includes('$') ? (vars ??= env()) : NO_VARIABLES);
    } catch (err) {
      throw lineError(node, (err as Error).message);
    }
  };
}

const NO_VARIABLES = new Map<string, string>();

/** The most of one step's output a build shows (BuildKit's default BUILDKIT_STEP_LOG_MAX_SIZE). */
export const STEP_LOG_MAX_BYTES = 2 * 1024 * 1024;

/** Metadata steps start no process, so print nothing. */
const noOutput: StepOutput = () => {};

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new OperationCancelledError('build');
}

/** Whether `err` (or the signal) means the build was cancelled rather than failed. */
function isCancel(err: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) || (err instanceof EngineError && err.kind === 'cancelled');
}

/** The event for a step that failed with `err`, or that a cancel stopped. */
function stepError(step: number, err: unknown, signal: AbortSignal | undefined): BuildEvent {
  return isCancel(err, signal)
    ? { type: 'step-error', step, message: 'build cancelled', cancelled: true }
    : { type: 'step-error', step, message: (err as Error).message };
}
