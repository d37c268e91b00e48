/**
 * `docker cp`, as docker/cli 27 does it: the container side through the engine's archive calls
 * (stat, get, put), the local side through the host's `HostFS` (the disk in Node, the workspace
 * in the page) with moby/go-archive's rules (local-archive.ts), `-` for a tar on stdin/stdout,
 * the progress line and `Successfully copied 2.05kB to …` on a terminal unless `-q`.
 */
import type { PathStat } from '../api.ts';
import { EngineError } from '../errors.ts';
import { readTar, writeTar, type TarEntry, type TarEntryInit } from '../layer/index.ts';
import { readAllStdin } from './attach.ts';
import { CliError, type Command, type CommandContext } from './command.ts';
import { humanSize } from './format.ts';
import { HostFSError, type HostFS } from './host-fs.ts';
import {
  absolutePath,
  copyInfoDestinationPath,
  copyInfoSourcePath,
  CopyError,
  getRebaseName,
  joinPath,
  prepareArchiveCopy,
  rebaseEntries,
  splitPathDirEntry,
  tarResource,
  untar,
  validateOutputPath,
  type CopyInfo,
} from './local-archive.ts';

/** docker/cli's `splitCpArg`: `CONTAINER:PATH`, or a local path (absolute, or starting with `.`, or without `:`). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/')) return { path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.slice(0, i).startsWith('.')) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

const TO_HEADER = 'Copying to container - ';
const FROM_HEADER = 'Copying from container - ';

/** docker/cli's copy progress on a terminal: a line rewritten in place, erased at the end. */
class Progress {
  private shown = false;
  constructor(
    private readonly ctx: CommandContext,
    private readonly header: string,
  ) {}

  start(): void {
    this.shown = true;
    this.ctx.err(`\x1b[sPreparing to copy...\x1b[?25l\x1b[u\x1b[2K${this.header}${humanSize(0)}`);
  }

  update(bytes: number): void {
    if (this.shown) this.ctx.err(`\x1b[${this.header.length + 1}G\x1b[0K${humanSize(bytes)}`);
  }

  end(): void {
    if (!this.shown) return;
    this.shown = false;
    this.ctx.err('\x1b[?25h\x1b[u\x1b[2K');
  }
}

/** A local failure as docker/cli prints it (no daemon prefix), with the host's plain line of why about `path`. */
function localError(e: unknown, fs: HostFS, path: string): unknown {
  if (!(e instanceof HostFSError) && !(e instanceof CopyError)) return e;
  const why = (e instanceof HostFSError ? e.hint : undefined) ?? fs.explain?.(path);
  return new CliError(why ? `${e.message}\n${why}` : e.message);
}

function needFS(ctx: CommandContext, direction: 'read' | 'write'): HostFS {
  if (ctx.io.hostFS) return ctx.io.hostFS;
  throw new CliError(
    direction === 'write'
      ? 'cannot write local files here: use - as the destination to get a tar archive on stdout'
      : 'cannot read local files here: use - as the source to send a tar archive on stdin',
  );
}

const signalOf = (ctx: CommandContext): { signal?: AbortSignal } => (ctx.io.signal ? { signal: ctx.io.signal } : {});

async function copyFromContainer(ctx: CommandContext, container: string, srcPath: string, dst: string, quiet: boolean): Promise<number> {
  const follow = ctx.flags.bool('follow-link');
  const fs = dst === '-' ? undefined : needFS(ctx, 'write');
  let dstPath = dst;
  if (fs) {
    dstPath = absolutePath(fs, dst);
    await validateOutputPath(fs, dstPath).catch((e: unknown) => Promise.reject(localError(e, fs, dstPath)));
  }
  let rebaseName = '';
  if (follow) {
    let st: PathStat | undefined;
    try {
      st = await ctx.engine.containers.statPath(container, srcPath, signalOf(ctx));
    } catch {
      st = undefined; // as docker/cli: the copy itself reports the problem
    }
    if (st?.type === 'symlink') {
      const target = st.linkTarget.startsWith('/') ? st.linkTarget : joinPath(splitPathDirEntry(srcPath)[0], st.linkTarget);
      [srcPath, rebaseName] = getRebaseName(srcPath, target);
    }
  }
  const progress = !quiet && fs ? new Progress(ctx, FROM_HEADER) : undefined;
  progress?.start();
  let copied: { stat: PathStat; tar: Uint8Array };
  try {
    copied = await ctx.engine.containers.copyFrom(container, srcPath, signalOf(ctx));
  } catch (e) {
    progress?.end();
    throw e;
  }
  if (!fs) {
    ctx.out(copied.tar);
    return 0;
  }
  progress?.update(copied.tar.length);
  const src: CopyInfo = { path: srcPath, exists: true, isDir: copied.stat.type === 'directory', rebaseName };
  let entries: TarEntry[] = readTar(copied.tar);
  if (rebaseName) entries = rebaseEntries(entries, splitPathDirEntry(srcPath)[1], rebaseName);
  let failure: unknown;
  let skipped: string[] = [];
  try {
    const dstInfo = await copyInfoDestinationPath(fs, dstPath);
    const prepared = prepareArchiveCopy(entries, src, dstInfo);
    ({ skipped } = await untar(fs, prepared.entries, prepared.dstDir));
  } catch (e) {
    failure = localError(e, fs, dstPath);
  }
  progress?.end();
  notes(ctx, fs, skipped);
  // docker/cli prints its summary whatever the extraction did, then the error
  if (!quiet) ctx.err(`Successfully copied ${humanSize(copied.tar.length)} to ${dstPath}\n`);
  if (failure) throw failure;
  return 0;
}

