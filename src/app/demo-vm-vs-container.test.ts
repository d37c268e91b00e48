import { describe, expect, it } from 'vitest';
import { DEMO_COMMAND, measureVmVsContainer, median, TIMED_RUNS, WARM_UP_RUNS, type DemoDeps } from './demo-vm-vs-container.ts';

/** A scripted engine and machine on a fake clock: each step advances the clock and is logged. */
function scripted(options: { firstRun?: number; run?: number; boot?: number; failRun?: boolean } = {}) {
  let clock = 0;
  const log: string[] = [];
  let busy = 0;
  let overlap = false;
  const enter = async (name: string, ms: number) => {
    busy++;
    if (busy > 1) overlap = true;
    log.push(name);
    await Promise.resolve();
    clock += ms;
    busy--;
  };
  let runs = 0;
  const deps: DemoDeps = {
    now: () => clock,
    ensureImage: async (ref) => enter(`ensure ${ref}`, 5),
    runContainer: async (argv, onFirstOutput) => {
      expect(argv).toEqual(DEMO_COMMAND);
      // the first run unpacks the image's layer: slow, and it must not be timed
      await enter('container', runs++ === 0 ? (options.firstRun ?? 1800) : (options.run ?? 90));
      onFirstOutput();
      clock += 40; // the process exits and is removed after its first output
      return '6.1.119\nVmHWM:\t     312 kB\nVmRSS:\t     300 kB\n';
    },
    bootMachine: async () => {
      await enter('boot', options.boot ?? 5000);
      return {
        run: async () => {
          log.push('vm run');
          if (options.failRun) throw new Error('no answer');
          return '6.1.119\nMemTotal:          99000 kB\n';
        },
        stop: async () => void log.push('vm stop'),
      };
    },
    hostKernel: async () => '6.1.119',
  };
  return { deps, log, overlap: () => overlap };
}

describe('measureVmVsContainer', () => {
  it('times containers after untimed warm-up runs, then the boot of a second machine, never overlapping', async () => {
    const s = scripted();
    const r = await measureVmVsContainer(s.deps);
    expect(s.log).toEqual(['ensure busybox', ...Array(WARM_UP_RUNS + TIMED_RUNS).fill('container'), 'boot', 'vm run', 'vm stop']);
    expect(s.overlap()).toBe(false);
    // the slow first run (unpacking the layer) is not among the timed ones
    expect(r.containerRuns).toEqual(Array(TIMED_RUNS).fill(90));
    expect(r.containerStartMs).toBe(90);
    expect(r.vmBootMs).toBe(5000);
  });

  it('reports the two kernels, the VM memory and the container process memory', async () => {
    const r = await measureVmVsContainer(scripted().deps);
    expect(r).toMatchObject({
      vmKernel: '6.1.119',
      containerKernel: '6.1.119',
      hostKernel: '6.1.119',
      vmMemTotal: 99000 * 1024,
      containerRss: 312 * 1024,
    });
  });

  it('stops the second machine when asking it fails', async () => {
    const s = scripted({ failRun: true });
    await expect(measureVmVsContainer(s.deps)).rejects.toThrow('no answer');
    expect(s.log.at(-1)).toBe('vm stop');
  });

  it('shows the same figure on a first and a later press when the machine is equally fast', async () => {
    const first = await measureVmVsContainer(scripted({ firstRun: 1900 }).deps);
    const later = await measureVmVsContainer(scripted({ firstRun: 90 }).deps);
    expect(first.containerStartMs).toBe(later.containerStartMs);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([300, 90, 100, 95, 2000])).toBe(100);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});
