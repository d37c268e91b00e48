/**
 * Builds LayerLab's offline base images as OCI image layouts in public/images/, from Debian
 * packages only, plus catalog.json (what `docker pull` can find offline) and manifest.json (the
 * packages used, the zstd that compressed the layers, and each output's sha256). Run by
 * `npm run images` (and `npm run guest`). Needs root (apt-get download), `zstd`, `tar`, `readelf`,
 * `curl`. The packages are the versions manifest.json records (see `download` in
 * debian-images.ts), so a rebuild gives the committed images byte for byte, and an image changes
 * only when its own inputs do.
 *
 *   busybox:latest (= busybox:1.35, busybox:1.35.0): Debian's busybox-static:i386, laid out like
 *   Docker Hub's busybox (every applet hard-linked in /bin, /etc/passwd and /etc/group, /tmp…);
 *   one small gzip layer (gzip: any tool reads it, and zstd would save little here).
 *   debian:bookworm-slim, python:3.11-slim: see debian-images.ts; tar+zstd layers.
 *   redis:7 and nginx:latest, the debian layer plus one layer each: see service-images.ts.
 *   debian:trixie-slim, python:3.13-slim (Debian 13): see trixie-images.ts; tar+zstd layers.
 *
 * Arguments choose what to build (default: all): `busybox`, `bookworm` (debian, python 3.11,
 * redis, nginx), `trixie` (debian:trixie-slim, python:3.13-slim). `npm run images -- trixie`
 * rebuilds only the trixie images and keeps the others' catalog entries, pins and files as they
 * are (a full rebuild gives them byte for byte again, only slower).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzip, writeTar, type TarEntryInit } from '../src/engine/layer/index.ts';
import { sha256Digest } from '../src/engine/oci/digest.ts';
import {
  appendEmptyLayerHistory,
  appendLayer,
  emptyImage,
  manifestDescriptor,
  serializeImage,
  withConfig,
  type ConfigPatch,
  type Image,
} from '../src/engine/oci/image.ts';
import { Annotation, IMAGE_LAYOUT, MediaType } from '../src/engine/oci/types.ts';
import {
  buildDebianBase,
  buildPipLayer,
  buildPythonLayer,
  checkSharedLibraries,
  download,
  ZSTD_ARGS,
  zstdVersion,
  type BuiltLayer,
} from './debian-images.ts';
import { buildNginxLayer, buildRedisLayer } from './service-images.ts';
import { TRIXIE, TRIXIE_SOURCES } from './trixie-images.ts';

const root = join(import.meta.dirname, '..');
const work = process.env.WORK ?? join(import.meta.dirname, '.work');
const out = join(root, 'public/images');

/** The .deb of `pkg` (`name:arch`) in `work`, at the version manifest.json pins (see `download`). */
function debFile(pkg: string): string {
  const deb = download(work, [pkg], () => '').get(pkg.split(':')[0]!);
  if (!deb) throw new Error(`could not download ${pkg}`);
  return deb;
}

