/**
 * The engine's side of the guest's filesystem: where layers, container dirs and volumes live,
 * and how directories move between the guest and the blob store as OCI layer tars. The guest
 * only caches; everything durable is in the engine's stores.
 */
import { decompress, iterateTar, readTar, upperToOci, writeTar, type TarEntry } from '../layer/index.ts';
import { collect, type GuestMachine, type SpawnSpec } from '../../runtime/types.ts';
import { EngineError } from '../errors.ts';

/** Root of everything the engine keeps in the guest (tmpfs, with xattrs). */
export const GUEST_ROOT = '/var/lib/layerlab';
/** An always-empty dir used as the lower layer of a `FROM scratch` container. */
export const EMPTY_LAYER_DIR = `${GUEST_ROOT}/empty`;
/**
 * Docker's "init layer": the mountpoints the runtime needs (/proc, /dev, /sys, and empty
 * /etc/hostname, /etc/hosts, /etc/resolv.conf under the container's own files), as the top lower
 * dir of every container, so they never appear in its read-write layer or `docker diff`.
 */
export const INIT_LAYER_DIR = `${GUEST_ROOT}/init`;
/** A lower layer over the init layer for `--init` containers: the placeholder /sbin/docker-init is bound over (so it never lands in their read-write layer). */
export const DOCKER_INIT_LAYER_DIR = `${GUEST_ROOT}/init-docker`;
/** The agent's binary, which runs as docker-init when called by that name. */
export const DOCKER_INIT_BINARY = '/sbin/layerlab-agent';
/** Shell that creates the init and empty layer dirs. */
export const INIT_LAYER_SCRIPT =
  `set -e; mkdir -p ${EMPTY_LAYER_DIR} ${INIT_LAYER_DIR}/proc ${INIT_LAYER_DIR}/dev ${INIT_LAYER_DIR}/sys ${INIT_LAYER_DIR}/etc; ` +
  `mkdir -p ${DOCKER_INIT_LAYER_DIR}/sbin; touch ${DOCKER_INIT_LAYER_DIR}/sbin/docker-init; ` +
  `cd ${INIT_LAYER_DIR}/etc; touch hostname hosts resolv.conf`;

/**
 * The start of a container's /etc/hosts: libnetwork's default records, tab-separated (all of it
 * for `--network none`; on a bridge network the container's address and hostname follow).
 */
export const CONTAINER_HOSTS =
  '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';
/** A container's /etc/resolv.conf until it starts on its networks: no nameserver. */
export const CONTAINER_RESOLV_CONF = '# --network none: this container has only loopback, so no nameserver.\n';

/** Guest dir of an extracted layer (short name keeps many layers within overlay's option limit). */
export function layerDir(diffID: string): string {
  return `${GUEST_ROOT}/l/${hexOf(diffID).slice(0, 24)}`;
}

/** Guest dirs of one container. */
export function containerDirs(id: string): { base: string; upper: string; work: string; merged: string } {
  const base = `${GUEST_ROOT}/c/${id.slice(0, 24)}`;
  return { base, upper: `${base}/upper`, work: `${base}/work`, merged: `${base}/merged` };
}

/**
 * A container's own /etc/hostname, /etc/hosts and /etc/resolv.conf, kept in its guest dir outside
 * the overlay (like Docker's in /var/lib/docker/containers/ID, so they never reach the read-write
 * layer): the `files` the agent writes (all of them on a start, since Docker rewrites them too
 * and edits last until the next one; only missing ones otherwise, for `docker cp` of a stopped
 * container) and the `binds` that put them over /etc, read-write as in Docker. The agent writes
 * them itself: a guest shell doing it cost a third of `docker run --rm busybox true`.
 */
export function containerEtcFiles(
  id: string,
  hostname: string,
  mode: 'start' | 'if-missing',
  network: { hostsLines: string; resolvConf: string } = { hostsLines: '', resolvConf: CONTAINER_RESOLV_CONF },
): { files: NonNullable<SpawnSpec['files']>; binds: NonNullable<SpawnSpec['binds']> } {
  const { base } = containerDirs(id);
  const own: [string, string][] = [
    ['hostname', `${hostname}\n`],
    ['hosts', CONTAINER_HOSTS + network.hostsLines],
    ['resolv.conf', network.resolvConf],
  ];
  return {
    files: own.map(([name, content]) => ({ path: `${base}/${name}`, content, ...(mode === 'if-missing' ? { ifMissing: true } : {}) })),
    binds: own.map(([name]) => ({ source: `${base}/${name}`, target: `/etc/${name}` })),
  };
}

/** Guest dir holding a volume's data. */
export function volumeDir(name: string): string {
  return `${GUEST_ROOT}/v/${name}/_data`;
}

