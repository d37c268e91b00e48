/**
 * The workspace as the file tree sees it: its files, the selection, and the changes a student
 * makes (each refused with an `Error` a student can act on). `src/app`'s `Workspace` implements it;
 * the tree never imports the app.
 */

/** One file as the tree shows it: a text file, or bytes for a binary one. */
export interface WorkspaceEntry {
  /** Relative path, `/`-separated (`app/main.py`). */
  path: string;
  /** The content of a text file; empty for a binary file. */
  text: string;
  /** The content of a binary file. */
  data?: Uint8Array;
}

/** What the file tree reads and changes. */
export interface WorkspaceModel {
  /** Every file. */
  readonly entries: readonly WorkspaceEntry[];
  /** The path of the file the editor shows. */
  readonly selected: string | undefined;
  /** Why the last save failed, if it did. */
  readonly saveError: string | undefined;
  /** A one-line notice for the student (dismissed by setting it to undefined). */
  notice: string | undefined;
  /** The file at `path`. */
  get(path: string): WorkspaceEntry | undefined;
  /** Whether a file is at `path`. */
  has(path: string): boolean;
  /** Creates an empty file (or a folder's first file); returns its path. */
  create(path: string): string;
  /** Renames a file or folder; returns the new path. */
  rename(from: string, to: string): string;
  /** Deletes a file or folder. */
  remove(path: string): void;
  /** Shows `path` in the editor. */
  select(path: string): void;
  /** Adds files from the student's computer into `folder`; returns the paths added. */
  upload(files: readonly File[], folder?: string): Promise<string[]>;
}
