import { describe, expect, it } from 'vitest';
import type { BuildEvent } from '../engine/api.ts';
import {
  buildElapsedLabel,
  buildStepsView,
  buildTimeLabel,
  interruptedBuildNotice,
  stepTimeLabel,
  type BuildStepsView,
} from './build-steps.ts';
import { expectGolden, wrap } from './testdata/golden.ts';

const enc = new TextEncoder();

interface StepScript {
  /** BuildKit's line, e.g. `[2/5] WORKDIR /app` (split into the event's label and instruction). */
  label: string;
  line: number;
  stage?: string;
  cached?: boolean;
  ms?: number;
  stdout?: string[];
  stderr?: string[];
  error?: string;
  /** Stopped by a cancel. */
  cancelled?: boolean;
  /** Started but not finished. */
  running?: boolean;
  /** When it started (ms since the epoch). */
  at?: number;
}

/** The events the builder emits for `steps`, numbered from 1. */
function events(steps: StepScript[], messages: string[] = []): BuildEvent[] {
  const out: BuildEvent[] = [];
  steps.forEach((s, i) => {
    const step = i + 1;
    const [, label = '', instruction = s.label] = /^\[([^\]]*)\] (.*)$/.exec(s.label) ?? [];
    out.push({
      type: 'step-start',
      step,
      total: steps.length,
      stage: s.stage ?? '',
      label,
      instruction,
      line: s.line,
      ...(s.at !== undefined ? { at: s.at } : {}),
    });
    for (const chunk of s.stdout ?? []) out.push({ type: 'step-output', step, stream: 'stdout', data: enc.encode(chunk) });
    for (const chunk of s.stderr ?? []) out.push({ type: 'step-output', step, stream: 'stderr', data: enc.encode(chunk) });
    if (s.running) return;
    if (s.cancelled) out.push({ type: 'step-error', step, message: 'build cancelled', cancelled: true });
    else if (s.error !== undefined) out.push({ type: 'step-error', step, message: s.error });
    else out.push({ type: 'step-done', step, cached: s.cached ?? false, ms: s.ms ?? 0 });
  });
  for (const text of messages) out.push({ type: 'message', text });
  return out;
}

const PIP_OUTPUT = [
  'Looking in links: /usr/share/layerlab/wheels\n',
  'Processing /usr/share/layerlab/wheels/Flask-2.2.2-py3-none-any.whl\n',
  'Processing /usr/share/layerlab/wheels/Werkzeug-2.2.2-py3-none-any.whl\n',
  'Processing /usr/share/layerlab/wheels/Jinja2-3.1.2-py3-none-any.whl\n',
  'Installing collected packages: Werkzeug, Jinja2, Flask\n',
  'Successfully installed Flask-2.2.2 Jinja2-3.1.2 Werkzeug-2.2.2\n',
];
const PIP_WARNING = [
  "WARNING: Running pip as the 'root' user can result in broken permissions. It is recommended to use a virtual environment instead.\n",
];

/** web's Dockerfile: requirements first, so editing app.py only rebuilds the last COPY. */
function goodOrder(edit: 'first' | 'app.py'): BuildEvent[] {
  const again = edit === 'app.py';
  return events(
    [
      { label: '[1/5] FROM python:3.11-slim', line: 1, ms: again ? 31 : 142 },
      { label: '[2/5] WORKDIR /app', line: 2, cached: again, ms: again ? 2 : 48 },
      { label: '[3/5] COPY requirements.txt .', line: 3, cached: again, ms: again ? 3 : 61 },
      {
        label: '[4/5] RUN pip install -r requirements.txt',
        line: 4,
        cached: again,
        ms: again ? 2 : 8_412,
        ...(again ? {} : { stdout: PIP_OUTPUT, stderr: PIP_WARNING }),
      },
      { label: '[5/5] COPY . /app', line: 5, ms: 87 },
    ],
    ['exporting layers', 'writing image sha256:5858b9346aff', 'naming to web:1'],
  );
}

/** The same app with `COPY . /app` before `pip install`: any edit reinstalls the packages. */
function badOrder(edit: 'first' | 'app.py'): BuildEvent[] {
  const again = edit === 'app.py';
  return events(
    [
      { label: '[1/4] FROM python:3.11-slim', line: 1, ms: 35 },
      { label: '[2/4] WORKDIR /app', line: 2, cached: again, ms: again ? 2 : 51 },
      { label: '[3/4] COPY . /app', line: 3, ms: 92 },
      { label: '[4/4] RUN pip install -r requirements.txt', line: 4, ms: 8_230, stdout: PIP_OUTPUT.slice(-2) },
    ],
    ['naming to web:2'],
  );
}

