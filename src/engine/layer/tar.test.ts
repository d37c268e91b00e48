import { describe, expect, it } from 'vitest';
import { expectLayerError } from '../../../tests/fixtures/layer-error.ts';
import { iterateTar, readTar, tarEntry, writeTar, type TarEntry, type TarEntryInit } from './tar.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Builds one raw 512-byte header, for archives our writer would never produce. */
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
  devmajor?: string;
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
  if (f.devmajor) put(329, f.devmajor);
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

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

const END = new Uint8Array(1024);

function paxData(records: [string, string][]): Uint8Array {
  return enc.encode(
    records
      .map(([k, v]) => {
        const base = enc.encode(k).length + enc.encode(v).length + 3;
        let len = base + String(base).length;
        if (String(len).length !== String(base).length) len = base + String(len).length;
        return `${len} ${k}=${v}\n`;
      })
      .join(''),
  );
}

function strip(e: TarEntry): Omit<TarEntry, 'data'> & { text: string } {
  const { data, ...rest } = e;
  return { ...rest, text: dec.decode(data) };
}

describe('writeTar / readTar round trip', () => {
  const entries: TarEntryInit[] = [
    { name: 'etc/', type: 'directory', mode: 0o755, mtime: 1700000000, uname: 'root', gname: 'root' },
    {
      name: 'etc/hello.txt',
      type: 'file',
      data: enc.encode('hello\n'),
      mode: 0o640,
      uid: 1000,
      gid: 100,
      mtime: 1700000001,
      uname: 'alice',
      gname: 'users',
    },
    { name: 'etc/link', type: 'symlink', linkname: 'hello.txt', mtime: 1700000002 },
    { name: 'etc/hard', type: 'hardlink', linkname: 'etc/hello.txt' },
    { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'dev/sda', type: 'block', devmajor: 8, devminor: 0, mode: 0o660 },
    { name: 'run/fifo', type: 'fifo', mode: 0o600 },
    { name: 'bin/su', type: 'file', data: enc.encode('x'.repeat(513)), mode: 0o4755 },
  ];

  it('reads back every field', () => {
    const bytes = writeTar(entries);
    expect(bytes.length % 512).toBe(0);
    const back = readTar(bytes);
    expect(back.map(strip)).toEqual(
      entries.map((e) => {
        const full = tarEntry(e);
        return strip(full);
      }),
    );
    expect(back[7]!.mode).toBe(0o4755);
    expect(back[4]).toMatchObject({ type: 'char', devmajor: 1, devminor: 3 });
  });

  it('is deterministic and ends with two zero blocks', () => {
    const a = writeTar(entries);
    const b = writeTar(entries.map((e) => ({ ...e })));
    expect(a).toEqual(b);
    expect(a.subarray(a.length - 1024).every((x) => x === 0)).toBe(true);
    expect(writeTar([])).toEqual(new Uint8Array(1024));
    expect(readTar(writeTar([]))).toEqual([]);
  });

  it('adds a trailing slash to directory names', () => {
    const [d] = readTar(writeTar([{ name: 'a/b', type: 'directory' }]));
    expect(d!.name).toBe('a/b/');
  });

  it('returns file data as subarrays of the archive', () => {
    const bytes = writeTar([{ name: 'f', type: 'file', data: enc.encode('abc') }]);
    const [f] = readTar(bytes);
    expect(f!.data.buffer).toBe(bytes.buffer);
    expect(dec.decode(f!.data)).toBe('abc');
  });

  it('iterates lazily', () => {
    const bytes = writeTar([
      { name: 'a', type: 'file' },
      { name: 'b', type: 'file' },
    ]);
    const it = iterateTar(bytes);
    expect(it.next().value?.name).toBe('a');
    expect(it.next().value?.name).toBe('b');
    expect(it.next().done).toBe(true);
  });
});

