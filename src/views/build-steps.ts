/**
 * A build's step list as it runs (BuildKit's `[2/5] RUN …` lines with CACHED marks, times and
 * output), and, against the previous build of the same Dockerfile, where the cache cascade
 * began: the first step that ran again, after which every step runs again even when its own
 * line did not change.
 */
import type { BuildEvent, InterruptedBuild } from '../engine/api.ts';
import { instructionKeyword } from './image-layers.ts';
import { plural, truncate } from './format.ts';

/** Where a step is: running, reused from the cache, run to the end, failed, or stopped by a cancel. */
export type BuildStepState = 'running' | 'cached' | 'done' | 'error' | 'cancelled';

/** Where the whole build is: still running, or how it ended. */
export type BuildState = 'running' | 'done' | 'failed' | 'cancelled';

/**
 * Why a step is in its state: `cached`; `running`; `base` (a FROM); `ran` (no previous build to
 * compare with); and against a previous build: `changed` (its line changed), `new` (no such step
 * before), `inputs-changed` (same COPY/ADD line, but the files changed), `not-cached` (same line,
 * the cache did not have it) or `after-change` (same line, rebuilt because a step before it was).
 */
export type BuildStepReason =
  'cached' | 'running' | 'cancelled' | 'base' | 'ran' | 'changed' | 'new' | 'inputs-changed' | 'not-cached' | 'after-change';

/** One line a step printed. */
export interface BuildOutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** One step of the build. */
export interface BuildStep {
  /** Step number over the whole build, from 1. */
  step: number;
  /** Steps in the whole build. */
  total: number;
  /** BuildKit's line, e.g. `[2/5] RUN pip install -r requirements.txt`. */
  label: string;
  /** BuildKit's per-stage position: `2/5`, or `builder 2/5` in a multi-stage build. */
  position: string;
  /** The instruction as it ran, e.g. `RUN pip install -r requirements.txt`. */
  instruction: string;
  /** `FROM`, `RUN`, `COPY`… */
  keyword: string;
  /** Stage name ('' for an unnamed stage). */
  stage: string;
  /** Dockerfile line number. */
  line: number;
  state: BuildStepState;
  /** When it started (ms since the epoch, the engine's clock), if the engine said. */
  startedAt: number | undefined;
  /** Milliseconds it took, undefined while running. */
  ms: number | undefined;
  /** `0.4s` like BuildKit's `DONE 0.4s`, '' while running. */
  timeLabel: string;
  /** The last lines it printed (at most `maxLines`). */
  output: BuildOutputLine[];
  /** Lines dropped before `output` because of the cap. */
  droppedLines: number;
  /** The last two lines of `output`: what a running step is doing now. */
  tail: BuildOutputLine[];
  /** The error message of a failed step (without the engine's `dockerfile:N: ` prefix), '' otherwise. */
  error: string;
  /**
   * With a previous build: the step itself did not change (same line, and it is not where the
   * cascade began), so the cache could have reused it; undefined without a previous build.
   */
  reusable: boolean | undefined;
  reason: BuildStepReason;
  alt: string;
}

/** The build as a list of steps. */
export interface BuildStepsView {
  steps: BuildStep[];
  /** Steps the build will run (0 before the first step starts). */
  total: number;
  /** Running, or how it ended (`build-end`; without one, `done` once every step is done or cached). */
  state: BuildState;
  /** It ended well: every step is done or cached. */
  finished: boolean;
  /** It failed (a step, or before the first step: a syntax error, a missing Dockerfile). */
  failed: boolean;
  /** It was cancelled (Ctrl-C). */
  cancelled: boolean;
  /** Why it failed (without the engine's `dockerfile:N: ` prefix: see `errorLine`), '' otherwise. */
  error: string;
  /** The Dockerfile line of the failure, when known. */
  errorLine: number | undefined;
  /** The step that failed or was cancelled, null otherwise (and for a failure before any step). */
  stoppedAt: number | null;
  /** When the first step started (ms since the epoch), if the engine said. */
  startedAt: number | undefined;
  /** Messages outside steps (`naming to web:1`…). */
  messages: string[];
  cachedCount: number;
  /** Steps that ran (done or failed). */
  ranCount: number;
  /** Sum of the steps' times. */
  totalMs: number;
  totalTimeLabel: string;
  /** With a previous build: the first step that ran instead of coming from the cache; null otherwise. */
  cascadeStart: number | null;
  alt: string;
}

