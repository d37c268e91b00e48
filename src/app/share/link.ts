/**
 * Share links: a whole workspace (files, lesson and step, commands to run on open, read-only mode,
 * an exercise with a check) carried in the URL fragment, so no server ever sees it.
 *
 * The fragment is `#share=1.<payload>`: `1` is the format version, the payload is the JSON of a
 * `SharedWorkspace`, compressed with deflate-raw (`CompressionStream`) and written in base64url.
 * Decoding never trusts the link: sizes are bounded before anything is allocated (inflating stops
 * at the limit, so a "zip bomb" is never expanded), every field is checked, and each problem is a
 * `ShareLinkError` whose message a visitor can act on. Nothing here produces HTML; the strings of a
 * link are text and the renderer must keep them text.
 *
 * Pure: no DOM, no storage. The check of an exercise is validated with the lessons' zod schema,
 * which is imported only when a link has an exercise (so zod stays out of the main bundle).
 */
import { tokenizeCommandLine } from '../../engine/cli/argv.ts';
import type { Check } from '../../content/types.ts';
import { MAX_FILE_BYTES, MAX_PATH_LENGTH, validatePath } from '../workspace.svelte.ts';

/** What a share link carries. */
export interface SharedWorkspace {
  /** The payload format (the fragment's `1.` says the same). */
  v: 1;
  /** The build context's text files (binary uploads cannot be shared). */
  files: { path: string; text: string }[];
  /** A lesson id (`03-dockerfiles`) to open beside the workspace. */
  lesson?: string;
  /** The lesson's step, counted from 0 (like `LessonProgress.current`); only with `lesson`. */
  step?: number;
  /** Commands to type into the terminal when the link opens, in order. */
  commands?: string[];
  /** Visitors can run commands but not edit files. */
  readOnly?: boolean;
  /** A task the visitor's workspace is checked against (the lessons' check vocabulary). */
  exercise?: { task: string; check: Check; hints: string[] };
  /** A name for the shared workspace, shown in the banner. */
  title?: string;
}

export type ShareLinkErrorKind = 'truncated' | 'version' | 'too-large' | 'corrupt' | 'invalid';

/** A link that cannot be opened (or a workspace that cannot be shared), with a plain message. */
export class ShareLinkError extends Error {
  override readonly name = 'ShareLinkError';
  readonly kind: ShareLinkErrorKind;
  /** Which part of the link is wrong, e.g. `files[3].path: …` (for 'invalid' and 'too-large'). */
  readonly detail: string | undefined;

  constructor(kind: ShareLinkErrorKind, message: string, detail?: string) {
    super(message);
    this.kind = kind;
    this.detail = detail;
  }
}

/** The limits every link is held to (when made and when opened). */
export const SHARE_LIMITS = Object.freeze({
  /** Characters of the whole fragment (`#share=1.…`). */
  fragmentChars: 2 * 1024 * 1024,
  /** Bytes of the decompressed JSON; inflating stops as soon as this is passed. */
  jsonBytes: 4 * 1024 * 1024,
  files: 500,
  /** UTF-8 bytes of one file, as in the workspace. */
  fileBytes: MAX_FILE_BYTES,
  commands: 20,
  commandChars: 1000,
  titleChars: 200,
  taskChars: 4000,
  hints: 20,
  hintChars: 1000,
  /** Steps are counted from 0 and stay below this. */
  steps: 100,
  /** How deeply all/any/not may nest in a check. */
  checkDepth: 16,
});

/** The fragment key; the version and a dot follow it. */
export const SHARE_PREFIX = '#share=';
/** The payload format this version writes and reads. */
export const SHARE_VERSION = 1;

