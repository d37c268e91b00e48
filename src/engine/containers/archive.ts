/**
 * `docker cp` on the guest: Docker's container archive API (stat a path, tar a path, extract a
 * tar into a directory) for running and stopped containers alike.
 *
 * Every operation is one guest process whose root is the container's filesystem, so paths and
 * symlinks resolve inside the container as with Docker's chrooted archiver, while the tools are
 * the guest's own busybox applets (an image needs no `tar`, not even a shell). A running
 * container is entered with `nsenter -t PID -m -p -r` (its mount and pid namespaces and root:
 * busybox then finds itself again through the container's /proc); a stopped one gets its overlay
 * and volumes mounted for that one process, with the guest's /proc (and through
 * `/proc/1/root` the guest's busybox). Archives move through the 9p share as files opened on
 * fds 3 (in), 4 (out) and 5 (the entry list for the overwrite check), never through stdin:
 * nothing waits for an end of input, and Ctrl-C kills the process.
 */
import { SHARE_MOUNT, type GuestMachine, type SpawnSpec } from '../../runtime/types.ts';
import type { MountPoint, PathStat } from '../api.ts';
import { EngineError, InvalidArgumentError, NotFoundError, OperationCancelledError } from '../errors.ts';
import { guestShell } from '../guest/guest-fs.ts';
import { iterateTar, writeTar, type TarEntry } from '../layer/index.ts';

/** How to run one archive operation in a container's filesystem. */
export interface ContainerFs {
  guest: GuestMachine;
  /** The container as the user named it (Docker's messages repeat it). */
  name: string;
  /** A spawn spec running the sh script `inner` with `args`, rooted in the container, fds 3/4/5 on the given 9p share paths (transfer names). */
  spec(inner: string, args: string[], files: { input?: string; output?: string; manifest?: string }): SpawnSpec;
}

/**
 * A container's filesystem for `docker cp`: a running one entered by its main process's `pid`,
 * a stopped one through `base`, the spec that mounts its overlay and volumes (as for a start).
 * `mounts` and `readonlyRoot` decide Docker's read-only refusals.
 */
export function containerFs(
  guest: GuestMachine,
  name: string,
  how: { pid: number } | { base: SpawnSpec },
  mounts: readonly MountPoint[],
  readonlyRoot: boolean,
): ContainerFs {
  const byDepth = mounts
    .map((m) => ({ destination: m.Destination.replace(/\/+$/, '') || '/', rw: m.RW }))
    .sort((a, b) => b.destination.length - a.destination.length);
  const env = [
    'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
    `MOUNTS=${byDepth.map((m) => `${m.rw ? 'rw' : 'ro'}:${m.destination}`).join('\n')}`,
    `ROROOT=${readonlyRoot ? 'root' : ''}`,
  ];
  const share = (name: string | undefined, root = '') => (name ? `${root}${SHARE_MOUNT}/${name}` : '/dev/null');
  if ('pid' in how) {
    return {
      guest,
      name,
      spec: (inner, args, files) => ({
        argv: ['sh', '-c', OUTER_RUNNING, 'sh', share(files.input), share(files.output), share(files.manifest), inner, ...args],
        env: [...env, `PID=${how.pid}`],
        stdinNull: true,
      }),
    };
  }
  const root = GUEST_ROOT_FROM_CONTAINER;
  return {
    guest,
    name,
    spec: (inner, args, files) => ({
      ...how.base,
      namespaces: ['mnt'],
      proc: true,
      argv: [
        `${root}/bin/busybox`,
        'sh',
        '-c',
        OUTER_STOPPED,
        'sh',
        share(files.input, root),
        share(files.output, root),
        share(files.manifest, root),
        inner,
        ...args,
      ],
      env,
      stdinNull: true,
    }),
  };
}

/** The outer script in the guest's own namespaces: opens the 9p files, then enters the running container `$PID`. */
const OUTER_RUNNING = 'exec 3<"$1" 4>"$2" 5<"$3" || exit 125; s=$4; shift 4; exec nsenter -t "$PID" -m -p -r -- sh -c "$s" sh "$@"';
/** The outer script already rooted in a stopped container's mounted filesystem. */
const OUTER_STOPPED = 'exec 3<"$1" 4>"$2" 5<"$3" || exit 125; s=$4; shift 4; exec sh -c "$s" sh "$@"';
/** Where a process rooted in a stopped container finds the guest's own files (PID 1 is the agent). */
const GUEST_ROOT_FROM_CONTAINER = '/proc/1/root';

