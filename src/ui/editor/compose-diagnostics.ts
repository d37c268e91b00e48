/**
 * Problems in a compose file found while typing, for the editor: the file is loaded by the same
 * loader `docker compose` uses (`engine/compose/load.ts`: YAML, interpolation, the Compose
 * Specification's structure, what LayerLab refuses, references between services, networks and
 * volumes), so the editor says what `docker compose up` would. The loader stops at the first
 * error, which goes on the line it names (`where.line`); its warnings (an obsolete `version`, an
 * unset variable) are placed on the line they are about. The loader is imported on first use, so
 * the page's first paint does not wait for it.
 */
import type { ComposeProject } from '../../engine/compose/model.ts';
import { editDistance, type EditorDiagnostic } from './diagnostics.ts';

/** The file names `docker compose` looks for in a folder, in its order of preference (as the engine's `COMPOSE_FILE_NAMES`). */
export const COMPOSE_FILE_NAMES: readonly string[] = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

/** Where the page's workspace is for the CLI (`docker compose` in the terminal runs there). */
const WORKSPACE = '/workspace';

/** Whether a workspace path names a compose file (`compose.yaml`, `app/docker-compose.yml`, …). */
export function isComposePath(path: string): boolean {
  return COMPOSE_FILE_NAMES.includes(path.slice(path.lastIndexOf('/') + 1));
}

/** The compose file `docker compose` in the workspace's top folder uses (the first name it prefers), if any. */
export function workspaceComposeFile(paths: Iterable<string>): string | undefined {
  const present = new Set(paths);
  return COMPOSE_FILE_NAMES.find((name) => present.has(name));
}

/** What a compose file is checked with besides its text. */
export interface ComposeLintOptions {
  /** The compose file's workspace path (`compose.yaml`). */
  path: string;
  /** The text of `.env` beside it, if there is one (interpolation reads it, as Compose does). */
  dotenv?: string;
  /** A workspace file's text by workspace path (for `env_file:`), undefined when there is none. */
  readFile?: (path: string) => string | undefined;
  /** Environment for interpolation (the page has none of its own: `{}`). */
  environment?: Record<string, string>;
}

/** Service keys of the Compose Specification, for "did you mean" after a typo. */
const SERVICE_KEYS = [
  'build',
  'command',
  'container_name',
  'depends_on',
  'deploy',
  'entrypoint',
  'env_file',
  'environment',
  'expose',
  'healthcheck',
  'hostname',
  'image',
  'init',
  'labels',
  'mem_limit',
  'network_mode',
  'networks',
  'ports',
  'profiles',
  'pull_policy',
  'read_only',
  'restart',
  'scale',
  'stdin_open',
  'stop_grace_period',
  'stop_signal',
  'tmpfs',
  'tty',
  'user',
  'volumes',
  'working_dir',
];
const TOP_LEVEL_KEYS = ['name', 'services', 'networks', 'volumes', 'version'];

/** " Did you mean image?" for `services.web Additional property imag is not allowed`. */
function suggestion(message: string): string {
  const m = /^(\(root\)|services\.[^ .]+) Additional property (\S+) is not allowed$/.exec(message);
  if (!m) return '';
  const typed = m[2]!;
  const keys = m[1] === '(root)' ? TOP_LEVEL_KEYS : SERVICE_KEYS;
  const best = keys.map((k) => ({ k, d: editDistance(typed, k) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= 2 ? `. Did you mean ${best.k}?` : '';
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The 1-based line of the first match of `pattern` in `text`, or 1. */
function lineOf(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  return m ? text.slice(0, m.index).split('\n').length : 1;
}

/** A loader warning on the line it is about (the file's own name taken out of it). */
function warningAt(text: string, absolute: string, warning: string): EditorDiagnostic {
  const message = warning.replace(`${absolute}: `, '');
  let line = 1;
  const unset = /^The "([^"]+)" variable is not set/.exec(message);
  if (unset) line = lineOf(text, new RegExp(`\\$\\{?${escape(unset[1]!)}(?![A-Za-z0-9_])`));
  else if (message.startsWith('the attribute `version`')) line = lineOf(text, /^version\s*:/m);
  else {
    // `"yes" for boolean is not supported…`, `networks.x: external.name is deprecated…`: the first line naming it
    const quoted = /^"([^"]+)"/.exec(message)?.[1] ?? /^[\w.-]+\.([\w-]+):/.exec(message)?.[1];
    if (quoted) line = lineOf(text, new RegExp(`(^|[\\s:"'])${escape(quoted)}\\b`, 'm'));
  }
  return { line, severity: 'warning', message };
}

let loader: Promise<typeof import('../../engine/compose/load.ts')> | undefined;

/**
 * Diagnostics for a compose file's text, sorted by line: the loader's error (at most one: it stops
 * at the first) and its warnings. Never throws for a bad file; resolves to `[]` for a good one.
 */
export async function composeDiagnostics(text: string, options: ComposeLintOptions): Promise<EditorDiagnostic[]> {
  const { loadProject } = await (loader ??= import('../../engine/compose/load.ts'));
  const absolute = `${WORKSPACE}/${options.path}`;
  const workingDir = absolute.slice(0, absolute.lastIndexOf('/'));
  let project: ComposeProject;
  try {
    project = await loadProject({
      files: [{ path: absolute, text }],
      workingDir,
      environment: options.environment ?? {},
      ...(options.dotenv !== undefined ? { dotenv: options.dotenv } : {}),
      readFile: async (path) => {
        const found = path.startsWith(`${WORKSPACE}/`) ? options.readFile?.(path.slice(WORKSPACE.length + 1)) : undefined;
        if (found === undefined) throw new Error(`open ${path}: no such file or directory`);
        return found;
      },
    });
  } catch (err) {
    // ComposeFileError (by name: the loader is a chunk of its own), or anything the loader did not expect
    const e = err as Error & { where?: { file: string; line: number } };
    if (e.name !== 'ComposeFileError') return [{ line: 1, severity: 'error', message: `This file could not be checked: ${e.message}` }];
    const message = e.message
      .replace(`validating ${absolute}: `, '')
      .replaceAll(absolute, options.path)
      .replace(/(^|[\s"'(])\/workspace\//g, '$1');
    // (an env_file that cannot be read has no position of its own: its key's line)
    const line =
      e.where && e.where.file === absolute
        ? Math.max(1, e.where.line)
        : message.startsWith('env file ')
          ? lineOf(text, /^\s*env_file\s*:/m)
          : 1;
    return [{ line, severity: 'error', message: message + suggestion(message) }];
  }
  return (project.warnings ?? []).map((w) => warningAt(text, absolute, w)).sort((a, b) => a.line - b.line);
}
