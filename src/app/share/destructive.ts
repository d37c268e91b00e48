/**
 * Which of a share link's suggested commands delete something of the visitor's (their own
 * containers, images and volumes live in the same engine): such a command is marked, and the page
 * asks before it runs.
 */
import { tokenizeCommandLine } from '../../engine/cli/argv.ts';

/** What a command deletes, in words ("removes containers"), or undefined when it deletes nothing. */
export function destructiveCommand(line: string): string | undefined {
  const all = tokenizeCommandLine(line).words;
  // `vm COMMAND` runs as root on the machine itself, beside every container and image
  if (all[0] === 'vm' && all.length > 1) return 'runs a command as root on the machine itself';
  const words = all.filter((w) => !w.startsWith('-'));
  if (words[0] === 'docker') words.shift();
  const [a, b] = words;
  if (a === 'rm' || (a === 'container' && (b === 'rm' || b === 'remove'))) return 'removes containers';
  if (a === 'rmi' || (a === 'image' && (b === 'rm' || b === 'remove'))) return 'removes images';
  if (a === 'volume' && (b === 'rm' || b === 'remove')) return 'removes volumes';
  if (b === 'prune') {
    if (a === 'system') return 'removes all stopped containers, unused images and build cache';
    if (a === 'container') return 'removes all stopped containers';
    if (a === 'image') return 'removes unused images';
    if (a === 'volume') return 'removes unused volumes';
    if (a === 'builder' || a === 'buildx') return 'removes the build cache';
    return 'removes unused objects';
  }
  return undefined;
}
