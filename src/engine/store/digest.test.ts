import { describe, expect, it } from 'vitest';
import { digestHex, isDigest, parseDigest, Sha256, sha256 } from './digest.ts';
import { InvalidDigestError } from './errors.ts';
import { Mutex } from './blob-core.ts';

const enc = new TextEncoder();

describe('digests', () => {
  it('parses and validates sha256:<64 lowercase hex>', () => {
    const d = `sha256:${'ab'.repeat(32)}`;
    expect(isDigest(d)).toBe(true);
    expect(parseDigest(d)).toBe(d);
    expect(digestHex(parseDigest(d))).toBe('ab'.repeat(32));
    for (const bad of [
      `sha256:${'AB'.repeat(32)}`,
      `sha512:${'ab'.repeat(32)}`,
      `sha256:${'ab'.repeat(31)}`,
      ` sha256:${'ab'.repeat(32)}`,
      42,
      null,
    ]) {
      expect(isDigest(bad)).toBe(false);
      expect(() => parseDigest(bad)).toThrow(InvalidDigestError);
    }
  });

  it('hashes with WebCrypto (FIPS 180-4 test vectors)', async () => {
    expect(await sha256(new Uint8Array(0))).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256(enc.encode('abc'))).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes incrementally in pure TypeScript, matching WebCrypto for every split', async () => {
    const vectors: Array<[string, string]> = [
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
      ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    ];
    for (const [text, hex] of vectors) expect(new Sha256().update(enc.encode(text)).digest()).toBe(`sha256:${hex}`);
    const million = new Sha256();
    const chunk = enc.encode('a'.repeat(1000));
    for (let i = 0; i < 1000; i++) million.update(chunk);
    expect(million.digest()).toBe('sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');

    const data = new Uint8Array(1000);
    crypto.getRandomValues(data);
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
      const want = await sha256(data.subarray(0, n));
      for (const step of [1, 7, 64, 100, 1000]) {
        const h = new Sha256();
        for (let off = 0; off < n; off += step) h.update(data.subarray(off, Math.min(n, off + step)));
        expect(h.digest()).toBe(want);
        expect(h.length).toBe(n);
      }
    }
    const h = new Sha256().update(enc.encode('ab'));
    expect(h.digest()).toBe(h.digest()); // digest() does not finalize
    expect(h.update(enc.encode('c')).digest()).toBe(await sha256(enc.encode('abc')));
  });
});

describe('Mutex', () => {
  it('runs sections one at a time, in order, surviving failures', async () => {
    const m = new Mutex();
    const log: string[] = [];
    const a = m.run(async () => {
      log.push('a1');
      await new Promise((r) => setTimeout(r, 5));
      log.push('a2');
    });
    const b = m.run(() => {
      log.push('b');
      throw new Error('b failed');
    });
    const c = m.run(async () => log.push('c'));
    await a;
    await expect(b).rejects.toThrow('b failed');
    await c;
    expect(log).toEqual(['a1', 'a2', 'b', 'c']);
  });
});
