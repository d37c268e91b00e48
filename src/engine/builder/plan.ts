/**
 * A build's plan, made before any step runs: the Dockerfile read and parsed, every instruction
 * known, the global ARGs (before the first FROM) set, the stages split out and only those the
 * target needs kept, like BuildKit; the build context without what `.dockerignore` excludes; the
 * steps counted as BuildKit numbers them (a FROM per stage and the filesystem steps).
 */
import type { BuildContext, BuildOptions } from '../api.ts';
import { DockerfileSyntaxError, parseDockerfile, ShellLexer } from '../dockerfile/index.ts';
import { BuildError } from '../errors.ts';
import { matchesDockerignore, parseDockerignore } from './dockerignore.ts';
import { lineError, type Stage } from './step-context.ts';

/** The instructions that make a layer and a numbered step; the others change the config only. */
export const FS_STEPS = new Set(['run', 'copy', 'add', 'workdir']);
const KNOWN = new Set([
  'from',
  'run',
  'copy',
  'add',
  'workdir',
  'env',
  'arg',
  'cmd',
  'entrypoint',
  'expose',
  'label',
  'user',
  'volume',
  'shell',
  'stopsignal',
  'healthcheck',
  'onbuild',
  'maintainer',
]);

/** What a build will do. */
export interface BuildPlan {
  /** Every stage of the Dockerfile (FROM and `COPY --from` may name any earlier one). */
  stages: Stage[];
  /** The stages to build, in order: the target and those it needs. */
  planned: Stage[];
  /** The index of the stage whose image the build makes. */
  targetIndex: number;
  /** ARGs declared before the first FROM, with `--build-arg` values. */
  globalArgs: Map<string, string>;
  /** The Dockerfile's word expander (its escape character). */
  lexer: ShellLexer;
  /** The build context without what `.dockerignore` excludes (the Dockerfile always stays). */
  context: BuildContext;
  /** Steps in all (`[n/total]`). */
  total: number;
}

/** Reads, checks and plans the build `options` describe; a bad Dockerfile throws a `BuildError` naming its line. */
export function planBuild(options: BuildOptions): BuildPlan {
  const dockerfilePath = options.dockerfile ?? 'Dockerfile';
  const file = options.context.get(dockerfilePath.replace(/^\.\//, ''));
  if (!file) throw new BuildError(`failed to read dockerfile: open ${dockerfilePath}: no such file or directory`);
  let ast;
  try {
    ast = parseDockerfile(new TextDecoder().decode(file.data));
  } catch (err) {
    if (err instanceof DockerfileSyntaxError)
      throw new BuildError(`failed to parse ${dockerfilePath}: ${err.message}`, err.line, { cause: err });
    throw err;
  }
  for (const node of ast.children) {
    if (!KNOWN.has(node.value)) throw lineError(node, `unknown instruction: ${node.value.toUpperCase()}`);
  }
  const context = filterContext(options.context, dockerfilePath);
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
  const planned = neededStages(stages, targetIndex);
  const total = planned.reduce((n, s) => n + stepCount(s), 0);
  return { stages, planned, targetIndex, globalArgs, lexer, context, total };
}

/** Only the stages the target needs (its base stages and those its `COPY --from` names), in order, like BuildKit. */
function neededStages(stages: readonly Stage[], targetIndex: number): Stage[] {
  const needed = new Set<number>();
  const need = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    const s = stages[i]!;
    const base = s.from.next[0]?.toLowerCase();
    const dep = stages.find((x) => x.name === base && x.index < i);
    if (dep) need(dep.index);
    for (const step of s.steps) {
      const from = step.flags
        .find((f) => f.startsWith('--from='))
        ?.slice(7)
        .toLowerCase();
      if (!from) continue;
      const d = stages.find((x) => x.name === from || String(x.index) === from);
      if (d && d.index < i) need(d.index);
    }
  };
  need(targetIndex);
  return stages.filter((s) => needed.has(s.index));
}

/** The steps a stage counts: its FROM and its filesystem steps. */
export function stepCount(stage: Stage): number {
  return 1 + stage.steps.filter((x) => FS_STEPS.has(x.value)).length;
}

/** The context without what its `.dockerignore` excludes; the Dockerfile always stays. */
function filterContext(context: BuildContext, dockerfile: string): BuildContext {
  const ignore = context.get('.dockerignore');
  if (!ignore) return context;
  const patterns = parseDockerignore(new TextDecoder().decode(ignore.data));
  const out: BuildContext = new Map();
  for (const [path, f] of context) if (path === dockerfile || !matchesDockerignore(patterns, path)) out.set(path, f);
  return out;
}
