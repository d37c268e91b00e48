/**
 * `docker context ls|show|use|inspect`: LayerLab has one context, `layerlab` (its own engine on its
 * own machine); creating others is refused with why, as there is no other engine to reach.
 */
import { CliError, type Command, type CommandContext } from './command.ts';
import { FORMAT_FLAG, unsupportedFlag } from './common.ts';
import { tabwrite } from './format.ts';
import { renderTemplate } from './template.ts';

/** The one context. */
export const CONTEXT = {
  Name: 'layerlab',
  Description: "LayerLab's engine on its own Linux machine (v86)",
  DockerEndpoint: 'layerlab://local',
  Current: true,
  Error: '',
};

const NO_OTHER = 'LayerLab has one context, layerlab: its engine cannot reach other Docker engines';

function runLs(ctx: CommandContext): Promise<number> {
  const format = ctx.flags.string('format') ?? '';
  if (ctx.flags.bool('quiet')) ctx.out(`${CONTEXT.Name}\n`);
  else if (format === 'json') ctx.out(`${JSON.stringify(CONTEXT)}\n`);
  else if (format && !format.startsWith('table')) ctx.out(`${renderTemplate(format, CONTEXT)}\n`);
  else
    ctx.out(
      tabwrite(`NAME\tDESCRIPTION\tDOCKER ENDPOINT\tERROR\n${CONTEXT.Name} *\t${CONTEXT.Description}\t${CONTEXT.DockerEndpoint}\t\n`),
    );
  return Promise.resolve(0);
}

function runShow(ctx: CommandContext): Promise<number> {
  ctx.out(`${CONTEXT.Name}\n`);
  return Promise.resolve(0);
}

function runUse(ctx: CommandContext): Promise<number> {
  const name = ctx.args[0] ?? '';
  if (name !== CONTEXT.Name && name !== 'default') throw new CliError(`context "${name}" does not exist`);
  ctx.out(`${CONTEXT.Name}\n`);
  ctx.err(`Current context is now "${CONTEXT.Name}"\n`);
  return Promise.resolve(0);
}

function runInspect(ctx: CommandContext): Promise<number> {
  const names = ctx.args.length ? ctx.args : [CONTEXT.Name];
  const missing = names.find((n) => n !== CONTEXT.Name);
  if (missing) throw new CliError(`context "${missing}" does not exist`);
  const doc = {
    Name: CONTEXT.Name,
    Metadata: { Description: CONTEXT.Description },
    Endpoints: { docker: { Host: CONTEXT.DockerEndpoint, SkipTLSVerify: false } },
  };
  ctx.out(
    `${JSON.stringify(
      names.map(() => doc),
      null,
      4,
    )}\n`,
  );
  return Promise.resolve(0);
}

const refused = (what: string): Command => ({
  name: what,
  use: `${what} CONTEXT`,
  short: `${what[0]!.toUpperCase()}${what.slice(1)} a context`,
  hidden: true,
  args: { kind: 'any' },
  run: () => Promise.reject(new CliError(NO_OTHER)),
});

/** `docker context` and its subcommands. */
export function contextCommand(): Command {
  return {
    name: 'context',
    use: 'context',
    short: 'Manage contexts',
    args: { kind: 'none' },
    subcommands: [
      {
        name: 'ls',
        aliases: ['list'],
        use: 'ls [OPTIONS]',
        short: 'List contexts',
        flags: [FORMAT_FLAG, { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only show context names' }],
        args: { kind: 'none' },
        run: runLs,
      },
      { name: 'show', use: 'show', short: 'Print the name of the current context', args: { kind: 'none' }, run: runShow },
      { name: 'use', use: 'use CONTEXT', short: 'Set the current docker context', args: { kind: 'exact', n: 1 }, run: runUse },
      {
        name: 'inspect',
        use: 'inspect [OPTIONS] [CONTEXT] [CONTEXT...]',
        short: 'Display detailed information on one or more contexts',
        flags: [unsupportedFlag('format', 'contexts are shown as JSON', 'f')],
        args: { kind: 'any' },
        run: runInspect,
      },
      refused('create'),
      refused('rm'),
      refused('update'),
      refused('import'),
      refused('export'),
    ],
  };
}
