/**
 * debian:trixie-slim (debian:13-slim, debian:stable-slim) and python:3.13-slim (python:3.13,
 * python:3-slim, python:slim, python:latest, python:3.13-slim-trixie) for i386, from Debian 13
 * (trixie) packages, by the pipeline of debian-images.ts (the layers, the slimming, the
 * sourceless standard library and the offline wheel index are described there; all of it holds
 * here unless said otherwise below). The python image is the trixie base layer plus a python
 * layer and a pip layer, as python:3.11-slim is bookworm's. Build only these with
 * `npm run images -- trixie`.
 *
 * Packages come from the machine's Debian mirror through a private apt configuration
 * (`trixieApt`: its own sources list for trixie, trixie-updates and trixie-security, i386 only,
 * its own package lists, cache and an empty dpkg status in the work directory), so the machine's
 * own apt sources and lists (bookworm) stay as they are. Versions are pinned by
 * public/images/manifest.json's `trixie.packages` (`trixie.sources` records the apt lines), as
 * bookworm's are by its `packages`; a pinned version that trixie's lists no longer have is taken
 * from Debian's pool.
 *
 * Budget: each image at most 15 MB compressed (decimal, as catalog.json's `size`). As first built
 * with everything kept, python:3.13-slim was 16.34 MB: the trixie base is 2.3 MB bigger than
 * bookworm's (trixie's coreutils links OpenSSL's libcrypto, which links libzstd; each coreutils
 * program is its own, larger binary), python 3.13's interpreter and pip 25 are bigger than 3.11's
 * and pip 23's. What was left out to fit, from what students would miss least:
 *
 * The base layer: bookworm-slim's packages with trixie's names (gcc-14-base), plus what trixie's
 * coreutils links and bookworm's did not: libcap2 (ls, dir, vdir), and libcrypto from libssl3t64
 * (md5sum, sha*sum, cksum) with libzstd1. Left out:
 * - libsystemd0 (455 kB): only coreutils' `who`, `users` and `pinky` link it (to ask
 *   systemd-logind who is logged in; in a container nobody is, they print nothing), so those three
 *   programs go with it, the only ones of coreutils missing;
 * - libssl.so.3, the TLS half of libssl3t64 (libcrypto stays): nothing in the base uses TLS. The
 *   python layer adds it (Python's ssl module), from the same package and version;
 * - libraries nothing in either image links or preloads (72 kB + 30 kB): glibc's libnsl (NIS, kept
 *   by Debian only for old binaries), ncurses' libtic (for `tic`, not installed), and glibc's
 *   debugging preloads libc_malloc_debug, libmemusage and libpcprofile (their tools are in
 *   libc-devtools, not installed).
 *
 * The python layer: trixie's python3.13 (3.13.5) with 3.11's slimming and removals (test modules,
 * the CJK codecs' tables, _pyio, turtle, OpenSSL's engines and legacy provider, the unused wide
 * ncurses and expat libraries), and for 3.13 also its new test modules (_testclinic_limited,
 * _testexternalinspection, _testlimitedcapi, _testsinglephase, xxsubtype), the private
 * `_interpreters`/`_interpchannels`/`_interpqueues` (what `_xxsubinterpreters` was in 3.11: only
 * the test suite imports them) and _pydatetime.py (the pure-Python twin of _datetime, built in).
 * Python 3.13 itself no longer has lib2to3, distutils or the PEP 594 modules (cgi, crypt,
 * telnetlib…), so libcrypt1 is not needed. Kept: the new REPL (_pyrepl), curses, readline, ssl,
 * hashlib's OpenSSL (werkzeug hashes passwords with scrypt), _multibytecodec (unlike 3.11's
 * image: charset_normalizer, which requests uses, imports it), the CA bundle (requests 2.32
 * loads it when imported) and ldconfig (ctypes.util.find_library). Left out:
 * - sqlite3 (libsqlite3-0, _sqlite3 and the sqlite3 package; 850 kB, the one big cut):
 *   `import sqlite3` raises ModuleNotFoundError. No lesson uses it, flask, requests and redis do
 *   not, and dbm falls back from dbm.sqlite3 to dbm.dumb (shelve works). Everything else that
 *   would have saved as much (the wheels' precompiled .pyc, readline, curses, ssl, ldconfig, the
 *   CA bundle) is used by what students run;
 * - the C accelerators _decimal, _asyncio and _zoneinfo (about 130 kB): decimal, asyncio and
 *   zoneinfo fall back to their pure-Python implementations (_pydecimal.py stays for this), which
 *   give the same results, more slowly;
 * - Debian's byte-compiling hooks for dpkg (py3compile, py3clean, py3versions, usr/share/python3;
 *   there is no dpkg) and pygettext3 (25 kB).
 *
 * The pip layer: python3-pip 25.1 alone (no setuptools or wheel, as the official images), its
 * modules sourceless, and the offline index repackaged from trixie's python3-* packages: flask,
 * requests and the redis client with their dependencies (redis 6.1 needs nothing more on Python
 * ≥ 3.11.3: no async-timeout, deprecated, wrapt or packaging as bookworm's 4.3 did). Left out:
 * - chardet (230 kB): Debian's requests depends on it, upstream's does not (`pip install
 *   requests` from PyPI installs charset_normalizer only), and requests uses charset_normalizer
 *   without it, with no warning; the index has no chardet wheel;
 * - charset_normalizer's mypyc-compiled speedups (md.cpython-313-*.so, md__mypyc…so; 100 kB):
 *   its wheel is the pure-Python one (py3-none-any, as upstream also publishes), same results;
 * - pip's vendored pkg_resources (40 kB): pip uses importlib.metadata on Python ≥ 3.11 and imports
 *   pkg_resources only when told to with _PIP_USE_IMPORTLIB_METADATA=0.
 *
 * Result: debian:trixie-slim 6.84 MB; python:3.13-slim 14.98 MB (layers 6.84 + 5.47 + 2.67 MB).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEBIAN_POOLS, type Suite } from './debian-images.ts';

const LIBS = 'usr/lib/i386-linux-gnu';
const PY = 'usr/lib/python3.13';
const DYNLOAD = `${PY}/lib-dynload`;

/** The apt lines of the private configuration: trixie's i386 packages from the machine's mirror. */
export const TRIXIE_SOURCES = [
  `deb [arch=i386 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${DEBIAN_POOLS[0]} trixie main`,
  `deb [arch=i386 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${DEBIAN_POOLS[0]} trixie-updates main`,
  `deb [arch=i386 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${DEBIAN_POOLS[1]} trixie-security main`,
];