function formatBuild(v: BuildStepsView): string {
  const out = [
    `state=${v.state} total=${v.total} finished=${v.finished} failed=${v.failed} cancelled=${v.cancelled} cached=${v.cachedCount} ran=${v.ranCount} time=${v.totalTimeLabel} cascadeStart=${v.cascadeStart ?? '-'} stoppedAt=${v.stoppedAt ?? '-'}`,
  ];
  if (v.error) out.push(`error: ${v.error}${v.errorLine !== undefined ? ` (line ${v.errorLine})` : ''}`);
  for (const s of v.steps) {
    const mark =
      s.state === 'cached'
        ? 'CACHED'
        : s.state === 'done'
          ? `DONE ${s.timeLabel}`
          : s.state === 'error'
            ? 'ERROR'
            : s.state === 'cancelled'
              ? 'CANCELED'
              : '...';
    const cascade = s.step === v.cascadeStart ? ' <- cascade starts' : '';
    out.push(
      `#${s.step} ${s.label}  ${mark}  [${s.keyword} stage=${s.stage || '-'} line=${s.line} reason=${s.reason} reusable=${s.reusable ?? '-'}]${cascade}`,
    );
    if (s.droppedLines) out.push(`    … ${s.droppedLines} earlier lines`);
    for (const l of s.output) out.push(`    ${l.stream === 'stderr' ? '!' : '|'} ${l.text}`);
    out.push(wrap(`    alt: ${s.alt}`, 100, '      '));
  }
  for (const m of v.messages) out.push(`message: ${m}`);
  out.push('alt:', wrap(v.alt));
  return `${out.join('\n')}\n`;
}

