/**
 * One conformance suite for every `BlobStore` and `MetadataStore` implementation, in the spirit of
 * containerd's `core/content/testsuite`. Test-only: it imports vitest. Call
 * `describeBlobStoreConformance` / `describeMetadataStoreConformance` from an implementation's
 * `*.test.ts` with a factory that opens an empty store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Digest, sha256 } from './digest.ts';
import {
  CorruptBlobError,
  DigestMismatchError,
  InvalidDigestError,
  NotFoundError,
  SizeMismatchError,
  StoreError,
  StoreFullError,
} from './errors.ts';
import type { BlobStore, JsonValue, MetadataStore, StoreOptions } from './types.ts';

/** A freshly opened, empty store plus the hooks the suite needs to test persistence. */
export interface StoreHarness<S> {
  /** The store under test. */
  store: S;
  /** Closes the current store and opens the same storage again (persistent stores only). */
  reopen?: () => Promise<S>;
  /** Damages a committed blob's stored bytes behind the store's back (blob stores only). */
  corrupt?: (digest: Digest) => Promise<void>;
  /** Releases everything (connections, temp directories); called after each test. */
  cleanup?: () => Promise<void>;
}

/** Opens a new, empty store with the given options. */
export type MakeStore<S> = (options: StoreOptions) => Promise<StoreHarness<S>>;

/** Which capabilities an implementation lacks, each with the reason shown on the skipped tests. */
export interface ConformanceOptions {
  /** Set for non-persistent stores: reopen tests are skipped with this reason. */
  notPersistent?: string;
  /** Set when stored bytes cannot be damaged from outside: the corruption test is skipped. */
  cannotCorrupt?: string;
}

const encoder = new TextEncoder();
const bytesOf = (text: string): Uint8Array => encoder.encode(text);

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HELLO = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
const OTHER: Digest = `sha256:${'0'.repeat(64)}`;

function useHarness<S>(makeStore: MakeStore<S>): (options?: StoreOptions) => Promise<StoreHarness<S>> {
  const open: Array<StoreHarness<S>> = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.cleanup?.();
  });
  return async (options = {}) => {
    const h = await makeStore(options);
    open.push(h);
    return h;
  };
}

function reopenOf<S>(h: StoreHarness<S>): () => Promise<S> {
  const reopen = h.reopen;
  if (!reopen) throw new Error('harness has no reopen(): pass notPersistent with a reason instead');
  return reopen;
}

