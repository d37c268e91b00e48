/**
 * Tab completion for a `docker …` terminal line: subcommands, flags, and the names that fit the
 * position (containers for `stop`, images for `run`, volumes for `volume rm` and `-v`, ...).
 */
import type { DockerEngine } from '../api.ts';
import { tokenizeCommandLine } from './argv.ts';
import { findChild, type CommandNode, type Completion } from './command.ts';
import type { FlagDef } from './flags.ts';
import { familiarTagged } from './reference.ts';
import { dockerTree } from './tree.ts';

function visibleFlags(node: CommandNode): FlagDef[] {
  return (node.cmd.flags ?? []).filter((f) => !f.hidden && !f.unsupported);
}

function findFlag(node: CommandNode, word: string): { flag?: FlagDef; needsValue: boolean } {
  const flags = node.cmd.flags ?? [];
  if (word.startsWith('--')) {
    const body = word.slice(2);
    const eq = body.indexOf('=');
    const f = flags.find((x) => x.name === (eq >= 0 ? body.slice(0, eq) : body));
    return f ? { flag: f, needsValue: f.kind !== 'bool' && eq < 0 } : { needsValue: false };
  }
  // shorthand cluster: the value is attached unless the value-taking flag is the last letter
  const letters = Array.from(word.slice(1));
  for (let i = 0; i < letters.length; i++) {
    const f = flags.find((x) => x.short === letters[i]);
    if (!f) return { needsValue: false };
    if (f.kind !== 'bool') return { flag: f, needsValue: i === letters.length - 1 };
  }
  return { needsValue: false };
}

async function candidates(kind: Completion | string[], engine: DockerEngine, current: string): Promise<string[]> {
  if (Array.isArray(kind)) return kind;
  const containers = async (pred: (state: string) => boolean): Promise<string[]> => {
    const list = await engine.containers.list({ all: true });
    const out: string[] = [];
    for (const c of list) {
      if (!pred(c.state)) continue;
      out.push(c.name);
      if (current !== '' && /^[0-9a-f]+$/.test(current)) out.push(c.id.slice(0, 12));
    }
    return out;
  };
  const localImages = async (withIds = true): Promise<string[]> => {
    const list = await engine.images.list();
    const out: string[] = [];
    for (const img of list) {
      for (const t of img.repoTags) out.push(familiarTagged(t));
      if (withIds && current !== '' && /^[0-9a-f]+$/.test(current)) out.push(img.id.replace(/^sha256:/, '').slice(0, 12));
    }
    return out;
  };
  switch (kind) {
    case 'container':
      return containers(() => true);
    case 'container-running':
      return containers((s) => s === 'running');
    case 'container-stopped':
      return containers((s) => s !== 'running');
    case 'container-path':
      if (current.includes(':') || current.startsWith('/') || current.startsWith('.')) return [];
      return (await containers(() => true)).map((n) => n + ':');
    case 'image':
      return localImages();
    case 'image-remote': {
      const [local, available] = await Promise.all([localImages(false), engine.images.available().catch(() => [] as string[])]);
      return [...local, ...available.map(familiarTagged)];
    }
    case 'volume':
      return (await engine.volumes.list()).map((v) => v.Name);
    case 'network':
      return (await engine.networks.list()).map((n) => n.Name);
    case 'object': {
      const [c, i, v] = await Promise.all([containers(() => true), localImages(), engine.volumes.list()]);
      return [...c, ...i, ...v.map((x) => x.Name)];
    }
    default:
      return [];
  }
}

/** Completions for the last (possibly empty) word of `line`, e.g. `docker st` → `start`, `stats`… that exist here. */
export async function completeDocker(line: string, engine: DockerEngine): Promise<string[]> {
  const t = tokenizeCommandLine(line);
  const words = [...t.words];
  const current = t.inWord ? (words.pop() ?? '') : '';
  if (words[0] === 'docker') words.shift();
  else if (words.length === 0 && current !== '' && 'docker'.startsWith(current)) return ['docker'];

  let node = dockerTree();
  let i = 0;
  // root flags (-v, --help) before the command
  while (i < words.length && (words[i] ?? '').startsWith('-')) i++;
  while (i < words.length) {
    const child = findChild(node, words[i] ?? '');
    if (!child || node.children.length === 0) break;
    node = child;
    i++;
  }

  let positional = 0;
  let pending: FlagDef | undefined;
  let dashdash = false;
  for (; i < words.length; i++) {
    const w = words[i] ?? '';
    if (pending) {
      pending = undefined;
      continue;
    }
    const flagsEnded = dashdash || (node.cmd.interspersed === false && positional > 0);
    if (!flagsEnded && w === '--') {
      dashdash = true;
      continue;
    }
    if (!flagsEnded && w.length > 1 && w.startsWith('-')) {
      const { flag, needsValue } = findFlag(node, w);
      if (needsValue) pending = flag;
      continue;
    }
    positional++;
  }
  // `run IMAGE -x` and `exec CONTAINER -x`: after the first positional, words belong to the process
  const flagsEnded = dashdash || (node.cmd.interspersed === false && positional > 0);

  let list: string[] = [];
  try {
    if (pending) {
      const kind = node.cmd.completeFlags?.[pending.name];
      if (kind) {
        list = await candidates(kind, engine, current);
        if (pending.name === 'volume') list = list.map((v) => v + ':');
      }
    } else if (current.startsWith('-') && !flagsEnded) {
      const flags = visibleFlags(node);
      list = ['--help', ...flags.map((f) => `--${f.name}`)];
      if (!current.startsWith('--')) list.push(...flags.filter((f) => f.short).map((f) => `-${f.short ?? ''}`));
    } else if (node.children.length > 0) {
      if (positional === 0) list = node.children.filter((c) => !c.cmd.hidden).map((c) => c.cmd.name);
    } else {
      const spec = node.cmd.complete ?? [];
      const kind = spec[Math.min(positional, spec.length - 1)];
      if (kind) list = await candidates(kind, engine, current);
    }
  } catch {
    return [];
  }
  return [...new Set(list.filter((s) => s.startsWith(current)))].sort();
}
