/**
 * Compose files as plain data: each YAML document read (anchors, aliases and `<<` merge keys
 * resolved, `!reset` and `!override` noted) into `RawMap`s that remember the file and line of every
 * value, then merged in order with Compose's override rules (`command` replaced, `environment` and
 * `labels` merged by key, `ports` and `volumes` appended and de-duplicated, `networks` and
 * `depends_on` merged as mappings).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, type Node } from 'yaml';
import { ComposeFileError } from './model.ts';
import { parseVolumeSpec } from './units.ts';

/** A YAML value as plain data. */
export type RawValue = string | number | boolean | null | RawValue[] | RawMap;
/** A YAML mapping as plain data. */
export interface RawMap {
  [key: string]: RawValue;
}
/** Where a value is written: file, 1-based line and column. */
export interface Where {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/** For each mapping or list read from a file: where each of its entries (a key, or an item) is written. */
const POSITIONS = new WeakMap<object, Map<string, Where>>();

/** Where the entry `key` of `container` is written (a mapping's key, a list's item), when it came from a file. */
export function whereOf(container: object, key: string | number): Where | undefined {
  return POSITIONS.get(container)?.get(String(key));
}

/** Records where the entry `key` of `container` is written. */
export function setWhere(container: object, key: string | number, where: Where | undefined): void {
  if (!where) return;
  let map = POSITIONS.get(container);
  if (!map) POSITIONS.set(container, (map = new Map()));
  map.set(String(key), where);
}

/** A ComposeFileError placed at the entry `key` of `container` (when that entry came from a file). */
export function errorAt(message: string, container?: object, key?: string | number): ComposeFileError {
  return new ComposeFileError(message, container && key !== undefined ? whereOf(container, key) : undefined);
}

/** `services.web: "gpus" is not supported in LayerLab: why` (at the entry `key` of `container`). */
export function notSupported(at: string, what: string, why: string, container?: object, key?: string | number): ComposeFileError {
  return errorAt(`${at ? `${at}: ` : ''}${what} is not supported in LayerLab: ${why}`, container, key);
}

/** True for a mapping (not a list, not null). */
export function isRawMap(value: RawValue | undefined): value is RawMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A mapping without a prototype, so that keys such as `__proto__` are plain keys. */
export function newRawMap(): RawMap {
  return Object.create(null) as RawMap;
}

/** One YAML document of a compose file. */
export interface ParsedDocument {
  readonly file: string;
  readonly value: RawMap;
  /** Paths tagged `!reset` or `!override`: what the files before have there is dropped before this document merges. */
  readonly resets: readonly (readonly string[])[];
}

/** go-yaml's words for the errors of the `yaml` library that Compose users meet most. */
const GO_YAML_WORDING: Readonly<Record<string, string>> = {
  BLOCK_AS_IMPLICIT_KEY: 'mapping values are not allowed in this context',
  MULTILINE_IMPLICIT_KEY: "could not find expected ':'",
  TAB_AS_INDENT: 'found character that cannot start any token',
  BAD_INDENT: 'did not find expected key',
};

const RESET = Symbol('reset');
const MAX_NODES = 1_000_000;

/** Reads the documents of one compose file (a file with nothing but comments has none). */
export function parseComposeFile(file: string, text: string): ParsedDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const where = (node: Node | null | undefined): Where | undefined => {
    if (!node?.range) return undefined;
    const { line, col } = lines.linePos(node.range[0]);
    return { file, line, column: col };
  };
  const fail = (message: string, at: Where | undefined): never => {
    throw new ComposeFileError(`failed to parse ${file}: yaml: ${at ? `line ${at.line}: ` : ''}${message}`, at);
  };
  const out: ParsedDocument[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    const error = doc.errors[0];
    if (error) {
      const pos = lines.linePos(error.pos[0]);
      const at = { file, line: pos.line, column: pos.col };
      fail(GO_YAML_WORDING[error.code] ?? error.message.replace(/ at line \d+, column \d+[\s\S]*$/, ''), at);
    }
    if (doc.contents === null) continue;
    let budget = MAX_NODES;
    const resets: string[][] = [];
    const convert = (node: unknown, path: string[]): RawValue | typeof RESET => {
      if (--budget < 0) fail('document contains excessive aliasing', undefined);
      if (isAlias(node)) {
        const target = node.resolve(doc);
        if (!target) fail(`unknown anchor '${node.source}' referenced`, where(node));
        return convert(target, path);
      }
      const tag = (node as Node | null)?.tag;
      if (tag === '!reset') {
        resets.push(path);
        return RESET;
      }
      if (tag === '!override') resets.push(path);
      if (isScalar(node)) {
        const v = node.value;
        if (typeof v === 'bigint') return Number(v);
        if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
        return String(v);
      }
      if (isSeq(node)) {
        const list: RawValue[] = [];
        for (const item of node.items) {
          const value = convert(item, [...path, String(list.length)]);
          if (value === RESET) continue;
          setWhere(list, list.length, where(item as Node));
          list.push(value);
        }
        return list;
      }
      if (isMap(node)) {
        const map = newRawMap();
        const seen = new Map<string, number>();
        const merges: unknown[] = [];
        for (const pair of node.items) {
          const keyNode = pair.key;
          const at = where(keyNode as Node) ?? where(pair.value as Node);
          if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === Scalar.PLAIN) {
            merges.push(pair.value);
            continue;
          }
          const key = isScalar(keyNode) ? keyNode.value : keyNode;
          if (typeof key !== 'string') {
            const shown = isScalar(keyNode) ? String(key) : 'mapping';
            throw new ComposeFileError(`non-string key ${path.length ? `in ${path.join('.')}` : 'at top level'}: ${shown}`, at);
          }
          const line = at?.line ?? 0;
          if (seen.has(key)) fail(`mapping key ${JSON.stringify(key)} already defined at line ${seen.get(key)}`, at);
          seen.set(key, line);
          const value = convert(pair.value ?? null, [...path, key]);
          if (value === RESET) continue;
          map[key] = value;
          setWhere(map, key, at);
        }
        // `<<: *base` (or a list of them): keys written here win, then the first source that has one
        for (const merge of merges) {
          const sources = isSeq(merge) ? merge.items : [merge];
          for (const source of sources) {
            const value = convert(source, path);
            if (!isRawMap(value as RawValue)) fail('map merge requires map or sequence of maps as the value', where(source as Node));
            for (const [k, v] of Object.entries(value as RawMap)) {
              if (k in map) continue;
              map[k] = v;
              setWhere(map, k, whereOf(value as RawMap, k));
            }
          }
        }
        return map;
      }
      return null;
    };
    const value = convert(doc.contents, []);
    if (!isRawMap(value as RawValue)) throw new ComposeFileError('top-level object must be a mapping', where(doc.contents));
    out.push({ file, value: value as RawMap, resets });
  }
  return out;
}

