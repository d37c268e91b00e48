import { describe, expect, it } from 'vitest';
import { Leases } from './leases.ts';

describe('Leases', () => {
  it('is active while any holder runs, and idle resolves when the last one ends', async () => {
    const leases = new Leases();
    expect(leases.active).toBe(false);
    await leases.idle();
    let endA!: () => void;
    let endB!: () => void;
    const a = leases.hold(() => new Promise<void>((r) => (endA = r)));
    const b = leases.hold(() => new Promise<void>((r) => (endB = r)));
    let idle = false;
    void leases.idle().then(() => (idle = true));
    expect(leases.active).toBe(true);
    endA();
    await a;
    await Promise.resolve();
    expect(idle).toBe(false);
    endB();
    await b;
    await Promise.resolve();
    expect(idle).toBe(true);
    expect(leases.active).toBe(false);
  });

  it('ends the lease when the holder fails', async () => {
    const leases = new Leases();
    await expect(leases.hold(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(leases.active).toBe(false);
  });
});
