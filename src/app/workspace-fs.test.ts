import { describe, expect, it } from 'vitest';
import { runDocker } from '../engine/cli/run.ts';
import { captureIO, FakeEngine } from '../engine/cli/testkit.ts';
import { applyWorkspaceChange } from './workspace-changes.ts';
import { WorkspaceFS, type WorkspaceChange } from './workspace-fs.ts';
import { Workspace } from './workspace.svelte.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const visible = (s: string) => s.replace(/\x1b\[s[\s\S]*?\x1b\[\?25h\x1b\[u\x1b\[2K/g, '');

/** A page-side workspace, the worker's view of it, and an engine with container `k2`. */
function setup(options: { readOnly?: boolean } = {}) {
  const workspace = new Workspace({
    storage: null,
    events: null,
    initialFiles: [
      { path: 'app.py', text: 'print("hi")\n' },
      { path: 'src/main.py', text: 'main\n' },
    ],
  });
  const changes: WorkspaceChange[] = [];
  const fs = new WorkspaceFS(workspace.files(), workspace.modifiedTimes(), async (change) => {
    changes.push(change);
    return applyWorkspaceChange(workspace, change, options.readOnly ?? false);
  });
  const engine = new FakeEngine();
  engine.addContainer({ name: 'k2' });
  const k2 = engine.fsOf('k2').dir('/tmp').file('/tmp/t', 'from the container\n', { mtime: 1_600_000_000 });
  const docker = async (...argv: string[]) => {
    const cap = captureIO({ tty: true });
    cap.io.hostFS = fs;
    const code = await runDocker(argv, cap.io, engine);
    return { code, err: visible(cap.err()), out: cap.out() };
  };
  return { workspace, fs, changes, engine, k2, docker };
}

describe('docker cp with the workspace as the local file system', () => {
  it('copies a workspace file into a container, relative to /workspace', async () => {
    const { docker, k2 } = setup();
    expect(await docker('cp', 'app.py', 'k2:/tmp/')).toMatchObject({ code: 0, err: 'Successfully copied 2.05kB to k2:/tmp/\n' });
    expect(k2.text('/tmp/app.py')).toBe('print("hi")\n');
    expect((await docker('cp', 'src', 'k2:/srv')).code).toBe(0);
    expect(k2.text('/srv/main.py')).toBe('main\n');
    expect((await docker('cp', '/workspace/app.py', 'k2:/tmp/abs.py')).code).toBe(0);
  });

  it('writes a file copied out into the workspace, with its time, where the file tree shows it', async () => {
    const { docker, workspace, changes } = setup();
    expect(await docker('cp', 'k2:/tmp/t', 't.txt')).toMatchObject({ code: 0, err: 'Successfully copied 2.05kB to /workspace/t.txt\n' });
    expect(workspace.get('t.txt')).toMatchObject({ text: 'from the container\n', modified: 1_600_000_000_000 });
    expect(changes).toHaveLength(1);
    expect((await docker('cp', 'k2:/tmp', 'out/')).code).toBe(0);
    expect(workspace.get('out/t')?.text).toBe('from the container\n');
    expect((await docker('cp', 'k2:/tmp/t', '.')).err).toBe('Successfully copied 2.05kB to /workspace/.\n');
    expect(workspace.paths).toEqual(['app.py', 'out/t', 'src/main.py', 't', 't.txt']);
  });

  it('keeps binary files byte for byte', async () => {
    const { docker, workspace, k2 } = setup();
    const bytes = new Uint8Array(4096).map((_, i) => (i * 31 + 7) % 256);
    k2.file('/bin.dat', bytes);
    expect((await docker('cp', 'k2:/bin.dat', 'bin.dat')).code).toBe(0);
    expect(workspace.get('bin.dat')?.data).toEqual(bytes);
    // and back in, from a fresh snapshot of the workspace
    const fs2 = new WorkspaceFS(workspace.files(), workspace.modifiedTimes(), async () => undefined);
    expect(await fs2.readFile('/workspace/bin.dat')).toEqual(bytes);
  });

  it('skips what the workspace cannot hold, and says so', async () => {
    const { docker, workspace, k2 } = setup();
    k2.link('/tmp/link', 't').dir('/tmp/empty');
    const r = await docker('cp', 'k2:/tmp', 'copy');
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      'not copied: copy/link (a symbolic link; the workspace keeps only files and folders)\n' +
        'not kept: copy/empty/ (the workspace keeps only folders that hold files)\n' +
        'Successfully copied 3.58kB to /workspace/copy\n',
    );
    expect(workspace.paths).toContain('copy/t');
    k2.file('/big', new Uint8Array(1024 * 1024 + 1));
    const big = await docker('cp', 'k2:/big', '.');
    expect(big.code).toBe(1);
    expect(big.err).toContain(
      "write /workspace/big: file too large\nThe workspace keeps files of up to 1 MB (they live in the browser's storage)",
    );
  });

  it('explains paths outside the workspace', async () => {
    const { docker } = setup();
    const out = await docker('cp', 'k2:/tmp/t', '/tmp/t.txt');
    expect(out).toMatchObject({ code: 1 });
    expect(out.err).toBe(
      'invalid output path: directory "/tmp" does not exist\nLocal paths in this page are the workspace beside the editor (/workspace): use a relative path such as app.py or out/.\n',
    );
    const into = await docker('cp', '/etc/passwd', 'k2:/tmp/');
    expect(into.err).toBe(
      'lstat /etc: no such file or directory\nLocal paths in this page are the workspace beside the editor (/workspace): use a relative path such as app.py or out/.\n',
    );
  });

  it('refuses to change a read-only workspace, and names a file where a folder is needed', async () => {
    const { docker, workspace } = setup({ readOnly: true });
    const r = await docker('cp', 'k2:/tmp/t', 'new.txt');
    expect(r.code).toBe(1);
    expect(r.err).toContain('open /workspace/new.txt: read-only file system\nThis shared workspace is read-only');
    expect(workspace.has('new.txt')).toBe(false);
    const { docker: d2 } = setup();
    expect((await d2('cp', 'k2:/tmp/t', 'app.py/x')).err).toBe('stat /workspace/app.py/x: not a directory\n');
  });
});

describe('WorkspaceFS', () => {
  it('sees folders as the paths between files, and files made during the command', async () => {
    const fs = new WorkspaceFS({ 'a/b/c.txt': enc.encode('c') }, { 'a/b/c.txt': 5000 }, async () => undefined);
    expect(await fs.lstat('/workspace/a')).toMatchObject({ type: 'directory' });
    expect(await fs.lstat('/workspace/a/b/c.txt')).toMatchObject({ type: 'file', size: 1, mtime: 5 });
    expect(await fs.lstat('/workspace/nope')).toBeUndefined();
    expect(await fs.lstat('/elsewhere')).toBeUndefined();
    await expect(fs.lstat('/workspace/a/b/c.txt/d')).rejects.toThrow('lstat /workspace/a/b/c.txt/d: not a directory');
    expect(await fs.readdir('/workspace')).toEqual(['a']);
    await fs.mkdir('/workspace/new');
    await fs.writeFile('/workspace/new/x', enc.encode('x'), { mode: 0o644, mtime: 1 });
    expect(await fs.readdir('/workspace')).toEqual(['a', 'new']);
    expect(dec.decode(await fs.readFile('/workspace/new/x'))).toBe('x');
    expect(fs.notes()).toEqual([]);
  });
});
