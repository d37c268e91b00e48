/**
 * Shared machinery for `MetadataStore` implementations: name/key/JSON validation, record sizes,
 * and optimistic (read-validated) transactions. A backend supplies raw reads of JSON text and an
 * atomic `commit(changes)` that re-checks what the transaction read; everything else is here.
 */
import { StoreFullError, StoreError, TransactionConflictError } from './errors.ts';
import type { JsonValue, MetadataEntry, MetadataStore, MetadataTransaction } from './types.ts';

const COLLECTION_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Throws `TypeError` unless `name` is a valid collection name (`[a-z0-9][a-z0-9._-]{0,63}`). */
export function checkCollection(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !COLLECTION_RE.test(name)) {
    throw new TypeError(`invalid collection name ${JSON.stringify(String(name))}: use [a-z0-9][a-z0-9._-]{0,63}`);
  }
}

/** Throws `TypeError` unless `key` is a non-empty string. */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new TypeError(`invalid record key ${JSON.stringify(String(key))}: keys are non-empty strings`);
  }
}

function describeValue(v: unknown): string {
  if (typeof v === 'object' && v !== null) return `a ${v.constructor?.name ?? 'null-prototype object'}`;
  return typeof v === 'number' ? String(v) : typeof v;
}

function checkJson(value: unknown, path: string, stack: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(value)) return;
      break;
    case 'object': {
      if (value === null) return;
      if (stack.has(value)) throw new TypeError(`value is not JSON: ${path} is a circular reference`);
      stack.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) throw new TypeError(`value is not JSON: ${path}[${i}] is undefined`);
          checkJson(item, `${path}[${i}]`, stack);
        }
      } else {
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) break;
        for (const [k, v] of Object.entries(value)) {
          if (v !== undefined) checkJson(v, `${path}.${k}`, stack);
        }
      }
      stack.delete(value);
      return;
    }
    default:
      break;
  }
  throw new TypeError(`value is not JSON: ${path} is ${describeValue(value)}`);
}

/** Validates that `value` is plain JSON (throws `TypeError` naming the bad path) and serialises it. */
export function encodeJson(value: unknown): string {
  checkJson(value, '$', new Set());
  return JSON.stringify(value);
}

/** Parses JSON text written by `encodeJson` into a fresh value. */
export function decodeJson<T = JsonValue>(text: string): T {
  return JSON.parse(text) as T;
}

/** Length of a string in UTF-8 bytes. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The bytes a record counts against usage and quota: UTF-8 of collection, key and JSON text. */
export function recordSize(collection: string, key: string, text: string): number {
  return utf8Length(collection) + utf8Length(key) + utf8Length(text);
}

/** Throws `StoreFullError` if growing from `before` to `after` bytes would pass the quota. */
export function checkMetadataQuota(quotaBytes: number | undefined, before: number, after: number): void {
  if (quotaBytes !== undefined && after > quotaBytes && after > before) {
    throw new StoreFullError(`metadata would use ${after} bytes of a ${quotaBytes}-byte quota`);
  }
}

/** A record a transaction read, with the JSON text it saw (`undefined`: absent). */
export interface TxRead {
  /** Collection name. */
  collection: string;
  /** Record key. */
  key: string;
  /** Text seen, or `undefined` if the record did not exist. */
  text: string | undefined;
}

/** A buffered write (`text` undefined: delete). */
export interface TxWrite {
  /** Collection name. */
  collection: string;
  /** Record key. */
  key: string;
  /** New JSON text, or `undefined` to delete. */
  text: string | undefined;
}

/** Everything a backend's `commit` must validate and apply in one atomic step. */
export interface TxChanges {
  /** Records read; commit must fail (return false) if any now has different text. */
  reads: TxRead[];
  /** Collections listed, with `fingerprint()` of what was seen; must still match. */
  lists: Array<{ collection: string; fingerprint: string }>;
  /** Writes to apply, at most one per record. */
  writes: TxWrite[];
}

/** A canonical string for a sorted list of `[key, text]` pairs, used to detect changed collections. */
export function fingerprint(entries: ReadonlyArray<readonly [string, string]>): string {
  return JSON.stringify(entries);
}

