/**
 * The page's `TerminalHost`: the terminal's docker and machine sessions go to the engine worker,
 * and its shell's host files (`>`, `>>`, `<`) are the workspace's files.
 */
import type { TerminalHost } from '../ui/terminal/host.ts';
import type { EngineClient } from './engine-client.ts';
import type { Workspace } from './workspace.svelte.ts';
import { applyWorkspaceChange } from './workspace-changes.ts';

/** What the host reads at each call (the client and the open workspace change over a page's life). */
export interface TerminalHostDeps {
  client(): EngineClient;
  workspace(): Workspace;
  /** A shared link opened read-only: writes are refused with a hint. */
  readOnly(): boolean;
}

/** Builds the terminal's host over the engine client and the open workspace. */
export function workspaceTerminalHost(deps: TerminalHostDeps): TerminalHost {
  return {
    docker: (argv, size, h, line, options) =>
      deps
        .client()
        .docker(
          argv,
          size,
          deps.workspace().files(),
          { output: (d, stream) => h.output(d, stream), exit: h.exit },
          line,
          deps.workspace().modifiedTimes(),
          options,
        ),
    readFile: (path) => deps.workspace().files()[path],
    writeFile: (path, data, append) => {
      const workspace = deps.workspace();
      const before = append ? workspace.files()[path] : undefined;
      const next = before ? new Uint8Array(before.length + data.length) : data;
      if (before) {
        next.set(before);
        next.set(data, before.length);
      }
      return applyWorkspaceChange(workspace, { op: 'write', path, data: next, modified: Date.now() }, deps.readOnly())?.hint;
    },
    vm: (size, h, command) => deps.client().vm(size, { output: (d) => h.output(d), exit: h.exit }, command),
    stdin: (s, d) => deps.client().stdin(s, d),
    resize: (s, r, c) => deps.client().resize(s, r, c),
    interrupt: (s) => deps.client().interrupt(s),
    complete: (line) => deps.client().complete(line),
  };
}
