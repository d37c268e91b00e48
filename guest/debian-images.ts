/**
 * debian:bookworm-slim and python:3.11-slim for i386, from Debian bookworm packages only
 * (`apt-get download`, `dpkg-deb -x`), layered the way Docker Hub's are: the python image is the
 * debian base layer plus a python layer and a pip layer, so the two images share a layer. Slimmed
 * for the browser: no docs, man pages, locales, gconv modules or Python test suites, and the
 * package manager left out (there is no network to use it). The same functions build
 * debian:trixie-slim and python:3.13-slim from Debian 13 given trixie-images.ts's `TRIXIE` (a
 * `Suite`: its packages, apt lists, pins and removals; `BOOKWORM` here is this file's).
 *
 * What maintainer scripts would do is done here: /bin/sh → dash, /etc/passwd and /etc/group from
 * base-passwd, /etc/ld.so.cache (Debian's own i386 ldconfig, run on the host), the CA bundle.
 * pip installs offline from a wheel index repackaged from Debian's python3-* packages: flask,
 * requests, and the redis client (for the redis image, service-images.ts) with their dependencies.
 *
 * Format: layers are tar+zstd (`ZSTD_ARGS`), about 40% smaller than gzip -9.
 * Python's own modules (the standard library and pip) ship as sourceless .pyc — a legacy
 * `module.pyc` where `module.py` was, as Python's Windows embeddable distribution ships its
 * library — compiled by the image's own python3.11 without column tables (`-X no_debug_ranges`;
 * with no source there is no line to point carets at) and without docstrings (as `python -OO`
 * compiles, but asserts stay). Tracebacks through them show file and line but no source text;
 * `help()` shows a stdlib function's signature but not its prose (the builtins — str, list, dict,
 * print… — keep their documentation, which lives in the interpreter). Kept as source: Debian's
 * sitecustomize.py (a config file in /etc) and the two scripts pip runs by path to build from
 * source (pip/__pip-runner__.py, pyproject_hooks/_in_process.py). The offline wheels keep their
 * sources and docstrings, carry checked-hash .pyc files (also without column tables: a traceback through flask shows the line without ^^^
 * carets) and are stored uncompressed inside the zip (the layer's zstd does better), and
 * /etc/pip.conf says `compile = false`: pip then installs without byte-compiling in the emulated
 * guest, which was a third of the seed example's build, and imports still find .pyc files.
 *
 * Removed beyond the slimming above, each because no user of this image should miss it:
 * - the C test modules of lib-dynload (_testcapi, _testbuffer, _testclinic, _testimportmultiple,
 *   _testinternalcapi, _testmultiphase, _xxtestfuzz, xxlimited, xxlimited_35, _ctypes_test,
 *   _xxsubinterpreters): only CPython's own test suite (already removed) imports them;
 * - _pydecimal.py and _pyio.py: pure-Python twins of _decimal and _io, used only when those C
 *   modules are missing (they are not) or by the test suite; turtle.py: needs tkinter (removed);
 * - the East Asian codecs (_codecs_cn/hk/iso2022/jp/kr/tw, _multibytecodec and the 24
 *   encodings/*.py using them: big5, gbk, shift_jis, euc_kr, iso2022_jp…): only for legacy
 *   CJK encodings (`'…'.encode('shift_jis')` raises LookupError); UTF-8 and the other codecs stay;
 * - lib2to3 (python3-lib2to3): the engine of the 2to3 tool (not installed), deprecated since 3.9
 *   and gone in 3.13; python3-distutils only uses it in run_2to3;
 * - OpenSSL's engines-3/ and ossl-modules/legacy.so: Python uses neither (Debian's openssl.cnf
 *   does not load the legacy provider);
 * - libexpatw, libformw, libmenuw, libhistory: shared libraries nothing in the image links
 *   (pyexpat uses libexpat, curses ncursesw/panelw/tinfo, readline only libreadline);
 * - usr/lib/valgrind (a suppression file), and certifi/cacert.pem in the certifi wheel and
 *   pip/_vendor/certifi/cacert.pem (a symlink to the system bundle now): Debian patches both
 *   certifis to return /etc/ssl/certs/ca-certificates.crt, so these copies are never read.
 * - setuptools, pkg_resources and wheel (python3-setuptools, python3-pkg-resources, python3-wheel):
 *   the official python:3.12 images no longer ship them either; pip installs the index's wheels
 *   itself and vendors what it needs (`import setuptools` raises ModuleNotFoundError; a
 *   setup.py project cannot be built offline anyway, pip's build isolation would fetch setuptools).
 * Kept on purpose: usr/sbin/ldconfig (ctypes.util.find_library runs `ldconfig -p`), curses and the
 * modules PEP 594 deprecates (importable, as in any 3.11), chardet in the index (Debian's requests
 * checks for it and warns on every import without it), ssl and sqlite3.
 * Measured on the python layer (zstd bytes saved): stdlib docstrings 400 kB, setuptools & co.
 * 350 kB; for comparison curses 147 kB, the PEP 594 modules 161 kB, pip's vendored pygments 108 kB
 * (pip imports it on every command, through rich.traceback). Added to the pip layer by the redis
 * client and its dependencies (async-timeout, deprecated, wrapt, packaging): 424 kB, 330 kB of it
 * redis's own wheel (181 kB of that its .pyc files), which took the image from 14.83 MB to 15.25 MB.
 *
 * Package versions are pinned by public/images/manifest.json (`PINS`): a rebuild downloads what
 * the committed images were made from, from Debian's pool when bookworm has moved on.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { MediaType } from '../src/engine/oci/types.ts';

/** A built layer: its tar, the compressed blob as shipped, and the packages it holds. */
export interface BuiltLayer {
  tar: Uint8Array;
  /** The tar compressed with zstd (`ZSTD_ARGS`). */
  blob: Uint8Array;
  mediaType: typeof MediaType.OciLayerZstd;
  packages: Record<string, { version: string; sha256: string }>;
  createdBy: string;
}

