import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expectLayerRejection } from '../../../tests/fixtures/layer-error.ts';
import { hostTool } from '../../../tests/fixtures/host-tools.ts';
import { sha256Digest } from './digest.ts';
import { LayerError } from './errors.ts';
import { gzip } from './gzip.ts';
import { validateLayer } from './security.ts';
import { contentSize, readTar, writeTar, type TarEntry, type TarEntryInit, type TarReadOptions } from './tar.ts';
import { LayerStreamVerifier } from './layer-stream-verify.ts';
import { TarHeaderReader } from './tar-stream.ts';

const enc = new TextEncoder();

function rawHeader(f: {
  name: string;
  flag?: string;
  size?: number;
  mode?: string;
  uid?: Uint8Array | string;
  mtime?: Uint8Array | string;
  linkname?: string;
  magic?: string;
  prefix?: string;
  badChecksum?: boolean;
}): Uint8Array {
  const h = new Uint8Array(512);
  const put = (off: number, s: string | Uint8Array) => h.set(typeof s === 'string' ? enc.encode(s) : s, off);
  put(0, f.name);
  put(100, f.mode ?? '0000644\0');
  put(108, f.uid ?? '0000000\0');
  put(116, '0000000\0');
  put(124, (f.size ?? 0).toString(8).padStart(11, '0') + '\0');
  put(136, f.mtime ?? '00000000000\0');
  h[156] = (f.flag ?? '0').charCodeAt(0);
  put(157, f.linkname ?? '');
  put(257, f.magic ?? 'ustar\u000000');
  if (f.prefix) put(345, f.prefix);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  if (f.badChecksum) sum += 1;
  put(148, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

const padded = (data: Uint8Array) => {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
};
const END = new Uint8Array(1024);
const paxData = (records: [string, string][]) =>
  enc.encode(
    records
      .map(([k, v]) => {
        const base = enc.encode(k).length + enc.encode(v).length + 3;
        let len = base + String(base).length;
        if (String(len).length !== String(base).length) len = base + String(len).length;
        return `${len} ${k}=${v}\n`;
      })
      .join(''),
  );
const pax = (name: string, records: [string, string][], flag = 'x') => {
  const x = paxData(records);
  return concat(rawHeader({ name, flag, size: x.length }), padded(x));
};

/** A header without its data, for comparing the two readers. */
const header = ({ data: _data, ...rest }: TarEntry) => rest;

type Outcome = { entries: ReturnType<typeof header>[]; size: number } | { kind: string; entry: string | undefined; message: string };

function whole(bytes: Uint8Array, options?: TarReadOptions): Outcome {
  try {
    const entries = readTar(bytes, options);
    return { entries: entries.map(header), size: contentSize(entries) };
  } catch (err) {
    if (!(err instanceof LayerError)) throw err;
    return { kind: err.kind, entry: err.entry, message: err.message };
  }
}

function streamed(bytes: Uint8Array, piece: number, options?: TarReadOptions): Outcome {
  const reader = new TarHeaderReader(options);
  const entries: TarEntry[] = [];
  try {
    for (let at = 0; at < bytes.length; at += piece) entries.push(...reader.push(bytes.subarray(at, at + piece)));
    reader.end();
    for (const e of entries) expect(e.data.length).toBe(0);
    return { entries: entries.map(header), size: contentSize(entries) };
  } catch (err) {
    if (!(err instanceof LayerError)) throw err;
    return { kind: err.kind, entry: err.entry, message: err.message };
  }
}

/** The streaming reader gives what readTar gives (headers, contentSize, or the same error) for any piece size. */
function same(bytes: Uint8Array, options?: TarReadOptions): Outcome {
  const expected = whole(bytes, options);
  for (const piece of [1, 7, 100, 512, 513, 4096, Math.max(1, bytes.length)]) expect(streamed(bytes, piece, options)).toEqual(expected);
  return expected;
}

const rich: TarEntryInit[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/passwd', type: 'file', data: enc.encode('root:x:0:0\n'.repeat(100)), uid: 3_000_000, uname: 'u'.repeat(40) },
  { name: 'etc/link', type: 'hardlink', linkname: 'etc/passwd' },
  { name: 'etc/sym', type: 'symlink', linkname: '../usr/bin/' + 'x'.repeat(120) },
  { name: `${'deep/'.repeat(40)}file`, type: 'file', data: enc.encode('deep') },
  { name: 'dir/ünïcødé', type: 'file', data: new Uint8Array(512) },
  { name: 'dir/.wh.gone', type: 'char', devmajor: 0, devminor: 0 },
  { name: 'dir/.wh..wh..opq', type: 'file' },
  { name: 'xattr', type: 'file', xattrs: { 'user.a': enc.encode('b') }, pax: { comment: 'hi' }, mtime: 1.5 },
  { name: 'fifo', type: 'fifo' },
  { name: 'big', type: 'file', data: new Uint8Array(70_000).map((_, i) => i * 31) },
];

describe('TarHeaderReader matches readTar', () => {
  it('on written archives: long names, PAX records, hard links, whiteouts, xattrs', () => {
    const out = same(writeTar(rich));
    expect('entries' in out && out.entries.length).toBe(rich.length);
    expect(same(writeTar([]))).toEqual({ entries: [], size: 0 });
  });

  it('on foreign headers: GNU L/K, base-256, global PAX, PAX size, pre-POSIX, ustar prefix, a lone zero block', () => {
    const gnu = 'ustar  \0';
    const longName = `${'n'.repeat(150)}/file`;
    const longLink = `${'l'.repeat(150)}/target`;
    same(
      concat(
        rawHeader({ name: '././@LongLink', flag: 'L', size: longName.length + 1, magic: gnu }),
        padded(enc.encode(`${longName}\0`)),
        rawHeader({ name: '././@LongLink', flag: 'K', size: longLink.length + 1, magic: gnu }),
        padded(enc.encode(`${longLink}\0`)),
        rawHeader({ name: longName.slice(0, 100), flag: '2', linkname: longLink.slice(0, 100), magic: gnu }),
        END,
      ),
    );
    same(
      concat(
        rawHeader({
          name: 'f',
          uid: new Uint8Array([0x80, 0, 0, 0, 0, 0x2d, 0xc6, 0xc0]),
          mtime: new Uint8Array(12).fill(0xff),
          magic: gnu,
        }),
        END,
      ),
    );
    same(
      concat(
        pax(
          'pax_global_header',
          [
            ['uname', 'g'],
            ['comment', 'g'],
          ],
          'g',
        ),
        pax('PaxHeaders/a', [['uname', 'local']]),
        rawHeader({ name: 'a' }),
        rawHeader({ name: 'b' }),
        pax('PaxHeaders/c', [['uname', '']]),
        rawHeader({ name: 'c' }),
        END,
      ),
    );
    same(concat(pax('PaxHeaders/f', [['size', '3']]), rawHeader({ name: 'f' }), padded(enc.encode('abc')), END));
    same(
      concat(rawHeader({ name: 'olddir/', flag: '\0', magic: '\0\0\0\0\0\0\0\0' }), rawHeader({ name: 'name', prefix: 'pre/fix' }), END),
    );
    same(concat(rawHeader({ name: 'a' }), new Uint8Array(512)));
    same(concat(rawHeader({ name: 'a' }), END, new Uint8Array(9216).fill(7)));
    same(concat(rawHeader({ name: 'empty-pax', flag: 'x', size: 0 }), rawHeader({ name: 'e' }), END));
  });

  it('with the same errors: checksums, numbers, PAX records, limits, data on non-files, unsupported types, non-UTF-8 names', () => {
    const errors: Outcome[] = [
      same(concat(rawHeader({ name: 'etc/passwd', badChecksum: true }), END)),
      same(concat(rawHeader({ name: 'f', mode: '09x\0' }), END)),
      same(
        concat(
          rawHeader({ name: 'PaxHeaders/f', flag: 'x', size: 12 }),
          padded(enc.encode('99 path=abc\n')),
          rawHeader({ name: 'f' }),
          END,
        ),
      ),
      same(concat(pax('PaxHeaders/f', [['uid', '-5']]), rawHeader({ name: 'f' }), END)),
      same(concat(pax('PaxHeaders/f', [['path', 'lost']]), END)),
      same(concat(pax('PaxHeaders/big', [['size', String(10 * 1024 ** 3)]]), rawHeader({ name: 'big' }), END)),
      same(concat(rawHeader({ name: 'd/', flag: '5', size: 10 }), padded(new Uint8Array(10)), END)),
      same(concat(rawHeader({ name: 's', flag: 'S' }), END)),
      same(concat(rawHeader({ name: 'v', flag: 'V' }), END)),
      same(concat(pax('PaxHeaders/s', [['GNU.sparse.major', '1']]), rawHeader({ name: 's' }), END)),
    ];
    const two = writeTar([
      { name: 'a', type: 'file', data: new Uint8Array(600) },
      { name: 'b', type: 'file', data: new Uint8Array(600) },
    ]);
    errors.push(same(two, { maxEntrySize: 500 }), same(two, { maxTotalSize: 1000 }));
    errors.push(same(writeTar([{ name: 'n'.repeat(5000), type: 'file' }]), { maxMetaSize: 1000 }));
    const h = rawHeader({ name: 'x' });
    h[0] = 0xff;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    h.set(enc.encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    errors.push(same(concat(h, END)));
    expect(errors.map((e) => ('kind' in e ? e.kind : 'ok'))).toEqual([
      'bad-header',
      'bad-header',
      'bad-header',
      'bad-header',
      'truncated',
      'size-limit',
      'size-mismatch',
      'unsupported',
      'unsupported',
      'unsupported',
      'size-limit',
      'size-limit',
      'size-limit',
      'bad-path',
    ]);
  });

  it('truncated at every cut point: the same truncated error (kind, member, message)', () => {
    const bytes = writeTar(rich);
    const cuts = new Set<number>();
    for (let cut = 0; cut < bytes.length; cut += 97) cuts.add(cut);
    for (let block = 0; block <= bytes.length; block += 512) for (const d of [-1, 0, 1]) if (block + d >= 0) cuts.add(block + d);
    for (const cut of cuts) {
      if (cut >= bytes.length - 1024 + 512) continue; // from the end marker on the archive is complete
      const expected = whole(bytes.subarray(0, cut));
      expect('kind' in expected && expected.kind, `cut ${cut}`).toBe('truncated');
      for (const piece of cut < 4000 ? [1, 511, 1000] : [511, 1000])
        expect(streamed(bytes.subarray(0, cut), piece), `cut ${cut}`).toEqual(expected);
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** A zstd frame of raw blocks (no content size, 1 MiB window), as a streaming encoder writes. */
function zstdRaw(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50])];
  for (let at = 0; at < data.length || at === 0; at += 65536) {
    const block = data.subarray(at, at + 65536);
    const last = at + 65536 >= data.length ? 1 : 0;
    const h = (block.length << 3) | last;
    parts.push(new Uint8Array([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), block);
    if (data.length === 0) break;
  }
  return concat(...parts);
}

async function verify(blob: Uint8Array, piece = 1000) {
  const v = new LayerStreamVerifier();
  for (let at = 0; at < blob.length; at += piece) await v.push(blob.subarray(at, at + piece));
  return v.finish();
}

describe('LayerStreamVerifier', () => {
  const HAVE_ZSTD = hostTool('zstd', ['--version'], 'Zstandard', 'a zstd layer from the reference encoder');

  it('gives the diffID and contentSize of the whole check for plain, gzip and zstd layers', async () => {
    const tar = writeTar(rich);
    const diffID = await sha256Digest(tar);
    const size = contentSize(tar);
    validateLayer(readTar(tar));
    const blobs: [string, Uint8Array][] = [
      ['none', tar],
      ['gzip', await gzip(tar)],
      ['zstd', zstdRaw(tar)],
    ];
    if (HAVE_ZSTD) blobs.push(['zstd', new Uint8Array(execFileSync('zstd', ['-c', '-3'], { input: tar }))]);
    for (const [compression, blob] of blobs)
      for (const piece of [1, 3, 1000, blob.length])
        expect(await verify(blob, piece)).toEqual({ compression, diffID, contentSize: size, tarSize: tar.length });
  });

  it('runs validateLayer on the headers: the same errors as on a whole read', async () => {
    const bad: TarEntryInit[][] = [
      [{ name: '../escape', type: 'file' }],
      [{ name: 'l', type: 'hardlink', linkname: 'nothing' }],
      [
        { name: 'd/', type: 'directory' },
        { name: 'l', type: 'hardlink', linkname: 'd' },
      ],
      [{ name: 's', type: 'symlink', linkname: '../../..' }],
      [{ name: 'dev', type: 'block', devmajor: 8, devminor: 0 }],
      [{ name: 'a/.wh.', type: 'file' }],
      [
        { name: 'f', type: 'file' },
        { name: 'a/.wh.x', type: 'file' },
        { name: 'l', type: 'hardlink', linkname: 'a/.wh.x' },
      ],
    ];
    for (const entries of bad) {
      const tar = writeTar(entries);
      let expected: LayerError | undefined;
      try {
        validateLayer(readTar(tar));
      } catch (err) {
        expected = err as LayerError;
      }
      expect(expected).toBeInstanceOf(LayerError);
      const v = new LayerStreamVerifier();
      await v.push(await gzip(tar));
      const e = await expectLayerRejection(v.finish(), expected!.kind, expected!.entry);
      expect(e.message).toBe(expected!.message);
      expect(v.failedIn).toBe('tar');
    }
    // hard links to earlier files and whiteouts pass
    const v = new LayerStreamVerifier();
    await v.push(
      writeTar([
        { name: 'f', type: 'file', data: enc.encode('x') },
        { name: 'l', type: 'hardlink', linkname: 'f' },
        { name: '.wh.old', type: 'file' },
      ]),
    );
    expect((await v.finish()).contentSize).toBe(1);
  });

  it('says a truncated tar, gzip or zstd stream is truncated, and where', async () => {
    const tar = writeTar(rich);
    const cut = tar.subarray(0, 3000);
    for (const blob of [cut, await gzip(cut), zstdRaw(cut)]) {
      const v = new LayerStreamVerifier();
      await v.push(blob);
      await expectLayerRejection(v.finish(), 'truncated');
      expect(v.failedIn).toBe('tar');
    }
    const gz = await gzip(tar);
    for (const blob of [gz.subarray(0, gz.length - 100), zstdRaw(tar).subarray(0, 5000)]) {
      const v = new LayerStreamVerifier();
      await v.push(blob);
      await expectLayerRejection(v.finish(), 'truncated');
      expect(v.failedIn).toBe('decompress');
    }
    await expectLayerRejection(new LayerStreamVerifier().finish(), 'truncated');
  });

  it('says a corrupt gzip stream is bad-gzip, stopping at the first bad piece', async () => {
    const gz = await gzip(writeTar(rich));
    const bad = gz.slice();
    for (let i = 20; i < 60; i++) bad[i] = 0xff;
    const v = new LayerStreamVerifier();
    const err = await (async () => {
      try {
        for (let at = 0; at < bad.length; at += 16) await v.push(bad.subarray(at, at + 16));
        await v.finish();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LayerError);
    expect((err as LayerError).kind).toBe('bad-gzip');
    expect(v.failedIn).toBe('decompress');
  });

  it("refuses a zstd window over zstd's default limit, and a single-segment frame over maxSize", async () => {
    const wide = zstdRaw(writeTar(rich));
    wide[5] = (18 << 3) | 0; // 2^28: 256 MiB
    const v = new LayerStreamVerifier();
    await expectLayerRejection(v.push(wide), 'unsupported');
    expect(v.failedIn).toBe('decompress');
    // single segment, 4-byte content size of 1 MiB
    const single = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    await expectLayerRejection(new LayerStreamVerifier({ maxSize: 1000 }).push(single), 'size-limit');
  });

  it('refuses more than maxSize decompressed bytes', async () => {
    const v = new LayerStreamVerifier({ maxSize: 10_000 });
    await expectLayerRejection(
      (async () => {
        await v.push(await gzip(writeTar(rich)));
        await v.finish();
      })(),
      'size-limit',
    );
    expect(v.failedIn).toBe('decompress');
  });

  it('can be cancelled mid-stream', async () => {
    const gz = await gzip(writeTar(rich));
    const v = new LayerStreamVerifier();
    await v.push(gz.subarray(0, 100));
    await v.cancel();
    await expect(v.push(gz.subarray(100))).rejects.toBeInstanceOf(LayerError);
  });
});
