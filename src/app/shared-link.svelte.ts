/**
 * A workspace opened from a share link (`#share=…`): kept apart from the visitor's own files, under
 * a storage key of its own (a hash of the link), so edits survive a reload of the same link. A
 * broken link changes nothing and says why. The decoder and the banner load on demand.
 */
import type SharedBannerComponent from './share/SharedBanner.svelte';
import type { SharedWorkspace } from './share/link.ts';
import { Workspace } from './workspace.svelte.ts';

/** 32-bit FNV-1a of a string, as hex (a short stable key for a link). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The open share link, if any. */
export class SharedLink {
  /** What the link carries. */
  shared: SharedWorkspace | undefined = $state();
  /** Why the last link could not be opened. */
  error: string | undefined = $state();
  /** The link's suggested commands were sent to the terminal. */
  commandsQueued = $state(false);
  /** The banner component, once loaded. */
  Banner: typeof SharedBannerComponent | undefined = $state();
  /** The link's own workspace. */
  workspace: Workspace | undefined;
  /** The open link's storage key (a hash of its fragment). */
  private key = '';

  /** Visitors may run commands but not edit files. */
  get readOnly(): boolean {
    return !!this.shared?.readOnly;
  }

  /**
   * Decodes `fragment` and opens its workspace; `knowsLesson` says whether a lesson id exists (the
   * lessons are loaded first when the link names one). Returns the link, or undefined (with `error`).
   */
  async open(fragment: string, knowsLesson: (id: string) => Promise<boolean>): Promise<SharedWorkspace | undefined> {
    try {
      const [{ decodeShare }, banner] = await Promise.all([import('./share/link.ts'), import('./share/SharedBanner.svelte')]);
      this.Banner = banner.default;
      const s = await decodeShare(fragment);
      if (s.lesson && !(await knowsLesson(s.lesson))) delete s.lesson;
      this.error = undefined;
      this.workspace?.dispose();
      this.key = fnv1a(fragment);
      this.workspace = new Workspace({ key: `layerlab.workspace.shared.${this.key}`, initialFiles: s.files });
      this.shared = s;
      this.commandsQueued = false;
      return s;
    } catch (err) {
      this.error = (err as Error).message;
      return undefined;
    }
  }

  /** Back to the visitor's own work: the link's workspace is closed and the link leaves the address bar. */
  close(): void {
    history.pushState(null, '', location.pathname + location.search);
    this.shared = undefined;
    this.error = undefined;
    this.workspace?.dispose();
    this.workspace = undefined;
  }

  /**
   * When the visitor first opened the shared exercise, kept per link like its workspace: what they
   * ran before a reload still counts for its check.
   */
  started(): number {
    const key = `layerlab.shared-started.${this.key}`;
    try {
      const stored = Number(localStorage.getItem(key));
      if (stored > 0) return stored;
      localStorage.setItem(key, String(Date.now()));
    } catch {
      // no localStorage: from now
    }
    return Date.now();
  }
}
