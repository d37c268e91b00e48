import { describe, expect, it } from 'vitest';
import { wantsTty } from './tty.ts';

describe('wantsTty', () => {
  it('is true for -t/--tty of run, exec and create', () => {
    expect(wantsTty(['run', '-it', 'busybox', 'sh'])).toBe(true);
    expect(wantsTty(['run', '--rm', '-t', 'busybox'])).toBe(true);
    expect(wantsTty(['exec', '-ti', 'web', 'sh'])).toBe(true);
    expect(wantsTty(['container', 'run', '--tty', 'busybox'])).toBe(true);
    expect(wantsTty(['create', '-it', 'busybox'])).toBe(true);
  });

  it('is false where -t is a tag or a time, so Ctrl-C cancels the command', () => {
    expect(wantsTty(['build', '-t', 'app', '.'])).toBe(false);
    expect(wantsTty(['image', 'build', '-t', 'app', '.'])).toBe(false);
    expect(wantsTty(['stop', '-t', '1', 'web'])).toBe(false);
    expect(wantsTty(['logs', '-ft', 'web'])).toBe(false);
    expect(wantsTty(['run', '--rm', 'busybox', 'sleep', '9'])).toBe(false);
    expect(wantsTty([])).toBe(false);
  });
});