/**
 * How the layers are compressed: zstd's strongest level with a 32 MiB window. The window stays
 * within what `zstd -d` accepts without `--long`/`--memory` (128 MiB) and what fzstd handles;
 * the frame records the content size (the input is a file), so the engine decodes in one pass.
 */
export const ZSTD_ARGS = ['--ultra', '-22', '--long=25'];

const EPOCH = 1767225600; // 2026-01-01T00:00:00Z, every file's mtime (reproducible digests)

export const BASE_PACKAGES = [
  'base-files',
  'base-passwd',
  'bash',
  'coreutils',
  'dash',
  'debianutils',
  'findutils',
  'gcc-12-base',
  'grep',
  'gzip',
  'hostname',
  'libacl1',
  'libattr1',
  'libc-bin',
  'libc6',
  'libgcc-s1',
  'libpcre2-8-0',
  'libselinux1',
  'libtinfo6',
  'ncurses-base',
  'sed',
  'tar',
  'zlib1g',
  'libgmp10',
];

export const PYTHON_PACKAGES = [
  'libbz2-1.0',
  'libcrypt1',
  'libexpat1',
  'libffi8',
  'liblzma5',
  'libncursesw6',
  'libpython3.11-minimal',
  'libpython3.11-stdlib',
  'libreadline8',
  'libsqlite3-0',
  'libssl3',
  'libuuid1',
  'python3-minimal',
  'python3.11-minimal',
  'python3.11',
  'python3',
  'media-types',
  'readline-common',
  'ca-certificates',
];

/**
 * pip alone, as the official python:3.12 images ship it: no setuptools, pkg_resources or wheel (the
 * offline index holds only wheels, which pip installs itself; pip vendors what it needs).
 */
export const PIP_PACKAGES = ['python3-pip', 'python3-distutils'];

/**
 * Debian packages repackaged as wheels for the offline index: flask, requests, redis (the client,
 * for the redis image) and their dependencies (redis 4.3 requires async-timeout, deprecated, whose
 * wrapt is a C extension, and packaging).
 */
export const WHEEL_PACKAGES = [
  'python3-flask',
  'python3-werkzeug',
  'python3-jinja2',
  'python3-markupsafe',
  'python3-itsdangerous',
  'python3-click',
  'python3-blinker',
  'python3-requests',
  'python3-urllib3',
  'python3-idna',
  'python3-charset-normalizer',
  'python3-certifi',
  'python3-chardet',
  'python3-six',
  'python3-redis',
  'python3-async-timeout',
  'python3-deprecated',
  'python3-wrapt',
  'python3-packaging',
];

/** The wheels' packages that are built for an architecture (C extensions); the rest are `all`. */
const WHEEL_BINARY_PACKAGES = ['python3-markupsafe', 'python3-wrapt'];

/** What `slim` removes of a Python `version`'s standard library (tests, IDLE, tkinter, dbm's Berkeley DB). */
function pythonSlim(version: string): string[] {
  const lib = `usr/lib/python${version}`;
  const so = (m: string) => `${lib}/lib-dynload/${m}.cpython-${version.replace('.', '')}-i386-linux-gnu.so`;
  return [
    `${lib}/test`,
    `${lib}/idlelib`,
    `${lib}/tkinter`,
    `${lib}/turtledemo`,
    `${lib}/ensurepip`,
    `${lib}/pydoc_data`,
    `${lib}/EXTERNALLY-MANAGED`,
    `${lib}/lib2to3/tests`,
    `${lib}/unittest/test`,
    `${lib}/ctypes/test`,
    `${lib}/distutils/tests`,
    `${lib}/sqlite3/test`,
    so('_dbm'),
    so('nis'),
  ];
}

/** Paths removed from every layer (docs, translations, caches), like debuerreotype's slimify and more. */
const SLIM = [
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/locale',
  'usr/share/lintian',
  'usr/share/linda',
  'usr/share/bug',
  'usr/share/menu',
  'usr/share/common-licenses',
  'usr/lib/i386-linux-gnu/gconv',
  'usr/share/i18n',
  'usr/bin/localedef',
  'usr/share/zoneinfo',
  'var/cache',
  'var/lib/dpkg',
  'usr/share/bash-completion',
  ...pythonSlim('3.11'),
  ...pythonSlim('3.13'),
  'usr/sbin/update-passwd',
  'usr/share/ca-certificates',
  'usr/share/pixmaps',
  'usr/share/applications',
  'usr/lib/python3/dist-packages/setuptools/_vendor/pyparsing/diagram',
];

const DYNLOAD = 'usr/lib/python3.11/lib-dynload';
const LIBS = 'usr/lib/i386-linux-gnu';

/**
 * Removed from the python layer beyond SLIM; why each goes is in the module comment. A trailing
 * `*` matches any rest of the name. (The encodings using the CJK codecs go in `removeCjkCodecs`.)
 */
