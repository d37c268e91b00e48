/**
 * Problems in a Dockerfile found while typing, for the editor: the parser's syntax error or
 * warnings, instructions Docker does not know, a missing FROM, and a base image that is neither
 * offered offline nor stored (with a quick fix to the nearest one that is). Pure; lines are 1-based.
 */
import { DockerfileSyntaxError, parseDockerfile, ShellLexer, type DockerfileNode } from '../../engine/dockerfile/index.ts';
import { closestReferences, editDistance, offlineHint } from '../../engine/images/nearest.ts';
import { parseReference } from '../../engine/images/reference.ts';

/** A one-click repair: replace columns `from`..`to` (0-based, in the diagnostic's line) with `insert`. */
export interface EditorFix {
  label: string;
  from: number;
  to: number;
  insert: string;
}

export interface EditorDiagnostic {
  /** 1-based line. */
  line: number;
  message: string;
  severity: 'error' | 'warning';
  fix?: EditorFix;
}

/** The images a FROM can name: offered offline (the catalog) and stored in this browser (`docker images`). */
export interface KnownImages {
  available: readonly string[];
  local: readonly string[];
}

export const INSTRUCTIONS = [
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
] as const;

const KNOWN = new Set<string>(INSTRUCTIONS);

/** Levenshtein distance, for "did you mean". */
export { editDistance };

