/**
 * Users and groups inside a container, as runc resolves them: a `user[:group]` spec (names or
 * numbers) looked up in the container's own /etc/passwd and /etc/group, with the primary group
 * and every group that lists the user.
 */
import type { GuestMachine, SpawnSpec } from '../../runtime/types.ts';
import { EngineError } from '../errors.ts';
import { guestRun } from '../guest/guest-fs.ts';
import type { ImageResolver, ResolvedImage } from './manager.ts';

/** Where a container's /etc files are read: its image (not running yet) or its running namespaces. */
export interface EtcSource {
  guest: GuestMachine;
  /** `image` for a container that is not running (its image's files); otherwise what joins the running one. */
  base: Partial<SpawnSpec> & { image?: ResolvedImage };
  images: Pick<ImageResolver, 'tree'>;
}

/** Uid, gid and supplementary groups for a `user[:group]` spec ('' is root). */
export async function resolveUser(source: EtcSource, user: string): Promise<{ uid: number; gid: number; groups: number[] }> {
  const withGroups = async (uid: number, gid: number, name?: string) => {
    // like runc: the primary group plus every group that lists the user
    const groups = [gid];
    if (name)
      for (const f of (await etcFiles(source)).filter((l) => l.length === 4))
        if (f[3]!.split(',').includes(name) && !groups.includes(Number(f[2]))) groups.push(Number(f[2]));
    return { uid, gid, groups };
  };
  if (!user) return withGroups(0, 0, 'root');
  const [u = '', g] = user.split(':');
  const numeric = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
  let uid = numeric(u);
  let gid = numeric(g);
  if (uid !== undefined && (g === undefined || gid !== undefined)) return withGroups(uid, gid ?? 0);
  const lines = await etcFiles(source);
  if (uid === undefined) {
    const entry = lines.find((f) => f.length >= 7 && f[0] === u);
    if (!entry) throw new EngineError('invalid-argument', `unable to find user ${u}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid ??= Number(entry[3]);
  }
  if (g !== undefined && gid === undefined) {
    const entry = lines.find((f) => f.length === 4 && f[0] === g);
    if (!entry) throw new EngineError('invalid-argument', `unable to find group ${g}: no matching entries in group file`);
    gid = Number(entry[2]);
  }
  return withGroups(uid, gid ?? uid, u);
}

/** /etc/passwd and /etc/group of the container's filesystem, split into fields. */
async function etcFiles({ guest, base, images }: EtcSource): Promise<string[][]> {
  if (base.image) {
    // a container that is not running yet: its image's files (read on the host, cached)
    const tree = await images.tree(base.image);
    const read = (p: string) => new TextDecoder().decode(tree.get(p)?.data ?? new Uint8Array());
    return `${read('etc/passwd')}\n${read('etc/group')}`.split('\n').map((l) => l.split(':'));
  }
  const files = new TextDecoder().decode(
    await guestRun(
      guest,
      { ...base, argv: ['cat', '/etc/passwd', '/etc/group'], stdinNull: true, namespaces: ['mnt'] },
      'reading /etc/passwd',
    ).catch(() => new Uint8Array()),
  );
  return files.split('\n').map((l) => l.split(':'));
}
