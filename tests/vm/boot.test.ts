/**
 * Booting: cold from the kernel, falling back from a broken snapshot, and noticing a guest
 * that stops answering.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VM_DIR, startNodeMachine } from '../../src/runtime/node.ts';
import { CancelledError, collect, type MachineStatus } from '../../src/runtime/types.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function vmCopy(change: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-vm-'));
  cpSync(DEFAULT_VM_DIR, dir, { recursive: true });
  change(dir);
  return dir;
}

describe('booting', () => {
  it('boots cold from the kernel and runs a command', async () => {
    const m = await startNodeMachine({ boot: 'cold', healthInterval: 0 });
    try {
      expect(m.status).toMatchObject({ state: 'running', bootedFrom: 'cold' });
      const r = await collect(await m.spawn({ argv: ['cat', '/proc/cmdline'] }));
      expect(text(r.stdout)).toContain('init_on_free=1');
    } finally {
      await m.stop();
    }
  });

  it('falls back to a cold boot with a notice when the snapshot is corrupt', async () => {
    const dir = vmCopy((d) => {
      const state = readFileSync(join(d, 'state.bin.zst'));
      const i = state.length >> 1;
      state.writeUInt8(state.readUInt8(i) ^ 0xff, i);
      writeFileSync(join(d, 'state.bin.zst'), state);
    });
    const m = await startNodeMachine({ vmDir: dir, healthInterval: 0 });
    try {
      expect(m.status).toMatchObject({ state: 'running', bootedFrom: 'cold' });
      expect((m.status as Extract<MachineStatus, { state: 'running' }>).notice).toMatch(/snapshot file is corrupt/);
      expect((await collect(await m.spawn({ argv: ['true'] }))).status.code).toBe(0);
    } finally {
      await m.stop();
    }
  });

  it('falls back to a cold boot with a notice when the snapshot is missing', async () => {
    const dir = vmCopy((d) => rmSync(join(d, 'state.bin.zst')));
    const m = await startNodeMachine({ vmDir: dir, healthInterval: 0 });
    try {
      expect(m.status).toMatchObject({ state: 'running', bootedFrom: 'cold' });
      expect((m.status as Extract<MachineStatus, { state: 'running' }>).notice).toMatch(/snapshot could not be restored.*state\.bin\.zst/);
    } finally {
      await m.stop();
    }
  });

  it('refuses a snapshot made for another v86 build and boots cold instead', async () => {
    const dir = vmCopy((d) => {
      const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
      manifest.snapshot.v86 = '0.0.1';
      writeFileSync(join(d, 'manifest.json'), JSON.stringify(manifest));
    });
    await expect(startNodeMachine({ vmDir: dir, boot: 'snapshot', healthInterval: 0 })).rejects.toThrow(/v86 0\.0\.1/);
  });

  it('cancels a start through its AbortSignal', async () => {
    const controller = new AbortController();
    const p = startNodeMachine({ boot: 'cold', signal: controller.signal, healthInterval: 0 });
    setTimeout(() => controller.abort(), 300);
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });

  it('reports a guest that stops answering within a few seconds, and recovers when it answers again', async () => {
    const m = await startNodeMachine({ boot: 'snapshot', healthInterval: 500, healthTimeout: 2000 });
    try {
      const states: string[] = [];
      m.onStatus((s) => states.push(s.state));
      await m.suspend();
      const t0 = Date.now();
      await new Promise<void>((resolve) => {
        const off = m.onStatus((s) => {
          if (s.state === 'unresponsive') {
            off();
            resolve();
          }
        });
      });
      expect(Date.now() - t0).toBeLessThan(5000);
      await expect(m.spawn({ argv: ['true'] })).rejects.toThrow(/not answering/);
      await m.resume();
      await new Promise((r) => setTimeout(r, 1500));
      expect(m.status.state).toBe('running');
      expect(states).toEqual(['unresponsive', 'running']);
    } finally {
      await m.stop();
    }
  });
});
