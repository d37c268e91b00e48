import { describe, expect, it } from 'vitest';
import { assignPorts, parseExpose, parsePublish } from './ports.ts';

describe('published ports', () => {
  it('parses -p as docker/cli does: host IP, host port, container port, ranges, TCP only', () => {
    expect(parsePublish(['8080:80', '127.0.0.1:5000:5000', '9000', '7000-7001:8000-8001'])).toEqual({
      bindings: {
        '80/tcp': [{ HostIp: '', HostPort: '8080' }],
        '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '5000' }],
        '9000/tcp': [{ HostIp: '', HostPort: '' }],
        '8000/tcp': [{ HostIp: '', HostPort: '7000' }],
        '8001/tcp': [{ HostIp: '', HostPort: '7001' }],
      },
      exposed: ['80/tcp', '5000/tcp', '9000/tcp', '8000/tcp', '8001/tcp'],
    });
    expect(() => parsePublish(['53:53/udp'])).toThrow('LayerLab relays TCP only (udp is not supported)');
    expect(() => parsePublish(['80:http'])).toThrow('invalid containerPort: http');
    expect(() => parsePublish(['1:2:3:4'])).toThrow('invalid port format for --publish: 1:2:3:4');
    expect(parseExpose(['80', '9000-9001/tcp'])).toEqual(['80/tcp', '9000/tcp', '9001/tcp']);
  });

  it('hands out host ports at start, ephemeral ones from 32768, and refuses one in use', () => {
    const bindings = parsePublish(['8080:80', '3000']).bindings;
    expect(assignPorts(bindings, ['80/tcp', '3000/tcp', '9000/tcp'], false, new Set([32768]))).toEqual({
      '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
      '3000/tcp': [{ HostIp: '0.0.0.0', HostPort: '32769' }],
    });
    expect(assignPorts({}, ['9000/tcp', '22/tcp'], true, new Set())).toEqual({
      '22/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }],
      '9000/tcp': [{ HostIp: '0.0.0.0', HostPort: '32769' }],
    });
    expect(() => assignPorts(bindings, [], false, new Set([8080]))).toThrow('Bind for 0.0.0.0:8080 failed: port is already allocated');
  });
});