// ---- merging documents (compose-go's override rules) ----

type Merger = (base: RawValue, over: RawValue, path: string[]) => RawValue;

function matches(path: readonly string[], pattern: readonly string[]): boolean {
  return path.length === pattern.length && pattern.every((p, i) => p === '*' || p === path[i]);
}

function shown(value: RawValue): string {
  return typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** A mapping or list as a list of `KEY=VALUE` strings (a mapping's keys sorted), keeping positions. */
function toSequence(value: RawValue): RawValue[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [value];
  if (!isRawMap(value)) return [];
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === null) entries.push([k, k]);
    else if (Array.isArray(v)) for (const item of v) entries.push([k, `${k}=${shown(item)}`]);
    else entries.push([k, `${k}=${shown(v)}`]);
  }
  entries.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const list = entries.map(([, s]) => s);
  entries.forEach(([k], i) => setWhere(list, i, whereOf(value, k)));
  return list;
}

function concat(a: RawValue[], b: RawValue[]): RawValue[] {
  const out = [...a, ...b];
  a.forEach((_, i) => setWhere(out, i, whereOf(a, i)));
  b.forEach((_, i) => setWhere(out, a.length + i, whereOf(b, i)));
  return out;
}

function toMapping(value: RawValue, item: () => RawValue): RawMap {
  if (isRawMap(value)) return value;
  const map = newRawMap();
  if (Array.isArray(value))
    value.forEach((k, i) => {
      map[String(k)] = item();
      setWhere(map, String(k), whereOf(value, i));
    });
  return map;
}

