/**
 * A loaded project as `docker compose config` prints it: Compose's normalised form (long syntax
 * everywhere, absolute paths, `PROJECT_default` networks) in its key order (name, services,
 * networks, volumes; a service's keys in compose-go's field order, which is alphabetical after
 * `profiles`), with go-yaml's quoting (a string that would read as a number or boolean is quoted)
 * and every `$` escaped as `$$`.
 */
import { Document, Scalar, visit } from 'yaml';
import type { ComposeProject, NetworkConfig, ServiceConfig, ServiceVolume, VolumeConfig } from './model.ts';
import { formatDuration } from './units.ts';

type Out = { [key: string]: unknown };

/** Keeps only the entries whose value is defined. */
function defined(entries: [string, unknown][]): Out {
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

function sortedMap<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const orUndefined = <T>(list: readonly T[] | undefined): readonly T[] | undefined => (list?.length ? list : undefined);
const ifTrue = (value: boolean | undefined): true | undefined => (value ? true : undefined);

function volumeOut(v: ServiceVolume): Out {
  return defined([
    ['type', v.type],
    ['source', v.source],
    ['target', v.target],
    ['read_only', ifTrue(v.readOnly)],
    ['bind', v.type === 'bind' && v.createHostPath ? { create_host_path: true } : undefined],
    ['volume', v.type === 'volume' ? {} : undefined],
  ]);
}

function serviceOut(s: ServiceConfig): Out {
  const hc = s.healthcheck;
  const hosts = s.extraHosts?.map((h) => h.replace(':', '=')).sort();
  return defined([
    ['profiles', orUndefined(s.profiles)],
    [
      'build',
      s.build &&
        defined([
          ['context', s.build.context],
          ['dockerfile', s.build.dockerfile],
          ['args', Object.keys(s.build.args).length ? sortedMap(s.build.args) : undefined],
          ['target', s.build.target],
        ]),
    ],
    ['cap_add', orUndefined(s.capAdd)],
    ['cap_drop', orUndefined(s.capDrop)],
    ['cpus', s.cpus || undefined],
    ['command', s.command],
    ['container_name', s.containerName],
    [
      'depends_on',
      Object.keys(s.dependsOn).length
        ? sortedMap(
            Object.fromEntries(
              Object.entries(s.dependsOn).map(([k, d]) => [
                k,
                defined([
                  ['condition', d.condition],
                  ['restart', ifTrue(d.restart)],
                  ['required', d.required],
                ]),
              ]),
            ),
          )
        : undefined,
    ],
    ['entrypoint', s.entrypoint],
    ['environment', Object.keys(s.environment).length ? sortedMap(s.environment) : undefined],
    ['expose', orUndefined(s.expose)],
    ['extra_hosts', orUndefined(hosts)],
    ['hostname', s.hostname],
    [
      'healthcheck',
      hc &&
        defined([
          ['test', hc.test],
          ['timeout', hc.timeout !== undefined ? formatDuration(hc.timeout) : undefined],
          ['interval', hc.interval !== undefined ? formatDuration(hc.interval) : undefined],
          ['retries', hc.retries],
          ['start_period', hc.startPeriod !== undefined ? formatDuration(hc.startPeriod) : undefined],
          ['start_interval', hc.startInterval !== undefined ? formatDuration(hc.startInterval) : undefined],
          ['disable', ifTrue(hc.disable)],
        ]),
    ],
    ['image', s.image],
    ['init', s.init],
    ['labels', Object.keys(s.labels).length ? sortedMap(s.labels) : undefined],
    ['mem_limit', s.memLimit ? String(s.memLimit) : undefined],
    ['network_mode', s.networkMode],
    [
      'networks',
      s.networkMode === undefined
        ? sortedMap(
            Object.fromEntries(
              Object.entries(s.networks).map(([k, n]) => {
                const options = defined([
                  ['aliases', orUndefined(n.aliases)],
                  ['ipv4_address', n.ipv4Address],
                ]);
                return [k, Object.keys(options).length ? options : null];
              }),
            ),
          )
        : undefined,
    ],
    ['pids_limit', s.pidsLimit || undefined],
    [
      'ports',
      orUndefined(
        s.ports.map((p) =>
          defined([
            ['mode', 'ingress'],
            ['host_ip', p.hostIp],
            ['target', p.target],
            ['published', p.published],
            ['protocol', p.protocol],
          ]),
        ),
      ),
    ],
    ['privileged', ifTrue(s.privileged)],
    ['pull_policy', s.pullPolicy === 'missing' ? undefined : s.pullPolicy],
    ['read_only', ifTrue(s.readOnly)],
    ['restart', s.restart],
    ['scale', s.scale === 1 ? undefined : s.scale],
    ['stdin_open', ifTrue(s.stdinOpen)],
    ['stop_grace_period', s.stopGracePeriod !== undefined ? formatDuration(s.stopGracePeriod * 1e9) : undefined],
    ['stop_signal', s.stopSignal],
    ['tmpfs', orUndefined(s.tmpfs)],
    ['tty', ifTrue(s.tty)],
    ['user', s.user],
    ['volumes', orUndefined(s.volumes.map(volumeOut))],
    ['working_dir', s.workingDir],
  ]);
}

function networkOut(n: NetworkConfig): Out {
  const pool = defined([
    ['subnet', n.subnet],
    ['gateway', n.gateway],
  ]);
  return defined([
    ['name', n.name],
    ['driver', n.driver],
    ['ipam', Object.keys(pool).length ? { config: [pool] } : undefined],
    ['external', ifTrue(n.external)],
    ['internal', ifTrue(n.internal)],
    ['attachable', ifTrue(n.attachable)],
    ['labels', Object.keys(n.labels).length ? sortedMap(n.labels) : undefined],
  ]);
}

function volumeConfigOut(v: VolumeConfig): Out {
  return defined([
    ['name', v.name],
    ['external', ifTrue(v.external)],
    ['labels', Object.keys(v.labels).length ? sortedMap(v.labels) : undefined],
  ]);
}

/** A plain string go-yaml would quote: it reads as null, a boolean (YAML 1.1's too), a number or a timestamp. */
const LOOKS_TYPED = [
  /^$/,
  /^(~|null|Null|NULL)$/,
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$/,
  /^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/,
  /^[-+]?\.(inf|Inf|INF)$/,
  /^\.(nan|NaN|NAN)$/,
  /^\d{4}-\d\d?-\d\d?(([Tt]|\s+)\d\d?:\d\d?:\d\d?(\.\d*)?\s*(Z|[-+]\d\d?(:\d\d)?)?)?$/,
];

/** The model as `docker compose config` prints it (YAML, Compose's normalised form and key order). */
export function configYaml(project: ComposeProject): string {
  const out: Out = {
    name: project.name,
    services: sortedMap(Object.fromEntries(Object.entries(project.services).map(([k, s]) => [k, serviceOut(s)]))),
  };
  if (Object.keys(project.networks).length)
    out['networks'] = sortedMap(Object.fromEntries(Object.entries(project.networks).map(([k, n]) => [k, networkOut(n)])));
  if (Object.keys(project.volumes).length)
    out['volumes'] = sortedMap(Object.fromEntries(Object.entries(project.volumes).map(([k, v]) => [k, volumeConfigOut(v)])));
  const doc = new Document(out);
  visit(doc, {
    Scalar(_, node) {
      const value = node.value;
      if (typeof value === 'string' && LOOKS_TYPED.some((re) => re.test(value))) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // as Compose does, every `$` is written `$$`, so that the output loads again to the same values
  return doc.toString({ indent: 2, lineWidth: 0, indentSeq: true, singleQuote: true }).replaceAll('$', () => '$$');
}
