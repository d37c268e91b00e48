/**
 * Applies a `docker cp` change from the engine worker to the page's workspace, or says why not
 * (a read-only shared workspace, a name the workspace refuses, a file too large to keep).
 */
import type { Workspace } from './workspace.svelte.ts';
import type { WorkspaceChange, WorkspaceRefusal } from './workspace-fs.ts';

/** Writes or removes a workspace file for `docker cp`; a refusal carries an errno name and the reason. */
export function applyWorkspaceChange(workspace: Workspace, change: WorkspaceChange, readOnly: boolean): WorkspaceRefusal | undefined {
  if (readOnly) return { code: 'EROFS', hint: 'This shared workspace is read-only: its files can be opened but not changed.' };
  try {
    if (change.op === 'write') workspace.put(change.path, change.data, change.modified);
    else workspace.remove(change.path);
  } catch (err) {
    return { code: 'EACCES', hint: (err as Error).message };
  }
  return undefined;
}