function hexOf(digest: string): string {
  const hex = digest.startsWith('sha256:') ? digest.slice(7) : digest;
  if (!/^[0-9a-f]{12,64}$/.test(hex)) throw new EngineError('invalid-argument', `not a digest: ${digest}`);
  return hex;
}

let transferCounter = 0;

/** Runs a shell script on the guest (outside any container); throws with its stderr on failure. */
export async function guestShell(guest: GuestMachine, script: string, what: string): Promise<string> {
  const r = await collect(await guest.spawn({ argv: ['sh', '-c', script], stdinNull: true }));
  if (r.status.code !== 0) {
    const err = new TextDecoder().decode(r.stderr).trim();
    throw new EngineError('guest', `${what} failed in the guest (exit ${r.status.code})${err ? `: ${err}` : ''}`);
  }
  return new TextDecoder().decode(r.stdout);
}

/** Runs a process on the guest and returns stdout bytes; throws with stderr on failure. */
export async function guestRun(guest: GuestMachine, spec: SpawnSpec, what: string): Promise<Uint8Array> {
  const r = await collect(await guest.spawn({ stdinNull: true, ...spec }));
  if (r.status.code !== 0) {
    const err = new TextDecoder().decode(r.stderr).trim();
    throw new EngineError('guest', `${what} failed (exit ${r.status.code})${err ? `: ${err}` : ''}`);
  }
  return r.stdout;
}

/** A string as one single-quoted word of the guest's sh. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const quote = shellQuote;

/**
 * Extracts an OCI layer tar (gzip, zstd or plain) into `dir` in the guest and converts its whiteouts
 * to overlay form, atomically (a half-extracted dir never appears under its final name).
 */
export async function extractLayerInGuest(guest: GuestMachine, blob: Uint8Array, dir: string, what: string): Promise<void> {
  const stamp = `${Date.now().toString(36)}-${transferCounter++}`;
  const name = `xfer/in-${stamp}.tar`;
  const dirsName = `xfer/dirs-${stamp}.tar`;
  // decompress on the host (native gzip, JavaScript zstd: both far faster than the emulated
  // guest, whose busybox has no zstd anyway); 9p moves the tar fast
  const tar = await decompress(blob);
  // busybox tar sets a directory's mtime when it makes it, and then the files it writes inside
  // (and removing whiteout files) change it again; extracting the directory entries alone a
  // second time puts the layer's times back, as containerd's applier does, so `ls -l` shows them
  const dirs = writeTar(
    (function* () {
      for (const e of iterateTar(tar)) if (e.type === 'directory') yield e;
    })(),
  );
  await guest.writeFile(name, tar);
  await guest.writeFile(dirsName, dirs);
  try {
    await guestShell(
      guest,
      `set -e; d=${quote(dir)}; rm -rf "$d.tmp"; mkdir -p "$d.tmp"; ` +
        `tar -xf /mnt/host/${name} -C "$d.tmp"; /sbin/layerlab-agent oci-to-overlay "$d.tmp"; ` +
        `tar -xf /mnt/host/${dirsName} -C "$d.tmp"; ` +
        `rm -rf "$d"; mv "$d.tmp" "$d"; rm -f /mnt/host/${name} /mnt/host/${dirsName}`,
      `extracting ${what}`,
    );
  } catch (err) {
    // a half-extracted layer must not stay behind filling the guest's disk
    await guestShell(guest, `rm -rf ${quote(dir)}.tmp; rm -f /mnt/host/${name} /mnt/host/${dirsName}`, 'cleaning up').catch(() => {});
    throw err;
  }
}

/** Whether a directory exists in the guest. */
export async function guestDirExists(guest: GuestMachine, dir: string): Promise<boolean> {
  const r = await collect(await guest.spawn({ argv: ['test', '-d', dir], stdinNull: true }));
  return r.status.code === 0;
}

/**
 * Reads an overlay upper dir (or any dir) from the guest as OCI layer entries: busybox tar for
 * the files, the agent's `opaque-dirs` for what tar cannot see; whiteout devices and hard-linked
 * whiteouts become `.wh.` files.
 */
export async function exportUpperDir(guest: GuestMachine, dir: string): Promise<TarEntry[]> {
  const name = `xfer/out-${Date.now().toString(36)}-${transferCounter++}.tar`;
  const opaque = await guestShell(
    guest,
    `set -e; cd ${quote(dir)}; tar -cf /mnt/host/${name} .; /sbin/layerlab-agent opaque-dirs .`,
    `reading ${dir}`,
  );
  try {
    const tar = await guest.readFile(name);
    const entries = readTar(tar);
    const opaqueDirs = opaque.split('\0').filter((p) => p && p !== '.');
    return upperToOci(entries, opaqueDirs);
  } finally {
    await guestShell(guest, `rm -f /mnt/host/${name}`, 'cleaning up').catch(() => {});
  }
}
