/**
 * `docker build`: resolves the context through the host, runs the engine's build and prints
 * progress like BuildKit's plain output (`#N [k/n] INSTRUCTION`, `#N CACHED`, `#N 0.123 output`,
 * `#N DONE 0.4s`, the export vertex) and failures like BuildKit (the failing step's last output,
 * the Dockerfile excerpt around the failing line, `ERROR: failed to solve: ...`).
 */
import type { BuildContext, BuildEvent, BuildOptions } from '../api.ts';
import { BuildError, EngineError } from '../errors.ts';
import { readAllStdin } from './attach.ts';
import { CliError, StatusError, type Command, type CommandContext } from './command.ts';
import { unsupportedFlag } from './common.ts';
import { humanSize4 } from './format.ts';
import { normalizedTagged } from './reference.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** BuildKit's source excerpt (errdefs.Source.Print): the failing line with up to two lines around it. */
export function dockerfileExcerpt(filename: string, text: string, line: number, endLine = line): string {
  const lines = text.split('\n');
  if (line > lines.length || line < 1) return '';
  let start = line;
  let end = Math.min(endLine, lines.length);
  const pad = end === start ? 4 : 2;
  let p = 0;
  while (p < pad) {
    if (start > 1) {
      start--;
      p++;
    }
    if (end !== lines.length) {
      end++;
      p++;
    }
    p++;
  }
  const rule = '-'.repeat(20);
  let out = `${filename}:${line}\n${rule}\n`;
  for (let i = start; i <= end; i++) {
    const mark = i >= line && i <= endLine ? '>>>' : '   ';
    out += ` ${String(i).padStart(3)} | ${mark} ${lines[i - 1] ?? ''}\n`;
  }
  return out + rule + '\n';
}

interface Vertex {
  n: number;
  label: string;
  started: number;
  partial: string;
  tail: string[];
}

/** Prints BuildEvents as BuildKit's plain progress does; remembers the failing step for the summary. */
export class BuildPrinter {
  private next = 1;
  private readonly vertices = new Map<number, Vertex>();
  /** The step that failed, with its last output lines. */
  failed?: Vertex;

  constructor(
    private readonly write: (text: string) => void,
    private readonly clock: () => number,
    private readonly multiStage: boolean,
  ) {}

  /** An internal vertex printed all at once (`[internal] load build definition from Dockerfile`). */
  internal(name: string, detail: string): void {
    const n = this.next++;
    this.write(`#${n} ${name}\n#${n} ${detail}\n#${n} DONE 0.0s\n\n`);
  }

  /** Handles one engine event. */
  event(e: BuildEvent): void {
    switch (e.type) {
      case 'step-start': {
        const n = this.next++;
        const label = `[${e.label}] ${e.instruction}`;
        this.vertices.set(e.step, { n, label, started: this.clock(), partial: '', tail: [] });
        this.write(`#${n} ${label}\n`);
        break;
      }
      case 'step-output': {
        const v = this.vertices.get(e.step);
        if (!v) {
          this.write(decoder.decode(e.data));
          break;
        }
        v.partial += decoder.decode(e.data, { stream: true });
        const lines = v.partial.split('\n');
        v.partial = lines.pop() ?? '';
        for (const l of lines) this.outputLine(v, l.replace(/\r$/, ''));
        break;
      }
      case 'step-done': {
        const v = this.vertices.get(e.step);
        if (!v) break;
        this.flush(v);
        this.write(e.cached ? `#${v.n} CACHED\n\n` : `#${v.n} DONE ${(e.ms / 1000).toFixed(1)}s\n\n`);
        break;
      }
      case 'step-error': {
        const v = this.vertices.get(e.step);
        if (!v) {
          this.write(`ERROR: ${e.message}\n`);
          break;
        }
        this.flush(v);
        if (e.cancelled) {
          this.write(`#${v.n} CANCELED\n`);
          break;
        }
        // the step shows the error's first line; the whole of it (LayerLab's hint too) ends the output
        this.write(`#${v.n} ERROR: ${e.message.split('\n', 1)[0]}\n`);
        this.failed = v;
        break;
      }
      case 'message':
        this.write(e.text.endsWith('\n') ? e.text : e.text + '\n');
        break;
    }
  }

