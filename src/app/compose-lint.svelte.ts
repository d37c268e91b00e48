/**
 * Live diagnostics of the compose file open in the editor: a quarter of a second after typing
 * stops, the text is loaded as `docker compose` would load it (`composeDiagnostics`: the
 * workspace's `.env` beside it for interpolation, `env_file:` from the workspace, no environment
 * of the page's own). Until the new answer comes the last one stays, so the marks do not flicker
 * while typing; an answer for text that has changed since is never shown over a newer one.
 */
import { composeDiagnostics, isComposePath } from '../ui/editor/compose-diagnostics.ts';
import type { EditorDiagnostic } from '../ui/editor/diagnostics.ts';
import type { Workspace } from './workspace.svelte.ts';

const DELAY_MS = 250;

/** The file the editor shows (a text file), or undefined. */
type OpenFile = { path: string; text: string } | undefined;

export class ComposeLint {
  /** The last answer: for which file and text. */
  private found: { path: string; text: string; diagnostics: EditorDiagnostic[] } | undefined = $state.raw();
  /** Counts runs, so a slow answer for older text is dropped. */
  private run = 0;

  /** Call while a component initialises (it keeps an effect). */
  constructor(file: () => OpenFile, workspace: () => Workspace) {
    $effect(() => {
      const f = file();
      if (!f || !isComposePath(f.path)) return;
      const ws = workspace();
      const dir = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/') + 1) : '';
      const dotenv = ws.get(`${dir}.env`);
      const options = {
        path: f.path,
        ...(dotenv && !dotenv.data ? { dotenv: dotenv.text } : {}),
        readFile: (path: string) => {
          const found = ws.get(path);
          return found && !found.data ? found.text : undefined;
        },
      };
      const text = f.text;
      const run = ++this.run;
      const timer = setTimeout(() => {
        void composeDiagnostics(text, options).then((diagnostics) => {
          if (run === this.run) this.found = { path: options.path, text, diagnostics };
        });
      }, DELAY_MS);
      return () => clearTimeout(timer);
    });
  }

  /** The problems to show for `path`: the last answer for that file (its text may be a few keys behind). */
  diagnosticsFor(path: string): EditorDiagnostic[] {
    return this.found?.path === path ? this.found.diagnostics : [];
  }
}
