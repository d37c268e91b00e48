/**
 * Helpers the commands share: daemon error wording, multi-target loops, `--filter` parsing,
 * inspect's JSON layout and the `--format` flag definitions.
 */
import { EngineError } from '../errors.ts';
import { CliError, StatusError, type CommandContext } from './command.ts';
import { FORMAT_HELP, INSPECT_FORMAT_HELP, type FlagDef } from './flags.ts';
import { renderTemplate, TemplateError } from './template.ts';

/** How an error from the engine reads on stderr: `Error response from daemon: No such container: x`. */
export function errorText(e: unknown): string {
  if (e instanceof CliError || e instanceof StatusError) return e.message;
  if (e instanceof TemplateError) return `template parsing error: ${e.message}`;
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof EngineError || e instanceof Error) return `Error response from daemon: ${message}`;
  return message;
}

/** Runs `fn` for each name in order, printing the name on success (Docker's rm/stop/kill output); errors are collected into exit status 1. */
export async function forEachTarget(ctx: CommandContext, names: string[], fn: (name: string) => Promise<string | void>): Promise<number> {
  const errors: string[] = [];
  for (const name of names) {
    try {
      const printed = await fn(name);
      ctx.out(`${printed ?? name}\n`);
    } catch (e) {
      errors.push(errorText(e));
    }
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

/** `--filter name=value` pairs grouped by name. */
export function parseFilters(values: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of values) {
    const i = v.indexOf('=');
    const key = v.slice(0, i).trim().toLowerCase();
    const value = v.slice(i + 1).trim();
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  }
  return out;
}

/** Rejects filter names a command does not know, like the daemon does (`invalid filter 'x'`). */
export function checkFilters(filters: Map<string, string[]>, allowed: string[]): void {
  for (const key of filters.keys()) if (!allowed.includes(key)) throw new EngineError('invalid-argument', `invalid filter '${key}'`);
}

/** Matches a label filter (`key` or `key=value`) against labels. */
export function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const i = filter.indexOf('=');
  if (i < 0) return Object.prototype.hasOwnProperty.call(labels, filter);
  return labels[filter.slice(0, i)] === filter.slice(i + 1);
}

/** Docker's inspect output: a JSON array indented with 4 spaces, `<` `>` `&` escaped as Go's encoder does. */
export function inspectJSON(values: unknown[]): string {
  if (values.length === 0) return '[]\n';
  const text = JSON.stringify(values, null, 4)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
  return text + '\n';
}

/** Prints inspect results: the JSON array, or each value through `--format` (one line each). */
export function printInspect(ctx: CommandContext, values: unknown[], format: string | undefined): void {
  if (!format || format === '') {
    ctx.out(inspectJSON(values));
    return;
  }
  const tmpl = format === 'json' ? '{{json .}}' : format;
  for (const v of values) ctx.out(renderTemplate(tmpl, v) + '\n');
}

/** The "Total reclaimed space: 1.2MB" line of prune commands. */
/** `docker … inspect NAME…`: looks each name up, prints what was found, then fails with the errors (exit 1). */
export async function inspectEach(ctx: CommandContext, lookup: (name: string) => Promise<unknown>): Promise<number> {
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of ctx.args) {
    try {
      found.push(await lookup(name));
    } catch (e) {
      errors.push(errorText(e));
    }
  }
  printInspect(ctx, found, ctx.flags.string('format'));
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

/** `--format` for list commands. */
export const FORMAT_FLAG: FlagDef = { name: 'format', kind: 'string', usage: FORMAT_HELP };

/** `-f, --format` for inspect commands. */
export const INSPECT_FORMAT_FLAG: FlagDef = { name: 'format', short: 'f', kind: 'string', usage: INSPECT_FORMAT_HELP };

/** `-f, --filter` for list commands. */
export const FILTER_FLAG: FlagDef = { name: 'filter', short: 'f', kind: 'filter', usage: 'Filter output based on conditions provided' };

/** A Docker flag LayerLab does not implement: hidden from help, and using it explains why. */
export function unsupportedFlag(name: string, reason: string, short?: string, kind: FlagDef['kind'] = 'string'): FlagDef {
  const f: FlagDef = { name, kind, usage: '', unsupported: `--${name} is not supported by LayerLab: ${reason}` };
  if (short) f.short = short;
  return f;
}
