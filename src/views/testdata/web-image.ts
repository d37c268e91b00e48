/**
 * Test fixture: `web:1`, a small Flask app built on a miniature python:3.11-slim, as real tar
 * layers plus the `docker image inspect` / `docker history` the engine would report for it.
 *
 *   FROM python:3.11-slim              (3 base layers + ENV, CMD)
 *   WORKDIR /app
 *   COPY requirements.txt .
 *   RUN pip install -r requirements.txt
 *   COPY . /app
 *   ENV FLASK_APP=app.py
 *   EXPOSE 5000
 *   CMD ["flask", "run", "--host=0.0.0.0"]
 *
 * The python layer deletes apt's package list from the base (wasted space) and rewrites dpkg's
 * status file; `COPY . /app` copies requirements.txt a second time.
 */
import type { HistoryEntry, ImageInspect } from '../../engine/api.ts';
import { FsTree, applyLayer, layerStats, sha256Digest, tarEntry, writeTar, type LayerStats, type TarEntry, type TarEntryInit } from '../../engine/layer/index.ts';

const enc = new TextEncoder();
/** 2026-01-01T00:00:00Z: when the base images were made. */
export const T_BASE = 1_767_225_600;
/** 2026-03-02T09:30:00Z: when web:1 was built. */
export const T_BUILD = 1_772_443_800;