/** Switches for `buildStepsView`. */
export interface BuildStepsOptions {
  /** Output lines kept per step (the last ones), default 100. */
  maxLines?: number;
}

/** BuildKit's step time: seconds with one decimal ("0.4s"). */
export function buildTimeLabel(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** A step's time as of `now` (ms since the epoch): its final time, or how long it has run so far. */
export function stepTimeLabel(step: BuildStep, now: number): string {
  if (step.state === 'running' && step.startedAt !== undefined) return buildTimeLabel(now - step.startedAt);
  return step.timeLabel;
}

/** How long the build has run as of `now` (while it runs), '' when the engine gave no start time. */
export function buildElapsedLabel(view: BuildStepsView, now: number): string {
  return view.startedAt === undefined ? '' : buildTimeLabel(now - view.startedAt);
}

interface StreamState {
  decoder: TextDecoder;
  partial: string;
}

interface Work {
  step: BuildStep;
  streams: Map<'stdout' | 'stderr', StreamState>;
  lines: BuildOutputLine[];
}

/** What a terminal would show of a line with carriage returns: the text after the last one. */
function afterCarriageReturn(text: string): string {
  const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
  const at = trimmed.lastIndexOf('\r');
  return at < 0 ? trimmed : trimmed.slice(at + 1);
}

/** Decodes a chunk of a stream and appends its complete lines (a multi-byte character may span chunks). */
function addOutput(w: Work, stream: 'stdout' | 'stderr', data: Uint8Array): void {
  let s = w.streams.get(stream);
  if (!s) {
    s = { decoder: new TextDecoder(), partial: '' };
    w.streams.set(stream, s);
  }
  const parts = (s.partial + s.decoder.decode(data, { stream: true })).split('\n');
  s.partial = parts.pop() ?? '';
  for (const part of parts) w.lines.push({ stream, text: afterCarriageReturn(part) });
}

/** An engine message without its `dockerfile:3: ` prefix (the view has the line). */
function withoutPosition(message: string): string {
  return message.replace(/^dockerfile:\d+: /, '');
}

/** Splits `[2/5] RUN …` into its position (`2/5`) and instruction. */
function parseLabel(label: string): { position: string; instruction: string } {
  const m = /^\[([^\]]*)\]\s*(.*)$/s.exec(label);
  return m ? { position: m[1] ?? '', instruction: m[2] ?? '' } : { position: '', instruction: label };
}

/** Steps of two builds are compared by stage and position in the stage (`k` of `k/n`). */
function matchKey(step: BuildStep): string {
  const k = /(\d+)\/\d+$/.exec(step.position)?.[1];
  return k === undefined ? `#${step.step}` : `${step.stage}\u0000${k}`;
}

/**
 * The steps of a build from its events so far (call again as events arrive); with `previous`,
 * the view of the last build of the same Dockerfile, also where the cache cascade began.
 */