const PYTHON_REMOVED = [
  ...[
    '_testbuffer',
    '_testcapi',
    '_testclinic',
    '_testimportmultiple',
    '_testinternalcapi',
    '_testmultiphase',
    '_xxtestfuzz',
    'xxlimited',
    'xxlimited_35',
    '_ctypes_test',
    '_xxsubinterpreters',
  ].map((m) => `${DYNLOAD}/${m}.cpython-311-i386-linux-gnu.so`),
  'usr/lib/python3.11/_pydecimal.py',
  'usr/lib/python3.11/_pyio.py',
  'usr/lib/python3.11/turtle.py',
  `${DYNLOAD}/_codecs_*`,
  `${DYNLOAD}/_multibytecodec*`,
  `${LIBS}/engines-3`,
  `${LIBS}/ossl-modules`,
  `${LIBS}/libexpatw.so*`,
  `${LIBS}/libformw.so*`,
  `${LIBS}/libmenuw.so*`,
  `${LIBS}/libhistory.so*`,
  'usr/lib/valgrind',
];

/** Files left out of the offline wheels (paths inside the wheel); see the module comment. */
const WHEEL_REMOVED = ['certifi/cacert.pem'];

type Pin = { version: string; sha256: string };

/**
 * A Debian release the images are built from, and what its debian, python and pip layers hold.
 * `BOOKWORM` is this file's; trixie-images.ts has `TRIXIE`.
 */
export interface Suite {
  /** Debian's code name (bookworm). */
  name: string;
  /** apt-get/apt-cache options selecting this suite's i386 package lists (none: the machine's own). */
  apt: () => string[];
  /** Where the suite's pins are in public/images/manifest.json (`packages`, or `<name>.packages`). */
  manifestKey: string;
  /** The base layer's packages (`ncurses-base` is `all`, the others i386). */
  base: string[];
  /** Removed from the base layer beyond `slim` (a trailing `*` matches any rest of a name). */
  baseRemoved: string[];
  /** The python layer's Python, `3.11`. */
  python: string;
  pythonPackages: string[];
  /** The python layer's architecture-independent packages (the others are i386). */
  pythonPackagesAll: string[];
  /** Removed from the python layer beyond `slim` (a trailing `*` matches any rest of a name). */
  pythonRemoved: string[];
  pip: string[];
  /** Removed from the pip layer (paths under the root; a trailing `*` matches any rest of a name). */
  pipRemoved: string[];
  /** Debian packages repackaged as the offline index's wheels, and those built for i386. */
  wheels: string[];
  wheelBinary: string[];
  /** Left out of the wheels (paths inside a wheel; a trailing `*` matches any rest of a name). */
  wheelRemoved: string[];
}

export const BOOKWORM: Suite = {
  name: 'bookworm',
  apt: () => [],
  manifestKey: 'packages',
  base: BASE_PACKAGES,
  baseRemoved: [],
  python: '3.11',
  pythonPackages: PYTHON_PACKAGES,
  pythonPackagesAll: ['media-types', 'readline-common', 'ca-certificates'],
  pythonRemoved: PYTHON_REMOVED,
  pip: PIP_PACKAGES,
  pipRemoved: [],
  wheels: WHEEL_PACKAGES,
  wheelBinary: WHEEL_BINARY_PACKAGES,
  wheelRemoved: WHEEL_REMOVED,
};

/** Whether the wheels carry .pyc files and pip installs without compiling (pip.conf `compile = false`). */
const WHEEL_PYC = true;

/** The encodings/*.py modules that import a CJK codec (removed with the codecs). */
function removeCjkCodecs(root: string, python: string): void {
  const dir = join(root, `usr/lib/python${python}/encodings`);
  for (const f of readdirSync(dir).sort())
    if (f.endsWith('.py') && /^import _codecs_/m.test(readFileSync(join(dir, f), 'utf8'))) rmSync(join(dir, f));
}

/** Removes `patterns` (paths under `root`; a trailing `*` matches any rest of the name). */
export function remove(root: string, patterns: readonly string[]): void {
  for (const p of patterns) {
    if (!p.endsWith('*')) {
      rmSync(join(root, p), { recursive: true, force: true });
      continue;
    }
    const dir = join(root, dirname(p));
    const prefix = p.slice(p.lastIndexOf('/') + 1, -1);
    if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.startsWith(prefix)) rmSync(join(dir, f), { recursive: true, force: true });
  }
}

/**
 * The package versions the committed images were built from (`public/images/manifest.json`,
 * `packages` for bookworm, `trixie.packages` for trixie): a rebuild downloads exactly these, so
 * images whose inputs did not change come out byte-identical even after Debian has published newer
 * versions (security updates). Packages not in the manifest take Debian's newest;
 * `LAYERLAB_UPDATE_PACKAGES=1` ignores the pins (to refresh the images on purpose).
 */
const pinCache = new Map<string, Record<string, Pin>>();
function pins(suite: Suite): Record<string, Pin> {
  let cached = pinCache.get(suite.name);
  if (!cached) pinCache.set(suite.name, (cached = readPins(suite)));
  return cached;
}
function readPins(suite: Suite): Record<string, Pin> {
  if (process.env.LAYERLAB_UPDATE_PACKAGES) return {};
  const file = join(import.meta.dirname, '../public/images/manifest.json');
  if (!existsSync(file)) return {};
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const at = (suite.manifestKey === 'packages' ? manifest : (manifest[suite.name] as Record<string, unknown> | undefined)) ?? {};
  return (at.packages as Record<string, Pin> | undefined) ?? {};
}

/** Where Debian keeps every .deb of bookworm and trixie, including versions its package lists no longer name. */
export const DEBIAN_POOLS = ['http://deb.debian.org/debian', 'http://deb.debian.org/debian-security'];