/** Sorts `[key, …]` pairs by key in UTF-16 code unit order (the order IndexedDB uses). */
export function sortByKey<E extends readonly [string, ...unknown[]]>(entries: E[]): E[] {
  return entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const MAX_ATTEMPTS = 32;

class Transaction implements MetadataTransaction {
  readonly reads = new Map<string, TxRead>();
  readonly lists = new Map<string, string>();
  readonly writes = new Map<string, TxWrite>();
  finished = false;

  constructor(private readonly store: TransactionalMetadataStore) {}

  private check(collection: string, key?: string): void {
    if (this.finished) throw new StoreError('metadata transaction already finished: use tx only inside its callback');
    checkCollection(collection);
    if (key !== undefined) checkKey(key);
  }

  async get<T = JsonValue>(collection: string, key: string): Promise<T | undefined> {
    this.check(collection, key);
    const id = `${collection}\0${key}`;
    const written = this.writes.get(id);
    if (written) return written.text === undefined ? undefined : decodeJson<T>(written.text);
    const text = await this.store.readText(collection, key);
    if (!this.reads.has(id)) this.reads.set(id, { collection, key, text });
    return text === undefined ? undefined : decodeJson<T>(text);
  }

  async list<T = JsonValue>(collection: string): Promise<Array<MetadataEntry<T>>> {
    this.check(collection);
    const base = await this.store.listText(collection);
    if (!this.lists.has(collection)) this.lists.set(collection, fingerprint(base));
    const merged = new Map(base);
    for (const w of this.writes.values()) {
      if (w.collection !== collection) continue;
      if (w.text === undefined) merged.delete(w.key);
      else merged.set(w.key, w.text);
    }
    return sortByKey([...merged]).map(([key, text]) => ({ key, value: decodeJson<T>(text) }));
  }

  put(collection: string, key: string, value: unknown): void {
    this.check(collection, key);
    if (value === undefined) throw new TypeError('value is not JSON: $ is undefined (use delete)');
    this.writes.set(`${collection}\0${key}`, { collection, key, text: encodeJson(value) });
  }

  delete(collection: string, key: string): void {
    this.check(collection, key);
    this.writes.set(`${collection}\0${key}`, { collection, key, text: undefined });
  }
}

/**
 * A complete `MetadataStore` built on four backend primitives. `commitChanges` must, atomically,
 * check every read and list still matches (else change nothing and return `false`), check the quota
 * (`checkMetadataQuota`), and apply the writes.
 */
export abstract class TransactionalMetadataStore implements MetadataStore {
  /** Current JSON text of a record, or `undefined`. */
  abstract readText(collection: string, key: string): Promise<string | undefined>;
  /** Current `[key, text]` pairs of a collection, sorted by key. */
  abstract listText(collection: string): Promise<Array<[string, string]>>;
  /** Validates reads and applies writes atomically; `false` on a read conflict. */
  protected abstract commitChanges(changes: TxChanges): Promise<boolean>;
  /** Total record bytes (see `recordSize`). */
  abstract usage(): Promise<number>;

  /** A fresh copy of the record, or `undefined`. */
  async get<T = JsonValue>(collection: string, key: string): Promise<T | undefined> {
    checkCollection(collection);
    checkKey(key);
    const text = await this.readText(collection, key);
    return text === undefined ? undefined : decodeJson<T>(text);
  }

  /** All records of a collection, sorted by key. */
  async list<T = JsonValue>(collection: string): Promise<Array<MetadataEntry<T>>> {
    checkCollection(collection);
    const entries = await this.listText(collection);
    return entries.map(([key, text]) => ({ key, value: decodeJson<T>(text) }));
  }

  /** Creates or replaces one record atomically. */
  async put(collection: string, key: string, value: unknown): Promise<void> {
    await this.transaction((tx) => tx.put(collection, key, value));
  }

  /** Removes one record; `true` if it existed. */
  async delete(collection: string, key: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      const existed = (await tx.get(collection, key)) !== undefined;
      if (existed) tx.delete(collection, key);
      return existed;
    });
  }

  /** Runs `fn` and applies its writes atomically, re-running it on conflicts. */
  async transaction<R>(fn: (tx: MetadataTransaction) => Promise<R> | R): Promise<R> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const tx = new Transaction(this);
      let result: R;
      try {
        result = await fn(tx);
      } finally {
        tx.finished = true;
      }
      if (tx.writes.size === 0) return result;
      const ok = await this.commitChanges({
        reads: [...tx.reads.values()],
        lists: [...tx.lists].map(([collection, fp]) => ({ collection, fingerprint: fp })),
        writes: [...tx.writes.values()],
      });
      if (ok) return result;
    }
    throw new TransactionConflictError(MAX_ATTEMPTS);
  }
}
