/**
 * An image as a stack of layers (dive's layer list, `docker history` bottom-up): one bar per
 * layer with the instruction that made it, its size and what it added, changed and removed, and
 * thin markers for the steps that only changed settings (ENV, CMD, EXPOSE…).
 */
import type { HistoryEntry, ImageInspect } from '../engine/api.ts';
import type { LayerStats } from '../engine/layer/index.ts';
import { listWords, plural, shortHex, sizeLabel, spokenSize, truncate, truncateWords } from './format.ts';

/** Smallest `relativeHeight` a layer gets, so a 1 kB layer stays visible next to a 30 MB one. */
export const MIN_LAYER_HEIGHT = 0.06;

/** Longest `label` (characters) before it is cut with `…`. */
export const LABEL_LENGTH = 48;

/** Longest instruction (characters) in alt text, cut at a word. */
const ALT_LENGTH = 72;

/** One layer of the stack, bottom layer first (index 0). */
export interface ImageLayer {
  /** Position in the stack: 0 is the bottom (the first layer of `RootFS.Layers`). */
  index: number;
  /** The Dockerfile line a student wrote, e.g. `RUN pip install -r requirements.txt`. */
  instruction: string;
  /** `instruction` cut to `LABEL_LENGTH` characters for drawing. */
  label: string;
  /** The instruction keyword (`RUN`, `COPY`, `ADD`, `WORKDIR`…), '' when the history does not say. */
  keyword: string;
  /** The history's `created_by`, untouched. */
  createdBy: string;
  /** When the step ran (ISO time, '' when unknown). */
  created: string;
  /** Uncompressed bytes of the layer. */
  size: number;
  /** `size` as Docker prints it ("2.12MB"). */
  sizeLabel: string;
  /** The layer changes nothing: 0 bytes, or (with statistics) no path added, modified or removed. */
  emptyLayer: boolean;
  /** Digest of the stored blob (maybe compressed), '' when unknown. */
  digest: string;
  /** Digest of the uncompressed tar: the layer's identity, shared by every image that has it. */
  diffID: string;
  /** First 12 hex digits of `diffID`. */
  shortId: string;
  /** Paths the layer creates (when statistics were given). */
  added: number | undefined;
  /** Paths the layer replaces or whose metadata it changes (when statistics were given). */
  modified: number | undefined;
  /** Lower paths the layer deletes (when statistics were given). */
  removed: number | undefined;
  /** Bytes of lower files the layer overwrites or deletes (when statistics were given). */
  wastedSize: number | undefined;
  /** Height for drawing, 0..1: size relative to the largest layer, at least `MIN_LAYER_HEIGHT`. */
  relativeHeight: number;
}

/** A history step that made no layer (ENV, CMD, EXPOSE…): a thin marker between layers. */
export interface MetadataStep {
  /** The Dockerfile line, e.g. `CMD ["python3", "app.py"]`. */
  instruction: string;
  /** `instruction` cut to `LABEL_LENGTH` characters. */
  label: string;
  /** The instruction keyword (`ENV`, `CMD`…), '' when unknown. */
  keyword: string;
  /** The history's `created_by`, untouched. */
  createdBy: string;
  /** When the step ran (ISO time, '' when unknown). */
  created: string;
  /** Index of the layer just below the marker; -1 when it comes before the first layer. */
  afterLayer: number;
}

/** What a picture of an image's layer stack shows. */
export interface ImageLayersView {
  /** Image ID (`sha256:…`). */
  id: string;
  /** First 12 hex digits of the image ID. */
  shortId: string;
  /** The first tag, or the short ID for an untagged image. */
  title: string;
  /** All `name:tag` references. */
  tags: string[];
  /** Bytes of all layers. */
  totalSize: number;
  /** `totalSize` as Docker prints it. */
  totalSizeLabel: string;
  /** Number of layers. */
  layerCount: number;
  /** `layerCount` in words: "1 layer", "5 layers". */
  layerCountLabel: string;
  /** The layers, bottom first. */
  layers: ImageLayer[];
  /** The steps without a layer, in Dockerfile order. */
  metadataSteps: MetadataStep[];
  /** The whole picture in words, for screen readers. */
  alt: string;
}

const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const SHELL_PREFIX = /^(?:\/usr)?(?:\/bin\/)?(?:sh|bash|ash|dash) -c(?:\s+|$)/;
const LEGACY_NOP = /^(?:\/bin\/)?sh -c #\(nop\)\s*/;

/** Removes BuildKit's `|N k=v …` build-arg prefix of a RUN. */
function stripBuildArgs(text: string): string {
  const m = /^\|(\d+)\s+/.exec(text);
  if (!m) return text;
  let rest = text.slice(m[0].length);
  for (let i = 0; i < Number(m[1]); i++) rest = rest.replace(/^\S+\s*/, '');
  return rest;
}

