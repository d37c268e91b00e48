/**
 * The `docker` CLI's host in Node: this process's stdio (raw mode for `-t` on a terminal),
 * SIGINT as the abort signal, build contexts and `docker cp` files from the local disk.
 */
import { lstat, mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { BuildContext } from '../src/engine/api.ts';
import type { CliIO } from '../src/engine/cli/io.ts';
import { nodeHostFS } from './node-host-fs.ts';
import { publishOnHost } from './node-publish.ts';

/** Reads every file under `dir` into a build context with modes and mtimes (the builder applies .dockerignore). */
export async function readBuildContext(dir: string): Promise<BuildContext> {
  const root = resolve(dir);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new Error(`unable to prepare context: path "${dir}" not found`);
  const ctx: BuildContext = new Map();
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name === '.git') continue;
        await walk(p);
      } else if (entry.isSymbolicLink()) {
        // a link is sent as a link (COPY copies it as one, as Docker does), never followed out of the context
        const s = await lstat(p);
        ctx.set(relative(root, p).split(sep).join('/'), {
          data: new Uint8Array(0),
          mode: 0o777,
          mtime: Math.floor(s.mtimeMs / 1000),
          linkTarget: await readlink(p),
        });
      } else if (entry.isFile()) {
        const s = await stat(p);
        // whole seconds, as the layer's tar header stores them without a PAX record
        ctx.set(relative(root, p).split(sep).join('/'), {
          data: new Uint8Array(await readFile(p)),
          mode: s.mode & 0o777,
          mtime: Math.floor(s.mtimeMs / 1000),
        });
      }
    }
  };
  await walk(root);
  return ctx;
}

/** A CliIO over this process. */
export function nodeCliIO(): CliIO & { dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  let stdinStarted = false;
  const startStdin = () => {
    if (stdinStarted) return;
    stdinStarted = true;
    if (process.stdin.isTTY) process.stdin.setRawMode?.(true);
    process.stdin.resume();
  };
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: !!process.stdout.isTTY && !!process.stdin.isTTY,
    columns: process.stdout.columns ?? 80,
    rows: process.stdout.rows ?? 24,
    signal: controller.signal,
    onStdin(listener) {
      const h = (d: Buffer) => listener(new Uint8Array(d));
      process.stdin.on('data', h);
      startStdin();
      return () => process.stdin.off('data', h);
    },
    onStdinEnd(listener) {
      process.stdin.on('end', listener);
      startStdin();
      return () => process.stdin.off('end', listener);
    },
    onResize(listener) {
      const h = () => listener(process.stdout.rows ?? 24, process.stdout.columns ?? 80);
      process.stdout.on('resize', h);
      return () => process.stdout.off('resize', h);
    },
    readFile: async (p) => new Uint8Array(await readFile(p)),
    writeFile: async (p, data) => {
      await mkdir(dirname(resolve(p)), { recursive: true });
      await writeFile(p, data);
    },
    buildContext: readBuildContext,
    hostFS: nodeHostFS(),
    publish: (ports, dial) => publishOnHost(ports, dial, (t) => process.stderr.write(t)),
    now: () => new Date(),
    environment: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    dispose() {
      process.off('SIGINT', onSigint);
      if (stdinStarted) {
        if (process.stdin.isTTY) process.stdin.setRawMode?.(false);
        process.stdin.pause();
        process.stdin.destroy();
      }
    },
  };
}