function unknownInstruction(node: DockerfileNode): EditorDiagnostic {
  const word = node.value.toUpperCase();
  const best = INSTRUCTIONS.map((k) => ({ k, d: editDistance(word, k) })).sort((x, y) => x.d - y.d)[0]!;
  const hint = best.d <= 2 ? ` Did you mean ${best.k}?` : '';
  return { line: node.startLine, severity: 'error', message: `Unknown instruction: ${word}.${hint}` };
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `name:tag` as Docker prints it, or undefined for what is not a plain reference. */
function familiar(ref: string): string | undefined {
  try {
    return parseReference(ref).familiar;
  } catch {
    return undefined;
  }
}

/** The word FROM names, with the ARGs declared before the first FROM expanded; undefined when one has no default. */
function expandBase(word: string, lexer: ShellLexer, args: ReadonlyMap<string, string | undefined>): string | undefined {
  if (!word.includes('$')) return word;
  const known = new Map([...args].filter((e): e is [string, string] => e[1] !== undefined));
  try {
    const r = lexer.processWordWithMatches(word, known);
    return r.unmatched.size ? undefined : r.result;
  } catch {
    return undefined;
  }
}

/**
 * A FROM whose image is neither offered offline, stored, nor an earlier stage: the build would
 * fail there (an unknown tag is never swapped for another). Its quick fix writes the nearest
 * offered tag; a reference made by ARGs is only warned about (`--build-arg` may change it).
 */
function unavailableBase(
  node: DockerfileNode,
  line: string,
  stages: Set<string>,
  images: KnownImages,
  expand: (word: string) => string | undefined,
): EditorDiagnostic | undefined {
  const written = node.next[0];
  if (!written) return undefined;
  const image = expand(written);
  if (image === undefined || image.toLowerCase() === 'scratch' || stages.has(image.toLowerCase())) return undefined;
  if (/^(sha256:)?[0-9a-f]{12,64}$/.test(image) || image.includes('@')) return undefined;
  const ref = familiar(image);
  if (!ref) return { line: node.startLine, severity: 'error', message: `invalid reference format: ${image} is not an image name.` };
  // a registry of its own (localhost:5000/…, registry.example.com/…) is asked at build time
  if (parseReference(image).domain !== 'docker.io') return undefined;
  const known = new Set([...images.available, ...images.local].map(familiar));
  if (known.has(ref)) return undefined;
  const hint = offlineHint(image, images.available);
  if (image !== written) {
    return { line: node.startLine, severity: 'warning', message: `With the ARG defaults this FROM names ${ref}. ${hint}` };
  }
  const nearest = closestReferences(image, images.available, 1)[0];
  const message = `${hint} A build fails here: an image or tag LayerLab lacks is never swapped for another.`;
  const at = line.indexOf(image);
  const fix = nearest && at >= 0 ? { label: `Use ${nearest}`, from: at, to: at + image.length, insert: nearest } : undefined;
  return { line: node.startLine, severity: 'error', message, ...(fix ? { fix } : {}) };
}

/**
 * Diagnostics for a Dockerfile's text, sorted by line. With `images`, a FROM naming an image that
 * cannot be had is flagged too.
 */
export function dockerfileDiagnostics(text: string, images?: KnownImages): EditorDiagnostic[] {
  let ast;
  try {
    ast = parseDockerfile(text);
  } catch (err) {
    if (!(err instanceof DockerfileSyntaxError)) throw err;
    if (err.kind === 'no-instructions') {
      return [{ line: 1, severity: 'error', message: 'This Dockerfile is empty. Start with FROM and a base image, e.g. FROM busybox' }];
    }
    return [{ line: err.line, severity: 'error', message: `${capitalize(err.reason)}.` }];
  }

  const out: EditorDiagnostic[] = ast.warnings.map((w) => ({ line: w.line, severity: 'warning', message: w.short }));
  const hasFrom = ast.children.some((n) => n.value === 'from');
  let seenFrom = false;
  const stages = new Set<string>();
  const lines = text.split(/\r?\n/);
  // ARGs before the first FROM, for FROM's own expansion (BuildKit's meta args)
  const metaArgs = new Map<string, string | undefined>();
  const lexer = new ShellLexer(ast.escapeToken);
  const expand = (word: string) => expandBase(word, lexer, metaArgs);
  for (const node of ast.children) {
    if (!KNOWN.has(node.value.toUpperCase())) {
      out.push(unknownInstruction(node));
      continue;
    }
    if (node.subcommand && !KNOWN.has(node.subcommand.value.toUpperCase())) out.push(unknownInstruction(node.subcommand));
    if (node.value === 'from') {
      seenFrom = true;
      const problem = images && unavailableBase(node, lines[node.startLine - 1] ?? '', stages, images, expand);
      if (problem) out.push(problem);
      const as = node.next[1]?.toLowerCase() === 'as' ? node.next[2] : undefined;
      if (as) stages.add(as.toLowerCase());
    } else if (!seenFrom && node.value === 'arg') {
      for (const word of node.next) {
        const eq = word.indexOf('=');
        if (eq < 0) metaArgs.set(word, metaArgs.get(word));
        else metaArgs.set(word.slice(0, eq), expand(word.slice(eq + 1)));
      }
    } else if (hasFrom && !seenFrom && node.value !== 'arg') {
      out.push({
        line: node.startLine,
        severity: 'error',
        message: `${node.value.toUpperCase()} comes before FROM. Only ARG may come before the first FROM.`,
      });
    }
  }
  if (!hasFrom) {
    out.push({
      line: ast.startLine,
      severity: 'error',
      message: 'No FROM instruction: a Dockerfile must start FROM a base image, e.g. FROM busybox',
    });
  }
  return out.sort((a, b) => a.line - b.line);
}

/** Whether a workspace path names a Dockerfile (`Dockerfile`, `Dockerfile.dev`, `api.dockerfile`, `Containerfile`). */
export function isDockerfilePath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return /^(docker|container)file(\..+)?$/i.test(name) || /\.dockerfile$/i.test(name);
}

/** `text` with a diagnostic's quick fix applied (unchanged when it has none). */
export function applyFix(text: string, d: EditorDiagnostic): string {
  if (!d.fix) return text;
  const lines = text.split('\n');
  const line = lines[d.line - 1];
  if (line === undefined) return text;
  lines[d.line - 1] = line.slice(0, d.fix.from) + d.fix.insert + line.slice(d.fix.to);
  return lines.join('\n');
}
