/**
 * A layer blob verified while it streams (a registry pull): its compressed bytes, pushed as they
 * arrive, go through a streaming gunzip (`DecompressionStream`) or zstd (`fzstd`'s `Decompress`),
 * and the tar through an incremental SHA-256 (the diffID) and `TarHeaderReader`; at the end the
 * headers get `validateLayer`'s checks and `contentSize`'s count. Memory: a network piece, the
 * decompressor's window and the reader's header block, whatever the layer's size.
 */
import { Decompress } from 'fzstd';
import { Sha256, type Digest } from '../store/digest.ts';
import { compressionOf, type Compression } from './compression.ts';
import { LayerError } from './errors.ts';
import { ZSTD_MAX_WINDOW } from './zstd.ts';
import { validateLayer, type ValidateOptions } from './security.ts';
import { tarEntry, type TarEntryType, type TarReadOptions } from './tar.ts';
import { TarHeaderReader } from './tar-stream.ts';

const EMPTY = new Uint8Array(0);
/** Options for `LayerStreamVerifier`. */
export interface LayerStreamOptions extends TarReadOptions, ValidateOptions {
  /** Largest accepted decompressed size (default 2 GiB, as `decompress`); more is 'size-limit'. */
  maxSize?: number;
}

/** What a verified layer stream was. */
export interface VerifiedLayer {
  compression: Compression;
  /** sha256 of the uncompressed tar. */
  diffID: Digest;
  /** Bytes of file content, as `contentSize` counts them. */
  contentSize: number;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
}

/** The members' fields `validateLayer` looks at, kept per member until the end (its own state is a path map of the same order). */
interface Kept {
  name: string;
  type: TarEntryType;
  linkname: string;
  devmajor: number;
  devminor: number;
}

/** gunzip's and unzstd's error wording for a stream that fails. */
function gzipError(err: unknown): LayerError {
  if (err instanceof LayerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/unexpected end|truncat|incomplete|premature|end of (file|stream|input|data)/i.test(message))
    return new LayerError('truncated', undefined, `gzip stream is truncated: ${message}`);
  return new LayerError('bad-gzip', undefined, `gzip stream is corrupt: ${message}`);
}

