/**
 * Our structure of a compose file (`validate.ts`) against the Compose Specification's own JSON
 * schema under ajv (read from `../shared/conformance/compose-spec/`, never copied here): a corpus of
 * valid and invalid documents must get the same verdict from both, and so must every document made
 * by putting a value of another type at each path of the valid ones.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { conformanceData } from '../../../tests/fixtures/conformance.ts';
import { isRawMap, parseComposeFile, type RawValue } from './parse.ts';
import { validateCompose } from './validate.ts';

const data = conformanceData('compose-spec/compose-spec.json', 'the compose-spec schema conformance cases');

/** Documents the schema accepts. */
const VALID: Readonly<Record<string, string>> = {
  'image only': 'services: {web: {image: nginx}}',
  'build string, short ports, environment list':
    'services: {web: {build: ., ports: ["8000:80", 9000, "127.0.0.1:53:53/udp"], environment: [A=1, B]}}',
  'build long syntax': 'services: {web: {build: {context: ./app, dockerfile: Dockerfile.dev, args: [V=1], target: dev, x-note: 1}}}',
  'depends_on list': 'services: {web: {image: a, depends_on: [db]}, db: {image: b}}',
  'depends_on long syntax': 'services: {web: {image: a, depends_on: {db: {condition: service_healthy, restart: true, required: false}}}}',
  'networks list and top-level ipam': `
services: {web: {image: a, networks: [front, back]}}
networks:
  front: {labels: [a=b], ipam: {driver: default, config: [{subnet: 10.5.0.0/16, gateway: 10.5.0.1}]}}
  back: {external: true, name: shared}`,
  'service networks with options and null':
    'services: {web: {image: a, networks: {front: {aliases: [w], ipv4_address: 10.5.0.2}, back: }}}\nnetworks: {front: , back: }',
  'volumes short and long': `
services:
  web:
    image: a
    volumes: [data:/data, ./src:/src:ro, /cache, {type: bind, source: ./x, target: /x, bind: {create_host_path: true}}, {type: tmpfs, target: /t, tmpfs: {size: 1000}}]
volumes: {data: {external: true}, other: }`,
  'healthcheck string and list':
    'services: {a: {image: a, healthcheck: {test: curl x, interval: 10s, retries: 3}}, b: {image: b, healthcheck: {test: [CMD, "true"], disable: false}}}',
  'environment mapping of scalars': 'services: {web: {image: a, environment: {A: 1, B: true, C: , D: text}}}',
  'labels and extra_hosts mappings': 'services: {web: {image: a, labels: {a: b}, extra_hosts: {host: [1.2.3.4, "::1"], other: 5.6.7.8}}}',
  'deploy limits and replicas':
    'services: {web: {image: a, deploy: {replicas: 2, resources: {limits: {memory: 50M, cpus: "0.5", pids: 10}}}}}',
  'ports long syntax':
    'services: {web: {image: a, ports: [{target: 80, published: 8080, protocol: tcp, mode: host, host_ip: 127.0.0.1, name: web}]}}',
  'profiles and string booleans': 'services: {web: {image: a, profiles: [debug], tty: "true", stdin_open: true, init: "false"}}',
  'name, version and anchors':
    'version: "3.8"\nname: demo\nx-base: &base {image: a, restart: always}\nservices: {web: {<<: *base, command: echo}}',
  'keys LayerLab refuses but the schema allows': `
services: {web: {image: a, gpus: all, secrets: [s], logging: {driver: json-file, options: {max-size: 10m, max-file: 3}}}}
secrets: {s: {file: ./s.txt, external: {name: x, other: 1}}}
configs: {c: {content: hello}}`,
  'env_file forms':
    'services: {a: {image: a, env_file: .env}, b: {image: b, env_file: [a.env, {path: b.env, required: false}, {path: c.env, format: raw}]}}',
  'command null, entrypoint list': 'services: {web: {image: a, command: null, entrypoint: [sh, -c]}}',
  'tmpfs string and capabilities': 'services: {web: {image: a, tmpfs: /run, cap_add: [NET_ADMIN], cap_drop: [ALL]}}',
  'ulimits and sysctls':
    'services: {web: {image: a, ulimits: {nofile: {soft: 1, hard: 2}, nproc: 65535, Odd: {anything: 1}}, sysctls: [net.core.somaxconn=1024]}}',
  'develop watch': 'services: {web: {image: a, develop: {watch: [{path: ./src, action: sync, target: /src, ignore: node_modules}]}}}',
  'include and models':
    'include: [other.yaml, {path: [a.yaml, b.yaml], project_directory: ..}]\nmodels: {llm: {model: ai/x, context_size: 1024}}\nservices: {web: {image: a, models: [llm]}}',
  'container_name and pull_policy': 'services: {web: {image: a, container_name: my-web, pull_policy: missing, scale: 1}}',
  'networks with a key outside the pattern': 'services: {web: {image: a}}\nnetworks: {"my net": 42}',
  'cpu keys at their bounds': 'services: {web: {image: a, cpu_count: 0, cpu_percent: 100, oom_score_adj: -1000, cpus: 1.5, mem_limit: 1g}}',
  'expose and group_add': 'services: {web: {image: a, expose: ["3000", 4000, 5000-5002/udp], group_add: [audio, 1000]}}',
  'devices and blkio':
    'services: {web: {image: a, devices: ["/dev/x:/dev/x", {source: /dev/y, permissions: rwm}], blkio_config: {weight: 10, device_read_bps: [{path: /dev/a, rate: 12mb}]}}}',
  'post_start hooks': 'services: {web: {image: a, post_start: [{command: [echo, hi], user: root}], pre_stop: [{command: echo bye}]}}',
  'deploy null and develop null': 'services: {web: {image: a, deploy: , develop: }}',
  'extends and provider':
    'services: {web: {extends: {service: base, file: b.yaml}}, ai: {provider: {type: model, options: {model: [a, b], n: 1}}}}',
  'storage_opt anything': 'services: {web: {image: a, storage_opt: {size: 20G, deep: {x: [1]}}}}',
  'empty services': 'services: {}',
  'x- extensions everywhere':
    'x-top: [1]\nservices: {web: {image: a, x-svc: {a: 1}, healthcheck: {x-h: 1}}}\nnetworks: {n: {x-n: 1}}\nvolumes: {v: {x-v: 1}}',
};

