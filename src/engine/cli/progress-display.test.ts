import { describe, expect, it } from 'vitest';
import { progressDisplay } from './progress-display.ts';

describe('progressDisplay', () => {
  it('on a terminal keeps one line per layer and redraws it in place, with the bar', () => {
    let out = '';
    const show = progressDisplay((t) => (out += t), { isTTY: true, columns: 120 });
    show({ id: '', status: '1: Pulling from web' });
    show({ id: 'aaaaaaaaaaaa', status: 'Pulling fs layer' });
    show({ id: 'bbbbbbbbbbbb', status: 'Pulling fs layer' });
    show({ id: 'aaaaaaaaaaaa', status: 'Downloading', current: 500_000, total: 1_000_000 });
    show({ id: 'aaaaaaaaaaaa', status: 'Pull complete' });
    show({ id: '', status: 'Digest: sha256:1' });
    expect(out).toBe(
      '1: Pulling from web\n' +
        '\n\x1b[1A\x1b[2K\raaaaaaaaaaaa: Pulling fs layer\r\x1b[1B' +
        '\n\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Pulling fs layer\r\x1b[1B' +
        // the first layer's line is two up from the cursor
        `\x1b[2A\x1b[2K\raaaaaaaaaaaa: Downloading [${'='.repeat(25)}>${' '.repeat(25)}]    500kB/1MB\r\x1b[2B` +
        '\x1b[2A\x1b[2K\raaaaaaaaaaaa: Pull complete\r\x1b[2B' +
        'Digest: sha256:1\n',
    );
  });

  it('elsewhere prints status lines only, as docker does when piped', () => {
    let out = '';
    const show = progressDisplay((t) => (out += t), { isTTY: false, columns: 80 });
    show({ id: 'aaaaaaaaaaaa', status: 'Pushing', current: 1, total: 2 });
    show({ id: 'aaaaaaaaaaaa', status: 'Pushed' });
    expect(out).toBe('aaaaaaaaaaaa: Pushed\n');
  });
});
