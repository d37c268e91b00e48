import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkFromForm, CHECK_FORM_KINDS, emptyRow, type CheckFormRow } from '../../content/check-form.ts';
import {
  checkProblems,
  decodeShare,
  encodeShare,
  isShareFragment,
  SHARE_LIMITS,
  ShareLinkError,
  shareUrl,
  type SharedWorkspace,
} from './link.ts';

const small: SharedWorkspace = {
  v: 1,
  files: [
    { path: 'Dockerfile', text: 'FROM busybox\nCOPY . /app\nCMD ["cat", "/app/hello.txt"]\n' },
    { path: 'hello.txt', text: 'Hello, layers!\n' },
  ],
};

/** The error `p` rejects with (fails when it resolves). */
async function failure(p: Promise<unknown>): Promise<ShareLinkError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ShareLinkError);
    return err as ShareLinkError;
  }
  throw new Error('expected a ShareLinkError');
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function deflateRaw(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const cs = new CompressionStream('deflate-raw');
  const writer = cs.writable.getWriter();
  const writing = (async () => {
    for await (const c of chunks) await writer.write(c as Uint8Array<ArrayBuffer>);
    await writer.close();
  })();
  const out = new Uint8Array(await new Response(cs.readable).arrayBuffer());
  await writing;
  return out;
}

/** A link holding any JSON text (bypassing encodeShare's checks), as a hostile site could make. */
async function rawLink(json: string): Promise<string> {
  return `#share=1.${base64url(await deflateRaw([new TextEncoder().encode(json)]))}`;
}

/** A small seeded generator, so the "realistic" workspace is the same every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** About `bytes` of Python and Markdown that reads like a small project. */
function realisticWorkspace(bytes: number): SharedWorkspace['files'] {
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const nouns = [
    'user',
    'order',
    'item',
    'price',
    'layer',
    'image',
    'container',
    'volume',
    'request',
    'session',
    'cache',
    'record',
    'report',
    'invoice',
    'customer',
    'config',
    'token',
    'queue',
    'worker',
    'result',
  ];
  const verbs = [
    'load',
    'save',
    'parse',
    'build',
    'fetch',
    'update',
    'remove',
    'check',
    'render',
    'format',
    'count',
    'merge',
    'split',
    'send',
    'read',
  ];
  const words = [
    'the',
    'a',
    'container',
    'runs',
    'each',
    'layer',
    'image',
    'is',
    'built',
    'from',
    'its',
    'Dockerfile',
    'and',
    'files',
    'we',
    'copy',
    'into',
    'then',
    'start',
    'with',
    'port',
    'when',
    'cache',
    'reuses',
    'steps',
    'that',
    'did',
    'not',
    'change',
    'because',
    'order',
    'matters',
    'for',
    'speed',
  ];
  const name = () => `${pick(verbs)}_${pick(nouns)}${rand() < 0.3 ? 's' : ''}`;
  const files: SharedWorkspace['files'] = [
    {
      path: 'Dockerfile',
      text: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n',
    },
    { path: 'requirements.txt', text: 'flask\n' },
  ];
  let total = 0;
  let n = 0;
  while (total < bytes) {
    n++;
    let text = '';
    if (n % 3 === 0) {
      text += `# ${pick(nouns)} ${pick(nouns)} notes\n\n`;
      for (let p = 0; p < 12; p++) {
        const len = 25 + Math.floor(rand() * 40);
        const sentence = Array.from({ length: len }, () => pick(words)).join(' ');
        text += sentence[0]!.toUpperCase() + sentence.slice(1) + '.\n\n';
        if (rand() < 0.3)
          text +=
            '```sh\ndocker build -t ' +
            pick(nouns) +
            ' .\ndocker run --rm -p ' +
            Math.floor(1000 + rand() * 9000) +
            ':80 ' +
            pick(nouns) +
            '\n```\n\n';
      }
      files.push({ path: `docs/${pick(nouns)}-${n}.md`, text });
    } else {
      text += `"""${pick(nouns)} helpers."""\nimport json\nimport os\n\n`;
      for (let f = 0; f < 14; f++) {
        const fn = name();
        const arg = pick(nouns);
        text += `def ${fn}(${arg}, limit=${Math.floor(rand() * 100)}):\n`;
        text += `    """${pick(verbs).replace(/^./, (c) => c.toUpperCase())} the ${arg} and return the ${pick(nouns)}."""\n`;
        text += `    ${pick(nouns)} = ${arg}.get("${pick(nouns)}", ${Math.floor(rand() * 1000)})\n`;
        text += `    if ${arg} is None or len(${arg}) > limit:\n        raise ValueError(f"bad ${arg}: {${arg}!r}")\n`;
        text += `    return [${pick(verbs)}(x) for x in ${arg} if x.${pick(nouns)} != ${Math.floor(rand() * 50)}]\n\n\n`;
      }
      files.push({ path: `app/${pick(nouns)}_${n}.py`, text });
    }
    total += text.length;
  }
  return files;
}