const LESSON_ID = /^\d\d-[a-z0-9-]+$/;
const KEYS = ['v', 'files', 'lesson', 'step', 'commands', 'readOnly', 'exercise', 'title'] as const;
const EXERCISE_KEYS = ['task', 'check', 'hints'] as const;
const PREDICATES = ['all', 'any', 'not', 'image', 'container', 'containers', 'volume', 'ran', 'build', 'registry', 'file'] as const;
/** Compressed bytes handed to the inflater at a time: bounds what one write can expand to (~1 MB). */
const INFLATE_CHUNK = 1024;
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Control characters other than tab: a newline would type a second command unseen. */
const COMMAND_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/**
 * Characters that make a command look other than it runs: bidirectional overrides and isolates
 * (which reorder what is shown) and invisible ones (zero-width spaces and joiners, soft hyphen,
 * word joiner, byte order mark). What a visitor reads must be what runs.
 */
const COMMAND_INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const encoder = new TextEncoder();

const MESSAGES: Record<Exclude<ShareLinkErrorKind, 'invalid'>, string> = {
  truncated: 'This link is incomplete — it may have been cut off when it was copied. Ask for the link again.',
  version: 'This link was made by a newer LayerLab than this page. Reload the page to get the newest version, then open the link again.',
  'too-large': 'This link holds more than LayerLab can open at once. Ask for a smaller one (fewer or smaller files).',
  corrupt: 'This link is damaged — part of it was changed or lost when it was copied, so it cannot be read. Ask for the link again.',
};

/** A problem found while checking a payload; turned into a `ShareLinkError` by the caller. */
class Problem extends Error {
  constructor(
    readonly kind: 'invalid' | 'too-large',
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Shows a string from a link in a message: quoted, shortened, control characters escaped. */
function show(s: string): string {
  const short = s.length > 60 ? s.slice(0, 57) + '…' : s;
  return JSON.stringify(short);
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) throw new Problem('invalid', `${at ? at + ': ' : ''}unknown field ${show(k)}`);
  }
}

function text(v: unknown, at: string, max: number, opts: { control?: RegExp; empty?: boolean } = {}): string {
  if (typeof v !== 'string') throw new Problem('invalid', `${at}: should be text, not ${describeType(v)}`);
  if (!opts.empty && v.trim() === '') throw new Problem('invalid', `${at}: is empty`);
  if (v.length > max) throw new Problem('invalid', `${at}: is too long (${v.length} characters; at most ${max})`);
  if (opts.control?.test(v)) throw new Problem('invalid', `${at}: contains a control character (such as a line break)`);
  return v;
}

function list(v: unknown, at: string, max: number, kind: 'invalid' | 'too-large' = 'invalid'): unknown[] {
  if (!Array.isArray(v)) throw new Problem('invalid', `${at}: should be a list, not ${describeType(v)}`);
  if (v.length > max) throw new Problem(kind, `${at}: has ${v.length} entries; at most ${max}`);
  return v;
}

function utf8Length(s: string): number {
  // exact only when it matters: a string's UTF-8 length is between length and 3 × length
  return s.length * 3 <= SHARE_LIMITS.fileBytes ? s.length : encoder.encode(s).length;
}

function checkFiles(v: unknown): { path: string; text: string }[] {
  const files = list(v, 'files', SHARE_LIMITS.files, 'too-large');
  const out: { path: string; text: string }[] = [];
  const seen = new Set<string>();
  files.forEach((f, i) => {
    const at = `files[${i}]`;
    if (!isPlainObject(f)) throw new Problem('invalid', `${at}: should be an object with a path and a text`);
    onlyKeys(f, ['path', 'text'], at);
    const { path, text: body } = f;
    if (typeof path !== 'string') throw new Problem('invalid', `${at}.path: should be text, not ${describeType(path)}`);
    if (path.length > MAX_PATH_LENGTH)
      throw new Problem('invalid', `${at}.path: is too long (${path.length} characters; at most ${MAX_PATH_LENGTH})`);
    let valid: string;
    try {
      valid = validatePath(path);
    } catch (err) {
      throw new Problem('invalid', `${at}.path: ${(err as Error).message}`);
    }
    if (valid !== path) throw new Problem('invalid', `${at}.path: ${show(path)} starts or ends with a space`);
    if (seen.has(path)) throw new Problem('invalid', `${at}.path: there are two files named ${show(path)}`);
    seen.add(path);
    if (typeof body !== 'string') throw new Problem('invalid', `${at}.text: should be text, not ${describeType(body)}`);
    const bytes = utf8Length(body);
    if (bytes > SHARE_LIMITS.fileBytes) {
      throw new Problem('too-large', `${at}: ${show(path)} is larger than ${SHARE_LIMITS.fileBytes / 1024 / 1024} MB`);
    }
    out.push({ path, text: body });
  });
  // a name can't be both a file and a folder (`app` and `app/main.py`)
  for (const { path } of out) {
    const parts = path.split('/');
    for (let n = 1; n < parts.length; n++) {
      const dir = parts.slice(0, n).join('/');
      if (seen.has(dir)) throw new Problem('invalid', `files: ${show(dir)} is a file, so it can't also be the folder of ${show(path)}`);
    }
  }
  return out;
}

