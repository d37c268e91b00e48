/**
 * The workspace's flat paths as a folder tree, for FileTree.svelte. Pure.
 */

export interface FileNode {
  kind: 'file';
  path: string;
  name: string;
  binary: boolean;
}

export interface FolderNode {
  kind: 'folder';
  /** `''` for the root. */
  path: string;
  name: string;
  children: TreeNode[];
}

export type TreeNode = FileNode | FolderNode;

/** A node as shown: in order, with its depth (1 for the top level). */
export interface VisibleNode {
  node: TreeNode;
  level: number;
  parent: string;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Builds the tree: folders before files, each sorted by name. */
export function buildTree(files: readonly { path: string; data?: Uint8Array }[]): FolderNode {
  const root: FolderNode = { kind: 'folder', path: '', name: '', children: [] };
  const folders = new Map<string, FolderNode>([['', root]]);
  const folder = (path: string): FolderNode => {
    let f = folders.get(path);
    if (!f) {
      const cut = path.lastIndexOf('/');
      f = { kind: 'folder', path, name: path.slice(cut + 1), children: [] };
      folders.set(path, f);
      folder(cut < 0 ? '' : path.slice(0, cut)).children.push(f);
    }
    return f;
  };
  for (const file of files) {
    const cut = file.path.lastIndexOf('/');
    folder(cut < 0 ? '' : file.path.slice(0, cut)).children.push({
      kind: 'file',
      path: file.path,
      name: file.path.slice(cut + 1),
      binary: file.data !== undefined,
    });
  }
  const sort = (f: FolderNode) => {
    f.children.sort((a, b) => (a.kind === b.kind ? collator.compare(a.name, b.name) : a.kind === 'folder' ? -1 : 1));
    for (const c of f.children) if (c.kind === 'folder') sort(c);
  };
  sort(root);
  return root;
}

/** The nodes a reader sees, top to bottom, skipping the insides of collapsed folders. */
export function visibleNodes(root: FolderNode, collapsed: ReadonlySet<string>): VisibleNode[] {
  const out: VisibleNode[] = [];
  const walk = (f: FolderNode, level: number) => {
    for (const node of f.children) {
      out.push({ node, level, parent: f.path });
      if (node.kind === 'folder' && !collapsed.has(node.path)) walk(node, level + 1);
    }
  };
  walk(root, 1);
  return out;
}

/** The folder a path is in (`''` at the top). */
export function dirname(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

/** Number of files in a folder, nested ones included. */
export function countFiles(node: TreeNode): number {
  return node.kind === 'file' ? 1 : node.children.reduce((n, c) => n + countFiles(c), 0);
}