// The script that runs inside the container. Output lines: `S HEXMODE SIZE MTIME` (stat),
// `L TARGET` (a symlink's target, followed inside the container as far as it exists), `D DIR`
// (the extraction directory); failures: `E ENOENT|ENOTDIR|ELOOP|NOTDIR|ROROOT|ROVOL` or
// `X DIR|NONDIR NAME` (an entry would replace a directory by a non-directory or the reverse).
const INNER = `cd / || exit 125
op=$1 p=$2
fail() { printf 'E %s\\n' "$1"; exit 3; }
scope() {
  rest=$1 out= n=0
  while [ -n "$rest" ]; do
    case $rest in /*) rest=\${rest#/}; continue;; esac
    c=\${rest%%/*}
    if [ "$c" = "$rest" ]; then rest=; else rest=\${rest#*/}; fi
    case $c in .) continue;; ..) out=\${out%/*}; continue;; esac
    if [ -L "$out/$c" ] && [ $n -lt 255 ]; then
      n=$((n+1)); t=$(readlink "$out/$c"); case $t in /*) out=;; esac
      rest=$t/$rest
    else out=$out/$c; fi
  done
  printf '%s\\n' "\${out:-/}"
}
lst() {
  if ! s=$(stat -c '%f %s %Y' "$1" 2>&1); then
    case $s in *"Not a directory"*) fail ENOTDIR;; *"No such file"*) fail ENOENT;; *"symbolic links"*) fail ELOOP;; *) echo "$s" >&2; exit 2;; esac
  fi
  echo "S $s"
  if [ -L "$1" ]; then echo "L $(scope "$1")"; fi
}
case $op in
stat) lst "$p";;
get)
  lst "$p"
  if [ -d "$p" ] && [ ! -L "$p" ]; then cd "$p" && exec tar -cf - . >&4
  else d=\${p%/*}; cd "\${d:-/}" && exec tar -cf - "\${p##*/}" >&4; fi;;
put)
  d=$(readlink -f "$p" 2>/dev/null) || fail ENOENT
  [ -e "$d" ] || fail ENOENT
  [ -d "$d" ] || fail NOTDIR
  echo "D $d"
  ro=$ROROOT
  set -f; IFS='
'
  for m in $MOUNTS; do
    case "$d/" in "\${m#??:}"/*) case $m in rw:*) ro=;; *) ro=vol;; esac; break;; esac
  done
  unset IFS; set +f
  [ "$ro" = vol ] && fail ROVOL
  [ -n "$ro" ] && fail ROROOT
  while IFS= read -r l <&5; do
    t=\${l%"\${l#?}"}; f=$d/\${l#?}
    if [ -d "$f" ] && [ ! -L "$f" ]; then [ "$t" = d ] || { printf 'X DIR %s\\n' "\${l#?}"; exit 4; }
    elif [ -e "$f" ] || [ -L "$f" ]; then [ "$t" = d ] && { printf 'X NONDIR %s\\n' "\${l#?}"; exit 4; }; fi
  done
  cd "$d" && exec tar -x --numeric-owner -f - <&3;;
esac`;

let counter = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Result of one operation's guest process. */
interface Ran {
  code: number;
  lines: string[];
  stderr: string;
}