/** Checks the shape of a check without zod (so zod's union errors can be made readable). */
async function checkProblemsAt(value: unknown, at: string, depth: number, out: string[]): Promise<void> {
  if (out.length >= 5) return;
  if (depth > SHARE_LIMITS.checkDepth) {
    out.push(`${at}: checks are nested too deeply (at most ${SHARE_LIMITS.checkDepth} levels of all/any/not)`);
    return;
  }
  if (!isPlainObject(value)) {
    out.push(`${at}: should be an object such as {"image": {"ref": "web"}}, not ${describeType(value)}`);
    return;
  }
  const keys = Object.keys(value).filter((k) => k !== 'message');
  if ('message' in value && (typeof value.message !== 'string' || value.message === '')) {
    out.push(`${at}.message: should be a non-empty text`);
  }
  const unknown = keys.filter((k) => !(PREDICATES as readonly string[]).includes(k));
  if (unknown.length) {
    out.push(`${at}: ${show(unknown[0]!)} is not a kind of check (use one of ${PREDICATES.join(', ')})`);
    return;
  }
  if (keys.length !== 1) {
    out.push(
      keys.length === 0
        ? `${at}: says nothing to check (use one of ${PREDICATES.join(', ')})`
        : `${at}: has ${keys.join(' and ')}; use one per object (combine them with all)`,
    );
    return;
  }
  const key = keys[0]!;
  const inner = value[key];
  if (key === 'all' || key === 'any') {
    if (!Array.isArray(inner) || inner.length === 0) {
      out.push(`${at}.${key}: should be a non-empty list of checks`);
      return;
    }
    for (let i = 0; i < inner.length; i++) await checkProblemsAt(inner[i], `${at}.${key}[${i}]`, depth + 1, out);
    return;
  }
  if (key === 'not') {
    await checkProblemsAt(inner, `${at}.not`, depth + 1, out);
    return;
  }
  // one predicate: its own schema decides; pick the union branch that is about this key
  const { checkSchema } = await import('../../content/schema.ts');
  const result = checkSchema.safeParse({ [key]: inner });
  if (result.success) return;
  for (const issue of zodIssues(result.error.issues, key))
    out.push(issue.path.length ? `${at}.${issue.path.join('.')}: ${issue.message}` : `${at}: ${issue.message}`);
}

interface LooseIssue {
  code?: string;
  path: PropertyKey[];
  message: string;
  errors?: LooseIssue[][];
}

/** The issues of the union branch for `key` (all of whose paths start with it), readable. */
function zodIssues(issues: readonly LooseIssue[], key: string): { path: string[]; message: string }[] {
  const about = (list: readonly LooseIssue[]) => list.length > 0 && list.every((i) => i.path[0] === key);
  let chosen: readonly LooseIssue[] | undefined = about(issues) ? issues : undefined;
  for (const issue of issues) {
    if (chosen) break;
    chosen = issue.errors?.find(about);
  }
  if (!chosen) return [{ path: [key], message: 'is not a valid check' }];
  return chosen.slice(0, 3).map((i) => ({
    path: i.path.map(String),
    message: i.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, ' (it is missing)'),
  }));
}

