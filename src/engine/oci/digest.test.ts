import { describe, expect, it } from 'vitest';
import { digestHex, isDigest, parseDigest, sha256Digest } from './digest.ts';
import { OciError } from './errors.ts';

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('digests', () => {
  it('hashes bytes and strings (as UTF-8) with SHA-256', async () => {
    expect(await sha256Digest(new Uint8Array())).toBe(EMPTY);
    expect(await sha256Digest('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Digest('é')).toBe(await sha256Digest(new Uint8Array([0xc3, 0xa9])));
    const shared = new Uint8Array(new SharedArrayBuffer(3));
    shared.set([97, 98, 99]);
    expect(await sha256Digest(shared)).toBe(await sha256Digest('abc'));
  });

  it('recognises only sha256:<64 lowercase hex>', () => {
    expect(isDigest(EMPTY)).toBe(true);
    for (const bad of [EMPTY.toUpperCase(), EMPTY.slice(0, -1), `sha512:${'a'.repeat(128)}`, 42, undefined]) {
      expect(isDigest(bad)).toBe(false);
    }
    expect(digestHex(EMPTY)).toBe(EMPTY.slice(7));
  });

  it('parseDigest throws an invalid-digest OciError with context', () => {
    expect(parseDigest(EMPTY)).toBe(EMPTY);
    try {
      parseDigest('sha256:nope', 'layer digest');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OciError);
      expect((e as OciError).kind).toBe('invalid-digest');
      expect((e as OciError).context).toEqual({ what: 'layer digest', actual: 'sha256:nope' });
      expect((e as OciError).message).toMatch(/^layer digest: invalid digest/);
    }
  });
});
