/** Processes of a running container: `docker exec` (a new one in its namespaces), `docker attach` (its main one) and `docker top`. */
import type { AttachedProcess, ExecOptions, LogEntry } from '../api.ts';
import { signalNumber } from '../../runtime/types.ts';
import { ConflictError, InvalidArgumentError } from '../errors.ts';
import { randomHex } from '../util/ids.ts';
import { attached, containerPrivileges, containerProcesses, mergeEnv } from './process.ts';
import { cgroupName } from './sync.ts';
import type { ContainerAccess } from './types.ts';
import { resolveUser } from './users.ts';

export async function execInContainer(a: ContainerAccess, idOrName: string, options: ExecOptions): Promise<AttachedProcess> {
  const r = await a.find(idOrName);
  const live = a.live(r.id);
  if (!live) throw new ConflictError(`container ${r.id} is not running`);
  if (r.state.status === 'paused') throw new ConflictError(`container ${r.id} is paused, unpause the container before exec`);
  if (options.cmd.length === 0) throw new InvalidArgumentError('no command specified');
  // read /etc/passwd inside the running container (a second overlay on its upper dir is unsafe)
  const { uid, gid, groups } = await resolveUser(
    { guest: live.guest, base: { join: live.proc.pid }, images: a.deps.images },
    options.user ?? r.config.user,
  );
  const execID = randomHex(32);
  const command = options.cmd.join(' ');
  a.emit('exec_create', r, { command, attributes: { execID } });
  const proc = await live.guest.spawn({
    argv: options.cmd,
    env: mergeEnv(r.config.env, [`HOSTNAME=${r.config.hostname}`, ...(options.tty ? ['TERM=xterm'] : []), ...(options.env ?? [])]),
    cwd: options.workingDir ?? (r.config.workingDir || '/'),
    uid,
    gid,
    groups,
    join: live.proc.pid,
    cgroup: { name: cgroupName(r.id) },
    // an exec has the container's privileges, no more
    ...containerPrivileges(r),
    ...(options.tty ? { pty: options.size ?? { rows: 24, cols: 80 } } : {}),
    stdinNull: !options.interactive,
  });
  a.emit('exec_start', r, { command, attributes: { execID } });
  return attached(
    proc,
    proc.exit.then((s) => {
      a.emit('exec_die', r, { attributes: { execID, exitCode: String(s.code) } });
      return s.code;
    }),
  );
}

/** `docker attach`: the running container's main process, its output from now on (nothing replayed). */
export async function attachToContainer(a: ContainerAccess, idOrName: string): Promise<AttachedProcess> {
  const r = await a.find(idOrName);
  const live = a.live(r.id);
  if (!live) throw new ConflictError('You cannot attach to a stopped container, start it first');
  if (r.state.status === 'paused') throw new ConflictError('You cannot attach to a paused container, unpause it first');
  const on = (stream: LogEntry['stream']) => (listener: (d: Uint8Array) => void) => {
    const wrapped = (s: LogEntry['stream'], data: Uint8Array) => {
      if (s === stream) listener(data);
    };
    live.outputListeners.add(wrapped);
    return () => live.outputListeners.delete(wrapped);
  };
  return {
    onStdout: on('stdout'),
    onStderr: on('stderr'),
    write: (d) => live.proc.write(d),
    // the container's stdin stays open for the next attach, as Docker keeps it without StdinOnce
    closeStdin: () => {},
    resize: (rows, cols) => live.proc.resize(rows, cols),
    kill: (signal = 'SIGKILL') => live.proc.kill(signalNumber(signal)),
    exit: live.finished.then(() => live.exitCode ?? 255),
  };
}

export async function topOf(a: ContainerAccess, idOrName: string): Promise<{ titles: string[]; processes: string[][] }> {
  const r = await a.find(idOrName);
  const live = a.live(r.id);
  if (!live) throw new ConflictError(`container ${r.id} is not running`);
  return containerProcesses(live.guest, live.proc.pid, a.deps.now());
}