describe('long and unusual values', () => {
  it('splits long ASCII paths into ustar prefix + name without PAX', () => {
    const name = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
    const bytes = writeTar([{ name, type: 'file' }]);
    expect(bytes.length).toBe(512 + 1024); // no PAX header
    expect(dec.decode(bytes.subarray(345, 345 + 120))).toBe('d'.repeat(120));
    expect(readTar(bytes)[0]!.name).toBe(name);
  });

  it('uses PAX path / linkpath for names that do not fit', () => {
    const name = `${'a'.repeat(200)}/${'b'.repeat(150)}`;
    const link = `/${'t'.repeat(300)}`;
    const bytes = writeTar([
      { name, type: 'symlink', linkname: link },
      { name: 'x'.repeat(101), type: 'file' },
    ]);
    expect(String.fromCharCode(bytes[156]!)).toBe('x');
    const back = readTar(bytes);
    expect(back[0]).toMatchObject({ name, linkname: link, type: 'symlink' });
    expect(back[1]!.name).toBe('x'.repeat(101));
  });

  it('uses PAX for non-ASCII names, large ids, long owner names and odd mtimes', () => {
    const e: TarEntryInit = {
      name: 'café/naïve-名前.txt',
      type: 'file',
      uid: 3_000_000,
      gid: 4_000_000,
      uname: 'u'.repeat(40),
      gname: 'gröup',
      mtime: 1700000000.5,
      data: enc.encode('z'),
    };
    const [back] = readTar(writeTar([e]));
    expect(back).toMatchObject({
      name: e.name,
      uid: 3_000_000,
      gid: 4_000_000,
      uname: e.uname,
      gname: 'gröup',
      mtime: 1700000000,
      mtimeNsec: 500_000_000,
    });
    const [neg] = readTar(writeTar([{ name: 'old', type: 'file', mtime: -86400 }]));
    expect(neg!.mtime).toBe(-86400);
    const [ns] = readTar(writeTar([{ name: 'ns', type: 'file', mtime: 1732800000, mtimeNsec: 123_456_789 }]));
    expect(ns).toMatchObject({ mtime: 1732800000, mtimeNsec: 123_456_789 });
    const negFrac = writeTar([{ name: 'nf', type: 'file', mtime: -2, mtimeNsec: 750_000_000 }]);
    expect(dec.decode(negFrac.subarray(512, 1024))).toContain(' mtime=-1.25\n');
    expect(readTar(negFrac)[0]).toMatchObject({ mtime: -2, mtimeNsec: 750_000_000 });
    const [tiny] = readTar(writeTar([{ name: 't', type: 'file', mtime: -1, mtimeNsec: 500_000_000 }]));
    expect(tiny).toMatchObject({ mtime: -1, mtimeNsec: 500_000_000 });
    const [future] = readTar(writeTar([{ name: 'future', type: 'file', mtime: 2 ** 34 }]));
    expect(future!.mtime).toBe(2 ** 34);
  });

  it('writes xattrs as SCHILY.xattr records and keeps other PAX records', () => {
    const cap = new Uint8Array([1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0xff, 0, 0]);
    const e: TarEntryInit = {
      name: 'bin/ping',
      type: 'file',
      xattrs: { 'security.capability': cap, 'user.comment': enc.encode('hi there'), 'user.empty': new Uint8Array(0) },
      pax: { atime: '1700000000.25', comment: 'kept' },
    };
    const bytes = writeTar([e]);
    const text = dec.decode(bytes.subarray(512, 1024));
    expect(text).toContain('SCHILY.xattr.user.comment=hi there\n');
    const [back] = readTar(bytes);
    expect(back!.xattrs).toEqual({ 'security.capability': cap, 'user.comment': enc.encode('hi there'), 'user.empty': new Uint8Array(0) });
    expect(back!.pax).toEqual({ atime: '1700000000.25', comment: 'kept' });
  });

  it('computes PAX record lengths across a digit boundary', () => {
    for (let n = 80; n < 110; n++) {
      const name = `${'p'.repeat(n)}/é`;
      expect(readTar(writeTar([{ name, type: 'file' }]))[0]!.name).toBe(name);
    }
  });
});

