import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expectLayerError } from '../../../tests/fixtures/layer-error.ts';
import { compressionOf, decompress, isCompressed } from './compression.ts';
import { LayerError } from './errors.ts';
import { gzip } from './gzip.ts';
import { readTar, writeTar } from './tar.ts';
import { isZstd, unzstd, ZSTD_MAX_WINDOW } from './zstd.ts';
import { hostTool } from '../../../tests/fixtures/host-tools.ts';

const enc = new TextEncoder();
/** Byte equality without vitest's element-by-element diff (slow on megabytes). */
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

const sample = enc.encode(Array.from({ length: 5000 }, (_, i) => `line ${i} ${(i * 7919) % 1000}\n`).join(''));

/** Frames made by the reference zstd 1.5 (`zstd -19 --check`), so the tests run without the CLI. */
const HELLO = hex('28b52ffd2405290000686921210a5633a871'); // "hi!!\n" (raw, content size, checksum)
const EMPTY = hex('28b52ffd240001000099e9d851'); // "" (content size 0, checksum)

/** A frame with no content size and a window descriptor: one raw block then one RLE block. */
function streamedFrame(window = 0x50 /* 1 MiB */): Uint8Array {
  const raw = enc.encode('hello ');
  const rawHeader = (raw.length << 3) | (0 << 1) | 0;
  const rleHeader = (1000 << 3) | (1 << 1) | 1;
  return Uint8Array.from([
    0x28,
    0xb5,
    0x2f,
    0xfd,
    0x00, // no content size, not single segment, no checksum, no dictionary
    window,
    rawHeader & 0xff,
    (rawHeader >> 8) & 0xff,
    rawHeader >> 16,
    ...raw,
    rleHeader & 0xff,
    (rleHeader >> 8) & 0xff,
    rleHeader >> 16,
    0x7a, // 'z' × 1000
  ]);
}

/** The reference encoder (Debian's zstd package); it must not fail on what the tests give it. */
function zstdCli(input: Uint8Array, args: string[]): Uint8Array {
  return new Uint8Array(execFileSync('zstd', ['-q', '-c', ...args], { input }));
}

