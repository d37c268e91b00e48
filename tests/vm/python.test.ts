/**
 * The Debian and Python base images on the real guest, and the seed's example app.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES_DIR, openNodeEngine, type NodeEngine } from '../../bin/node-engine.ts';
import type { AttachedProcess } from '../../src/engine/api.ts';
import { seedContext } from '../fixtures/seed-app.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
let node: NodeEngine;

async function run(image: string, cmd: string[]) {
  const { id } = await node.engine.containers.create({ image, cmd, autoRemove: true });
  const p = (await node.engine.containers.start(id, {})) as AttachedProcess;
  let out = '';
  let err = '';
  p.onStdout((d) => (out += text(d)));
  p.onStderr((d) => (err += text(d)));
  return { code: await p.exit, out, err };
}

beforeAll(async () => {
  node = await openNodeEngine({ home: mkdtempSync(join(tmpdir(), 'layerlab-python-')) });
});
afterAll(async () => {
  await node?.close();
});

describe('debian and python base images', () => {
  it('share the debian layer, shipped as tar+zstd', async () => {
    await node.engine.images.pull('debian:bookworm-slim');
    await node.engine.images.pull('python:3.11-slim');
    const debian = await node.engine.images.inspect('debian:bookworm-slim');
    const python = await node.engine.images.inspect('python:3.11-slim');
    expect(python.RootFS.Layers[0]).toBe(debian.RootFS.Layers[0]);
    expect(python.RootFS.Layers.length).toBe(3);
    const layout = (path: string) =>
      JSON.parse(readFileSync(join(IMAGES_DIR, 'python', path), 'utf8')) as {
        manifests: { digest: string }[];
        layers: { mediaType: string }[];
      };
    const manifest = layout(`blobs/sha256/${layout('index.json').manifests[0]!.digest.slice(7)}`);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+zstd'));
  });

  it('run a sourceless standard library without docstrings: tracebacks name file and line, builtins keep their docs, nothing is recompiled', async () => {
    const py = await run('python:3.11-slim', [
      'sh',
      '-c',
      'touch /tmp/t0; python3 -c "import json; print(json.dumps.__doc__, str.__doc__.split()[0]); json.loads(\'x\')"; ' +
        'find /usr/lib/python3.11 /usr/lib/python3 -name "*.py" | sort; find / -xdev -name "*.pyc" -newer /tmp/t0',
    ]);
    expect(py.out).toBe(
      "None str(object='')\n/usr/lib/python3.11/sitecustomize.py\n/usr/lib/python3/dist-packages/pip/__pip-runner__.py\n/usr/lib/python3/dist-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py\n",
    );
    expect(py.err).toContain('File "/usr/lib/python3.11/json/decoder.py", line 355, in raw_decode\n');
    expect(py.err).toMatch(/json\.decoder\.JSONDecodeError: Expecting value: line 1 column 1 \(char 0\)\n$/);
  });

  it('run real programs: sh, ls, cat in debian; python with sqlite3, json and ssl', async () => {
    const sh = await run('debian:bookworm-slim', ['sh', '-c', 'ls /usr/bin/ls && cat /etc/debian_version && echo $0']);
    expect(sh.code).toBe(0);
    expect(sh.out).toMatch(/^\/usr\/bin\/ls\n12\.\d+\nsh\n$/);
    const py = await run('python:3.11-slim', [
      'python3',
      '-c',
      'import sqlite3, json, ssl; print(sqlite3.sqlite_version, json.dumps([1]), ssl.OPENSSL_VERSION.split()[0])',
    ]);
    expect(py.err).toBe('');
    expect(py.out).toMatch(/^3\.\d+\.\d+ \[1\] OpenSSL\n$/);
  });

  it("fails pip install of a package the offline index lacks, with pip's own error", async () => {
    const r = await run('python:3.11-slim', ['pip', 'install', 'numpy']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('ERROR: Could not find a version that satisfies the requirement numpy (from versions: none)');
    expect(r.err).toContain('ERROR: No matching distribution found for numpy');
  });

  it('pip installs requests offline without compiling (the wheels bring checked-hash .pyc files)', async () => {
    const r = await run('python:3.11-slim', [
      'sh',
      '-c',
      'pip install -q requests && python3 -W error -c "import glob, pathlib, requests; fs = glob.glob(\'/usr/local/lib/python3.11/dist-packages/**/*.pyc\', recursive=True); print(requests.__version__, len(fs) > 50, {pathlib.Path(f).read_bytes()[4] for f in fs})"',
    ]);
    expect(r.err).toBe('');
    expect(r.out).toBe('2.28.1 True {3}\n');
  });

  it('builds and runs the seed example unchanged, then rebuilds it from the cache', async () => {
    // pip's lines come as pip prints them, not when the step ends
    const pipLines: { at: number; text: string }[] = [];
    let pipDone = 0;
    const built = await node.engine.build({
      context: seedContext(),
      tags: ['hello-flask:1'],
      onEvent: (e) => {
        if (e.type === 'step-output' && e.step === 4) pipLines.push({ at: Date.now(), text: new TextDecoder().decode(e.data) });
        if (e.type === 'step-done' && e.step === 4) pipDone = Date.now();
      },
    });
    expect(built.steps.map((s) => s.cached)).toEqual([false, false, false, false]);
    const first = pipLines.find((l) => l.text.startsWith('Looking in links'));
    const last = pipLines.find((l) => l.text.startsWith('Successfully installed'));
    expect(first && last && pipDone).toBeTruthy();
    expect(last!.at - first!.at).toBeGreaterThan(1000);
    expect(pipDone - first!.at).toBeGreaterThan(1000);
    const r = await run('hello-flask:1', []);
    expect(r.out).toBe('Hello from Flask 2.2.2 in a container\n');
    // imports find every .pyc: running the app changes no file
    const { id } = await node.engine.containers.create({ image: 'hello-flask:1' });
    await (await node.engine.containers.start(id, {}))!.exit;
    expect(await node.engine.containers.diff(id)).toEqual([]);
    await node.engine.containers.remove(id);
    const again = await node.engine.build({ context: seedContext(), tags: ['hello-flask:1'] });
    expect(again.imageId).toBe(built.imageId);
    expect(again.steps.slice(1).every((s) => s.cached)).toBe(true);
  });

  it("Flask's reloader in a container picks up an edit made on the host through a bind mount", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-flask-bind-'));
    const app = (word: string) => `import flask\n\napp = flask.Flask(__name__)\n\n@app.get("/")\ndef hello():\n    return "${word}"\n`;
    writeFileSync(join(dir, 'app.py'), app('first'));
    const { id } = await node.engine.containers.create({
      image: 'hello-flask:1',
      cmd: ['flask', '--app', 'app', '--debug', 'run', '--host', '0.0.0.0'],
      binds: [{ source: dir, target: '/app' }],
    });
    await node.engine.containers.start(id);
    const logs = async () => {
      let text = '';
      await node.engine.containers.logs(id, { onEntry: (e) => (text += new TextDecoder().decode(e.data)) });
      return text;
    };
    const until = async (what: string, ok: (t: string) => boolean) => {
      const end = Date.now() + 60_000;
      while (!ok(await logs())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${await logs()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await until('the debugger', (t) => t.includes('Debugger is active'));
    // the reloader notes each file's mtime on its first scan, which may come after this line: an
    // edit before that scan is its starting point, so the host edits again until one is noticed
    let edits = 0;
    await until('the reload', (t) => {
      if (/Detected change in '\/app\/app\.py', reloading/.test(t)) return true;
      if (edits++ % 10 === 0) writeFileSync(join(dir, 'app.py'), app(`edit ${edits}`));
      return false;
    });
    await node.engine.containers.remove(id, { force: true });
  });

  it('explains which python tags exist offline', async () => {
    const ctx = seedContext();
    ctx.set('Dockerfile', { data: new TextEncoder().encode('FROM python:3.12-slim\n') });
    await expect(node.engine.build({ context: ctx })).rejects.toThrow(/python:3\.12-slim.*not found.*python:3\.11-slim/s);
  });
});
