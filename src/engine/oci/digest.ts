/**
 * Content digests as the OCI image spec writes them (`sha256:<64 lowercase hex>`), hashed with
 * WebCrypto (`crypto.subtle`, a global in browsers and Node 20). Self-contained on purpose: the
 * store package has its own `Digest` with the same definition, so the two are interchangeable.
 */
import { OciError } from './errors.ts';

/** A content address: `sha256:` followed by 64 lowercase hex digits. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** Whether `value` is a well-formed `sha256:<64 lowercase hex>` digest. */
export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** Returns `value` as a `Digest`, or throws an `invalid-digest` OciError naming `what`. */
export function parseDigest(value: unknown, what = 'digest'): Digest {
  if (!isDigest(value)) {
    throw new OciError(
      'invalid-digest',
      `${what}: invalid digest ${JSON.stringify(String(value))}: expected sha256:<64 lowercase hex digits>`,
      { what, actual: String(value) },
    );
  }
  return value;
}

/** The 64 hex digits of a digest (throws `invalid-digest` for a malformed one). */
export function digestHex(digest: Digest): string {
  return parseDigest(digest).slice('sha256:'.length);
}

const encoder = new TextEncoder();

/** The SHA-256 digest of `bytes` (a string is hashed as its UTF-8 encoding). */
export async function sha256Digest(bytes: Uint8Array | string): Promise<Digest> {
  const data = typeof bytes === 'string' ? encoder.encode(bytes) : bytes;
  // WebCrypto refuses views on a SharedArrayBuffer; slice() copies into a plain ArrayBuffer.
  const plain = (data.buffer instanceof ArrayBuffer ? data : data.slice()) as Uint8Array<ArrayBuffer>;
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', plain));
  let hex = '';
  for (const b of hash) hex += b.toString(16).padStart(2, '0');
  return `sha256:${hex}`;
}
