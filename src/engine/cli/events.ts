/**
 * `docker events`: the engine's events as docker/cli prints them (`TIME TYPE ACTION ID (k=v, …)`,
 * or a Go template with `--format`), past ones from `--since`, live ones until `--until` or Ctrl-C,
 * filtered as the daemon filters them.
 */
import type { DockerEvent } from '../api.ts';
import { InvalidArgumentError } from '../errors.ts';
import { CliError, type Command, type CommandContext } from './command.ts';
import { parseFilters } from './common.ts';
import { renderTemplate } from './template.ts';
import { getTimestamp, TimestampError } from './timestamp.ts';

const FILTERS = ['container', 'event', 'image', 'label', 'network', 'type', 'volume'];

/** Go's RFC3339NanoFixed in the local zone (`2024-05-01T12:00:00.000000000Z`, or `+02:00`). */
export function eventTime(e: DockerEvent, offsetMinutes = -new Date(e.timeNano / 1e6).getTimezoneOffset()): string {
  const local = new Date(e.timeNano / 1e6 + offsetMinutes * 60_000);
  const nanos = String(local.getUTCMilliseconds() * 1e6).padStart(9, '0');
  const zone =
    offsetMinutes === 0
      ? 'Z'
      : `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMinutes) % 60).padStart(2, '0')}`;
  return `${local.toISOString().slice(0, 19)}.${nanos}${zone}`;
}

/** docker/cli's line for one event. */
export function eventLine(e: DockerEvent, offsetMinutes?: number): string {
  const attrs = Object.keys(e.Actor.Attributes)
    .sort()
    .map((k) => `${k}=${e.Actor.Attributes[k]}`);
  return `${eventTime(e, offsetMinutes)} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs.length ? ` (${attrs.join(', ')})` : ''}`;
}

/** The daemon's event filter: each given field must match (fuzzy names for containers, a label as key or key=value). */
export function eventFilter(values: string[]): (e: DockerEvent) => boolean {
  const filters = parseFilters(values);
  for (const key of filters.keys()) if (!FILTERS.includes(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  const any = (key: string, test: (v: string) => boolean) => {
    const want = filters.get(key);
    return !want || want.some(test);
  };
  const named = (e: DockerEvent, type: DockerEvent['Type'], key: string) =>
    any(key, (v) => e.Type === type && (e.Actor.ID.startsWith(v) || e.Actor.Attributes.name === v));
  return (e) =>
    any('type', (v) => v === e.Type) &&
    any('event', (v) => v === e.Action || v === e.Action.split(':')[0]) &&
    named(e, 'container', 'container') &&
    named(e, 'volume', 'volume') &&
    named(e, 'network', 'network') &&
    any('image', (v) => (e.Type === 'image' ? e.Actor.ID === v || e.Actor.Attributes.name === v : e.Actor.Attributes.image === v)) &&
    (filters.get('label') ?? []).every((l) => {
      const i = l.indexOf('=');
      return i < 0 ? l in e.Actor.Attributes : e.Actor.Attributes[l.slice(0, i)] === l.slice(i + 1);
    });
}

function timestamp(ctx: CommandContext, flag: 'since' | 'until'): number | undefined {
  const value = ctx.flags.string(flag);
  if (!value) return undefined;
  try {
    return Number(getTimestamp(value, ctx.now()));
  } catch (e) {
    if (e instanceof TimestampError) throw new CliError(`invalid value for "${flag}": ${e.message}`);
    throw e;
  }
}

async function runEvents(ctx: CommandContext): Promise<number> {
  const include = eventFilter(ctx.flags.list('filter'));
  const format = ctx.flags.string('format') ?? '';
  const since = timestamp(ctx, 'since');
  const until = timestamp(ctx, 'until');
  await ctx.engine.events({
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    onEvent: (e) => {
      if (!include(e)) return;
      if (format === '') ctx.out(`${eventLine(e)}\n`);
      // the template sees the event with the legacy fields docker/cli still fills in
      else
        ctx.out(
          `${renderTemplate(format === 'json' ? '{{json .}}' : format, { status: e.Action, id: e.Actor.ID, from: e.Actor.Attributes.image ?? '', ...e })}\n`,
        );
    },
  });
  return 0;
}

/** `docker events` / `docker system events`. */
export function eventsCommand(): Command {
  return {
    name: 'events',
    use: 'events [OPTIONS]',
    short: 'Get real time events from the server',
    aliasesText: 'docker system events, docker events',
    flags: [
      { name: 'filter', short: 'f', kind: 'list', usage: 'Filter output based on conditions provided' },
      {
        name: 'format',
        kind: 'string',
        usage:
          "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates",
      },
      { name: 'since', kind: 'string', usage: 'Show all events created since timestamp' },
      { name: 'until', kind: 'string', usage: 'Stream events until this timestamp' },
    ],
    args: { kind: 'none' },
    complete: ['none'],
    run: runEvents,
  };
}