/** `n` deterministic bytes (a repeating pattern seeded by `seed`). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 17) & 0xff;
  return out;
}

const dir = (name: string, mtime = T_BASE, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({ name, type: 'directory', mtime, ...extra });
const file = (name: string, data: Uint8Array | string, mtime = T_BASE, extra: Partial<TarEntryInit> = {}): TarEntryInit => ({
  name,
  type: 'file',
  data: typeof data === 'string' ? enc.encode(data) : data,
  mtime,
  ...extra,
});
const exe = (name: string, size: number, seed: number, mtime = T_BASE): TarEntryInit => file(name, bytes(size, seed), mtime, { mode: 0o755 });
const link = (name: string, target: string, mtime = T_BASE): TarEntryInit => ({ name, type: 'symlink', linkname: target, mtime });
const whiteout = (dirName: string, name: string, mtime = T_BASE): TarEntryInit => ({ name: `${dirName}.wh.${name}`, type: 'file', mode: 0o600, mtime });

const PACKAGES = 'deb.debian.org_debian_dists_bookworm_main_binary-i386_Packages';
const REQUIREMENTS = 'flask==2.2.2\n';
const APP_PY = `from flask import Flask, render_template

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html", visits=count_visit())


def count_visit():
    with open("/app/data/visits", "a+") as f:
        f.write(".")
        f.seek(0)
        return len(f.read())
`;

const dpkgStatus = (packages: string[]) =>
  packages.map((p) => `Package: ${p}\nStatus: install ok installed\nArchitecture: i386\nVersion: 12\n\n`).join('');

/** The seven layers' members, bottom first. */
export function webLayerInits(): TarEntryInit[][] {
  const base = ['base-files', 'bash', 'coreutils', 'dash', 'gzip', 'libc6', 'tar'];
  return [
    // debian:bookworm-slim
    [
      link('bin', 'usr/bin'),
      dir('etc/'),
      file('etc/debian_version', '12.5\n'),
      file('etc/hostname', 'localhost\n'),
      file('etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'),
      file('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n'),
      link('lib', 'usr/lib'),
      dir('root/', T_BASE, { mode: 0o700 }),
      dir('tmp/', T_BASE, { mode: 0o1777 }),
      dir('usr/'),
      dir('usr/bin/'),
      exe('usr/bin/bash', 12_288, 1),
      exe('usr/bin/cat', 3_072, 2),
      exe('usr/bin/dash', 9_216, 3),
      exe('usr/bin/gunzip', 2_048, 4),
      { name: 'usr/bin/uncompress', type: 'hardlink', linkname: 'usr/bin/gunzip', mode: 0o755, mtime: T_BASE },
      exe('usr/bin/ls', 6_144, 5),
      link('usr/bin/sh', 'dash'),
      dir('usr/lib/'),
      dir('usr/lib/i386-linux-gnu/'),
      exe('usr/lib/i386-linux-gnu/libc.so.6', 40_960, 6),
      dir('var/'),
      dir('var/cache/'),
      dir('var/cache/debconf/'),
      file('var/cache/debconf/templates.dat', bytes(5_000, 7)),
      dir('var/lib/'),
      dir('var/lib/apt/'),
      dir('var/lib/apt/lists/'),
      file(`var/lib/apt/lists/${PACKAGES}`, bytes(30_000, 8)),
      dir('var/lib/dpkg/'),
      file('var/lib/dpkg/status', dpkgStatus(base)),
    ],
    // python 3.11: apt-get install python3 && rm -rf /var/lib/apt/lists/*
    [
      dir('usr/bin/'),
      link('usr/bin/python3', 'python3.11'),
      exe('usr/bin/python3.11', 30_720, 9),
      dir('usr/lib/python3.11/'),
      dir('usr/lib/python3.11/json/'),
      file('usr/lib/python3.11/json/__init__.py', bytes(1_500, 10)),
      file('usr/lib/python3.11/json/decoder.py', bytes(2_500, 11)),
      file('usr/lib/python3.11/os.py', bytes(4_000, 12)),
      file('var/cache/debconf/templates.dat', bytes(6_000, 13), T_BASE + 60),
      whiteout('var/lib/apt/lists/', PACKAGES, T_BASE + 60),
      file('var/lib/dpkg/status', dpkgStatus([...base, 'libpython3.11', 'python3.11', 'python3']), T_BASE + 60),
    ],
    // pip, setuptools and an offline wheel index
    [
      file('etc/pip.conf', '[global]\nno-index = true\nfind-links = /usr/share/layerlab/wheels\n'),
      dir('usr/lib/python3/'),
      dir('usr/lib/python3/dist-packages/'),
      dir('usr/lib/python3/dist-packages/pip/'),
      file('usr/lib/python3/dist-packages/pip/__init__.py', bytes(800, 14)),
      dir('usr/lib/python3/dist-packages/pip/_internal/'),
      file('usr/lib/python3/dist-packages/pip/_internal/main.py', bytes(3_000, 15)),
      dir('usr/share/'),
      dir('usr/share/layerlab/'),
      dir('usr/share/layerlab/wheels/'),
      file('usr/share/layerlab/wheels/Flask-2.2.2-py3-none-any.whl', bytes(9_000, 16)),
      file('usr/share/layerlab/wheels/Jinja2-3.1.2-py3-none-any.whl', bytes(8_000, 17)),
      file('usr/share/layerlab/wheels/Werkzeug-2.2.2-py3-none-any.whl', bytes(12_000, 18)),
    ],
    // WORKDIR /app
    [dir('app/', T_BUILD)],
    // COPY requirements.txt .
    [file('app/requirements.txt', REQUIREMENTS, T_BUILD - 3_600)],
    // RUN pip install -r requirements.txt
    [
      dir('root/', T_BUILD + 20, { mode: 0o700 }),
      dir('root/.cache/', T_BUILD + 20),
      dir('root/.cache/pip/', T_BUILD + 20),
      file('root/.cache/pip/selfcheck.json', '{"last_check":"2026-03-02T09:30:20Z","pypi_version":"24.0"}\n', T_BUILD + 20),
      dir('tmp/', T_BUILD + 20, { mode: 0o1777 }),
      dir('usr/local/', T_BUILD + 20),
      dir('usr/local/bin/', T_BUILD + 20),
      file('usr/local/bin/flask', '#!/usr/bin/python3\nfrom flask.cli import main\nmain()\n', T_BUILD + 20, { mode: 0o755 }),
      dir('usr/local/lib/', T_BUILD + 20),
      dir('usr/local/lib/python3.11/', T_BUILD + 20),
      dir('usr/local/lib/python3.11/site-packages/', T_BUILD + 20),
      dir('usr/local/lib/python3.11/site-packages/flask/', T_BUILD + 20),
      file('usr/local/lib/python3.11/site-packages/flask/__init__.py', bytes(2_500, 19), T_BUILD + 20),
      file('usr/local/lib/python3.11/site-packages/flask/app.py', bytes(7_000, 20), T_BUILD + 20),
      dir('usr/local/lib/python3.11/site-packages/jinja2/', T_BUILD + 20),
      file('usr/local/lib/python3.11/site-packages/jinja2/__init__.py', bytes(1_500, 21), T_BUILD + 20),
      dir('usr/local/lib/python3.11/site-packages/werkzeug/', T_BUILD + 20),
      file('usr/local/lib/python3.11/site-packages/werkzeug/__init__.py', bytes(1_200, 22), T_BUILD + 20),
    ],
    // COPY . /app
    [
      dir('app/', T_BUILD - 3_600),
      file('app/app.py', APP_PY, T_BUILD - 600),
      file('app/requirements.txt', REQUIREMENTS, T_BUILD - 3_600),
      dir('app/static/', T_BUILD - 3_600),
      file('app/static/style.css', 'body { font-family: sans-serif; margin: 2rem; }\nh1 { color: #2b6cb0; }\n', T_BUILD - 3_600),
      dir('app/templates/', T_BUILD - 3_600),
      file('app/templates/index.html', '<!doctype html>\n<title>Visits</title>\n<h1>Hello from a container</h1>\n<p>{{ visits }} visits so far.</p>\n', T_BUILD - 600),
    ],
  ];
}

/** The layers as the engine reads them back from their tars. */
export function webLayers(): TarEntry[][] {
  return webLayerInits().map((layer) => layer.map(tarEntry));
}

