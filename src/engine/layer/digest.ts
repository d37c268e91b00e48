/** Content digests (`sha256:<hex>`) over `crypto.subtle`, as used for OCI blobs and diff IDs. */
import { LayerError } from './errors.ts';

/** Returns the OCI digest string `sha256:<64 hex digits>` of `bytes`. */
export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of hash) hex += b.toString(16).padStart(2, '0');
  return `sha256:${hex}`;
}

/** Throws a 'digest-mismatch' LayerError (naming `what`) unless `bytes` hash to `expected`. */
export async function verifyDigest(bytes: Uint8Array, expected: string, what?: string): Promise<void> {
  if (!/^sha256:[0-9a-f]{64}$/.test(expected)) {
    throw new LayerError('digest-mismatch', what, `unsupported or malformed digest ${JSON.stringify(expected)}`);
  }
  const actual = await sha256Digest(bytes);
  if (actual !== expected) throw new LayerError('digest-mismatch', what, `expected ${expected}, got ${actual}`);
}