describe('reading foreign headers', () => {
  it('reads GNU L/K long names and old-GNU magic', () => {
    const longName = `${'n'.repeat(150)}/file`;
    const longLink = `${'l'.repeat(150)}/target`;
    const gnu = 'ustar  \0';
    const bytes = concat(
      rawHeader({ name: '././@LongLink', flag: 'L', size: longName.length + 1, magic: gnu }),
      padded(enc.encode(`${longName}\0`)),
      rawHeader({ name: '././@LongLink', flag: 'K', size: longLink.length + 1, magic: gnu }),
      padded(enc.encode(`${longLink}\0`)),
      rawHeader({ name: longName.slice(0, 100), flag: '2', linkname: longLink.slice(0, 100), magic: gnu }),
      END,
    );
    expect(readTar(bytes)[0]).toMatchObject({ name: longName, linkname: longLink, type: 'symlink' });
  });

  it('reads GNU base-256 numbers', () => {
    const uid = new Uint8Array([0x80, 0, 0, 0, 0, 0x2d, 0xc6, 0xc0]); // 3_000_000
    const mtime = new Uint8Array(12).fill(0xff); // -1
    const bytes = concat(rawHeader({ name: 'f', uid, mtime, magic: 'ustar  \0' }), END);
    expect(readTar(bytes)[0]).toMatchObject({ uid: 3_000_000, mtime: -1 });
  });

  it('applies global PAX headers to later members, local ones win', () => {
    const g = paxData([
      ['uname', 'globaluser'],
      ['comment', 'g'],
    ]);
    const x = paxData([['uname', 'local']]);
    const bytes = concat(
      rawHeader({ name: 'pax_global_header', flag: 'g', size: g.length }),
      padded(g),
      rawHeader({ name: 'PaxHeaders/a', flag: 'x', size: x.length }),
      padded(x),
      rawHeader({ name: 'a' }),
      rawHeader({ name: 'b' }),
      END,
    );
    const [a, b] = readTar(bytes);
    expect(a).toMatchObject({ name: 'a', uname: 'local', pax: { comment: 'g' } });
    expect(b).toMatchObject({ name: 'b', uname: 'globaluser' });
  });

  it('honours the PAX size record over the header size', () => {
    const x = paxData([['size', '3']]);
    const bytes = concat(
      rawHeader({ name: 'PaxHeaders/f', flag: 'x', size: x.length }),
      padded(x),
      rawHeader({ name: 'f', size: 0 }),
      padded(enc.encode('abc')),
      END,
    );
    expect(dec.decode(readTar(bytes)[0]!.data)).toBe('abc');
  });

  it('treats a pre-POSIX regular file with a trailing slash as a directory, and uses the ustar prefix', () => {
    const bytes = concat(
      rawHeader({ name: 'olddir/', flag: '\0', magic: '\0\0\0\0\0\0\0\0' }),
      rawHeader({ name: 'name', prefix: 'pre/fix' }),
      END,
    );
    const [d, f] = readTar(bytes);
    expect(d!.type).toBe('directory');
    expect(f!.name).toBe('pre/fix/name');
  });

  it('accepts a lone zero block as the end and ignores what follows the end marker', () => {
    const one = concat(rawHeader({ name: 'a' }), new Uint8Array(512));
    expect(readTar(one).map((e) => e.name)).toEqual(['a']);
    const trailing = concat(rawHeader({ name: 'a' }), END, new Uint8Array(9216));
    expect(readTar(trailing).length).toBe(1);
  });
});

