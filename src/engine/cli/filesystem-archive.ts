/**
 * `docker export` and `docker import`: a container's whole filesystem as one flat tar (downloaded
 * in the page, a file in Node), and a new one-layer image from such a tar.
 */
import { readAllStdin } from './attach.ts';
import { CliError, type Command, type CommandContext } from './command.ts';
import { unsupportedFlag } from './common.ts';
import { writeArchive } from './distribution.ts';

function runExport(ctx: CommandContext): Promise<number> {
  return writeArchive(ctx, 'failed to export container', () => ctx.engine.containers.export(ctx.args[0]!));
}

/** `docker export` / `docker container export`. */
export function exportCommand(): Command {
  return {
    name: 'export',
    use: 'export [OPTIONS] CONTAINER',
    short: "Export a container's filesystem as a tar archive",
    aliasesText: 'docker container export, docker export',
    flags: [{ name: 'output', short: 'o', kind: 'string', usage: 'Write to a file, instead of STDOUT' }],
    args: { kind: 'exact', n: 1 },
    complete: ['container'],
    run: runExport,
  };
}

async function runImport(ctx: CommandContext): Promise<number> {
  const [source = '', reference] = ctx.args;
  let archive: Uint8Array;
  if (source === '-') {
    const data = await readAllStdin(ctx.io, ctx.io.signal);
    if (!data) throw new CliError('requested import from stdin, but stdin is empty');
    archive = data;
  } else if (/^https?:\/\//.test(source)) {
    throw new CliError(
      `importing from ${source} is not supported by LayerLab: the machine has no way out; download the file and import it from the workspace`,
    );
  } else {
    if (!ctx.io.readFile) throw new CliError(`open ${source}: cannot read local files here: send the archive on stdin with -`);
    try {
      archive = await ctx.io.readFile(source);
    } catch {
      throw new CliError(`open ${source}: no such file or directory`);
    }
  }
  const id = await ctx.engine.images.importFilesystem(archive, {
    ...(reference ? { reference } : {}),
    ...(ctx.flags.string('message') ? { message: ctx.flags.string('message')! } : {}),
  });
  ctx.out(`${id}\n`);
  return 0;
}

/** `docker import` / `docker image import`. */
export function importCommand(): Command {
  return {
    name: 'import',
    use: 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
    short: 'Import the contents from a tarball to create a filesystem image',
    aliasesText: 'docker image import, docker import',
    flags: [
      { name: 'message', short: 'm', kind: 'string', usage: 'Set commit message for imported image' },
      unsupportedFlag('change', 'Dockerfile changes on import are not available; build FROM the imported image instead', 'c'),
      unsupportedFlag('platform', 'images have one platform here'),
    ],
    args: { kind: 'range', min: 1, max: 2 },
    complete: ['none'],
    run: runImport,
  };
}