describe('share links', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('round-trips every field', async () => {
    const state: SharedWorkspace = {
      v: 1,
      title: 'Cache order exercise',
      files: [...small.files, { path: 'src/ünïcode ✓.txt', text: 'emoji 🐳 and\ttabs\r\nCRLF' }, { path: 'empty', text: '' }],
      lesson: '03-dockerfiles',
      step: 2,
      commands: ['docker build -t web .', 'docker run --rm web', 'docker login reg.example'],
      readOnly: true,
      exercise: {
        task: 'Reorder the Dockerfile so a code change does not reinstall packages.',
        check: { all: [{ image: { ref: 'web', layerCreatedBy: 'COPY' } }, { build: { cached: ['pip install'] }, message: 'Build twice' }] },
        hints: ['Copy requirements.txt first.', 'Then run pip install, then copy the rest.'],
      },
    };
    const fragment = await encodeShare(state);
    expect(fragment).toMatch(/^#share=1\.[A-Za-z0-9_-]+$/);
    expect(isShareFragment(fragment)).toBe(true);
    expect(await decodeShare(fragment)).toEqual(state);
    expect(await decodeShare(fragment.slice(1))).toEqual(state);
  });

  it("round-trips checks made with the share dialog's form, alone and combined", async () => {
    const rows: CheckFormRow[] = [
      { ...emptyRow('running'), name: 'web', image: 'nginx' },
      { ...emptyRow('container'), name: 'db' },
      { ...emptyRow('image'), name: 'app:v2' },
      { ...emptyRow('file'), name: 'web', path: '/etc/motd', text: 'Hi (there) $USER [1] *' },
      { ...emptyRow('ran'), text: 'docker run -d --name web -p 8080:80 nginx' },
    ];
    expect(rows.map((r) => r.kind).sort()).toEqual(CHECK_FORM_KINDS.map((k) => k.kind).sort());
    for (const combination of [...rows.map((r) => [r]), rows]) {
      const check = checkFromForm(combination)!;
      expect(await checkProblems(check)).toEqual([]);
      const state: SharedWorkspace = { ...small, exercise: { task: 'Start the web server.', check, hints: [] } };
      expect(await decodeShare(await encodeShare(state))).toEqual(state);
    }
  });

  it('drops nothing and adds nothing for a minimal workspace', async () => {
    const decoded = await decodeShare(await encodeShare(small));
    expect(decoded).toEqual(small);
    expect(Object.keys(decoded).sort()).toEqual(['files', 'v']);
  });

  it('makes full URLs, replacing a fragment already there', async () => {
    const url = await shareUrl('https://example.org/layerlab/?x=1#old', small);
    expect(url.startsWith('https://example.org/layerlab/?x=1#share=1.')).toBe(true);
    expect(await decodeShare(new URL(url).hash)).toEqual(small);
    expect(isShareFragment('#lesson=03')).toBe(false);
  });

  it('carries a workspace of more than 50 KB of text', async () => {
    const files = realisticWorkspace(60 * 1024);
    const textBytes = files.reduce((n, f) => n + new TextEncoder().encode(f.text).length, 0);
    expect(textBytes).toBeGreaterThan(60 * 1024);
    const state: SharedWorkspace = { v: 1, files };
    const fragment = await encodeShare(state);
    console.log(
      `share link: ${files.length} files, ${(textBytes / 1024).toFixed(1)} KB of text → fragment of ${fragment.length} characters (${(fragment.length / 1024).toFixed(1)} KB, ${((100 * fragment.length) / textBytes).toFixed(0)}% of the text)`,
    );
    expect(fragment.length).toBeLessThan(textBytes / 2);
    expect(await decodeShare(fragment)).toEqual(state);
  });

  it('says a cut-off link is incomplete', async () => {
    const fragment = await encodeShare({ v: 1, files: realisticWorkspace(20 * 1024) });
    const start = '#share=1.'.length;
    for (const cut of [0.1, 0.5, 0.9, 0.999]) {
      const at = start + 1 + Math.floor((fragment.length - start - 1) * cut);
      const err = await failure(decodeShare(fragment.slice(0, at)));
      expect(err.kind).toBe('truncated');
      expect(err.message).toBe('This link is incomplete — it may have been cut off when it was copied. Ask for the link again.');
    }
    for (const f of ['#share=', '#share=1', '#share=1.']) expect((await failure(decodeShare(f))).kind).toBe('truncated');
  });

  it('says a link from a newer version needs a newer LayerLab', async () => {
    const fragment = await encodeShare(small);
    const err = await failure(decodeShare(fragment.replace('#share=1.', '#share=2.')));
    expect(err.kind).toBe('version');
    expect(err.message).toMatch(/newer LayerLab/);
    expect((await failure(decodeShare(await rawLink(JSON.stringify({ ...small, v: 2, future: true }))))).kind).toBe('version');
  });

  it('stops inflating a zip bomb at the limit', async () => {
    // 50 MB of zeros, compressed chunk by chunk (never held whole)
    const zeros = new Uint8Array(1024 * 1024);
    const bomb = await deflateRaw(
      (function* () {
        for (let i = 0; i < 50; i++) yield zeros;
      })(),
    );
    expect(bomb.length).toBeLessThan(100 * 1024);
    // count the compressed bytes handed to the inflater: deflate expands 1 byte to at most ~1032
    let fed = 0;
    const Real = globalThis.DecompressionStream;
    vi.stubGlobal(
      'DecompressionStream',
      class {
        readonly readable: ReadableStream<Uint8Array>;
        readonly writable: WritableStream<BufferSource>;
        constructor(format: CompressionFormat) {
          const inner = new Real(format);
          const w = inner.writable.getWriter();
          this.readable = inner.readable;
          this.writable = new WritableStream<BufferSource>({
            write: (chunk) => {
              fed += chunk.byteLength;
              return w.write(chunk);
            },
            close: () => w.close(),
            abort: (reason) => w.abort(reason),
          });
        }
      },
    );
    const err = await failure(decodeShare(`#share=1.${base64url(bomb)}`));
    expect(err.kind).toBe('too-large');
    expect(err.message).toMatch(/more than LayerLab can open/);
    console.log(`zip bomb: ${bomb.length} compressed bytes, ${fed} of them fed to the inflater before it stopped`);
    expect(fed * 1032).toBeLessThan(20 * 1024 * 1024);
  });

  it('refuses links that are too long before reading them', async () => {
    const err = await failure(decodeShare('#share=1.' + 'A'.repeat(SHARE_LIMITS.fragmentChars)));
    expect(err.kind).toBe('too-large');
  });

  it('refuses more files than the limit', async () => {
    const files = Array.from({ length: SHARE_LIMITS.files + 1 }, (_, i) => ({ path: `f${i}.txt`, text: 'x' }));
    expect((await failure(decodeShare(await rawLink(JSON.stringify({ v: 1, files }))))).kind).toBe('too-large');
    expect((await failure(encodeShare({ v: 1, files }))).message).toMatch(/too large to share/);
  });

  it('refuses hostile file names but keeps odd valid ones as plain text', async () => {
    for (const path of ['../x', '/etc/passwd', 'a/../../b', 'C:/Windows/x', 'a\\b', 'a\u0000b', ' Dockerfile', 'x'.repeat(300)]) {
      const err = await failure(decodeShare(await rawLink(JSON.stringify({ v: 1, files: [{ path, text: '' }] }))));
      expect(err.kind, path).toBe('invalid');
      expect(err.detail, path).toMatch(/^files\[0\]\.path: /);
      expect(err.message.length, path).toBeLessThan(400);
    }
    const odd: SharedWorkspace = {
      v: 1,
      title: '<img src=x onerror=alert(1)>',
      files: [
        { path: '<script>.txt', text: '<script>alert("hi")</script>' },
        { path: 'a b/"quotes" & ampersands.md', text: '<b>not bold</b>' },
      ],
    };
    expect(await decodeShare(await encodeShare(odd))).toEqual(odd);
  });

  it('refuses duplicate paths and a file that is also a folder', async () => {
    const twice = await failure(
      decodeShare(
        await rawLink(
          JSON.stringify({
            v: 1,
            files: [
              { path: 'a', text: '' },
              { path: 'a', text: '' },
            ],
          }),
        ),
      ),
    );
    expect(twice.detail).toMatch(/files\[1\]\.path: there are two files named "a"/);
    const both = await failure(
      decodeShare(
        await rawLink(
          JSON.stringify({
            v: 1,
            files: [
              { path: 'app', text: '' },
              { path: 'app/main.py', text: '' },
            ],
          }),
        ),
      ),
    );
    expect(both.kind).toBe('invalid');
    expect(both.detail).toMatch(/"app" is a file/);
  });

  it('refuses unknown fields and wrong types, naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...small, evil: true }, /unknown field "evil"/],
      [{ ...small, files: [{ path: 'a', text: 'x', mode: 493 }] }, /files\[0\]: unknown field "mode"/],
      [{ ...small, files: [{ path: 'a', text: 42 }] }, /files\[0\]\.text: should be text/],
      [{ ...small, files: [{ path: 'a', data: 'AAAA' }] }, /unknown field "data"/],
      [{ ...small, files: 'Dockerfile' }, /files: should be a list/],
      [{ ...small, lesson: '../../etc' }, /lesson: /],
      [{ ...small, lesson: '03-dockerfiles', step: 1.5 }, /step: /],
      [{ ...small, lesson: '03-dockerfiles', step: 1e9 }, /step: /],
      [{ ...small, step: 1 }, /step: is given without a lesson/],
      [{ ...small, commands: ['ls', 'echo hi\nrm -rf /'] }, /commands\[1\]: contains a control character/],
      [{ ...small, commands: ['docker rm\u202e-f x'] }, /commands\[0\]: contains an invisible or direction-changing character \(U\+202E\)/],
      [{ ...small, commands: ['docker run busybox echo\u200b hi'] }, /commands\[0\]: .*\(U\+200B\)/],
      [{ ...small, commands: ['\u2066docker ps\u2069'] }, /\(U\+2066\)/],
      [
        { ...small, commands: ['docker login 127.0.0.1:5001 -u teacher -p s3cret'] },
        /commands\[0\]: docker login with a password would put/,
      ],
      [{ ...small, commands: ['docker ps', 'docker login --password=s3cret reg.example'] }, /commands\[1\]: docker login with a password/],
      [{ ...small, commands: ['docker login -ps3cret reg.example'] }, /commands\[0\]: docker login with a password/],
      [
        { ...small, commands: ['echo s3cret | docker login -u t --password-stdin reg.example'] },
        /commands\[0\]: docker login with a password/,
      ],
      [{ ...small, commands: Array(SHARE_LIMITS.commands + 1).fill('ls') }, /commands: has 21 entries/],
      [{ ...small, commands: ['x'.repeat(SHARE_LIMITS.commandChars + 1)] }, /commands\[0\]: is too long/],
      [{ ...small, readOnly: 'yes' }, /readOnly: /],
      [
        { ...small, exercise: { task: 'Do it', check: { image: { ref: 'web' } }, hints: [], solution: {} } },
        /exercise: unknown field "solution"/,
      ],
      [{ ...small, exercise: { task: '', check: { image: { ref: 'web' } }, hints: [] } }, /exercise\.task: is empty/],
      [{ ...small, v: 0 }, /v: should be 1/],
      [[1, 2, 3], /a list, not a workspace/],
    ];
    for (const [value, detail] of cases) {
      const err = await failure(decodeShare(await rawLink(JSON.stringify(value))));
      expect(err.kind, JSON.stringify(value).slice(0, 80)).toBe('invalid');
      expect(err.detail).toMatch(detail);
      expect(err.message).toMatch(/^This link can't be opened/);
    }
    // __proto__ from JSON is an own key like any other, and refused as unknown
    const proto = await failure(decodeShare(await rawLink('{"v":1,"files":[],"__proto__":{"readOnly":true}}')));
    expect(proto.detail).toMatch(/unknown field "__proto__"/);
  });

  it('refuses an exercise whose check is not in the check vocabulary, naming the field', async () => {
    const link = (check: unknown) =>
      rawLink(JSON.stringify({ ...small, exercise: { task: 'Build web', check, hints: ['Use docker build'] } }));
    const cases: [unknown, RegExp][] = [
      [{ image: { ref: 5 } }, /exercise\.check\.image\.ref: expected string/],
      [{ image: {} }, /exercise\.check\.image\.ref: .*missing/],
      [{ image: { ref: 'web', bogus: 1 } }, /exercise\.check\.image: Unrecognized key: "bogus"/],
      [{ imag: { ref: 'web' } }, /exercise\.check: "imag" is not a kind of check/],
      [{ all: [{ image: { ref: 'a' } }, { container: { nam: 'x' } }] }, /exercise\.check\.all\[1\]\.container/],
      [{ ran: { command: '(' } }, /exercise\.check\.ran\.command: must be a valid JavaScript regular expression/],
      [{ image: { ref: 'a' }, volume: { name: 'v' } }, /exercise\.check: has image and volume/],
      [{ all: [] }, /exercise\.check\.all: should be a non-empty list/],
      ['image', /exercise\.check: should be an object/],
      [{ image: { ref: 'a' }, message: 7 }, /exercise\.check\.message/],
    ];
    for (const [check, detail] of cases) {
      const err = await failure(decodeShare(await link(check)));
      expect(err.kind, JSON.stringify(check)).toBe('invalid');
      expect(err.detail, JSON.stringify(check)).toMatch(detail);
    }
    // nesting deep enough to overflow a recursive validator is stopped early
    const depth = 50_000;
    const deep = '{"not":'.repeat(depth) + '{"image":{"ref":"a"}}' + '}'.repeat(depth);
    const err = await failure(decodeShare(await rawLink(`{"v":1,"files":[],"exercise":{"task":"t","hints":[],"check":${deep}}}`)));
    expect(err.kind).toBe('invalid');
    expect(err.detail).toMatch(/nested too deeply/);
  });

  it('explains check problems for the share dialog', async () => {
    expect(await checkProblems({ image: { ref: 'web', layerCreatedBy: 'COPY' } })).toEqual([]);
    expect(await checkProblems({ container: { name: 'db', state: 'sleeping' } })).toEqual([
      expect.stringMatching(/^check\.container\.state: /),
    ]);
  });

  it('says damaged links are damaged', async () => {
    for (const f of ['#share=1.abc$def', '#share=1.ab+/cd', '#share=1.%41%42', '#share=x.abc', '#other=1', '#share=1.AAAAAAAA']) {
      const err = await failure(decodeShare(f));
      expect(['corrupt', 'truncated'], f).toContain(err.kind);
      expect(err.message.length).toBeGreaterThan(20);
    }
    expect((await failure(decodeShare('#share=1.abc$def'))).kind).toBe('corrupt');
    // a changed character in the middle: not readable, or not a workspace
    const fragment = await encodeShare({ v: 1, files: realisticWorkspace(8 * 1024) });
    const mid = Math.floor(fragment.length / 2);
    const flipped = fragment.slice(0, mid) + (fragment[mid] === 'A' ? 'B' : 'A') + fragment.slice(mid + 1);
    expect(['corrupt', 'truncated', 'invalid']).toContain((await failure(decodeShare(flipped))).kind);
    // valid compression of something that is not JSON
    expect((await failure(decodeShare(await rawLink('not json')))).kind).toBe('corrupt');
  });

  it('refuses to make a link it could not open', async () => {
    const err = await failure(encodeShare({ v: 1, files: [{ path: '../x', text: '' }] }));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/^This workspace can't be shared: files\[0\]\.path: /);
    const big = await failure(encodeShare({ v: 1, files: [{ path: 'big.txt', text: 'x'.repeat(SHARE_LIMITS.fileBytes + 1) }] }));
    expect(big.kind).toBe('too-large');
  });
});
