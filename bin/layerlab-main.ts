/**
 * `layerlab` in Node: chooses the Node runtime and runs a subcommand.
 *   layerlab vm [--cold] [-i] [--] <command…>   run one command in the guest
 *   layerlab dockerfile dump <file>             print the parsed Dockerfile like BuildKit's dump
 *   layerlab docker …                           the docker CLI on LayerLab's engine (state in $LAYERLAB_HOME)
 */
import { readFile } from 'node:fs/promises';
import { DockerfileSyntaxError, dump, parseDockerfile } from '../src/engine/dockerfile/index.ts';
import { startNodeMachine } from '../src/runtime/node.ts';
import type { MachineProgress } from '../src/runtime/types.ts';

const USAGE = `Usage: layerlab COMMAND

Commands:
  vm [--cold] [-i] [--] COMMAND [ARG...]   Run a command in the LayerLab guest Linux
                                           --cold  boot from the kernel instead of the snapshot
                                           -i      pass this process's stdin to the command
  dockerfile dump FILE                     Print a Dockerfile's syntax tree (BuildKit's dump format)
  docker COMMAND                           Docker's CLI on LayerLab's engine; state in $LAYERLAB_HOME
                                           (default ~/.layerlab); the machine lives as long as the command
`;

/** Runs the CLI; resolves with the exit status. */
export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE);
    return sub ? 0 : 1;
  }
  if (sub === 'vm') return vm(rest);
  if (sub === 'dockerfile') return dockerfile(rest);
  if (sub === 'docker') return docker(rest);
  process.stderr.write(`layerlab: '${sub}' is not a layerlab command.\nSee 'layerlab --help'.\n`);
  return 1;
}

async function vm(args: string[]): Promise<number> {
  let cold = false;
  let interactive = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '--cold') cold = true;
    else if (a === '-i' || a === '--interactive') interactive = true;
    else if (a.startsWith('-')) {
      process.stderr.write(`layerlab vm: unknown flag: ${a}\n`);
      return 125;
    } else break;
  }
  const argv = args.slice(i);
  if (argv.length === 0) {
    process.stderr.write('layerlab vm: no command given\nUsage: layerlab vm [--cold] [-i] [--] COMMAND [ARG...]\n');
    return 125;
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const quiet = !process.stderr.isTTY;
  const progress = (p: MachineProgress) => {
    if (!quiet && p.phase !== 'ready') process.stderr.write(`\r\x1b[K${p.detail}…`);
    if (!quiet && p.phase === 'ready') process.stderr.write('\r\x1b[K');
  };
  let machine;
  try {
    machine = await startNodeMachine({ boot: cold ? 'cold' : 'auto', onProgress: progress, signal: controller.signal, healthInterval: 0 });
  } catch (err) {
    process.stderr.write(`layerlab vm: ${(err as Error).message}\n`);
    return 125;
  }
  const status = machine.status;
  if (status.state === 'running' && status.notice) process.stderr.write(`layerlab vm: ${status.notice}\n`);
  try {
    const proc = await machine.spawn({ argv, stdinNull: !interactive }, { signal: controller.signal });
    process.removeListener('SIGINT', onSigint);
    process.on('SIGINT', () => proc.kill('SIGINT'));
    process.on('SIGTERM', () => proc.kill('SIGTERM'));
    proc.onStdout((d) => process.stdout.write(d));
    proc.onStderr((d) => process.stderr.write(d));
    if (interactive) {
      process.stdin.on('data', (d: Buffer) => proc.write(new Uint8Array(d)));
      process.stdin.on('end', () => proc.closeStdin());
    }
    const exit = await proc.exit;
    if (interactive) process.stdin.destroy();
    return exit.code;
  } catch (err) {
    process.stderr.write(`layerlab vm: ${(err as Error).message}\n`);
    return 125;
  } finally {
    await machine.stop();
  }
}

async function dockerfile(args: string[]): Promise<number> {
  const [action, file, ...extra] = args;
  if (action !== 'dump' || !file || extra.length) {
    process.stderr.write('Usage: layerlab dockerfile dump FILE\n');
    return 1;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    process.stderr.write(`layerlab dockerfile: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
  try {
    process.stdout.write(dump(parseDockerfile(text)) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof DockerfileSyntaxError) {
      process.stderr.write(`${file}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function docker(args: string[]): Promise<number> {
  const { runDocker } = await import('../src/engine/cli/run.ts');
  const { openNodeEngine } = await import('./node-engine.ts');
  const { nodeCliIO } = await import('./node-cli-io.ts');
  // the CLI, unlike a page, can reach Docker Hub (no CORS): docker.io images the catalog lacks come from there
  const node = await openNodeEngine({ dockerHub: true });
  const io = nodeCliIO();
  try {
    return await runDocker(args, io, node.engine);
  } finally {
    io.dispose();
    await node.close();
  }
}
