/**
 * Runs a parsed terminal line as a host shell would: lists, pipes and redirects between `docker`
 * commands (run by the engine) and a few host tools tutorials pipe into (`grep`, `head`, `tail`,
 * `wc`, `cat`, `echo`), with workspace files as the host's files. A pipe hands the whole output
 * of one command to the next when it ends.
 */
import { expandWord, type ScriptItem, type SimpleCommand } from './syntax.ts';
import { hostTool, HOST_TOOLS } from './tools.ts';

/** What a command's run gets: its stdin (when redirected or piped) and where its output goes. */
export interface CommandIO {
  stdin?: Uint8Array;
  stdout(data: Uint8Array): void;
  stderr(data: Uint8Array): void;
  /** True when stdout is the terminal itself (no pipe or redirect). */
  tty: boolean;
}

/** What the shell needs from the page. */
export interface ShellHost {
  /** Runs `docker ARGV…` and resolves to its exit code. */
  docker(argv: string[], io: CommandIO): Promise<number>;
  /** A workspace file's bytes, or undefined when there is none. */
  readFile(path: string): Uint8Array | undefined;
  /** Writes (or appends to) a workspace file; returns an error message when the workspace refuses. */
  writeFile(path: string, data: Uint8Array, append: boolean): string | undefined;
  /** Commands the terminal itself knows (`clear`, `help`, `vm`): their text, or undefined. */
  builtin?(name: string, args: string[], io: CommandIO): Promise<number> | undefined;
}

/** The shell's state between lines: variables and the last exit status. */
export interface ShellState {
  env: Map<string, string>;
  status: number;
  /** What `$(pwd)` and `pwd` say: the workspace's top folder. */
  pwd: string;
}

const encoder = new TextEncoder();
const concat = (chunks: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

/** A workspace path from what was typed (`./x`, `x` and `$(pwd)/x` name the same file); undefined outside the workspace. */
export function workspacePath(typed: string, pwd: string): string | undefined {
  let path = typed;
  if (path === pwd || path.startsWith(`${pwd}/`)) path = path.slice(pwd.length);
  else if (path.startsWith('/')) return undefined;
  return path.replace(/^\.?\/+/, '').replace(/^\.$/, '');
}

const outside = (typed: string, pwd: string) => `${typed}: Permission denied (this terminal's files are the workspace, ${pwd})\n`;

/** Runs the items of one line; resolves to the last status. `signal` (Ctrl-C) stops what follows. */
export async function runShellLine(
  items: ScriptItem[],
  state: ShellState,
  host: ShellHost,
  terminal: { stdout(d: Uint8Array): void; stderr(d: Uint8Array): void },
  signal?: AbortSignal,
): Promise<number> {
  for (const item of items) {
    if (signal?.aborted) return (state.status = 130);
    if (item.op === '&&' && state.status !== 0) continue;
    if (item.op === '||' && state.status === 0) continue;
    state.status = await runPipeline(item.pipeline, state, host, terminal);
  }
  return state.status;
}

async function runPipeline(
  pipeline: SimpleCommand[],
  state: ShellState,
  host: ShellHost,
  terminal: { stdout(d: Uint8Array): void; stderr(d: Uint8Array): void },
): Promise<number> {
  let input: Uint8Array | undefined;
  let status = 0;
  for (let n = 0; n < pipeline.length; n++) {
    const last = n === pipeline.length - 1;
    const captured: Uint8Array[] = [];
    status = await runCommand(pipeline[n]!, state, host, {
      ...(input ? { stdin: input } : {}),
      stdout: last ? terminal.stdout : (d) => captured.push(d.slice()),
      stderr: terminal.stderr,
      tty: last,
    });
    input = concat(captured);
  }
  return status;
}

async function runCommand(command: SimpleCommand, state: ShellState, host: ShellHost, io: CommandIO): Promise<number> {
  const expand = (w: SimpleCommand['words'][number]) => expandWord(w, state.env, state.status, state.pwd);
  const words = command.words.flatMap(expand);
  // NAME=value alone sets a shell variable (before a command it would be that command's: not here)
  if (words.length === 0) {
    for (const a of command.assignments) state.env.set(a.name, expand(a.value).join(' '));
  } else if (command.assignments.length) {
    io.stderr(encoder.encode(`${words[0]}: NAME=value before a command is not supported here; use export NAME=value first\n`));
    return 2;
  }
  // redirects: files are workspace files
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  let stdout = io.stdout;
  let stderr = io.stderr;
  let tty = io.tty;
  const writes: { fd: 1 | 2; path: string; append: boolean }[] = [];
  let stdin = io.stdin;
  for (const r of command.redirects) {
    if (r.op === '>&1') {
      stderr = (d) => stdout(d);
      continue;
    }
    const targets = expand(r.target);
    if (targets.length !== 1) {
      io.stderr(encoder.encode(`${r.op}: ambiguous redirect\n`));
      return 1;
    }
    // /dev/null: nothing in, and output thrown away
    if (targets[0] === '/dev/null') {
      if (r.fd === 0) stdin = new Uint8Array();
      else if (r.fd === 1) {
        stdout = () => {};
        tty = false;
      } else stderr = () => {};
      continue;
    }
    const path = workspacePath(targets[0]!, state.pwd);
    if (path === undefined) {
      io.stderr(encoder.encode(outside(targets[0]!, state.pwd)));
      return 1;
    }
    if (r.fd === 0) {
      const data = host.readFile(path);
      if (!data) {
        io.stderr(encoder.encode(`${targets[0]}: No such file in the workspace\n`));
        return 1;
      }
      stdin = data;
    } else {
      writes.push({ fd: r.fd, path, append: r.op === '>>' });
      if (r.fd === 1) {
        stdout = (d) => out.push(d.slice());
        tty = false;
      } else stderr = (d) => err.push(d.slice());
    }
  }
  let status = 0;
  if (words.length > 0) {
    const cio: CommandIO = { ...(stdin ? { stdin } : {}), stdout: (d) => stdout(d), stderr: (d) => stderr(d), tty };
    const [name, ...args] = words as [string, ...string[]];
    const builtin = host.builtin?.(name, args, cio);
    if (builtin) status = await builtin;
    else if (name === 'docker') status = await host.docker(args, cio);
    else if (HOST_TOOLS.has(name))
      status = hostTool(name, args, cio, state, (p) => {
        const path = workspacePath(p, state.pwd);
        return path === undefined ? undefined : host.readFile(path);
      });
    else {
      io.stderr(
        encoder.encode(
          `${name}: not a command here: this terminal runs docker, vm (a shell on the machine) and ${[...HOST_TOOLS].join(', ')}. Type help.\n`,
        ),
      );
      status = 127;
    }
  }
  for (const w of writes) {
    const problem = host.writeFile(w.path, concat(w.fd === 1 ? out : err), w.append);
    if (problem) {
      io.stderr(encoder.encode(problem.includes(`"${w.path}"`) ? `${problem}\n` : `${w.path}: ${problem}\n`));
      status = 1;
    }
  }
  return status;
}