const dependency = (): RawValue => Object.assign(newRawMap(), { condition: 'service_started', required: true });

/** Rules by path pattern (`*`: any key). */
function rules<T>(list: [string, T][]): [string[], T][] {
  return list.map(([p, rule]) => [p.split('.'), rule]);
}

const SPECIAL = rules<Merger>([
  ['networks.*.ipam.config', mergeIpamConfig],
  ['networks.*.labels', mergeSequences],
  ['volumes.*.labels', mergeSequences],
  ['services.*.annotations', mergeSequences],
  [
    'services.*.build',
    (a, b, p) =>
      mergeMappings(
        toMapping(typeof a === 'string' ? { context: a } : a, () => null),
        toMapping(typeof b === 'string' ? { context: b } : b, () => null),
        p,
      ),
  ],
  ['services.*.build.args', mergeSequences],
  ['services.*.build.additional_contexts', mergeSequences],
  ['services.*.build.extra_hosts', mergeExtraHosts],
  ['services.*.build.labels', mergeSequences],
  ['services.*.command', (_, b) => b],
  ['services.*.depends_on', (a, b, p) => mergeMappings(toMapping(a, dependency), toMapping(b, dependency), p)],
  ['services.*.deploy.labels', mergeSequences],
  ['services.*.dns', mergeSequences],
  ['services.*.dns_opt', mergeSequences],
  ['services.*.dns_search', mergeSequences],
  ['services.*.entrypoint', (_, b) => b],
  ['services.*.env_file', mergeSequences],
  ['services.*.label_file', mergeSequences],
  ['services.*.environment', mergeSequences],
  ['services.*.extra_hosts', mergeExtraHosts],
  ['services.*.healthcheck.test', (_, b) => b],
  ['services.*.labels', mergeSequences],
  ['services.*.logging', mergeLogging],
  [
    'services.*.models',
    (a, b, p) =>
      mergeMappings(
        toMapping(a, () => null),
        toMapping(b, () => null),
        p,
      ),
  ],
  [
    'services.*.networks',
    (a, b, p) =>
      mergeMappings(
        toMapping(a, () => null),
        toMapping(b, () => null),
        p,
      ),
  ],
  ['services.*.sysctls', mergeSequences],
  ['services.*.tmpfs', mergeSequences],
  ['services.*.ulimits.*', (_, b) => b],
]);

function mergeSequences(a: RawValue, b: RawValue): RawValue {
  return concat(toSequence(a), toSequence(b));
}

function mergeExtraHosts(a: RawValue, b: RawValue): RawValue {
  const left = toSequence(a);
  const right = toSequence(b);
  return concat(
    left,
    right.filter((v) => !left.includes(v)),
  );
}

function mergeLogging(a: RawValue, b: RawValue, path: string[]): RawValue {
  if (!isRawMap(a) || !isRawMap(b)) return b;
  if (!('driver' in a) || !('driver' in b) || a['driver'] === b['driver']) return mergeMappings(a, b, path);
  return b;
}

function mergeIpamConfig(a: RawValue, b: RawValue, path: string[]): RawValue {
  if (!Array.isArray(a) || !Array.isArray(b)) return b;
  const out: RawMap[] = [];
  const subnet = (m: RawMap): RawValue | undefined => m['subnet'];
  for (const original of a) {
    if (!isRawMap(original)) continue;
    for (const override of b) {
      if (!isRawMap(override)) continue;
      if (subnet(override) !== subnet(original) && !out.some((m) => subnet(m) === subnet(override))) {
        out.push(override);
        continue;
      }
      const merged = mergeMappings(original, override, path) as RawMap;
      const i = out.findIndex((m) => subnet(m) === subnet(merged));
      if (i >= 0) out[i] = merged;
      else out.push(merged);
    }
  }
  return out;
}

function mergeMappings(base: RawValue, over: RawValue, path: string[]): RawValue {
  if (!isRawMap(base) || !isRawMap(over)) return over;
  for (const [k, v] of Object.entries(over)) {
    if (!(k in base)) base[k] = v;
    else base[k] = mergeValues(base[k]!, v, [...path, k]);
    setWhere(base, k, whereOf(over, k));
  }
  return base;
}