let aptOptions: string[] | undefined;

/**
 * apt-get/apt-cache options for trixie's i386 packages, in a directory of their own (its package
 * lists fetched once per build): the machine's own apt configuration is not touched.
 */
export function trixieApt(): string[] {
  if (aptOptions) return aptOptions;
  const dir = join(process.env.WORK ?? join(import.meta.dirname, '.work'), 'apt-trixie');
  for (const d of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'sources.list'), TRIXIE_SOURCES.join('\n') + '\n');
  if (!existsSync(join(dir, 'status'))) writeFileSync(join(dir, 'status'), '');
  const options = [
    `-o`,
    `Dir::Etc::sourcelist=${join(dir, 'sources.list')}`,
    `-o`,
    `Dir::Etc::sourceparts=-`,
    `-o`,
    `Dir::State::Lists=${join(dir, 'lists')}`,
    `-o`,
    `Dir::State::status=${join(dir, 'status')}`,
    `-o`,
    `Dir::Cache=${join(dir, 'cache')}`,
    `-o`,
    `APT::Architecture=i386`,
    `-o`,
    `APT::Architectures=i386`,
    `-o`,
    `Acquire::Languages=none`,
  ];
  execFileSync('apt-get', [...options, '-q', 'update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  aptOptions = options;
  return options;
}

export const TRIXIE: Suite = {
  name: 'trixie',
  apt: trixieApt,
  manifestKey: 'trixie',
  base: [
    'base-files',
    'base-passwd',
    'bash',
    'coreutils',
    'dash',
    'debianutils',
    'findutils',
    'gcc-14-base',
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
    'libcap2',
    'libssl3t64',
    'libzstd1',
  ],
  baseRemoved: [
    // see the module comment: who, users, pinky need libsystemd0, left out
    'usr/bin/who',
    'usr/bin/users',
    'usr/bin/pinky',
    // libssl3t64: libcrypto only (coreutils' checksums); the python layer adds libssl
    `${LIBS}/libssl.so*`,
    `${LIBS}/engines-3`,
    `${LIBS}/ossl-modules`,
    `${LIBS}/libpsx.so*`,
    // libraries nothing here links or preloads (see the module comment)
    `${LIBS}/libnsl.so*`,
    `${LIBS}/libtic.so*`,
    `${LIBS}/libc_malloc_debug.so*`,
    `${LIBS}/libmemusage.so`,
    `${LIBS}/libpcprofile.so`,
  ],
  python: '3.13',
  pythonPackages: [
    'libbz2-1.0',
    'libexpat1',
    'libffi8',
    'liblzma5',
    'libncursesw6',
    'libpython3.13-minimal',
    'libpython3.13-stdlib',
    'libreadline8t64',
    'libssl3t64',
    'libuuid1',
    'python3-minimal',
    'python3.13-minimal',
    'python3.13',
    'python3',
    'media-types',
    'readline-common',
    'ca-certificates',
  ],
  pythonPackagesAll: ['media-types', 'readline-common', 'ca-certificates'],
  pythonRemoved: [
    ...[
      '_testbuffer',
      '_testcapi',
      '_testclinic',
      '_testclinic_limited',
      '_testexternalinspection',
      '_testimportmultiple',
      '_testinternalcapi',
      '_testlimitedcapi',
      '_testmultiphase',
      '_testsinglephase',
      '_xxtestfuzz',
      'xxlimited',
      'xxlimited_35',
      'xxsubtype',
      '_ctypes_test',
      '_interpreters',
      '_interpchannels',
      '_interpqueues',
      '_sqlite3',
      // C accelerators whose pure-Python twins stay (see the module comment)
      '_decimal',
      '_asyncio',
      '_zoneinfo',
    ].map((m) => `${DYNLOAD}/${m}.cpython-313-i386-linux-gnu.so`),
    `${PY}/_pydatetime.py`,
    `${PY}/_pyio.py`,
    `${PY}/turtle.py`,
    `${PY}/sqlite3`,
    // the CJK codecs' tables; _multibytecodec stays (charset_normalizer imports it, see above)
    `${DYNLOAD}/_codecs_*`,
    `${LIBS}/engines-3`,
    `${LIBS}/ossl-modules`,
    `${LIBS}/libexpatw.so*`,
    `${LIBS}/libformw.so*`,
    `${LIBS}/libmenuw.so*`,
    `${LIBS}/libhistory.so*`,
    'usr/lib/valgrind',
    // Debian's byte-compiling hooks for dpkg (there is no dpkg), and the gettext catalog extractor
    'usr/share/python3',
    'usr/bin/py3compile',
    'usr/bin/py3clean',
    'usr/bin/py3versions',
    'usr/share/binfmts',
    'usr/bin/pygettext3',
    'usr/bin/pygettext3.13',
    'usr/share/doc-base',
  ],
  pip: ['python3-pip'],
  pipRemoved: ['usr/lib/python3/dist-packages/pip/_vendor/pkg_resources'],
  wheels: [
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
    'python3-redis',
  ],
  wheelBinary: ['python3-markupsafe', 'python3-charset-normalizer'],
  wheelRemoved: ['certifi/cacert.pem', 'charset_normalizer/md.cpython-313*', 'charset_normalizer/md__mypyc*'],
};
