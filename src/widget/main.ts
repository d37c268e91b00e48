/**
 * `<layerlab-playground>`: LayerLab's compact playground as a custom element, for documentation
 * sites on any origin. One script and one element:
 *
 *   <script type="module" src="https://LAYERLAB/widget.js"></script>
 *   <layerlab-playground tag="hello">
 *     FROM busybox
 *     CMD ["echo", "hello"]
 *   </layerlab-playground>
 *
 * The element's text is the Dockerfile; `<script type="text/plain" data-file="NAME">` (or
 * `<template data-file="NAME">`) children are more files of the build context. Attributes:
 * `dockerfile-src="URL"`, `files="app.py=URL,requirements.txt=URL"` (fetched, relative to the
 * page), `tag` (default `widget`), `run` (the Run button's command, default
 * `docker run --rm TAG`), `height` (a CSS height; by default the widget fits the Dockerfile).
 *
 * Everything renders in a shadow root, with its styles there only. This script is the light
 * shell; the first Build or Run loads the rest and starts the guest, one per page for all widgets.
 */
import { mount, unmount } from 'svelte';
import themeCss from '../ui/theme.css?inline';
import Widget from './Widget.svelte';
import { imageTag, parseSources, readContent } from './content.ts';

/** LayerLab's site root, where this script was loaded from (`vm/`, `images/`, the worker), not the page's. */
const BASE = new URL(import.meta.env.BASE_URL, import.meta.url).href;

/**
 * `--ll-rem`, the length the shared components use for `rem` (see svelte.config.js), registered
 * as a `<length>` so that `1em` on the host computes there, once, instead of at every use. Where
 * registering is not possible, the components fall back to the page's `rem`.
 */
const OWN_REM = (() => {
  try {
    CSS.registerProperty({ name: '--ll-rem', syntax: '<length>', inherits: true, initialValue: '16px' });
    return true;
  } catch (err) {
    // registered already (a second copy of this script on the page) is fine
    return err instanceof DOMException && err.name === 'InvalidModificationError';
  }
})();

/**
 * The host box: nothing inherited from the page (font, colour, line height…) reaches the widget,
 * and its `rem` is the browser's default font size rather than the page's root font size.
 */
const HOST_CSS = `:host { all: initial; display: block;${OWN_REM ? ' --ll-rem: 1em;' : ''} } :host([hidden]) { display: none; }`;

class LayerLabPlayground extends HTMLElement {
  private app: ReturnType<typeof mount> | undefined;

  connectedCallback(): void {
    if (this.app) return;
    // a parser-inserted element may not have its content yet
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', () => this.isConnected && this.connectedCallback(), { once: true });
      return;
    }
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    root.replaceChildren();
    const style = document.createElement('style');
    style.textContent = themeCss + HOST_CSS;
    root.append(style);
    if (import.meta.env.DEV) mirrorDevStyles(root);
    const tag = imageTag(this.getAttribute('tag'));
    this.app = mount(Widget, {
      target: root,
      props: {
        files: readContent(this),
        sources: parseSources(this.getAttribute('dockerfile-src'), this.getAttribute('files'), this.baseURI),
        tag,
        run: this.getAttribute('run')?.trim() || `docker run --rm ${tag}`,
        height: this.getAttribute('height')?.trim() || undefined,
        base: BASE,
      },
    });
  }

  disconnectedCallback(): void {
    // moving the element re-connects it at once; only a removed one is taken down
    queueMicrotask(() => {
      if (this.isConnected || !this.app) return;
      void unmount(this.app);
      this.app = undefined;
    });
  }
}

/**
 * In the dev server, component CSS goes to the page's head (`vite build` compiles the widget's
 * components with their CSS injected into the shadow root instead): copy it in.
 */
function mirrorDevStyles(root: ShadowRoot): void {
  const copy = () => {
    for (const old of root.querySelectorAll('style[data-dev-copy]')) old.remove();
    for (const s of document.head.querySelectorAll('style[data-vite-dev-id]')) {
      const c = s.cloneNode(true) as HTMLStyleElement;
      c.dataset.devCopy = '';
      root.prepend(c);
    }
  };
  copy();
  new MutationObserver(copy).observe(document.head, { childList: true, subtree: true, characterData: true });
}

if (!customElements.get('layerlab-playground')) customElements.define('layerlab-playground', LayerLabPlayground);