/** Registers the BlobStore conformance tests for one implementation. */
export function describeBlobStoreConformance(name: string, makeStore: MakeStore<BlobStore>, options: ConformanceOptions = {}): void {
  const itPersistent = (title: string, fn: () => Promise<void>): void => {
    if (options.notPersistent) it.skip(`${title} — skipped: ${options.notPersistent}`, fn);
    else it(title, fn);
  };

  describe(`BlobStore conformance: ${name}`, () => {
    const setup = useHarness(makeStore);

    it('puts and gets a blob addressed by its sha256', async () => {
      const { store } = await setup();
      const info = await store.put(bytesOf('hello'));
      expect(info).toEqual({ digest: HELLO, size: 5 });
      expect(await store.has(HELLO)).toBe(true);
      expect(await store.info(HELLO)).toEqual({ digest: HELLO, size: 5 });
      expect(new TextDecoder().decode(await store.get(HELLO))).toBe('hello');
      expect(await store.put(new Uint8Array(0), { digest: EMPTY, size: 0 })).toEqual({ digest: EMPTY, size: 0 });
      expect((await store.get(EMPTY)).length).toBe(0);
    });

    it('ingests through a writer: write chunks, then commit', async () => {
      const { store } = await setup();
      const w = await store.writer();
      await w.write(bytesOf('hel'));
      expect(w.size).toBe(3);
      await w.write(bytesOf(''));
      await w.write(bytesOf('lo'));
      expect(w.size).toBe(5);
      expect(w.digest()).toBe(HELLO);
      expect(await w.commit(HELLO)).toEqual({ digest: HELLO, size: 5 });
      expect(new TextDecoder().decode(await store.get(HELLO))).toBe('hello');
      await expect(w.write(bytesOf('x'))).rejects.toThrow(StoreError);
      await expect(w.commit()).rejects.toThrow(StoreError);
    });

    it('keeps nothing readable before commit', async () => {
      const { store } = await setup();
      const w = await store.writer({ digest: HELLO, size: 5 });
      await w.write(bytesOf('hello'));
      expect(await store.has(HELLO)).toBe(false);
      await expect(store.get(HELLO)).rejects.toThrow(NotFoundError);
      await expect(store.info(HELLO)).rejects.toThrow(NotFoundError);
      expect(await store.list()).toEqual([]);
      expect(await store.usage()).toBe(0);
      await w.commit();
      expect(await store.has(HELLO)).toBe(true);
    });

    it('rejects a commit with the wrong digest and makes nothing visible', async () => {
      const { store } = await setup();
      const w = await store.writer();
      await w.write(bytesOf('hello'));
      const err = await w.commit(OTHER).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DigestMismatchError);
      expect(err).toMatchObject({ expected: OTHER, actual: HELLO });
      expect(await store.has(HELLO)).toBe(false);
      expect(await store.has(OTHER)).toBe(false);
      expect(await store.list()).toEqual([]);
      expect(await store.usage()).toBe(0);
      await expect(w.commit()).rejects.toThrow(StoreError); // the failed commit finished the writer

      await expect(store.put(bytesOf('hello'), OTHER)).rejects.toThrow(DigestMismatchError);
      const w2 = await store.writer({ digest: OTHER });
      await w2.write(bytesOf('hello'));
      await expect(w2.commit()).rejects.toThrow(DigestMismatchError);
      expect(await store.list()).toEqual([]);
    });

    it('rejects the wrong size, at commit or as soon as a write passes it', async () => {
      const { store } = await setup();
      await expect(store.put(bytesOf('hello'), { size: 4 })).rejects.toThrow(SizeMismatchError);
      const w = await store.writer();
      await w.write(bytesOf('hello'));
      await expect(w.commit({ digest: HELLO, size: 6 })).rejects.toThrow(SizeMismatchError);
      const w2 = await store.writer({ size: 4 });
      await w2.write(bytesOf('hel'));
      const err = await w2.write(bytesOf('lo')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SizeMismatchError);
      expect(err).toMatchObject({ expected: 4, actual: 5 });
      await expect(w2.commit()).rejects.toThrow(StoreError);
      expect(await store.list()).toEqual([]);
    });

    it('abort discards everything written', async () => {
      const { store } = await setup();
      const w = await store.writer();
      await w.write(bytesOf('hello'));
      await w.abort();
      await w.abort();
      await expect(w.write(bytesOf('x'))).rejects.toThrow(StoreError);
      await expect(w.commit(HELLO)).rejects.toThrow(StoreError);
      expect(await store.has(HELLO)).toBe(false);
      expect(await store.list()).toEqual([]);
      expect(await store.usage()).toBe(0);
    });

    it('treats writing an existing blob as a no-op success', async () => {
      const { store } = await setup();
      await store.put(bytesOf('hello'));
      expect(await store.put(bytesOf('hello'), HELLO)).toEqual({ digest: HELLO, size: 5 });
      const w = await store.writer({ digest: HELLO });
      await w.write(bytesOf('hello'));
      expect(await w.commit()).toEqual({ digest: HELLO, size: 5 });
      expect(await store.list()).toEqual([{ digest: HELLO, size: 5 }]);
      expect(await store.usage()).toBe(5);
    });

    it('lets concurrent writers of the same blob all succeed, storing it once', async () => {
      const { store } = await setup();
      const data = randomBytes(300_000);
      const digest = await sha256(data);
      const writers = await Promise.all([store.writer(), store.writer({ digest }), store.writer({ size: data.length })]);
      for (let off = 0; off < data.length; off += 50_000) {
        for (const w of writers) await w.write(data.subarray(off, off + 50_000));
      }
      const infos = await Promise.all([
        ...writers.map((w) => w.commit(digest)),
        ...Array.from({ length: 5 }, () => store.put(data)),
        store.put(bytesOf('other')),
      ]);
      for (const info of infos.slice(0, 8)) expect(info).toEqual({ digest, size: data.length });
      expect((await store.list()).map((i) => i.digest).sort()).toEqual([digest, await sha256(bytesOf('other'))].sort());
      expect(await store.usage()).toBe(data.length + 5);
      expect(sameBytes(await store.get(digest), data)).toBe(true);
    });

    it('round-trips a large (8 MiB) blob', { timeout: 60_000 }, async () => {
      const { store } = await setup();
      const data = randomBytes(8 * 1024 * 1024);
      const digest = await sha256(data);
      const w = await store.writer({ size: data.length });
      for (let off = 0; off < data.length; off += 65_536) await w.write(data.subarray(off, off + 65_536));
      expect(w.digest()).toBe(digest);
      expect(await w.commit(digest)).toEqual({ digest, size: data.length });
      const back = await store.get(digest);
      expect(back.length).toBe(data.length);
      expect(sameBytes(back, data)).toBe(true);
      expect(await store.usage()).toBe(data.length);
    });

    it('reads ranges of a blob (written in pieces or put whole) as copies', { timeout: 60_000 }, async () => {
      const { store } = await setup();
      const MiB = 1024 * 1024;
      const data = randomBytes(3 * MiB + 123);
      const digest = await sha256(data);
      const w = await store.writer({ size: data.length });
      for (let off = 0; off < data.length; off += 100_003) await w.write(data.subarray(off, off + 100_003));
      await w.commit(digest);
      const whole = randomBytes(2.5 * MiB);
      const wholeInfo = await store.put(whole);
      const small = await store.put(bytesOf('hello'));
      for (const [blob, d] of [
        [data, digest],
        [whole, wholeInfo.digest],
      ] as const) {
        const n = blob.length;
        for (const [offset, length] of [
          [0, 10],
          [MiB - 7, 20],
          [MiB - 1, 2 * MiB + 2],
          [n - 5, 100],
          [0, n],
          [12_345, 1],
        ] as const) {
          const got = await store.read(d, offset, length);
          expect(sameBytes(got, blob.subarray(offset, Math.min(n, offset + length)))).toBe(true);
        }
        expect((await store.read(d, n, 10)).length).toBe(0);
        expect((await store.read(d, 3, 0)).length).toBe(0);
        await expect(store.read(d, n + 1, 1)).rejects.toThrow(RangeError);
        await expect(store.read(d, -1, 1)).rejects.toThrow(RangeError);
        await expect(store.read(d, 0, -1)).rejects.toThrow(RangeError);
      }
      const piece = await store.read(small.digest, 1, 3);
      expect(new TextDecoder().decode(piece)).toBe('ell');
      piece.fill(0);
      expect(new TextDecoder().decode(await store.read(small.digest, 0, 5))).toBe('hello');
      await expect(store.read(OTHER, 0, 1)).rejects.toThrow(NotFoundError);
      await expect(store.read('sha256:abc' as Digest, 0, 1)).rejects.toThrow(InvalidDigestError);
      expect(sameBytes(await store.get(digest), data)).toBe(true);
    });

    it('lists, measures and deletes blobs', async () => {
      const { store } = await setup();
      const infos = [];
      for (const text of ['a', 'bb', 'ccc']) infos.push(await store.put(bytesOf(text)));
      infos.sort((x, y) => (x.digest < y.digest ? -1 : 1));
      expect(await store.list()).toEqual(infos);
      expect(await store.usage()).toBe(6);
      const bb = infos.find((i) => i.size === 2)!;
      expect(await store.delete(bb.digest)).toBe(true);
      expect(await store.delete(bb.digest)).toBe(false);
      expect(await store.has(bb.digest)).toBe(false);
      await expect(store.get(bb.digest)).rejects.toThrow(NotFoundError);
      await expect(store.info(bb.digest)).rejects.toThrow(bb.digest);
      expect(await store.list()).toEqual(infos.filter((i) => i !== bb));
      expect(await store.usage()).toBe(4);
      expect(await store.put(bytesOf('bb'))).toEqual(bb);
      expect(await store.usage()).toBe(6);
    });

    it('hands out copies: mutating input or output never changes the store', async () => {
      const { store } = await setup();
      const input = bytesOf('hello');
      await store.put(input);
      input[0] = 0;
      const chunk = bytesOf('hello');
      const w = await store.writer();
      await w.write(chunk);
      chunk.fill(0);
      expect(await w.commit()).toEqual({ digest: HELLO, size: 5 });
      const out = await store.get(HELLO);
      out.fill(0);
      expect(new TextDecoder().decode(await store.get(HELLO))).toBe('hello');
    });

    it('rejects malformed digests', async () => {
      const { store } = await setup();
      for (const bad of ['sha256:abc', `sha256:${'A'.repeat(64)}`, `md5:${'0'.repeat(64)}`, 'sha256:../../../etc/passwd', '']) {
        const d = bad as Digest;
        await expect(store.get(d)).rejects.toThrow(InvalidDigestError);
        await expect(store.has(d)).rejects.toThrow(InvalidDigestError);
        await expect(store.info(d)).rejects.toThrow(InvalidDigestError);
        await expect(store.delete(d)).rejects.toThrow(InvalidDigestError);
        await expect(store.put(bytesOf('x'), d)).rejects.toThrow(InvalidDigestError);
      }
      await expect(store.get(HELLO)).rejects.toThrow(`blob ${HELLO}: not found`);
    });

    it('fails with StoreFullError past its quota and loses or changes nothing', async () => {
      const { store } = await setup({ quotaBytes: 1000 });
      const first = randomBytes(600);
      const firstInfo = await store.put(first);
      const second = randomBytes(500);
      const err = await store.put(second).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreFullError);
      expect(String((err as Error).message)).toMatch(/storage is full.*docker system prune/);
      const w = await store.writer();
      await w.write(second);
      await expect(w.commit()).rejects.toThrow(StoreFullError);
      expect(await store.has(await sha256(second))).toBe(false);
      expect(await store.list()).toEqual([firstInfo]);
      expect(await store.usage()).toBe(600);
      expect(sameBytes(await store.get(firstInfo.digest), first)).toBe(true);
      expect(await store.put(first)).toEqual(firstInfo); // existing content: still a no-op success
      expect(await store.put(randomBytes(400))).toMatchObject({ size: 400 }); // exactly full is fine
      expect(await store.delete(firstInfo.digest)).toBe(true); // deleting always works
      expect(await store.put(second)).toMatchObject({ size: 500 });
    });

    itPersistent('keeps committed blobs across a reopen, and nothing uncommitted', async () => {
      const h = await setup();
      await h.store.put(bytesOf('hello'));
      const big = randomBytes(100_000);
      const bigInfo = await h.store.put(big);
      const pending = await h.store.writer();
      await pending.write(bytesOf('never committed'));
      const aborted = await h.store.writer();
      await aborted.write(bytesOf('aborted'));
      await aborted.abort();
      const failed = await h.store.writer();
      await failed.write(bytesOf('bad digest'));
      await expect(failed.commit(OTHER)).rejects.toThrow(DigestMismatchError);
      const deleted = await h.store.put(bytesOf('deleted'));
      await h.store.delete(deleted.digest);

      const store = await reopenOf(h)();
      const expected = [{ digest: HELLO, size: 5 }, bigInfo].sort((a, b) => (a.digest < b.digest ? -1 : 1));
      expect(await store.list()).toEqual(expected);
      expect(await store.usage()).toBe(100_005);
      expect(sameBytes(await store.get(bigInfo.digest), big)).toBe(true);
      expect(await store.has(deleted.digest)).toBe(false);
      expect(await store.has(await sha256(bytesOf('never committed')))).toBe(false);
      expect(await store.has(await sha256(bytesOf('aborted')))).toBe(false);
      await pending.abort(); // release whatever the abandoned writer still holds
    });

    const corruptTitle = 'refuses to return a corrupted blob, naming its digest';
    if (options.cannotCorrupt) {
      it.skip(`${corruptTitle} — skipped: ${options.cannotCorrupt}`, () => {});
    } else {
      it(corruptTitle, async () => {
        const h = await setup();
        const info = await h.store.put(bytesOf('precious layer'));
        if (!h.corrupt) throw new Error('harness has no corrupt(): pass cannotCorrupt with a reason instead');
        await h.corrupt(info.digest);
        const err = await h.store.get(info.digest).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CorruptBlobError);
        expect(String((err as Error).message)).toContain(info.digest);
        expect(await h.store.delete(info.digest)).toBe(true);
        expect(await h.store.put(bytesOf('precious layer'))).toEqual(info);
        expect(new TextDecoder().decode(await h.store.get(info.digest))).toBe('precious layer');
      });
    }
  });
}

