/**
 * Decides a lesson check against real engine state, the workspace and the commands run while the
 * lesson was open. Pure: it reads through the `CheckContext` it is given (the engine worker passes
 * the real engine), and answers which predicates failed, each with a message a student can act on.
 */
import type { BuildResult, DockerEngine } from '../engine/api.ts';
import { readTar } from '../engine/layer/tar.ts';
import { literalOf } from './pattern.ts';
import type { Check, FileIn, Pattern } from './types.ts';

/**
 * A command run in the terminal: its line, exit code and (the end of) its output as plain text.
 * An interactive session (`docker run -it … sh`, the `vm` shell) is one record: its line, and an
 * output that holds the lines typed in it as the terminal showed them, with what they printed.
 */
export interface CommandRecord {
  /** When it finished (ms since the epoch), so a lesson counts only what ran after it started. */
  at: number;
  line: string;
  exitCode: number;
  output: string;
  /** An interactive session still open when the check ran: no exit code yet, its output so far. */
  running?: boolean;
}

/** A container or volume removed (`docker rm`, `docker volume rm`, `--rm`, prune), by name. */
export interface RemovalRecord {
  /** When (ms since the epoch). */
  at: number;
  kind: 'container' | 'volume';
  name: string;
}

/** A finished build, as the builder reported it. */
export type BuildRecord = Pick<BuildResult, 'tags' | 'steps'> & { /** When it finished (ms since the epoch). */ at: number };

/** What a check can read. */
export interface CheckContext {
  engine: Pick<DockerEngine, 'images' | 'containers' | 'volumes' | 'networks'>;
  /**
   * What `localhost:hostPort` answers to an HTTP GET of `path`: the container publishing it, the
   * status and the page's text; `{ error }` when nothing publishes it or nothing answers.
   */
  httpGet(hostPort: number, path: string): Promise<{ container: string; status: number; body: string } | { error: string }>;
  /** Tags of a repository in the local registry (undefined when it has none). */
  registryTags(repository: string): Promise<string[] | undefined>;
  /** Workspace files, path → text. */
  files: Record<string, string>;
  /** Commands run since the lesson opened, oldest first. */
  commands: CommandRecord[];
  /** Builds finished since the lesson opened, oldest first. */
  builds: BuildRecord[];
  /** Containers and volumes removed since the lesson opened, oldest first. */
  removals: RemovalRecord[];
  /** A regular file's bytes in an image (its layers applied in order); undefined when it has none there. */
  imageFile(ref: string, path: string): Promise<Uint8Array | undefined>;
  /** A regular file's bytes in a volume (path relative to its top folder); undefined when it has none there. */
  volumeFile(name: string, path: string): Promise<Uint8Array | undefined>;
}

/** The outcome: passed, or the messages of the predicates that failed. */
export interface CheckResult {
  passed: boolean;
  failures: string[];
}

/**
 * A check's pattern, with the 'm' flag. What it runs on is cut to its first MAX_MATCHED characters
 * (the schema refuses the patterns that take exponential time; this bounds the polynomial ones, so
 * a shared link's check cannot hang the engine's worker on a long output).
 */
const re = (p: string) => {
  const r = new RegExp(p, 'm');
  return { test: (text: string) => r.test(text.length > MAX_MATCHED ? text.slice(0, MAX_MATCHED) : text) };
};
/** The most text a check's pattern is matched against: 64 KiB. */
const MAX_MATCHED = 64 * 1024;
/**
 * A pattern in a message: quoted when it is a plain literal (`"docker build"`), else undefined, so
 * the message describes it in words; a regular expression is never shown to a student.
 */
function quoted(p: Pattern): string | undefined {
  const lit = literalOf(p);
  return lit && `"${lit.text}"`;
}
/** "No command …": containing, starting with, or exactly a literal; or in words. */
function commandWords(p: Pattern): string | undefined {
  const lit = literalOf(p);
  if (!lit) return undefined;
  return lit.atStart && lit.atEnd ? `"${lit.text}"` : lit.atStart ? `starting with "${lit.text}"` : `containing "${lit.text}"`;
}
/** `web` and `web:latest` name the same image; digests and IDs pass through. */
export function normalizeRef(ref: string): string {
  if (ref.includes('@') || /^sha256:/.test(ref)) return ref;
  const slash = ref.lastIndexOf('/');
  return ref.slice(slash + 1).includes(':') ? ref : `${ref}:latest`;
}
const sameRef = (a: string, b: string) => normalizeRef(a) === normalizeRef(b);