export function buildStepsView(events: readonly BuildEvent[], previous?: BuildStepsView, options: BuildStepsOptions = {}): BuildStepsView {
  const maxLines = Math.max(0, options.maxLines ?? 100);
  const work = new Map<number, Work>();
  const messages: string[] = [];
  let total = 0;
  let end: Extract<BuildEvent, { type: 'build-end' }> | undefined;
  for (const ev of events) {
    switch (ev.type) {
      case 'step-start': {
        total = Math.max(total, ev.total);
        // Older engines sent one string, `[2/5] RUN …`, in `instruction`.
        const { position, instruction } = ev.label ? { position: ev.label, instruction: ev.instruction } : parseLabel(ev.instruction);
        work.set(ev.step, {
          step: {
            step: ev.step,
            total: ev.total,
            label: position ? `[${position}] ${instruction}` : instruction,
            position,
            instruction,
            keyword: instructionKeyword(instruction),
            stage: ev.stage,
            line: ev.line,
            state: 'running',
            startedAt: ev.at,
            ms: undefined,
            timeLabel: '',
            output: [],
            droppedLines: 0,
            tail: [],
            error: '',
            reusable: undefined,
            reason: 'running',
            alt: '',
          },
          streams: new Map(),
          lines: [],
        });
        break;
      }
      case 'step-output': {
        const w = work.get(ev.step);
        if (w) addOutput(w, ev.stream, ev.data);
        break;
      }
      case 'step-done': {
        const w = work.get(ev.step);
        if (!w) break;
        w.step.state = ev.cached ? 'cached' : 'done';
        w.step.ms = ev.ms;
        w.step.timeLabel = buildTimeLabel(ev.ms);
        break;
      }
      case 'step-error': {
        const w = work.get(ev.step);
        if (!w) break;
        w.step.state = ev.cancelled ? 'cancelled' : 'error';
        w.step.error = ev.cancelled ? '' : withoutPosition(ev.message);
        break;
      }
      case 'message':
        messages.push(ev.text);
        break;
      case 'build-end':
        end = ev;
        break;
    }
  }
  // a build that ended leaves no step running: it failed there, or the cancel stopped it
  if (end && end.outcome !== 'done') {
    for (const w of work.values()) {
      if (w.step.state !== 'running') continue;
      w.step.state = end.outcome === 'cancelled' ? 'cancelled' : 'error';
      w.step.error = end.outcome === 'cancelled' ? '' : withoutPosition(end.message);
    }
  }

  const steps = [...work.values()]
    .sort((a, b) => a.step.step - b.step.step)
    .map((w) => {
      // Flush what is still buffered: a running step shows its unfinished last line.
      for (const [stream, s] of w.streams) {
        const rest = s.partial + s.decoder.decode();
        if (rest !== '') w.lines.push({ stream, text: afterCarriageReturn(rest) });
      }
      const keep = maxLines === 0 ? [] : w.lines.slice(-maxLines);
      return { ...w.step, output: keep, droppedLines: w.lines.length - keep.length, tail: keep.slice(-2) };
    });

  const before = new Map((previous?.steps ?? []).map((s) => [matchKey(s), s]));
  const prevOf = (s: BuildStep) => (previous ? before.get(matchKey(s)) : undefined);
  const sameLine = (s: BuildStep) => prevOf(s)?.instruction === s.instruction;
  const ran = (s: BuildStep) => s.state === 'done' || s.state === 'error';

  let cascadeStart: number | null = null;
  if (previous) {
    const first = steps.find((s) => ran(s) && (s.keyword !== 'FROM' || !sameLine(s)));
    cascadeStart = first?.step ?? null;
  }

  for (const s of steps) {
    s.reusable = previous ? sameLine(s) && s.step !== cascadeStart : undefined;
    s.reason = reasonOf(s, previous !== undefined, prevOf(s), cascadeStart);
  }
  for (const s of steps) s.alt = stepAlt(s, cascadeStart, steps);

  const cachedCount = steps.filter((s) => s.state === 'cached').length;
  const ranCount = steps.filter(ran).length;
  const failedStep = steps.find((s) => s.state === 'error');
  const stopped = failedStep ?? steps.find((s) => s.state === 'cancelled');
  const totalMs = steps.reduce((n, s) => n + (s.ms ?? 0), 0);
  const allDone = total > 0 && steps.length === total && steps.every((s) => s.state === 'cached' || s.state === 'done');
  const state: BuildState = end
    ? end.outcome === 'done'
      ? 'done'
      : end.outcome
    : failedStep
      ? 'failed'
      : stopped
        ? 'cancelled'
        : allDone
          ? 'done'
          : 'running';
  const view: Omit<BuildStepsView, 'alt'> = {
    steps,
    total,
    state,
    finished: state === 'done',
    failed: state === 'failed',
    cancelled: state === 'cancelled',
    error: state === 'failed' ? failedStep?.error || withoutPosition(end?.message ?? '') : '',
    errorLine: state === 'failed' ? (end?.line ?? failedStep?.line) : undefined,
    stoppedAt: state === 'failed' || state === 'cancelled' ? (stopped?.step ?? null) : null,
    startedAt: steps[0]?.startedAt,
    messages,
    cachedCount,
    ranCount,
    totalMs,
    totalTimeLabel: buildTimeLabel(totalMs),
    cascadeStart,
  };
  return { ...view, alt: buildAlt(view) };
}

