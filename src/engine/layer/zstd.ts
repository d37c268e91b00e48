/**
 * Zstandard decompression for layer blobs (`application/vnd.oci.image.layer.v1.tar+zstd`), over
 * the pure-JavaScript decoder `fzstd` (no platform APIs, so it runs in Node and in a Web Worker;
 * neither has a native zstd decoder: `DecompressionStream` knows only gzip and deflate).
 *
 * Before anything is decoded the frames are walked (headers and block headers only), so a
 * stream that ends early is 'truncated' and a malformed one 'bad-zstd' with the reason, and the
 * output size is checked against `maxSize` from the frame headers instead of after allocating.
 * Frames that declare their content size (what `zstd FILE` writes) decode in one pass into a
 * buffer of exactly that size; frames that do not are decoded as a stream, counting bytes.
 *
 * The frame checksum (XXH64) is not verified: every layer's content is verified by its diffID
 * (sha256 of the tar) wherever a blob enters the engine, which is the stronger check.
 * LayerLab only decompresses zstd; the layers it writes itself stay gzip.
 */
import { Decompress, decompress } from 'fzstd';
import { concat } from '../../runtime/types.ts';
import { LayerError } from './errors.ts';

/** Options for `unzstd`. */
export interface UnzstdOptions {
  /** Largest accepted decompressed size (default 2 GiB); more is a 'size-limit' error. */
  maxSize?: number;
}

/** The largest window a frame without a declared content size may ask for (zstd's own default limit, `--memory=128MB`). */
export const ZSTD_MAX_WINDOW = 1 << 27;

const MAGIC = 0xfd2fb528;
const BLOCK_MAX = 128 * 1024;

/** True when `bytes` starts with the zstd frame magic number 28 b5 2f fd. */
export function isZstd(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd;
}

/** One zstd frame found by `frames`: where it is and what its header declares. */
interface Frame {
  start: number;
  end: number;
  /** Declared content size, undefined when the header does not carry one. */
  contentSize: number | undefined;
  window: number;
}

const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

function truncated(reason: string): never {
  throw new LayerError('truncated', undefined, `zstd stream is truncated: ${reason}`);
}

function corrupt(reason: string): never {
  throw new LayerError('bad-zstd', undefined, `zstd stream is corrupt: ${reason}`);
}

/** Walks the frames of a zstd stream (zstd and skippable frames) without decoding any block. */
function frames(bytes: Uint8Array): Frame[] {
  const out: Frame[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 4) truncated(`${bytes.length - at} stray bytes after frame ${out.length}`);
    const magic = u32(bytes, at);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // skippable frame: magic, 4-byte size, data
      if (bytes.length - at < 8) truncated('skippable frame header');
      const size = u32(bytes, at + 4);
      if (at + 8 + size > bytes.length) truncated(`skippable frame of ${size} bytes`);
      at += 8 + size;
      continue;
    }
    if (magic !== MAGIC) {
      if (out.length === 0)
        throw new LayerError(bytes.length < 4 ? 'truncated' : 'bad-zstd', undefined, 'not a zstd stream (no 28 b5 2f fd magic)');
      corrupt(`unknown data after frame ${out.length} (no frame magic at byte ${at})`);
    }
    const start = at;
    if (bytes.length - at < 6) truncated('frame header');
    const flags = bytes[at + 4]!;
    const fcsFlag = flags >> 6;
    const singleSegment = (flags >> 5) & 1;
    const hasChecksum = (flags >> 2) & 1;
    const dictFlag = flags & 3;
    if (flags & 0x08) corrupt('reserved bit set in the frame header');
    let p = at + 5;
    let window = 0;
    if (!singleSegment) {
      const wd = bytes[p++]!;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    const dictBytes = [0, 1, 2, 4][dictFlag]!;
    const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
    if (bytes.length - p < dictBytes + fcsBytes) truncated('frame header');
    let dictID = 0;
    for (let i = 0; i < dictBytes; i++) dictID += bytes[p + i]! * 2 ** (8 * i);
    p += dictBytes;
    if (dictID !== 0)
      throw new LayerError('unsupported', undefined, `zstd frame needs dictionary ${dictID}: dictionaries are not supported`);
    let contentSize: number | undefined;
    if (fcsBytes) {
      contentSize = 0;
      for (let i = 0; i < fcsBytes; i++) contentSize += bytes[p + i]! * 2 ** (8 * i);
      if (fcsBytes === 2) contentSize += 256;
    }
    p += fcsBytes;
    if (singleSegment) window = contentSize!;
    // blocks: 3-byte header (last flag, type, size), then the block's bytes
    for (;;) {
      if (bytes.length - p < 3) truncated(`block header at byte ${p}`);
      const h = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16);
      const last = h & 1;
      const type = (h >> 1) & 3;
      const size = h >>> 3;
      p += 3;
      if (type === 3) corrupt(`reserved block type at byte ${p - 3}`);
      if (size > BLOCK_MAX) corrupt(`block of ${size} bytes at byte ${p - 3} (the limit is ${BLOCK_MAX})`);
      const stored = type === 1 ? 1 : size; // an RLE block stores one byte
      if (bytes.length - p < stored) truncated(`block at byte ${p - 3} needs ${stored} bytes, ${bytes.length - p} left`);
      p += stored;
      if (last) break;
    }
    if (hasChecksum) {
      if (bytes.length - p < 4) truncated('frame checksum');
      p += 4;
    }
    out.push({ start, end: p, contentSize, window });
    at = p;
  }
  return out;
}

