/**
 * Content digests (`sha256:<64 lowercase hex>`, as in the OCI image spec) and SHA-256 hashing:
 * `sha256()` is one-shot through WebCrypto (`crypto.subtle`, a global in browsers and Node 20);
 * `Sha256` is a small pure-TypeScript incremental hasher for streaming writers, because WebCrypto
 * has no streaming digest.
 */
import { InvalidDigestError } from './errors.ts';

/** A content address: `sha256:` followed by 64 lowercase hex digits. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** Whether `value` is a well-formed `sha256:<64 lowercase hex>` digest. */
export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** Returns `value` as a `Digest`, or throws `InvalidDigestError` if it is not one. */
export function parseDigest(value: unknown): Digest {
  if (!isDigest(value)) throw new InvalidDigestError(value);
  return value;
}

/** The 64 hex digits of a digest (throws `InvalidDigestError` for a malformed one). */
export function digestHex(digest: Digest): string {
  return parseDigest(digest).slice('sha256:'.length);
}

const HEX = '0123456789abcdef';

/** Lowercase hex of some bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/** The digest of `bytes`, computed with WebCrypto. */
export async function sha256(bytes: Uint8Array): Promise<Digest> {
  // WebCrypto refuses views on a SharedArrayBuffer; slice() copies into a plain ArrayBuffer.
  const data = (bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice()) as Uint8Array<ArrayBuffer>;
  const hash = await crypto.subtle.digest('SHA-256', data);
  return `sha256:${toHex(new Uint8Array(hash))}`;
}

// prettier-ignore
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// prettier-ignore
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Incremental SHA-256 (FIPS 180-4) in pure TypeScript: `update()` any number of times, `digest()` at any point. */
export class Sha256 {
  private readonly h = new Uint32Array(H0);
  private readonly block = new Uint8Array(64);
  private readonly w = new Uint32Array(64);
  private blockLength = 0;
  private total = 0;

  /** Number of bytes hashed so far. */
  get length(): number {
    return this.total;
  }

  /** Feeds more bytes into the hash. */
  update(data: Uint8Array): this {
    let off = 0;
    const n = data.length;
    this.total += n;
    if (this.blockLength > 0) {
      const take = Math.min(64 - this.blockLength, n);
      this.block.set(data.subarray(0, take), this.blockLength);
      this.blockLength += take;
      off = take;
      if (this.blockLength < 64) return this;
      this.compress(this.block, 0);
      this.blockLength = 0;
    }
    for (; off + 64 <= n; off += 64) this.compress(data, off);
    if (off < n) {
      this.block.set(data.subarray(off), 0);
      this.blockLength = n - off;
    }
    return this;
  }

  /** The digest of everything fed so far; the hasher stays usable (this does not finalize it). */
  digest(): Digest {
    const copy = new Sha256();
    copy.h.set(this.h);
    copy.block.set(this.block);
    copy.blockLength = this.blockLength;
    copy.total = this.total;
    return `sha256:${toHex(copy.finish())}`;
  }

  private finish(): Uint8Array {
    const bits = this.total * 8;
    const pad = new Uint8Array((this.blockLength < 56 ? 56 : 120) - this.blockLength + 8);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, Math.floor(bits / 0x1_0000_0000));
    view.setUint32(pad.length - 4, bits >>> 0);
    this.update(pad);
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) outView.setUint32(i * 4, this.h[i]!);
    return out;
  }

  private compress(buf: Uint8Array, off: number): void {
    const w = this.w;
    const h = this.h;
    for (let i = 0; i < 16; i++) {
      const j = off + i * 4;
      w[i] = (buf[j]! << 24) | (buf[j + 1]! << 16) | (buf[j + 2]! << 8) | buf[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h[0]!,
      b = h[1]!,
      c = h[2]!,
      d = h[3]!,
      e = h[4]!,
      f = h[5]!,
      g = h[6]!,
      hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[i]! + w[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + hh;
  }
}
