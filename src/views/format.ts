/**
 * Small text helpers the view models share: sizes as Docker prints them and as a screen reader
 * should say them, short ids, counted nouns and truncation.
 */
import { bytesSize } from '../engine/cli/format.ts';
import { humanSize } from '../engine/oci/display.ts';

/** Docker's SIZE column for `bytes`: decimal units, three digits ("2.12MB", "0B"). */
export function sizeLabel(bytes: number): string {
  return humanSize(Math.max(0, bytes));
}

/** `sizeLabel` with a space before the unit, which screen readers say better ("2.12 MB"). */
export function spokenSize(bytes: number): string {
  return sizeLabel(bytes).replace(/^([\d.]+)(\D+)$/, '$1 $2');
}

/** Memory as Docker prints limits and `docker info`'s Total Memory: binary units ("64MiB"). */
export function memoryLabel(bytes: number): string {
  return bytesSize(Math.max(0, bytes));
}

/** `memoryLabel` with a space before the unit, for alt text ("64 MiB"). */
export function spokenMemory(bytes: number): string {
  return memoryLabel(bytes).replace(/^([\d.]+)(\D+)$/, '$1 $2');
}

/** The first 12 hex digits of an id or digest (`sha256:` dropped), as Docker shows ids. */
export function shortHex(id: string): string {
  const hex = id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
  return hex.slice(0, 12);
}

/** "1 layer", "5 layers": `count` and the noun, with an explicit plural when it is irregular. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `text` cut to `max` characters (code points), ending in `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, Math.max(1, max - 1)).join('')}…` : text;
}

/** A share of a whole as a whole percentage for alt text ("4%"), "0%" for an empty whole. */
export function percent(part: number, whole: number): string {
  return `${whole > 0 ? Math.round((part / whole) * 100) : 0}%`;
}

/** `text` cut at a space to at most `max` characters, ending in `…` when cut (for alt text). */
export function truncateWords(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const space = head.lastIndexOf(' ');
  return `${(space > max / 2 ? head.slice(0, space) : head).replace(/[\s,;:]+$/, '')}…`;
}
