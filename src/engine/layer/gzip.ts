/**
 * gzip helpers over the `CompressionStream` / `DecompressionStream` globals (Node 20 and
 * browsers). Output of `gzip` is deterministic for one engine (no name, mtime 0) but may
 * differ between engines, so compare layers by their uncompressed digest (diff ID).
 */
import { LayerError } from './errors.ts';

/** Options for `gunzip`. */
export interface GunzipOptions {
  /** Largest accepted decompressed size (default 2 GiB); more is a 'size-limit' error. */
  maxSize?: number;
}

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

class TooLarge extends Error {}

async function pump(stream: TransformStream<Uint8Array, Uint8Array>, input: Uint8Array, maxSize: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      length += value.length;
      if (length > maxSize) {
        await reader.cancel().catch(() => undefined);
        throw new TooLarge();
      }
      chunks.push(value);
    }
  })();
  const writing = (async () => {
    await writer.write(input);
    await writer.close();
  })();
  writing.catch(() => undefined);
  await reading;
  await writing;
  const out = new Uint8Array(length);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** Compresses bytes with gzip. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pump(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>, bytes, Number.POSITIVE_INFINITY);
}

/**
 * Decompresses a gzip stream (concatenated members allowed where the engine supports them).
 * A stream that ends early is 'truncated', a corrupt one 'bad-gzip', missing magic 'bad-gzip'.
 */
export async function gunzip(bytes: Uint8Array, options: GunzipOptions = {}): Promise<Uint8Array> {
  const maxSize = options.maxSize ?? 2 * 1024 ** 3;
  if (!isGzip(bytes)) {
    throw new LayerError(bytes.length < 2 ? 'truncated' : 'bad-gzip', undefined, 'not a gzip stream (no 1f 8b magic)');
  }
  // 10-byte header + 8-byte trailer is the smallest possible member.
  if (bytes.length < 18) throw new LayerError('truncated', undefined, `gzip stream is truncated (${bytes.length} bytes)`);
  try {
    return await pump(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>, bytes, maxSize);
  } catch (err) {
    if (err instanceof TooLarge) throw new LayerError('size-limit', undefined, `decompressed data exceeds the ${maxSize}-byte limit`);
    const message = err instanceof Error ? err.message : String(err);
    // Node: "unexpected end of file"; Chromium: "...truncated"; Firefox: "...unexpected end...".
    if (/unexpected end|truncat|incomplete|premature|end of (file|stream|input|data)/i.test(message)) {
      throw new LayerError('truncated', undefined, `gzip stream is truncated: ${message}`);
    }
    throw new LayerError('bad-gzip', undefined, `gzip stream is corrupt: ${message}`);
  }
}

/** Returns `bytes` decompressed when they carry the gzip magic, unchanged otherwise. */
export async function maybeGunzip(bytes: Uint8Array, options: GunzipOptions = {}): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, options) : bytes;
}
