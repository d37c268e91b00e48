/**
 * `docker build`: Dockerfile → stages → steps. Each filesystem step (RUN, COPY, ADD, WORKDIR)
 * is a cache hit or runs: RUN in a container made of the image so far (on the guest), COPY and
 * ADD as a layer built from the context, WORKDIR as a layer creating the directory. Metadata
 * instructions change the config with an empty-layer history entry. The cache key is Docker's:
 * parent image + instruction text after ARG/ENV expansion (+ the content of COPY/ADD sources,
 * not their mtimes). Steps are numbered like BuildKit's (`[stage 2/5] RUN …`), only filesystem
 * steps counted.
 */
import type { BuildContext, BuildEvent, BuildOptions, BuildResult, ImageRuntimeConfig, InterruptedBuild, PruneReport } from '../api.ts';
import type { ContainerManager, ResolvedImage } from '../containers/manager.ts';
import { parseDockerfile, ShellLexer, DockerfileSyntaxError, type DockerfileNode } from '../dockerfile/index.ts';
import { BuildError, EngineError, OperationCancelledError } from '../errors.ts';
import type { ImageStore } from '../images/store.ts';
import { decompress, isCompressed, mergeLayers, readTar, splitSeconds, type FsTree, type TarEntry, type TarEntryInit } from '../layer/index.ts';
import { tarEntry } from '../layer/tar.ts';
import { sha256Digest } from '../oci/digest.ts';
import { formatCreatedBy } from '../oci/display.ts';
import { appendEmptyLayerHistory, emptyImage, withConfig } from '../oci/image.ts';
import type { BlobStore, MetadataStore } from '../store/types.ts';
import { matchesDockerignore, parseDockerignore } from './dockerignore.ts';
import { RunningBuilds } from './running.ts';

const CACHE = 'buildcache';
const DEFAULT_SHELL = ['/bin/sh', '-c'];
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const FS_STEPS = new Set(['run', 'copy', 'add', 'workdir']);
const KNOWN = new Set(['from', 'run', 'copy', 'add', 'workdir', 'env', 'arg', 'cmd', 'entrypoint', 'expose', 'label', 'user', 'volume', 'shell', 'stopsignal', 'healthcheck', 'onbuild', 'maintainer']);

/** Dependencies of the builder. */
export interface BuilderDeps {
  images: ImageStore;
  containers: ContainerManager;
  meta: MetadataStore;
  blobs: BlobStore;
  now(): Date;
}

interface Stage {
  index: number;
  name?: string;
  from: DockerfileNode;
  steps: DockerfileNode[];
}

interface State {
  /** Current image ID ('' for an empty scratch image not yet stored). */
  id: string;
  config: ImageRuntimeConfig;
  /** ARGs in scope with their values. */
  args: Map<string, string>;
}

const enc = new TextEncoder();

function lineError(node: DockerfileNode, message: string): BuildError {
  return new BuildError(`dockerfile:${node.startLine}: ${message}`, node.startLine);
}

