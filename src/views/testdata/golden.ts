/**
 * Golden text files for the view-model tests: `expectGolden(name, text)` compares `text` with
 * `testdata/<name>.golden`; run with `UPDATE_GOLDEN=1` to (re)write the files, then review them.
 * Test-only (uses node:fs).
 */
import * as fs from 'node:fs';
import { expect } from 'vitest';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Compares `text` with `src/views/testdata/<name>.golden`, or writes it under UPDATE_GOLDEN=1. */
export function expectGolden(name: string, text: string): void {
  const file = new URL(`./${name}.golden`, import.meta.url);
  if (UPDATE) {
    fs.writeFileSync(file, text);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`missing golden file testdata/${name}.golden: run with UPDATE_GOLDEN=1 and review it`);
  expect(text).toBe(fs.readFileSync(file, 'utf8'));
}

/** Wraps `text` at `width` columns on spaces, indenting continuation lines by `indent`. */
export function wrap(text: string, width = 100, indent = '  '): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent + word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out.join('\n');
}
