/**
 * The metadata instructions: ENV, ARG, CMD, ENTRYPOINT, EXPOSE, LABEL, MAINTAINER, USER, VOLUME,
 * SHELL, STOPSIGNAL, HEALTHCHECK and ONBUILD change the image config (and ARG the ARGs in scope)
 * and add a history entry with `empty_layer`, like BuildKit. They are cached too, so a fully
 * cached rebuild gives the same image ID; on a scratch image not yet stored they only change the
 * state.
 */
import type { ImageRuntimeConfig } from '../api.ts';
import { formatCreatedBy } from '../oci/display.ts';
import type { DockerfileNode } from '../dockerfile/parser.ts';
import { OperationCancelledError } from '../errors.ts';
import { appendEmptyLayerHistories, withConfig } from '../oci/image.ts';
import { DEFAULT_SHELL, lineError, type State, type StepContext } from './step-context.ts';

/**
 * Runs a run of consecutive metadata instructions: each changes the config (and ARGs) in turn, seeing
 * what the ones before it set; on a stored image the run then becomes one new image with one
 * empty-layer history entry per instruction. One image per run, not per instruction: 10,000 ENV
 * lines cost 10,000 small changes and one config, not 10,000 ever larger configs. `contextFor`
 * gives each instruction its step context over the state so far.
 */
export async function metadataSteps(
  nodes: readonly DockerfileNode[],
  state: State,
  contextFor: (node: DockerfileNode, state: State) => StepContext,
): Promise<State> {
  const c: ImageRuntimeConfig = { ...state.config };
  const args = new Map(state.args);
  const createdBy: string[] = [];
  let ctx: StepContext | undefined;
  for (const node of nodes) {
    ctx = contextFor(node, { ...state, config: c, args });
    if (ctx.signal?.aborted) throw new OperationCancelledError('build');
    createdBy.push(applyInstruction(ctx, c, args));
  }
  let id = state.id;
  if (id && ctx) {
    const { deps } = ctx;
    // metadata steps are cached too, so a fully cached rebuild yields the same image ID
    const key = await ctx.cache.key(id, `${createdBy.join('\n')}\n${JSON.stringify(c)}`);
    const hit = await ctx.cache.lookup(key);
    if (hit) return { id: hit, config: c, args };
    const created = deps.now().toISOString();
    const image = await appendEmptyLayerHistories(
      await withConfig(await deps.images.load(id), c),
      createdBy.map((line) => ({ created, created_by: line, comment: 'buildkit.dockerfile.v0' })),
    );
    id = await deps.images.put(image, { intermediate: true });
    await ctx.cache.record(key, id);
  }
  return { id, config: c, args };
}

