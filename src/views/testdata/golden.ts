/**
 * Golden text files for the view-model tests: `expectGolden(name, text)` compares `text` with
 * `testdata/<name>.golden`; run with `UPDATE_GOLDEN=1` to (re)write the files, then review them.
 * Test-only (the shared helper in tests/fixtures/golden.ts).
 */
import { goldenFiles } from '../../../tests/fixtures/golden.ts';

const golden = goldenFiles(new URL('./', import.meta.url));

/** Compares `text` with `src/views/testdata/<name>.golden`, or writes it under UPDATE_GOLDEN=1. */
export function expectGolden(name: string, text: string): void {
  golden(`${name}.golden`, text);
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