/** Registers the MetadataStore conformance tests for one implementation. */
export function describeMetadataStoreConformance(
  name: string,
  makeStore: MakeStore<MetadataStore>,
  options: ConformanceOptions = {},
): void {
  const itPersistent = (title: string, fn: () => Promise<void>): void => {
    if (options.notPersistent) it.skip(`${title} — skipped: ${options.notPersistent}`, fn);
    else it(title, fn);
  };
  const ALPINE: Digest = `sha256:${'a'.repeat(64)}`;
  const NGINX: Digest = `sha256:${'b'.repeat(64)}`;

  describe(`MetadataStore conformance: ${name}`, () => {
    const setup = useHarness(makeStore);

    it('puts, gets, lists and deletes records per collection', async () => {
      const { store } = await setup();
      expect(await store.get('references', 'alpine:3.20')).toBeUndefined();
      expect(await store.list('references')).toEqual([]);
      await store.put('references', 'nginx:latest', { digest: NGINX });
      await store.put('references', 'alpine:3.20', { digest: ALPINE });
      await store.put('containers', 'alpine:3.20', { state: 'created', exitCode: null, ports: [80, 443] });
      expect(await store.get('references', 'alpine:3.20')).toEqual({ digest: ALPINE });
      expect(await store.list('references')).toEqual([
        { key: 'alpine:3.20', value: { digest: ALPINE } },
        { key: 'nginx:latest', value: { digest: NGINX } },
      ]);
      await store.put('references', 'alpine:3.20', { digest: NGINX });
      expect(await store.get('references', 'alpine:3.20')).toEqual({ digest: NGINX });
      expect(await store.delete('references', 'alpine:3.20')).toBe(true);
      expect(await store.delete('references', 'alpine:3.20')).toBe(false);
      expect(await store.list('references')).toEqual([{ key: 'nginx:latest', value: { digest: NGINX } }]);
      expect(await store.get('containers', 'alpine:3.20')).toEqual({ state: 'created', exitCode: null, ports: [80, 443] });
    });

    it('stores any JSON value and sorts keys by code unit', async () => {
      const { store } = await setup();
      const values: JsonValue[] = ['text ✓ 😀', 0, -1.5, true, false, null, [], {}, [1, [2, { a: 'b' }]]];
      for (const [i, v] of values.entries()) await store.put('build-cache', `k${i}`, v);
      for (const [i, v] of values.entries()) expect(await store.get('build-cache', `k${i}`)).toEqual(v);
      for (const key of ['b', 'a', 'B', 'é', '10', '9', '__proto__']) await store.put('volumes', key, key);
      expect((await store.list('volumes')).map((e) => e.key)).toEqual(['10', '9', 'B', '__proto__', 'a', 'b', 'é']);
      await store.put('volumes', 'opt', { kept: 1, dropped: undefined });
      expect(await store.get('volumes', 'opt')).toEqual({ kept: 1 });
    });

    it('keeps copies: mutating what went in or came out changes nothing', async () => {
      const { store } = await setup();
      const record = { state: 'running', mounts: [{ volume: 'data', target: '/data' }] };
      await store.put('containers', 'web', record);
      record.state = 'exited';
      record.mounts[0]!.target = '/elsewhere';
      const got = await store.get<typeof record>('containers', 'web');
      got!.state = 'mutated';
      const [listed] = await store.list<typeof record>('containers');
      listed!.value.mounts.push({ volume: 'x', target: '/x' });
      expect(await store.get('containers', 'web')).toEqual({ state: 'running', mounts: [{ volume: 'data', target: '/data' }] });
    });

    it('rejects values that are not JSON, bad collection names and empty keys', async () => {
      const { store } = await setup();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const bad of [
        undefined,
        () => 1,
        Number.NaN,
        Infinity,
        1n,
        Symbol('s'),
        new Date(0),
        new Map(),
        cyclic,
        [undefined],
        { a: { b: Number.NaN } },
      ]) {
        await expect(store.put('containers', 'x', bad)).rejects.toThrow(TypeError);
      }
      await expect(store.put('containers', 'x', { a: { b: Number.NaN } })).rejects.toThrow('$.a.b');
      for (const bad of ['', 'Upper', '../x', 'a/b', '.hidden', 'x'.repeat(65)]) {
        await expect(store.put(bad, 'k', 1)).rejects.toThrow(TypeError);
        await expect(store.get(bad, 'k')).rejects.toThrow(TypeError);
        await expect(store.list(bad)).rejects.toThrow(TypeError);
      }
      await expect(store.put('containers', '', 1)).rejects.toThrow(TypeError);
      expect(await store.list('containers')).toEqual([]);
      expect(await store.usage()).toBe(0);
    });

    it('applies a transaction across collections atomically and returns its result', async () => {
      const { store } = await setup();
      await store.put('references', 'app:old', { digest: ALPINE });
      const result = await store.transaction(async (tx) => {
        tx.put('references', 'app:v2', { digest: NGINX });
        tx.delete('references', 'app:old');
        tx.put('containers', 'c1', { image: NGINX });
        tx.put('volumes', 'data', { created: 1 });
        expect(await tx.get('references', 'app:v2')).toEqual({ digest: NGINX });
        expect(await tx.get('references', 'app:old')).toBeUndefined();
        expect((await tx.list('references')).map((e) => e.key)).toEqual(['app:v2']);
        expect(await store.get('references', 'app:v2')).toBeUndefined(); // not visible before commit
        return 'done';
      });
      expect(result).toBe('done');
      expect(await store.list('references')).toEqual([{ key: 'app:v2', value: { digest: NGINX } }]);
      expect(await store.get('containers', 'c1')).toEqual({ image: NGINX });
      expect(await store.get('volumes', 'data')).toEqual({ created: 1 });
      const tx = await store.transaction((t) => t);
      expect(() => tx.put('volumes', 'late', 1)).toThrow(StoreError);
    });

    it('rolls a transaction back when its callback throws', async () => {
      const { store } = await setup();
      await store.put('references', 'keep:me', { digest: ALPINE });
      const boom = new Error('boom');
      await expect(
        store.transaction(async (tx) => {
          tx.put('references', 'new:one', { digest: NGINX });
          tx.delete('references', 'keep:me');
          tx.put('containers', 'c1', {});
          throw boom;
        }),
      ).rejects.toBe(boom);
      await expect(store.transaction((tx) => tx.put('containers', 'c2', { bad: Number.NaN }))).rejects.toThrow(TypeError);
      expect(await store.list('references')).toEqual([{ key: 'keep:me', value: { digest: ALPINE } }]);
      expect(await store.list('containers')).toEqual([]);
    });

    it('serializes concurrent read-modify-write transactions (no lost updates)', async () => {
      const { store } = await setup();
      await store.put('counters', 'n', 0);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.transaction(async (tx) => {
            const n = (await tx.get<number>('counters', 'n')) ?? 0;
            await Promise.resolve();
            tx.put('counters', 'n', n + 1);
            tx.put('log', `entry-${String(i).padStart(2, '0')}`, n);
          }),
        ),
      );
      expect(await store.get('counters', 'n')).toBe(20);
      const seen = (await store.list<number>('log')).map((e) => e.value).sort((a, b) => a - b);
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
      // a transaction that lists a collection sees a consistent snapshot too
      await Promise.all(
        ['x', 'y', 'z'].map((key) =>
          store.transaction(async (tx) => {
            const count = (await tx.list('sets')).length;
            tx.put('sets', key, count);
          }),
        ),
      );
      expect((await store.list<number>('sets')).map((e) => e.value).sort()).toEqual([0, 1, 2]);
    });

    it('measures usage and fails with StoreFullError past its quota, changing nothing', async () => {
      const { store } = await setup({ quotaBytes: 200 });
      await store.put('references', 'a:1', { digest: ALPINE }); // 10 + 3 + 84 = 97 bytes
      expect(await store.usage()).toBe(97);
      const err = await store
        .transaction((tx) => {
          tx.put('references', 'b:1', { digest: NGINX });
          tx.put('containers', 'c', { note: 'x'.repeat(100) });
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreFullError);
      expect(String((err as Error).message)).toMatch(/storage is full.*docker system prune/);
      await expect(store.put('references', 'a:1', { digest: ALPINE, more: 'x'.repeat(200) })).rejects.toThrow(StoreFullError);
      expect(await store.list('references')).toEqual([{ key: 'a:1', value: { digest: ALPINE } }]);
      expect(await store.list('containers')).toEqual([]);
      expect(await store.usage()).toBe(97);
      await store.put('references', 'b:1', { digest: NGINX }); // fits: 194 bytes
      expect(await store.usage()).toBe(194);
      expect(await store.delete('references', 'a:1')).toBe(true);
      expect(await store.usage()).toBe(97);
    });

    itPersistent('keeps committed records across a reopen, and nothing rolled back', async () => {
      const h = await setup();
      await h.store.put('references', 'alpine:3.20', { digest: ALPINE });
      await h.store.transaction((tx) => {
        tx.put('containers', 'web', { image: 'alpine:3.20', state: 'running' });
        tx.put('volumes', 'data', {});
        tx.put('references', 'nginx:1', { digest: NGINX });
      });
      await h.store.put('references', 'gone:1', { digest: NGINX });
      await h.store.delete('references', 'gone:1');
      await h.store
        .transaction((tx) => {
          tx.put('references', 'never:1', { digest: NGINX });
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      const usage = await h.store.usage();

      const store = await reopenOf(h)();
      expect(await store.list('references')).toEqual([
        { key: 'alpine:3.20', value: { digest: ALPINE } },
        { key: 'nginx:1', value: { digest: NGINX } },
      ]);
      expect(await store.get('containers', 'web')).toEqual({ image: 'alpine:3.20', state: 'running' });
      expect(await store.get('volumes', 'data')).toEqual({});
      expect(await store.usage()).toBe(usage);
      await store.put('references', 'after:reopen', { digest: ALPINE });
      expect((await store.list('references')).length).toBe(3);
    });
  });
}
