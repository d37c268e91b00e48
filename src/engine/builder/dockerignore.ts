/**
 * `.dockerignore`: patterns (Go filepath.Match plus `**`), `!` exceptions, `#` comments; a
 * later pattern wins; a path is excluded when it or a parent directory matches.
 */

/** One parsed pattern. */
export interface IgnorePattern {
  regexp: RegExp;
  exclusion: boolean;
}

/** Parses the file's text. */
export function parseDockerignore(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const exclusion = line.startsWith('!');
    if (exclusion) line = line.slice(1).trim();
    line = line
      .replace(/^\/+/, '')
      .replace(/\/+$/, '')
      .split('/')
      .filter((p) => p !== '.')
      .join('/');
    if (!line) continue;
    let re = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '*' && line[i + 1] === '*') {
        re += line[i + 2] === '/' ? '(?:.*/)?' : '.*';
        i += line[i + 2] === '/' ? 2 : 1;
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else if (c === '\\' && i + 1 < line.length) re += `\\${line[++i]}`;
      else re += c.replace(/[.+^${}()|[\]]/g, '\\$&');
    }
    out.push({ regexp: new RegExp(`^${re}$`), exclusion });
  }
  return out;
}

/** Whether a context path (relative, `/`-separated) is ignored. */
export function matchesDockerignore(patterns: IgnorePattern[], path: string): boolean {
  const parts = path.split('/');
  let ignored = false;
  for (const p of patterns) {
    for (let i = 1; i <= parts.length; i++) {
      if (p.regexp.test(parts.slice(0, i).join('/'))) {
        ignored = !p.exclusion;
        break;
      }
    }
  }
  return ignored;
}