/** Documents the schema rejects. */
const INVALID: Readonly<Record<string, string>> = {
  'services is a list': 'services: [web]',
  'unknown service key': 'services: {web: {imag: nginx}}',
  'unknown top-level key': 'service: {web: {image: a}}',
  'a port is a boolean': 'services: {web: {image: a, ports: [true]}}',
  'ports repeated': 'services: {web: {image: a, ports: ["80:80", "80:80"]}}',
  'environment list repeated': 'services: {web: {image: a, environment: [A=1, A=1]}}',
  'depends_on without condition': 'services: {web: {image: a, depends_on: {db: {required: false}}}}',
  'depends_on with an unknown condition': 'services: {web: {image: a, depends_on: {db: {condition: service_ready}}}}',
  'a service name with a space': 'services: {"my web": {image: a}}',
  'an unknown build key': 'services: {web: {build: {context: ., dockerfil: x}}}',
  'a long volume without type': 'services: {web: {image: a, volumes: [{source: a, target: /a}]}}',
  'a long volume of an unknown type': 'services: {web: {image: a, volumes: [{type: disk, target: /a}]}}',
  'a healthcheck interval as a number': 'services: {web: {image: a, healthcheck: {interval: 10}}}',
  'a service network as a string': 'services: {web: {image: a, networks: {front: yes-please}}}',
  'cpu_percent above 100': 'services: {web: {image: a, cpu_percent: 150}}',
  'cpu_count negative': 'services: {web: {image: a, cpu_count: -1}}',
  'oom_score_adj too large': 'services: {web: {image: a, oom_score_adj: 2000}}',
  'container_name of one character': 'services: {web: {image: a, container_name: a}}',
  'pull_policy unknown': 'services: {web: {image: a, pull_policy: sometimes}}',
  'a top-level volume as a string': 'services: {web: {image: a}}\nvolumes: {data: x}',
  'network external as a number': 'services: {web: {image: a}}\nnetworks: {n: {external: 3}}',
  'network external with an unknown key': 'services: {web: {image: a}}\nnetworks: {n: {external: {name: x, foo: 1}}}',
  'env_file entry without path': 'services: {web: {image: a, env_file: [{required: true}]}}',
  'a label value as a list': 'services: {web: {image: a, labels: {a: [1]}}}',
  'an extra host as a number': 'services: {web: {image: a, extra_hosts: {host: 1}}}',
  'gpus not all': 'services: {web: {image: a, gpus: some}}',
  'a model without model': 'models: {m: {context_size: 1}}',
  'stop_grace_period as a number': 'services: {web: {image: a, stop_grace_period: 10}}',
  'mem_limit as a boolean': 'services: {web: {image: a, mem_limit: true}}',
  'expose as a boolean': 'services: {web: {image: a, expose: [true]}}',
  'deploy memory as a number': 'services: {web: {image: a, deploy: {resources: {limits: {memory: 1024}}}}}',
  'ulimit without hard': 'services: {web: {image: a, ulimits: {nofile: {soft: 1}}}}',
  'command as a number': 'services: {web: {image: a, command: 1}}',
  'tmpfs size negative': 'services: {web: {image: a, volumes: [{type: tmpfs, target: /t, tmpfs: {size: -1}}]}}',
  'include with an unknown key': 'include: [{path: a.yaml, project: x}]',
  'environment value a mapping': 'services: {web: {image: a, environment: {A: {b: 1}}}}',
  'a null service': 'services: {web: }',
  'a top-level network as a string': 'services: {web: {image: a}}\nnetworks: {front: bridge}',
  'a watch without action': 'services: {web: {image: a, develop: {watch: [{path: .}]}}}',
  'scale as a fraction': 'services: {web: {image: a, scale: 1.5}}',
  'an empty environment key': 'services: {web: {image: a, environment: {"": x}}}',
  'a deploy key unknown': 'services: {web: {image: a, deploy: {replica: 2}}}',
  'a port mapping key unknown': 'services: {web: {image: a, ports: [{target: 80, publish: 80}]}}',
  'a name as a number': 'name: 5\nservices: {}',
};