async function copyToContainer(ctx: CommandContext, container: string, src: string, dstPath: string, quiet: boolean): Promise<number> {
  const fs = src === '-' ? undefined : needFS(ctx, 'read');
  const srcPath = fs ? absolutePath(fs, src) : src;
  // what the destination is decides the copy; a failed stat means "does not exist (yet)"
  const dstInfo: CopyInfo = { path: dstPath, exists: false, isDir: false, rebaseName: '' };
  let st: PathStat | undefined;
  try {
    st = await ctx.engine.containers.statPath(container, dstPath, signalOf(ctx));
    if (st.type === 'symlink') {
      const target = st.linkTarget.startsWith('/') ? st.linkTarget : joinPath(splitPathDirEntry(dstPath)[0], st.linkTarget);
      dstInfo.path = target;
      st = undefined;
      st = await ctx.engine.containers.statPath(container, target, signalOf(ctx));
    }
  } catch (e) {
    if (ctx.io.signal?.aborted) throw e;
  }
  if (st?.type === 'device')
    throw new CliError(`destination "${container}:${dstPath}" must be a directory or a regular file: got a device`);
  if (st) {
    dstInfo.exists = true;
    dstInfo.isDir = st.type === 'directory';
  }
  let tar: Uint8Array;
  let dir: string;
  let counted = 0;
  if (!fs) {
    dir = dstInfo.path;
    if (!dstInfo.isDir) throw new CliError(`destination "${container}:${dstPath}" must be a directory`);
    const stdin = await readAllStdin(ctx.io, ctx.io.signal);
    if (ctx.io.signal?.aborted) throw new EngineError('cancelled', 'copying cancelled');
    if (!stdin) throw new CliError('no standard input to read the tar archive from');
    tar = stdin;
  } else {
    let prepared: { dstDir: string; entries: TarEntryInit[] };
    try {
      const srcInfo = await copyInfoSourcePath(fs, srcPath, ctx.flags.bool('follow-link'));
      prepared = prepareArchiveCopy(await tarResource(fs, srcInfo), srcInfo, dstInfo);
    } catch (e) {
      throw localError(e, fs, srcPath);
    }
    dir = prepared.dstDir;
    tar = writeTar(prepared.entries);
    counted = tar.length; // docker/cli counts what it sends; a tar from stdin is not counted
  }
  const progress = quiet ? undefined : new Progress(ctx, TO_HEADER);
  progress?.start();
  progress?.update(counted);
  let failure: unknown;
  try {
    await ctx.engine.containers.copyTo(container, dir, tar, { copyUIDGID: ctx.flags.bool('archive'), ...signalOf(ctx) });
  } catch (e) {
    failure = e;
  }
  progress?.end();
  if (failure && ctx.io.signal?.aborted) throw failure;
  // docker/cli prints its summary whatever the daemon answered, then the error
  if (!quiet) ctx.err(`Successfully copied ${humanSize(counted)} to ${container}:${dstInfo.path}\n`);
  if (failure) throw failure;
  return 0;
}

/** What the local side could not keep, one plain line. */
function notes(ctx: CommandContext, fs: HostFS, skipped: string[]): void {
  const lines = [...(skipped.length ? [`not copied: ${skipped.join(', ')}`] : []), ...(fs.notes?.() ?? [])];
  for (const l of lines) ctx.err(`${l}\n`);
}

async function runCp(ctx: CommandContext): Promise<number> {
  const [srcArg = '', dstArg = ''] = ctx.args;
  if (srcArg === '') throw new CliError('source can not be empty');
  if (dstArg === '') throw new CliError('destination can not be empty');
  // docker/cli: without -q, progress is shown only on a terminal
  const quiet = ctx.flags.changed('quiet') ? ctx.flags.bool('quiet') : !ctx.io.isTTY;
  const src = splitCpArg(srcArg);
  const dst = splitCpArg(dstArg);
  if (src.container !== undefined && dst.container !== undefined) throw new CliError('copying between containers is not supported');
  if (src.container !== undefined) return copyFromContainer(ctx, src.container, src.path, dst.path, quiet);
  if (dst.container !== undefined) return copyToContainer(ctx, dst.container, src.path, dst.path, quiet);
  throw new CliError('must specify at least one container source');
}

/** `docker cp`. */
export function cpCommand(): Command {
  return {
    name: 'cp',
    use: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    short: 'Copy files/folders between a container and the local filesystem',
    long: `Copy files/folders between a container and the local filesystem

Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`,
    aliasesText: 'docker container cp, docker cp',
    flags: [
      { name: 'archive', short: 'a', kind: 'bool', usage: 'Archive mode (copy all uid/gid information)' },
      { name: 'follow-link', short: 'L', kind: 'bool', usage: 'Always follow symbol link in SRC_PATH' },
      {
        name: 'quiet',
        short: 'q',
        kind: 'bool',
        usage: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached',
      },
    ],
    args: { kind: 'exact', n: 2 },
    complete: ['container-path', 'container-path'],
    run: runCp,
  };
}
