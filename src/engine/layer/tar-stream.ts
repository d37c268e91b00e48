/**
 * A streaming tar reader: the members' headers of an uncompressed tar pushed in pieces of any size,
 * with each member's data counted and skipped, never kept. It reads what `iterateTar` reads (ustar,
 * PAX `x`/`g` records, GNU `L`/`K` long names, base-256 numbers) with the same limits and the same
 * LayerErrors, and yields the same `TarEntry` values except `data`, which is always empty (the
 * reader has checked that every byte of it is there). Memory: one 512-byte header block, plus one
 * PAX or GNU long-name payload (at most `maxMetaSize`) while it is read.
 *
 * `LayerStreamVerifier` (`layer-stream-verify.ts`) builds on it for a registry pull.
 *
 * The header parsing is `tar-header.ts`, shared with `tar.ts`; `tar-stream.test.ts` compares the
 * two readers on every archive of the tar tests.
 */
import { LayerError } from './errors.ts';
import {
  BLOCK,
  TYPE_BY_FLAG,
  XATTR_PREFIX,
  ascii,
  cString,
  decodeMember,
  isZeroBlock,
  lossyUtf8,
  parseNumeric,
  parsePax,
  verifyChecksum,
} from './tar-header.ts';
import { DEFAULT_MAX_ENTRY_SIZE, DEFAULT_MAX_META_SIZE, DEFAULT_MAX_TOTAL_SIZE, type TarEntry, type TarReadOptions } from './tar.ts';

const EMPTY = new Uint8Array(0);

/**
 * Reads a tar pushed in pieces: `push()` returns the members whose header it completed (data
 * empty), `end()` says the archive is over (throws 'truncated' if it stopped early). After the
 * end-of-archive block (one zero block, as `iterateTar`) the rest is ignored. After a throw the
 * reader is unusable.
 */
export class TarHeaderReader {
  private readonly maxEntry: number;
  private readonly maxTotal: number;
  private readonly maxMeta: number;
  private readonly block = new Uint8Array(BLOCK);
  private filled = 0;
  /** Offset of the next unread byte of the archive. */
  private offset = 0;
  /** Offset of the header block being filled. */
  private headerOffset = 0;
  private total = 0;
  private state: 'header' | 'meta' | 'data' | 'skip' | 'done' = 'header';
  /** Bytes left of the member data (state 'data') or of padding / payload padding (state 'skip'). */
  private remaining = 0;
  /** Padding after the member data, skipped after 'data'. */
  private padding = 0;
  private meta: { flag: string; label: string; payload: Uint8Array; filled: number } | undefined;
  private globalPax = new Map<string, Uint8Array>();
  private localPax: Map<string, Uint8Array> | undefined;
  private longName: Uint8Array | undefined;
  private longLink: Uint8Array | undefined;
  private lastName: string | undefined;
  /** The member whose data are being skipped. */
  private current: { name: string; size: number; start: number } | undefined;

  constructor(options: TarReadOptions = {}) {
    this.maxEntry = options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE;
    this.maxTotal = options.maxTotalSize ?? DEFAULT_MAX_TOTAL_SIZE;
    this.maxMeta = options.maxMetaSize ?? DEFAULT_MAX_META_SIZE;
  }

  /** Whether the end-of-archive block has been read. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Bytes of the archive pushed so far. */
  get length(): number {
    return this.offset;
  }

