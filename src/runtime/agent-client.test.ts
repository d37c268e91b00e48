import { describe, expect, it } from 'vitest';
import { AgentClient } from './agent-client.ts';
import {
  FrameDecoder,
  GuestMessage,
  HostMessage,
  INITIAL_CREDIT,
  STDIN_WINDOW,
  encodeFrame,
  readU32,
  u32,
  type Frame,
} from './protocol.ts';
import { ProcessStartError } from './types.ts';

/** A scripted agent: records what the host sends and lets the test answer. */
function harness() {
  const sent: Frame[] = [];
  const decoder = new FrameDecoder();
  const client = new AgentClient({ send: (bytes) => sent.push(...decoder.push(bytes)) });
  const reply = (type: number, session: number, payload?: Uint8Array) => client.receive(encodeFrame(type, session, payload));
  const of = (type: number) => sent.filter((f) => f.type === type);
  return { client, sent, reply, of };
}

async function started(h: ReturnType<typeof harness>, spec = { argv: ['x'] }) {
  const p = h.client.spawn(spec);
  const sid = h.of(HostMessage.Spawn).at(-1)!.session;
  h.reply(GuestMessage.Started, sid, u32(42));
  return { proc: await p, sid };
}

describe('AgentClient', () => {
  it('starts a session and resolves its exit after the output', async () => {
    const h = harness();
    const { proc, sid } = await started(h);
    expect(proc.pid).toBe(42);
    const out: string[] = [];
    proc.onStdout((d) => out.push(new TextDecoder().decode(d)));
    h.reply(GuestMessage.Stdout, sid, new TextEncoder().encode('hello'));
    const exit = new Uint8Array(9);
    new DataView(exit.buffer).setInt32(0, 3, true);
    h.reply(GuestMessage.Exit, sid, exit);
    expect(await proc.exit).toEqual({ code: 3, signal: 0, oomKilled: false });
    expect(out).toEqual(['hello']);
    expect(h.client.activeSessions).toBe(0);
  });

  it('keeps output until a listener attaches', async () => {
    const h = harness();
    const { proc, sid } = await started(h);
    h.reply(GuestMessage.Stderr, sid, new Uint8Array([1, 2, 3]));
    const got: number[] = [];
    proc.onStderr((d) => got.push(...d));
    expect(got).toEqual([1, 2, 3]);
  });

  it('returns output credit as listeners take data, and holds it while paused', async () => {
    const h = harness();
    const { proc, sid } = await started(h);
    let received = 0;
    proc.onStdout((d) => (received += d.length));
    proc.pause();
    const chunk = new Uint8Array(32 * 1024);
    for (let i = 0; i < INITIAL_CREDIT / chunk.length; i++) h.reply(GuestMessage.Stdout, sid, chunk);
    expect(received).toBe(0);
    expect(h.of(HostMessage.Credit)).toHaveLength(0);
    proc.resume();
    expect(received).toBe(INITIAL_CREDIT);
    const credited = h.of(HostMessage.Credit).reduce((n, f) => n + readU32(f.payload), 0);
    expect(credited).toBe(INITIAL_CREDIT);
  });

  it('keeps at most a window of stdin in flight and sends EOF after the queue', async () => {
    const h = harness();
    const { proc, sid } = await started(h);
    proc.write(new Uint8Array(STDIN_WINDOW * 3));
    proc.closeStdin();
    const inFlight = () => h.of(HostMessage.Stdin).reduce((n, f) => n + f.payload.length, 0);
    expect(inFlight()).toBe(STDIN_WINDOW);
    expect(h.of(HostMessage.StdinEof)).toHaveLength(0);
    h.reply(GuestMessage.StdinAck, sid, u32(STDIN_WINDOW));
    h.reply(GuestMessage.StdinAck, sid, u32(STDIN_WINDOW));
    expect(inFlight()).toBe(STDIN_WINDOW * 3);
    expect(h.of(HostMessage.StdinEof)).toHaveLength(1);
  });

  it('rejects a spawn the agent refuses', async () => {
    const h = harness();
    const p = h.client.spawn({ argv: ['x'] });
    h.reply(GuestMessage.Failed, h.of(HostMessage.Spawn)[0]!.session, new TextEncoder().encode('too many sessions'));
    await expect(p).rejects.toBeInstanceOf(ProcessStartError);
  });

  it('fails every session when the guest is lost', async () => {
    const h = harness();
    const { proc } = await started(h);
    h.client.fail(new Error('gone'));
    await expect(proc.exit).rejects.toThrow('gone');
    await expect(h.client.spawn({ argv: ['y'] })).rejects.toThrow('gone');
  });

  it('measures a ping and times out when no pong comes', async () => {
    const h = harness();
    const p = h.client.ping(1000);
    const ping = h.of(HostMessage.Ping)[0]!;
    h.reply(GuestMessage.Pong, 0, ping.payload);
    expect(await p).toBeGreaterThanOrEqual(0);
    await expect(h.client.ping(20)).rejects.toThrow(/did not answer/);
  });

  it('sends signals by name and number', async () => {
    const h = harness();
    const { proc } = await started(h);
    proc.kill('SIGTERM');
    proc.kill(2);
    proc.kill();
    expect(h.of(HostMessage.Signal).map((f) => readU32(f.payload))).toEqual([15, 2, 9]);
  });
});

describe('AgentClient output after exit', () => {
  it('keeps output that arrived with the exit until a listener attaches', async () => {
    const h = harness();
    const p = h.client.spawn({ argv: ['x'] });
    const sid = h.of(HostMessage.Spawn)[0]!.session;
    // STARTED, STDOUT and EXIT in one chunk, before the caller could attach a listener
    h.client.receive(
      new Uint8Array([
        ...encodeFrame(GuestMessage.Started, sid, u32(7)),
        ...encodeFrame(GuestMessage.Stdout, sid, new TextEncoder().encode('late')),
        ...encodeFrame(GuestMessage.Exit, sid, new Uint8Array(9)),
      ]),
    );
    const proc = await p;
    const got: string[] = [];
    proc.onStdout((d) => got.push(new TextDecoder().decode(d)));
    expect(await proc.exit).toMatchObject({ code: 0 });
    expect(got).toEqual(['late']);
  });
});
