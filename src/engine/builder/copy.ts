/**
 * COPY and ADD: the layer entries they make from the build context, an earlier stage or an
 * image (`--from`), with Docker's rules for sources (globs, directories copied by their contents,
 * local archives extracted by ADD), destinations (a directory when it ends in `/`, exists or takes
 * several sources), `--chmod` and `--chown` (names looked up in the image's passwd and group),
 * and times (context files keep theirs; directories a COPY makes get the newest below them).
 */
import {
  decompress,
  isCompressed,
  mergeLayers,
  readTar,
  splitSeconds,
  type FsTree,
  type TarEntry,
  type TarEntryInit,
} from '../layer/index.ts';
import { tarEntry } from '../layer/tar.ts';
import { lineError, posixJoin, type StepContext } from './step-context.ts';

const enc = new TextEncoder();

/** The layer entries of the COPY or ADD `ctx.node`, sorted by name. */
export async function copyEntries(ctx: StepContext): Promise<TarEntry[]> {
  const { node, state, expand, deps } = ctx;
  const flags = new Map<string, string>();
  for (const f of node.flags) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(f);
    if (!m || !['from', 'chown', 'chmod', 'link', 'parents', 'exclude', 'keep-git-dir', 'checksum'].includes(m[1]!))
      throw lineError(node, `unknown flag: ${f.split('=')[0]}`);
    flags.set(m[1]!, m[2] ?? 'true');
  }
  const words = node.next.map(expand);
  if (node.heredocs.length) {
    // COPY <<EOF /dest
    const dest = words[words.length - 1] ?? '/';
    return node.heredocs.map((h) =>
      tarEntry({ name: posixJoin(state.config.WorkingDir || '/', dest).slice(1), type: 'file', mode: 0o644, data: enc.encode(h.content) }),
    );
  }
  if (words.length < 2)
    throw lineError(
      node,
      `${node.value.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined`,
    );
  const sources = words.slice(0, -1);
  let dest = words[words.length - 1]!;
  const workdir = state.config.WorkingDir || '/';
  let destIsDir = dest.endsWith('/') || dest === '.' || dest === '..' || dest.endsWith('/.') || sources.length > 1;
  dest = posixJoin(workdir, dest);
  if (!destIsDir && state.id) {
    // an existing directory in the image is copied into, like Docker
    const tree = await deps.images.tree(await deps.images.resolve(state.id));
    destIsDir = tree.get(dest.slice(1))?.type === 'directory' || dest === '/';
  }
  const chmod = flags.get('chmod');
  const mode = chmod !== undefined ? parseInt(chmod, 8) : undefined;
  if (chmod !== undefined && (!/^[0-7]{3,4}$/.test(chmod) || Number.isNaN(mode)))
    throw lineError(node, `invalid chmod parameter: ${chmod}`);
  const owner = await resolveChown(ctx, flags.get('chown'));

  const from = flags.get('from');
  const files = from ? await stageSources(ctx, from, sources, destIsDir) : await contextSources(ctx, sources, destIsDir);
  return layerEntries(files, dest.slice(1), destIsDir, { chmod, mode, owner, keepOwners: Boolean(from) });
}

/**
 * A file to copy: its path relative to the source root ('' for a single file copied to a path)
 * and its node. A directory without a time is one the COPY makes up (a context folder) and gets
 * the newest time below it.
 */
interface Source {
  path: string;
  /** A `hardlink` names, in `linkname`, the source path of the file it shares (copied before it). */
  type: 'file' | 'directory' | 'symlink' | 'hardlink';
  data?: Uint8Array;
  mode: number;
  linkname?: string;
  uid: number;
  gid: number;
  mtime?: number;
  mtimeNsec?: number;
}