/** Writes `image` as the OCI layout `dirName` (default: the repository's `name`), tagged `tags`. */
async function writeLayout(
  name: string,
  image: Image,
  blobs: Map<string, Uint8Array>,
  tags: string[],
  dirName = name,
): Promise<{ dir: string; size: number }> {
  const dir = join(out, dirName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const { manifestBytes, configBytes } = serializeImage(image);
  const all = new Map(blobs);
  all.set(image.manifestDigest, manifestBytes);
  all.set(image.configDigest, configBytes);
  let size = 0;
  for (const [digest, bytes] of all) {
    writeFileSync(join(dir, 'blobs/sha256', digest.slice(7)), bytes);
    size += bytes.length;
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify(IMAGE_LAYOUT));
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: tags.map((t) =>
      manifestDescriptor(image, { [Annotation.RefName]: t, 'io.containerd.image.name': `docker.io/library/${name}:${t}` }),
    ),
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  return { dir: dirName, size };
}

const layerOf = async (l: BuiltLayer) => ({
  digest: await sha256Digest(l.blob),
  diffID: await sha256Digest(l.tar),
  size: l.blob.length,
  mediaType: l.mediaType,
});

async function busybox(): Promise<{ entry: object; pkg: [string, { version: string; sha256: string }] }> {
  const deb = debFile('busybox-static:i386');
  const version = execFileSync('dpkg-deb', ['-f', deb, 'Version'], { encoding: 'utf8' }).trim();
  const x = join(work, 'busybox-image');
  rmSync(x, { recursive: true, force: true });
  execFileSync('dpkg-deb', ['-x', deb, x]);
  const bin = readFileSync(join(x, 'bin/busybox'));
  const mtime = Math.floor(statSync(join(x, 'bin/busybox')).mtimeMs / 1000);
  const applets = execFileSync(join(x, 'bin/busybox'), ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => a && a !== 'busybox')
    .sort();
  const dir = (name: string, mode = 0o755): TarEntryInit => ({ name, type: 'directory', mode, mtime });
  const file = (name: string, text: string | Uint8Array, mode = 0o644): TarEntryInit => ({
    name,
    type: 'file',
    mode,
    mtime,
    data: typeof text === 'string' ? new TextEncoder().encode(text) : text,
  });
  const passwd = [
    'root:x:0:0:root:/root:/bin/sh',
    'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
    'bin:x:2:2:bin:/bin:/bin/false',
    'sys:x:3:3:sys:/dev:/bin/false',
    'sync:x:4:100:sync:/bin:/bin/sync',
    'mail:x:8:8:mail:/var/spool/mail:/bin/false',
    'www-data:x:33:33:www-data:/var/www:/bin/false',
    'operator:x:37:37:Operator:/var:/bin/false',
    'nobody:x:65534:65534:nobody:/home:/bin/false',
  ];
  const groups = [
    'root:x:0:',
    'daemon:x:1:',
    'bin:x:2:',
    'sys:x:3:',
    'adm:x:4:',
    'tty:x:5:',
    'disk:x:6:',
    'lp:x:7:',
    'mail:x:8:',
    'kmem:x:9:',
    'wheel:x:10:root',
    'cdrom:x:11:',
    'dialout:x:18:',
    'floppy:x:19:',
    'video:x:28:',
    'audio:x:29:',
    'tape:x:32:',
    'www-data:x:33:',
    'operator:x:37:',
    'utmp:x:43:',
    'plugdev:x:46:',
    'staff:x:50:',
    'lock:x:54:',
    'netdev:x:82:',
    'users:x:100:',
    'nogroup:x:65534:',
  ];
  const entries: TarEntryInit[] = [
    dir('bin'),
    file('bin/busybox', bin, 0o755),
    ...applets.map((a): TarEntryInit => ({ name: `bin/${a}`, type: 'hardlink', linkname: 'bin/busybox', mode: 0o755, mtime })),
    dir('dev'),
    dir('etc'),
    file('etc/group', groups.join('\n') + '\n'),
    file('etc/passwd', passwd.join('\n') + '\n'),
    file('etc/shadow', passwd.map((l) => `${l.split(':')[0]}:*:::::::`).join('\n') + '\n', 0o600),
    dir('home'),
    dir('root', 0o700),
    dir('tmp', 0o1777),
    dir('usr'),
    dir('usr/sbin'),
    dir('var'),
    dir('var/spool'),
    dir('var/spool/mail'),
    dir('var/www'),
  ];
  const tar = writeTar(entries);
  const gz = await gzip(tar);
  const layer = { digest: await sha256Digest(gz), diffID: await sha256Digest(tar), size: gz.length, mediaType: MediaType.OciLayerGzip };
  const created = new Date(mtime * 1000).toISOString();
  let image = await emptyImage({ os: 'linux', architecture: '386' });
  image = await appendLayer(image, layer, {
    created,
    created_by: `ADD busybox-static_${version}_i386 /  # BusyBox ${version.replace(/^1:/, '').split('-')[0]}, ${applets.length} applets hard-linked in /bin`,
  });
  image = await withConfig(image, { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] });
  image = await appendEmptyLayerHistory(image, { created, created_by: 'CMD ["sh"]' });
  const tags = ['latest', '1.35', '1.35.0'];
  const written = await writeLayout('busybox', image, new Map([[layer.digest, gz]]), tags);
  rmSync(x, { recursive: true, force: true });
  return {
    entry: {
      references: tags.map((t) => `busybox:${t}`),
      layout: written.dir,
      size: written.size,
      description: `BusyBox ${version} (Debian busybox-static, i386): sh and ${applets.length} Unix tools in one small binary`,
    },
    pkg: [`busybox-static:i386`, { version, sha256: createHash('sha256').update(readFileSync(deb)).digest('hex') }],
  };
}