/** Go-quoted or JSON string list `["a" "b"]` / `["a","b"]` → `["a", "b"]`; undefined if it is not one. */
function jsonList(text: string): string | undefined {
  const m = /^\[\s*((?:"(?:[^"\\]|\\.)*"\s*,?\s*)*)\]$/.exec(text);
  if (!m) return undefined;
  const items = (m[1] ?? '').match(/"(?:[^"\\]|\\.)*"/g) ?? [];
  return `[${items.join(', ')}]`;
}

/** Go's `%v` of a string list `[a b]` → its words. */
function goList(text: string): string[] | undefined {
  const m = /^\[(.*)\]$/.exec(text);
  return m ? (m[1] ?? '').split(/\s+/).filter(Boolean) : undefined;
}

function rewriteInstruction(keyword: string, rest: string): string {
  switch (keyword) {
    case 'RUN': {
      const cmd = stripBuildArgs(rest);
      return `RUN ${cmd.replace(SHELL_PREFIX, '')}`.trim();
    }
    case 'CMD':
    case 'ENTRYPOINT': {
      const list = jsonList(rest);
      return `${keyword} ${list ?? rest}`;
    }
    case 'EXPOSE': {
      // BuildKit: `EXPOSE [80/tcp]`; older BuildKit: `EXPOSE map[80/tcp:{}]`.
      const ports = goList(rest.replace(/^map\[/, '[').replace(/:\{\}/g, ''));
      return ports ? `EXPOSE ${ports.map((p) => p.replace(/\/tcp$/, '')).join(' ')}` : `EXPOSE ${rest}`;
    }
    case 'VOLUME': {
      const paths = goList(rest);
      return `VOLUME ${paths ? paths.join(' ') : rest}`;
    }
    case 'SHELL': {
      const words = jsonList(rest) ? undefined : goList(rest);
      return `SHELL ${words ? `[${words.map((w) => JSON.stringify(w)).join(', ')}]` : rest}`;
    }
    case 'HEALTHCHECK': {
      const test = /\{Test:\[([^\]]*)\]/.exec(rest)?.[1]?.split(' ') ?? [];
      if (test[0] === 'NONE') return 'HEALTHCHECK NONE';
      if (test[0] === 'CMD-SHELL') return `HEALTHCHECK CMD ${test.slice(1).join(' ')}`;
      if (test[0] === 'CMD')
        return `HEALTHCHECK CMD [${test
          .slice(1)
          .map((w) => JSON.stringify(w))
          .join(', ')}]`;
      return `HEALTHCHECK ${rest}`;
    }
    default:
      return `${keyword} ${rest}`.trim();
  }
}

/**
 * The Dockerfile line behind a history `created_by`: BuildKit's `RUN /bin/sh -c cmd # buildkit`
 * and `RUN |1 A=b /bin/sh -c cmd` become `RUN cmd`, `COPY a b # buildkit` becomes `COPY a b`,
 * `CMD ["sh" "-c" "x"]` becomes `CMD ["sh", "-c", "x"]`, `EXPOSE [80/tcp]` becomes `EXPOSE 80`,
 * and the legacy builder's `/bin/sh -c #(nop)  CMD ["sh"]` / `/bin/sh -c apk add` are read too.
 * A `# comment` (how non-Dockerfile tools describe a layer) loses its `#`. Whitespace runs
 * collapse to one space; anything else is returned as it is.
 */
export function instructionFromCreatedBy(createdBy: string): string {
  let text = createdBy
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s*# buildkit$/, '');
  if (LEGACY_NOP.test(text)) {
    text = text.replace(LEGACY_NOP, '');
  } else if (/^\|\d+ /.test(text) || SHELL_PREFIX.test(text)) {
    return rewriteInstruction('RUN', text);
  }
  // Tools other than a Dockerfile build describe a step with a comment: keep its words.
  if (text.startsWith('#')) return text.replace(/^#+\s*/, '');
  const m = /^([A-Z]+)(?:\s+(.*))?$/.exec(text);
  if (!m || !KEYWORDS.has(m[1] ?? '')) return text;
  return rewriteInstruction(m[1] ?? '', (m[2] ?? '').trim());
}

/** The keyword of an instruction (`RUN`…), or '' when it does not start with one. */
export function instructionKeyword(instruction: string): string {
  const word = /^[A-Z]+/.exec(instruction)?.[0] ?? '';
  return KEYWORDS.has(word) && (instruction.length === word.length || instruction[word.length] === ' ') ? word : '';
}

/** History oldest first: the engine (like `docker history`) lists the newest step first. */
function oldestFirst(inspect: ImageInspect, history: readonly HistoryEntry[]): HistoryEntry[] {
  const last = history[history.length - 1];
  if (history.length > 1 && last?.id === inspect.Id && history[0]?.id !== inspect.Id) return [...history];
  return [...history].reverse();
}

/**
 * The layer stack of an image, bottom first, from `docker image inspect` and `docker history`
 * (newest first, as the engine returns it) and optional per-layer statistics by diffID.
 */
export function imageLayersView(
  inspect: ImageInspect,
  history: readonly HistoryEntry[],
  stats?: ReadonlyMap<string, LayerStats>,
): ImageLayersView {
  const diffIDs = inspect.RootFS.Layers;
  const details = inspect.LayerDetails ?? [];
  const steps = oldestFirst(inspect, history);
  const layerHistory: (HistoryEntry | undefined)[] = [];
  const metadataSteps: MetadataStep[] = [];
  for (const h of steps) {
    if (h.emptyLayer) {
      const instruction = instructionFromCreatedBy(h.createdBy);
      metadataSteps.push({
        instruction,
        label: truncate(instruction, LABEL_LENGTH),
        keyword: instructionKeyword(instruction),
        createdBy: h.createdBy,
        created: h.created,
        afterLayer: Math.min(layerHistory.length, diffIDs.length) - 1,
      });
    } else {
      layerHistory.push(h);
    }
  }

  const sizes = diffIDs.map((_, i) => details[i]?.size ?? layerHistory[i]?.size ?? 0);
  const largest = Math.max(0, ...sizes);
  const layers = diffIDs.map((diffID, index): ImageLayer => {
    const h = layerHistory[index];
    const detail = details[index];
    const createdBy = h?.createdBy || detail?.createdBy || '';
    const instruction = instructionFromCreatedBy(createdBy);
    const size = sizes[index] ?? 0;
    const s = stats?.get(diffID);
    return {
      index,
      instruction,
      label: truncate(instruction, LABEL_LENGTH),
      keyword: instructionKeyword(instruction),
      createdBy,
      created: h?.created ?? '',
      size,
      sizeLabel: sizeLabel(size),
      emptyLayer: size === 0 || (s !== undefined && s.added + s.modified + s.removed === 0),
      digest: detail?.digest ?? '',
      diffID,
      shortId: shortHex(diffID),
      added: s?.added,
      modified: s?.modified,
      removed: s?.removed,
      wastedSize: s?.shadowedSize,
      relativeHeight: largest > 0 ? Math.max(MIN_LAYER_HEIGHT, size / largest) : MIN_LAYER_HEIGHT,
    };
  });

  const totalSize = inspect.Size || sizes.reduce((a, b) => a + b, 0);
  const title = inspect.RepoTags[0] ?? shortHex(inspect.Id);
  const view: Omit<ImageLayersView, 'alt'> = {
    id: inspect.Id,
    shortId: shortHex(inspect.Id),
    title,
    tags: [...inspect.RepoTags],
    totalSize,
    totalSizeLabel: sizeLabel(totalSize),
    layerCount: layers.length,
    layerCountLabel: plural(layers.length, 'layer'),
    layers,
    metadataSteps,
  };
  return { ...view, alt: imageLayersAlt(view) };
}

function layerSentence(layer: ImageLayer): string {
  const parts = [`${layer.index + 1}. ${truncateWords(layer.instruction, ALT_LENGTH) || 'unknown step'}, ${spokenSize(layer.size)}`];
  if (layer.added !== undefined) {
    const did: string[] = [];
    if (layer.added) did.push(`${plural(layer.added, 'path')} added`);
    if (layer.modified) did.push(`${plural(layer.modified ?? 0, 'path')} changed`);
    if (layer.removed) did.push(`${plural(layer.removed ?? 0, 'path')} removed`);
    parts.push(did.length ? listWords(did) : 'no file changes');
  }
  return `${parts.join(', ')}.`;
}

function imageLayersAlt(view: Omit<ImageLayersView, 'alt'>): string {
  const out = [
    `Image ${view.title} has ${plural(view.layerCount, 'layer')}, ${spokenSize(view.totalSize)} in total, listed from the bottom:`,
  ];
  const markers = (after: number) =>
    view.metadataSteps.filter((m) => m.afterLayer === after).map((m) => truncateWords(m.instruction, ALT_LENGTH));
  const before = markers(-1);
  if (before.length) out.push(`Settings first: ${listWords(before)}.`);
  for (const layer of view.layers) {
    out.push(layerSentence(layer));
    const settings = markers(layer.index);
    if (settings.length) out.push(`Then settings without a layer: ${listWords(settings)}.`);
  }
  return out.join(' ');
}