async function exists<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch {
    return undefined;
  }
}

/** Evaluates `check`; never throws for a missing thing (that is a failure with a message). */
export async function evaluateCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const failures = await failuresOf(check, ctx);
  return { passed: failures.length === 0, failures };
}

async function failuresOf(check: Check, ctx: CheckContext): Promise<string[]> {
  const own = (fallback: string[]) => (fallback.length && check.message ? [check.message] : fallback);
  if ('all' in check) {
    const all = (await Promise.all(check.all.map((c) => failuresOf(c, ctx)))).flat();
    return own(all);
  }
  if ('any' in check) {
    const each = await Promise.all(check.any.map((c) => failuresOf(c, ctx)));
    if (each.some((f) => f.length === 0)) return [];
    return own([`None of these is true yet: ${each.map((f) => f.join(' ')).join(' / ')}`]);
  }
  if ('not' in check) {
    const inner = await failuresOf(check.not, ctx);
    return inner.length ? [] : [check.message ?? 'Something is still there that should not be.'];
  }
  return own(await predicate(check, ctx));
}

async function predicate(
  check: Exclude<Check, { all: unknown } | { any: unknown } | { not: unknown }>,
  ctx: CheckContext,
): Promise<string[]> {
  if ('image' in check) {
    const c = check.image;
    const inspect = await exists(ctx.engine.images.inspect(c.ref));
    const wanted = c.exists ?? true;
    if (!inspect) return wanted ? [`There is no image called ${c.ref} yet.`] : [];
    if (!wanted) return [`The image ${c.ref} still exists.`];
    const out: string[] = [];
    if (c.layerCreatedBy) {
      const history = await ctx.engine.images.history(c.ref);
      if (!history.some((h) => re(c.layerCreatedBy!).test(h.createdBy))) {
        const q = quoted(c.layerCreatedBy);
        out.push(
          q
            ? `The image ${c.ref} has no layer whose instruction contains ${q}.`
            : `The image ${c.ref} has no layer made by the instruction this exercise asks for.`,
        );
      }
    }
    if (c.minLayers !== undefined && inspect.RootFS.Layers.length < c.minLayers)
      out.push(`The image ${c.ref} has ${inspect.RootFS.Layers.length} layers; expected at least ${c.minLayers}.`);
    if (c.cmd && JSON.stringify(inspect.Config.Cmd ?? []) !== JSON.stringify(c.cmd))
      out.push(`The image ${c.ref} runs ${JSON.stringify(inspect.Config.Cmd ?? [])} by default, not ${JSON.stringify(c.cmd)}.`);
    if (c.runs) {
      const words = [...(inspect.Config.Entrypoint ?? []), ...(inspect.Config.Cmd ?? [])];
      if (!re(c.runs).test(words.join(' '))) {
        const q = quoted(c.runs);
        out.push(
          `The image ${c.ref} runs ${words.length ? `"${words.join(' ')}"` : 'nothing'} by default${q ? `, not a command containing ${q}` : ', not the command this exercise asks for'}.`,
        );
      }
    }
    if (c.workdir !== undefined && (inspect.Config.WorkingDir ?? '') !== c.workdir)
      out.push(`The image ${c.ref} has working directory "${inspect.Config.WorkingDir ?? ''}", not "${c.workdir}".`);
    if (c.file)
      out.push(...fileFailures(await exists(ctx.imageFile(c.ref, c.file.path)), c.file, `The image ${c.ref}`, `the image ${c.ref}`));
    return out;
  }
  if ('container' in check) {
    const c = check.container;
    const inspect = await exists(ctx.engine.containers.inspect(c.name));
    const wanted = c.removed ? false : (c.exists ?? true);
    if (inspect && !wanted) return [`The container ${c.name} still exists (docker ps -a lists it).`];
    if (c.removed)
      return wasRemoved(ctx, 'container', c.name) ? [] : [`No container named ${c.name} has been removed during this lesson yet.`];
    if (!inspect) return wanted ? [`There is no container named ${c.name}.`] : [];
    const out: string[] = [];
    if (c.state && inspect.State.Status !== c.state) out.push(`The container ${c.name} is ${inspect.State.Status}, not ${c.state}.`);
    if (c.image && !sameRef(inspect.Config.Image, c.image))
      out.push(`The container ${c.name} was made from ${inspect.Config.Image}, not ${c.image}.`);
    if (c.exitCode !== undefined && (inspect.State.Status !== 'exited' || inspect.State.ExitCode !== c.exitCode)) {
      out.push(
        inspect.State.Status === 'exited'
          ? `The container ${c.name} exited with code ${inspect.State.ExitCode}, not ${c.exitCode}.`
          : `The container ${c.name} has not exited yet.`,
      );
    }
    if (c.mount) {
      const m = c.mount;
      const fits = (x: (typeof inspect.Mounts)[number]) =>
        x.Destination === m.destination && (m.bind ? x.Type === 'bind' : (!m.volume || x.Name === m.volume) && x.Type !== 'bind');
      if (!inspect.Mounts.some(fits)) {
        const what = m.bind ? 'bind mount of a host folder' : m.volume ? `volume ${m.volume}` : 'volume';
        out.push(`The container ${c.name} has no ${what} mounted at ${m.destination}.`);
      }
    }
    if (c.diff?.length) {
      const diff = await ctx.engine.containers.diff(c.name);
      for (const d of c.diff)
        if (!diff.some((x) => x.path === d.path && x.kind === d.kind)) out.push(`docker diff ${c.name} does not show ${d.kind} ${d.path}.`);
    }
    if (c.file) {
      const f = c.file;
      const copied = await exists(ctx.engine.containers.copyFrom(c.name, f.path));
      const entry = copied && readTar(copied.tar).find((e) => e.type === 'file');
      out.push(...fileFailures(entry?.data, f, `The container ${c.name}`, c.name));
    }
    return out;
  }
  if ('containers' in check) {
    const c = check.containers;
    const list = (await ctx.engine.containers.list({ all: true })).filter(
      (x) => (!c.image || sameRef(x.image, c.image)) && (!c.state || x.state === c.state),
    );
    const what = `${c.state ? `${c.state} ` : ''}containers${c.image ? ` of ${c.image}` : ''}`;
    if (c.min !== undefined && list.length < c.min)
      return [`There ${list.length === 1 ? 'is' : 'are'} ${list.length} ${what}; at least ${c.min} needed.`];
    if (c.max !== undefined && list.length > c.max) return [`There are ${list.length} ${what}; at most ${c.max} expected.`];
    return [];
  }
  if ('volume' in check) {
    const c = check.volume;
    const found = (await ctx.engine.volumes.list()).some((v) => v.Name === c.name);
    const wanted = c.removed ? false : (c.exists ?? true);
    if (found !== wanted) return [wanted ? `There is no volume named ${c.name}.` : `The volume ${c.name} still exists.`];
    if (c.removed && !wasRemoved(ctx, 'volume', c.name)) return [`No volume named ${c.name} has been removed during this lesson yet.`];
    if (found && c.file)
      return fileFailures(await exists(ctx.volumeFile(c.name, c.file.path)), c.file, `The volume ${c.name}`, `the volume ${c.name}`);
    return [];
  }
  if ('ran' in check) {
    const c = check.ran;
    let commands = ctx.commands;
    if (c.after) {
      const after = typeof c.after === 'string' ? { command: c.after } : c.after;
      let last = -1;
      commands.forEach((x, i) => {
        if (re(after.command).test(x.line) && (!after.output || re(after.output).test(x.output))) last = i;
      });
      commands = last < 0 ? [] : commands.slice(last + 1);
    }
    const matching = commands.filter((x) => re(c.command).test(x.line));
    if (!matching.length) {
      const words = commandWords(c.command);
      return [words ? `No command ${words} has run yet.` : 'The command this exercise asks for has not run yet.'];
    }
    // an open interactive session has no exit code yet: it counts unless an exit code is asked for
    const ok = matching.filter((x) => (x.running ? c.exitCode === undefined : x.exitCode === (c.exitCode ?? 0)));
    if (!ok.length)
      return [
        `The command ${matching.at(-1)!.line} ended with exit code ${matching.at(-1)!.exitCode}${c.exitCode ? `, not ${c.exitCode}` : ' (an error)'}.`,
      ];
    if (c.output && !ok.some((x) => re(c.output!).test(x.output)))
      return [`The output of ${ok.at(-1)!.line} does not show ${quoted(c.output) ?? 'what was asked'} yet.`];
    return [];
  }
  if ('build' in check) {
    const c = check.build;
    const build = [...ctx.builds].reverse().find((b) => !c.tag || b.tags.some((t) => sameRef(t, c.tag!)));
    if (!build) return [c.tag ? `No build of ${c.tag} has finished yet.` : 'No build has finished yet.'];
    const out: string[] = [];
    if (c.minSteps !== undefined && build.steps.length < c.minSteps)
      out.push(`The last build had ${build.steps.length} steps; expected at least ${c.minSteps}.`);
    for (const p of c.cached ?? []) {
      if (build.steps.some((s) => s.cached && re(p).test(s.instruction))) continue;
      const q = quoted(p);
      out.push(
        q ? `In the last build, no CACHED step contains ${q}.` : 'In the last build, a step this exercise expects to be CACHED was not.',
      );
    }
    for (const p of c.ran ?? []) {
      if (build.steps.some((s) => !s.cached && re(p).test(s.instruction))) continue;
      const q = quoted(p);
      out.push(
        q
          ? `In the last build, no step that ran (not CACHED) contains ${q}.`
          : 'In the last build, a step this exercise expects to run again was CACHED or is missing.',
      );
    }
    return out;
  }
  if ('port' in check) {
    const c = check.port;
    const got = await ctx.httpGet(c.hostPort, c.path ?? '/');
    if ('error' in got) return [got.error];
    if (got.status >= 500) return [`localhost:${c.hostPort} (${got.container}) answers with an error (HTTP ${got.status}).`];
    if (c.contains && !re(c.contains).test(got.body))
      return [
        `localhost:${c.hostPort} (${got.container}) answers, but its page does not contain ${quoted(c.contains) ?? 'what was asked'} yet.`,
      ];
    return [];
  }
  if ('network' in check) {
    const c = check.network;
    const net = await ctx.engine.networks.inspect(c.name).catch(() => undefined);
    const wanted = c.exists ?? true;
    if (!net) return wanted ? [`There is no network named ${c.name}.`] : [];
    if (!wanted) return [`There is still a network named ${c.name}.`];
    const out: string[] = [];
    for (const name of c.containers ?? []) {
      const on = await ctx.engine.containers.inspect(name).then(
        (i) => Object.keys(i.NetworkSettings.Networks).includes(net.Name),
        () => undefined,
      );
      if (on === undefined) out.push(`There is no container named ${name}.`);
      else if (!on) out.push(`The container ${name} is not on the network ${c.name}.`);
    }
    return out;
  }
  if ('registry' in check) {
    const c = check.registry;
    const repo = c.repository.replace(/^localhost:5000\//, '');
    const tag = c.tag ?? 'latest';
    const tags = await ctx.registryTags(repo);
    if (!tags?.includes(tag)) return [`The local registry has no localhost:5000/${repo}:${tag} yet.`];
    return [];
  }
  // 'file'
  const c = check.file;
  const text = ctx.files[c.path];
  const wanted = c.exists ?? true;
  if (text === undefined) return wanted ? [`The workspace has no file ${c.path}.`] : [];
  if (!wanted) return [`The workspace still has a file ${c.path}.`];
  if (c.contains && !re(c.contains).test(text)) return [`${c.path} does not contain ${quoted(c.contains) ?? 'what was asked'} yet.`];
  return [];
}

/** Whether a container or volume of this name was removed in the time the check is given. */
function wasRemoved(ctx: CheckContext, kind: RemovalRecord['kind'], name: string): boolean {
  return ctx.removals.some((r) => r.kind === kind && r.name === name);
}

/** A file in an image, container or volume (`holder` has no file…; the file … in `inside`): there, and its text matches `contains`. */
function fileFailures(data: Uint8Array | undefined, f: FileIn, holder: string, inside: string): string[] {
  if (!data) return [`${holder} has no file ${f.path}.`];
  if (f.contains && !re(f.contains).test(new TextDecoder().decode(data)))
    return [`The file ${f.path} in ${inside} does not contain ${quoted(f.contains) ?? 'what was asked'} yet.`];
  return [];
}