/**
 * What is wrong with a check in the lessons' vocabulary (see lessons/README.md), as lines such as
 * `check.image.ref: expected string, received number`; empty when it is fine. Imports the zod
 * schema on first use.
 */
export async function checkProblems(value: unknown, at = 'check'): Promise<string[]> {
  const out: string[] = [];
  await checkProblemsAt(value, at, 0, out);
  if (out.length) return out;
  // the walk agreed; the schema has the last word
  const { checkSchema } = await import('../../content/schema.ts');
  return checkSchema.safeParse(value).success ? [] : [`${at}: is not a valid check`];
}

/** Checks a parsed payload and returns a clean copy holding only known fields. */
async function checkPayload(value: unknown): Promise<SharedWorkspace> {
  if (!isPlainObject(value)) throw new Problem('invalid', `the link holds ${describeType(value)}, not a workspace`);
  // the version first: a newer format may well have fields this one doesn't know
  if (value.v !== SHARE_VERSION) {
    if (typeof value.v === 'number' && value.v > SHARE_VERSION) throw new ShareLinkError('version', MESSAGES.version, `format ${value.v}`);
    throw new Problem('invalid', `v: should be ${SHARE_VERSION}`);
  }
  onlyKeys(value, KEYS, '');
  const out: SharedWorkspace = { v: 1, files: checkFiles(value.files) };
  if (value.title !== undefined) out.title = text(value.title, 'title', SHARE_LIMITS.titleChars, { control: CONTROL });
  if (value.lesson !== undefined) {
    const id = text(value.lesson, 'lesson', 100);
    if (!LESSON_ID.test(id)) throw new Problem('invalid', `lesson: ${show(id)} is not a lesson name (like "03-dockerfiles")`);
    out.lesson = id;
  }
  if (value.step !== undefined) {
    const s = value.step;
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s >= SHARE_LIMITS.steps) {
      throw new Problem('invalid', `step: should be a whole number from 0 to ${SHARE_LIMITS.steps - 1}`);
    }
    if (out.lesson === undefined) throw new Problem('invalid', 'step: is given without a lesson');
    out.step = s;
  }
  if (value.commands !== undefined) {
    out.commands = list(value.commands, 'commands', SHARE_LIMITS.commands).map((c, i) => {
      const command = text(c, `commands[${i}]`, SHARE_LIMITS.commandChars, { control: COMMAND_CONTROL });
      const hidden = COMMAND_INVISIBLE.exec(command);
      if (hidden) {
        const code = hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        throw new Problem(
          'invalid',
          `commands[${i}]: contains an invisible or direction-changing character (U+${code}), so it would not run as it reads`,
        );
      }
      if (carriesPassword(command)) {
        throw new Problem(
          'invalid',
          `commands[${i}]: docker login with a password would put the password in the link for everyone who opens it; suggest "docker login HOST" and let each visitor type their own`,
        );
      }
      return command;
    });
  }
  if (value.readOnly !== undefined) {
    if (typeof value.readOnly !== 'boolean')
      throw new Problem('invalid', `readOnly: should be true or false, not ${describeType(value.readOnly)}`);
    out.readOnly = value.readOnly;
  }
  if (value.exercise !== undefined) {
    const ex = value.exercise;
    if (!isPlainObject(ex)) throw new Problem('invalid', `exercise: should be an object with a task, a check and hints`);
    onlyKeys(ex, EXERCISE_KEYS, 'exercise');
    const task = text(ex.task, 'exercise.task', SHARE_LIMITS.taskChars);
    const hints = list(ex.hints ?? [], 'exercise.hints', SHARE_LIMITS.hints).map((h, i) =>
      text(h, `exercise.hints[${i}]`, SHARE_LIMITS.hintChars),
    );
    if (ex.check === undefined) throw new Problem('invalid', 'exercise.check: is missing');
    const problems = await checkProblems(ex.check, 'exercise.check');
    if (problems.length) throw new Problem('invalid', problems.join('; '));
    // the schema accepted it; a copy shares nothing with the value given (which may be a proxy)
    out.exercise = { task, check: JSON.parse(JSON.stringify(ex.check)) as Check, hints };
  }
  return out;
}

