/**
 * A container's files from outside: `docker diff`, `docker export`, `docker commit` (its image's
 * files with its read-write layer over them) and `docker cp` (into and out of its filesystem,
 * running or stopped).
 */
import type { GuestMachine } from '../../runtime/types.ts';
import type { ChangeEntry, PathStat } from '../api.ts';
import { InvalidArgumentError } from '../errors.ts';
import { containerDirs, exportUpperDir } from '../guest/guest-fs.ts';
import { applyLayer, diffTrees, implicitDir, treeToTarEntries, writeTar } from '../layer/index.ts';
import { archiveContainerPath, containerFs, extractToContainer, statContainerPath, type ContainerFs } from './archive.ts';
import { withoutImage } from './process.ts';
import { CONTAINERS, type ContainerAccess, type ContainerRecord } from './types.ts';
import { resolveUser } from './users.ts';

export async function containerDiff(a: ContainerAccess, idOrName: string): Promise<ChangeEntry[]> {
  const r = await a.find(idOrName);
  const image = await a.deps.images.resolve(r.imageId);
  const lower = await a.deps.images.tree(image);
  const upper = applyLayer(lower.clone(), await a.rwLayerEntries(r));
  return diffTrees(lower, upper);
}

/** `docker export`: the image's files, the container's changes over them and its init layer's, as one flat tar. */
export async function exportContainer(a: ContainerAccess, idOrName: string): Promise<Uint8Array> {
  const r = await a.find(idOrName);
  const image = await a.deps.images.resolve(r.imageId);
  const tree = applyLayer(await a.deps.images.tree(image), await a.rwLayerEntries(r));
  // what the init layer puts under every container (its files are bind mounts over empty ones)
  for (const dir of ['dev', 'proc', 'sys', 'etc']) if (!tree.has(dir)) tree.set(dir, implicitDir(tree.nextIno()));
  for (const file of ['etc/hostname', 'etc/hosts', 'etc/resolv.conf'])
    if (!tree.has(file)) tree.set(file, { ...implicitDir(tree.nextIno()), type: 'file', mode: 0o644, data: new Uint8Array() });
  a.emit('export', r);
  return writeTar(treeToTarEntries(tree));
}

export async function commitContainer(
  a: ContainerAccess,
  idOrName: string,
  options: { reference?: string; message?: string; author?: string } = {},
): Promise<string> {
  const r = await a.find(idOrName);
  const image = await a.deps.images.resolve(r.imageId);
  return a.deps.images.commit(image, await a.rwLayerEntries(r), {
    ...(options.reference ? { reference: options.reference } : {}),
    ...(options.message ? { comment: options.message } : {}),
    ...(options.author ? { author: options.author } : {}),
    createdBy: [r.path, ...r.args].join(' '),
    config: {
      Env: r.config.env,
      Cmd: r.config.cmd,
      Entrypoint: r.config.entrypoint,
      WorkingDir: r.config.workingDir,
      User: r.config.user,
    },
  });
}

/** How `docker cp` reaches a container's filesystem, running (its namespaces) or stopped (its overlay, mounted for one process). */
async function containerFsOf(a: ContainerAccess, idOrName: string): Promise<{ r: ContainerRecord; fs: ContainerFs; running: boolean }> {
  const r = await a.find(idOrName);
  const live = a.live(r.id);
  const guest = live?.guest ?? (await a.deps.getGuest());
  const how = live ? { pid: live.proc.pid } : { base: withoutImage(await a.prepare(guest, r, false)) };
  return { r, running: !!live, fs: containerFs(guest, idOrName, how, r.mounts, r.hostConfig.readOnly) };
}

export async function statPath(
  a: ContainerAccess,
  idOrName: string,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<PathStat> {
  const { fs } = await containerFsOf(a, idOrName);
  return statContainerPath(fs, path, options.signal);
}

export async function copyFrom(
  a: ContainerAccess,
  idOrName: string,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ stat: PathStat; tar: Uint8Array }> {
  const { fs } = await containerFsOf(a, idOrName);
  return archiveContainerPath(fs, path, options.signal);
}

/** Extracts into a container; true when that replaced a stopped container's saved layer (its old blob is garbage). */
export async function copyTo(
  a: ContainerAccess,
  idOrName: string,
  path: string,
  tar: Uint8Array,
  options: { copyUIDGID?: boolean; signal?: AbortSignal } = {},
): Promise<boolean> {
  const { r, fs, running } = await containerFsOf(a, idOrName);
  let owner: { uid: number; gid: number } | undefined;
  if (options.copyUIDGID && r.config.user) {
    const image = await a.deps.images.resolve(r.imageId);
    try {
      const { uid, gid } = await resolveUser({ guest: fs.guest, base: { image }, images: a.deps.images }, r.config.user);
      owner = { uid, gid };
    } catch (err) {
      throw new InvalidArgumentError(
        `failed to look up user ${JSON.stringify(r.config.user.split(':')[0])} in container: ${(err as Error).message.replace(/^unable to find (user|group) [^:]*: /, '')}`,
        { cause: err },
      );
    }
  }
  await extractToContainer(fs, path, tar, { ...(owner ? { owner } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  // a stopped container's files live in its saved layer (and volumes): save them again, or a
  // new guest (a reload) would bring back the layer from before the copy
  if (running) return false;
  await saveStoppedChanges(a, r, fs.guest);
  return true;
}

/** Saves a stopped container's read-write layer and volumes from the guest to the store. */
async function saveStoppedChanges(a: ContainerAccess, r: ContainerRecord, guest: GuestMachine): Promise<void> {
  const tar = writeTar(await exportUpperDir(guest, containerDirs(r.id).upper));
  const info = await a.deps.blobs.put(tar);
  const fresh = (await a.deps.meta.get<ContainerRecord>(CONTAINERS, r.id)) ?? r;
  fresh.rwLayer = { digest: info.digest, size: tar.length };
  await a.save(fresh);
  for (const m of r.mounts) if (m.Type === 'volume') await a.deps.volumes.save(guest, m.Name);
}
