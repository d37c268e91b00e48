import { describe, expect, it } from 'vitest';
import { runDocker } from './run.ts';
import { captureIO, FakeEngine } from './testkit.ts';

function engineWith() {
  const engine = new FakeEngine();
  engine.addContainer({ name: 'web', id: 'a'.repeat(64), state: 'running' });
  engine.addContainer({ name: 'old', id: 'b'.repeat(64), state: 'exited' });
  return engine;
}

describe('docker stats', () => {
  it('--no-stream prints one table with Docker’s columns, running containers only unless -a', async () => {
    const cap = captureIO();
    expect(await runDocker(['stats', '--no-stream'], cap.io, engineWith())).toBe(0);
    expect(cap.out()).toBe(
      'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS\n' +
        'aaaaaaaaaaaa   web       1.50%     1MiB / 256MiB       0.39%     0B / 0B   0B / 0B     1\n',
    );
    const all = captureIO();
    await runDocker(['stats', '--no-stream', '-a', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}}'], all.io, engineWith());
    expect(all.out()).toBe('web 1.50% 1MiB / 256MiB\nold -- -- / --\n');
  });

  it('streams, redrawing the table on a terminal, until interrupted', async () => {
    const cap = captureIO({ tty: true });
    const running = runDocker(['stats', 'web'], cap.io, engineWith());
    await new Promise((r) => setTimeout(r, 50));
    cap.interrupt();
    expect(await running).toBe(0);
    expect(cap.out().startsWith('\x1b[2J\x1b[HCONTAINER ID')).toBe(true);
    expect(cap.out()).toContain('web');
  });
});
