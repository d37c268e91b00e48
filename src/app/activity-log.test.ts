import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { ActivityLog } from './activity-log.ts';

const command = (at: number, line = `echo ${at}`) => ({ at, line, exitCode: 0, output: `${at}\n` });

describe('ActivityLog', () => {
  it('keeps commands and builds across a reload (a new log on the same database)', async () => {
    const name = `activity-${Math.random()}`;
    const a = new ActivityLog(name);
    void a.addBuild({ at: 9, tags: ['hello-py:latest'], steps: [{ instruction: 'FROM python:3.11-slim', cached: true, ms: 1 }] });
    // a resolved add means it and every earlier add are stored
    await a.addCommand(command(10, 'docker run --rm hello-py pip list'));
    const b = new ActivityLog(name);
    const all = await b.since(0);
    expect(all.commands.map((c) => c.line)).toEqual(['docker run --rm hello-py pip list']);
    expect(all.builds.map((x) => x.tags)).toEqual([['hello-py:latest']]);
  });

  it('returns only what finished at or after `since`, oldest first', async () => {
    const log = new ActivityLog(`activity-${Math.random()}`);
    for (const at of [1, 5, 9]) log.addCommand(command(at));
    expect((await log.since(5)).commands.map((c) => c.at)).toEqual([5, 9]);
    expect((await log.since(10)).commands).toEqual([]);
  });

  it('keeps the newest `limit` of each kind, in memory and stored', async () => {
    const name = `activity-${Math.random()}`;
    const a = new ActivityLog(name, 3);
    for (let at = 1; at <= 4; at++) void a.addCommand(command(at));
    await a.addCommand(command(5));
    expect((await a.since(0)).commands.map((c) => c.at)).toEqual([3, 4, 5]);
    expect((await new ActivityLog(name, 3).since(0)).commands.map((c) => c.at)).toEqual([3, 4, 5]);
  });

  it('puts commands added while the stored log loads after the stored ones', async () => {
    const name = `activity-${Math.random()}`;
    const a = new ActivityLog(name);
    await a.addCommand(command(1));
    const b = new ActivityLog(name);
    const stored = b.addCommand(command(2)); // before b has loaded
    expect((await b.since(0)).commands.map((c) => c.at)).toEqual([1, 2]);
    await stored;
    expect((await new ActivityLog(name).since(0)).commands.map((c) => c.at)).toEqual([1, 2]);
  });

  it('keeps removed containers and volumes across a reload, and what happened at or after `since`', async () => {
    const name = `activity-${Math.random()}`;
    const a = new ActivityLog(name);
    void a.addRemoval({ at: 3, kind: 'container', name: 'sleepy' });
    await a.addRemoval({ at: 7, kind: 'volume', name: 'notebook' });
    expect((await new ActivityLog(name).since(0)).removals).toEqual([
      { at: 3, kind: 'container', name: 'sleepy' },
      { at: 7, kind: 'volume', name: 'notebook' },
    ]);
    expect((await new ActivityLog(name).since(5)).removals.map((r) => r.name)).toEqual(['notebook']);
  });

  it('opens a log written before removals were kept: its commands stay, and removals are stored', async () => {
    const name = `activity-${Math.random()}`;
    const old = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('commands', { autoIncrement: true });
        db.createObjectStore('builds', { autoIncrement: true });
      },
    });
    await old.add('commands', command(1));
    old.close();
    const log = new ActivityLog(name);
    await log.addRemoval({ at: 2, kind: 'container', name: 'x' });
    const again = await new ActivityLog(name).since(0);
    expect(again.commands.map((c) => c.at)).toEqual([1]);
    expect(again.removals.map((r) => r.name)).toEqual(['x']);
  });
});