/** `COPY --from=<stage or image>`: the sources from that stage's or image's files, owners and times kept. */
async function stageSources(
  { node, stages, stage, results, deps, signal }: StepContext,
  from: string,
  sources: readonly string[],
  destIsDir: boolean,
): Promise<Source[]> {
  const files: Source[] = [];
  /** Each copied file's inode in the source tree: hard links stay links, as BuildKit keeps them. */
  const inodes = new Map<Source, number>();
  const st = stages.find((s) => (s.name === from.toLowerCase() || String(s.index) === from) && s.index < stage.index);
  let tree: FsTree;
  if (st) {
    const r = results.get(st.index);
    if (!r) throw lineError(node, `stage ${from} has not been built`);
    tree = r.id ? await deps.images.tree(await deps.images.resolve(r.id)) : mergeLayers([]);
  } else {
    let id: string;
    try {
      id = await deps.images.resolveId(from);
    } catch {
      id = (await (deps.pull ? deps.pull(from, signal) : deps.images.pull(from, undefined, signal))).id;
    }
    tree = await deps.images.tree(await deps.images.resolve(id));
  }
  for (const src of sources) {
    const p = posixJoin('/', src).slice(1);
    const root = p ? tree.get(p) : tree.root;
    if (!root) throw lineError(node, `failed to compute cache key: "/${p}": not found`);
    const walk = (path: string, rel: string) => {
      const n = path ? tree.get(path) : tree.root;
      if (!n) return;
      if (n.type === 'directory') {
        if (rel) files.push({ path: rel, type: 'directory', mode: n.mode, uid: n.uid, gid: n.gid, mtime: n.mtime, mtimeNsec: n.mtimeNsec });
        for (const c of tree.list(path)) walk(path ? `${path}/${c}` : c, rel ? `${rel}/${c}` : c);
      } else if (n.type === 'file') {
        files.push({
          path: rel,
          type: 'file',
          mode: n.mode,
          uid: n.uid,
          gid: n.gid,
          data: n.data ?? new Uint8Array(),
          mtime: n.mtime,
          mtimeNsec: n.mtimeNsec,
        });
        inodes.set(files[files.length - 1]!, n.ino);
      } else if (n.type === 'symlink')
        files.push({
          path: rel,
          type: 'symlink',
          mode: n.mode,
          uid: n.uid,
          gid: n.gid,
          linkname: n.linkname,
          mtime: n.mtime,
          mtimeNsec: n.mtimeNsec,
        });
    };
    if (root.type === 'directory') walk(p, '');
    else walk(p, destIsDir ? p.split('/').pop()! : '');
  }
  return linkSharedFiles(files, inodes);
}

/**
 * Files that share an inode become hard links to the first of them by path (a copy of busybox's
 * /bin would otherwise hold its 400 applets as 400 copies of one 1 MB file).
 */
function linkSharedFiles(files: Source[], inodes: ReadonlyMap<Source, number>): Source[] {
  const first = new Map<number, string>();
  for (const f of files) {
    const ino = inodes.get(f);
    if (ino === undefined || !f.path) continue;
    const seen = first.get(ino);
    if (seen === undefined || f.path < seen) first.set(ino, f.path);
  }
  return files.map((f) => {
    const target = f.path ? first.get(inodes.get(f) ?? -1) : undefined;
    if (target === undefined || target === f.path) return f;
    const { data: _data, ...rest } = f;
    return { ...rest, type: 'hardlink', linkname: target };
  });
}