/** `name` (`pkg` or `pkg:arch`) → its pin in the manifest, which records `pkg:i386` or `pkg:all`. */
function pinOf(name: string, suite: Suite): { key: string; version: string; sha256: string } | undefined {
  const PINS = pins(suite);
  const [pkg, arch] = name.split(':') as [string, string | undefined];
  for (const key of arch ? [`${pkg}:${arch}`] : [`${pkg}:all`, `${pkg}:i386`]) if (PINS[key]) return { key, ...PINS[key] };
  return undefined;
}

/** Whether apt's package lists still have `version` of `name`. */
function aptHas(name: string, version: string, suite: Suite): boolean {
  const policy = execFileSync('apt-cache', [...suite.apt(), 'policy', name], { encoding: 'utf8' });
  return new RegExp(`^ [ *]{3} ${version.replace(/[.+~^$]/g, '\\$&')} `, 'm').test(policy);
}

/** Downloads the pinned version of `name` from the archive's pool (apt's lists name a newer one). */
function downloadFromPool(dir: string, name: string, pin: { key: string; version: string }, suite: Suite): void {
  // the pool path of the version apt knows (pool/main/p/pcre2/libpcre2-8-0_10.42-1+deb12u2_i386.deb),
  // with the pinned version's file name
  const show = execFileSync('apt-cache', [...suite.apt(), 'show', '--no-all-versions', name], { encoding: 'utf8' });
  const pool = /^Filename: (.+)\/[^/]+$/m.exec(show)?.[1]?.replace('pool/updates/', 'pool/');
  if (!pool) throw new Error(`no pool path for ${name}`);
  const [pkg, arch] = [name.split(':')[0]!, pin.key.split(':')[1]!];
  const file = `${pkg}_${pin.version.replace(/^\d+:/, '')}_${arch}.deb`;
  // saved under the name apt gives it (an epoch is `%3a` there)
  const saved = join(dir, `${pkg}_${pin.version.replace(':', '%3a')}_${arch}.deb`);
  const urls = DEBIAN_POOLS.map((m) => `${m}/${m.endsWith('-security') ? pool.replace('pool/', 'pool/updates/') : pool}/${file}`);
  const url = urls.find((u) => {
    try {
      execFileSync('curl', ['-fsSL', '-o', saved, u], { stdio: ['ignore', 'ignore', 'ignore'] });
      return true;
    } catch {
      rmSync(saved, { force: true });
      return false;
    }
  });
  if (!url) throw new Error(`${name} ${pin.version} (pinned by public/images/manifest.json) is not in ${urls.join(' or ')}`);
}

/** The version in a .deb's file name (`libc6_2.36-9+deb12u14_i386.deb`; an epoch is `%3a`). */
function debVersion(file: string): string {
  return decodeURIComponent(file.split('_')[1] ?? '');
}

/**
 * Downloads `pkgs` (architecture-qualified where needed) into `dir`, at the versions `PINS`
 * records; returns name → .deb path. A .deb already in `dir` is reused when its version is right.
 */
export function download(dir: string, pkgs: string[], arch: (p: string) => string, suite: Suite = BOOKWORM): Map<string, string> {
  mkdirSync(dir, { recursive: true });
  const want = pkgs.map((p) => (p.includes(':') ? p : `${p}${arch(p)}`));
  // a .deb of another version than the pinned one is stale
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.deb'))) {
    const pin = want.find((p) => p.split(':')[0] === f.split('_')[0]);
    const version = pin && pinOf(pin, suite)?.version;
    if (version && debVersion(f) !== version) rmSync(join(dir, f));
  }
  const have = new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith('.deb'))
      .map((f) => f.split('_')[0]),
  );
  const missing = want.filter((p) => !have.has(p.split(':')[0]!));
  const fromApt = missing.flatMap((p) => {
    const pin = pinOf(p, suite);
    if (!pin) return [p];
    return aptHas(p, pin.version, suite) ? [`${p}=${pin.version}`] : [];
  });
  if (fromApt.length)
    execFileSync('apt-get', [...suite.apt(), 'download', ...fromApt], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  for (const p of missing) {
    const pin = pinOf(p, suite);
    if (!pin) continue;
    if (!fromApt.includes(`${p}=${pin.version}`)) downloadFromPool(dir, p, pin, suite);
    const deb = readdirSync(dir).find((f) => f.endsWith('.deb') && f.split('_')[0] === p.split(':')[0] && debVersion(f) === pin.version);
    const sha256 =
      deb &&
      createHash('sha256')
        .update(readFileSync(join(dir, deb)))
        .digest('hex');
    if (sha256 !== pin.sha256) throw new Error(`${p} ${pin.version}: sha256 ${sha256} is not the manifest's ${pin.sha256}`);
  }
  const out = new Map<string, string>();
  for (const f of readdirSync(dir)) {
    const name = f.split('_')[0]!;
    if (f.endsWith('.deb') && pkgs.some((p) => p.split(':')[0] === name)) out.set(name, join(dir, f));
  }
  for (const p of pkgs) if (!out.has(p.split(':')[0]!)) throw new Error(`package ${p} was not downloaded`);
  return out;
}

export function pkgInfo(debs: Map<string, string>): BuiltLayer['packages'] {
  const info: BuiltLayer['packages'] = {};
  for (const [name, deb] of [...debs].sort()) {
    const arch = execFileSync('dpkg-deb', ['-f', deb, 'Architecture'], { encoding: 'utf8' }).trim();
    info[`${name}:${arch}`] = {
      version: execFileSync('dpkg-deb', ['-f', deb, 'Version'], { encoding: 'utf8' }).trim(),
      sha256: createHash('sha256').update(readFileSync(deb)).digest('hex'),
    };
  }
  return info;
}

