/**
 * Moving images in and out: `save` / `load` (tar archives: an OCI layout that is also a
 * docker-save archive) and `push` / `login` / `logout` (the local registry at `localhost:5000`
 * and, when the engine has HTTP, remote registries), with docker/cli's flags, help text, output
 * and messages.
 */
import type { PullEvent } from '../api.ts';
import { EngineError, OperationCancelledError } from '../errors.ts';
import { readAllStdin, readLine } from './attach.ts';
import { CliError, type Command, type CommandContext } from './command.ts';
import { errorText, unsupportedFlag } from './common.ts';
import { progressDisplay, progressText } from './progress-display.ts';
import { familiarTagged, normalizedTagged, parseReference } from './reference.ts';

/** The registry `docker login` and `docker logout` default to (registry.IndexServer). */
/** The registry `docker login` and `docker logout` default to (registry.IndexServer). */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

/** The local registry's address, offered by completion. */
const LOCAL_REGISTRY = 'localhost:5000';

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A PullEvent with byte counts (a progress update rather than a status line). */
function isProgress(e: PullEvent): boolean {
  return e.current !== undefined || e.total !== undefined;
}

/** A status line as docker's JSON message display prints it: `ID: status` or the bare status. */
function statusLine(e: PullEvent): string {
  return e.id ? `${e.id}: ${e.status}` : e.status;
}

// --- save -------------------------------------------------------------------------------------

/**
 * A tar the command makes (`docker save`, `docker export`), to `-o FILE` or to stdout as docker/cli
 * writes it: never to a terminal; `what` names the failure ("failed to save image: …").
 */
export async function writeArchive(ctx: CommandContext, what: string, make: () => Promise<Uint8Array>): Promise<number> {
  const output = ctx.flags.string('output') ?? '';
  if (output === '') {
    if (ctx.io.isTTY) throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  } else if (!ctx.io.writeFile) {
    throw new CliError(`${what}: cannot write local files here: leave out -o to get the archive on stdout`);
  }
  const archive = await make();
  if (output === '') {
    ctx.out(archive);
    return 0;
  }
  try {
    await ctx.io.writeFile?.(output, archive);
  } catch (e) {
    throw new CliError(`${what}: ${messageOf(e)}`);
  }
  return 0;
}

function runSave(ctx: CommandContext): Promise<number> {
  return writeArchive(ctx, 'failed to save image', () => ctx.engine.images.save(ctx.args));
}

/** `docker save` / `docker image save`. */
export function saveCommand(): Command {
  return {
    name: 'save',
    use: 'save [OPTIONS] IMAGE [IMAGE...]',
    short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
    aliasesText: 'docker image save, docker save',
    flags: [
      { name: 'output', short: 'o', kind: 'string', usage: 'Write to a file, instead of STDOUT' },
      unsupportedFlag('platform', 'images have one platform here'),
    ],
    args: { kind: 'min', n: 1 },
    complete: ['image'],
    run: runSave,
  };
}

// --- load -------------------------------------------------------------------------------------

const STDIN_EMPTY = 'requested load from stdin, but stdin is empty';

async function readArchive(ctx: CommandContext): Promise<Uint8Array> {
  const input = ctx.flags.string('input') ?? '';
  if (input === '') {
    // Docker refuses a terminal rather than wait for a tar typed at it.
    if (ctx.io.isTTY) throw new CliError(STDIN_EMPTY);
    const data = await readAllStdin(ctx.io, ctx.io.signal);
    if (!data) throw new CliError(STDIN_EMPTY);
    return data;
  }
  if (!ctx.io.readFile) throw new CliError(`open ${input}: cannot read local files here: send the archive on stdin instead`);
  try {
    return await ctx.io.readFile(input);
  } catch (e) {
    throw new CliError(messageOf(e));
  }
}

