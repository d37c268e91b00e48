/**
 * Problems in a Dockerfile found while typing, for the editor: the parser's syntax error or
 * warnings, instructions Docker does not know, and a missing FROM. Pure; lines are 1-based.
 */
import { DockerfileSyntaxError, parseDockerfile, type DockerfileNode } from '../../engine/dockerfile/index.ts';

export interface EditorDiagnostic {
  /** 1-based line. */
  line: number;
  message: string;
  severity: 'error' | 'warning';
}

export const INSTRUCTIONS = [
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT',
  'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
] as const;

const KNOWN = new Set<string>(INSTRUCTIONS);

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function unknownInstruction(node: DockerfileNode): EditorDiagnostic {
  const word = node.value.toUpperCase();
  const best = INSTRUCTIONS.map((k) => ({ k, d: distance(word, k) })).sort((x, y) => x.d - y.d)[0]!;
  const hint = best.d <= 2 ? ` Did you mean ${best.k}?` : '';
  return { line: node.startLine, severity: 'error', message: `Unknown instruction: ${word}.${hint}` };
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Diagnostics for a Dockerfile's text, sorted by line. */
export function dockerfileDiagnostics(text: string): EditorDiagnostic[] {
  let ast;
  try {
    ast = parseDockerfile(text);
  } catch (err) {
    if (!(err instanceof DockerfileSyntaxError)) throw err;
    if (err.kind === 'no-instructions') {
      return [{ line: 1, severity: 'error', message: 'This Dockerfile is empty. Start with FROM and a base image, e.g. FROM alpine:3.20' }];
    }
    return [{ line: err.line, severity: 'error', message: `${capitalize(err.reason)}.` }];
  }

  const out: EditorDiagnostic[] = ast.warnings.map((w) => ({ line: w.line, severity: 'warning', message: w.short }));
  const hasFrom = ast.children.some((n) => n.value === 'from');
  let seenFrom = false;
  for (const node of ast.children) {
    if (!KNOWN.has(node.value.toUpperCase())) {
      out.push(unknownInstruction(node));
      continue;
    }
    if (node.subcommand && !KNOWN.has(node.subcommand.value.toUpperCase())) out.push(unknownInstruction(node.subcommand));
    if (node.value === 'from') seenFrom = true;
    else if (hasFrom && !seenFrom && node.value !== 'arg') {
      out.push({
        line: node.startLine,
        severity: 'error',
        message: `${node.value.toUpperCase()} comes before FROM. Only ARG may come before the first FROM.`,
      });
    }
  }
  if (!hasFrom) {
    out.push({ line: ast.startLine, severity: 'error', message: 'No FROM instruction: a Dockerfile must start FROM a base image, e.g. FROM alpine:3.20' });
  }
  return out.sort((a, b) => a.line - b.line);
}

/** Whether a workspace path names a Dockerfile (`Dockerfile`, `Dockerfile.dev`, `api.dockerfile`, `Containerfile`). */
export function isDockerfilePath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return /^(docker|container)file(\..+)?$/i.test(name) || /\.dockerfile$/i.test(name);
}