function zstdError(err: unknown): LayerError {
  if (err instanceof LayerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if ((err as { code?: number }).code === 5) return new LayerError('truncated', undefined, `zstd stream is truncated: ${message}`);
  return new LayerError('bad-zstd', undefined, `zstd stream is corrupt: ${message}`);
}

/**
 * Checks a layer blob pushed in pieces as it arrives, with what `ImageStore.putLayerBlob` checks on
 * a whole one: it decompresses (gzip, zstd or none, told by the first bytes), hashes the tar
 * (diffID), reads its headers (`TarHeaderReader`) and, at `finish()`, runs `validateLayer` on them
 * and counts `contentSize`. Memory: the decompressor's state (zstd: its window), one header block,
 * and per member its name, type and link target. A failure is a LayerError; `failedIn` says
 * whether the compressed stream ('decompress') or the tar ('tar') was at fault. After a failure or
 * `cancel()` the verifier is unusable.
 */
export class LayerStreamVerifier {
  /** Where the first failure came from. */
  failedIn: 'decompress' | 'tar' | undefined;
  private readonly maxSize: number;
  private readonly tar: TarHeaderReader;
  private readonly hash = new Sha256();
  private readonly kept: Kept[] = [];
  private tarSize = 0;
  private contentSize = 0;
  private compression: Compression | undefined;
  private head: Uint8Array[] = [];
  private headLength = 0;
  private error: unknown;
  private zstd: Decompress | undefined;
  private gzip: { writer: WritableStreamDefaultWriter<Uint8Array>; reading: Promise<void> } | undefined;

  constructor(private readonly options: LayerStreamOptions = {}) {
    this.maxSize = options.maxSize ?? 2 * 1024 ** 3;
    this.tar = new TarHeaderReader(options);
  }

  /** Feeds the next compressed piece (not modified; not kept once the promise resolves). */
  async push(chunk: Uint8Array): Promise<void> {
    this.check();
    if (this.compression === undefined) {
      // the magic number needs 4 bytes (zstd), a zstd frame header at most 18
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < 18) return;
      const head = this.takeHead();
      this.start(head);
      return this.feed(head);
    }
    return this.feed(chunk);
  }

  /** The stream is over: finishes decompression and the tar, validates, and reports. */
  async finish(): Promise<VerifiedLayer> {
    this.check();
    if (this.compression === undefined) {
      const head = this.takeHead();
      this.start(head);
      await this.feed(head);
    }
    if (this.zstd) {
      try {
        this.zstd.push(EMPTY, true);
      } catch (err) {
        throw this.fail(zstdError(err), 'decompress');
      }
    } else if (this.gzip) {
      const { writer, reading } = this.gzip;
      try {
        await writer.close();
      } catch (err) {
        await reading.catch(() => undefined);
        throw this.error !== undefined ? this.error : this.fail(gzipError(err), 'decompress');
      }
      await reading;
    }
    this.check();
    try {
      this.tar.end();
      // the reader has checked that each member's data are all there, which is what validateLayer's
      // data-length check guards on a whole read: sizes are left out of the members it is given
      validateLayer(
        (function* (kept: Kept[]) {
          for (const k of kept) yield tarEntry(k);
        })(this.kept),
        this.options,
      );
    } catch (err) {
      throw this.fail(err, 'tar');
    }
    return { compression: this.compression!, diffID: this.hash.digest(), contentSize: this.contentSize, tarSize: this.tarSize };
  }

  /** Stops early (a cancelled pull); releases the decompressor. */
  async cancel(): Promise<void> {
    this.error ??= new LayerError('truncated', undefined, 'layer check cancelled');
    this.failedIn ??= 'decompress';
    if (this.gzip) {
      await this.gzip.writer.abort().catch(() => undefined);
      await this.gzip.reading.catch(() => undefined);
    }
  }

  private check(): void {
    if (this.error !== undefined) throw this.error;
  }

  private fail(err: unknown, where: 'decompress' | 'tar'): unknown {
    if (this.error === undefined) {
      this.error = err;
      this.failedIn = where;
    }
    return this.error;
  }

  private takeHead(): Uint8Array {
    const head = new Uint8Array(this.headLength);
    let pos = 0;
    for (const c of this.head) {
      head.set(c, pos);
      pos += c.length;
    }
    this.head = [];
    this.headLength = 0;
    return head;
  }

  private start(head: Uint8Array): void {
    this.compression = compressionOf(head);
    if (this.compression === 'zstd') {
      this.checkWindow(head);
      this.zstd = new Decompress((data) => this.tarData(data));
    } else if (this.compression === 'gzip') {
      const stream = new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>;
      const writer = stream.writable.getWriter();
      const reader = stream.readable.getReader();
      const reading = (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            this.tarData(value);
          }
        } catch (err) {
          this.fail(gzipError(err), 'decompress');
          await reader.cancel().catch(() => undefined);
        }
      })();
      this.gzip = { writer, reading };
    }
  }

  /**
   * The window the first zstd frame asks for (the decoder keeps that much): over `ZSTD_MAX_WINDOW`
   * is 'unsupported', as `unzstd` says for a frame without a content size. A single-segment frame's
   * window is its content size, refused past `maxSize`.
   */
  private checkWindow(head: Uint8Array): void {
    const flags = head[4];
    if (flags === undefined) return; // too short: the decoder says truncated
    let window: number;
    if (flags & 0x20) {
      const at = 5 + [0, 1, 2, 4][flags & 3]!;
      const fcsBytes = [1, 2, 4, 8][flags >> 6]!;
      if (head.length < at + fcsBytes) return;
      window = fcsBytes === 2 ? 256 : 0;
      for (let i = 0; i < fcsBytes; i++) window += head[at + i]! * 2 ** (8 * i);
      if (window <= this.maxSize) return;
      throw this.fail(
        new LayerError(
          'size-limit',
          undefined,
          `decompressed data exceeds the ${this.maxSize}-byte limit (the zstd frame declares ${window} bytes)`,
        ),
        'decompress',
      );
    }
    const wd = head[5];
    if (wd === undefined) return;
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
    if (window > ZSTD_MAX_WINDOW)
      throw this.fail(
        new LayerError(
          'unsupported',
          undefined,
          `zstd window of ${window / 2 ** 20} MiB is over the ${ZSTD_MAX_WINDOW / 2 ** 20} MiB limit (zstd's own default)`,
        ),
        'decompress',
      );
  }

  private async feed(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    if (this.zstd) {
      try {
        this.zstd.push(chunk);
      } catch (err) {
        throw this.fail(zstdError(err), 'decompress');
      }
    } else if (this.gzip) {
      try {
        await this.gzip.writer.write(chunk);
      } catch (err) {
        await this.gzip.reading.catch(() => undefined);
        throw this.error !== undefined ? this.error : this.fail(gzipError(err), 'decompress');
      }
      this.check();
    } else {
      try {
        this.tarData(chunk);
      } catch (err) {
        throw this.fail(err, 'tar');
      }
    }
  }

  /** One piece of the uncompressed tar. Throws (after recording it) on a tar or size failure. */
  private tarData(data: Uint8Array): void {
    if (this.error !== undefined) throw this.error;
    try {
      this.tarSize += data.length;
      if (this.tarSize > this.maxSize)
        throw this.fail(new LayerError('size-limit', undefined, `decompressed data exceeds the ${this.maxSize}-byte limit`), 'decompress');
      this.hash.update(data);
      for (const e of this.tar.push(data)) {
        if (e.type === 'file') this.contentSize += e.size;
        this.kept.push({ name: e.name, type: e.type, linkname: e.linkname, devmajor: e.devmajor, devminor: e.devminor });
      }
    } catch (err) {
      throw this.fail(err, 'tar');
    }
  }
}