  /** The export vertex: layers, image ID and names. */
  exported(imageId: string, tags: string[]): void {
    const n = this.next++;
    let out = `#${n} exporting to image\n#${n} exporting layers done\n#${n} writing image ${imageId} done\n`;
    for (const t of tags) out += `#${n} naming to ${normalizedTagged(t)} done\n`;
    this.write(out + `#${n} DONE 0.0s\n`);
  }

  /** BuildKit's summary of the failed step (` > [2/3] RUN x:` and its last output lines). */
  failureSummary(): string {
    const v = this.failed;
    if (!v) return '';
    return `------\n > ${v.label}:\n${v.tail.map((l) => l + '\n').join('')}------\n`;
  }

  private outputLine(v: Vertex, line: string): void {
    const elapsed = ((this.clock() - v.started) / 1000).toFixed(3);
    const text = `${elapsed} ${line}`;
    this.write(`#${v.n} ${text}\n`);
    v.tail.push(text);
    if (v.tail.length > 6) v.tail.shift();
  }

  private flush(v: Vertex): void {
    if (v.partial) {
      this.outputLine(v, v.partial);
      v.partial = '';
    }
  }
}

async function loadContext(ctx: CommandContext, path: string): Promise<BuildContext> {
  if (/^(https?|git):\/\/|^git@|^github\.com\//.test(path)) {
    throw new CliError('ERROR: unable to prepare context: LayerLab cannot download build contexts; use a local directory');
  }
  if (path === '-') {
    const data = await readAllStdin(ctx.io);
    if (!data) throw new CliError('ERROR: unable to prepare context: no standard input to read the Dockerfile from');
    return new Map([['Dockerfile', { data }]]);
  }
  if (!ctx.io.buildContext) throw new CliError('ERROR: unable to prepare context: local files are not available here');
  try {
    return await ctx.io.buildContext(path);
  } catch (e) {
    throw new CliError(`ERROR: unable to prepare context: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The Dockerfile's path inside the context for `-f` (a path relative to the context, or under PATH). */
function dockerfileInContext(file: string | undefined, contextPath: string): string {
  if (!file) return 'Dockerfile';
  let f = file.replace(/^\.\//, '');
  const prefix = contextPath.replace(/^\.\/?/, '').replace(/\/+$/, '');
  if (prefix && f.startsWith(prefix + '/')) f = f.slice(prefix.length + 1);
  return f;
}

async function runBuild(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const path = ctx.args[0] ?? '.';
  const quiet = f.bool('quiet');
  const progress = f.string('progress') ?? 'auto';
  if (!['auto', 'plain', 'tty', 'quiet', 'rawjson'].includes(progress)) throw new CliError(`ERROR: invalid progress mode ${progress}`);
  const silent = quiet || progress === 'quiet';
  const write = silent ? (): void => {} : (t: string): void => ctx.err(t);
  const context = await loadContext(ctx, path);
  const dockerfile = dockerfileInContext(f.string('file'), path);
  const dfEntry = context.get(dockerfile);
  const dfText = dfEntry ? decoder.decode(dfEntry.data) : '';
  const multiStage = (dfText.match(/^\s*FROM\s/gim) ?? []).length > 1;
  const clock = (): number => ctx.now().getTime();
  const printer = new BuildPrinter(write, clock, multiStage);

  write('[+] Building\n');
  printer.internal(
    `[internal] load build definition from ${dockerfile}`,
    `transferring dockerfile: ${humanSize4(dfEntry?.data.length ?? 0)} done`,
  );
  const ignore = context.get('.dockerignore');
  printer.internal('[internal] load .dockerignore', `transferring context: ${humanSize4(ignore?.data.length ?? 2)} done`);
  let contextBytes = 0;
  for (const v of context.values()) contextBytes += v.data.length;
  printer.internal('[internal] load build context', `transferring context: ${humanSize4(contextBytes)} done`);

  const buildArgs: Record<string, string> = {};
  for (const a of f.list('build-arg')) {
    const i = a.indexOf('=');
    if (i > 0) buildArgs[a.slice(0, i)] = a.slice(i + 1);
  }
  const opts: BuildOptions = { context, dockerfile, onEvent: (e) => printer.event(e) };
  const tags = f.list('tag');
  if (tags.length > 0) opts.tags = tags;
  if (Object.keys(buildArgs).length > 0) opts.buildArgs = buildArgs;
  if (f.bool('no-cache')) opts.noCache = true;
  const target = f.string('target');
  if (target) opts.target = target;
  if (ctx.io.signal) opts.signal = ctx.io.signal;

  try {
    const result = await ctx.engine.build(opts);
    printer.exported(result.imageId, result.tags.length > 0 ? result.tags : tags);
    if (quiet) ctx.out(result.imageId + '\n');
    return 0;
  } catch (e) {
    if ((e instanceof EngineError && e.kind === 'cancelled') || ctx.io.signal?.aborted) {
      // BuildKit's words when the build's context is cancelled (Ctrl-C)
      ctx.err('ERROR: failed to solve: Canceled: context canceled\n');
      throw new StatusError(130);
    }
    const message = e instanceof Error ? e.message : String(e);
    let out = printer.failureSummary();
    const line = e instanceof BuildError ? e.line : (e as { line?: unknown } | null)?.line;
    if (typeof line === 'number' && dfText) out += dockerfileExcerpt(dockerfile, dfText, line);
    out += message.startsWith('failed to solve') ? `ERROR: ${message}\n` : `ERROR: failed to solve: ${message}\n`;
    ctx.err(out);
    throw new StatusError(1);
  }
}

/** `docker build` / `docker image build`. */
export function buildCommand(): Command {
  return {
    name: 'build',
    use: 'build [OPTIONS] PATH | URL | -',
    short: 'Build an image from a Dockerfile',
    aliasesText: 'docker image build, docker build',
    top: 4,
    flags: [
      { name: 'build-arg', kind: 'list', usage: 'Set build-time variables' },
      { name: 'file', short: 'f', kind: 'string', usage: "Name of the Dockerfile (Default is 'PATH/Dockerfile')" },
      { name: 'no-cache', kind: 'bool', usage: 'Do not use cache when building the image' },
      {
        name: 'progress',
        kind: 'string',
        usage: 'Set type of progress output ("auto", "quiet", "plain", "tty", "rawjson"). Use plain to show container output',
        defValue: 'auto',
      },
      { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress the build output and print image ID on success' },
      { name: 'tag', short: 't', kind: 'list', usage: "Name and optionally a tag in the 'name:tag' format" },
      { name: 'target', kind: 'string', usage: 'Set the target build stage to build.' },
      unsupportedFlag('label', 'image labels come from LABEL instructions here'),
      unsupportedFlag('platform', 'images are built for the one platform of the built-in machine'),
      unsupportedFlag('pull', 'base images are pulled when missing', undefined, 'bool'),
      unsupportedFlag('network', 'builds have no network'),
      unsupportedFlag('cache-from', 'the build cache is local only'),
      unsupportedFlag('output', 'images are stored in the local image store', 'o'),
    ],
    args: { kind: 'exact', n: 1 },
    run: runBuild,
  };
}

/** Encodes text for fake build contexts in tests and hosts. */
export function textFile(text: string): { data: Uint8Array } {
  return { data: encoder.encode(text) };
}