/** Moves /bin, /sbin and /lib* into /usr (bookworm's merged /usr). */
export function mergeUsr(root: string, makeLinks: boolean): void {
  for (const d of ['bin', 'sbin', 'lib', 'lib32', 'libx32', 'lib64']) {
    const src = join(root, d);
    if (!existsSync(src) || lstatSync(src).isSymbolicLink()) continue;
    const dst = join(root, 'usr', d);
    mkdirSync(dst, { recursive: true });
    cpSync(src, dst, { recursive: true, verbatimSymlinks: true, force: true });
    rmSync(src, { recursive: true, force: true });
  }
  // (trixie's base-files ships these links itself)
  if (makeLinks) for (const d of ['bin', 'sbin', 'lib']) if (!existsSync(join(root, d))) symlinkSync(`usr/${d}`, join(root, d));
}

export function slim(root: string): void {
  for (const p of SLIM) rmSync(join(root, p), { recursive: true, force: true });
  // keep only the C.UTF-8 locale
  const locales = join(root, 'usr/lib/locale');
  if (existsSync(locales))
    for (const l of readdirSync(locales)) if (l !== 'C.utf8') rmSync(join(locales, l), { recursive: true, force: true });
}

/** `tar` compressed with zstd `ZSTD_ARGS` (through a file, so the frame records the content size). */
function zstd(work: string, tar: Uint8Array): Uint8Array {
  const file = join(work, 'layer.tar');
  writeFileSync(file, tar);
  try {
    return new Uint8Array(execFileSync('zstd', ['-q', '-c', ...ZSTD_ARGS, file], { maxBuffer: 1 << 30 }));
  } finally {
    rmSync(file, { force: true });
  }
}

