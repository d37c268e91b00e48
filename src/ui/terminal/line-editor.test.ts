import { describe, expect, it } from 'vitest';
import { commonPrefix, LineEditor } from './line-editor.ts';

describe('LineEditor', () => {
  it('edits, submits and remembers lines', () => {
    const ed = new LineEditor('$ ');
    ed.key('docker psx');
    ed.key('\x7f');
    expect(ed.text).toBe('docker ps');
    expect(ed.key('\r')).toEqual([{ kind: 'submit', line: 'docker ps', output: '\r\n' }]);
    ed.key('docker images\r');
    ed.key('\x1b[A');
    expect(ed.text).toBe('docker images');
    ed.key('\x1b[A');
    expect(ed.text).toBe('docker ps');
    ed.key('\x1b[B\x1b[B');
    expect(ed.text).toBe('');
    expect(ed.entries).toEqual(['docker ps', 'docker images']);
  });

  it('moves the cursor and inserts in the middle', () => {
    const ed = new LineEditor('$ ');
    ed.key('dockr');
    ed.key('\x1b[D');
    ed.key('e');
    expect(ed.text).toBe('docker');
    expect(ed.render()).toBe('\r\x1b[K$ docker\x1b[1D');
  });

  it('cancels with Ctrl-C, asks for completion on Tab, clears on Ctrl-L', () => {
    const ed = new LineEditor('$ ');
    ed.key('docker ru');
    expect(ed.key('\t')).toEqual([{ kind: 'complete', line: 'docker ru' }]);
    expect(ed.key('\x03')).toEqual([{ kind: 'cancel', output: '^C\r\n' }]);
    expect(ed.text).toBe('');
    expect(ed.key('\x0c')).toEqual([{ kind: 'clear' }]);
  });

  it('finds the common prefix of completions', () => {
    expect(commonPrefix(['restart', 'rm', 'rmi'])).toBe('r');
    expect(commonPrefix(['images', 'image'])).toBe('image');
    expect(commonPrefix([])).toBe('');
  });
});
