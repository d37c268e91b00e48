import { describe, expect, it } from 'vitest';
import { destructiveCommand } from './destructive.ts';

describe('destructiveCommand', () => {
  it('marks what deletes the visitor’s things', () => {
    expect(destructiveCommand('docker rm -f web')).toBe('removes containers');
    expect(destructiveCommand('docker container remove web')).toBe('removes containers');
    expect(destructiveCommand('docker rmi busybox')).toBe('removes images');
    expect(destructiveCommand('docker image rm app')).toBe('removes images');
    expect(destructiveCommand('docker volume rm data')).toBe('removes volumes');
    expect(destructiveCommand('docker system prune -af')).toMatch(/^removes all stopped containers/);
    expect(destructiveCommand('docker image prune -a')).toBe('removes unused images');
    expect(destructiveCommand('docker volume prune -f')).toBe('removes unused volumes');
    expect(destructiveCommand('docker container prune')).toBe('removes all stopped containers');
    expect(destructiveCommand('docker builder prune')).toBe('removes the build cache');
    expect(destructiveCommand('vm rm -rf /var/lib/layerlab')).toMatch(/as root on the machine/);
  });
  it('leaves the rest unmarked', () => {
    for (const c of [
      'docker run --rm busybox echo hi',
      'docker ps -a',
      'docker build -t app .',
      'docker volume create data',
      'docker run --name rm busybox',
      'vm',
      'docker images',
    ]) {
      expect(destructiveCommand(c), c).toBeUndefined();
    }
  });
});
