import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  GuestMessage,
  HEADER_SIZE,
  HostMessage,
  MAX_PAYLOAD,
  ProtocolError,
  decodeExit,
  decodeSpawnPairs,
  encodeFrame,
  encodeSpawnSpec,
} from './protocol.ts';

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('frames', () => {
  it('round-trips every byte value', () => {
    const frame = encodeFrame(GuestMessage.Stdout, 7, allBytes);
    expect(frame.length).toBe(HEADER_SIZE + 256);
    const [f] = new FrameDecoder().push(frame);
    expect(f!.type).toBe(GuestMessage.Stdout);
    expect(f!.session).toBe(7);
    expect(Array.from(f!.payload)).toEqual(Array.from(allBytes));
  });

  it('reassembles frames split at every possible boundary', () => {
    const stream = new Uint8Array([
      ...encodeFrame(HostMessage.Stdin, 1, allBytes),
      ...encodeFrame(HostMessage.StdinEof, 1),
      ...encodeFrame(HostMessage.Signal, 0xffffffff, new Uint8Array([9, 0, 0, 0])),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(frames.map((f) => [f.type, f.session, f.payload.length])).toEqual([
        [HostMessage.Stdin, 1, 256],
        [HostMessage.StdinEof, 1, 0],
        [HostMessage.Signal, 0xffffffff, 4],
      ]);
      expect(d.pending).toBe(0);
    }
  });

  it('reassembles a stream delivered one byte at a time', () => {
    const big = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
    const stream = encodeFrame(GuestMessage.Stdout, 3, big);
    const d = new FrameDecoder();
    const frames = [];
    for (let i = 0; i < stream.length; i += 997) frames.push(...d.push(stream.subarray(i, i + 997)));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload).toEqual(big);
  });

  it('refuses a frame longer than the limit instead of waiting for it forever', () => {
    const header = new Uint8Array(HEADER_SIZE);
    new DataView(header.buffer).setUint32(5, MAX_PAYLOAD + 1, true);
    expect(() => new FrameDecoder().push(header)).toThrow(ProtocolError);
    expect(() => encodeFrame(1, 1, new Uint8Array(MAX_PAYLOAD + 1))).toThrow(RangeError);
  });

  it('decodes an EXIT payload', () => {
    const p = new Uint8Array(9);
    const v = new DataView(p.buffer);
    v.setInt32(0, 137, true);
    v.setUint32(4, 9, true);
    p[8] = 1;
    expect(decodeExit(p)).toEqual({ code: 137, signal: 9, oomKilled: true });
  });
});

describe('spawn spec', () => {
  it('encodes keys in order, repeating list keys', () => {
    const pairs = decodeSpawnPairs(
      encodeSpawnSpec({
        argv: ['sh', '-c', 'echo "a b"'],
        env: ['PATH=/bin', 'X=ü'],
        cwd: '/app',
        uid: 1000,
        gid: 1000,
        root: '/c/merged',
        namespaces: ['pid', 'mnt'],
        hostname: 'box',
        overlay: { lower: ['/l2', '/l1'], upper: '/u', work: '/w' },
        files: [
          { path: '/c/hosts', content: '127.0.0.1\tlocalhost\n' },
          { path: '/c/hostname', content: 'box\n', ifMissing: true },
        ],
        binds: [{ source: '/v', target: '/data', readonly: true }],
        proc: true,
        cgroup: { name: 'c1', memoryMax: 16 << 20, pidsMax: 20 },
        pty: { rows: 30, cols: 100 },
      }),
    );
    expect(pairs).toEqual([
      ['arg', 'sh'],
      ['arg', '-c'],
      ['arg', 'echo "a b"'],
      ['env', 'PATH=/bin'],
      ['env', 'X=ü'],
      ['cwd', '/app'],
      ['uid', '1000'],
      ['gid', '1000'],
      ['root', '/c/merged'],
      ['ns', 'pid,mnt'],
      ['hostname', 'box'],
      ['lower', '/l2'],
      ['lower', '/l1'],
      ['upper', '/u'],
      ['work', '/w'],
      ['file', '/c/hosts:127.0.0.1\tlocalhost\n'],
      ['file', '?/c/hostname:box\n'],
      ['bind', '/v:/data:ro'],
      ['proc', '1'],
      ['cgroup', 'c1'],
      ['memory.max', String(16 << 20)],
      ['pids.max', '20'],
      ['pty', '30x100'],
    ]);
  });

  it('encodes tmpfs mounts, the /dev/shm size and rlimits', () => {
    const pairs = decodeSpawnPairs(
      encodeSpawnSpec({
        argv: ['true'],
        tmpfs: [{ target: '/run', options: 'size=64m,mode=1777' }, { target: '/cache' }],
        shmSize: 16 << 20,
        rlimits: [
          { name: 'nofile', soft: 1024, hard: 2048 },
          { name: 'stack', soft: -1, hard: -1 },
        ],
      }),
    );
    expect(pairs.slice(1)).toEqual([
      ['tmpfs', '/run:size=64m,mode=1777'],
      ['tmpfs', '/cache'],
      ['shm', String(16 << 20)],
      ['rlimit', 'nofile:1024:2048'],
      ['rlimit', 'stack:-1:-1'],
    ]);
    expect(() => encodeSpawnSpec({ argv: ['x'], tmpfs: [{ target: 'run' }] })).toThrow(/absolute/);
    expect(() => encodeSpawnSpec({ argv: ['x'], rlimits: [{ name: 'NOFILE', soft: 1, hard: 1 }] })).toThrow(/lowercase/);
  });

  it('rejects NUL bytes and empty argv', () => {
    expect(() => encodeSpawnSpec({ argv: ['a\0b'] })).toThrow(/NUL/);
    expect(() => encodeSpawnSpec({ argv: [] })).toThrow(/at least one/);
    expect(() => encodeSpawnSpec({ argv: ['x'], binds: [{ source: '/a:b', target: '/c' }] })).toThrow(/':'/);
    expect(() => encodeSpawnSpec({ argv: ['x'], files: [{ path: '/a:b', content: '' }] })).toThrow(/':'/);
    expect(() => encodeSpawnSpec({ argv: ['x'], files: [{ path: '?a', content: '' }] })).toThrow(/'\?'/);
  });
});
