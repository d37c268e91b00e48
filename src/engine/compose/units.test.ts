import { cleanPath } from '../util/paths.ts';
import { describe, expect, it } from 'vitest';
import {
  absolutePath,
  bytes,
  entries,
  formatDuration,
  isIP,
  parseBytes,
  parseDuration,
  parsePortSpec,
  parseVolumeSpec,
  toBoolean,
} from './units.ts';

describe('durations', () => {
  it.each([
    ['1m30s', 90e9],
    ['10s', 10e9],
    ['500ms', 500e6],
    ['1.5h', 5400e9],
    ['2d', 172800e9],
    ['1w', 604800e9],
    ['100us', 100e3],
    ['100µs', 100e3],
    ['3ns', 3],
    ['0', 0],
    ['-1s', -1e9],
    ['1h2m3.5s', 3723.5e9],
  ])('%s is %d ns', (text, ns) => expect(parseDuration(text)).toBe(ns));

  it.each([
    ['', 'time: invalid duration ""'],
    ['10', 'time: missing unit in duration "10"'],
    ['10x', 'time: unknown unit "x" in duration "10x"'],
    ['s', 'time: invalid duration "s"'],
    ['1.s.', 'time: invalid duration "1.s."'],
  ])('%j is refused with Go wording', (text, message) => expect(() => parseDuration(text)).toThrow(message));

  it.each([
    [90e9, '1m30s'],
    [10e9, '10s'],
    [500e6, '500ms'],
    [3600e9, '1h0m0s'],
    [1.5e9, '1.5s'],
    [1500, '1.5µs'],
    [7, '7ns'],
    [0, '0s'],
    [60e9, '1m0s'],
  ])('%d ns prints as %s', (ns, text) => expect(formatDuration(ns)).toBe(text));
});