function mergeValues(base: RawValue, over: RawValue, path: string[]): RawValue {
  const special = SPECIAL.find(([pattern]) => matches(path, pattern));
  if (special) return special[1](base, over, path);
  if (over === null) return base;
  if (isRawMap(base)) {
    if (!isRawMap(over)) throw new ComposeFileError(`cannot override ${path.join('.')}`);
    return mergeMappings(base, over, path);
  }
  if (Array.isArray(base)) {
    if (!Array.isArray(over)) throw new ComposeFileError(`cannot override ${path.join('.')}`);
    return concat(base, over);
  }
  return over;
}

// ---- de-duplicating lists (compose-go's EnforceUnicity) ----

type Indexer = (value: RawValue) => string;

const keyOf: Indexer = (v) => (typeof v === 'string' ? v.split('=')[0]! : JSON.stringify(v));
const UNIQUE = rules<Indexer>([
  ['networks.*.labels', keyOf],
  ['services.*.annotations', keyOf],
  ['services.*.build.args', keyOf],
  ['services.*.build.additional_contexts', keyOf],
  ['services.*.build.tags', keyOf],
  ['services.*.build.labels', keyOf],
  ['services.*.cap_add', keyOf],
  ['services.*.cap_drop', keyOf],
  ['services.*.deploy.labels', keyOf],
  ['services.*.dns', keyOf],
  ['services.*.dns_opt', keyOf],
  ['services.*.dns_search', keyOf],
  ['services.*.environment', keyOf],
  ['services.*.labels', keyOf],
  ['services.*.links', keyOf],
  ['services.*.networks.*.aliases', keyOf],
  ['services.*.networks.*.link_local_ips', keyOf],
  ['services.*.profiles', keyOf],
  ['services.*.sysctls', keyOf],
  ['services.*.tmpfs', keyOf],
  ['services.*.expose', (v) => String(v)],
  ['services.*.env_file', (v) => (isRawMap(v) ? String(v['path']) : String(v))],
  ['services.*.volumes', volumeKey],
  ['services.*.devices', (v) => (isRawMap(v) ? String(v['target']) : typeof v === 'string' ? (v.split(':')[1] ?? v) : JSON.stringify(v))],
  ['services.*.secrets', (v) => (isRawMap(v) ? String(v['target'] ?? v['source']) : `/run/secrets/${shown(v)}`)],
  ['services.*.configs', (v) => (isRawMap(v) ? String(v['target'] ?? v['source']) : `/${shown(v)}`)],
  ['services.*.ports', portKey],
]);

function volumeKey(v: RawValue): string {
  if (isRawMap(v)) return String(v['target']);
  if (typeof v !== 'string') return JSON.stringify(v);
  try {
    return parseVolumeSpec(v).target;
  } catch {
    return v;
  }
}

function portKey(v: RawValue): string {
  if (!isRawMap(v)) return String(v);
  return `${shown(v['host_ip'] ?? '0.0.0.0')}:${shown(v['published'] ?? '')}:${shown(v['target'] ?? '')}/${shown(v['protocol'] ?? 'tcp')}`;
}

function enforceUnicity(value: RawValue, path: string[]): RawValue {
  if (isRawMap(value)) {
    for (const [k, v] of Object.entries(value)) value[k] = enforceUnicity(v, [...path, k]);
    return value;
  }
  if (!Array.isArray(value)) return value;
  const rule = UNIQUE.find(([pattern]) => matches(path, pattern));
  if (!rule) return value;
  const out: RawValue[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry, i) => {
    const key = rule[1](entry);
    const at = seen.get(key);
    const j = at ?? out.length;
    if (at === undefined) seen.set(key, j);
    out[j] = entry;
    setWhere(out, j, whereOf(value, i));
  });
  return out;
}

/** Merges `doc` into `base` (changed in place and returned) as Compose merges a later file over earlier ones. */
export function mergeDocument(base: RawMap, doc: ParsedDocument): RawMap {
  for (const path of doc.resets) {
    let at: RawValue | undefined = base;
    for (const part of path.slice(0, -1)) at = isRawMap(at) ? at[part] : undefined;
    if (isRawMap(at)) delete at[path[path.length - 1]!];
  }
  mergeMappings(base, doc.value, []);
  return enforceUnicity(base, []) as RawMap;
}