  /** Feeds the next piece of the archive; returns the members whose headers it completed. */
  push(chunk: Uint8Array): TarEntry[] {
    const out: TarEntry[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.state) {
        case 'done':
          this.offset += chunk.length - pos;
          return out;
        case 'header': {
          const take = Math.min(BLOCK - this.filled, chunk.length - pos);
          this.block.set(chunk.subarray(pos, pos + take), this.filled);
          this.filled += take;
          pos += take;
          this.offset += take;
          if (this.filled === BLOCK) {
            this.filled = 0;
            const entry = this.header();
            if (entry) out.push(entry);
          }
          break;
        }
        case 'meta': {
          const meta = this.meta!;
          const take = Math.min(meta.payload.length - meta.filled, chunk.length - pos);
          meta.payload.set(chunk.subarray(pos, pos + take), meta.filled);
          meta.filled += take;
          pos += take;
          this.offset += take;
          if (meta.filled === meta.payload.length) this.finishMeta();
          break;
        }
        case 'data':
        case 'skip': {
          const take = Math.min(this.remaining, chunk.length - pos);
          pos += take;
          this.offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.afterSkip();
          break;
        }
      }
    }
    return out;
  }

  /** The archive is over: throws 'truncated' (as `iterateTar` would) unless the end-of-archive block was read. */
  end(): void {
    if (this.state === 'done') return;
    const total = this.offset;
    if (this.state === 'meta') throw new LayerError('truncated', this.meta!.label, 'extended header data is cut off');
    if (this.state === 'data') {
      const c = this.current!;
      throw new LayerError('truncated', c.name, `member data needs ${c.size} bytes but only ${Math.max(0, total - c.start)} remain`);
    }
    const label = this.pendingLabel() ?? this.lastName;
    if (this.state === 'skip' || this.filled === 0) {
      const off = this.state === 'skip' ? total + this.remaining : total;
      throw new LayerError('truncated', label, `archive ends without an end-of-archive marker (offset ${off} of ${total})`);
    }
    throw new LayerError('truncated', label, `archive ends inside a header block (offset ${this.headerOffset} of ${total})`);
  }

  private pendingLabel(): string | undefined {
    return this.localPax?.has('path')
      ? lossyUtf8.decode(this.localPax.get('path'))
      : this.longName
        ? lossyUtf8.decode(this.longName)
        : undefined;
  }

  private afterSkip(): void {
    if (this.state === 'data' && this.padding > 0) {
      this.state = 'skip';
      this.remaining = this.padding;
      this.padding = 0;
      return;
    }
    this.state = 'header';
    this.headerOffset = this.offset;
  }

  private finishMeta(): void {
    const { flag, label, payload } = this.meta!;
    this.meta = undefined;
    if (flag === 'L' || flag === 'K') {
      const nul = payload.indexOf(0);
      const value = nul < 0 ? payload : payload.subarray(0, nul);
      if (flag === 'L') this.longName = value;
      else this.longLink = value;
    } else if (flag === 'g') {
      this.globalPax = new Map([...this.globalPax, ...parsePax(payload, label)]);
    } else {
      this.localPax = new Map([...(this.localPax ?? []), ...parsePax(payload, label)]);
    }
    const pad = Math.ceil(payload.length / BLOCK) * BLOCK - payload.length;
    this.state = pad > 0 ? 'skip' : 'header';
    this.remaining = pad;
    if (pad === 0) this.headerOffset = this.offset;
  }

  /** Handles a complete header block at `headerOffset`; returns the member it completes, if any. */
  private header(): TarEntry | undefined {
    const block = this.block;
    const off = this.headerOffset;
    const pendingLabel = this.pendingLabel();
    if (isZeroBlock(block)) {
      if (this.localPax || this.longName || this.longLink) {
        throw new LayerError('truncated', pendingLabel, 'extended header is not followed by a member');
      }
      this.state = 'done';
      return undefined;
    }

    const flag = String.fromCharCode(block[156] ?? 0);
    const magic = ascii(block.subarray(257, 263));
    const version = ascii(block.subarray(263, 265));
    const posix = magic === 'ustar\0';
    const gnu = magic === 'ustar ' && version === ' \0';
    const rawName = cString(block, 0, 100);
    const prefix = posix ? cString(block, 345, 155) : EMPTY;
    const headerLabel = prefix.length > 0 ? `${lossyUtf8.decode(prefix)}/${lossyUtf8.decode(rawName)}` : lossyUtf8.decode(rawName);
    const label = pendingLabel ?? headerLabel;

    verifyChecksum(block, label, off);
    const headerSize = parseNumeric(block, 124, 12, 'size', label);

    // Metadata members describe the member that follows.
    if (flag === 'x' || flag === 'X' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (headerSize > this.maxMeta) {
        throw new LayerError('size-limit', label, `extended header of ${headerSize} bytes exceeds the ${this.maxMeta}-byte limit`);
      }
      this.meta = { flag, label, payload: new Uint8Array(headerSize), filled: 0 };
      this.state = 'meta';
      if (headerSize === 0) this.finishMeta();
      return undefined;
    }

    const type = TYPE_BY_FLAG[flag];
    if (type === undefined) {
      const what =
        flag === 'S'
          ? 'GNU sparse file'
          : flag === 'V'
            ? 'volume label'
            : flag === 'M'
              ? 'multi-volume continuation'
              : flag === 'D'
                ? 'GNU dump directory'
                : `type flag ${JSON.stringify(flag)}`;
      throw new LayerError('unsupported', label, `unsupported tar member: ${what}`);
    }

    const pax = new Map([...this.globalPax, ...(this.localPax ?? [])]);
    for (const [key, value] of pax) {
      if (value.length === 0 && !key.startsWith(XATTR_PREFIX)) pax.delete(key);
    }
    for (const key of pax.keys()) {
      if (key.startsWith('GNU.sparse.')) throw new LayerError('unsupported', label, 'unsupported tar member: GNU sparse file (PAX)');
    }

    const { entry, size } = decodeMember({
      block,
      flag,
      type,
      posix,
      gnu,
      rawName,
      prefix,
      headerSize,
      label,
      pax,
      longName: this.longName,
      longLink: this.longLink,
    });
    const { name } = entry;

    if (size > this.maxEntry) {
      throw new LayerError('size-limit', name, `member size ${size} exceeds the ${this.maxEntry}-byte limit`);
    }
    if (entry.type !== 'file' && size !== 0) {
      throw new LayerError('size-mismatch', name, `${entry.type} member declares ${size} bytes of data`);
    }
    this.total += size;
    if (this.total > this.maxTotal) {
      throw new LayerError('size-limit', name, `archive data exceeds the ${this.maxTotal}-byte total limit`);
    }
    entry.size = size;
    this.current = { name, size, start: this.offset };
    this.localPax = undefined;
    this.longName = undefined;
    this.longLink = undefined;
    this.lastName = name;
    this.remaining = size;
    this.padding = Math.ceil(size / BLOCK) * BLOCK - size;
    if (size > 0) this.state = 'data';
    else if (this.padding > 0) this.state = 'skip';
    else {
      this.state = 'header';
      this.headerOffset = this.offset;
    }
    return entry;
  }
}
