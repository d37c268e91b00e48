/**
 * `docker logs`: the container's log lines (cut like Docker's log copier, so `--tail N` counts
 * lines, whatever the writes were), `--since`/`--until` read like the Docker client reads them,
 * `-t` and `--details` prefixes, and `-f` until the container stops or Ctrl-C.
 */
import type { LogEntry } from '../api.ts';
import { CliError, type Command, type CommandContext } from './command.ts';
import { getTimestamp, TimestampError } from './timestamp.ts';

/** A `--since`/`--until` value as the API takes it, or the client's error. */
function timestamp(ctx: CommandContext, flag: 'since' | 'until'): string | undefined {
  const value = ctx.flags.string(flag);
  if (!value) return undefined;
  try {
    return getTimestamp(value, ctx.now());
  } catch (e) {
    if (e instanceof TimestampError) throw new CliError(`invalid value for "${flag}": ${e.message}`);
    throw e;
  }
}

async function runLogs(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const since = timestamp(ctx, 'since');
  const until = timestamp(ctx, 'until');
  const info = await ctx.engine.containers.inspect(ctx.args[0] ?? '');
  // the daemon's strconv.Atoi: anything that is not a number (`all`) means every line
  const tailText = f.string('tail') ?? 'all';
  const tail = /^[+-]?\d+$/.test(tailText) ? Number(tailText) : -1;
  const timestamps = f.bool('timestamps');
  const details = f.bool('details');
  const enc = new TextEncoder();
  const emit = (e: LogEntry): void => {
    const toOut = info.Config.Tty || e.stream === 'stdout';
    // details (none are recorded here, so an empty set and its space), then the time, then the line
    const prefix = `${timestamps ? `${e.time} ` : ''}${details ? ' ' : ''}`;
    const data = prefix ? concatBytes(enc.encode(prefix), e.data) : e.data;
    if (toOut) ctx.out(data);
    else ctx.err(data);
  };
  await ctx.engine.containers.logs(info.Id, {
    follow: f.bool('follow'),
    tail,
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    onEntry: emit,
  });
  return 0;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** `docker logs`. */
export function logsCommand(): Command {
  return {
    name: 'logs',
    use: 'logs [OPTIONS] CONTAINER',
    short: 'Fetch the logs of a container',
    aliasesText: 'docker container logs, docker logs',
    flags: [
      { name: 'details', kind: 'bool', usage: 'Show extra details provided to logs' },
      { name: 'follow', short: 'f', kind: 'bool', usage: 'Follow log output' },
      {
        name: 'since',
        kind: 'string',
        usage: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
      },
      { name: 'tail', short: 'n', kind: 'string', usage: 'Number of lines to show from the end of the logs', defValue: 'all' },
      { name: 'timestamps', short: 't', kind: 'bool', usage: 'Show timestamps' },
      {
        name: 'until',
        kind: 'string',
        usage: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
      },
    ],
    args: { kind: 'exact', n: 1 },
    complete: ['container'],
    run: runLogs,
  };
}