type Pkg = [string, { version: string; sha256: string }];

/** debian:bookworm-slim, python:3.11-slim, redis and nginx, sharing the debian layer. */
async function debianImages(): Promise<{ entry: object; pkg: Pkg }[]> {
  const root = join(work, 'rootfs');
  const created = new Date(1767225600 * 1000).toISOString();
  const base = buildDebianBase(work, root);
  checkSharedLibraries(root);
  // the base tree as it is now, for the images built on it beside python
  const baseRoot = join(work, 'rootfs-base');
  rmSync(baseRoot, { recursive: true, force: true });
  execFileSync('cp', ['-a', root, baseRoot]);
  const baseLayer = await layerOf(base);
  const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  let debian = await appendLayer(await emptyImage({ os: 'linux', architecture: '386' }), baseLayer, {
    created,
    created_by: base.createdBy,
  });
  debian = await withConfig(debian, { Env: env, Cmd: ['bash'] });
  debian = await appendEmptyLayerHistory(debian, { created, created_by: 'CMD ["bash"]' });
  const debianOut = await writeLayout('debian', debian, new Map([[baseLayer.digest, base.blob]]), ['bookworm-slim', '12-slim']);

  const py = buildPythonLayer(work, root);
  const pip = buildPipLayer(work, root);
  checkSharedLibraries(root);
  const pyLayer = await layerOf(py);
  const pipLayer = await layerOf(pip);
  // the upstream version of Debian's python3.11 package (3.11.2-6+deb12u6 → 3.11.2)
  const pyVersion = py.packages['python3.11:i386']!.version.split('-')[0]!;
  const pyEnv = [...env, 'LANG=C.UTF-8', `PYTHON_VERSION=${pyVersion}`, 'PIP_NO_INDEX=1'];
  let python = await appendLayer(await emptyImage({ os: 'linux', architecture: '386' }), baseLayer, {
    created,
    created_by: base.createdBy,
  });
  python = await withConfig(python, { Env: pyEnv });
  python = await appendEmptyLayerHistory(python, { created, created_by: `ENV LANG=C.UTF-8 PYTHON_VERSION=${pyVersion}` });
  python = await appendLayer(python, pyLayer, { created, created_by: py.createdBy });
  python = await appendLayer(python, pipLayer, { created, created_by: pip.createdBy });
  python = await withConfig(python, { Env: pyEnv, Cmd: ['python3'] });
  python = await appendEmptyLayerHistory(python, { created, created_by: 'CMD ["python3"]' });
  const pythonOut = await writeLayout(
    'python',
    python,
    new Map([
      [baseLayer.digest, base.blob],
      [pyLayer.digest, py.blob],
      [pipLayer.digest, pip.blob],
    ]),
    ['3.11-slim', '3.11-slim-bookworm', '3.11'],
  );

  /** An image of the base layer, `layer` and then `steps` (config changes, each an empty-layer history entry). */
  const service = async (layer: BuiltLayer, env2: string[], steps: [ConfigPatch, string][]) => {
    const top = await layerOf(layer);
    let image = await appendLayer(await emptyImage({ os: 'linux', architecture: '386' }), baseLayer, {
      created,
      created_by: base.createdBy,
    });
    image = await withConfig(image, { Env: [...env, ...env2] });
    image = await appendEmptyLayerHistory(image, { created, created_by: `ENV ${env2.join(' ')}` });
    image = await appendLayer(image, top, { created, created_by: layer.createdBy });
    for (const [patch, createdBy] of steps) {
      image = await withConfig(image, patch);
      image = await appendEmptyLayerHistory(image, { created, created_by: createdBy });
    }
    return {
      image,
      blobs: new Map([
        [baseLayer.digest, base.blob],
        [top.digest, layer.blob],
      ]),
    };
  };
  const fresh = (name: string) => {
    const dir = join(work, `rootfs-${name}`);
    rmSync(dir, { recursive: true, force: true });
    execFileSync('cp', ['-a', baseRoot, dir]);
    return dir;
  };

  const redisRoot = fresh('redis');
  const redisLayer = buildRedisLayer(work, redisRoot);
  checkSharedLibraries(redisRoot);
  const redisMinor = redisLayer.version.split('.').slice(0, 2).join('.');
  const redisTags = [
    redisLayer.version.split('.')[0]!,
    redisMinor,
    redisLayer.version,
    `${redisLayer.version.split('.')[0]}-bookworm`,
    'latest',
  ];
  const redis = await service(
    redisLayer,
    [`REDIS_VERSION=${redisLayer.version}`],
    [
      [{ Volumes: { '/data': {} } }, 'VOLUME [/data]'],
      [{ WorkingDir: '/data' }, 'WORKDIR /data'],
      [{ Entrypoint: ['docker-entrypoint.sh'] }, 'ENTRYPOINT ["docker-entrypoint.sh"]'],
      [{ ExposedPorts: { '6379/tcp': {} } }, 'EXPOSE map[6379/tcp:{}]'],
      [{ Cmd: ['redis-server'] }, 'CMD ["redis-server"]'],
    ],
  );
  const redisOut = await writeLayout('redis', redis.image, redis.blobs, redisTags);

  const nginxRoot = fresh('nginx');
  const nginxLayer = buildNginxLayer(work, nginxRoot);
  checkSharedLibraries(nginxRoot);
  const nginxMinor = nginxLayer.version.split('.').slice(0, 2).join('.');
  const nginxTags = [nginxMinor, nginxLayer.version, 'latest'];
  const nginx = await service(
    nginxLayer,
    [`NGINX_VERSION=${nginxLayer.version}`],
    [
      [{ Entrypoint: ['/docker-entrypoint.sh'] }, 'ENTRYPOINT ["/docker-entrypoint.sh"]'],
      [{ ExposedPorts: { '80/tcp': {} } }, 'EXPOSE map[80/tcp:{}]'],
      [{ StopSignal: 'SIGQUIT' }, 'STOPSIGNAL SIGQUIT'],
      [{ Cmd: ['nginx', '-g', 'daemon off;'] }, 'CMD ["nginx" "-g" "daemon off;"]'],
    ],
  );
  const nginxOut = await writeLayout('nginx', nginx.image, nginx.blobs, nginxTags);
  for (const d of [baseRoot, redisRoot, nginxRoot]) rmSync(d, { recursive: true, force: true });

  // decimal MB, as Docker prints sizes
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  console.log(
    `debian:bookworm-slim ${mb(debianOut.size)}; python:3.11-slim ${mb(pythonOut.size)} (zstd layers ${mb(base.blob.length)} + ${mb(py.blob.length)} + ${mb(pip.blob.length)}; tars ${mb(base.tar.length)} + ${mb(py.tar.length)} + ${mb(pip.tar.length)})`,
  );
  console.log(
    `redis:${redisLayer.version} ${mb(redisOut.size)} (redis layer ${mb(redisLayer.blob.length)}, tar ${mb(redisLayer.tar.length)}); nginx:${nginxLayer.version} ${mb(nginxOut.size)} (nginx layer ${mb(nginxLayer.blob.length)}, tar ${mb(nginxLayer.tar.length)})`,
  );
  // one version of each package across the images (manifest.json records it once)
  const pkgs: Record<string, Pkg[1]> = {};
  for (const layer of [base, py, pip, redisLayer, nginxLayer])
    for (const [name, p] of Object.entries(layer.packages)) {
      if (pkgs[name] && pkgs[name].sha256 !== p.sha256) throw new Error(`${name}: two versions, ${pkgs[name].version} and ${p.version}`);
      pkgs[name] = p;
    }
  const entries = Object.entries(pkgs);
  return [
    {
      entry: {
        references: ['debian:bookworm-slim', 'debian:12-slim'],
        layout: debianOut.dir,
        size: debianOut.size,
        description: `Debian 12 (bookworm), slim, i386: bash, coreutils, grep, sed, tar from ${Object.keys(base.packages).length} Debian packages`,
      },
      pkg: entries[0]!,
    },
    {
      entry: {
        references: ['python:3.11-slim', 'python:3.11-slim-bookworm', 'python:3.11'],
        layout: pythonOut.dir,
        size: pythonOut.size,
        description: `Python ${pyVersion} on debian:bookworm-slim with pip and an offline package index (flask, requests, redis and their dependencies)`,
      },
      pkg: entries[1]!,
    },
    {
      entry: {
        references: redisTags.map((t) => `redis:${t}`),
        layout: redisOut.dir,
        size: redisOut.size,
        description: `Redis ${redisLayer.version} (Debian redis-server, i386) on debian:bookworm-slim, with redis-cli; data in /data, port 6379`,
      },
      pkg: entries[2]!,
    },
    {
      entry: {
        references: nginxTags.map((t) => `nginx:${t}`),
        layout: nginxOut.dir,
        size: nginxOut.size,
        description: `nginx ${nginxLayer.version} (Debian nginx, i386) on debian:bookworm-slim, serving /usr/share/nginx/html on port 80`,
      },
      pkg: entries[3]!,
    },
    ...entries.slice(4).map((pkg) => ({ entry: {}, pkg })),
  ];
}

