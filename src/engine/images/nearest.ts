/**
 * The offered references nearest to one that is not offered, for "the closest tags it has":
 * the same repository's tags ranked by version nearness (3.12 → 3.13 and 3.11 before 3) and then
 * by variant words (`slim`, `bookworm`), else repositories spelled nearly the same. Pure.
 */
import { parseReference, type Reference } from './reference.ts';

/** How many references a hint names at most. */
export const MAX_CLOSEST = 3;

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
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

/** A tag read as a version (`3.12`) and variant words (`slim`, `bookworm`): `3.12-slim-bookworm`. */
interface TagParts {
  version: number[] | undefined;
  variant: Set<string>;
}

function tagParts(tag: string): TagParts {
  const m = /^(\d+(?:\.\d+)*)(?:-(.*))?$/.exec(tag);
  const rest = m ? (m[2] ?? '') : tag;
  // `latest` names no variant: it is only the default tag
  const variant = new Set(rest.split('-').filter((w) => w && w !== 'latest'));
  return { version: m ? m[1]!.split('.').map(Number) : undefined, variant };
}

/** Variant words one tag has and the other lacks (`slim` vs `slim-bookworm`: 1). */
function variantCost(a: TagParts, b: TagParts): number {
  let n = 0;
  for (const w of a.variant) if (!b.variant.has(w)) n++;
  for (const w of b.variant) if (!a.variant.has(w)) n++;
  return n;
}

/**
 * How far version `have` is from `want`: a major step costs 1000, a minor one 10, a patch 0.1;
 * a tag less exact than wanted (`3` for `3.12`) costs one and a half steps at that place, and a
 * tag with no version (`latest`, `slim`) one and a half major steps.
 */
function versionCost(want: number[] | undefined, have: number[] | undefined): number {
  if (!want) return 0;
  if (!have) return 1500;
  let cost = 0;
  for (let i = 0, weight = 1000; i < want.length; i++, weight /= 100) {
    const w = want[i]!;
    const h = have[i];
    if (h === undefined) return cost + 1.5 * weight;
    cost += Math.min(Math.abs(w - h), i === 0 ? Infinity : 99) * weight;
  }
  return cost;
}

/** Newer versions first (3.13 before 3.11, 1.35 before 1.35.0); tags without a version last. */
function newerFirst(a: number[] | undefined, b: number[] | undefined): number {
  if (!a || !b) return (a ? 0 : 1) - (b ? 0 : 1);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    // a version that stops earlier floats over the longer one (1.35 covers 1.35.0): it counts as newer
    const d = (b[i] ?? Infinity) - (a[i] ?? Infinity);
    if (d) return d;
  }
  return 0;
}

function parsed(references: readonly string[]): Reference[] {
  const out: Reference[] = [];
  const seen = new Set<string>();
  for (const r of references) {
    try {
      const ref = parseReference(r);
      if (!seen.has(ref.familiar)) out.push(ref);
      seen.add(ref.familiar);
    } catch {
      // not a reference: nothing to offer
    }
  }
  return out;
}

/** The last component of a repository (`python` of `someone/python`). */
const baseName = (repository: string) => repository.slice(repository.lastIndexOf('/') + 1);

/** How far repository `have` is from `want` (its full name or its last component, whichever is nearer). */
function repositoryDistance(want: string, have: string): number {
  return Math.min(editDistance(want, have), editDistance(baseName(want), baseName(have)));
}

/** Whether a repository spelled `d` edits away from `want` is close enough to suggest. */
const nearEnough = (want: string, d: number) => d <= Math.max(2, Math.floor(baseName(want).length / 3));

/**
 * Up to `max` of `available` (references as the catalog lists them) nearest to `wanted`, as Docker
 * prints them (`python:3.13-slim`): its repository's tags when the repository is offered, else the
 * tags of repositories spelled nearly the same; empty when nothing is near. `wanted` must parse.
 */
export function closestReferences(wanted: string, available: readonly string[], max = MAX_CLOSEST): string[] {
  const want = parseReference(wanted);
  const wantTag = tagParts(want.tag);
  const candidates = parsed(available).filter((c) => c.familiar !== want.familiar);
  const sameRepository = candidates.some((c) => c.repository === want.repository);
  const scored = candidates.flatMap((c) => {
    const repo = sameRepository ? (c.repository === want.repository ? 0 : Infinity) : repositoryDistance(want.repository, c.repository);
    if (repo === Infinity || (!sameRepository && !nearEnough(want.repository, repo))) return [];
    const tag = tagParts(c.tag);
    return [{ c, tag, key: [repo, versionCost(wantTag.version, tag.version), variantCost(wantTag, tag), editDistance(want.tag, c.tag)] }];
  });
  scored.sort((x, y) => {
    for (let i = 0; i < x.key.length; i++) if (x.key[i] !== y.key[i]) return x.key[i]! - y.key[i]!;
    return newerFirst(x.tag.version, y.tag.version) || x.c.familiar.localeCompare(y.c.familiar);
  });
  return scored.slice(0, Math.max(0, max)).map((s) => s.c.familiar);
}

/** Whether `available` offers any tag of `wanted`'s repository. */
export function offersRepository(wanted: string, available: readonly string[]): boolean {
  const repository = parseReference(wanted).repository;
  return parsed(available).some((r) => r.repository === repository);
}

/** The repositories `available` offers, in catalog order (`busybox`, `debian`, `python`). */
export function offeredRepositories(available: readonly string[]): string[] {
  return [...new Set(parsed(available).map((r) => r.repository))];
}

/**
 * LayerLab's one line after Docker's error for a reference the offline catalog lacks, e.g.
 * `LayerLab runs offline and has no python:3.12-slim; the closest tags it has: python:3.13-slim, python:3.11-slim.`
 */
export function offlineHint(wanted: string, available: readonly string[]): string {
  const want = parseReference(wanted);
  const closest = closestReferences(wanted, available);
  if (offersRepository(wanted, available)) {
    return `LayerLab runs offline and has no ${want.familiar}; the closest tags it has: ${closest.join(', ')}.`;
  }
  if (closest.length) return `LayerLab runs offline and has no image named ${want.repository}; the closest it has: ${closest.join(', ')}.`;
  const repositories = offeredRepositories(available);
  return repositories.length
    ? `LayerLab runs offline and has no image named ${want.repository}; the images it has: ${repositories.join(', ')}.`
    : `LayerLab runs offline and has no image named ${want.repository}, nor any other image to offer.`;
}