describe('buildStepsView', () => {
  it('a first build: every step runs (golden)', () => {
    const view = buildStepsView(goodOrder('first'));
    expectGolden('build-first', formatBuild(view));
    expect(view).toMatchObject({ total: 5, finished: true, failed: false, cachedCount: 0, ranCount: 5, cascadeStart: null });
    expect(view.steps.map((s) => s.reason)).toEqual(['base', 'ran', 'ran', 'ran', 'ran']);
    expect(view.steps[3]?.output.map((l) => l.stream)).toEqual(['stdout', 'stdout', 'stdout', 'stdout', 'stdout', 'stdout', 'stderr']);
  });

  it('after editing app.py, requirements first: only COPY . runs (golden)', () => {
    const first = buildStepsView(goodOrder('first'));
    const view = buildStepsView(goodOrder('app.py'), first);
    expectGolden('build-edit-app', formatBuild(view));
    expect(view.cascadeStart).toBe(5);
    expect(view.steps.map((s) => s.state)).toEqual(['done', 'cached', 'cached', 'cached', 'done']);
    expect(view.steps.map((s) => s.reusable)).toEqual([true, true, true, true, false]);
    expect(view.steps[4]?.reason).toBe('inputs-changed');
  });

  it('after editing app.py, COPY . first: pip install runs again (golden)', () => {
    const first = buildStepsView(badOrder('first'));
    const view = buildStepsView(badOrder('app.py'), first);
    expectGolden('build-bad-order', formatBuild(view));
    expect(view.cascadeStart).toBe(3);
    expect(view.steps.map((s) => [s.reason, s.reusable])).toEqual([
      ['base', true],
      ['cached', true],
      ['inputs-changed', false],
      ['after-change', true],
    ]);
    expect(view.steps[3]?.alt).toBe(
      'Step 4 of 4, RUN pip install -r requirements.txt, rebuilt in 8.2s because step 3 (COPY . /app) was rebuilt, although this line did not change.',
    );
  });

  it('a failing step (golden)', () => {
    const view = buildStepsView(
      events([
        { label: '[1/3] FROM python:3.11-slim', line: 1, ms: 40 },
        { label: '[2/3] WORKDIR /app', line: 2, cached: true },
        {
          label: '[3/3] RUN pip install flask==9.9',
          line: 3,
          stdout: ['Looking in links: /usr/share/layerlab/wheels\n'],
          stderr: [
            'ERROR: Could not find a version that satisfies the requirement flask==9.9 (from versions: 2.2.2)\n',
            'ERROR: No matching distribution found for flask==9.9\n',
          ],
          error: 'process "/bin/sh -c pip install flask==9.9" did not complete successfully: exit code: 1',
        },
      ]),
    );
    expectGolden('build-failed', formatBuild(view));
    expect(view).toMatchObject({
      failed: true,
      finished: false,
      error: 'process "/bin/sh -c pip install flask==9.9" did not complete successfully: exit code: 1',
    });
    expect(view.steps[2]).toMatchObject({ state: 'error', ms: undefined, timeLabel: '' });
  });

  it('a line that changed, and the steps after it', () => {
    const first = buildStepsView(goodOrder('first'));
    const changed = goodOrder('first').map((e) =>
      e.type === 'step-start' && e.step === 4
        ? { ...e, instruction: 'RUN pip install --no-cache-dir -r requirements.txt' }
        : e.type === 'step-done' && e.step < 4 && e.step > 1
          ? { ...e, cached: true }
          : e,
    );
    const view = buildStepsView(changed, first);
    expect(view.cascadeStart).toBe(4);
    expect(view.steps.map((s) => s.reason)).toEqual(['base', 'cached', 'cached', 'changed', 'after-change']);
    expect(view.steps[3]?.alt).toBe(
      'Step 4 of 5, RUN pip install --no-cache-dir -r requirements.txt, rebuilt in 8.4s because this line changed; the cache is not used from here on.',
    );
    expect(view.steps[4]?.reusable).toBe(true);
  });

  it('a step the cache did not have, and a new step', () => {
    const first = buildStepsView(badOrder('first'));
    const noCache = buildStepsView(badOrder('first'), first);
    expect(noCache.steps.map((s) => s.reason)).toEqual(['base', 'not-cached', 'after-change', 'after-change']);
    const longer = events([
      { label: '[1/3] FROM python:3.11-slim', line: 1 },
      { label: '[2/3] WORKDIR /app', line: 2, cached: true },
      { label: '[3/3] RUN apt-get update', line: 3, ms: 900 },
    ]);
    const short = buildStepsView(
      events([
        { label: '[1/2] FROM python:3.11-slim', line: 1 },
        { label: '[2/2] WORKDIR /app', line: 2 },
      ]),
    );
    expect(buildStepsView(longer, short).steps.map((s) => s.reason)).toEqual(['base', 'cached', 'new']);
  });

  it('a build still running: progress bars, split characters, capped output', () => {
    const bar = ['Downloading 10%\r', 'Downloading 55%\rDownloading 100%\n', 'Caf', '\xc3'];
    const evs: BuildEvent[] = [
      { type: 'step-start', step: 1, total: 2, stage: '', label: '1/2', instruction: 'FROM busybox', line: 1 },
      { type: 'step-done', step: 1, cached: false, ms: 12 },
      { type: 'step-start', step: 2, total: 2, stage: '', label: '2/2', instruction: 'RUN wget -O /big http://localhost/big', line: 2 },
      ...bar.slice(0, 3).map((t): BuildEvent => ({ type: 'step-output', step: 2, stream: 'stderr', data: enc.encode(t) })),
      // "é" split across two chunks
      { type: 'step-output', step: 2, stream: 'stderr', data: new Uint8Array([0xc3]) },
      { type: 'step-output', step: 2, stream: 'stderr', data: new Uint8Array([0xa9, 0x0a]) },
      ...Array.from({ length: 10 }, (_, i): BuildEvent => ({
        type: 'step-output',
        step: 2,
        stream: 'stdout',
        data: enc.encode(`line ${i}\n`),
      })),
      { type: 'step-output', step: 2, stream: 'stdout', data: enc.encode('no newline yet') },
    ];
    const view = buildStepsView(evs, undefined, { maxLines: 4 });
    expect(view).toMatchObject({ finished: false, failed: false, total: 2, cascadeStart: null });
    const step = view.steps[1]!;
    expect(step).toMatchObject({ state: 'running', reason: 'running', ms: undefined, timeLabel: '', droppedLines: 9 });
    expect(step.output).toEqual([
      { stream: 'stdout', text: 'line 7' },
      { stream: 'stdout', text: 'line 8' },
      { stream: 'stdout', text: 'line 9' },
      { stream: 'stdout', text: 'no newline yet' },
    ]);
    const all = buildStepsView(evs).steps[1]!.output.filter((l) => l.stream === 'stderr');
    expect(all.map((l) => l.text)).toEqual(['Downloading 100%', 'Café']);
    expect(view.alt).toBe(
      'The build is running: 2 of 2 steps started. Step 1 of 2, FROM busybox, base image ready in 0.0s. Step 2 of 2, RUN wget -O /big http://localhost/big, running.',
    );
    expect(buildStepsView([]).alt).toBe('The build has not started.');
  });

  it('multi-stage builds: positions per stage', () => {
    const evs = events([
      { label: '[builder 1/2] FROM python:3.11-slim', stage: 'builder', line: 1 },
      { label: '[builder 2/2] RUN pip wheel -w /wheels flask', stage: 'builder', line: 2, ms: 5000 },
      { label: '[stage-1 1/2] FROM busybox', stage: '', line: 4 },
      { label: '[stage-1 2/2] COPY --from=builder /wheels /wheels', stage: '', line: 5, ms: 80 },
    ]);
    const first = buildStepsView(evs);
    expect(first.steps.map((s) => [s.position, s.instruction, s.keyword, s.stage])).toEqual([
      ['builder 1/2', 'FROM python:3.11-slim', 'FROM', 'builder'],
      ['builder 2/2', 'RUN pip wheel -w /wheels flask', 'RUN', 'builder'],
      ['stage-1 1/2', 'FROM busybox', 'FROM', ''],
      ['stage-1 2/2', 'COPY --from=builder /wheels /wheels', 'COPY', ''],
    ]);
    const again = buildStepsView(
      evs.map((e) => (e.type === 'step-done' && e.step === 2 ? { ...e, cached: true } : e)),
      first,
    );
    expect(again.cascadeStart).toBe(4);
    expect(again.steps.map((s) => s.reason)).toEqual(['base', 'cached', 'base', 'inputs-changed']);
  });

  it('reads the older one-string form of step-start', () => {
    const old = { type: 'step-start', step: 1, total: 1, stage: '', label: '', instruction: '[1/1] FROM busybox', line: 1 } as const;
    expect(buildStepsView([old]).steps[0]).toMatchObject({
      label: '[1/1] FROM busybox',
      position: '1/1',
      instruction: 'FROM busybox',
      keyword: 'FROM',
    });
  });

  it('a FROM that cannot be pulled: failed at step 1, the other steps never started (golden)', () => {
    const T = Date.parse('2026-03-01T12:03:00Z');
    const message =
      "dockerfile:1: python:3.12-slim: pull access denied for python, repository does not exist or may require 'docker login'";
    const evs: BuildEvent[] = [
      { type: 'step-start', step: 1, total: 4, stage: '', label: '1/4', instruction: 'FROM python:3.12-slim', line: 1, at: T },
      { type: 'step-error', step: 1, message },
      { type: 'build-end', outcome: 'failed', message, line: 1 },
    ];
    const view = buildStepsView(evs);
    expectGolden('build-from-failed', formatBuild(view));
    const shown = message.slice('dockerfile:1: '.length);
    expect(view).toMatchObject({ state: 'failed', failed: true, finished: false, stoppedAt: 1, error: shown, errorLine: 1, total: 4 });
    expect(view.steps.map((s) => s.state)).toEqual(['error']);
    // without the step's own event (an engine that only says how the build ended) the running step is the failed one
    expect(buildStepsView([evs[0]!, evs[2]!]).steps[0]).toMatchObject({ state: 'error', error: shown });
    // and it no longer runs: its clock stops
    expect(stepTimeLabel(view.steps[0]!, T + 60_000)).toBe('');
  });

  it('Ctrl-C mid-RUN: the running step and the build end cancelled (golden)', () => {
    const T = Date.parse('2026-03-01T12:03:00Z');
    const evs = [
      ...events([
        { label: '[1/2] FROM busybox', line: 1, ms: 20, at: T },
        {
          label: '[2/2] RUN for i in 1 2 3; do echo line$i; sleep 1; done',
          line: 2,
          stdout: ['line1\n', 'line2\n'],
          cancelled: true,
          at: T + 20,
        },
      ]),
      { type: 'build-end', outcome: 'cancelled', message: 'build cancelled' } as const,
    ];
    const view = buildStepsView(evs);
    expectGolden('build-cancelled', formatBuild(view));
    expect(view).toMatchObject({ state: 'cancelled', cancelled: true, failed: false, finished: false, stoppedAt: 2, error: '' });
    expect(view.steps[1]).toMatchObject({ state: 'cancelled', reason: 'cancelled', error: '' });
    // a cancel between steps: no step is marked
    const between = buildStepsView([
      ...events([{ label: '[1/2] FROM busybox', line: 1 }]),
      { type: 'build-end', outcome: 'cancelled', message: 'build cancelled' },
    ]);
    expect(between).toMatchObject({ state: 'cancelled', stoppedAt: null });
    expect(between.alt).toMatch(/^The build was cancelled\. /);
  });

  it('a failure before the first step (a syntax error) ends the build', () => {
    const view = buildStepsView([{ type: 'build-end', outcome: 'failed', message: 'dockerfile:2: unknown instruction: FROB', line: 2 }]);
    expect(view).toMatchObject({
      state: 'failed',
      failed: true,
      steps: [],
      stoppedAt: null,
      error: 'unknown instruction: FROB',
      errorLine: 2,
    });
    expect(view.alt).toBe('The build failed before its first step: unknown instruction: FROB');
    // a failure in an instruction that is not a step (ENV, HEALTHCHECK…) after steps that ran
    const later = buildStepsView([
      ...events([{ label: '[1/1] FROM busybox', line: 1 }]),
      { type: 'build-end', outcome: 'failed', message: 'dockerfile:2: unknown flag: --bogus', line: 2 },
    ]);
    expect(later).toMatchObject({ state: 'failed', stoppedAt: null, errorLine: 2, error: 'unknown flag: --bogus' });
  });

  it("a running step: its clock runs from the engine's start time, and its last two lines show", () => {
    const T = Date.parse('2026-03-01T12:03:00Z');
    const view = buildStepsView(
      events([
        { label: '[1/4] FROM python:3.11-slim', line: 1, ms: 300, at: T },
        { label: '[2/4] WORKDIR /app', line: 2, cached: true, at: T + 300 },
        { label: '[3/4] COPY . /app', line: 3, ms: 100, at: T + 310 },
        { label: '[4/4] RUN pip install -r requirements.txt', line: 4, running: true, at: T + 410, stdout: PIP_OUTPUT.slice(0, 3) },
      ]),
    );
    expect(view).toMatchObject({ state: 'running', finished: false, failed: false, cancelled: false, startedAt: T });
    const pip = view.steps[3]!;
    expect(pip).toMatchObject({ state: 'running', startedAt: T + 410, timeLabel: '' });
    expect(stepTimeLabel(pip, T + 410 + 12_345)).toBe('12.3s');
    expect(stepTimeLabel(view.steps[0]!, T + 99_000)).toBe('0.3s');
    expect(buildElapsedLabel(view, T + 61_000)).toBe('61.0s');
    expect(pip.tail.map((l) => l.text)).toEqual([
      'Processing /usr/share/layerlab/wheels/Flask-2.2.2-py3-none-any.whl',
      'Processing /usr/share/layerlab/wheels/Werkzeug-2.2.2-py3-none-any.whl',
    ]);
    // an engine that gives no start time: no clock, rather than a wrong one
    expect(stepTimeLabel({ ...pip, startedAt: undefined }, T)).toBe('');
  });

  it('a build that ended well says so even before the view saw every step done', () => {
    const view = buildStepsView([
      ...events([{ label: '[1/1] FROM busybox', line: 1, ms: 5 }]),
      { type: 'build-end', outcome: 'done', message: '', imageId: 'sha256:' + 'a'.repeat(64) },
    ]);
    expect(view).toMatchObject({ state: 'done', finished: true });
  });

  it('says which build a reload interrupted, and where', () => {
    const started = new Date(2026, 2, 1, 12, 3, 30); // local time, as the page shows it
    expect(
      interruptedBuildNotice({
        startedAt: started.toISOString(),
        tags: ['app', 'app:2'],
        step: '[4/4] RUN pip install -r requirements.txt',
      }),
    ).toBe(
      'The build of app (started 12:03) was interrupted at [4/4] RUN pip install -r requirements.txt when the page was reloaded or closed. Nothing was tagged.',
    );
    expect(interruptedBuildNotice({ startedAt: new Date(2026, 2, 1, 9, 5).toISOString(), tags: [], step: '' })).toBe(
      'A build (started 09:05) was interrupted when the page was reloaded or closed. Nothing was tagged.',
    );
  });

  it('prints times like BuildKit', () => {
    expect([0, 49, 50, 412, 8412.6, 61_000].map(buildTimeLabel)).toEqual(['0.0s', '0.0s', '0.1s', '0.4s', '8.4s', '61.0s']);
  });
});
