/**
 * Image commands: images / image ls, image inspect, history, tag, rmi / image rm, image prune
 * and pull, with docker/cli's flags, output and messages.
 */
import type { ImageSummary } from '../api.ts';
import { NotFoundError } from '../errors.ts';
import { progressDisplay } from './progress-display.ts';
import { CliError, StatusError, type Command, type CommandContext } from './command.ts';
import {
  inspectEach,
  checkFilters,
  errorText,
  FILTER_FLAG,
  FORMAT_FLAG,
  INSPECT_FORMAT_FLAG,
  labelMatches,
  parseFilters,
  unsupportedFlag,
} from './common.ts';
import { PRUNE_FLAGS, runPrune } from './prune.ts';
import { FORMAT_HELP } from './flags.ts';
import { familiarName, normalizedTagged, parseReference } from './reference.ts';
import { formatHistory, formatImages } from './tables.ts';

/** Go's path.Match for reference filters: `*` and `?` stop at `/`, `[...]` classes. */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re +=
          '[' +
          pattern
            .slice(i + 1, end)
            .replace(/^\^/, '^')
            .replace(/\\/g, '\\\\') +
          ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

/** Docker's reference filter: a pattern without tag matches the name, with a tag matches name:tag. */
function referenceMatches(pattern: string, repoTag: string): boolean {
  const r = parseReference(repoTag);
  const name = familiarName(r);
  const re = globToRegExp(pattern);
  if (!/:[^/]*$/.test(pattern)) return re.test(name) || re.test(`${r.domain}/${r.path}`);
  return re.test(`${name}:${r.tag ?? ''}`) || re.test(`${r.domain}/${r.path}:${r.tag ?? ''}`);
}

async function runImages(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const filters = parseFilters(f.list('filter'));
  checkFilters(filters, ['dangling', 'reference', 'label']);
  const references = [...(filters.get('reference') ?? [])];
  if (ctx.args[0]) references.push(ctx.args[0]);
  const options: { all?: boolean; dangling?: boolean } = { all: f.bool('all') };
  const dangling = filters.get('dangling');
  if (dangling) {
    const v = (dangling[dangling.length - 1] ?? '').toLowerCase();
    if (v === 'true' || v === '1') options.dangling = true;
    else if (v === 'false' || v === '0') options.dangling = false;
    else throw new CliError(`Error response from daemon: invalid filter 'dangling=${v}'`);
  }
  let list = await ctx.engine.images.list(options);
  if (options.dangling !== undefined) list = list.filter((i) => (i.repoTags.length === 0) === options.dangling);
  for (const l of filters.get('label') ?? []) list = list.filter((i) => labelMatches(i.labels, l));
  if (references.length > 0) {
    list = list
      .map((img): ImageSummary => ({ ...img, repoTags: img.repoTags.filter((t) => references.some((p) => referenceMatches(p, t))) }))
      .filter((img) => img.repoTags.length > 0);
  }
  list = [...list].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  const format = f.string('format') ?? '';
  ctx.out(formatImages(list, { format, quiet: f.bool('quiet'), trunc: !f.bool('no-trunc'), now: ctx.now(), digests: f.bool('digests') }));
  return 0;
}

function runImageInspect(ctx: CommandContext): Promise<number> {
  return inspectEach(ctx, (n) => ctx.engine.images.inspect(n));
}

async function runHistory(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const list = await ctx.engine.images.history(ctx.args[0] ?? '');
  ctx.out(
    formatHistory(list, {
      format: f.string('format') ?? '',
      quiet: f.bool('quiet'),
      trunc: !f.bool('no-trunc'),
      human: f.bool('human', true),
      now: ctx.now(),
    }),
  );
  return 0;
}

async function runTag(ctx: CommandContext): Promise<number> {
  await ctx.engine.images.tag(ctx.args[0] ?? '', ctx.args[1] ?? '');
  return 0;
}

async function runRmi(ctx: CommandContext): Promise<number> {
  const force = ctx.flags.bool('force');
  const errors: string[] = [];
  let fatal = false;
  for (const ref of ctx.args) {
    try {
      const res = await ctx.engine.images.remove(ref, { force });
      for (const u of res.untagged) ctx.out(`Untagged: ${u}\n`);
      for (const d of res.deleted) ctx.out(`Deleted: ${d}\n`);
    } catch (e) {
      if (!(e instanceof NotFoundError)) fatal = true;
      errors.push(errorText(e));
    }
  }
  if (errors.length > 0) {
    if (!force || fatal) throw new StatusError(1, errors.join('\n'));
    ctx.err(errors.join('\n') + '\n');
  }
  return 0;
}

const ALL_IMAGES_WARNING = `WARNING! This will remove all images without at least one container associated to them.
Are you sure you want to continue?`;
const DANGLING_WARNING = `WARNING! This will remove all dangling images.
Are you sure you want to continue?`;

/** Lines of a prune report's deletions, as `docker image prune` words them. */
export function imagePruneLines(deleted: string[]): string[] {
  return deleted.map((d) => (/^(untagged|deleted): /.test(d) ? d : `deleted: ${d}`));
}

