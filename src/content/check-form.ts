/**
 * The Share dialog's check form: the common checks a teacher picks from a list and fills in with
 * plain words (no regular expressions, no JSON), turned into a check in the lessons' vocabulary.
 * Several conditions combine as `all` (every one must pass). Text a teacher types is matched
 * literally (escaped), so the student's "not yet" messages quote it as typed.
 */
import { escapePattern } from './pattern.ts';
import type { Check } from './types.ts';

/** What one condition of the form asks for. */
export type CheckFormKind = 'container' | 'running' | 'image' | 'file' | 'ran';

/** The conditions the form offers, in its menu's order, with their labels. */
export const CHECK_FORM_KINDS: readonly { kind: CheckFormKind; label: string }[] = [
  { kind: 'running', label: 'A container is running' },
  { kind: 'container', label: 'A container exists' },
  { kind: 'image', label: 'An image exists' },
  { kind: 'file', label: 'A file in a container' },
  { kind: 'ran', label: 'A command was run' },
];

/**
 * One condition as the form holds it. Fields by kind: `container`/`running`: `name` (the
 * container), optional `image`; `image`: `name` (name:tag); `file`: `name` (the container),
 * `path`, optional `text` (what the file contains); `ran`: `text` (what the command line contains).
 */
export interface CheckFormRow {
  kind: CheckFormKind;
  name: string;
  image: string;
  path: string;
  text: string;
}

/** The longest text a form field takes (an escaped pattern must stay within the schema's 300). */
export const FORM_TEXT_MAX = 150;

/** An empty condition of a kind. */
export function emptyRow(kind: CheckFormKind = 'running'): CheckFormRow {
  return { kind, name: '', image: '', path: '', text: '' };
}

/** What is missing or wrong in a condition, in words (empty when it is complete). */
export function rowProblems(row: CheckFormRow): string[] {
  const out: string[] = [];
  const name = row.name.trim();
  const tooLong = (what: string, s: string) =>
    s.length > FORM_TEXT_MAX && out.push(`${what} is too long (at most ${FORM_TEXT_MAX} characters).`);
  switch (row.kind) {
    case 'container':
    case 'running':
      if (!name) out.push("Give the container's name.");
      else if (/\s/.test(name)) out.push('A container name has no spaces.');
      if (/\s/.test(row.image.trim())) out.push('An image name has no spaces.');
      break;
    case 'image':
      if (!name) out.push("Give the image's name (name:tag, or just the name for :latest).");
      else if (/\s/.test(name)) out.push('An image name has no spaces.');
      break;
    case 'file':
      if (!name) out.push("Give the container's name.");
      else if (/\s/.test(name)) out.push('A container name has no spaces.');
      if (!row.path.trim().startsWith('/')) out.push('Give the file\'s full path in the container, starting with "/".');
      tooLong('The text the file contains', row.text);
      break;
    case 'ran':
      if (!row.text.trim()) out.push('Give the text the command contains (for example docker run -d --name web).');
      tooLong('The command', row.text.trim());
      break;
  }
  return out;
}

/** One condition as a check predicate. */
export function rowCheck(row: CheckFormRow): Check {
  const name = row.name.trim();
  const image = row.image.trim();
  switch (row.kind) {
    case 'container':
      return { container: { name, ...(image ? { image } : {}) } };
    case 'running':
      return { container: { name, state: 'running', ...(image ? { image } : {}) } };
    case 'image':
      return { image: { ref: name } };
    case 'file':
      return { container: { name, file: { path: row.path.trim(), ...(row.text !== '' ? { contains: escapePattern(row.text) } : {}) } } };
    case 'ran':
      return { ran: { command: escapePattern(row.text.trim()) } };
  }
}

/** The whole form as one check: a single condition as it is, several under `all`; undefined when a condition is incomplete. */
export function checkFromForm(rows: readonly CheckFormRow[]): Check | undefined {
  if (rows.length === 0 || rows.some((r) => rowProblems(r).length > 0)) return undefined;
  return rows.length === 1 ? rowCheck(rows[0]!) : { all: rows.map(rowCheck) };
}