async function runLoad(ctx: CommandContext): Promise<number> {
  const archive = await readArchive(ctx);
  // Docker asks the daemon for progress only when stdout is a terminal and -q is not given.
  const showProgress = ctx.io.isTTY && !ctx.flags.bool('quiet');
  const printed = new Set<string>();
  const onEvent = (e: PullEvent): void => {
    if (isProgress(e)) {
      // A terminal ends up showing each layer's last progress line; print only that one.
      const total = e.total ?? 0;
      if (showProgress && (total <= 0 || (e.current ?? 0) >= total)) {
        ctx.out(`${statusLine(e)} ${progressText(e.current ?? 0, total, ctx.io.columns)}\n`);
      }
      return;
    }
    const line = statusLine(e);
    printed.add(line);
    if (!e.id && e.status.startsWith('Warning: ')) ctx.err(line + '\n');
    else ctx.out(line + '\n');
  };
  const result = await ctx.engine.images.load(archive, onEvent);
  // The engine may already have sent these as events: print only what is still missing.
  for (const w of result.warnings) if (!printed.has(w) && !printed.has(`Warning: ${w}`)) ctx.err(`Warning: ${w}\n`);
  for (const line of result.loaded) if (!printed.has(line)) ctx.out(line + '\n');
  return 0;
}

