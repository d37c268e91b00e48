/**
 * Whether a `docker …` command line asks for a terminal (`-t`/`--tty` of run, exec and create),
 * so the terminal passes keys, Ctrl-C included, straight to the container instead of cancelling.
 */
const TTY_COMMANDS = new Set(['run', 'exec', 'create']);

/** True for `docker run -it …`, `docker container exec -t …`; false for `docker build -t app .` (a tag). */
export function wantsTty(args: readonly string[]): boolean {
  const [first, second] = args;
  const command = first === 'container' ? second : first;
  if (!command || !TTY_COMMANDS.has(command)) return false;
  return args.some((a) => /^-[a-zA-Z]*t[a-zA-Z]*$/.test(a) || a === '--tty' || a === '--tty=true');
}
