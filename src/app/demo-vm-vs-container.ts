/**
 * The `vm-vs-container` lesson demo, measured the same way on every press: first the container
 * (after untimed warm-up runs, so its image is downloaded and unpacked, its first overlay mounted,
 * and the emulator has already run the same code), then a second machine booted from its kernel.
 * The two are timed one after the other, never overlapping, so neither takes the CPU from the other.
 * The worker supplies the real engine and machine; unit tests a scripted double.
 */
import type { VmVsContainerResult } from '../content/types.ts';

/** The command each measured container runs: what the demo's table reports comes from it. */
export const DEMO_COMMAND = ['sh', '-c', 'uname -r; grep -E "^(VmRSS|VmHWM)" /proc/self/status'];
/**
 * Untimed runs before the timed ones. v86 compiles guest code only after it ran often (a restored
 * snapshot keeps none compiled): with two, a first press measured 125 ms and the second 37 ms in
 * the page; six let the container-start paths be compiled before the timing.
 */
export const WARM_UP_RUNS = 6;
/** Timed runs; the demo shows their median. */
export const TIMED_RUNS = 5;

/** A second machine booted for the demo. */
export interface DemoMachine {
  /** Runs a command on it and returns what it printed. */
  run(argv: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** What the demo needs from the engine and the runtime. */
export interface DemoDeps {
  /** Milliseconds from a fixed point (`performance.now`). */
  now(): number;
  /** Pulls the image unless it is stored. */
  ensureImage(ref: string): Promise<void>;
  /**
   * `docker run --rm busybox ARGV`: calls `onFirstOutput` when its process first prints, and
   * resolves with all it printed once it has exited and is removed.
   */
  runContainer(argv: string[], onFirstOutput: () => void): Promise<string>;
  /** Boots a second machine from its kernel, resolving once a program in it answers. */
  bootMachine(): Promise<DemoMachine>;
  /** The kernel of the machine the containers run on. */
  hostKernel(): Promise<string>;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs the demo: warm-up, timed container starts, then the timed boot of a second machine. */
export async function measureVmVsContainer(deps: DemoDeps): Promise<VmVsContainerResult> {
  await deps.ensureImage('busybox');
  for (let i = 0; i < WARM_UP_RUNS; i++) await deps.runContainer(DEMO_COMMAND, () => {});
  const containerRuns: number[] = [];
  let text = '';
  for (let i = 0; i < TIMED_RUNS; i++) {
    const t = deps.now();
    let first: number | undefined;
    text = await deps.runContainer(DEMO_COMMAND, () => (first ??= deps.now() - t));
    containerRuns.push(first ?? deps.now() - t);
  }

  const t0 = deps.now();
  const second = await deps.bootMachine();
  const vmBootMs = deps.now() - t0;
  let info: string;
  try {
    info = await second.run(['sh', '-c', 'uname -r; grep MemTotal /proc/meminfo']);
  } finally {
    await second.stop();
  }
  const kb = (re: RegExp, from: string) => Number(re.exec(from)?.[1] ?? 0) * 1024;
  return {
    vmBootMs,
    containerStartMs: median(containerRuns),
    containerRuns,
    vmKernel: info.split('\n')[0]?.trim() ?? '',
    vmMemTotal: kb(/MemTotal:\s+(\d+)/, info),
    containerKernel: text.split('\n')[0]?.trim() ?? '',
    hostKernel: await deps.hostKernel(),
    containerRss: kb(/VmHWM:\s+(\d+)/, text) || kb(/VmRSS:\s+(\d+)/, text),
  };
}