/** The sources from the build context: globs, directories by their contents, files; ADD extracts a local archive. */
async function contextSources({ node, context }: StepContext, sources: readonly string[], destIsDir: boolean): Promise<Source[]> {
  const files: Source[] = [];
  const paths = [...context.keys()].sort();
  for (const src of sources) {
    if (/^https?:\/\//.test(src))
      throw lineError(
        node,
        `${node.value.toUpperCase()} ${src}: downloading from a URL needs the internet, which LayerLab's machine does not have; put the file in the build context instead`,
      );
    const clean = posixJoin('/', src).slice(1);
    const isGlob = /[*?[]/.test(clean);
    let matched = false;
    if (isGlob) {
      const re = globToRegExp(clean);
      for (const p of paths) {
        if (!re.test(p)) continue;
        matched = true;
        files.push(contextSource(p.split('/').pop()!, context.get(p)!));
      }
    } else if (clean === '' || paths.some((p) => p.startsWith(`${clean}/`))) {
      // a directory: its contents
      matched = true;
      const prefix = clean ? `${clean}/` : '';
      const dirs = new Set<string>();
      for (const p of paths) {
        if (!p.startsWith(prefix)) continue;
        const rel = p.slice(prefix.length);
        const parts = rel.split('/');
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
        files.push(contextSource(rel, context.get(p)!));
      }
      for (const d of dirs) files.push({ path: d, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    } else if (context.has(clean)) {
      matched = true;
      const f = context.get(clean)!;
      if (node.value === 'add' && f.linkTarget === undefined && isArchive(f.data)) {
        files.push(...archiveSources(node, clean, readTar(await decompress(f.data))));
        // an archive extracts into the destination directory
        continue;
      }
      files.push(contextSource(destIsDir ? clean.split('/').pop()! : '', f));
    }
    if (!matched) throw lineError(node, `failed to compute cache key: failed to calculate checksum of ref: "/${clean}": not found`);
  }
  return files;
}

/** A context file or symbolic link as a COPY source (a link is copied as a link, as Docker does). */
function contextSource(path: string, f: { data: Uint8Array; mode?: number; mtime?: number; linkTarget?: string }): Source {
  if (f.linkTarget !== undefined)
    return { path, type: 'symlink', linkname: f.linkTarget, mode: 0o777, uid: 0, gid: 0, ...contextTime(f.mtime) };
  return { path, type: 'file', data: f.data, mode: f.mode ?? 0o644, uid: 0, gid: 0, ...contextTime(f.mtime) };
}

/**
 * What `ADD archive.tar DEST` extracts, checked as `docker load` checks a layer: a name that climbs
 * out of the destination (`../x`) is refused at the Dockerfile's line; a hard link becomes a copy
 * of the file it names (its content kept); devices and fifos are left out, as BuildKit's unpacker
 * in a rootless build does.
 */
function archiveSources(node: StepContext['node'], archive: string, entries: readonly TarEntry[]): Source[] {
  const files: Source[] = [];
  const byName = new Map<string, Source>();
  for (const e of entries) {
    const raw = e.name.replace(/\/$/, '');
    const rel = posixJoin('/', raw).slice(1);
    if (raw.split('/').includes('..') || (raw.startsWith('/') && rel !== raw.slice(1))) {
      throw lineError(
        node,
        `ADD ${archive}: the archive's entry ${JSON.stringify(e.name)} climbs out of the destination; refusing to extract it`,
      );
    }
    if (!rel) continue;
    let source: Source | undefined;
    if (e.type === 'file' || e.type === 'directory' || e.type === 'symlink') {
      source = {
        path: rel,
        type: e.type,
        data: e.data,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        linkname: e.linkname,
        mtime: e.mtime,
        mtimeNsec: e.mtimeNsec,
      };
    } else if (e.type === 'hardlink') {
      const target = byName.get(posixJoin('/', e.linkname).slice(1));
      if (!target || target.type !== 'file')
        throw lineError(
          node,
          `ADD ${archive}: the hard link ${JSON.stringify(e.name)} names ${JSON.stringify(e.linkname)}, which is not a file earlier in the archive`,
        );
      source = { ...target, path: rel, mtime: e.mtime, mtimeNsec: e.mtimeNsec };
    }
    if (!source) continue;
    byName.set(rel, source);
    files.push(source);
  }
  return files;
}

/** How `--chmod` and `--chown` apply; `keepOwners` (COPY --from) keeps the sources' owners when no --chown is given. */
interface Permissions {
  chmod: string | undefined;
  mode: number | undefined;
  owner: { uid: number; gid: number } | undefined;
  keepOwners: boolean;
}

/** The layer's entries for `files` copied to `destRel`: parents made, permissions applied, made-up directories timed, sorted. */
function layerEntries(
  files: readonly Source[],
  destRel: string,
  destIsDir: boolean,
  { chmod, mode, owner, keepOwners }: Permissions,
): TarEntry[] {
  const out = new Map<string, TarEntryInit>();
  const addParents = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (d && !out.has(d)) out.set(d, { name: d, type: 'directory', mode: 0o755 });
    }
  };
  const singleFileToPath = files.length === 1 && files[0]!.type === 'file' && files[0]!.path === '' && !destIsDir;
  const at = (path: string) => (path ? (destRel ? `${destRel}/${path}` : path) : destRel);
  for (const f of files) {
    const name = singleFileToPath ? destRel : at(f.path);
    if (!name) continue;
    addParents(name);
    if (f.type === 'hardlink') {
      out.set(name, {
        name,
        type: 'hardlink',
        linkname: at(f.linkname!),
        mode: mode ?? f.mode,
        uid: owner?.uid ?? (keepOwners ? f.uid : 0),
        gid: owner?.gid ?? (keepOwners ? f.gid : 0),
      });
      continue;
    }
    out.set(name, {
      name,
      type: f.type,
      mode: f.type === 'directory' ? (chmod !== undefined ? mode! : f.mode) : (mode ?? f.mode),
      uid: owner?.uid ?? (keepOwners ? f.uid : 0),
      gid: owner?.gid ?? (keepOwners ? f.gid : 0),
      ...(f.data ? { data: f.data } : {}),
      ...(f.linkname ? { linkname: f.linkname } : {}),
      ...(f.mtime !== undefined ? { mtime: f.mtime, mtimeNsec: f.mtimeNsec ?? 0 } : {}),
    });
  }
  if (destIsDir && destRel && !out.has(destRel)) {
    addParents(destRel);
    out.set(destRel, { name: destRel, type: 'directory', mode: 0o755, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) });
  }
  stampMadeDirs(out.values());
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => tarEntry(e));
}