/** A detail inside a sentence: without its own final full stop. */
const clause = (detail: string) => detail.replace(/\.$/, '');

function invalidMessage(detail: string, making: boolean): string {
  return making
    ? `This workspace can't be shared: ${clause(detail)}.`
    : `This link can't be opened because part of it is not right (${clause(detail)}). Ask whoever sent it for a new link.`;
}

function tooLargeMessage(detail: string, making: boolean): string {
  return making ? `This workspace is too large to share: ${clause(detail)}.` : `${MESSAGES['too-large']} (${clause(detail)}.)`;
}

async function checked(value: unknown, making: boolean): Promise<SharedWorkspace> {
  try {
    return await checkPayload(value);
  } catch (err) {
    if (err instanceof Problem) {
      throw new ShareLinkError(
        err.kind,
        err.kind === 'invalid' ? invalidMessage(err.detail, making) : tooLargeMessage(err.detail, making),
        err.detail,
      );
    }
    if (err instanceof ShareLinkError) throw err;
    // e.g. a stack overflow on something absurdly nested: still just a bad link
    throw new ShareLinkError('invalid', invalidMessage('it could not be read as a workspace', making), String(err));
  }
}

// ---- bytes ------------------------------------------------------------------------------------

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64url; undefined when a character is not base64url. */
function fromBase64Url(s: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  // one dangling character carries no whole byte: the end was cut off, and the inflater will say so
  const whole = s.length % 4 === 1 ? s.slice(0, -1) : s;
  const b64 = whole.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (whole.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return undefined;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function deflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Browsers and Node word it differently: "unexpected end of file", "input was truncated". */
const ENDED_EARLY = /end of (file|stream|input|data)|truncat|incomplete|Z_BUF_ERROR/i;

/**
 * Inflates at most `limit` bytes. The input is fed in small pieces and each is read out before the
 * next goes in, so a bomb stops growing at about `limit` (+1 MB) instead of being expanded whole.
 */
async function inflate(bytes: Uint8Array<ArrayBuffer>, limit: number): Promise<Uint8Array> {
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let stop = false;
  const feeding = (async () => {
    for (let i = 0; i < bytes.length && !stop; i += INFLATE_CHUNK) {
      await writer.ready;
      await writer.write(bytes.subarray(i, i + INFLATE_CHUNK));
    }
    if (!stop) await writer.close();
  })();
  // its failures show up on the reading side too
  feeding.catch(() => {});
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        stop = true;
        await reader.cancel().catch(() => {});
        await writer.abort().catch(() => {});
        throw new ShareLinkError(
          'too-large',
          `${MESSAGES['too-large']} (It holds more than ${limit / 1024 / 1024} MB of text.)`,
          `more than ${limit} bytes once decompressed`,
        );
      }
      chunks.push(value);
    }
    await feeding;
  } catch (err) {
    stop = true;
    if (err instanceof ShareLinkError) throw err;
    const e = err as { message?: unknown; code?: unknown };
    const said = `${String(e?.message ?? err)} ${String(e?.code ?? '')}`;
    if (ENDED_EARLY.test(said)) throw new ShareLinkError('truncated', MESSAGES.truncated, said.trim());
    throw new ShareLinkError('corrupt', MESSAGES.corrupt, said.trim());
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// ---- the link ---------------------------------------------------------------------------------

/** Whether a location's hash is a share link (open it with `decodeShare`). */
export function isShareFragment(hash: string): boolean {
  return hash.startsWith(SHARE_PREFIX) || hash.startsWith(SHARE_PREFIX.slice(1));
}

/** Whether a command line is `docker login` given a password (`-p`, `--password`, `--password-stdin`), which a link must never carry. */
function carriesPassword(command: string): boolean {
  const words = tokenizeCommandLine(command).words;
  const login = words.indexOf('login');
  if (login < 0 || !words.slice(0, login).some((w) => w === 'docker')) return false;
  // --password-stdin too: what a link could pipe in (echo PASS | docker login …) is in the link
  return words.slice(login + 1).some((w) => /^-p|^--password(=|$|-stdin$)/.test(w));
}

/**
 * The fragment (`#share=1.…`) that opens `state`. Checks it against the same rules as opening
 * does, so a link that is made can be opened; throws a `ShareLinkError` (kind 'invalid' or
 * 'too-large', message for the person sharing) otherwise.
 */
export async function encodeShare(state: SharedWorkspace): Promise<string> {
  const clean = await checked(state, true);
  const json = encoder.encode(JSON.stringify(clean));
  if (json.length > SHARE_LIMITS.jsonBytes) {
    throw new ShareLinkError('too-large', tooLargeMessage(`its text is more than ${SHARE_LIMITS.jsonBytes / 1024 / 1024} MB`, true));
  }
  const fragment = `${SHARE_PREFIX}${SHARE_VERSION}.${toBase64Url(await deflate(json))}`;
  if (fragment.length > SHARE_LIMITS.fragmentChars) {
    throw new ShareLinkError(
      'too-large',
      tooLargeMessage(`the link would be longer than ${SHARE_LIMITS.fragmentChars / 1024 / 1024} MB`, true),
    );
  }
  return fragment;
}

/** A full link: `base` without its own fragment, then the share fragment. */
export async function shareUrl(base: string, state: SharedWorkspace): Promise<string> {
  const hash = base.indexOf('#');
  return (hash >= 0 ? base.slice(0, hash) : base) + (await encodeShare(state));
}

/**
 * Reads a share fragment (`#share=1.…`, with or without the `#`). Throws a `ShareLinkError` for
 * anything that is not a sound link this version can open; never changes anything.
 */
export async function decodeShare(fragment: string): Promise<SharedWorkspace> {
  if (fragment.length > SHARE_LIMITS.fragmentChars) {
    throw new ShareLinkError(
      'too-large',
      `${MESSAGES['too-large']} (The link is longer than ${SHARE_LIMITS.fragmentChars / 1024 / 1024} MB.)`,
      `fragment of ${fragment.length} characters`,
    );
  }
  const raw = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  const key = SHARE_PREFIX.slice(1);
  if (!raw.startsWith(key)) throw new ShareLinkError('corrupt', 'This is not a LayerLab share link.', 'no "share=" at the start');
  // mail programs wrap long lines; spaces and line breaks are never part of a link
  const body = raw.slice(key.length).replace(/\s+/g, '');
  const m = /^(\d{1,6})(?:\.([\s\S]*))?$/.exec(body);
  if (!m) {
    if (body === '') throw new ShareLinkError('truncated', MESSAGES.truncated, 'nothing after "share="');
    throw new ShareLinkError('corrupt', MESSAGES.corrupt, 'no version number after "share="');
  }
  const version = Number(m[1]);
  if (version > SHARE_VERSION) throw new ShareLinkError('version', MESSAGES.version, `format ${version}`);
  if (version !== SHARE_VERSION) throw new ShareLinkError('corrupt', MESSAGES.corrupt, `format ${version}`);
  const payload = m[2];
  if (!payload) throw new ShareLinkError('truncated', MESSAGES.truncated, 'no data after the version');
  const bytes = fromBase64Url(payload);
  if (!bytes) throw new ShareLinkError('corrupt', MESSAGES.corrupt, 'characters that are not base64url');
  const json = await inflate(bytes, SHARE_LIMITS.jsonBytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (err) {
    throw new ShareLinkError('corrupt', MESSAGES.corrupt, `not JSON: ${(err as Error).message}`);
  }
  return checked(value, false);
}