/** The zstd version compressing the layers (another version may give other bytes, so other digests). */
export function zstdVersion(): string {
  return /v(\d+\.\d+\.\d+)/.exec(execFileSync('zstd', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
}

/** A reproducible tar of `dir` (GNU tar: sorted, owner 0, fixed mtime) and its zstd. */
function tarDir(work: string, dir: string, paths = ['.']): { tar: Uint8Array; blob: Uint8Array; mediaType: typeof MediaType.OciLayerZstd } {
  const tar = new Uint8Array(
    execFileSync(
      'tar',
      [
        '-C',
        dir,
        '--sort=name',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        `--mtime=@${EPOCH}`,
        '--format=posix',
        '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
        '-cf',
        '-',
        ...paths,
      ],
      { maxBuffer: 1 << 30 },
    ),
  );
  return { tar, blob: zstd(work, tar), mediaType: MediaType.OciLayerZstd };
}

export function extract(debs: Map<string, string>, into: string): void {
  for (const deb of debs.values()) execFileSync('dpkg-deb', ['-x', deb, into]);
}

/** Everything under `dir` that is not under `lowerRoot` with the same content (what a layer adds). */
function snapshotFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (st.isSymbolicLink()) out.set(rel, `l:${execFileSync('readlink', [p], { encoding: 'utf8' })}`);
      else if (st.isDirectory()) {
        out.set(rel, `d:${st.mode}`);
        walk(p);
      } else out.set(rel, `f:${st.mode}:${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(dir);
  return out;
}

/** The debian:bookworm-slim layer (debian:<suite>-slim; a directory tree under `root`). */
export function buildDebianBase(work: string, root: string, suite: Suite = BOOKWORM): BuiltLayer {
  const debs = download(join(work, 'debs-base'), suite.base, (p) => (p === 'ncurses-base' ? '' : ':i386'), suite);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  extract(debs, root);
  mergeUsr(root, true);
  slim(root);
  remove(root, suite.baseRemoved);
  // what maintainer scripts would have done
  rmSync(join(root, 'usr/bin/sh'), { force: true });
  symlinkSync('dash', join(root, 'usr/bin/sh'));
  cpSync(join(root, 'usr/share/base-passwd/passwd.master'), join(root, 'etc/passwd'));
  cpSync(join(root, 'usr/share/base-passwd/group.master'), join(root, 'etc/group'));
  writeFileSync(
    join(root, 'etc/shadow'),
    readFileSync(join(root, 'etc/passwd'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => `${l.split(':')[0]}:*:19000:0:99999:7:::`)
      .join('\n') + '\n',
    { mode: 0o640 },
  );
  writeFileSync(join(root, 'etc/hostname'), 'localhost\n');
  writeFileSync(join(root, 'etc/hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  for (const d of ['tmp', 'var/tmp']) {
    mkdirSync(join(root, d), { recursive: true, mode: 0o1777 });
    execFileSync('chmod', ['1777', join(root, d)]);
  }
  for (const d of [
    'root',
    'home',
    'proc',
    'sys',
    'dev',
    'run',
    'mnt',
    'opt',
    'srv',
    'media',
    'var/log',
    'var/lib',
    'usr/local/bin',
    'usr/local/lib',
    'usr/local/sbin',
  ])
    mkdirSync(join(root, d), { recursive: true });
  execFileSync('chmod', ['700', join(root, 'root')]);
  execFileSync(join(root, 'usr/sbin/ldconfig'), ['-r', root]);
  return {
    ...tarDir(work, root),
    packages: pkgInfo(debs),
    createdBy: `# debian:${suite.name}-slim (i386) from ${debs.size} Debian packages: ${[...debs.keys()].join(' ')}`,
  };
}

/**
 * A layer adding what `install` changes on top of `root` (a copy of the tree below). Every entry
 * is owned by root, unless `keepOwners`: then each keeps its owner in the tree (for a directory an
 * image gives to its service's user, like redis's /data; the rest of the tree is root's).
 */
export function layerOnTop(
  work: string,
  name: string,
  root: string,
  install: (dir: string) => void,
  createdBy: string,
  debs: Map<string, string>,
  { keepOwners = false }: { keepOwners?: boolean } = {},
): BuiltLayer {
  const before = snapshotFiles(root);
  install(root);
  const after = snapshotFiles(root);
  const changed = [...after].filter(([p, sig]) => before.get(p) !== sig && !sig.startsWith('d:')).map(([p]) => p);
  // include new directories too, so modes are right
  const dirs = [...after].filter(([p, sig]) => sig.startsWith('d:') && !before.has(p)).map(([p]) => p);
  const list = join(work, `${name}.files`);
  writeFileSync(list, [...dirs, ...changed].sort().join('\n') + '\n');
  const tar = new Uint8Array(
    execFileSync(
      'tar',
      [
        '-C',
        root,
        '--sort=name',
        ...(keepOwners ? [] : ['--owner=0', '--group=0']),
        '--numeric-owner',
        `--mtime=@${EPOCH}`,
        '--format=posix',
        '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
        '--no-recursion',
        '-T',
        list,
        '-cf',
        '-',
      ],
      { maxBuffer: 1 << 30 },
    ),
  );
  return { tar, blob: zstd(work, tar), mediaType: MediaType.OciLayerZstd, packages: pkgInfo(debs), createdBy };
}

/** The python runtime layer on top of the debian base in `root` (changes `root`). */
export function buildPythonLayer(work: string, root: string, suite: Suite = BOOKWORM): BuiltLayer {
  const v = suite.python;
  const debs = download(
    join(work, 'debs-python'),
    suite.pythonPackages,
    (p) => (suite.pythonPackagesAll.includes(p) ? '' : ':i386'),
    suite,
  );
  return layerOnTop(
    work,
    'python',
    root,
    (dir) => {
      const x = join(work, 'x-python');
      rmSync(x, { recursive: true, force: true });
      mkdirSync(x, { recursive: true });
      extract(debs, x);
      mergeUsr(x, false);
      // the CA bundle update-ca-certificates would have made (when ca-certificates is in)
      const certs = join(x, 'usr/share/ca-certificates/mozilla');
      if (existsSync(certs)) {
        const bundle = readdirSync(certs)
          .sort()
          .map((f) => readFileSync(join(certs, f), 'utf8'))
          .join('');
        mkdirSync(join(x, 'etc/ssl/certs'), { recursive: true });
        writeFileSync(join(x, 'etc/ssl/certs/ca-certificates.crt'), bundle);
      }
      slim(x);
      remove(x, suite.pythonRemoved);
      removeCjkCodecs(x, v);
      cpSync(x, dir, { recursive: true, verbatimSymlinks: true, force: true });
      rmSync(x, { recursive: true, force: true });
      sourcelessPython(dir, v, [`usr/lib/python${v}`], [], { noDocstrings: true });
      symlinkSync('/usr/bin/python3', join(dir, 'usr/local/bin/python'));
      execFileSync(join(dir, 'usr/sbin/ldconfig'), ['-r', dir]);
    },
    `# python ${v} (Debian ${pkgInfo(debs)[`python${v}:i386`]?.version}) from ${debs.size} Debian packages`,
    debs,
  );
}

/**
 * Runs `guest/pyc.py` under the image's own python3.11 (python<version>, i386), started on the
 * build host through the image's loader and libraries, so the bytecode is byte for byte what the
 * guest would write (the host's Python may be another 3.11 release, or none).
 */
function pyc(root: string, python: string, args: string[], pythonFlags: string[] = []): void {
  const lib = join(root, 'usr/lib/i386-linux-gnu');
  execFileSync(
    join(lib, 'ld-linux.so.2'),
    [
      '--library-path',
      lib,
      join(root, `usr/bin/python${python}`),
      '-I',
      '-B',
      ...pythonFlags,
      join(import.meta.dirname, 'pyc.py'),
      ...args,
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8' },
    },
  );
}

/**
 * Makes the Python modules under `dirs` (relative to `root`) sourceless: a legacy `module.pyc`
 * beside where `module.py` was, compiled without column tables (see guest/pyc.py). `keep`: paths
 * that stay source (scripts run by path).
 */
function sourcelessPython(
  root: string,
  python: string,
  dirs: string[],
  keep: string[] = [],
  options: { noDocstrings?: boolean } = {},
): void {
  pyc(
    root,
    python,
    ['sourceless', ...(options.noDocstrings ? ['--no-docstrings'] : []), root, ...dirs, ...(keep.length ? ['--keep', ...keep] : [])],
    ['-X', 'no_debug_ranges'],
  );
}

/** Minimal ZIP writer for wheels: deflate, or `store` (no compression). */
function zip(files: { name: string; data: Uint8Array }[], options: { store?: boolean } = {}): Uint8Array {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (d: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of d) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  for (const f of files) {
    const name = Buffer.from(f.name);
    const method = options.store ? 0 : 8;
    const comp = options.store ? Buffer.from(f.data) : deflateRawSync(f.data, { level: 9 });
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x5c21, 12); // 2026-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    chunks.push(local, name, comp);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(0x031e, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(0, 12);
    c.writeUInt16LE(0x5c21, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(comp.length, 20);
    c.writeUInt32LE(f.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + comp.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...chunks, cd, end]));
}

