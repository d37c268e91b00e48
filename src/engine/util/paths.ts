/** Paths as Go's `path` package treats them (`/`-separated, no file system). */

/** Go's `path.Clean`: `.` and `..` resolved lexically, doubled and trailing slashes dropped (`''` → `.`). */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return rooted ? '/' + joined : joined || '.';
}
