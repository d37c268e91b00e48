/**
 * The whole `docker` command tree: top-level commands (with docker/cli's "Common Commands"),
 * and the `container`, `image`, `volume` and `system` management commands.
 */
import { buildCommand } from './build.ts';
import { buildTree, type Command, type CommandNode } from './command.ts';
import { commitCommand, containerInspectCommand, diffCommand, portCommand, psCommand, statsCommand, topCommand } from './container-info.ts';
import {
  containerPruneCommand,
  killCommand,
  pauseCommand,
  renameCommand,
  updateCommand,
  unpauseCommand,
  restartCommand,
  rmCommand,
  startCommand,
  stopCommand,
  waitCommand,
} from './container-lifecycle.ts';
import { createCommand, runCommand } from './container-run.ts';
import { eventsCommand } from './events.ts';
import { builderCommand, buildxCommand } from './builder.ts';
import { attachCommand, execCommand } from './exec.ts';
import { searchCommand } from './search.ts';
import { exportCommand, importCommand } from './filesystem-archive.ts';
import { contextCommand } from './context.ts';
import { cpCommand } from './cp.ts';
import { logsCommand } from './logs.ts';
import { loadCommand, loginCommand, logoutCommand, pushCommand, saveCommand } from './distribution.ts';
import { historyCommand, imageInspectCommand, imagePruneCommand, imagesCommand, pullCommand, rmiCommand, tagCommand } from './images.ts';
import { inspectCommand, infoCommand, systemCommand, versionCommand } from './system.ts';
import { volumeCommand } from './volumes.ts';
import { networkCommand } from './networks.ts';
import { composeCommand } from './compose/index.ts';

/** Drops the root-only "Common Commands" position when a command is placed under a management command. */
function sub(c: Command, extra: Partial<Command> = {}): Command {
  return { ...c, top: undefined, ...extra };
}

/** The `docker` root command with every subcommand LayerLab implements. */
export function dockerCommand(): Command {
  return {
    name: 'docker',
    use: 'docker [OPTIONS] COMMAND [ARG...]',
    short: 'A self-sufficient runtime for containers',
    flags: [{ name: 'version', short: 'v', kind: 'bool', usage: 'Print version information and quit' }],
    subcommands: [
      runCommand(),
      execCommand(),
      psCommand(),
      buildCommand(),
      pullCommand(),
      pushCommand(),
      imagesCommand(),
      loginCommand(),
      logoutCommand(),
      versionCommand(),
      infoCommand(),
      attachCommand(),
      commitCommand(),
      cpCommand(),
      createCommand(),
      diffCommand(),
      eventsCommand(),
      exportCommand(),
      historyCommand(),
      importCommand(),
      inspectCommand(),
      killCommand(),
      loadCommand(),
      logsCommand(),
      pauseCommand(),
      portCommand(),
      renameCommand(),
      restartCommand(),
      rmCommand(),
      rmiCommand(),
      saveCommand(),
      searchCommand(),
      startCommand(),
      statsCommand(),
      stopCommand(),
      tagCommand(),
      topCommand(),
      unpauseCommand(),
      updateCommand(),
      waitCommand(),
      contextCommand(),
      {
        name: 'container',
        use: 'container COMMAND',
        short: 'Manage containers',
        args: { kind: 'none' },
        subcommands: [
          sub(attachCommand()),
          sub(commitCommand()),
          sub(cpCommand()),
          sub(createCommand()),
          sub(diffCommand()),
          sub(execCommand()),
          sub(exportCommand()),
          sub(containerInspectCommand()),
          sub(killCommand()),
          sub(logsCommand()),
          sub(pauseCommand()),
          sub(portCommand()),
          sub(psCommand('ls'), { aliases: ['list', 'ps'] }),
          sub(containerPruneCommand()),
          sub(renameCommand()),
          sub(restartCommand()),
          sub(rmCommand(), { aliases: ['remove'] }),
          sub(runCommand()),
          sub(startCommand()),
          sub(statsCommand()),
          sub(stopCommand()),
          sub(unpauseCommand()),
          sub(updateCommand()),
          sub(topCommand()),
          sub(waitCommand()),
        ],
      },
      {
        name: 'image',
        use: 'image COMMAND',
        short: 'Manage images',
        args: { kind: 'none' },
        subcommands: [
          sub(buildCommand()),
          sub(historyCommand()),
          sub(importCommand()),
          sub(imageInspectCommand()),
          sub(loadCommand()),
          sub(imagesCommand('ls'), { aliases: ['list'] }),
          sub(imagePruneCommand()),
          sub(pullCommand()),
          sub(pushCommand()),
          sub(rmiCommand('rm'), { aliases: ['remove'] }),
          sub(saveCommand()),
          sub(tagCommand()),
        ],
      },
      builderCommand(),
      buildxCommand(),
      volumeCommand(),
      networkCommand(),
      composeCommand(),
      systemCommand(),
    ],
  };
}

let cached: CommandNode | undefined;

/** The command tree (built once). */
export function dockerTree(): CommandNode {
  cached ??= buildTree(dockerCommand());
  return cached;
}
