import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CORRUPT_SUFFIX,
  DEFAULT_FILES,
  MAX_FILE_BYTES,
  STORAGE_KEY,
  validatePath,
  Workspace,
  type WorkspaceFile,
} from './workspace.svelte.ts';

class FakeStorage {
  map = new Map<string, string>();
  full = false;
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.full) throw new DOMException('quota', 'QuotaExceededError');
    this.map.set(key, value);
  }
}

const decode = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

describe('Workspace', () => {
  let storage: FakeStorage;
  let events: EventTarget;
  const make = () => new Workspace({ storage, events });

  beforeEach(() => {
    vi.useFakeTimers();
    storage = new FakeStorage();
    events = new EventTarget();
  });
  afterEach(() => vi.useRealTimers());

  it('starts with the example and selects the Dockerfile', () => {
    const ws = make();
    expect(ws.paths).toEqual(['.dockerignore', 'Dockerfile', 'app.py', 'requirements.txt']);
    expect(ws.selected).toBe('Dockerfile');
    expect(ws.get('Dockerfile')?.text).toBe(
      'FROM python:3.11-slim\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
    );
    expect(ws.get('app.py')?.text).toMatch(/import flask/);
    expect(ws.get('.dockerignore')?.text).toBe('__pycache__\n*.pyc\n');
    expect(ws.notice).toBeUndefined();
  });

  it('saves debounced and restores everything on reload', () => {
    const ws = make();
    ws.update('Dockerfile', 'FROM busybox\n');
    ws.create('src/util.py', 'x = 1\n');
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    vi.advanceTimersByTime(299);
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    vi.advanceTimersByTime(1);
    expect(storage.getItem(STORAGE_KEY)).not.toBeNull();

    const again = make();
    expect(again.get('Dockerfile')?.text).toBe('FROM busybox\n');
    expect(again.get('src/util.py')?.text).toBe('x = 1\n');
    expect(again.selected).toBe('src/util.py');
    expect(again.paths).toEqual(ws.paths);
  });

  it('saves at once on pagehide', () => {
    const ws = make();
    ws.update('requirements.txt', 'flask\nrequests\n');
    events.dispatchEvent(new Event('pagehide'));
    expect(make().get('requirements.txt')?.text).toBe('flask\nrequests\n');
  });

  it('keeps a corrupt stored value and falls back to the example', () => {
    storage.map.set(STORAGE_KEY, '{"version":1,"files":[{"path":');
    const ws = make();
    expect(ws.paths).toContain('Dockerfile');
    expect(storage.getItem(STORAGE_KEY + CORRUPT_SUFFIX)).toBe('{"version":1,"files":[{"path":');
    expect(ws.notice).toMatch(/could not be read/);
    // a stored value of the wrong shape is corrupt too
    storage.map.set(STORAGE_KEY, JSON.stringify({ version: 1, files: [{ path: '../etc/passwd', text: '' }] }));
    make();
    expect(storage.getItem(STORAGE_KEY + CORRUPT_SUFFIX)).toMatch(/passwd/);
  });

  it('does not overwrite a corrupt value it could not back up', () => {
    storage.map.set(STORAGE_KEY, 'garbage');
    storage.full = true;
    const ws = make();
    storage.full = false;
    ws.update('Dockerfile', 'FROM alpine\n');
    vi.runAllTimers();
    ws.flush();
    expect(storage.getItem(STORAGE_KEY)).toBe('garbage');
    expect(ws.notice).toMatch(/not be saved/);
  });

  it('reports a failed save', () => {
    const ws = make();
    storage.full = true;
    ws.update('Dockerfile', 'FROM alpine\n');
    vi.runAllTimers();
    expect(ws.saveError).toMatch(/could not be saved/);
    storage.full = false;
    ws.update('Dockerfile', 'FROM alpine:3\n');
    vi.runAllTimers();
    expect(ws.saveError).toBeUndefined();
  });

  it('keeps an empty workspace empty after reload', () => {
    const ws = make();
    for (const p of ws.paths) ws.remove(p);
    expect(ws.selected).toBeUndefined();
    ws.flush();
    expect(make().entries).toEqual([]);
  });

  it('renames and removes files and folders, following the selection', () => {
    const ws = make();
    ws.create('src/a.py', 'a');
    ws.create('src/b.py', 'b');
    expect(ws.rename('src', 'lib')).toBe('lib');
    expect(ws.paths).toContain('lib/a.py');
    expect(ws.selected).toBe('lib/b.py');
    ws.rename('lib/b.py', 'lib/c.py');
    expect(ws.selected).toBe('lib/c.py');
    ws.remove('lib/c.py');
    expect(ws.selected).toBe('requirements.txt');
    ws.remove('lib');
    expect(ws.paths).toEqual(DEFAULT_FILES.map((f) => f.path).sort());
  });

  it('explains invalid names', () => {
    const ws = make();
    expect(() => ws.create('  ')).toThrow(/type a name/);
    expect(() => ws.create('../secret')).toThrow(/outside the build context/);
    expect(() => ws.create('a/../../b')).toThrow(/"\.\."/);
    expect(() => ws.create('/etc/passwd')).toThrow(/absolute path.*"etc\/passwd"/);
    expect(() => ws.create('C:/x')).toThrow(/absolute/);
    expect(() => ws.create('a//b')).toThrow(/empty folder name/);
    expect(() => ws.create('dir/')).toThrow(/empty folder name/);
    expect(() => ws.create('a\\b')).toThrow(/not \\/);
    expect(() => ws.create('x'.repeat(256))).toThrow(/too long \(256 characters\)/);
    expect(() => ws.create('Dockerfile')).toThrow(/already a file named "Dockerfile"/);
    expect(() => ws.create('Dockerfile/x')).toThrow(/is a file, so it can't also be a folder/);
    ws.create('src/a.py');
    expect(() => ws.create('src')).toThrow(/already a folder/);
    expect(() => ws.rename('app.py', 'requirements.txt')).toThrow(/already a file/);
    expect(() => ws.rename('nope', 'x')).toThrow(/no file or folder/);
    expect(() => ws.rename('src', 'src/inner')).toThrow(/inside itself/);
    expect(() => ws.remove('nope')).toThrow(/no file or folder/);
    expect(() => ws.update('nope', '')).toThrow(/no file named/);
    expect(validatePath('  app.py ')).toBe('app.py');
  });

  it('uploads text and binary files and encodes the context', async () => {
    const ws = make();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const added = await ws.upload([new File(['print("hi")\n'], 'hello.py'), new File([png], 'logo.png')], 'static');
    expect(added).toEqual(['static/hello.py', 'static/logo.png']);
    expect(ws.get('static/hello.py')?.text).toBe('print("hi")\n');
    expect(ws.get('static/logo.png')?.data).toEqual(png);
    expect(ws.selected).toBe('static/hello.py');
    expect(() => ws.update('static/logo.png', 'x')).toThrow(/binary/);

    // replacing by upload keeps one entry
    await ws.upload([new File(['flask==3.0\n'], 'requirements.txt')]);
    expect(ws.entries.filter((f) => f.path === 'requirements.txt')).toHaveLength(1);

    const files = ws.files();
    expect(Object.keys(files).sort()).toEqual(ws.paths);
    expect(decode(files['requirements.txt'])).toBe('flask==3.0\n');
    expect(files['static/logo.png']).toEqual(png);

    ws.flush();
    const again = make();
    expect(again.get('static/logo.png')?.data).toEqual(png);
    expect(again.get('static/hello.py')?.text).toBe('print("hi")\n');
  });

  it('dates each file when its content changes; renaming and selecting keep the date', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    vi.setSystemTime(t0);
    const ws = make();
    expect(ws.get('Dockerfile')?.modified).toBe(t0);

    vi.setSystemTime(t0 + 1000);
    ws.create('src/a.py', 'a');
    expect(ws.get('src/a.py')?.modified).toBe(t0 + 1000);

    vi.setSystemTime(t0 + 2000);
    ws.update('app.py', 'print(2)\n');
    ws.update('requirements.txt', 'flask\n'); // the same text: not a change
    ws.select('Dockerfile');
    ws.rename('src/a.py', 'src/b.py');
    ws.rename('src', 'lib');
    expect(ws.modifiedTimes()).toEqual({
      Dockerfile: t0,
      'requirements.txt': t0,
      'app.py': t0 + 2000,
      '.dockerignore': t0,
      'lib/b.py': t0 + 1000,
    });

    // uploads keep the time the computer gives them
    vi.setSystemTime(t0 + 3000);
    await ws.upload([
      new File(['x'], 'x.txt', { lastModified: t0 - 86_400_000 }),
      new File([new Uint8Array([0, 1])], 'y.bin', { lastModified: t0 - 1 }),
    ]);
    expect(ws.get('x.txt')?.modified).toBe(t0 - 86_400_000);
    expect(ws.get('y.bin')?.modified).toBe(t0 - 1);

    // saved with the files
    ws.flush();
    vi.setSystemTime(t0 + 9000);
    const again = make();
    expect(again.modifiedTimes()).toEqual(ws.modifiedTimes());
  });

  it('dates the files of reset() and replace() when they arrive', () => {
    const t0 = Date.UTC(2026, 0, 1);
    vi.setSystemTime(t0);
    const ws = make();
    vi.setSystemTime(t0 + 5000);
    // a file from another workspace (App copies a shared one into the playground) arrives now too
    const dated: WorkspaceFile = { path: 'old.txt', text: 'x', modified: 1 };
    ws.replace([{ path: 'Dockerfile', text: 'FROM busybox\n' }, dated]);
    expect(ws.modifiedTimes()).toEqual({ Dockerfile: t0 + 5000, 'old.txt': t0 + 5000 });
    vi.setSystemTime(t0 + 6000);
    ws.reset();
    expect(new Set(Object.values(ws.modifiedTimes()))).toEqual(new Set([t0 + 6000]));
  });

  it('gives files stored without times the load time once', () => {
    const t0 = Date.UTC(2026, 0, 1);
    storage.map.set(
      STORAGE_KEY,
      JSON.stringify({
        version: 1,
        selected: 'a.txt',
        files: [
          { path: 'a.txt', text: 'a' },
          { path: 'b.bin', base64: 'AAE=' },
          { path: 'c.txt', text: 'c', modified: 'soon' },
        ],
      }),
    );
    vi.setSystemTime(t0);
    const ws = make();
    expect(ws.notice).toBeUndefined();
    expect(ws.selected).toBe('a.txt');
    expect(ws.get('b.bin')?.data).toEqual(new Uint8Array([0, 1]));
    expect(ws.modifiedTimes()).toEqual({ 'a.txt': t0, 'b.bin': t0, 'c.txt': t0 });
    // saved at once, so the next load keeps that time
    expect(JSON.parse(storage.getItem(STORAGE_KEY)!)).toMatchObject({
      version: 1,
      files: [
        { path: 'a.txt', modified: t0 },
        { path: 'b.bin', modified: t0 },
        { path: 'c.txt', modified: t0 },
      ],
    });
    vi.setSystemTime(t0 + 60_000);
    expect(make().modifiedTimes()).toEqual({ 'a.txt': t0, 'b.bin': t0, 'c.txt': t0 });
  });

  it('puts files that come from docker cp: text editable, bytes kept, times kept, saved like an edit', () => {
    const ws = make();
    ws.put('out/t.txt', new TextEncoder().encode('from a container\n'), 1_600_000_000_000);
    ws.put('out/b.bin', new Uint8Array([0, 1, 2, 255]), 1_600_000_001_000);
    expect(ws.get('out/t.txt')).toMatchObject({ text: 'from a container\n', modified: 1_600_000_000_000 });
    expect(ws.get('out/b.bin')?.data).toEqual(new Uint8Array([0, 1, 2, 255]));
    ws.put('app.py', new TextEncoder().encode('replaced\n'), 5);
    expect(ws.get('app.py')).toMatchObject({ text: 'replaced\n', modified: 5 });
    expect(() => ws.put('app.py/x', new Uint8Array(1))).toThrow('"app.py" is a file, so it can\'t also be a folder.');
    expect(() => ws.put('out', new Uint8Array(1))).toThrow('There is already a folder named "out".');
    expect(() => ws.put('big', new Uint8Array(MAX_FILE_BYTES + 1))).toThrow('"big" is 1025 KB; files up to 1024 KB fit');
    vi.runAllTimers();
    const reloaded = make();
    expect(reloaded.get('out/t.txt')?.text).toBe('from a container\n');
    expect(reloaded.get('out/b.bin')?.data).toEqual(new Uint8Array([0, 1, 2, 255]));
  });

  it('refuses uploads that are too large or clash, adding none of them', async () => {
    const ws = make();
    const big = new File([new Uint8Array(MAX_FILE_BYTES + 1)], 'big.bin');
    await expect(ws.upload([new File(['a'], 'ok.txt'), big])).rejects.toThrow(/big\.bin" is 1025 KB; files up to 1024 KB/);
    await expect(ws.upload([new File(['a'], 'Dockerfile')], 'Dockerfile')).rejects.toThrow(/is a file/);
    expect(ws.has('ok.txt')).toBe(false);
  });
});
