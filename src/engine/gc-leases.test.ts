/**
 * Garbage collection raced against each writer (containerd's leases): while a pull, a build or a
 * load has stored some blobs and not yet the records that refer to them, a collection (a
 * `docker rm` or a prune in another terminal) deletes none of them, and the image comes out whole.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScriptedGuest } from '../../tests/fixtures/scripted-guest.ts';
import type { BuildContext } from './api.ts';
import { Engine } from './engine.ts';
import { staticImageSource } from './images/source.ts';
import type { Digest } from './store/digest.ts';
import { MemoryBlobStore, MemoryMetadataStore } from './store/index.ts';
import type { BlobInfo, ExpectedBlob } from './store/types.ts';

const IMAGES = new URL('../../public/images/', import.meta.url);
const enc = new TextEncoder();

/** A blob store that, once armed, holds the next write until released (a writer caught mid-way). */
class GatedBlobStore extends MemoryBlobStore {
  private armed = false;
  private release?: () => void;
  /** Resolves when a write is being held. */
  held!: Promise<void>;
  private onHeld?: () => void;

  arm(): void {
    this.armed = true;
    this.held = new Promise((r) => (this.onHeld = r));
  }
  open(): void {
    this.release?.();
  }
  override async put(bytes: Uint8Array, expected?: Digest | ExpectedBlob): Promise<BlobInfo> {
    if (this.armed && (await this.list()).length > 0) {
      this.armed = false;
      await new Promise<void>((r) => {
        this.release = r;
        this.onHeld?.();
      });
    }
    return super.put(bytes, expected);
  }
}

function setup() {
  const blobs = new GatedBlobStore();
  const meta = new MemoryMetadataStore();
  const source = staticImageSource(async (path) => new Uint8Array(readFileSync(new URL(path, IMAGES))));
  const engine = new Engine({
    blobs,
    meta,
    source,
    getGuest: async () => new ScriptedGuest(),
    now: () => new Date('2026-03-01T12:00:00Z'),
  });
  return { engine, blobs };
}

/** Starts `write`, catches it after its first blob, collects, then lets it finish; nothing it wrote may go. */
async function raceGc(engine: Engine, blobs: GatedBlobStore, write: () => Promise<unknown>): Promise<void> {
  blobs.arm();
  const done = write();
  await blobs.held;
  const before = (await blobs.list()).map((b) => b.digest);
  expect(before.length).toBeGreaterThan(0);
  expect(await engine.gc()).toBe(0);
  for (const d of before) expect(await blobs.has(d as Digest), `blob ${d} survived the collection`).toBe(true);
  blobs.open();
  await done;
  await engine.leases.idle();
  // the deferred collection ran after the writer: it finds nothing more to delete
  expect(await engine.gc()).toBe(0);
}

/** Every blob an image's records name is stored. */
async function whole(engine: Engine, blobs: MemoryBlobStore, ref: string): Promise<void> {
  const inspect = await engine.images.inspect(ref);
  const digests = new Set<string>((await blobs.list()).map((b) => b.digest));
  expect(digests.has(inspect.Id)).toBe(true);
  for (const l of inspect.LayerDetails ?? []) expect(digests.has(l.digest), `layer ${l.digest}`).toBe(true);
}

const context = (dockerfile: string): BuildContext =>
  new Map([
    ['Dockerfile', { data: enc.encode(dockerfile) }],
    ['a.txt', { data: enc.encode('a\n') }],
    ['b.txt', { data: enc.encode('b\n') }],
  ]);

describe('garbage collection and writers', () => {
  it('a pull keeps its blobs from a collection that runs in the middle', async () => {
    const { engine, blobs } = setup();
    await raceGc(engine, blobs, () => engine.images.pull('busybox'));
    await whole(engine, blobs, 'busybox');
  });

  it('a build keeps its layers from a collection that runs in the middle', async () => {
    const { engine, blobs } = setup();
    await raceGc(engine, blobs, () => engine.build({ context: context('FROM scratch\nCOPY a.txt /\nCOPY b.txt /\n'), tags: ['app'] }));
    await whole(engine, blobs, 'app');
    expect((await engine.images.inspect('app')).RootFS.Layers).toHaveLength(2);
  });

  it('a load keeps its blobs from a collection that runs in the middle', async () => {
    const first = setup();
    await first.engine.build({ context: context('FROM scratch\nCOPY a.txt /\nCOPY b.txt /\n'), tags: ['app'] });
    const archive = await first.engine.images.save(['app']);
    const { engine, blobs } = setup();
    await raceGc(engine, blobs, () => engine.images.load(archive));
    await whole(engine, blobs, 'app');
  });

  it('a collection asked for during a write runs once the write ends', async () => {
    const { engine, blobs } = setup();
    await engine.build({ context: context('FROM scratch\nCOPY a.txt /\n'), tags: ['old'] });
    await engine.images.remove('old');
    await blobs.put(enc.encode('an orphan blob'));
    blobs.arm();
    const pulling = engine.images.pull('busybox');
    await blobs.held;
    expect(await engine.gc()).toBe(0);
    expect((await blobs.list()).some((b) => b.size === 14)).toBe(true);
    blobs.open();
    await pulling;
    await engine.leases.idle();
    await new Promise((r) => setTimeout(r, 10));
    expect((await blobs.list()).some((b) => b.size === 14)).toBe(false);
  });
});

describe('a writer that stops half-way', () => {
  it('a pull cancelled after its first blob leaves no image, and the same pull then works', async () => {
    const { engine, blobs } = setup();
    const controller = new AbortController();
    blobs.arm();
    const pulling = engine.images.pull('python:3.11-slim', undefined, controller.signal);
    await blobs.held;
    controller.abort();
    blobs.open();
    await expect(pulling).rejects.toThrow();
    expect((await engine.images.list()).map((i) => i.repoTags)).toEqual([]);
    await expect(engine.images.inspect('python:3.11-slim')).rejects.toThrow('No such image');
    await engine.images.pull('python:3.11-slim');
    await whole(engine, blobs, 'python:3.11-slim');
  });

  it('a pull whose source fails half-way leaves no image', async () => {
    const blobs = new MemoryBlobStore();
    let served = 0;
    const source = staticImageSource(async (path) => {
      // the index and manifest come; the second blob never does
      if (path.includes('/blobs/') && ++served > 2) throw new Error('network gone');
      return new Uint8Array(readFileSync(new URL(path, IMAGES)));
    });
    const engine = new Engine({ blobs, meta: new MemoryMetadataStore(), source, getGuest: async () => new ScriptedGuest() });
    await expect(engine.images.pull('python:3.11-slim')).rejects.toThrow('network gone');
    expect(await engine.images.list()).toEqual([]);
  });
});
