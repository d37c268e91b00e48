/**
 * The import rules the READMEs state, checked on every file: the engine imports nothing from
 * Svelte, v86, IndexedDB's library, `node:*` or another `src/` folder (but the runtime's plain types),
 * and only `src/app` and `src/widget` may import `src/app` or `src/widget`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    // test files and test kits (`*testkit.ts`) may use node:* and the test runner
    return /\.(ts|svelte)$/.test(d.name) && !/(\.test|testkit)\.ts$/.test(d.name) ? [p] : [];
  });
}

/** Every module a file imports (static, dynamic and type-only), as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g,
  )) {
    out.push((m[1] ?? m[2] ?? m[3])!);
  }
  return out;
}

/** The `src/` folder a relative import lands in ('' for a package or `node:` module). */
function folderOf(file: string, spec: string): string {
  if (!spec.startsWith('.')) return '';
  return relative(SRC, resolve(dirname(file), spec)).split(/[\\/]/)[0] ?? '';
}

const files = sources(SRC).map((f) => ({ file: f, folder: relative(SRC, f).split(/[\\/]/)[0]!, imports: importsOf(f) }));

describe('import rules', () => {
  it('reads the sources', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.find((f) => f.file.endsWith('engine/engine.ts'))?.imports.length).toBeGreaterThan(3);
  });

  it('src/engine imports no node:*, Svelte, v86 or idb, and no other src/ folder but the runtime types', () => {
    const bad = files
      .filter((f) => f.folder === 'engine')
      .flatMap((f) =>
        f.imports
          .filter((spec) => {
            if (!spec.startsWith('.')) return /^(node:|svelte|v86|idb$|xterm|@xterm)/.test(spec);
            const target = relative(SRC, resolve(dirname(f.file), spec));
            return !target.startsWith('engine') && target !== join('runtime', 'types.ts');
          })
          .map((spec) => `${relative(SRC, f.file)} imports ${spec}`),
      );
    expect(bad).toEqual([]);
  });

  it('only src/app and src/widget import src/app or src/widget', () => {
    const bad = files
      .filter((f) => f.folder !== 'app' && f.folder !== 'widget')
      .flatMap((f) =>
        f.imports
          .filter((spec) => ['app', 'widget'].includes(folderOf(f.file, spec)))
          .map((spec) => `${relative(SRC, f.file)} imports ${spec}`),
      );
    expect(bad).toEqual([]);
  });
});