function reasonOf(s: BuildStep, compared: boolean, prev: BuildStep | undefined, cascadeStart: number | null): BuildStepReason {
  if (s.state === 'running') return 'running';
  if (s.state === 'cancelled') return 'cancelled';
  if (s.state === 'cached') return 'cached';
  if (!compared) return s.keyword === 'FROM' ? 'base' : 'ran';
  if (!prev) return 'new';
  if (prev.instruction !== s.instruction) return 'changed';
  if (s.keyword === 'FROM') return 'base';
  if (cascadeStart !== null && s.step > cascadeStart) return 'after-change';
  return s.keyword === 'COPY' || s.keyword === 'ADD' ? 'inputs-changed' : 'not-cached';
}

function stepAlt(s: BuildStep, cascadeStart: number | null, steps: readonly BuildStep[]): string {
  const head = `Step ${s.step} of ${s.total}, ${truncate(s.instruction, 80)}`;
  const time = s.timeLabel ? ` in ${s.timeLabel}` : '';
  const start = steps.find((x) => x.step === cascadeStart);
  let what: string;
  switch (s.reason) {
    case 'running':
      what = 'running';
      break;
    case 'cancelled':
      what = 'cancelled';
      break;
    case 'cached':
      what = 'cached: reused from the build cache';
      break;
    case 'base':
      what = `base image ready${time}`;
      break;
    case 'ran':
      what = `done${time}`;
      break;
    case 'new':
      what = `ran${time}, a new step`;
      break;
    case 'changed':
      what = `rebuilt${time} because this line changed`;
      break;
    case 'inputs-changed':
      what = `rebuilt${time} because the files it copies changed`;
      break;
    case 'not-cached':
      what = `rebuilt${time} because the build cache did not have it`;
      break;
    case 'after-change':
      what = `rebuilt${time} because step ${start?.step ?? '?'}${start ? ` (${truncate(start.instruction, 40)})` : ''} was rebuilt, although this line did not change`;
      break;
  }
  if (s.state === 'error') what = `failed: ${s.error}`;
  const cascade = s.step === cascadeStart ? '; the cache is not used from here on' : '';
  return `${head}, ${what}${cascade}.`;
}

function buildAlt(v: Omit<BuildStepsView, 'alt'>): string {
  if (v.steps.length === 0) {
    if (v.failed) return `The build failed before its first step: ${v.error}`;
    return v.cancelled ? 'The build was cancelled before its first step.' : 'The build has not started.';
  }
  const status = v.failed
    ? v.stoppedAt === null
      ? `The build failed: ${v.error}`
      : `The build failed at step ${v.stoppedAt}.`
    : v.cancelled
      ? `The build was cancelled${v.stoppedAt === null ? '' : ` at step ${v.stoppedAt}`}.`
      : v.finished
        ? `The build finished in ${v.totalTimeLabel}: ${plural(v.ranCount, 'step')} ran, ${v.cachedCount} cached.`
        : `The build is running: ${v.steps.length} of ${plural(v.total, 'step')} started.`;
  return [status, ...v.steps.map((s) => s.alt)].join(' ');
}

/**
 * What the terminal says after a reload about a build the reload cut off, e.g. `The build of app
 * (started 12:03) was interrupted at [4/4] RUN pip install -r requirements.txt when the page was
 * reloaded or closed. Nothing was tagged.` (the time in the page's time zone).
 */
export function interruptedBuildNotice(build: InterruptedBuild): string {
  const at = new Date(build.startedAt);
  const time = Number.isNaN(at.getTime())
    ? ''
    : ` (started ${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')})`;
  const what = build.tags.length ? `The build of ${build.tags[0]}` : 'A build';
  const where = build.step ? ` at ${truncate(build.step, 80)}` : '';
  return `${what}${time} was interrupted${where} when the page was reloaded or closed. Nothing was tagged.`;
}