/** A document as plain JSON (what both validators see). */
function documentOf(yaml: string): RawValue {
  const docs = parseComposeFile('/p/compose.yaml', yaml);
  expect(docs).toHaveLength(1);
  return JSON.parse(JSON.stringify(docs[0]!.value)) as RawValue;
}

/**
 * Each document made by one change at any depth: a value replaced by one of another kind, a key
 * added to a mapping (unknown, `x-`, odd), a list's first item repeated.
 */
function* mutations(doc: RawValue, path: string[] = []): Generator<{ path: string; doc: RawValue }> {
  const replacements: RawValue[] = [true, 7, -3, 1.5, 'text', '', null, [], ['x'], {}, { k: 'v' }];
  if (path.length) for (const r of replacements) yield { path: path.join('.'), doc: r };
  if (isRawMap(doc))
    for (const key of ['zz_unknown', 'x-extra', 'Odd Key', ''])
      for (const value of [1, 'v', null, { a: 1 }]) yield { path: `${path.join('.')}+${key}`, doc: { ...doc, [key]: value } };
  if (Array.isArray(doc) && doc.length) yield { path: `${path.join('.')}+repeat`, doc: [...doc, doc[0]!] };
  const children: [string, RawValue][] = Array.isArray(doc) ? doc.map((v, i) => [String(i), v]) : isRawMap(doc) ? Object.entries(doc) : [];
  for (const [key, child] of children)
    for (const m of mutations(child, [...path, key])) {
      const copy = JSON.parse(JSON.stringify(doc)) as Record<string, RawValue>;
      copy[key] = m.doc;
      yield { path: m.path, doc: Array.isArray(doc) ? Object.values(copy) : copy };
    }
}

describe.skipIf(!data.present)('validate.ts agrees with the Compose Specification schema (ajv)', () => {
  // the schema names draft-07 by its https address, which ajv's copy of the meta-schema does not carry
  const schema = data.present
    ? { ...(JSON.parse(readFileSync(data.path, 'utf8')) as object), $schema: 'http://json-schema.org/draft-07/schema#' }
    : {};
  const ajv = new Ajv({ strict: false, allErrors: false });
  const compiled = data.present ? ajv.compile(schema) : undefined;
  const schemaAccepts = (doc: RawValue): boolean => compiled?.(doc) ?? true;

  it(`has a corpus of ${Object.keys(VALID).length} valid and ${Object.keys(INVALID).length} invalid documents`, () => {
    expect(Object.keys(VALID).length + Object.keys(INVALID).length).toBeGreaterThanOrEqual(40);
  });

  for (const [name, yaml] of Object.entries(VALID))
    it(`valid: ${name}`, () => {
      const doc = documentOf(yaml);
      expect(schemaAccepts(doc), JSON.stringify(compiled?.errors)).toBe(true);
      expect(validateCompose(doc)).toBeUndefined();
    });

  for (const [name, yaml] of Object.entries(INVALID))
    it(`invalid: ${name}`, () => {
      const doc = documentOf(yaml);
      expect(schemaAccepts(doc)).toBe(false);
      expect(validateCompose(doc)?.message).toBeTruthy();
    });

  it('agrees on every one-change mutation of the valid corpus', () => {
    const disagreements: string[] = [];
    let count = 0;
    let rejected = 0;
    for (const [name, yaml] of Object.entries(VALID))
      for (const m of mutations(documentOf(yaml))) {
        count++;
        const theirs = schemaAccepts(m.doc);
        const ours = validateCompose(m.doc) === undefined;
        if (!theirs) rejected++;
        if (theirs !== ours)
          disagreements.push(`${name} @ ${m.path} = ${JSON.stringify(m.doc).slice(0, 80)}: schema ${theirs}, ours ${ours}`);
      }
    console.info(`compose-spec mutation agreement: ${count - disagreements.length}/${count} (${rejected} rejected by the schema)`);
    expect(rejected).toBeGreaterThan(count / 4);
    expect(disagreements.slice(0, 20)).toEqual([]);
  });
});
