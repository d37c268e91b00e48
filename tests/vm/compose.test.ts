/**
 * `docker compose` on the real engine and guest, through the CLI as `npx layerlab docker compose`
 * runs it: lesson 11's page-view counter (Flask + Redis, built and pulled), a healthcheck-gated
 * `depends_on`, a restart policy, and `down` / `down -v` with the count kept or lost.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBuildContext } from '../../bin/node-cli-io.ts';
import { nodeHostFS } from '../../bin/node-host-fs.ts';
import type { CliIO } from '../../src/engine/cli/io.ts';
import { runDocker } from '../../src/engine/cli/run.ts';
import { until, useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('compose');

/** A project folder named `counter` holding `files`. */
function project(files: Record<string, string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'layerlab-compose-')), 'counter');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function docker(cwd: string, ...argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => (out += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    stderr: (t) => (err += typeof t === 'string' ? t : new TextDecoder().decode(t)),
    isTTY: false,
    columns: 120,
    rows: 24,
    buildContext: readBuildContext,
    hostFS: nodeHostFS(cwd),
    environment: {},
  };
  const code = await runDocker(argv, io, vm.engine);
  return { code, out, err };
}

/** Lesson 11's own app (Flask counting visits in Redis), its requirements and Dockerfile. */
const LESSON = Object.fromEntries(
  ['app.py', 'requirements.txt', 'Dockerfile'].map((name) => [
    name,
    readFileSync(new URL(`../../lessons/11-compose/start/${name}`, import.meta.url), 'utf8'),
  ]),
);

const COMPOSE = `services:
  web:
    build: .
    ports:
      - "8000:5000"
    depends_on:
      redis:
        condition: service_healthy
  redis:
    image: redis:7
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 1s
      timeout: 3s
      retries: 30
    volumes:
      - redis-data:/data
volumes:
  redis-data:
`;

/** What the web service answers, asked from a container on the project's network. */
async function visit(cwd: string): Promise<string> {
  const r = await docker(cwd, 'run', '--rm', '--network', 'counter_default', 'busybox', 'wget', '-qO-', 'http://web:5000/');
  expect(r.code, r.err).toBe(0);
  return r.out;
}

describe('docker compose on the real guest', () => {
  it(
    'runs the page-view counter: build, pull, healthy redis first, the count kept by down and lost by down -v',
    { timeout: 600_000 },
    async () => {
      const dir = project({ ...LESSON, 'compose.yaml': COMPOSE });
      const up = await docker(dir, 'compose', 'up', '-d');
      expect(up.code, up.err).toBe(0);
      expect(up.err).toContain(' Container counter-redis-1  Healthy');
      expect(up.err.indexOf(' Container counter-redis-1  Healthy')).toBeLessThan(up.err.indexOf(' Container counter-web-1  Started'));
      expect(up.err).toContain(' Service web  Built');
      await until(
        'the web service answers',
        async () =>
          (await docker(dir, 'run', '--rm', '--network', 'counter_default', 'busybox', 'wget', '-qO-', 'http://web:5000/')).code === 0,
        120_000,
      );
      expect(await visit(dir)).toMatch(/^Hello! I have been seen \d+ times\.\n$/);
      const n = Number(/seen (\d+)/.exec(await visit(dir))![1]);

      const ps = await docker(dir, 'compose', 'ps', '--format', '{{.Service}} {{.Status}} {{.Ports}}');
      expect(ps.out).toMatch(/^redis Up .*\(healthy\) 6379\/tcp\nweb Up .* 0\.0\.0\.0:8000->5000\/tcp\n$/);

      // down keeps the named volume: redis saved the count when it was stopped
      expect((await docker(dir, 'compose', 'down')).code).toBe(0);
      expect((await vm.engine.containers.list({ all: true })).map((c) => c.name)).toEqual([]);
      expect((await docker(dir, 'compose', 'up', '-d')).code).toBe(0);
      await until(
        'the web service answers again',
        async () =>
          (await docker(dir, 'run', '--rm', '--network', 'counter_default', 'busybox', 'wget', '-qO-', 'http://web:5000/')).code === 0,
        120_000,
      );
      expect(Number(/seen (\d+)/.exec(await visit(dir))![1])).toBeGreaterThan(n + 1);

      // down -v removes it: the count starts again
      const downV = await docker(dir, 'compose', 'down', '-v');
      expect(downV.err).toContain(' Volume counter_redis-data  Removed');
      expect((await docker(dir, 'compose', 'up', '-d')).code).toBe(0);
      await until(
        'the web service answers after down -v',
        async () =>
          (await docker(dir, 'run', '--rm', '--network', 'counter_default', 'busybox', 'wget', '-qO-', 'http://web:5000/')).code === 0,
        120_000,
      );
      expect(await visit(dir)).toMatch(/seen [12] times/);
      expect((await docker(dir, 'compose', 'down', '-v')).code).toBe(0);
    },
  );

  it('restarts a failing service as its restart policy says', { timeout: 120_000 }, async () => {
    const dir = project({
      'compose.yaml': 'services:\n  flaky:\n    image: busybox\n    command: sh -c "echo attempt; exit 3"\n    restart: on-failure:2\n',
    });
    expect((await docker(dir, 'compose', 'up', '-d')).code).toBe(0);
    await until('two restarts', async () => {
      const s = await vm.engine.containers.inspect('counter-flaky-1');
      return s.RestartCount === 2 && s.State.Status === 'exited';
    });
    const logs = await docker(dir, 'compose', 'logs', '--no-color');
    expect(logs.out).toBe('flaky-1  | attempt\nflaky-1  | attempt\nflaky-1  | attempt\n');
    expect((await docker(dir, 'compose', 'ps', '-a', '--format', '{{.Name}} {{.State}} {{.ExitCode}}')).out).toBe(
      'counter-flaky-1 exited 3\n',
    );
    expect((await docker(dir, 'compose', 'down')).code).toBe(0);
  });
});