/** `created_by` of each layer, bottom first, as BuildKit (and the base images' builder) wrote them. */
export const WEB_LAYER_CREATED_BY = [
  '# debian:bookworm-slim (i386) from 24 Debian packages: base-files base-passwd bash coreutils dash debianutils findutils gcc-12-base grep gzip hostname libacl1 libattr1 libc-bin libc6 libgcc-s1 libgmp10 libpcre2-8-0 libselinux1 libtinfo6 ncurses-base sed tar zlib1g',
  '# python 3.11 (Debian 3.11.2-6+deb12u8) from 19 Debian packages',
  '# pip, setuptools and an offline index of 13 wheels (blinker==1.5, certifi==2022.9.24, chardet==5.1.0, charset_normalizer==3.0.1, click==8.1.3, Flask==2.2.2, idna==3.3, itsdangerous==2.1.2, Jinja2==3.1.2, MarkupSafe==2.1.2, requests==2.28.1, urllib3==1.26.12, Werkzeug==2.2.2)',
  'WORKDIR /app',
  'COPY requirements.txt . # buildkit',
  'RUN /bin/sh -c pip install -r requirements.txt # buildkit',
  'COPY . /app # buildkit',
];

/** Everything a test needs about web:1. */
export interface WebImage {
  layers: TarEntry[][];
  inspect: ImageInspect;
  /** Newest first, as the engine's `images.history` returns it. */
  history: HistoryEntry[];
  stats: Map<string, LayerStats>;
}

/** Builds web:1: tars, diffIDs, inspect, history and per-layer statistics. */
export async function webImage(): Promise<WebImage> {
  const layers = webLayers();
  const tars = webLayerInits().map((l) => writeTar(l));
  const diffIDs = await Promise.all(tars.map((t) => sha256Digest(t)));
  const id = await sha256Digest(enc.encode(`web:1\n${diffIDs.join('\n')}`));
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const steps: { createdBy: string; created: string; layer?: number }[] = [
    { createdBy: WEB_LAYER_CREATED_BY[0] ?? '', created: iso(T_BASE), layer: 0 },
    { createdBy: 'ENV LANG=C.UTF-8 PYTHON_VERSION=3.11.2', created: iso(T_BASE) },
    { createdBy: WEB_LAYER_CREATED_BY[1] ?? '', created: iso(T_BASE), layer: 1 },
    { createdBy: WEB_LAYER_CREATED_BY[2] ?? '', created: iso(T_BASE), layer: 2 },
    { createdBy: 'CMD ["python3"]', created: iso(T_BASE) },
    { createdBy: WEB_LAYER_CREATED_BY[3] ?? '', created: iso(T_BUILD), layer: 3 },
    { createdBy: WEB_LAYER_CREATED_BY[4] ?? '', created: iso(T_BUILD), layer: 4 },
    { createdBy: WEB_LAYER_CREATED_BY[5] ?? '', created: iso(T_BUILD + 20), layer: 5 },
    { createdBy: WEB_LAYER_CREATED_BY[6] ?? '', created: iso(T_BUILD + 21), layer: 6 },
    { createdBy: 'ENV FLASK_APP=app.py', created: iso(T_BUILD + 21) },
    { createdBy: 'EXPOSE [5000/tcp]', created: iso(T_BUILD + 21) },
    { createdBy: 'CMD ["flask" "run" "--host=0.0.0.0"]', created: iso(T_BUILD + 21) },
  ];
  const history: HistoryEntry[] = steps
    .map((s) => ({
      id: '<missing>',
      created: s.created,
      createdBy: s.createdBy,
      size: s.layer === undefined ? 0 : (tars[s.layer]?.length ?? 0),
      comment: s.layer === undefined || s.layer > 2 ? 'buildkit.dockerfile.v0' : '',
      emptyLayer: s.layer === undefined,
    }))
    .reverse();
  if (history[0]) history[0].id = id;
  const size = tars.reduce((n, t) => n + t.length, 0);
  const inspect: ImageInspect = {
    Id: id,
    RepoTags: ['web:1'],
    RepoDigests: [],
    Created: iso(T_BUILD + 21),
    Config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', 'PYTHON_VERSION=3.11.2', 'FLASK_APP=app.py'],
      Cmd: ['flask', 'run', '--host=0.0.0.0'],
      WorkingDir: '/app',
      ExposedPorts: { '5000/tcp': {} },
    },
    Architecture: '386',
    Os: 'linux',
    Size: size,
    RootFS: { Type: 'layers', Layers: diffIDs },
    LayerDetails: diffIDs.map((diffID, i) => ({ digest: diffID, diffID, size: tars[i]?.length ?? 0, createdBy: WEB_LAYER_CREATED_BY[i] ?? '' })),
  };
  const stats = new Map<string, LayerStats>();
  const tree = new FsTree();
  layers.forEach((layer, i) => {
    const diffID = diffIDs[i];
    if (diffID) stats.set(diffID, layerStats(layer, tree));
    applyLayer(tree, layer);
  });
  return { layers, inspect, history, stats };
}