/** debian:trixie-slim and python:3.13-slim (trixie-images.ts), sharing the trixie debian layer. */
async function trixieImages(): Promise<{ entries: object[]; packages: Record<string, Pkg[1]> }> {
  const tw = join(work, 'trixie');
  const root = join(tw, 'rootfs');
  const created = new Date(1767225600 * 1000).toISOString();
  const base = buildDebianBase(tw, root, TRIXIE);
  checkSharedLibraries(root);
  const baseLayer = await layerOf(base);
  const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  let debian = await appendLayer(await emptyImage({ os: 'linux', architecture: '386' }), baseLayer, {
    created,
    created_by: base.createdBy,
  });
  debian = await withConfig(debian, { Env: env, Cmd: ['bash'] });
  debian = await appendEmptyLayerHistory(debian, { created, created_by: 'CMD ["bash"]' });
  // stable-slim: what Docker Hub's tag means since trixie's release
  const debianTags = ['trixie-slim', '13-slim', 'stable-slim'];
  const debianOut = await writeLayout('debian', debian, new Map([[baseLayer.digest, base.blob]]), debianTags, 'debian-trixie');

  const py = buildPythonLayer(tw, root, TRIXIE);
  const pip = buildPipLayer(tw, root, TRIXIE);
  checkSharedLibraries(root);
  const pyLayer = await layerOf(py);
  const pipLayer = await layerOf(pip);
  // 3.13.5-2+deb13u5 → 3.13.5
  const pyVersion = py.packages['python3.13:i386']!.version.split('-')[0]!;
  const pyEnv = [...env, 'LANG=C.UTF-8', `PYTHON_VERSION=${pyVersion}`, 'PIP_NO_INDEX=1'];
  let python = await appendLayer(await emptyImage({ os: 'linux', architecture: '386' }), baseLayer, {
    created,
    created_by: base.createdBy,
  });
  python = await withConfig(python, { Env: pyEnv });
  python = await appendEmptyLayerHistory(python, { created, created_by: `ENV LANG=C.UTF-8 PYTHON_VERSION=${pyVersion}` });
  python = await appendLayer(python, pyLayer, { created, created_by: py.createdBy });
  python = await appendLayer(python, pipLayer, { created, created_by: pip.createdBy });
  python = await withConfig(python, { Env: pyEnv, Cmd: ['python3'] });
  python = await appendEmptyLayerHistory(python, { created, created_by: 'CMD ["python3"]' });
  const pythonTags = ['3.13-slim', '3.13', '3-slim', 'slim', 'latest', '3.13-slim-trixie'];
  const pythonOut = await writeLayout(
    'python',
    python,
    new Map([
      [baseLayer.digest, base.blob],
      [pyLayer.digest, py.blob],
      [pipLayer.digest, pip.blob],
    ]),
    pythonTags,
    'python-3.13',
  );
  rmSync(root, { recursive: true, force: true });
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  console.log(
    `debian:trixie-slim ${mb(debianOut.size)} (zstd layer ${mb(base.blob.length)}, tar ${mb(base.tar.length)}); python:3.13-slim ${mb(pythonOut.size)} (zstd layers ${mb(base.blob.length)} + ${mb(py.blob.length)} + ${mb(pip.blob.length)}; tars ${mb(base.tar.length)} + ${mb(py.tar.length)} + ${mb(pip.tar.length)})`,
  );
  const packages: Record<string, Pkg[1]> = {};
  for (const layer of [base, py, pip])
    for (const [name, p] of Object.entries(layer.packages)) {
      if (packages[name] && packages[name].sha256 !== p.sha256)
        throw new Error(`${name}: two versions, ${packages[name].version} and ${p.version}`);
      packages[name] = p;
    }
  return {
    entries: [
      {
        references: debianTags.map((t) => `debian:${t}`),
        layout: debianOut.dir,
        size: debianOut.size,
        description: `Debian 13 (trixie), slim, i386: bash, coreutils, grep, sed, tar from ${Object.keys(base.packages).length} Debian packages`,
      },
      {
        references: pythonTags.map((t) => `python:${t}`),
        layout: pythonOut.dir,
        size: pythonOut.size,
        description: `Python ${pyVersion} on debian:trixie-slim with pip and an offline package index (flask, requests, redis and their dependencies)`,
      },
    ],
    packages,
  };
}

