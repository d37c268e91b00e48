/**
 * `docker compose`'s project flags (`-f`, `-p`, `--project-directory`, `--env-file`,
 * `--profile`) and how a command finds its project: the compose file in the current folder or
 * one above it, `.env` beside it, the environment, read through the host's file system (the
 * disk in Node, the workspace in the page), then loaded and checked by `compose/load.ts`.
 */
import { loadProject, findComposeFile } from '../../compose/load.ts';
import { ComposeFileError, type ComposeProject } from '../../compose/model.ts';
import { CliError, type CommandContext } from '../command.ts';
import type { FlagDef } from '../flags.ts';
import type { HostFS } from '../host-fs.ts';
import { cleanPath } from '../../util/paths.ts';

/** The flags every compose command takes (cobra's persistent flags of `docker compose`). */
export const PROJECT_FLAGS: FlagDef[] = [
  { name: 'file', short: 'f', kind: 'stringArray', usage: 'Compose configuration files' },
  { name: 'project-name', short: 'p', kind: 'string', usage: 'Project name' },
  {
    name: 'project-directory',
    kind: 'string',
    usage: 'Specify an alternate working directory\n(default: the path of the, first specified, Compose file)',
  },
  { name: 'env-file', kind: 'stringArray', usage: 'Specify an alternate environment file' },
  { name: 'profile', kind: 'stringArray', usage: 'Specify a profile to enable' },
  { name: 'ansi', kind: 'string', usage: 'Control when to print ANSI control characters ("never"|"always"|"auto")', defValue: 'auto' },
  { name: 'progress', kind: 'string', usage: 'Set type of progress output (auto, tty, plain, json, quiet)' },
];

/** `a/b/../c` → `/cwd/a/c` (Go's `filepath.Abs` against `cwd`). */
export function absolute(path: string, cwd: string): string {
  return cleanPath(path.startsWith('/') ? path : `${cwd}/${path}`);
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

async function readText(fs: HostFS, path: string): Promise<string> {
  return new TextDecoder().decode(await fs.readFile(path));
}

/** The host's file system, or Compose's error when the command line has none (the widget). */
export function hostFS(ctx: CommandContext): HostFS {
  const fs = ctx.io.hostFS;
  if (!fs)
    throw new CliError(
      'no configuration file provided: not found\nThis playground has no folder of files to hold a compose.yaml: use the LayerLab site.',
    );
  return fs;
}

/** The compose files named by `-f`, or found in the project folder or a folder above it. */
async function composeFiles(ctx: CommandContext, fs: HostFS): Promise<string[]> {
  const named = ctx.flags.list('file');
  const dir = ctx.flags.string('project-directory');
  const start = dir ? absolute(dir, fs.cwd) : fs.cwd;
  if (named.length) return named.map((f) => absolute(f, start));
  for (let d = start; ; d = dirname(d)) {
    const names = await fs.readdir(d).catch(() => [] as string[]);
    const found = findComposeFile(names);
    if (found) {
      if (found.warning) ctx.err(`WARN[0000] ${found.warning}\n`);
      return [`${d === '/' ? '' : d}/${found.name}`];
    }
    if (d === '/') break;
  }
  throw new CliError('no configuration file provided: not found');
}

/** Loads the project the command's flags point at (Compose's errors as CliError). */
export async function loadComposeProject(ctx: CommandContext, options: { services?: string[] } = {}): Promise<ComposeProject> {
  const fs = hostFS(ctx);
  const paths = await composeFiles(ctx, fs);
  const files: { path: string; text: string }[] = [];
  for (const path of paths) {
    const st = await fs.lstat(path).catch(() => undefined);
    if (!st) throw new CliError(`open ${path}: no such file or directory`);
    files.push({ path, text: await readText(fs, path) });
  }
  const dirFlag = ctx.flags.string('project-directory');
  const workingDir = dirFlag ? absolute(dirFlag, fs.cwd) : dirname(paths[0]!);
  const environment: Record<string, string> = { ...(ctx.io.environment ?? {}) };
  const envFiles = ctx.flags.list('env-file').map((f) => absolute(f, fs.cwd));
  let dotenv: string | undefined;
  if (envFiles.length) {
    dotenv = '';
    for (const f of envFiles)
      dotenv += (await readText(fs, f).catch(() => Promise.reject(new CliError(`couldn't find env file: ${f}`)))) + '\n';
  } else {
    dotenv = await readText(fs, `${workingDir === '/' ? '' : workingDir}/.env`).catch(() => undefined);
  }
  const profiles = [...ctx.flags.list('profile'), ...(environment['COMPOSE_PROFILES'] ?? '').split(',').filter(Boolean)];
  const projectName = ctx.flags.string('project-name') ?? environment['COMPOSE_PROJECT_NAME'];
  try {
    const project = await loadProject({
      files,
      workingDir,
      environment,
      ...(dotenv !== undefined ? { dotenv } : {}),
      ...(projectName ? { projectName } : {}),
      profiles,
      ...(options.services?.length ? { services: options.services } : {}),
      readFile: (path) => readText(fs, path),
    });
    for (const w of project.warnings ?? []) ctx.err(`WARN[0000] ${w}\n`);
    return project;
  } catch (e) {
    if (e instanceof ComposeFileError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * The project for commands that also work on what is left of one without its file (`down`, `ps`,
 * `logs`, `stop` with `-p NAME`, as Compose finds a project by its labels): an empty project of that name.
 */
export async function loadOrNamedProject(ctx: CommandContext): Promise<ComposeProject> {
  const name = ctx.flags.string('project-name');
  try {
    return await loadComposeProject(ctx);
  } catch (e) {
    if (!name || !(e instanceof CliError) || !e.message.startsWith('no configuration file provided')) throw e;
    return { name, workingDir: ctx.io.hostFS?.cwd ?? '/', composeFiles: [], services: {}, disabledServices: {}, networks: {}, volumes: {} };
  }
}
