import { describe, expect, it } from 'vitest';
import { runDocker } from './run.ts';
import { captureIO, FakeEngine } from './testkit.ts';

async function docker(engine: FakeEngine, argv: string[], stdin?: string) {
  const cap = captureIO();
  const running = runDocker(argv, cap.io, engine);
  if (stdin !== undefined) {
    await new Promise((r) => setTimeout(r, 5));
    cap.stdin(stdin);
  }
  const code = await running;
  return { code, out: cap.out(), err: cap.err() };
}

describe('docker builder and docker buildx', () => {
  it('builder prune asks first, then says what it deleted', async () => {
    const engine = new FakeEngine();
    const r = await docker(engine, ['builder', 'prune'], 'y\n');
    expect(r.out).toBe(
      'WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N] Deleted build cache objects:\nkx4b2v3c1m0n\n\nTotal reclaimed space: 2.048kB\n',
    );
    const no = await docker(engine, ['buildx', 'prune', '-a'], 'n\n');
    expect(no.out).toBe('WARNING! This will remove all build cache. Are you sure you want to continue? [y/N] ');
    expect(engine.methods().filter((m) => m === 'buildCache.prune')).toHaveLength(1);
  });

  it('buildx build, buildx b and builder build are docker build', async () => {
    for (const argv of [
      ['buildx', 'build'],
      ['buildx', 'b'],
      ['builder', 'build'],
    ]) {
      const r = await docker(new FakeEngine(), [...argv, '--help']);
      expect(r.out).toContain('Build an image from a Dockerfile');
      expect(r.out).toContain('--no-cache');
    }
  });
});