describe('zstd', () => {
  const HAVE_ZSTD = hostTool('zstd', ['--version'], 'Zstandard', 'the comparisons with the reference zstd encoder');

  it('detects the magic and names the compression', async () => {
    expect(isZstd(HELLO)).toBe(true);
    expect(isZstd(sample)).toBe(false);
    expect(compressionOf(HELLO)).toBe('zstd');
    expect(compressionOf(await gzip(sample))).toBe('gzip');
    expect(compressionOf(sample)).toBe('none');
    expect(isCompressed(HELLO)).toBe(true);
    expect(isCompressed(sample)).toBe(false);
  });

  it('decodes frames of the reference encoder, empty ones and concatenated ones', async () => {
    expect(new TextDecoder().decode(unzstd(HELLO))).toBe('hi!!\n');
    expect(unzstd(EMPTY)).toEqual(new Uint8Array(0));
    const two = new Uint8Array([...HELLO, ...EMPTY, ...HELLO]);
    expect(new TextDecoder().decode(unzstd(two))).toBe('hi!!\nhi!!\n');
    expect(new TextDecoder().decode(await decompress(HELLO))).toBe('hi!!\n');
    expect(await decompress(sample)).toBe(sample);
    expect(await decompress(await gzip(sample))).toEqual(sample);
  });

  it('skips skippable frames', () => {
    const skippable = Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    expect(new TextDecoder().decode(unzstd(new Uint8Array([...skippable, ...HELLO])))).toBe('hi!!\n');
  });

  it('decodes a frame without a content size as a stream (raw and RLE blocks)', () => {
    expect(new TextDecoder().decode(unzstd(streamedFrame()))).toBe(`hello ${'z'.repeat(1000)}`);
  });

  it.skipIf(!HAVE_ZSTD)('round-trips a tar layer through the zstd CLI, with a long window', { timeout: 30_000 }, () => {
    const tar = writeTar(
      Array.from({ length: 40 }, (_, i) => ({ name: `d/f${i}.txt`, type: 'file' as const, data: sample.subarray(i * 100) })),
    );
    // from stdin without a size: frames without a content size (decoded as a stream); with
    // --stream-size: the content size in the header (decoded in one pass, what `zstd FILE` does)
    for (const args of [['-3'], ['-19', '--long=25'], ['-19', '--no-check'], ['-19', '--long=25', `--stream-size=${tar.length}`]]) {
      const z = zstdCli(tar, args);
      const out = unzstd(z);
      expect(same(out, tar)).toBe(true);
      expect(readTar(out).length).toBe(40);
    }
  });

  it('reports truncation as truncated, at any cut', () => {
    const big = HAVE_ZSTD ? [zstdCli(sample, ['-19'])] : [];
    for (const z of [HELLO, streamedFrame(), ...big]) {
      for (const cut of [1, 3, 4, 5, 6, 8, z.length >> 1, z.length - 4, z.length - 1]) {
        if (cut >= z.length) continue;
        const e = expectLayerError(() => unzstd(z.subarray(0, cut)), 'truncated');
        expect(e.message).toMatch(/truncated|no 28 b5 2f fd magic/);
      }
    }
  });

  it('reports a missing magic, reserved bits and garbage as bad-zstd, naming the problem', () => {
    expect(expectLayerError(() => unzstd(sample), 'bad-zstd').message).toContain('not a zstd stream');
    const reserved = HELLO.slice();
    reserved[4]! |= 0x08;
    expect(expectLayerError(() => unzstd(reserved), 'bad-zstd').message).toContain('reserved bit');
    const blockType = streamedFrame();
    blockType[6]! |= 0x06; // block type 3 is reserved
    expect(expectLayerError(() => unzstd(blockType), 'bad-zstd').message).toContain('reserved block type');
    const trailing = new Uint8Array([...HELLO, 1, 2, 3, 4, 5]);
    expect(expectLayerError(() => unzstd(trailing), 'bad-zstd').message).toContain('after frame 1');
  });

  it.skipIf(!HAVE_ZSTD)('reports a corrupt compressed block as bad-zstd (or a size that disagrees with the header)', () => {
    const z = zstdCli(sample, ['-19']);
    let failures = 0;
    // overwrite the start of the first block's compressed content (literals and sequences headers)
    for (const at of [9, 10, 11, 12, 13, 14]) {
      const bad = z.slice();
      bad.fill(0xff, at, at + 8);
      try {
        const out = unzstd(bad);
        expect(same(out, sample)).toBe(false); // at worst different bytes: the diffID check catches those
      } catch (err) {
        expect(err).toBeInstanceOf(LayerError);
        expect(['bad-zstd', 'truncated']).toContain((err as LayerError).kind);
        expect((err as LayerError).message).toMatch(/^zstd stream is (corrupt|truncated)/);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });

  it('stops at maxSize, before decoding when the header declares the size', () => {
    const e = expectLayerError(() => unzstd(HELLO, { maxSize: 4 }), 'size-limit');
    expect(e.message).toContain('4-byte limit');
    expectLayerError(() => unzstd(streamedFrame(), { maxSize: 100 }), 'size-limit');
    expect(unzstd(streamedFrame(), { maxSize: 1006 }).length).toBe(1006);
  });

  it('refuses dictionaries and windows over 128 MiB in frames without a content size', () => {
    const dict = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x21, 7, 0x01, 0x00, 0x00]);
    expect(expectLayerError(() => unzstd(dict), 'unsupported').message).toContain('dictionary 7');
    const huge = streamedFrame((28 - 10) << 3); // 256 MiB window
    expect(expectLayerError(() => unzstd(huge), 'unsupported').message).toContain(`${ZSTD_MAX_WINDOW / 2 ** 20} MiB`);
  });

  it('maps decompress errors like gunzip does', async () => {
    await expect(decompress(HELLO.subarray(0, 10))).rejects.toMatchObject({ kind: 'truncated' });
  });
});
