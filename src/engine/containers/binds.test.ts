import { describe, expect, it } from 'vitest';
import { ScriptedGuest } from '../../../tests/fixtures/scripted-guest.ts';
import type { MountPoint } from '../api.ts';
import { BindMounts, MAX_BIND_BYTES, type BindHost, type BindHostChange, type BindHostEntry } from './binds.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A host of a few files in memory that records what it was asked to apply. */
class MemoryHost implements BindHost {
  readonly files = new Map<string, string>();
  readonly applied: BindHostChange[] = [];
  readonly made: string[] = [];
  explain?: (path: string) => string | undefined;
  private listener: ((paths?: string[]) => void) | undefined;

  async read(path: string): ReturnType<BindHost['read']> {
    const file = this.files.get(path);
    if (file !== undefined) return { type: 'file', entry: { path: '', type: 'file', mode: 0o644, data: enc.encode(file) } };
    const entries: BindHostEntry[] = [];
    for (const [p, text] of this.files)
      if (p.startsWith(`${path}/`)) entries.push({ path: p.slice(path.length + 1), type: 'file', mode: 0o644, data: enc.encode(text) });
    return entries.length || this.made.includes(path) ? { type: 'directory', entries } : undefined;
  }
  async mkdir(path: string): Promise<void> {
    this.made.push(path);
  }
  async apply(changes: BindHostChange[]): Promise<void> {
    this.applied.push(...changes);
    for (const c of changes) {
      if (c.op === 'write') this.files.set(c.path, dec.decode(c.data));
      if (c.op === 'remove') for (const p of [...this.files.keys()]) if (p === c.path || p.startsWith(`${c.path}/`)) this.files.delete(p);
    }
  }
  watch(_path: string, listener: (paths?: string[]) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  /** The host edits a file, as the editor or another program would. */
  edit(path: string, text: string | undefined): void {
    if (text === undefined) this.files.delete(path);
    else this.files.set(path, text);
    this.listener?.([path]);
  }
}

const bind = (source: string, target: string, rw = true): MountPoint => ({
  Type: 'bind',
  Name: '',
  Source: source,
  Destination: target,
  RW: rw,
});
const ID = 'c0ffee'.padEnd(64, '0');
const settle = () => new Promise((r) => setTimeout(r, 10));

describe('bind mounts through the share', () => {
  it('copies the host folder into the share and binds that folder at the target', async () => {
    const host = new MemoryHost();
    host.files.set('/w/app.py', 'print(1)\n');
    host.files.set('/w/src/lib.py', 'x = 1\n');
    host.files.set('/elsewhere', 'no');
    const guest = new ScriptedGuest();
    const b = new BindMounts(host, 60_000);
    const binds = await b.mount(guest, ID, [bind('/w', '/app', false)]);
    expect(binds).toEqual([{ source: '/mnt/host/binds/c0ffee000000/0', target: '/app', readonly: true }]);
    expect(dec.decode(guest.share.get('binds/c0ffee000000/0/app.py'))).toBe('print(1)\n');
    expect(dec.decode(guest.share.get('binds/c0ffee000000/0/src/lib.py'))).toBe('x = 1\n');
    expect([...guest.share.keys()].filter((k) => k.startsWith('binds/'))).toHaveLength(2);
    await b.unmount(ID);
    expect([...guest.share.keys()].filter((k) => k.startsWith('binds/'))).toEqual([]);
  });

  it("writes the host's edits into the running container's share, and its removals", async () => {
    const host = new MemoryHost();
    host.files.set('/w/app.py', 'v1');
    const guest = new ScriptedGuest();
    const b = new BindMounts(host, 60_000);
    await b.mount(guest, ID, [bind('/w', '/app')]);
    host.edit('/w/app.py', 'v2');
    host.edit('/w/new.txt', 'new');
    await settle();
    expect(dec.decode(guest.share.get('binds/c0ffee000000/0/app.py'))).toBe('v2');
    expect(dec.decode(guest.share.get('binds/c0ffee000000/0/new.txt'))).toBe('new');
    host.edit('/w/new.txt', undefined);
    await settle();
    expect(guest.share.has('binds/c0ffee000000/0/new.txt')).toBe(false);
    // what the host wrote is not written back to it
    await b.sync();
    expect(host.applied).toEqual([]);
    await b.unmount(ID);
  });

  it('hands the host what the container wrote, changed and removed, once each', async () => {
    const host = new MemoryHost();
    host.files.set('/w/keep.txt', 'k');
    host.files.set('/w/gone.txt', 'g');
    const guest = new ScriptedGuest();
    const b = new BindMounts(host, 60_000);
    await b.mount(guest, ID, [bind('/w', '/data')]);
    // the container writes (what the 9p server does for it)
    await guest.writeFile('binds/c0ffee000000/0/out/result.txt', enc.encode('42\n'), 0o600);
    await guest.writeFile('binds/c0ffee000000/0/keep.txt', enc.encode('changed'));
    await guest.removeShare('binds/c0ffee000000/0/gone.txt');
    await b.sync();
    expect(host.applied).toEqual([
      { op: 'write', path: '/w/keep.txt', data: enc.encode('changed'), mode: 0o644 },
      { op: 'mkdir', path: '/w/out', mode: 0o755 },
      { op: 'write', path: '/w/out/result.txt', data: enc.encode('42\n'), mode: 0o600 },
      { op: 'remove', path: '/w/gone.txt' },
    ]);
    await b.sync();
    expect(host.applied).toHaveLength(4);
    // a folder removed with its file: the host removes the folder
    await guest.removeShare('binds/c0ffee000000/0/out');
    await b.unmount(ID);
    expect(host.applied.slice(4)).toEqual([{ op: 'remove', path: '/w/out' }]);
  });

  it('reads nothing back from a read-only bind', async () => {
    const host = new MemoryHost();
    host.files.set('/w/a', 'a');
    const guest = new ScriptedGuest();
    const b = new BindMounts(host, 60_000);
    await b.mount(guest, ID, [bind('/w', '/ro', false)]);
    await guest.writeFile('binds/c0ffee000000/0/a', enc.encode('changed'));
    await b.unmount(ID);
    expect(host.applied).toEqual([]);
  });

  it('binds a single file, and makes a missing source folder as -v does', async () => {
    const host = new MemoryHost();
    host.files.set('/w/nginx.conf', 'conf');
    const guest = new ScriptedGuest();
    const b = new BindMounts(host, 60_000);
    const binds = await b.mount(guest, ID, [bind('/w/nginx.conf', '/etc/nginx.conf'), bind('/w/data', '/data')]);
    expect(binds.map((x) => x.source)).toEqual(['/mnt/host/binds/c0ffee000000/0/nginx.conf', '/mnt/host/binds/c0ffee000000/1']);
    expect(host.made).toEqual(['/w/data']);
    await guest.writeFile('binds/c0ffee000000/0/nginx.conf', enc.encode('conf2'));
    await b.unmount(ID);
    expect(host.files.get('/w/nginx.conf')).toBe('conf2');
  });

  it('refuses a source heavier than the machine takes, saying why', async () => {
    const host = new MemoryHost();
    host.files.set('/w/big.bin', 'x'.repeat(MAX_BIND_BYTES + 1));
    const b = new BindMounts(host, 60_000);
    await expect(b.mount(new ScriptedGuest(), ID, [bind('/w', '/data')])).rejects.toThrow(
      /^error while mounting bind source path \/w: it holds more than 32MB\nLayerLab copies a bind mount's files into its machine/,
    );
  });

  it('checks a source when the container is created: --mount needs it to exist, and a host may refuse a path', async () => {
    const host = new MemoryHost();
    host.explain = (p: string) => (p.startsWith('/w') ? undefined : 'Host paths in this page are the workspace.');
    const b = new BindMounts(host);
    await expect(b.check('/w/missing', false)).rejects.toThrow(
      'invalid mount config for type "bind": bind source path does not exist: /w/missing',
    );
    await expect(b.check('/w/missing', true)).resolves.toBeUndefined();
    await expect(b.check('/etc', true)).rejects.toThrow(
      /bind source path does not exist: \/etc\nHost paths in this page are the workspace\./,
    );
    await expect(new BindMounts(undefined).check('/w', true)).rejects.toThrow(/there is no host folder to bind/);
  });
});
