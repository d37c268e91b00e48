import { describe, expect, it } from 'vitest';
import { dockerOn as docker, scriptedEngine } from '../../../tests/fixtures/scripted-engine.ts';

describe('--memory-swap', () => {
  it('warns as the daemon does on a machine without swap, and refuses what the daemon refuses', async () => {
    const engine = await scriptedEngine();
    const created = await docker(engine, 'create', '--name', 'swapper', '-m', '16m', '--memory-swap', '64m', 'busybox', 'true');
    expect(created.err).toBe(
      'WARNING: Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.\n',
    );
    expect((await engine.containers.inspect('swapper')).HostConfig).toMatchObject({ Memory: 16 << 20, MemorySwap: 64 << 20 });
    const same = await docker(engine, 'create', '-m', '16m', '--memory-swap', '16m', 'busybox', 'true');
    expect(same.err).toBe('');
    expect((await docker(engine, 'create', '--memory-swap', '64m', 'busybox', 'true')).err).toBe(
      'Error response from daemon: You should always set the Memory limit when using Memoryswap limit, see usage\n',
    );
    expect((await docker(engine, 'create', '-m', '32m', '--memory-swap', '16m', 'busybox', 'true')).err).toBe(
      'Error response from daemon: Minimum memoryswap limit should be larger than memory limit, see usage\n',
    );
  });
});
