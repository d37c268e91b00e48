import { describe, expect, it } from 'vitest';
import { expectLayerRejection } from '../../../tests/fixtures/layer-error.ts';
import { sha256Digest, verifyDigest } from './digest.ts';
import { gunzip, gzip, isGzip, maybeGunzip } from './gzip.ts';
import { readTar, writeTar } from './tar.ts';

const enc = new TextEncoder();

const sample = enc.encode(Array.from({ length: 5000 }, (_, i) => `line ${i} ${(i * 7919) % 1000}\n`).join(''));

describe('gzip / gunzip', () => {
  it('round-trips and detects the magic', async () => {
    const gz = await gzip(sample);
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(sample)).toBe(false);
    expect(gz.length).toBeLessThan(sample.length);
    expect(await gunzip(gz)).toEqual(sample);
    expect(await maybeGunzip(gz)).toEqual(sample);
    expect(await maybeGunzip(sample)).toBe(sample);
    expect(await gunzip(await gzip(new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  it('is deterministic on one engine', async () => {
    expect(await gzip(sample)).toEqual(await gzip(sample));
  });

  it('carries a tar layer', async () => {
    const tar = writeTar([{ name: 'a/b.txt', type: 'file', data: enc.encode('hi') }]);
    const [e] = readTar(await gunzip(await gzip(tar)));
    expect(e!.name).toBe('a/b.txt');
  });

  it('reports truncation as truncated, at any cut', async () => {
    const gz = await gzip(sample);
    for (const cut of [1, 10, 17, 30, gz.length >> 1, gz.length - 8, gz.length - 1]) {
      await expectLayerRejection(gunzip(gz.subarray(0, cut)), 'truncated');
    }
  });

  it('reports corruption and missing magic as bad-gzip', async () => {
    const gz = new Uint8Array(await gzip(sample));
    const crc = gz.slice();
    crc[crc.length - 6]! ^= 0xff; // CRC32 of the trailer
    await expectLayerRejection(gunzip(crc), 'bad-gzip');
    await expectLayerRejection(gunzip(sample), 'bad-gzip');
  });

  it('stops at maxSize', async () => {
    const zeros = await gzip(new Uint8Array(4 * 1024 * 1024));
    const e = await expectLayerRejection(gunzip(zeros, { maxSize: 1024 * 1024 }), 'size-limit');
    expect(e.message).toContain('1048576');
  });
});

describe('digests', () => {
  it('computes sha256 digests and verifies them', async () => {
    expect(await sha256Digest(enc.encode('abc'))).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    await verifyDigest(enc.encode('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const e = await expectLayerRejection(
      verifyDigest(enc.encode('abd'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'layer 1'),
      'digest-mismatch',
    );
    expect(e.entry).toBe('layer 1');
    await expectLayerRejection(verifyDigest(enc.encode('abc'), 'md5:abc'), 'digest-mismatch');
  });
});