describe('rejecting bad archives', () => {
  it('rejects checksum mismatches, naming the member', () => {
    const e = expectLayerError(
      () => readTar(concat(rawHeader({ name: 'etc/passwd', badChecksum: true }), END)),
      'bad-header',
      'etc/passwd',
    );
    expect(e.message).toContain('checksum');
  });

  it('rejects garbage numeric fields', () => {
    expectLayerError(() => readTar(concat(rawHeader({ name: 'f', mode: '09x\0' }), END)), 'bad-header', 'f');
  });

  it('rejects malformed PAX records', () => {
    const x = enc.encode('99 path=abc\n');
    expectLayerError(
      () => readTar(concat(rawHeader({ name: 'PaxHeaders/f', flag: 'x', size: x.length }), padded(x), rawHeader({ name: 'f' }), END)),
      'bad-header',
    );
    const y = paxData([['uid', '-5']]);
    expectLayerError(
      () => readTar(concat(rawHeader({ name: 'PaxHeaders/f', flag: 'x', size: y.length }), padded(y), rawHeader({ name: 'f' }), END)),
      'bad-header',
      'f',
    );
  });

  it('rejects truncated archives at every cut point', () => {
    const bytes = writeTar([
      { name: 'a', type: 'file', data: enc.encode('x'.repeat(700)) },
      { name: `${'long/'.repeat(30)}b`, type: 'file', data: enc.encode('y') },
    ]);
    const ends = bytes.length - 1024;
    for (let cut = 0; cut < ends + 1; cut += 97) {
      expectLayerError(() => readTar(bytes.subarray(0, cut)), 'truncated');
    }
    expectLayerError(() => readTar(bytes.subarray(0, ends)), 'truncated', `${'long/'.repeat(30)}b`);
    const e = expectLayerError(() => readTar(bytes.subarray(0, 600)), 'truncated', 'a');
    expect(e.message).toContain('700');
  });

  it('rejects a PAX header with no member after it', () => {
    const x = paxData([['path', 'lost']]);
    expectLayerError(
      () => readTar(concat(rawHeader({ name: 'PaxHeaders/f', flag: 'x', size: x.length }), padded(x), END)),
      'truncated',
      'lost',
    );
  });

  it('enforces size limits before reading data', () => {
    const huge = paxData([['size', String(10 * 1024 ** 3)]]);
    const bytes = concat(
      rawHeader({ name: 'PaxHeaders/big', flag: 'x', size: huge.length }),
      padded(huge),
      rawHeader({ name: 'big' }),
      END,
    );
    const e = expectLayerError(() => readTar(bytes), 'size-limit', 'big');
    expect(e.message).toMatch(/limit/);
    const two = writeTar([
      { name: 'a', type: 'file', data: new Uint8Array(600) },
      { name: 'b', type: 'file', data: new Uint8Array(600) },
    ]);
    expectLayerError(() => readTar(two, { maxEntrySize: 500 }), 'size-limit', 'a');
    expectLayerError(() => readTar(two, { maxTotalSize: 1000 }), 'size-limit', 'b');
    expect(readTar(two, { maxTotalSize: 1200 }).length).toBe(2);
    const longName = writeTar([{ name: 'n'.repeat(5000), type: 'file' }]);
    expectLayerError(() => readTar(longName, { maxMetaSize: 1000 }), 'size-limit');
  });

  it('rejects data on non-file members', () => {
    expectLayerError(
      () => readTar(concat(rawHeader({ name: 'd/', flag: '5', size: 10 }), padded(new Uint8Array(10)), END)),
      'size-mismatch',
      'd/',
    );
  });

  it('rejects sparse files, volume labels and unknown types', () => {
    expectLayerError(() => readTar(concat(rawHeader({ name: 's', flag: 'S' }), END)), 'unsupported', 's');
    expectLayerError(() => readTar(concat(rawHeader({ name: 'v', flag: 'V' }), END)), 'unsupported', 'v');
    expectLayerError(() => readTar(concat(rawHeader({ name: 'q', flag: 'Q' }), END)), 'unsupported', 'q');
    const sp = paxData([['GNU.sparse.major', '1']]);
    expectLayerError(
      () => readTar(concat(rawHeader({ name: 'PaxHeaders/s', flag: 'x', size: sp.length }), padded(sp), rawHeader({ name: 's' }), END)),
      'unsupported',
      's',
    );
  });

  it('rejects names that are not UTF-8', () => {
    const h = rawHeader({ name: 'x' });
    h[0] = 0xff;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    h.set(enc.encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    expectLayerError(() => readTar(concat(h, END)), 'bad-path');
  });
});

describe('writer input checks', () => {
  it('rejects size mismatches, data on non-files, bad numbers and missing link targets', () => {
    expectLayerError(() => writeTar([{ name: 'f', type: 'file', size: 5, data: enc.encode('abc') }]), 'size-mismatch', 'f');
    expectLayerError(() => writeTar([{ name: 'd', type: 'directory', data: enc.encode('abc') }]), 'size-mismatch', 'd');
    expectLayerError(() => writeTar([{ name: 'f', type: 'file', uid: -1 }]), 'bad-header', 'f');
    expectLayerError(() => writeTar([{ name: 'f', type: 'file', mtime: Number.NaN }]), 'bad-header', 'f');
    expectLayerError(() => writeTar([{ name: 'l', type: 'symlink' }]), 'bad-link', 'l');
    expectLayerError(() => writeTar([{ name: '', type: 'file' }]), 'bad-path');
    expectLayerError(() => writeTar([{ name: 'a\0b', type: 'file' }]), 'bad-path');
    expectLayerError(() => writeTar([{ name: 'c', type: 'char', devmajor: 2 ** 30 }]), 'bad-header', 'c');
  });
});
