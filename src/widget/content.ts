/**
 * What a `<layerlab-playground>` element says: its Dockerfile and files (from its content or
 * from URLs in its attributes), the image tag and the Run command. Pure except `readContent`,
 * which reads a DOM element.
 */

/** A file of the widget's build context. */
export interface WidgetFile {
  name: string;
  text: string;
}

/** A file to fetch: `dockerfile-src="URL"` or one entry of `files="NAME=URL,…"`. */
export interface WidgetSource {
  name: string;
  url: string;
}

/** The tag a widget builds when its `tag` attribute is missing or not a valid reference. */
export const DEFAULT_TAG = 'widget';

/**
 * Text written inside HTML, as the file it stands for: the blank first and last lines dropped,
 * the indentation every line shares removed (docs indent their markup), a final newline.
 */
export function dedent(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[0]!.trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  if (!lines.length) return '';
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = Math.min(...indents);
  return `${lines.map((l) => l.slice(cut).replace(/[ \t]+$/, '')).join('\n')}\n`;
}

/** `tag="NAME[:TAG]"` if it is a plain image reference, else `DEFAULT_TAG`. */
export function imageTag(value: string | null | undefined): string {
  const v = value?.trim() ?? '';
  return /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/.test(v) ? v : DEFAULT_TAG;
}

/** A file name a build context may hold: relative, no `..`, no backslashes. */
export function safeFileName(name: string): boolean {
  return !!name && !name.startsWith('/') && !name.includes('\\') && name.split('/').every((p) => p && p !== '.' && p !== '..');
}

/**
 * The files to fetch: `dockerfile-src` (as `Dockerfile`) and `files="app.py=URL,dir/b.txt=URL"`,
 * URLs resolved against `baseURI` (the page). Entries without `=` or with an unsafe name are skipped.
 */
export function parseSources(dockerfileSrc: string | null, files: string | null, baseURI: string): WidgetSource[] {
  const out: WidgetSource[] = [];
  const add = (name: string, url: string) => {
    try {
      if (safeFileName(name) && url) out.push({ name, url: new URL(url, baseURI).href });
    } catch {
      // not a URL: skipped
    }
  };
  if (dockerfileSrc?.trim()) add('Dockerfile', dockerfileSrc.trim());
  for (const entry of (files ?? '').split(',')) {
    const at = entry.indexOf('=');
    if (at > 0) add(entry.slice(0, at).trim(), entry.slice(at + 1).trim());
  }
  return out;
}

/** Dockerfile first, then the other files in the order given; a later file of the same name wins. */
export function orderFiles(files: readonly WidgetFile[]): WidgetFile[] {
  const byName = new Map<string, WidgetFile>();
  for (const f of files) byName.set(f.name, f);
  const list = [...byName.values()];
  return [...list.filter((f) => f.name === 'Dockerfile'), ...list.filter((f) => f.name !== 'Dockerfile')];
}

/**
 * The files written inside the element: `<script type="text/plain" data-file="NAME">` and
 * `<template data-file="NAME">` children are files; everything else (text, a `<pre>`, a
 * `<template>` without a name) is the Dockerfile.
 */
export function readContent(element: Element): WidgetFile[] {
  const files: WidgetFile[] = [];
  let dockerfile = '';
  for (const node of Array.from(element.childNodes)) {
    if (node instanceof HTMLTemplateElement || (node instanceof HTMLScriptElement && /^text\/plain$/i.test(node.type))) {
      const text = node instanceof HTMLTemplateElement ? (node.content.textContent ?? '') : (node.textContent ?? '');
      const name = node.dataset.file?.trim();
      if (name && name !== 'Dockerfile') {
        if (safeFileName(name)) files.push({ name, text: dedent(text) });
      } else dockerfile += text;
    } else if (node instanceof HTMLScriptElement || node instanceof HTMLStyleElement) {
      continue;
    } else {
      dockerfile += node.textContent ?? '';
    }
  }
  const text = dedent(dockerfile);
  return orderFiles([...(text ? [{ name: 'Dockerfile', text }] : []), ...files]);
}

/**
 * The steps of a Dockerfile that will make a layer, for the picture drawn before the first build:
 * each FROM (the base image's layers) and each RUN, COPY and ADD, continuation lines joined.
 */
export function plannedLayers(dockerfile: string): { keyword: string; text: string }[] {
  const out: { keyword: string; text: string }[] = [];
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    const m = /^(FROM|RUN|COPY|ADD)\s+(.*)$/i.exec(line);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), text: m[2]!.replace(/\s+/g, ' ') });
  }
  return out;
}