type Catalog = { images: { layout: string }[] };
type Manifest = { packages: Record<string, Pkg[1]>; trixie?: { sources: string[]; packages: Record<string, Pkg[1]> } };

const selected = process.argv.slice(2);
for (const s of selected)
  if (!['busybox', 'bookworm', 'trixie'].includes(s)) throw new Error(`unknown image set ${s}: busybox, bookworm or trixie`);
const wants = (s: string) => selected.length === 0 || selected.includes(s);
mkdirSync(out, { recursive: true });
// what is not rebuilt stays as committed (catalog entries, pins)
const oldCatalog: Catalog = existsSync(join(out, 'catalog.json'))
  ? (JSON.parse(readFileSync(join(out, 'catalog.json'), 'utf8')) as Catalog)
  : { images: [] };
const oldManifest: Manifest = existsSync(join(out, 'manifest.json'))
  ? (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest)
  : { packages: {} };
const kept = (layouts: string[]) => oldCatalog.images.filter((e) => layouts.includes(e.layout));
const catalog: object[] = [];
const packages: Record<string, Pkg[1]> = {};
if (wants('busybox')) {
  const b = await busybox();
  catalog.push(b.entry);
  packages[b.pkg[0]] = b.pkg[1];
} else {
  catalog.push(...kept(['busybox']));
  packages['busybox-static:i386'] = oldManifest.packages['busybox-static:i386']!;
}
if (wants('bookworm')) {
  const built = await debianImages();
  catalog.push(...built.map((b) => b.entry).filter((e) => 'references' in e));
  for (const b of built) packages[b.pkg[0]] = b.pkg[1];
} else {
  catalog.push(...kept(['debian', 'python', 'redis', 'nginx']));
  for (const [k, v] of Object.entries(oldManifest.packages)) if (k !== 'busybox-static:i386') packages[k] = v;
}
let trixie = oldManifest.trixie;
if (wants('trixie')) {
  const built = await trixieImages();
  catalog.push(...built.entries);
  trixie = { sources: TRIXIE_SOURCES, packages: built.packages };
} else catalog.push(...kept(['debian-trixie', 'python-3.13']));
writeFileSync(join(out, 'catalog.json'), JSON.stringify({ images: catalog }, null, 2) + '\n');
const files: Record<string, { sha256: string; size: number }> = {};
const walk = (d: string, rel = ''): void => {
  for (const f of readdirSync(d).sort()) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p, `${rel}${f}/`);
    else if (f !== 'manifest.json')
      files[`${rel}${f}`] = { sha256: createHash('sha256').update(readFileSync(p)).digest('hex'), size: statSync(p).size };
  }
};
walk(out);
const tools = { zstd: `${zstdVersion()} ${ZSTD_ARGS.join(' ')}` };
writeFileSync(join(out, 'manifest.json'), JSON.stringify({ packages, ...(trixie ? { trixie } : {}), tools, files }, null, 2) + '\n');
console.log(`wrote ${Object.keys(files).length} files to ${out}`);
