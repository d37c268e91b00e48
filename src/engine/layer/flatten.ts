/** A merged filesystem tree as one flat tar (`docker export`): every path once, parents first, hard links kept as links. */
import type { TarEntryInit } from './tar.ts';
import type { FsTree } from './tree.ts';

/** The tree's paths as tar members in walk order; later paths sharing an inode become hard links to the first. */
export function treeToTarEntries(tree: FsTree): TarEntryInit[] {
  const out: TarEntryInit[] = [];
  const firstOfInode = new Map<number, string>();
  for (const [path, node] of tree.walk()) {
    const meta = {
      mode: node.mode,
      uid: node.uid,
      gid: node.gid,
      mtime: node.mtime,
      mtimeNsec: node.mtimeNsec,
      xattrs: { ...node.xattrs },
    };
    if (node.type === 'directory') {
      out.push({ ...meta, name: `${path}/`, type: 'directory' });
      continue;
    }
    if (node.type === 'file') {
      const first = firstOfInode.get(node.ino);
      if (first !== undefined) {
        out.push({ ...meta, name: path, type: 'hardlink', linkname: first });
        continue;
      }
      firstOfInode.set(node.ino, path);
      out.push({ ...meta, name: path, type: 'file', data: node.data ?? new Uint8Array(node.size) });
      continue;
    }
    if (node.type === 'symlink') out.push({ ...meta, name: path, type: 'symlink', linkname: node.linkname });
    else out.push({ ...meta, name: path, type: node.type, devmajor: node.devmajor, devminor: node.devminor });
  }
  return out;
}