/** Runs `op` in the container; aborts (killing the process) when `signal` does. */
async function run(
  fs: ContainerFs,
  op: string,
  args: string[],
  files: { input?: string; output?: string; manifest?: string },
  signal?: AbortSignal,
): Promise<Ran> {
  if (signal?.aborted) throw new OperationCancelledError('copying');
  const proc = await fs.guest.spawn(fs.spec(INNER, [op, ...args], files), signal ? { signal } : {});
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  proc.onStdout((d) => out.push(d.slice()));
  proc.onStderr((d) => err.push(d.slice()));
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      proc.kill('SIGKILL');
      reject(new OperationCancelledError('copying'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    const status = await Promise.race([proc.exit, aborted]);
    const text = (chunks: Uint8Array[]) => chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();
    return { code: status.code, lines: text(out).split('\n').filter(Boolean), stderr: text(err).trim() };
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Docker's absolute form of a container path: joined to `/` and cleaned, keeping a trailing `/` or `/.`. */
export function containerPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  let clean = '/' + parts.join('/');
  const base = path.split('/').pop();
  if (base === '.' && clean !== '/') clean += '/.';
  else if (base === '.' && clean === '/') clean = '/.';
  else if (path.endsWith('/') && clean !== '/') clean += '/';
  return clean;
}

function failure(fs: ContainerFs, ran: Ran, path: string, abs: string, what: string): Error {
  const e = ran.lines.find((l) => l.startsWith('E '))?.slice(2);
  if (e === 'ENOENT') return new NotFoundError(`Could not find the file ${path} in container ${fs.name}`);
  if (e === 'ENOTDIR') return new EngineError('guest', `lstat ${abs}: not a directory`);
  if (e === 'ELOOP') return new EngineError('guest', `lstat ${abs}: too many levels of symbolic links`);
  if (e === 'NOTDIR') return new InvalidArgumentError('extraction point is not a directory');
  if (e === 'ROVOL') return new InvalidArgumentError('mounted volume is marked read-only');
  if (e === 'ROROOT') return new InvalidArgumentError('container rootfs is marked read-only');
  const detail = ran.stderr || ran.lines.join('\n');
  return new EngineError('guest', `${what} ${abs} in ${fs.name} failed (exit ${ran.code})${detail ? `: ${detail}` : ''}`);
}

function parseStat(abs: string, lines: string[]): PathStat {
  const s =
    lines
      .find((l) => l.startsWith('S '))
      ?.slice(2)
      .split(' ') ?? [];
  const raw = Number.parseInt(s[0] ?? '0', 16);
  const kind = raw & 0o170000;
  const type: PathStat['type'] =
    kind === 0o040000
      ? 'directory'
      : kind === 0o100000
        ? 'file'
        : kind === 0o120000
          ? 'symlink'
          : kind === 0o020000 || kind === 0o060000
            ? 'device'
            : 'other';
  const trimmed = abs.replace(/\/\.?$/, '') || '/';
  return {
    name: trimmed === '/' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1),
    type,
    size: Number(s[1] ?? 0),
    mode: raw & 0o7777,
    mtime: Number(s[2] ?? 0),
    linkTarget: type === 'symlink' ? (lines.find((l) => l.startsWith('L '))?.slice(2) ?? '') : '',
  };
}

/** Docker's stat of a container path (`HEAD /containers/{id}/archive`). */
export async function statContainerPath(fs: ContainerFs, path: string, signal?: AbortSignal): Promise<PathStat> {
  const abs = containerPath(path);
  const ran = await run(fs, 'stat', [abs], {}, signal);
  if (ran.code !== 0) throw failure(fs, ran, path, abs, 'reading');
  return parseStat(abs, ran.lines);
}

/** A name in the 9p share for one transfer, and its paths on the host side and as the container process sees it. */
function transferFile(kind: string): { name: string; guestPath: string } {
  const name = `xfer/cp-${Date.now().toString(36)}-${counter++}-${kind}`;
  return { name, guestPath: `${SHARE_MOUNT}/${name}` };
}

function cleanup(guest: GuestMachine, names: string[]): void {
  // not awaited: the copy is done, removing the transfer files need not delay the prompt
  void guestShell(guest, `rm -f ${names.map((n) => `'${SHARE_MOUNT}/${n}'`).join(' ')}`, 'cleaning up').catch(() => {});
}

/**
 * Docker's `GET /containers/{id}/archive`: the tar of a path, its entries renamed as Docker's
 * archiver names them (a directory's contents under its base name, `PATH/.` under `.`).
 */
export async function archiveContainerPath(
  fs: ContainerFs,
  path: string,
  signal?: AbortSignal,
): Promise<{ stat: PathStat; tar: Uint8Array }> {
  const abs = containerPath(path);
  const out = transferFile('out.tar');
  try {
    const ran = await run(fs, 'get', [abs], { output: out.name }, signal);
    if (ran.code !== 0) throw failure(fs, ran, path, abs, 'copying');
    const stat = parseStat(abs, ran.lines);
    const raw = await fs.guest.readFile(out.name);
    if (signal?.aborted) throw new OperationCancelledError('copying');
    const base = abs === '/' ? '/' : abs.endsWith('/.') ? '.' : abs.replace(/\/$/, '').slice(abs.replace(/\/$/, '').lastIndexOf('/') + 1);
    const isDir = stat.type === 'directory' || (stat.type === 'symlink' && /\/\.?$/.test(abs));
    return { stat, tar: writeTar(renamed(raw, isDir, base)) };
  } finally {
    cleanup(fs.guest, [out.name]);
  }
}

/** busybox's `./`, `./a`… (a directory's contents) become `BASE/`, `BASE/a`…; a single entry keeps its name. */
function* renamed(tar: Uint8Array, isDir: boolean, base: string): Generator<TarEntry> {
  const rename = (name: string): string => {
    if (!isDir) return name;
    const rel = name.replace(/^\.\/?/, '');
    if (base === '/') return rel === '' ? './' : rel;
    return rel === '' ? `${base}/` : `${base}/${rel}`;
  };
  for (const e of iterateTar(tar)) {
    const name = rename(e.name);
    if (name === '' || name === './') {
      if (base === '/') continue;
    }
    yield { ...e, name, linkname: e.type === 'hardlink' ? rename(e.linkname) : e.linkname };
  }
}

/**
 * Docker's `PUT /containers/{id}/archive`: extracts `tar` into the existing directory `path`
 * (symlinks followed inside the container), refusing to replace a directory with a non-directory
 * or the reverse, and to write to a read-only root or volume. `owner` overrides every entry's owner.
 */
export async function extractToContainer(
  fs: ContainerFs,
  path: string,
  tar: Uint8Array,
  options: { owner?: { uid: number; gid: number }; signal?: AbortSignal } = {},
): Promise<void> {
  const abs = containerPath(path);
  const entries: TarEntry[] = [];
  const manifest: string[] = [];
  for (const e of iterateTar(tar)) {
    const name = cleanEntryName(e.name);
    if (name === undefined) throw new EngineError('invalid-argument', `invalid entry name ${JSON.stringify(e.name)}`);
    if (name !== '.') manifest.push(`${e.type === 'directory' ? 'd' : 'f'}${name}`);
    entries.push(options.owner ? { ...e, uid: options.owner.uid, gid: options.owner.gid, uname: '', gname: '' } : e);
  }
  const input = transferFile('in.tar');
  const list = transferFile('list');
  await fs.guest.writeFile(input.name, options.owner ? writeTar(entries) : tar);
  await fs.guest.writeFile(list.name, encoder.encode(manifest.map((l) => l + '\n').join('')));
  try {
    const ran = await run(fs, 'put', [abs], { input: input.name, manifest: list.name }, options.signal);
    if (ran.code === 0) return;
    const x = ran.lines.find((l) => l.startsWith('X '));
    if (x) {
      const dir = ran.lines.find((l) => l.startsWith('D '))?.slice(2) ?? abs;
      const [, kind = '', ...rest] = x.split(' ');
      const name = JSON.stringify(rest.join(' '));
      throw new EngineError(
        'conflict',
        kind === 'DIR'
          ? `cannot overwrite directory ${name} with non-directory ${JSON.stringify(dir)}`
          : `cannot overwrite non-directory ${name} with directory ${JSON.stringify(dir)}`,
      );
    }
    throw failure(fs, ran, path, abs, 'copying into');
  } finally {
    cleanup(fs.guest, [input.name, list.name]);
  }
}

/** An entry name as Docker's unpacker takes it (no leading `/`, cleaned), or undefined when it leaves the directory. */
function cleanEntryName(name: string): string | undefined {
  const parts: string[] = [];
  for (const part of name.replace(/^\/+/, '').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length ? parts.join('/') : '.';
}