/** The owner `--chown=<user>[:<group>]` names: numbers as they are, names from the image's /etc/passwd and /etc/group. */
async function resolveChown(
  { state, node, deps }: StepContext,
  spec: string | undefined,
): Promise<{ uid: number; gid: number } | undefined> {
  if (!spec) return undefined;
  const [u = '', g] = spec.split(':');
  const num = (s?: string) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
  let uid = num(u);
  let gid = num(g);
  if (uid !== undefined && (g === undefined || gid !== undefined)) return { uid, gid: gid ?? uid };
  const tree = state.id ? await deps.images.tree(await deps.images.resolve(state.id)) : undefined;
  const read = (p: string) =>
    new TextDecoder()
      .decode(tree?.get(p)?.data ?? new Uint8Array())
      .split('\n')
      .map((l) => l.split(':'));
  if (uid === undefined) {
    const e = read('etc/passwd').find((f) => f[0] === u);
    if (!e)
      throw lineError(node, `unable to convert uid/gid chown string to host mapping: can't find uid for user ${u}: no such user: ${u}`);
    uid = Number(e[2]);
    gid ??= g === undefined ? Number(e[3]) : undefined;
  }
  if (g !== undefined && gid === undefined) {
    const e = read('etc/group').find((f) => f[0] === g);
    if (!e)
      throw lineError(node, `unable to convert uid/gid chown string to host mapping: can't find gid for group ${g}: no such group: ${g}`);
    gid = Number(e[2]);
  }
  return { uid, gid: gid ?? uid };
}

/** Glob match of a COPY source against a path (`*`, `?`, `[..]`; `**` crosses directories). */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A context file's time (seconds, maybe fractional) as a tar entry's; 0 when it has none. */
function contextTime(mtime: number | undefined): { mtime: number; mtimeNsec: number } {
  return mtime === undefined || !Number.isFinite(mtime) ? { mtime: 0, mtimeNsec: 0 } : splitSeconds(mtime);
}

/**
 * Gives the directories a COPY makes up (context folders, missing parents; those without a time)
 * the newest time of the entries below them. The context has no directory times, and this
 * depends only on the files, so an unchanged context still gives the same layer digest.
 */
function stampMadeDirs(entries: Iterable<TarEntryInit>): void {
  const list = [...entries];
  const newest = new Map<string, { mtime: number; mtimeNsec: number }>();
  for (const e of list) {
    if (e.mtime === undefined) continue;
    const t = { mtime: e.mtime, mtimeNsec: e.mtimeNsec ?? 0 };
    const parts = e.name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const seen = newest.get(dir);
      if (!seen || t.mtime > seen.mtime || (t.mtime === seen.mtime && t.mtimeNsec > seen.mtimeNsec)) newest.set(dir, t);
    }
  }
  for (const e of list) {
    const t = e.mtime === undefined ? newest.get(e.name) : undefined;
    if (t) Object.assign(e, t);
  }
}

/** Whether ADD extracts `data`: a gzip or zstd stream, or a tar. */
function isArchive(data: Uint8Array): boolean {
  if (isCompressed(data)) return true; // gzip or zstd (Docker's ADD also knows bzip2 and xz)
  return data.length >= 262 && new TextDecoder().decode(data.subarray(257, 262)) === 'ustar';
}
