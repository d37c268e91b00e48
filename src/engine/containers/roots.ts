/**
 * A container's root, made ready in the guest before a process runs in it: its image's layers
 * (extracted once per guest), the init layer, its read-write layer (restored from the store when
 * this guest lacks it), its mounts (volumes, binds of the host's folders, --init's docker-init)
 * and its own /etc/hostname, hosts and resolv.conf, as a spawn spec.
 */
import type { GuestMachine, SpawnSpec } from '../../runtime/types.ts';
import {
  containerDirs,
  CONTAINER_RESOLV_CONF,
  DOCKER_INIT_BINARY,
  DOCKER_INIT_LAYER_DIR,
  containerEtcFiles,
  extractLayerInGuest,
  guestDirExists,
  guestShell,
  INIT_LAYER_DIR,
  INIT_LAYER_SCRIPT,
} from '../guest/guest-fs.ts';
import type { Attachment } from '../networks/manager.ts';
import { DEFAULT_BRIDGE_GATEWAY } from '../networks/ipam.ts';
import type { Digest } from '../store/digest.ts';
import { parseExtraHost } from './record.ts';
import type { ContainerDeps, ContainerRecord, ResolvedImage } from './types.ts';

/** Prepares containers' roots in the guest, remembering per guest what is already there. */
export class ContainerRoots {
  private readonly initLayer = new WeakSet<GuestMachine>();
  private readonly uppers = new WeakMap<GuestMachine, Set<string>>();

  constructor(private readonly deps: Pick<ContainerDeps, 'images' | 'layers' | 'blobs' | 'volumes' | 'binds'>) {}

  /** The overlay and mounts of a container, ready in the guest (`starting`: its /etc files are written afresh). */
  async prepare(
    guest: GuestMachine,
    r: ContainerRecord,
    starting: boolean,
    network?: Attachment,
  ): Promise<SpawnSpec & { image: ResolvedImage }> {
    const image = await this.deps.images.resolve(r.imageId);
    const all = image.layers.map((l) => l.diffID);
    const lowers = await Promise.all(image.layers.map((l) => this.deps.layers.ensure(guest, l, all)));
    if (!this.initLayer.has(guest)) {
      await guestShell(guest, INIT_LAYER_SCRIPT, 'preparing the init layer');
      this.initLayer.add(guest);
    }
    lowers.push(INIT_LAYER_DIR);
    // --init: docker-init bound over its placeholder in a lower layer of its own
    const init = starting && !!r.hostConfig.init;
    if (init) lowers.push(DOCKER_INIT_LAYER_DIR);
    const dirs = containerDirs(r.id);
    let seen = this.uppers.get(guest);
    if (!seen) this.uppers.set(guest, (seen = new Set()));
    // the agent creates missing upper/work/merged dirs; only a saved layer this guest lacks needs work
    if (r.rwLayer && !seen.has(r.id) && !(await guestDirExists(guest, dirs.upper))) {
      await extractLayerInGuest(
        guest,
        await this.deps.blobs.get(r.rwLayer.digest as Digest),
        dirs.upper,
        `the read-write layer of ${r.name}`,
      );
    }
    seen.add(r.id);
    const mounted: NonNullable<SpawnSpec['binds']> = [];
    // like Docker, a volume made just now first gets what the image has at its mount point (files,
    // owner, mode); one that holds data, or was mounted before in this guest, is left as it is
    const fresh: { source: string; target: string }[] = [];
    for (const m of r.mounts)
      if (m.Type === 'volume') {
        const v = await this.deps.volumes.ensureInGuest(guest, m.Name);
        mounted.push({ source: v.dir, target: m.Destination, readonly: !m.RW });
        if (v.fresh) fresh.push({ source: v.dir, target: m.Destination });
      }
    if (fresh.length) await guestShell(guest, copyUpScript([...lowers].reverse(), fresh), `filling the volumes of ${r.name}`);
    // the host's folders, through the share (only for a start: a stopped container's files are its own)
    if (starting) mounted.push(...(await this.deps.binds.mount(guest, r.id, r.mounts)));
    // the container's own /etc/hostname, hosts and resolv.conf over the init layer's empty
    // placeholders; like Docker, a volume or bind at one of those paths takes its place, and mounts go
    // parents first (a volume at /etc lies under /etc/hosts, not over it)
    // --add-host lines follow Docker's defaults, before the container's own address (host-gateway: the machine, docker0's address)
    const extra = (r.hostConfig.extraHosts ?? [])
      .map(parseExtraHost)
      .map(([host, ip]) => `${ip === 'host-gateway' ? DEFAULT_BRIDGE_GATEWAY : ip}\t${host}\n`)
      .join('');
    const own = containerEtcFiles(
      r.id,
      r.config.hostname,
      starting ? 'start' : 'if-missing',
      network
        ? { ...network, hostsLines: extra + network.hostsLines }
        : extra
          ? { hostsLines: extra, resolvConf: CONTAINER_RESOLV_CONF }
          : undefined,
    );
    const etc = own.binds.filter((b) => !mounted.some((v) => v.target.replace(/\/+$/, '') === b.target));
    const depth = (path: string) => path.split('/').filter(Boolean).length;
    const binds = [...mounted, ...etc, ...(init ? [{ source: DOCKER_INIT_BINARY, target: '/sbin/docker-init', readonly: true }] : [])].sort(
      (a, b) => depth(a.target) - depth(b.target),
    );
    return {
      image,
      argv: init ? ['/sbin/docker-init', '--', r.path, ...r.args] : [r.path, ...r.args],
      ...(starting && r.hostConfig.tmpfs
        ? { tmpfs: Object.entries(r.hostConfig.tmpfs).map(([target, options]) => ({ target, ...(options ? { options } : {}) })) }
        : {}),
      ...(r.hostConfig.shmSize ? { shmSize: r.hostConfig.shmSize } : {}),
      ...(starting && r.hostConfig.ulimits
        ? { rlimits: r.hostConfig.ulimits.map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })) }
        : {}),
      root: dirs.merged,
      overlay: { lower: [...lowers].reverse(), upper: dirs.upper, work: dirs.work },
      // the embedded DNS's names for the container's user-defined networks, itself included
      files: [...own.files, ...(network?.dnsFiles ?? [])],
      binds,
    };
  }
}

const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Docker's volume copy-up as one guest script: each volume that is still empty gets the image's
 * files at its mount point (from a read-only overlay of the image's layers), with that
 * directory's owner and mode; a volume with anything in it, or a path the image lacks, is left.
 */
export function copyUpScript(lowers: readonly string[], volumes: readonly { source: string; target: string }[]): string {
  const lines = [`m=$(mktemp -d) && mount -t overlay overlay -o ro,lowerdir=${lowers.join(':')} "$m" || exit 0`];
  for (const v of volumes) {
    const src = `"$m"${quote(v.target)}`;
    lines.push(
      `if [ -d ${src} ] && [ -z "$(ls -A ${quote(v.source)})" ]; then cp -a ${src}/. ${quote(v.source)}/ && chown "$(stat -c %u:%g ${src})" ${quote(v.source)} && chmod "$(stat -c %a ${src})" ${quote(v.source)}; fi`,
    );
  }
  lines.push('umount "$m"; rmdir "$m"');
  return lines.join('\n');
}