/** Applies the instruction to `c` and `args` (both changed in place); returns its history line (`created_by`). */
function applyInstruction({ node, expand, globalArgs, buildArgs }: StepContext, c: ImageRuntimeConfig, args: Map<string, string>): string {
  let createdBy: string;
  const execOrShell = (): string[] => (node.json ? node.next : [...(c.Shell?.length ? c.Shell : DEFAULT_SHELL), node.next.join(' ')]);
  switch (node.value) {
    case 'env': {
      const pairs: string[] = [];
      for (let i = 0; i + 1 < node.next.length; i += 3) {
        const k = node.next[i]!;
        const v = expand(node.next[i + 1]!);
        c.Env = setEnv(c.Env, k, v);
        pairs.push(`${k}=${v}`);
      }
      createdBy = formatCreatedBy({
        instruction: 'ENV',
        pairs: pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const),
      });
      break;
    }
    case 'arg': {
      for (const word of node.next) {
        const [k, ...v] = word.split('=');
        const value = buildArgs[k!] ?? (v.length ? expand(v.join('=')) : globalArgs.get(k!));
        args.set(k!, value ?? '');
      }
      createdBy = formatCreatedBy({
        instruction: 'ARG',
        args: node.next.map((w) => {
          const i = w.indexOf('=');
          return i < 0 ? ([w, args.get(w)] as const) : ([w.slice(0, i), args.get(w.slice(0, i))] as const);
        }),
      });
      break;
    }
    case 'cmd':
      c.Cmd = execOrShell();
      createdBy = formatCreatedBy({ instruction: 'CMD', args: c.Cmd });
      break;
    case 'entrypoint':
      c.Entrypoint = execOrShell();
      if (!node.json && node.next.join('').trim() === '') c.Entrypoint = null;
      createdBy = formatCreatedBy({ instruction: 'ENTRYPOINT', args: c.Entrypoint ?? [] });
      break;
    case 'expose': {
      const ports = { ...(c.ExposedPorts ?? {}) };
      for (const p of node.next.map(expand)) ports[p.includes('/') ? p : `${p}/tcp`] = {};
      c.ExposedPorts = ports;
      createdBy = formatCreatedBy({ instruction: 'EXPOSE', ports: node.next.map(expand) });
      break;
    }
    case 'label': {
      const labels = { ...(c.Labels ?? {}) };
      for (let i = 0; i + 1 < node.next.length; i += 3) labels[expand(node.next[i]!)] = expand(node.next[i + 1]!);
      c.Labels = labels;
      const labelPairs: (readonly [string, string])[] = [];
      for (let i = 0; i + 1 < node.next.length; i += 3) labelPairs.push([expand(node.next[i]!), expand(node.next[i + 1]!)]);
      createdBy = formatCreatedBy({ instruction: 'LABEL', pairs: labelPairs });
      break;
    }
    case 'maintainer':
      createdBy = formatCreatedBy({ instruction: 'MAINTAINER', value: node.next.join(' ') });
      break;
    case 'user':
      c.User = expand(node.next[0] ?? '');
      createdBy = formatCreatedBy({ instruction: 'USER', value: c.User });
      break;
    case 'volume': {
      const vols = { ...(c.Volumes ?? {}) };
      for (const v of node.next.map(expand)) {
        if (!v) throw lineError(node, 'VOLUME specified can not be an empty string');
        vols[v] = {};
      }
      c.Volumes = vols;
      createdBy = formatCreatedBy({ instruction: 'VOLUME', paths: node.next.map(expand) });
      break;
    }
    case 'shell':
      if (!node.json) throw lineError(node, 'SHELL requires the arguments to be in JSON form');
      c.Shell = node.next;
      createdBy = formatCreatedBy({ instruction: 'SHELL', args: node.next });
      break;
    case 'stopsignal':
      c.StopSignal = expand(node.next[0] ?? '');
      createdBy = formatCreatedBy({ instruction: 'STOPSIGNAL', value: c.StopSignal });
      break;
    case 'healthcheck': {
      const kind = node.next[0]?.toUpperCase();
      if (kind === 'NONE') c.Healthcheck = { Test: ['NONE'] };
      else {
        const test = node.json ? ['CMD', ...node.next.slice(1)] : ['CMD-SHELL', node.next.slice(1).join(' ')];
        const hc: NonNullable<ImageRuntimeConfig['Healthcheck']> = { Test: test };
        for (const f of node.flags) {
          const m = /^--(interval|timeout|start-period|retries)=(.+)$/.exec(f);
          if (!m) throw lineError(node, `unknown flag: ${f.split('=')[0]}`);
          if (m[1] === 'retries') hc.Retries = Number(m[2]);
          else {
            const ns = parseDuration(m[2]!);
            if (ns === undefined) throw lineError(node, `invalid duration for ${m[1]}: ${m[2]}`);
            if (m[1] === 'interval') hc.Interval = ns;
            else if (m[1] === 'timeout') hc.Timeout = ns;
            else hc.StartPeriod = ns;
          }
        }
        c.Healthcheck = hc;
      }
      createdBy = formatCreatedBy({ instruction: 'HEALTHCHECK', healthcheck: c.Healthcheck });
      break;
    }
    case 'onbuild': {
      const sub = node.subcommand;
      if (!sub) throw lineError(node, 'ONBUILD requires an instruction');
      if (['onbuild', 'from', 'maintainer'].includes(sub.value))
        throw lineError(node, `${sub.value.toUpperCase()} isn't allowed as an ONBUILD trigger`);
      c.OnBuild = [...(c.OnBuild ?? []), sub.original];
      createdBy = `ONBUILD ${sub.original}`;
      break;
    }
    default:
      throw lineError(node, `unknown instruction: ${node.value.toUpperCase()}`);
  }
  return createdBy;
}

/** `env` with `key` set to `value` (an earlier entry for `key` is dropped, the new one appended). */
function setEnv(env: string[] | undefined, key: string, value: string): string[] {
  const prefix = `${key}=`;
  const out = (env ?? []).filter((e) => !e.startsWith(prefix) && e !== key);
  out.push(`${key}=${value}`);
  return out;
}

/** Go duration (`30s`, `1m30s`, `500ms`) in nanoseconds. */
function parseDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === s.length && consumed > 0 ? Math.round(total) : undefined;
}