/** `docker load` / `docker image load`. */
export function loadCommand(): Command {
  return {
    name: 'load',
    use: 'load [OPTIONS]',
    short: 'Load an image from a tar archive or STDIN',
    aliasesText: 'docker image load, docker load',
    flags: [
      { name: 'input', short: 'i', kind: 'string', usage: 'Read from tar archive file, instead of STDIN' },
      { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress the load output' },
      unsupportedFlag('platform', 'images have one platform here'),
    ],
    args: { kind: 'none' },
    complete: ['none'],
    run: runLoad,
  };
}

// --- push -------------------------------------------------------------------------------------

async function runPush(ctx: CommandContext): Promise<number> {
  const input = ctx.args[0] ?? '';
  const quiet = ctx.flags.bool('quiet');
  const r = parseReference(input);
  if (r.tag === undefined && r.digest === undefined && !quiet) ctx.out('Using default tag: latest\n');
  const printed = new Set<string>();
  let started = false;
  // on a terminal each layer's line is redrawn with its progress bar; elsewhere status lines only
  const display = progressDisplay((t) => ctx.out(t), ctx.io);
  const onEvent = (e: PullEvent): void => {
    started = true;
    if (quiet) return;
    if (!isProgress(e)) printed.add(statusLine(e));
    display(e);
  };
  let result: { digest: string; size: number };
  try {
    result = await ctx.engine.images.push(familiarTagged(input), onEvent, ctx.io.signal);
  } catch (e) {
    // An error inside the progress stream prints as-is, without "Error response from daemon:".
    if (started && e instanceof EngineError && e.kind !== 'cancelled') throw new CliError(e.message);
    throw e;
  }
  if (quiet) {
    ctx.out(normalizedTagged(input) + '\n');
    return 0;
  }
  const last = `${r.tag ?? 'latest'}: digest: ${result.digest} size: ${result.size}`;
  if (!printed.has(last)) ctx.out(last + '\n');
  return 0;
}

/** `docker push` / `docker image push`. */
export function pushCommand(): Command {
  return {
    name: 'push',
    use: 'push [OPTIONS] NAME[:TAG]',
    short: 'Upload an image to a registry',
    aliasesText: 'docker image push, docker push',
    top: 6,
    flags: [
      unsupportedFlag('all-tags', 'push one tag at a time', 'a', 'bool'),
      { name: 'disable-content-trust', kind: 'bool', usage: 'Skip image signing', defValue: 'true' },
      unsupportedFlag('platform', 'images have one platform here'),
      { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress verbose output' },
    ],
    args: { kind: 'exact', n: 1 },
    complete: ['image', 'none'],
    run: runPush,
  };
}

// --- login / logout ---------------------------------------------------------------------------

/** docker/cli's warning after a login is stored (its credential store is LayerLab's own storage). */
const STORED_WARNING =
  "WARNING! Your credentials are stored unencrypted in LayerLab's storage (this browser's IndexedDB; for the Node CLI, $LAYERLAB_HOME).\n";

/** Asks on the terminal; Docker's error when there is none to ask on. */
async function ask(ctx: CommandContext, prompt: string, echo: boolean): Promise<string> {
  if (!ctx.io.isTTY || !ctx.io.onStdin) throw new CliError('Error: Cannot perform an interactive login from a non TTY device');
  const answer = await readLine(ctx.io, prompt, { echo });
  if (answer === null) throw new OperationCancelledError('login');
  return (answer ?? '').trim();
}

async function runLogin(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  if (f.changed('password-stdin')) {
    if (f.changed('password')) throw new CliError('conflicting options: cannot specify both --password and --password-stdin');
    if (!f.changed('username')) throw new CliError('the --password-stdin option requires --username to be set');
  }
  if (f.changed('username') && (f.string('username') ?? '') === '') throw new CliError('username is empty');
  if (f.changed('password') && (f.string('password') ?? '') === '') throw new CliError('password is empty');
  let username = (f.string('username') ?? '').trim();
  let password = f.string('password') ?? '';
  if (password !== '') ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  const server = ctx.args[0];
  // the engine says first whether SERVER can be logged in to here (localhost:5000 has no accounts)
  const status = await ctx.engine.loginStatus(server);
  if (f.bool('password-stdin')) {
    const data = await readAllStdin(ctx.io, ctx.io.signal);
    password = new TextDecoder()
      .decode(data ?? new Uint8Array(0))
      .replace(/\n$/, '')
      .replace(/\r$/, '');
  }
  if (username === '' && password === '' && status.username) {
    // like docker: the stored login is tried first
    ctx.out('Authenticating with existing credentials...\n');
    try {
      const r = await ctx.engine.login(server, undefined, ctx.io.signal);
      ctx.out(`${r.status}\n`);
      return 0;
    } catch (e) {
      if (e instanceof EngineError && e.kind === 'cancelled') throw e;
      const text = errorText(e).replace(/^Error response from daemon: /, '');
      ctx.err(/unauthorized/.test(text) ? 'Stored credentials invalid or expired\n' : `Login did not succeed, error: ${text}\n`);
    }
  }
  if (username === '') {
    username = (await ask(ctx, status.username ? `Username (${status.username}): ` : 'Username: ', true)) || (status.username ?? '');
    if (username === '') throw new CliError('Error: Non-null Username Required');
  }
  if (password === '') {
    password = await ask(ctx, 'Password: ', false);
    if (password === '') throw new CliError('Error: Password Required');
  }
  const r = await ctx.engine.login(server, { username, password }, ctx.io.signal);
  ctx.err(STORED_WARNING);
  ctx.out(`${r.status}\n`);
  return 0;
}

/** `docker login`. */
export function loginCommand(): Command {
  return {
    name: 'login',
    use: 'login [OPTIONS] [SERVER]',
    short: 'Authenticate to a registry',
    long: 'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.',
    top: 8,
    flags: [
      { name: 'password', short: 'p', kind: 'string', usage: 'Password or Personal Access Token (PAT)' },
      { name: 'password-stdin', kind: 'bool', usage: 'Take the Password or Personal Access Token (PAT) from stdin' },
      { name: 'username', short: 'u', kind: 'string', usage: 'Username' },
    ],
    args: { kind: 'max', n: 1 },
    complete: [[LOCAL_REGISTRY], 'none'],
    run: runLogin,
  };
}

/** docker/cli's `credentials.ConvertToHostname`: `https://host/path` → `host`. */
export function convertToHostname(url: string): string {
  let stripped = url;
  if (url.startsWith('http://')) stripped = url.slice('http://'.length);
  else if (url.startsWith('https://')) stripped = url.slice('https://'.length);
  return stripped.split('/')[0] ?? stripped;
}

async function runLogout(ctx: CommandContext): Promise<number> {
  const server = ctx.args[0] ?? '';
  const shown = server === '' ? INDEX_SERVER : convertToHostname(server);
  const removed = await ctx.engine.logout(server === '' ? undefined : server);
  ctx.out(removed ? `Removing login credentials for ${shown}\n` : `Not logged in to ${shown}\n`);
  return 0;
}

/** `docker logout`. */
export function logoutCommand(): Command {
  return {
    name: 'logout',
    use: 'logout [SERVER]',
    short: 'Log out from a registry',
    long: 'Log out from a registry.\nIf no server is specified, the default is defined by the daemon.',
    top: 9,
    args: { kind: 'max', n: 1 },
    complete: [[LOCAL_REGISTRY], 'none'],
    run: runLogout,
  };
}
