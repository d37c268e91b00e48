import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../api.ts';
import { RestartPolicies } from './restart.ts';
import type { ContainerRecord } from './types.ts';

function record(policy: RestartPolicy | undefined, restartCount = 0, startedAt = '2024-05-01T12:00:00.000Z'): ContainerRecord {
  return { id: 'c1', restartCount, hostConfig: { restartPolicy: policy }, state: { startedAt } } as unknown as ContainerRecord;
}
const soon = '2024-05-01T12:00:01.000Z';

describe('RestartPolicies', () => {
  it('waits 100 ms, then twice as long each time up to a minute, and from 100 ms again after a 10-second run', () => {
    const p = new RestartPolicies();
    const always = record({ Name: 'always', MaximumRetryCount: 0 });
    const delays = Array.from({ length: 12 }, () => p.delayFor(always, 0, soon));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
    expect(p.delayFor(always, 0, '2024-05-01T12:00:10.000Z')).toBe(100);
  });

  it('restarts on-failure only after a failure and within its retries; no and none never', () => {
    const p = new RestartPolicies();
    expect(p.delayFor(record({ Name: 'on-failure', MaximumRetryCount: 2 }), 0, soon)).toBeUndefined();
    expect(p.delayFor(record({ Name: 'on-failure', MaximumRetryCount: 2 }, 1), 3, soon)).toBe(100);
    expect(p.delayFor(record({ Name: 'on-failure', MaximumRetryCount: 2 }, 2), 3, soon)).toBeUndefined();
    expect(p.delayFor(record({ Name: 'on-failure', MaximumRetryCount: 0 }, 50), 1, soon)).toBeDefined();
    expect(p.delayFor(record({ Name: 'unless-stopped', MaximumRetryCount: 0 }), 0, soon)).toBeDefined();
    expect(p.delayFor(record({ Name: 'no', MaximumRetryCount: 0 }), 1, soon)).toBeUndefined();
    expect(p.delayFor(record(undefined), 1, soon)).toBeUndefined();
  });

  it('a stop by hand is told once; a cancelled restart never runs', async () => {
    const p = new RestartPolicies();
    p.stoppedByHand('c1');
    expect(p.takeStoppedByHand('c1')).toBe(true);
    expect(p.takeStoppedByHand('c1')).toBe(false);
    let ran = 0;
    p.schedule('c1', 10, async () => void ran++);
    p.cancel('c1');
    p.schedule('c2', 10, async () => void ran++);
    await new Promise((r) => setTimeout(r, 40));
    expect(ran).toBe(1);
  });
});