function envMap(config: ImageRuntimeConfig, args: Map<string, string>): Map<string, string> {
  const m = new Map(args);
  for (const e of config.Env ?? []) {
    const i = e.indexOf('=');
    m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return m;
}

function setEnv(env: string[] | undefined, key: string, value: string): string[] {
  const out = (env ?? []).filter((e) => e.split('=')[0] !== key);
  out.push(`${key}=${value}`);
  return out;
}

function posixJoin(base: string, path: string): string {
  const parts = (path.startsWith('/') ? path : `${base}/${path}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (!p || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}

/** Glob match of a COPY source against a path (`*`, `?`, `[..]`; `**` crosses directories). */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A context file's time (seconds, maybe fractional) as a tar entry's; 0 when it has none. */
function contextTime(mtime: number | undefined): { mtime: number; mtimeNsec: number } {
  return mtime === undefined || !Number.isFinite(mtime) ? { mtime: 0, mtimeNsec: 0 } : splitSeconds(mtime);
}

/**
 * Gives the directories a COPY makes up (context folders, missing parents; those without a time)
 * the newest time of the entries below them. The context has no directory times, and this
 * depends only on the files, so an unchanged context still gives the same layer digest.
 */
function stampMadeDirs(entries: Iterable<TarEntryInit>): void {
  const list = [...entries];
  const newest = new Map<string, { mtime: number; mtimeNsec: number }>();
  for (const e of list) {
    if (e.mtime === undefined) continue;
    const t = { mtime: e.mtime, mtimeNsec: e.mtimeNsec ?? 0 };
    const parts = e.name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const seen = newest.get(dir);
      if (!seen || t.mtime > seen.mtime || (t.mtime === seen.mtime && t.mtimeNsec > seen.mtimeNsec)) newest.set(dir, t);
    }
  }
  for (const e of list) {
    const t = e.mtime === undefined ? newest.get(e.name) : undefined;
    if (t) Object.assign(e, t);
  }
}

/** Builds images from Dockerfiles. */
export class Builder {
  private readonly running: RunningBuilds;

  constructor(private readonly deps: BuilderDeps) {
    this.running = new RunningBuilds(deps.meta, deps.now);
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
      const result = await this.stages(options, emit);
      await record.end();
      emit({ type: 'build-end', outcome: 'done', message: '', imageId: result.imageId });
      return result;
    } catch (err) {
      await record.end();
      if (options.signal?.aborted || (err instanceof EngineError && err.kind === 'cancelled')) {
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

  private async stages(options: BuildOptions, emit: (e: BuildEvent) => void): Promise<BuildResult> {
    const dockerfilePath = options.dockerfile ?? 'Dockerfile';
    const file = options.context.get(dockerfilePath.replace(/^\.\//, ''));
    if (!file) throw new BuildError(`failed to read dockerfile: open ${dockerfilePath}: no such file or directory`);
    let ast;
    try {
      ast = parseDockerfile(new TextDecoder().decode(file.data));
    } catch (err) {
      if (err instanceof DockerfileSyntaxError) throw new BuildError(`failed to parse ${dockerfilePath}: ${err.message}`, err.line, { cause: err });
      throw err;
    }
    for (const node of ast.children) {
      if (!KNOWN.has(node.value)) throw lineError(node, `unknown instruction: ${node.value.toUpperCase()}`);
    }
    const context = this.filterContext(options.context, dockerfilePath);
    const lexer = new ShellLexer(ast.escapeToken);

    // global ARGs (before the first FROM) and stages
    const globalArgs = new Map<string, string>();
    const stages: Stage[] = [];
    for (const node of ast.children) {
      if (node.value === 'from') {
        const asIndex = node.next.findIndex((w) => w.toLowerCase() === 'as');
        const name = asIndex >= 0 ? node.next[asIndex + 1]?.toLowerCase() : undefined;
        stages.push({ index: stages.length, from: node, steps: [], ...(name ? { name } : {}) });
      } else if (stages.length === 0) {
        if (node.value !== 'arg') throw lineError(node, 'no build stage in current context');
        for (const word of node.next) {
          const [k, ...v] = word.split('=');
          const val = options.buildArgs?.[k!] ?? (v.length ? lexer.processWord(v.join('='), globalArgs) : undefined);
          if (val !== undefined) globalArgs.set(k!, val);
          else globalArgs.set(k!, '');
        }
      } else stages[stages.length - 1]!.steps.push(node);
    }
    if (stages.length === 0) throw new BuildError('the Dockerfile has no FROM instruction', ast.startLine);

    let targetIndex = stages.length - 1;
    if (options.target) {
      const t = stages.find((s) => s.name === options.target!.toLowerCase());
      if (!t) throw new BuildError(`target stage "${options.target}" could not be found`);
      targetIndex = t.index;
    }
    // only the stages the target needs, like BuildKit
    const needed = new Set<number>();
    const need = (i: number) => {
      if (needed.has(i)) return;
      needed.add(i);
      const s = stages[i]!;
      const base = s.from.next[0]?.toLowerCase();
      const dep = stages.find((x) => x.name === base && x.index < i);
      if (dep) need(dep.index);
      for (const step of s.steps) {
        const from = step.flags.find((f) => f.startsWith('--from='))?.slice(7).toLowerCase();
        if (!from) continue;
        const d = stages.find((x) => x.name === from || String(x.index) === from);
        if (d && d.index < i) need(d.index);
      }
    };
    need(targetIndex);

    const planned = stages.filter((s) => needed.has(s.index));
    const total = planned.reduce((n, s) => n + 1 + s.steps.filter((x) => FS_STEPS.has(x.value)).length, 0);
    const results = new Map<number, State>();
    const stepsOut: BuildResult['steps'] = [];
    let stepNo = 0;

    for (const stage of planned) {
      if (options.signal?.aborted) throw new OperationCancelledError('build');
      const label = (k: number, n: number) => `${stage.name ?? (planned.length > 1 ? `stage-${stage.index}` : '')}${stage.name || planned.length > 1 ? ' ' : ''}${k}/${n}`;
      const n = 1 + stage.steps.filter((x) => FS_STEPS.has(x.value)).length;
      let k = 1;
      // FROM
      const fromStep = ++stepNo;
      const t0 = performance.now();
      const baseWord = lexer.processWord(stage.from.next[0] ?? '', globalArgs);
      const platform = stage.from.flags.find((f) => f.startsWith('--platform='))?.slice(11);
      if (platform && !/^linux\/(386|i386)$/.test(lexer.processWord(platform, globalArgs))) {
        throw lineError(stage.from, `platform ${platform} is not available: LayerLab runs linux/386 only`);
      }
      emit({ type: 'step-start', step: fromStep, total, stage: stage.name ?? '', label: label(k, n), instruction: `FROM ${baseWord}`, line: stage.from.startLine, at: this.deps.now().getTime() });
      let state: State;
      try {
        state = await this.base(stage, baseWord, stages, results, options);
      } catch (err) {
        emit(stepError(fromStep, err, options));
        throw err;
      }
      emit({ type: 'step-done', step: fromStep, cached: false, ms: performance.now() - t0 });
      stepsOut.push({ instruction: `FROM ${baseWord}`, cached: false, ms: performance.now() - t0 });
      // ONBUILD triggers of the base run first
      const triggers = state.config.OnBuild ?? [];
      const steps = [...stage.steps];
      if (triggers.length) {
        const parsed = parseDockerfile(triggers.join('\n')).children.map((t) => ({ ...t, startLine: stage.from.startLine, endLine: stage.from.startLine }));
        steps.unshift(...parsed);
        state.config = { ...state.config, OnBuild: [] };
      }

      for (const node of steps) {
        if (options.signal?.aborted) throw new OperationCancelledError('build');
        const env = envMap(state.config, state.args);
        const expand = (w: string) => {
          try {
            return lexer.processWord(w, env);
          } catch (err) {
            throw lineError(node, (err as Error).message);
          }
        };
        if (!FS_STEPS.has(node.value)) {
          state = await this.metadataStep(node, state, expand, globalArgs, options.buildArgs ?? {});
          continue;
        }
        k++;
        const no = ++stepNo;
        const s0 = performance.now();
        const text = this.describe(node, expand);
        emit({ type: 'step-start', step: no, total, stage: stage.name ?? '', label: label(k, n), instruction: text, line: node.startLine, at: this.deps.now().getTime() });
        let cached = false;
        try {
          const r = await this.fsStep(node, state, text, expand, context, results, stages, stage, options, (stream, data) => emit({ type: 'step-output', step: no, stream, data }));
          state = r.state;
          cached = r.cached;
        } catch (err) {
          emit(stepError(no, err, options));
          throw err;
        }
        const ms = performance.now() - s0;
        emit({ type: 'step-done', step: no, cached, ms });
        stepsOut.push({ instruction: text, cached, ms });
      }
      results.set(stage.index, state);
    }

    const final = results.get(targetIndex)!;
    let id = final.id;
    if (!id) {
      // FROM scratch with metadata only: store the empty image
      const image = await withConfig(await emptyImage(), final.config as never);
      id = await this.deps.images.put(image);
    }
    for (const tag of options.tags ?? []) await this.deps.images.setReference(tag, id);
    return { imageId: id, tags: options.tags ?? [], steps: stepsOut };
  }

  /** The state a stage starts from: an earlier stage, scratch, or an image (pulled when missing). */
  private async base(stage: Stage, baseWord: string, stages: Stage[], results: Map<number, State>, options: BuildOptions): Promise<State> {
    const prev = stages.find((s) => s.name === baseWord.toLowerCase() && s.index < stage.index);
    if (prev) return { ...results.get(prev.index)!, args: new Map() };
    if (baseWord === 'scratch') return { id: '', config: { Env: [DEFAULT_PATH] }, args: new Map() };
    let id: string;
    try {
      id = await this.deps.images.resolveId(baseWord);
    } catch {
      try {
        id = (await this.deps.images.pull(baseWord, undefined, options.signal)).id;
      } catch (err) {
        if (options.signal?.aborted) throw new OperationCancelledError('build');
        throw lineError(stage.from, `${baseWord}: ${(err as Error).message}`);
      }
    }
    const resolved = await this.deps.images.resolve(id);
    return { id, config: { ...resolved.config }, args: new Map() };
  }

  private filterContext(context: BuildContext, dockerfile: string): BuildContext {
    const ignore = context.get('.dockerignore');
    if (!ignore) return context;
    const patterns = parseDockerignore(new TextDecoder().decode(ignore.data));
    const out: BuildContext = new Map();
    for (const [path, f] of context) if (path === dockerfile || !matchesDockerignore(patterns, path)) out.set(path, f);
    return out;
  }

  private describe(node: DockerfileNode, expand: (w: string) => string): string {
    const kw = node.value.toUpperCase();
    if (node.value === 'run') return `${kw} ${node.json ? JSON.stringify(node.next) : node.next.join(' ')}`;
    const flags = node.flags.length ? `${node.flags.join(' ')} ` : '';
    return `${kw} ${flags}${node.next.map(expand).join(' ')}`.trim();
  }

  private async cacheKey(parent: string, text: string): Promise<string> {
    return (await sha256Digest(`${parent}\n${text}`)).slice(7);
  }

  private async cached(key: string, noCache: boolean | undefined): Promise<string | undefined> {
    if (noCache) return undefined;
    const hit = await this.deps.meta.get<{ image: string }>(CACHE, key);
    if (!hit) return undefined;
    try {
      await this.deps.images.load(hit.image);
      return hit.image;
    } catch {
      return undefined;
    }
  }

  private async fsStep(
    node: DockerfileNode,
    state: State,
    text: string,
    expand: (w: string) => string,
    context: BuildContext,
    results: Map<number, State>,
    stages: Stage[],
    stage: Stage,
    options: BuildOptions,
    output: (stream: 'stdout' | 'stderr', data: Uint8Array) => void,
  ): Promise<{ state: State; cached: boolean }> {
    const workdir = state.config.WorkingDir || '/';
    let entries: TarEntry[] | undefined;
    let keyText = text;
    if (node.value === 'copy' || node.value === 'add') {
      entries = await this.copyEntries(node, state, expand, context, results, stages, stage, options);
      // content and metadata but not mtime, like BuildKit's content checksum: touching a file
      // without changing it keeps the cache (and the layer made with the first time)
      keyText = `${text}\n${await sha256Digest(new Uint8Array(entries.flatMap((e) => [...enc.encode(`${e.name}|${e.mode}|${e.uid}|${e.gid}|${e.type}|${e.linkname}\n`), ...(e.data ?? [])])))}`;
    } else if (node.value === 'workdir') {
      const dir = posixJoin(workdir, expand(node.next[0] ?? '/'));
      keyText = `WORKDIR ${dir}`;
    } else if (node.value === 'run') {
      keyText = `${text}\n${[...state.args].map(([k, v]) => `${k}=${v}`).join('\n')}`;
    }
    const key = await this.cacheKey(state.id || 'scratch', keyText);
    const hit = await this.cached(key, options.noCache);
    if (hit) {
      const resolved = await this.deps.images.resolve(hit);
      return { state: { ...state, id: hit, config: { ...resolved.config } }, cached: true };
    }

    const parent: ResolvedImage = state.id ? await this.deps.images.resolve(state.id) : { id: '', config: state.config, layers: [] };
    let id: string;
    if (node.value === 'workdir') {
      const dir = posixJoin(workdir, expand(node.next[0] ?? '/'));
      const config = { ...state.config, WorkingDir: dir };
      id = await this.deps.images.commit(parent, mkdirEntries(dir), { createdBy: formatCreatedBy({ instruction: 'WORKDIR', value: dir }), comment: 'buildkit.dockerfile.v0', config, intermediate: true });
      state = { ...state, config };
    } else if (entries) {
      const words = node.next.map(expand);
      const createdBy = formatCreatedBy({ instruction: node.value === 'add' ? 'ADD' : 'COPY', sources: node.heredocs.length ? node.heredocs.map((h) => h.name) : words.slice(0, -1), dest: words[words.length - 1] ?? '' });
      id = await this.deps.images.commit(parent, entries, { createdBy, comment: 'buildkit.dockerfile.v0', config: state.config, intermediate: true });
    } else {
      id = await this.run(node, state, parent, text, options, output);
    }
    await this.deps.meta.put(CACHE, key, { image: id, created: this.deps.now().toISOString() });
    const resolved = await this.deps.images.resolve(id);
    return { state: { ...state, id, config: { ...resolved.config } }, cached: false };
  }

  private async run(node: DockerfileNode, state: State, parent: ResolvedImage, text: string, options: BuildOptions, output: (s: 'stdout' | 'stderr', d: Uint8Array) => void): Promise<string> {
    if (!parent.id) throw lineError(node, 'RUN needs an image with a shell; this stage starts FROM scratch and has no files yet');
    const shell = state.config.Shell?.length ? state.config.Shell : DEFAULT_SHELL;
    let argv: string[];
    if (node.heredocs.length && node.next.join(' ').trim().startsWith('<<')) argv = [...shell, node.heredocs[0]!.content];
    else if (node.json) argv = node.next;
    else argv = [...shell, node.next.join(' ')];
    const env = [...(state.config.Env ?? [DEFAULT_PATH])];
    for (const [k, v] of state.args) if (!env.some((e) => e.startsWith(`${k}=`))) env.push(`${k}=${v}`);
    // a build container: never listed, mounts no volumes, removed when the step ends
    const { id: cid } = await this.deps.containers.create(
      {
        image: parent.id,
        cmd: argv,
        entrypoint: [],
        env,
        ...(state.config.WorkingDir ? { workingDir: state.config.WorkingDir } : {}),
        ...(state.config.User ? { user: state.config.User } : {}),
      },
      { buildStep: true },
    );
    try {
      const proc = await this.deps.containers.start(cid, {});
      if (!proc) throw new EngineError('guest', 'the build container did not start');
      proc.onStdout((d) => output('stdout', d));
      proc.onStderr((d) => output('stderr', d));
      const onAbort = () => proc.kill('SIGKILL');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // an abort before the listener existed would otherwise never reach the process
      if (options.signal?.aborted) onAbort();
      const code = await proc.exit;
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) throw new OperationCancelledError('build');
      if (code !== 0) {
        const shown = node.json ? JSON.stringify(argv) : `${shell.join(' ')} ${node.next.join(' ')}`;
        throw lineError(node, `process "${shown}" did not complete successfully: exit code: ${code}`);
      }
      const record = await this.deps.containers.find(cid);
      const entries = await this.deps.containers.rwLayerEntries(record);
      const createdBy = formatCreatedBy({ instruction: 'RUN', args: argv, buildArgs: [...state.args] });
      return await this.deps.images.commit(parent, entries, { createdBy, comment: 'buildkit.dockerfile.v0', config: state.config, intermediate: true });
    } finally {
      await this.deps.containers.remove(cid, { force: true }).catch(() => {});
    }
  }

  /** The layer entries of a COPY or ADD. */
  private async copyEntries(
    node: DockerfileNode,
    state: State,
    expand: (w: string) => string,
    context: BuildContext,
    results: Map<number, State>,
    stages: Stage[],
    stage: Stage,
    options: BuildOptions,
  ): Promise<TarEntry[]> {
    const flags = new Map<string, string>();
    for (const f of node.flags) {
      const m = /^--([a-z-]+)(?:=(.*))?$/.exec(f);
      if (!m || !['from', 'chown', 'chmod', 'link', 'parents', 'exclude', 'keep-git-dir', 'checksum'].includes(m[1]!)) throw lineError(node, `unknown flag: ${f.split('=')[0]}`);
      flags.set(m[1]!, m[2] ?? 'true');
    }
    const words = node.next.map(expand);
    if (node.heredocs.length) {
      // COPY <<EOF /dest
      const dest = words[words.length - 1] ?? '/';
      return node.heredocs.map((h) => tarEntry({ name: posixJoin(state.config.WorkingDir || '/', dest).slice(1), type: 'file', mode: 0o644, data: enc.encode(h.content) }));
    }
    if (words.length < 2) throw lineError(node, `${node.value.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined`);
    const sources = words.slice(0, -1);
    let dest = words[words.length - 1]!;
    const workdir = state.config.WorkingDir || '/';
    let destIsDir = dest.endsWith('/') || dest === '.' || dest === '..' || dest.endsWith('/.') || sources.length > 1;
    dest = posixJoin(workdir, dest);
    if (!destIsDir && state.id) {
      // an existing directory in the image is copied into, like Docker
      const tree = await this.deps.images.tree(await this.deps.images.resolve(state.id));
      destIsDir = tree.get(dest.slice(1))?.type === 'directory' || dest === '/';
    }
    const chmod = flags.get('chmod');
    const mode = chmod !== undefined ? parseInt(chmod, 8) : undefined;
    if (chmod !== undefined && (!/^[0-7]{3,4}$/.test(chmod) || Number.isNaN(mode))) throw lineError(node, `invalid chmod parameter: ${chmod}`);
    const owner = await this.resolveChown(flags.get('chown'), state, node);

    // the files to copy: path (relative to its source root) → node; a directory without a time
    // is one this COPY makes up (a context folder) and gets the newest time below it
    type Source = { path: string; type: 'file' | 'directory' | 'symlink'; data?: Uint8Array; mode: number; linkname?: string; uid: number; gid: number; mtime?: number; mtimeNsec?: number };
    let files: Source[] = [];
    const from = flags.get('from');
    if (from) {
      const st = stages.find((s) => (s.name === from.toLowerCase() || String(s.index) === from) && s.index < stage.index);
      let tree: FsTree;
      if (st) {
        const r = results.get(st.index);
        if (!r) throw lineError(node, `stage ${from} has not been built`);
        tree = r.id ? await this.deps.images.tree(await this.deps.images.resolve(r.id)) : mergeLayers([]);
      } else {
        let id: string;
        try {
          id = await this.deps.images.resolveId(from);
        } catch {
          id = (await this.deps.images.pull(from, undefined, options.signal)).id;
        }
        tree = await this.deps.images.tree(await this.deps.images.resolve(id));
      }
      for (const src of sources) {
        const p = posixJoin('/', src).slice(1);
        const root = p ? tree.get(p) : tree.root;
        if (!root) throw lineError(node, `failed to compute cache key: "/${p}": not found`);
        const walk = (path: string, rel: string) => {
          const n = path ? tree.get(path) : tree.root;
          if (!n) return;
          if (n.type === 'directory') {
            if (rel) files.push({ path: rel, type: 'directory', mode: n.mode, uid: n.uid, gid: n.gid, mtime: n.mtime, mtimeNsec: n.mtimeNsec });
            for (const c of tree.list(path)) walk(path ? `${path}/${c}` : c, rel ? `${rel}/${c}` : c);
          } else if (n.type === 'file') files.push({ path: rel, type: 'file', mode: n.mode, uid: n.uid, gid: n.gid, data: n.data ?? new Uint8Array(), mtime: n.mtime, mtimeNsec: n.mtimeNsec });
          else if (n.type === 'symlink') files.push({ path: rel, type: 'symlink', mode: n.mode, uid: n.uid, gid: n.gid, linkname: n.linkname, mtime: n.mtime, mtimeNsec: n.mtimeNsec });
        };
        if (root.type === 'directory') walk(p, '');
        else walk(p, destIsDir ? p.split('/').pop()! : '');
      }
    } else {
      const paths = [...context.keys()].sort();
      for (const src of sources) {
        if (/^https?:\/\//.test(src)) throw lineError(node, `${node.value.toUpperCase()} ${src}: downloading from a URL needs the internet, which LayerLab's machine does not have; put the file in the build context instead`);
        const clean = posixJoin('/', src).slice(1);
        const isGlob = /[*?[]/.test(clean);
        let matched = false;
        if (isGlob) {
          const re = globToRegExp(clean);
          for (const p of paths) {
            if (!re.test(p)) continue;
            matched = true;
            const f = context.get(p)!;
            files.push({ path: p.split('/').pop()!, type: 'file', data: f.data, mode: f.mode ?? 0o644, uid: 0, gid: 0, ...contextTime(f.mtime) });
          }
        } else if (clean === '' || paths.some((p) => p.startsWith(`${clean}/`))) {
          // a directory: its contents
          matched = true;
          const prefix = clean ? `${clean}/` : '';
          const dirs = new Set<string>();
          for (const p of paths) {
            if (!p.startsWith(prefix)) continue;
            const rel = p.slice(prefix.length);
            const parts = rel.split('/');
            for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
            const f = context.get(p)!;
            files.push({ path: rel, type: 'file', data: f.data, mode: f.mode ?? 0o644, uid: 0, gid: 0, ...contextTime(f.mtime) });
          }
          for (const d of dirs) files.push({ path: d, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
        } else if (context.has(clean)) {
          matched = true;
          const f = context.get(clean)!;
          if (node.value === 'add' && isArchive(f.data)) {
            const tar = await decompress(f.data);
            for (const e of readTar(tar)) {
              const rel = e.name.replace(/^\.?\/+/, '').replace(/\/$/, '');
              if (!rel) continue;
              if (e.type === 'file' || e.type === 'directory' || e.type === 'symlink') files.push({ path: rel, type: e.type, data: e.data, mode: e.mode, uid: e.uid, gid: e.gid, linkname: e.linkname, mtime: e.mtime, mtimeNsec: e.mtimeNsec });
            }
            // an archive extracts into the destination directory
            continue;
          }
          files.push({ path: destIsDir ? clean.split('/').pop()! : '', type: 'file', data: f.data, mode: f.mode ?? 0o644, uid: 0, gid: 0, ...contextTime(f.mtime) });
        }
        if (!matched) throw lineError(node, `failed to compute cache key: failed to calculate checksum of ref: "/${clean}": not found`);
      }
    }

    const out = new Map<string, TarEntryInit>();
    const destRel = dest.slice(1);
    const addParents = (path: string) => {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (d && !out.has(d)) out.set(d, { name: d, type: 'directory', mode: 0o755 });
      }
    };
    const singleFileToPath = files.length === 1 && files[0]!.type === 'file' && files[0]!.path === '' && !destIsDir;
    for (const f of files) {
      const name = singleFileToPath ? destRel : f.path ? (destRel ? `${destRel}/${f.path}` : f.path) : destRel;
      if (!name) continue;
      addParents(name);
      out.set(name, {
        name,
        type: f.type,
        mode: f.type === 'directory' ? (chmod !== undefined ? mode! : f.mode) : (mode ?? f.mode),
        uid: owner?.uid ?? (from ? f.uid : 0),
        gid: owner?.gid ?? (from ? f.gid : 0),
        ...(f.data ? { data: f.data } : {}),
        ...(f.linkname ? { linkname: f.linkname } : {}),
        ...(f.mtime !== undefined ? { mtime: f.mtime, mtimeNsec: f.mtimeNsec ?? 0 } : {}),
      });
    }
    if (destIsDir && destRel && !out.has(destRel)) {
      addParents(destRel);
      out.set(destRel, { name: destRel, type: 'directory', mode: 0o755, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) });
    }
    stampMadeDirs(out.values());
    return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => tarEntry(e));
  }

  private async resolveChown(spec: string | undefined, state: State, node: DockerfileNode): Promise<{ uid: number; gid: number } | undefined> {
    if (!spec) return undefined;
    const [u = '', g] = spec.split(':');
    const num = (s?: string) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
    let uid = num(u);
    let gid = num(g);
    if (uid !== undefined && (g === undefined || gid !== undefined)) return { uid, gid: gid ?? uid };
    const tree = state.id ? await this.deps.images.tree(await this.deps.images.resolve(state.id)) : undefined;
    const read = (p: string) => new TextDecoder().decode(tree?.get(p)?.data ?? new Uint8Array()).split('\n').map((l) => l.split(':'));
    if (uid === undefined) {
      const e = read('etc/passwd').find((f) => f[0] === u);
      if (!e) throw lineError(node, `unable to convert uid/gid chown string to host mapping: can't find uid for user ${u}: no such user: ${u}`);
      uid = Number(e[2]);
      gid ??= g === undefined ? Number(e[3]) : undefined;
    }
    if (g !== undefined && gid === undefined) {
      const e = read('etc/group').find((f) => f[0] === g);
      if (!e) throw lineError(node, `unable to convert uid/gid chown string to host mapping: can't find gid for group ${g}: no such group: ${g}`);
      gid = Number(e[2]);
    }
    return { uid, gid: gid ?? uid };
  }

  private async metadataStep(node: DockerfileNode, state: State, expand: (w: string) => string, globalArgs: Map<string, string>, buildArgs: Record<string, string>): Promise<State> {
    const c: ImageRuntimeConfig = { ...state.config };
    const args = new Map(state.args);
    let createdBy: string;
    const execOrShell = (): string[] => (node.json ? node.next : [...(c.Shell?.length ? c.Shell : DEFAULT_SHELL), node.next.join(' ')]);
    switch (node.value) {
      case 'env': {
        const pairs: string[] = [];
        for (let i = 0; i + 1 < node.next.length; i += 3) {
          const k = node.next[i]!;
          const v = expand(node.next[i + 1]!);
          c.Env = setEnv(c.Env, k, v);
          pairs.push(`${k}=${v}`);
        }
        createdBy = formatCreatedBy({ instruction: 'ENV', pairs: pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const) });
        break;
      }
      case 'arg': {
        for (const word of node.next) {
          const [k, ...v] = word.split('=');
          const value = buildArgs[k!] ?? (v.length ? expand(v.join('=')) : globalArgs.get(k!));
          args.set(k!, value ?? '');
        }
        createdBy = formatCreatedBy({ instruction: 'ARG', args: node.next.map((w) => {
          const i = w.indexOf('=');
          return i < 0 ? ([w, args.get(w)] as const) : ([w.slice(0, i), args.get(w.slice(0, i))] as const);
        }) });
        break;
      }
      case 'cmd':
        c.Cmd = execOrShell();
        createdBy = formatCreatedBy({ instruction: 'CMD', args: c.Cmd });
        break;
      case 'entrypoint':
        c.Entrypoint = execOrShell();
        if (!node.json && node.next.join('').trim() === '') c.Entrypoint = null;
        createdBy = formatCreatedBy({ instruction: 'ENTRYPOINT', args: c.Entrypoint ?? [] });
        break;
      case 'expose': {
        const ports = { ...(c.ExposedPorts ?? {}) };
        for (const p of node.next.map(expand)) ports[p.includes('/') ? p : `${p}/tcp`] = {};
        c.ExposedPorts = ports;
        createdBy = formatCreatedBy({ instruction: 'EXPOSE', ports: node.next.map(expand) });
        break;
      }
      case 'label': {
        const labels = { ...(c.Labels ?? {}) };
        for (let i = 0; i + 1 < node.next.length; i += 3) labels[expand(node.next[i]!)] = expand(node.next[i + 1]!);
        c.Labels = labels;
        const labelPairs: (readonly [string, string])[] = [];
        for (let i = 0; i + 1 < node.next.length; i += 3) labelPairs.push([expand(node.next[i]!), expand(node.next[i + 1]!)]);
        createdBy = formatCreatedBy({ instruction: 'LABEL', pairs: labelPairs });
        break;
      }
      case 'maintainer':
        createdBy = formatCreatedBy({ instruction: 'MAINTAINER', value: node.next.join(' ') });
        break;
      case 'user':
        c.User = expand(node.next[0] ?? '');
        createdBy = formatCreatedBy({ instruction: 'USER', value: c.User });
        break;
      case 'volume': {
        const vols = { ...(c.Volumes ?? {}) };
        for (const v of node.next.map(expand)) {
          if (!v) throw lineError(node, 'VOLUME specified can not be an empty string');
          vols[v] = {};
        }
        c.Volumes = vols;
        createdBy = formatCreatedBy({ instruction: 'VOLUME', paths: node.next.map(expand) });
        break;
      }
      case 'shell':
        if (!node.json) throw lineError(node, 'SHELL requires the arguments to be in JSON form');
        c.Shell = node.next;
        createdBy = formatCreatedBy({ instruction: 'SHELL', args: node.next });
        break;
      case 'stopsignal':
        c.StopSignal = expand(node.next[0] ?? '');
        createdBy = formatCreatedBy({ instruction: 'STOPSIGNAL', value: c.StopSignal });
        break;
      case 'healthcheck': {
        const kind = node.next[0]?.toUpperCase();
        if (kind === 'NONE') c.Healthcheck = { Test: ['NONE'] };
        else {
          const test = node.json ? ['CMD', ...node.next.slice(1)] : ['CMD-SHELL', node.next.slice(1).join(' ')];
          const hc: NonNullable<ImageRuntimeConfig['Healthcheck']> = { Test: test };
          for (const f of node.flags) {
            const m = /^--(interval|timeout|start-period|retries)=(.+)$/.exec(f);
            if (!m) throw lineError(node, `unknown flag: ${f.split('=')[0]}`);
            if (m[1] === 'retries') hc.Retries = Number(m[2]);
            else {
              const ns = parseDuration(m[2]!);
              if (ns === undefined) throw lineError(node, `invalid duration for ${m[1]}: ${m[2]}`);
              if (m[1] === 'interval') hc.Interval = ns;
              else if (m[1] === 'timeout') hc.Timeout = ns;
              else hc.StartPeriod = ns;
            }
          }
          c.Healthcheck = hc;
        }
        createdBy = formatCreatedBy({ instruction: 'HEALTHCHECK', healthcheck: c.Healthcheck as never });
        break;
      }
      case 'onbuild': {
        const sub = node.subcommand;
        if (!sub) throw lineError(node, 'ONBUILD requires an instruction');
        if (['onbuild', 'from', 'maintainer'].includes(sub.value)) throw lineError(node, `${sub.value.toUpperCase()} isn't allowed as an ONBUILD trigger`);
        c.OnBuild = [...(c.OnBuild ?? []), sub.original];
        createdBy = `ONBUILD ${sub.original}`;
        break;
      }
      default:
        throw lineError(node, `unknown instruction: ${node.value.toUpperCase()}`);
    }
    let id = state.id;
    if (id) {
      // metadata steps are cached too, so a fully cached rebuild yields the same image ID
      const key = await this.cacheKey(id, `${createdBy}\n${JSON.stringify(c)}`);
      const hit = await this.cached(key, false);
      if (hit) return { id: hit, config: c, args };
      const image = await appendEmptyLayerHistory(await withConfig(await this.deps.images.load(id), c as never), {
        created: this.deps.now().toISOString(),
        created_by: createdBy,
        comment: 'buildkit.dockerfile.v0',
      });
      id = await this.deps.images.put(image, { intermediate: true });
      await this.deps.meta.put(CACHE, key, { image: id, created: this.deps.now().toISOString() });
    }
    return { id, config: c, args };
  }

  /** Forgets the build cache (`docker builder prune`, part of `system prune`). */
  async pruneCache(): Promise<PruneReport> {
    const entries = await this.deps.meta.list<{ image: string }>(CACHE);
    await this.deps.meta.transaction(async (tx) => {
      for (const e of entries) tx.delete(CACHE, e.key);
    });
    return { deleted: entries.map((e) => e.key), spaceReclaimed: 0 };
  }
}

/** The event for a step that failed with `err`, or that a cancel stopped. */
function stepError(step: number, err: unknown, options: BuildOptions): BuildEvent {
  const cancelled = options.signal?.aborted || (err instanceof EngineError && err.kind === 'cancelled');
  return cancelled ? { type: 'step-error', step, message: 'build cancelled', cancelled: true } : { type: 'step-error', step, message: (err as Error).message };
}

function mkdirEntries(dir: string): TarEntry[] {
  const parts = dir.split('/').filter(Boolean);
  return parts.map((_, i) => tarEntry({ name: parts.slice(0, i + 1).join('/'), type: 'directory', mode: 0o755 }));
}

function isArchive(data: Uint8Array): boolean {
  if (isCompressed(data)) return true; // gzip or zstd (Docker's ADD also knows bzip2 and xz)
  return data.length >= 262 && new TextDecoder().decode(data.subarray(257, 262)) === 'ustar';
}

/** Go duration (`30s`, `1m30s`, `500ms`) in nanoseconds. */
function parseDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === s.length && consumed > 0 ? Math.round(total) : undefined;
}
