/**
 * The workspace's rules for paths and sizes, and its text test: pure, so the page's `Workspace`
 * and the engine worker (which writes `docker cp` output into the workspace) share them.
 */

/** Longest path accepted (tar's ustar limit is 255 with its prefix field). */
export const MAX_PATH_LENGTH = 255;
/** Largest file accepted (the browser's storage holds about 5 MB in all). */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Shows a path in a message. */
const q = (path: string) => `"${path}"`;

/**
 * Checks a path typed by a student and returns it trimmed; throws an `Error` explaining what to
 * change otherwise.
 */
export function validatePath(input: string): string {
  const path = input.trim();
  if (path === '') throw new Error('Please type a name for the file.');
  if (path.includes('\\')) throw new Error(`Use / to separate folders, not \\ (in ${q(path)}).`);
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) {
    throw new Error(
      `${q(path)} is an absolute path. Paths in the build context start at its top folder: write ${q(path.replace(/^([a-zA-Z]:)?\/+/, '') || 'name')} instead.`,
    );
  }
  const parts = path.split('/');
  if (parts.includes('..'))
    throw new Error(`${q(path)} uses "..", which would point outside the build context. Docker can only see files inside it.`);
  if (parts.some((p) => p === '' || p === '.'))
    throw new Error(`${q(path)} has an empty folder name (look for "//", "./" or a "/" at the end).`);
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new Error(`${q(path)} contains an invisible control character; please retype the name.`);
  if (path.length > MAX_PATH_LENGTH) {
    throw new Error(`That path is too long (${path.length} characters); keep it to ${MAX_PATH_LENGTH} or fewer.`);
  }
  return path;
}

/** The text of bytes that look like text (valid UTF-8 without NUL bytes), else undefined. */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