/** setuptools `requires.txt` → `Requires-Dist` lines. */
function requiresDist(text: string): string[] {
  const out: string[] = [];
  let marker = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      const [extra = '', cond = ''] = section[1]!.split(':');
      const parts = [extra ? `extra == "${extra}"` : '', cond].filter(Boolean);
      marker = parts.join(' and ');
      continue;
    }
    out.push(`Requires-Dist: ${line}${marker ? `; ${marker}` : ''}`);
  }
  return out;
}

/**
 * Wheels for the offline index, made from Debian's python3-* packages. Stored uncompressed: the
 * layer's zstd compresses them far better than deflate would (and pip in the emulated guest has
 * nothing to inflate). With `root` (a tree with python3.11), each module also gets a checked-hash
 * `__pycache__` .pyc, so pip can install without compiling (see `WHEEL_PYC`).
 */
export function buildWheels(
  work: string,
  root?: string,
  suite: Suite = BOOKWORM,
): { wheels: { name: string; data: Uint8Array }[]; packages: BuiltLayer['packages'] } {
  const debs = download(join(work, 'debs-wheels'), suite.wheels, (p) => (suite.wheelBinary.includes(p) ? ':i386' : ''), suite);
  const x = join(work, 'x-wheels');
  rmSync(x, { recursive: true, force: true });
  mkdirSync(x, { recursive: true });
  const wheels: { name: string; data: Uint8Array }[] = [];
  // Debian package → Python distribution name, to turn dpkg's Depends into Requires-Dist
  const distOf = new Map<string, string>();
  for (const [pkg, deb] of debs) {
    const listing = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const m = /dist-packages\/([^/]+?)-[^-/]+\.(?:egg|dist)-info\//.exec(listing);
    if (m) distOf.set(pkg, m[1]!);
  }
  const dependsOf = (deb: string): string[] =>
    execFileSync('dpkg-deb', ['-f', deb, 'Depends'], { encoding: 'utf8' })
      .split(',')
      .map((alts) =>
        alts
          .split('|')
          .map((a) => a.trim().split(/[\s(:]/)[0]!)
          .find((a) => distOf.has(a)),
      )
      .filter((a): a is string => !!a)
      .map((a) => distOf.get(a)!);
  for (const [, deb] of [...debs].sort()) {
    const d = join(x, 'one');
    rmSync(d, { recursive: true, force: true });
    execFileSync('dpkg-deb', ['-x', deb, d]);
    const site = join(d, 'usr/lib/python3/dist-packages');
    const infoDir = readdirSync(site).find((f) => f.endsWith('.egg-info') || f.endsWith('.dist-info'))!;
    const m = /^(.+?)-([^-]+)\.(egg|dist)-info$/.exec(infoDir)!;
    const [name, version] = [m[1]!, m[2]!];
    const isDist = m[3] === 'dist';
    const info = join(site, infoDir);
    let metadata = readFileSync(join(info, isDist ? 'METADATA' : 'PKG-INFO'), 'utf8');
    // Debian keeps runtime requirements in dpkg's Depends (requires.txt keeps only extras)
    const reqs = [
      ...dependsOf(deb).map((d) => `Requires-Dist: ${d}`),
      ...(!isDist && existsSync(join(info, 'requires.txt'))
        ? requiresDist(readFileSync(join(info, 'requires.txt'), 'utf8')).filter((r) => r.includes('; extra =='))
        : []),
    ].filter((r) => !metadata.includes(`\n${r}\n`));
    if (reqs.length) {
      const cut = metadata.indexOf('\n\n');
      metadata =
        cut < 0 ? `${metadata.trimEnd()}\n${reqs.join('\n')}\n` : `${metadata.slice(0, cut)}\n${reqs.join('\n')}${metadata.slice(cut)}`;
    }
    remove(site, suite.wheelRemoved);
    // like the sourceless modules, without column tables: these match pip's own vendored copies
    // of chardet, requests, urllib3 and idna, which the layer's zstd then stores almost for free
    if (root) pyc(root, suite.python, ['cached', site], ['-X', 'no_debug_ranges']);
    const binary = readdirSync(site, { recursive: true }).some((f) => String(f).endsWith('.so'));
    const cp = `cp${suite.python.replace('.', '')}`;
    const tag = binary ? `${cp}-${cp}-linux_i686` : 'py3-none-any';
    const distInfo = `${name}-${version}.dist-info`;
    const files: { name: string; data: Uint8Array }[] = [];
    const walk = (dir: string, rel: string) => {
      for (const f of readdirSync(dir).sort()) {
        const p = join(dir, f);
        const r = rel ? `${rel}/${f}` : f;
        if (f === '__pycache__' && !root) continue;
        if (lstatSync(p).isDirectory()) walk(p, r);
        else if (existsSync(p)) files.push({ name: r, data: new Uint8Array(readFileSync(p)) });
        // (a dangling symlink to another Debian package, e.g. werkzeug's jquery.js, is left out)
      }
    };
    for (const entry of readdirSync(site).sort()) {
      if (entry === infoDir) continue;
      const p = join(site, entry);
      if (lstatSync(p).isDirectory()) walk(p, entry);
      else files.push({ name: entry, data: new Uint8Array(readFileSync(p)) });
    }
    const enc = (s: string) => new TextEncoder().encode(s);
    files.push({ name: `${distInfo}/METADATA`, data: enc(metadata) });
    files.push({
      name: `${distInfo}/WHEEL`,
      data: enc(
        `Wheel-Version: 1.0\nGenerator: layerlab (from Debian ${execFileSync('dpkg-deb', ['-f', deb, 'Package', 'Version'], { encoding: 'utf8' }).replace(/\n/g, ' ').trim()})\nRoot-Is-Purelib: ${binary ? 'false' : 'true'}\nTag: ${tag}\n`,
      ),
    });
    if (existsSync(join(info, 'top_level.txt')))
      files.push({ name: `${distInfo}/top_level.txt`, data: new Uint8Array(readFileSync(join(info, 'top_level.txt'))) });
    if (existsSync(join(info, 'entry_points.txt')))
      files.push({ name: `${distInfo}/entry_points.txt`, data: new Uint8Array(readFileSync(join(info, 'entry_points.txt'))) });
    const record = files.map((f) => `${f.name},sha256=${createHash('sha256').update(f.data).digest('base64url')},${f.data.length}`);
    record.push(`${distInfo}/RECORD,,`);
    files.push({ name: `${distInfo}/RECORD`, data: enc(record.join('\n') + '\n') });
    wheels.push({ name: `${name.replace(/-/g, '_')}-${version}-${tag}.whl`, data: zip(files, { store: true }) });
  }
  rmSync(x, { recursive: true, force: true });
  return { wheels, packages: pkgInfo(debs) };
}

/** pip and the offline index on top of the python layer in `root`. */
export function buildPipLayer(work: string, root: string, suite: Suite = BOOKWORM): BuiltLayer {
  const debs = download(join(work, 'debs-pip'), suite.pip, () => '', suite);
  const { wheels, packages } = buildWheels(work, WHEEL_PYC ? root : undefined, suite);
  const layer = layerOnTop(
    work,
    'pip',
    root,
    (dir) => {
      const x = join(work, 'x-pip');
      rmSync(x, { recursive: true, force: true });
      mkdirSync(x, { recursive: true });
      extract(debs, x);
      mergeUsr(x, false);
      slim(x);
      // Debian's pip reads the system CA bundle (its certifi is patched to); its own copy is unused
      const pipCerts = join(x, 'usr/lib/python3/dist-packages/pip/_vendor/certifi/cacert.pem');
      rmSync(pipCerts);
      symlinkSync('/etc/ssl/certs/ca-certificates.crt', pipCerts);
      remove(x, suite.pipRemoved);
      cpSync(x, dir, { recursive: true, verbatimSymlinks: true, force: true });
      rmSync(x, { recursive: true, force: true });
      const site = 'usr/lib/python3/dist-packages';
      sourcelessPython(
        dir,
        suite.python,
        [`${site}/pip`],
        // scripts pip runs by path, in a subprocess, to build packages from source
        [`${site}/pip/__pip-runner__.py`, `${site}/pip/_vendor/pyproject_hooks/_in_process/_in_process.py`],
        { noDocstrings: true },
      );
      // python3-distutils (bookworm; Python 3.12 removed distutils)
      if (existsSync(join(dir, `usr/lib/python${suite.python}/distutils`)))
        sourcelessPython(dir, suite.python, [`usr/lib/python${suite.python}/distutils`], [], { noDocstrings: true });
      const index = join(dir, 'usr/share/layerlab/wheels');
      mkdirSync(index, { recursive: true });
      for (const w of wheels) writeFileSync(join(index, w.name), w.data);
      writeFileSync(
        join(dir, 'etc/pip.conf'),
        [
          '# LayerLab has no network: pip installs from the wheels in /usr/share/layerlab/wheels,',
          `# repackaged from Debian ${suite.name} python3-* packages.`,
          '[global]',
          'no-index = true',
          'find-links = /usr/share/layerlab/wheels',
          'disable-pip-version-check = true',
          'root-user-action = ignore',
          'no-cache-dir = true',
          ...(WHEEL_PYC
            ? ['', '[install]', '# the wheels carry their .pyc files: no compiling in the (emulated, slow) guest', 'compile = false']
            : []),
          '',
        ].join('\n'),
      );
      symlinkSync('/usr/bin/pip3', join(dir, 'usr/local/bin/pip'));
    },
    `# pip and an offline index of ${wheels.length} wheels (${wheels.map((w) => w.name.split('-').slice(0, 2).join('==')).join(', ')})`,
    debs,
  );
  return { ...layer, packages: { ...layer.packages, ...packages } };
}

/** Fails when an ELF file in `root` needs a shared library the tree does not have. */
export function checkSharedLibraries(root: string): void {
  const libs = new Set<string>();
  const elfs: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.so(\.|$)/.test(f)) libs.add(f);
      if (st.isFile() && st.size > 4) {
        const head = readFileSync(p).subarray(0, 4);
        if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) elfs.push(p);
      }
    }
  };
  walk(root);
  const missing = new Set<string>();
  for (const e of elfs) {
    const out = execFileSync('readelf', ['-d', e], { encoding: 'utf8' });
    for (const m of out.matchAll(/\(NEEDED\)\s+Shared library: \[(.+?)\]/g))
      if (!libs.has(m[1]!) && m[1] !== 'ld-linux.so.2') missing.add(`${relative(root, e)} needs ${m[1]}`);
  }
  if (missing.size) throw new Error(`missing shared libraries:\n${[...missing].join('\n')}`);
}

export { dirname, renameSync };