class TooLarge extends Error {}

/** Maps an fzstd error to a LayerError. */
function fromFzstd(err: unknown): LayerError {
  if (err instanceof LayerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if ((err as { code?: number }).code === 5) return new LayerError('truncated', undefined, `zstd stream is truncated: ${message}`);
  return new LayerError('bad-zstd', undefined, `zstd stream is corrupt: ${message}`);
}

/** Decodes one frame that does not declare its size, as a stream, stopping past `limit` bytes. */
function streamFrame(frame: Uint8Array, limit: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const d = new Decompress((chunk) => {
    length += chunk.length;
    if (length > limit) throw new TooLarge();
    chunks.push(chunk);
  });
  d.push(frame, true);
  return chunks;
}

/**
 * Decompresses a zstd stream (one or more frames, skippable frames allowed). A stream that ends
 * early is 'truncated', a malformed one or missing magic 'bad-zstd', output beyond `maxSize`
 * 'size-limit', a frame needing a dictionary or a window over 128 MiB 'unsupported'.
 */
export function unzstd(bytes: Uint8Array, options: UnzstdOptions = {}): Uint8Array {
  const maxSize = options.maxSize ?? 2 * 1024 ** 3;
  const list = frames(bytes);
  const declared = list.reduce((n, f) => n + (f.contentSize ?? 0), 0);
  if (declared > maxSize)
    throw new LayerError(
      'size-limit',
      undefined,
      `decompressed data exceeds the ${maxSize}-byte limit (the zstd frames declare ${declared} bytes)`,
    );
  const parts: Uint8Array[] = [];
  let length = 0;
  try {
    for (const f of list) {
      const frame = bytes.subarray(f.start, f.end);
      if (f.contentSize !== undefined) {
        const out = f.contentSize === 0 ? new Uint8Array(0) : decompress(frame);
        if (out.length !== f.contentSize) corrupt(`a frame declares ${f.contentSize} bytes but holds ${out.length}`);
        parts.push(out);
        length += out.length;
      } else {
        if (f.window > ZSTD_MAX_WINDOW) {
          throw new LayerError(
            'unsupported',
            undefined,
            `zstd window of ${f.window / 2 ** 20} MiB is over the ${ZSTD_MAX_WINDOW / 2 ** 20} MiB limit (zstd's own default)`,
          );
        }
        for (const c of streamFrame(frame, maxSize - length)) {
          parts.push(c);
          length += c.length;
        }
      }
    }
  } catch (err) {
    if (err instanceof TooLarge) throw new LayerError('size-limit', undefined, `decompressed data exceeds the ${maxSize}-byte limit`);
    throw fromFzstd(err);
  }
  return parts.length === 1 ? parts[0]! : concat(parts);
}
