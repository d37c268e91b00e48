/**
 * The filesystem steps: RUN in a build container made of the image so far (on the guest), COPY
 * and ADD as a layer built from their sources, WORKDIR as a layer creating the directory. Each
 * is a cache hit or runs and makes an intermediate image; the key adds what the instruction text
 * leaves out (the content of COPY/ADD sources, the ARGs a RUN sees).
 */
import type { ResolvedImage } from '../containers/manager.ts';
import type { DockerfileNode } from '../dockerfile/index.ts';
import { EngineError, OperationCancelledError } from '../errors.ts';
import type { TarEntry } from '../layer/index.ts';
import { tarEntry } from '../layer/tar.ts';
import { sha256Digest } from '../oci/digest.ts';
import { formatCreatedBy } from '../oci/display.ts';
import { copyEntries } from './copy.ts';
import { DEFAULT_PATH, DEFAULT_SHELL, lineError, posixJoin, type State, type StepContext } from './step-context.ts';

const enc = new TextEncoder();

/** A filesystem step as the build log shows it: RUN as written, other instructions with their words expanded. */
export function describeStep(node: DockerfileNode, expand: (w: string) => string): string {
  const kw = node.value.toUpperCase();
  if (node.value === 'run') return `${kw} ${node.json ? JSON.stringify(node.next) : node.next.join(' ')}`;
  const flags = node.flags.length ? `${node.flags.join(' ')} ` : '';
  return `${kw} ${flags}${node.next.map(expand).join(' ')}`.trim();
}

/** Runs the filesystem step `ctx.node` (shown as `text`), or takes its image from the cache. */
export async function fsStep(ctx: StepContext, text: string): Promise<{ state: State; cached: boolean }> {
  const { node, expand, deps } = ctx;
  let state = ctx.state;
  const workdir = state.config.WorkingDir || '/';
  let entries: TarEntry[] | undefined;
  let keyText = text;
  if (node.value === 'copy' || node.value === 'add') {
    entries = await copyEntries(ctx);
    // content and metadata but not mtime, like BuildKit's content checksum: touching a file
    // without changing it keeps the cache (and the layer made with the first time)
    // (each file's content hashed on its own: spreading every byte into one array broke on large copies)
    const lines: string[] = [];
    for (const e of entries)
      lines.push(`${e.name}|${e.mode}|${e.uid}|${e.gid}|${e.type}|${e.linkname}|${e.data?.length ? await sha256Digest(e.data) : ''}`);
    keyText = `${text}\n${await sha256Digest(enc.encode(lines.join('\n')))}`;
  } else if (node.value === 'workdir') {
    const dir = posixJoin(workdir, expand(node.next[0] ?? '/'));
    keyText = `WORKDIR ${dir}`;
  } else if (node.value === 'run') {
    keyText = `${text}\n${[...state.args].map(([k, v]) => `${k}=${v}`).join('\n')}`;
  }
  const key = await ctx.cache.key(state.id || 'scratch', keyText);
  const hit = ctx.noCache ? undefined : await ctx.cache.lookup(key);
  if (hit) {
    const resolved = await deps.images.resolve(hit);
    return { state: { ...state, id: hit, config: { ...resolved.config } }, cached: true };
  }

  const parent: ResolvedImage = state.id ? await deps.images.resolve(state.id) : { id: '', config: state.config, layers: [] };
  let id: string;
  if (node.value === 'workdir') {
    const dir = posixJoin(workdir, expand(node.next[0] ?? '/'));
    const config = { ...state.config, WorkingDir: dir };
    id = await deps.images.commit(parent, mkdirEntries(dir), {
      createdBy: formatCreatedBy({ instruction: 'WORKDIR', value: dir }),
      comment: 'buildkit.dockerfile.v0',
      config,
      intermediate: true,
    });
    state = { ...state, config };
  } else if (entries) {
    const words = node.next.map(expand);
    const createdBy = formatCreatedBy({
      instruction: node.value === 'add' ? 'ADD' : 'COPY',
      sources: node.heredocs.length ? node.heredocs.map((h) => h.name) : words.slice(0, -1),
      dest: words[words.length - 1] ?? '',
    });
    id = await deps.images.commit(parent, entries, {
      createdBy,
      comment: 'buildkit.dockerfile.v0',
      config: state.config,
      intermediate: true,
    });
  } else {
    id = await runStep(ctx, parent);
  }
  await ctx.cache.record(key, id);
  const resolved = await deps.images.resolve(id);
  return { state: { ...state, id, config: { ...resolved.config } }, cached: false };
}

/** Linux's MAX_ARG_STRLEN: the most bytes one argument of exec may have (32 pages of 4 KiB). */
export const MAX_ARG_BYTES = 131072;

/** RUN in a build container on `parent`: its output reported as it comes, its layer committed; the container is removed whatever happens. */
async function runStep({ node, state, deps, signal, output }: StepContext, parent: ResolvedImage): Promise<string> {
  if (!parent.id) throw lineError(node, 'RUN needs an image with a shell; this stage starts FROM scratch and has no files yet');
  const shell = state.config.Shell?.length ? state.config.Shell : DEFAULT_SHELL;
  let argv: string[];
  if (node.heredocs.length && node.next.join(' ').trim().startsWith('<<')) argv = [...shell, node.heredocs[0]!.content];
  else if (node.json) argv = node.next;
  else argv = [...shell, node.next.join(' ')];
  // the kernel's limit on one argument (MAX_ARG_STRLEN): Docker's RUN fails there too, with E2BIG
  const longest = Math.max(...argv.map((a) => new TextEncoder().encode(a).length));
  if (longest > MAX_ARG_BYTES) {
    throw lineError(
      node,
      `RUN's command is ${longest} bytes long; Linux takes at most ${MAX_ARG_BYTES} bytes in one argument (argument list too long). Put a long script in a file, COPY it, and RUN the file`,
    );
  }
  const env = [...(state.config.Env ?? [DEFAULT_PATH])];
  for (const [k, v] of state.args) if (!env.some((e) => e.startsWith(`${k}=`))) env.push(`${k}=${v}`);
  // a build container: never listed, mounts no volumes, removed when the step ends
  const { id: cid } = await deps.containers.create(
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
    const proc = await deps.containers.start(cid, {});
    if (!proc) throw new EngineError('guest', 'the build container did not start');
    proc.onStdout((d) => output('stdout', d));
    proc.onStderr((d) => output('stderr', d));
    const onAbort = () => proc.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    // an abort before the listener existed would otherwise never reach the process
    if (signal?.aborted) onAbort();
    const code = await proc.exit;
    signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted) throw new OperationCancelledError('build');
    if (code !== 0) {
      const shown = node.json ? JSON.stringify(argv) : `${shell.join(' ')} ${node.next.join(' ')}`;
      throw lineError(node, `process "${shown}" did not complete successfully: exit code: ${code}`);
    }
    const record = await deps.containers.find(cid);
    const entries = await deps.containers.rwLayerEntries(record);
    const createdBy = formatCreatedBy({ instruction: 'RUN', args: argv, buildArgs: [...state.args] });
    return await deps.images.commit(parent, entries, {
      createdBy,
      comment: 'buildkit.dockerfile.v0',
      config: state.config,
      intermediate: true,
    });
  } finally {
    await deps.containers.remove(cid, { force: true }).catch(() => {});
  }
}

/** The entries that create `dir` and its parents. */
function mkdirEntries(dir: string): TarEntry[] {
  const parts = dir.split('/').filter(Boolean);
  return parts.map((_, i) => tarEntry({ name: parts.slice(0, i + 1).join('/'), type: 'directory', mode: 0o755 }));
}