describe('sizes', () => {
  it.each([
    ['256m', 256 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['512M', 512 * 1024 ** 2],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['1024', 1024],
    ['10kb', 10240],
    ['64 MB', 64 * 1024 ** 2],
    ['100b', 100],
  ])('%s is %d bytes', (text, n) => expect(parseBytes(text)).toBe(n));

  it.each([
    ['abc', "invalid size: 'abc'"],
    ['10x', "invalid suffix: 'x'"],
    ['10mbb', "invalid suffix: 'mbb'"],
    ['-1m', "invalid size: '-1m'"],
  ])('%s is refused', (text, message) => expect(() => parseBytes(text)).toThrow(message));

  it('takes numbers as bytes and names the path in errors', () => {
    expect(bytes(1000, 'x')).toBe(1000);
    expect(() => bytes('lots', 'services.web.mem_limit')).toThrow("services.web.mem_limit: invalid size: 'lots'");
  });
});

describe('ports (short syntax)', () => {
  it('expands the forms Docker accepts', () => {
    expect(parsePortSpec('8000:80')).toEqual([{ target: 80, published: '8000', protocol: 'tcp' }]);
    expect(parsePortSpec('80')).toEqual([{ target: 80, protocol: 'tcp' }]);
    expect(parsePortSpec('127.0.0.1:8000:80/udp')).toEqual([{ target: 80, published: '8000', hostIp: '127.0.0.1', protocol: 'udp' }]);
    expect(parsePortSpec('127.0.0.1::80')).toEqual([{ target: 80, hostIp: '127.0.0.1', protocol: 'tcp' }]);
    expect(parsePortSpec('[::1]:8080:80')).toEqual([{ target: 80, published: '8080', hostIp: '::1', protocol: 'tcp' }]);
    expect(parsePortSpec('8000-8001:80-81')).toEqual([
      { target: 80, published: '8000', protocol: 'tcp' },
      { target: 81, published: '8001', protocol: 'tcp' },
    ]);
    expect(parsePortSpec('8000-8010:80')).toEqual([{ target: 80, published: '8000-8010', protocol: 'tcp' }]);
    expect(parsePortSpec('80/')).toEqual([{ target: 80, protocol: 'tcp' }]);
  });

  it('sorts a range as Compose does (by "port/proto" text)', () => {
    expect(parsePortSpec('9998-10000').map((p) => p.target)).toEqual([10000, 9998, 9999]);
  });

  it.each([
    ['abc', 'invalid containerPort: abc'],
    ['8000:', 'no port specified: 8000:<empty>'],
    ['x:8000:80', 'invalid IP address: x'],
    ['8000-8002:80-81', 'invalid ranges specified for container and host Ports: 80-81 and 8000-8002'],
    ['80/icmp', 'invalid proto: icmp'],
    ['70000', 'invalid containerPort: 70000'],
    ['a:80', 'invalid hostPort: a'],
  ])('%s is refused', (spec, message) => expect(() => parsePortSpec(spec)).toThrow(message));
});

describe('volumes (short syntax)', () => {
  it('tells named volumes, binds and anonymous volumes apart', () => {
    expect(parseVolumeSpec('data:/data')).toEqual({ type: 'volume', source: 'data', target: '/data', readOnly: false, options: [] });
    expect(parseVolumeSpec('./src:/src:ro')).toEqual({ type: 'bind', source: './src', target: '/src', readOnly: true, options: [] });
    expect(parseVolumeSpec('~/x:/x:rw,z')).toEqual({ type: 'bind', source: '~/x', target: '/x', readOnly: false, options: ['z'] });
    expect(parseVolumeSpec('/abs:/abs:nocopy')).toEqual({
      type: 'bind',
      source: '/abs',
      target: '/abs',
      readOnly: false,
      options: ['nocopy'],
    });
    expect(parseVolumeSpec('/cache')).toEqual({ type: 'volume', target: '/cache', readOnly: false, options: [] });
    expect(parseVolumeSpec('${A:-x}:/a')).toEqual({ type: 'volume', source: '${A:-x}', target: '/a', readOnly: false, options: [] });
  });

  it.each([
    ['', 'invalid empty volume spec'],
    ['a::/b', 'invalid spec: a::/b: empty section between colons'],
    ['a:/b:ro:x', 'invalid spec: a:/b:ro:x: too many colons'],
  ])('%j is refused', (spec, message) => expect(() => parseVolumeSpec(spec)).toThrow(message));
});

describe('small helpers', () => {
  it('recognises IP addresses', () => {
    for (const ip of ['127.0.0.1', '0.0.0.0', '::1', '::', 'fe80::1:2', '2001:db8::8a2e:370:7334', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8'])
      expect(isIP(ip), ip).toBe(true);
    for (const ip of ['256.0.0.1', '1.2.3', 'localhost', '1:2:3:4:5:6:7:8:9', ':::', '1::2::3', '']) expect(isIP(ip), ip).toBe(false);
  });

  it('cleans and joins paths as Go does', () => {
    expect(cleanPath('/a/./b/../c/')).toBe('/a/c');
    expect(cleanPath('/..')).toBe('/');
    expect(absolutePath('/home/u/p', './data')).toBe('/home/u/p/data');
    expect(absolutePath('/home/u/p', '../other')).toBe('/home/u/other');
    expect(absolutePath('/home/u/p', '/abs/x')).toBe('/abs/x');
  });

  it('reads booleans as Go strconv.ParseBool does', () => {
    expect(toBoolean('true', 'x')).toBe(true);
    expect(toBoolean('0', 'x')).toBe(false);
    expect(toBoolean(undefined, 'x')).toBeUndefined();
    expect(() => toBoolean('yes', 'services.web.volumes.0.bind.create_host_path')).toThrow(
      'services.web.volumes.0.bind.create_host_path: invalid boolean "yes"',
    );
  });

  it('reads list_or_dict entries', () => {
    expect(entries(['A=1', 'B', 'C=x=y'])).toEqual([
      ['A', '1', 0],
      ['B', null, 1],
      ['C', 'x=y', 2],
    ]);
    expect(entries({ A: 1, B: true, C: null, D: 'd' })).toEqual([
      ['A', '1', 'A'],
      ['B', 'true', 'B'],
      ['C', null, 'C'],
      ['D', 'd', 'D'],
    ]);
  });
});
