import { describe, expect, it } from 'vitest';
import type { WorkspaceChange } from './workspace-fs.ts';
import { WorkspaceMirror } from './workspace-mirror.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('the workspace as the host of bind mounts', () => {
  it('offers the workspace, a folder of it or one file, and nothing outside it', async () => {
    const m = new WorkspaceMirror(async () => undefined);
    m.update({ 'app.py': enc.encode('print(1)'), 'src/lib/a.py': enc.encode('a') });
    const all = await m.read('/workspace');
    expect(all?.type === 'directory' && all.entries.map((e) => `${e.type} ${e.path}`)).toEqual([
      'file app.py',
      'directory src',
      'directory src/lib',
      'file src/lib/a.py',
    ]);
    const src = await m.read('/workspace/src/');
    expect(src?.type === 'directory' && src.entries.map((e) => e.path)).toEqual(['lib', 'lib/a.py']);
    const file = await m.read('/workspace/app.py');
    expect(file?.type === 'file' && dec.decode(file.entry.data)).toBe('print(1)');
    expect(await m.read('/workspace/missing')).toBeUndefined();
    expect(await m.read('/etc')).toBeUndefined();
    expect(m.explain('/workspace/src')).toBeUndefined();
    expect(m.explain('/etc')).toMatch(/^Host paths in this page are the workspace beside the editor \(\/workspace\)/);
  });

  it('tells watchers which files an edit changed, added or removed', () => {
    const m = new WorkspaceMirror(async () => undefined);
    const heard: string[][] = [];
    m.watch('/workspace', (paths) => heard.push(paths ?? []));
    m.update({ a: enc.encode('1'), b: enc.encode('2') });
    m.update({ a: enc.encode('1'), b: enc.encode('3'), c: enc.encode('4') });
    m.update({ a: enc.encode('1'), b: enc.encode('3'), c: enc.encode('4') });
    m.update({ b: enc.encode('3') });
    expect(heard).toEqual([
      ['/workspace/a', '/workspace/b'],
      ['/workspace/b', '/workspace/c'],
      ['/workspace/a', '/workspace/c'],
    ]);
  });

  it("hands the page a container's writes and removals, and keeps a refused file out of its copy", async () => {
    const sent: WorkspaceChange[] = [];
    const m = new WorkspaceMirror(async (c) => {
      sent.push(c);
      return c.op === 'write' && c.path === 'big.bin' ? { code: 'EFBIG', hint: 'too large' } : undefined;
    });
    m.update({ 'old/x': enc.encode('x') });
    await m.apply([
      { op: 'mkdir', path: '/workspace/out', mode: 0o755 },
      { op: 'write', path: '/workspace/out/r.txt', data: enc.encode('42'), mode: 0o644 },
      { op: 'write', path: '/workspace/big.bin', data: enc.encode('…'), mode: 0o644 },
      { op: 'remove', path: '/workspace/old' },
    ]);
    expect(sent.map((c) => `${c.op} ${c.path}`)).toEqual(['write out/r.txt', 'write big.bin', 'remove old']);
    const now = await m.read('/workspace');
    expect(now?.type === 'directory' && now.entries.map((e) => e.path)).toEqual(['out', 'out/r.txt']);
  });
});
