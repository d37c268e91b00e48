/**
 * `docker search`: the offline catalog and localhost:5000 in docker/cli's table (NAME, DESCRIPTION,
 * STARS, OFFICIAL). A term naming another registry (`127.0.0.1:5001/web`) is refused by the engine:
 * OCI distribution registries have no search endpoint (Docker's v1 search API is Docker Hub's).
 */
import type { SearchResult } from '../api.ts';
import { InvalidArgumentError } from '../errors.ts';
import type { Command, CommandContext } from './command.ts';
import { parseFilters } from './common.ts';
import { ellipsis } from './format.ts';
import { write } from './tables.ts';

const HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };

/** The fields `docker search --format` offers for one result. */
function searchContext(r: SearchResult, trunc: boolean): Record<string, unknown> {
  const description = r.description.replaceAll('\n', ' ');
  return {
    Description: trunc ? ellipsis(description, 45) : description,
    IsAutomated: '',
    IsOfficial: r.isOfficial ? '[OK]' : '',
    Name: r.name,
    StarCount: String(r.starCount),
  };
}

/** The daemon's search filters: `stars=N`, `is-official=true|false`. */
function searchFilter(values: string[]): (r: SearchResult) => boolean {
  const filters = parseFilters(values);
  for (const key of filters.keys())
    if (!['stars', 'is-official', 'is-automated'].includes(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  const stars = filters.get('stars')?.map((v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`invalid filter 'stars=${v}'`);
    return Number(v);
  });
  const official = filters.get('is-official')?.map((v) => {
    if (!['true', 'false', '1', '0'].includes(v)) throw new InvalidArgumentError(`invalid filter 'is-official=${v}'`);
    return v === 'true' || v === '1';
  });
  return (r) => (!stars || stars.every((n) => r.starCount >= n)) && (!official || official.every((o) => r.isOfficial === o));
}

async function runSearch(ctx: CommandContext): Promise<number> {
  const limit = ctx.flags.int('limit', 0);
  if (limit < 0 || limit > 100) throw new InvalidArgumentError(`limit ${limit} is outside the range of [1, 100]`);
  const include = searchFilter(ctx.flags.list('filter'));
  const results = (await ctx.engine.images.search(ctx.args[0]!)).filter(include).slice(0, limit || 25);
  const trunc = !ctx.flags.bool('no-trunc');
  ctx.out(
    write(
      {
        defaultTable: 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}',
        quiet: '{{.Name}}',
        headers: HEADERS,
        typeName: '*formatter.searchContext',
        rows: results.map((r) => searchContext(r, trunc)),
      },
      { format: ctx.flags.string('format') ?? '', now: ctx.now() },
    ),
  );
  return 0;
}

/** `docker search`. */
export function searchCommand(): Command {
  return {
    name: 'search',
    use: 'search [OPTIONS] TERM',
    short: 'Search Docker Hub for images',
    aliasesText: 'docker search',
    flags: [
      { name: 'filter', short: 'f', kind: 'list', usage: 'Filter output based on conditions provided' },
      { name: 'format', kind: 'string', usage: 'Pretty-print search using a Go template' },
      { name: 'limit', kind: 'int', usage: 'Max number of search results' },
      { name: 'no-trunc', kind: 'bool', usage: "Don't truncate output" },
    ],
    args: { kind: 'exact', n: 1 },
    complete: ['none'],
    run: runSearch,
  };
}
