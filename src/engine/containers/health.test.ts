import { describe, expect, it } from 'vitest';
import type { AttachedProcess } from '../api.ts';
import { HealthChecks, probeArgv } from './health.ts';
import type { ContainerRecord, HealthState } from './types.ts';

/** A probe that exits with the next code of `codes` (the last one repeats). */
function probes(codes: number[]) {
  const ran: string[][] = [];
  const exec = async (_id: string, argv: string[]): Promise<AttachedProcess> => {
    ran.push(argv);
    const code = codes.length > 1 ? codes.shift()! : codes[0]!;
    return {
      onStdout: (l) => (l(new TextEncoder().encode(`probe ${ran.length}\n`)), () => {}),
      onStderr: () => () => {},
      write: () => {},
      closeStdin: () => {},
      resize: () => {},
      kill: () => {},
      exit: Promise.resolve(code),
    };
  };
  return { exec, ran };
}

function record(healthcheck: ContainerRecord['config']['healthcheck']): ContainerRecord {
  return { id: 'c1', config: { healthcheck } } as unknown as ContainerRecord;
}

describe('HealthChecks', () => {
  it('needs `retries` failures in a row for unhealthy, and one success for healthy; keeps five results', async () => {
    const { exec } = probes([1, 0, 1, 1, 1, 1, 1]);
    const saved: HealthState[] = [];
    const changes: string[] = [];
    const checks = new HealthChecks({
      exec,
      save: async (_id, h) => void saved.push(h),
      changed: (_id, s) => void changes.push(s),
      now: () => new Date(),
    });
    expect(checks.start(record({ Test: ['CMD', 'true'], Interval: 5e6, Retries: 2 }))?.status).toBe('starting');
    await new Promise((r) => setTimeout(r, 120));
    checks.stop('c1');
    expect(changes.slice(0, 2)).toEqual(['healthy', 'unhealthy']);
    expect(saved[0]).toMatchObject({ status: 'starting', failingStreak: 1 });
    expect(saved[1]).toMatchObject({ status: 'healthy', failingStreak: 0 });
    expect(saved[3]).toMatchObject({ status: 'unhealthy', failingStreak: 2 });
    expect(saved.at(-1)!.log).toHaveLength(5);
    expect(saved[0]!.log[0]).toMatchObject({ exitCode: 1, output: 'probe 1\n' });
  });

  it('does not count failures in the start period', async () => {
    const { exec } = probes([1]);
    const saved: HealthState[] = [];
    const checks = new HealthChecks({ exec, save: async (_id, h) => void saved.push(h), changed: () => {}, now: () => new Date() });
    checks.start(record({ Test: ['CMD', 'false'], Interval: 5e6, StartInterval: 5e6, StartPeriod: 10e9, Retries: 1 }));
    await new Promise((r) => setTimeout(r, 60));
    checks.stop('c1');
    expect(saved.length).toBeGreaterThan(2);
    expect(saved.every((h) => h.status === 'starting' && h.failingStreak === 0)).toBe(true);
  });

  it('runs CMD-SHELL through /bin/sh -c, and CMD as given', () => {
    expect(probeArgv({ Test: ['CMD-SHELL', 'curl -f localhost'] })).toEqual(['/bin/sh', '-c', 'curl -f localhost']);
    expect(probeArgv({ Test: ['CMD', 'pg_isready', '-q'] })).toEqual(['pg_isready', '-q']);
  });
});
