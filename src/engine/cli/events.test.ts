import { describe, expect, it } from 'vitest';
import { EventLog } from '../events.ts';
import { runDocker } from './run.ts';
import { captureIO, FakeEngine } from './testkit.ts';
import { eventLine } from './events.ts';

function engineWithEvents(): FakeEngine {
  const engine = new FakeEngine();
  const log = engine.eventLog;
  engine.eventClock = new Date('2024-05-01T12:00:00.123Z');
  log.record('container', 'create', 'f1e2d3c4b5a6'.padEnd(64, '0'), { image: 'busybox', name: 'web', tier: 'front' });
  engine.eventClock = new Date('2024-05-01T12:00:01Z');
  log.record('container', 'start', 'f1e2d3c4b5a6'.padEnd(64, '0'), { image: 'busybox', name: 'web', tier: 'front' });
  log.record('network', 'create', 'a'.repeat(64), { name: 'app', type: 'bridge' });
  log.record('container', 'exec_create: sh -c ls', 'f1e2d3c4b5a6'.padEnd(64, '0'), { execID: 'e1', image: 'busybox', name: 'web' });
  engine.eventClock = new Date('2024-05-01T12:00:05Z');
  log.record('container', 'die', 'f1e2d3c4b5a6'.padEnd(64, '0'), { exitCode: '0', image: 'busybox', name: 'web' });
  log.record('volume', 'create', 'data', { driver: 'local' });
  engine.eventClock = new Date('2024-05-01T12:10:00Z');
  return engine;
}

async function docker(engine: FakeEngine, argv: string[]) {
  const cap = captureIO({ now: '2024-05-01T12:10:00Z' });
  const code = await runDocker(argv, cap.io, engine);
  return { code, out: cap.out(), err: cap.err() };
}

describe('docker events', () => {
  it("prints past events in docker/cli's words, attributes sorted, up to --until", async () => {
    const r = await docker(engineWithEvents(), ['events', '--since', '2024-05-01T12:00:00Z', '--until', '2024-05-01T12:00:02Z']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        `2024-05-01T12:00:00.123000000Z container create f1e2d3c4b5a6${'0'.repeat(52)} (image=busybox, name=web, tier=front)`,
        `2024-05-01T12:00:01.000000000Z container start f1e2d3c4b5a6${'0'.repeat(52)} (image=busybox, name=web, tier=front)`,
        `2024-05-01T12:00:01.000000000Z network create ${'a'.repeat(64)} (name=app, type=bridge)`,
        `2024-05-01T12:00:01.000000000Z container exec_create: sh -c ls f1e2d3c4b5a6${'0'.repeat(52)} (execID=e1, image=busybox, name=web)`,
        '',
      ].join('\n'),
    );
  });

  it('filters by type, event, container, label, and refuses an unknown filter as the daemon does', async () => {
    const engine = engineWithEvents();
    const since = ['--since', '1h', '--until', '0s'];
    const lines = async (...f: string[]) =>
      (await docker(engine, ['events', ...since, ...f])).out
        .trim()
        .split('\n')
        .map((l) => l.split(' ').slice(1, 3).join(' '));
    expect(await lines('--filter', 'type=volume')).toEqual(['volume create']);
    expect(await lines('-f', 'event=exec_create')).toEqual(['container exec_create:']);
    expect(await lines('-f', 'container=web', '-f', 'event=die')).toEqual(['container die']);
    expect(await lines('-f', 'label=tier=front')).toEqual(['container create', 'container start']);
    const bad = await docker(engine, ['events', '-f', 'colour=red', ...since]);
    expect([bad.code, bad.err]).toEqual([1, "Error response from daemon: invalid filter 'colour'\n"]);
  });

  it('formats with a Go template, and follows live events until Ctrl-C', async () => {
    const engine = engineWithEvents();
    const json = await docker(engine, [
      'system',
      'events',
      '--since',
      '1h',
      '--until',
      '0s',
      '--format',
      '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}',
      '-f',
      'type=container',
    ]);
    expect(json.out.split('\n')[0]).toBe('container create web');
    const cap = captureIO();
    const running = runDocker(['events'], cap.io, engine);
    await new Promise((r) => setTimeout(r, 10));
    engine.eventLog.record('image', 'tag', 'sha256:' + 'b'.repeat(64), { name: 'mine:1' });
    await new Promise((r) => setTimeout(r, 10));
    cap.interrupt();
    expect(await running).toBe(0);
    expect(cap.out()).toBe(`2024-05-01T12:10:00.000000000Z image tag sha256:${'b'.repeat(64)} (name=mine:1)\n`);
  });

  it('prints a zone offset as Go does', () => {
    const log = new EventLog(() => new Date('2024-05-01T12:00:00Z'));
    let e;
    log.record('volume', 'create', 'v', {});
    void log.events({ since: 0, until: 1714564800, onEvent: (x) => (e = x) });
    expect(eventLine(e!, 120)).toBe('2024-05-01T14:00:00.000000000+02:00 volume create v');
  });
});