function runImagePrune(ctx: CommandContext): Promise<number> {
  const all = ctx.flags.bool('all');
  return runPrune(ctx, all ? ALL_IMAGES_WARNING : DANGLING_WARNING, async (report) => {
    const r = await ctx.engine.images.prune({ all });
    report('Deleted Images', imagePruneLines(r.deleted), r.spaceReclaimed);
  });
}

async function runPull(ctx: CommandContext): Promise<number> {
  const ref = ctx.args[0] ?? '';
  const quiet = ctx.flags.bool('quiet');
  const r = parseReference(ref);
  if (!quiet && r.tag === undefined && r.digest === undefined) ctx.out('Using default tag: latest\n');
  await ctx.engine.images.pull(ref, quiet ? undefined : progressDisplay((t) => ctx.out(t), ctx.io), ctx.io.signal);
  ctx.out(normalizedTagged(ref) + '\n');
  return 0;
}

/** `docker images` / `docker image ls` (alias `list`). */
export function imagesCommand(name = 'images'): Command {
  return {
    name,
    use: `${name} [OPTIONS] [REPOSITORY[:TAG]]`,
    short: 'List images',
    aliasesText: 'docker image ls, docker image list, docker images',
    top: name === 'images' ? 7 : undefined,
    flags: [
      { name: 'all', short: 'a', kind: 'bool', usage: 'Show all images (default hides intermediate images)' },
      FILTER_FLAG,
      FORMAT_FLAG,
      { name: 'no-trunc', kind: 'bool', usage: "Don't truncate output" },
      { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only show image IDs' },
      { name: 'digests', kind: 'bool', usage: 'Show digests' },
      unsupportedFlag('tree', 'the tree view is not available', undefined, 'bool'),
    ],
    args: { kind: 'max', n: 1 },
    complete: ['image'],
    completeFlags: { filter: ['dangling=true', 'dangling=false', 'reference=', 'label='] },
    run: runImages,
  };
}

/** `docker image inspect`. */
export function imageInspectCommand(): Command {
  return {
    name: 'inspect',
    use: 'inspect [OPTIONS] IMAGE [IMAGE...]',
    short: 'Display detailed information on one or more images',
    flags: [INSPECT_FORMAT_FLAG],
    args: { kind: 'min', n: 1 },
    complete: ['image'],
    run: runImageInspect,
  };
}

/** `docker history`. */
export function historyCommand(): Command {
  return {
    name: 'history',
    use: 'history [OPTIONS] IMAGE',
    short: 'Show the history of an image',
    aliasesText: 'docker image history, docker history',
    flags: [
      { name: 'format', kind: 'string', usage: FORMAT_HELP },
      { name: 'human', short: 'H', kind: 'bool', usage: 'Print sizes and dates in human readable format', defValue: 'true' },
      { name: 'no-trunc', kind: 'bool', usage: "Don't truncate output" },
      { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only show image IDs' },
      unsupportedFlag('platform', 'images have one platform here'),
    ],
    args: { kind: 'exact', n: 1 },
    complete: ['image'],
    run: runHistory,
  };
}

/** `docker tag`. */
export function tagCommand(): Command {
  return {
    name: 'tag',
    use: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
    short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
    aliasesText: 'docker image tag, docker tag',
    args: { kind: 'exact', n: 2 },
    complete: ['image', 'none'],
    run: runTag,
  };
}

/** `docker rmi` / `docker image rm` (alias `remove`). */
export function rmiCommand(name = 'rmi'): Command {
  return {
    name,
    use: `${name} [OPTIONS] IMAGE [IMAGE...]`,
    short: 'Remove one or more images',
    aliasesText: 'docker image rm, docker image remove, docker rmi',
    flags: [
      { name: 'force', short: 'f', kind: 'bool', usage: 'Force removal of the image' },
      { name: 'no-prune', kind: 'bool', usage: 'Do not delete untagged parents' },
    ],
    args: { kind: 'min', n: 1 },
    complete: ['image'],
    run: runRmi,
  };
}

/** `docker image prune`. */
export function imagePruneCommand(): Command {
  return {
    name: 'prune',
    use: 'prune [OPTIONS]',
    short: 'Remove unused images',
    flags: [{ name: 'all', short: 'a', kind: 'bool', usage: 'Remove all unused images, not just dangling ones' }, ...PRUNE_FLAGS],
    args: { kind: 'none' },
    run: runImagePrune,
  };
}

/** `docker pull`. */
export function pullCommand(): Command {
  return {
    name: 'pull',
    use: 'pull [OPTIONS] NAME[:TAG|@DIGEST]',
    short: 'Download an image from a registry',
    aliasesText: 'docker image pull, docker pull',
    top: 5,
    flags: [
      unsupportedFlag('all-tags', 'pull one tag at a time', 'a', 'bool'),
      { name: 'disable-content-trust', kind: 'bool', usage: 'Skip image verification', defValue: 'true' },
      unsupportedFlag('platform', 'images run on the one platform of the built-in machine'),
      { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress verbose output' },
    ],
    args: { kind: 'exact', n: 1 },
    complete: ['image-remote'],
    run: runPull,
  };
}
