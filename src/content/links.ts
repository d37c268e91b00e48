/**
 * Which links lesson text may carry: https, http and relative ones. The scheme is read the way a
 * browser reads it (`new URL`), so tabs, line breaks and other characters a browser strips from a
 * URL cannot smuggle in `javascript:` (`java\tscript:` passes a naive `^[a-z]+:` test).
 */

const BASE = 'https://layerlab.invalid/';

/** The link as given when a browser would open it with http(s); undefined otherwise. */
export function safeHref(href: string): string | undefined {
  try {
    const { protocol } = new URL(href, BASE);
    return protocol === 'https:' || protocol === 'http:' ? href : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a link leaves the site (opens in a new tab). */
export function isExternal(href: string): boolean {
  try {
    return new URL(href, BASE).origin !== new URL(BASE).origin;
  } catch {
    return false;
  }
}
