import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from './layerlab-main.ts';
import { conformanceData } from '../tests/fixtures/conformance.ts';

const cli = join(import.meta.dirname, 'layerlab.mjs');
const cases = join(import.meta.dirname, '../../shared/conformance/dockerfile-parser/frontend/dockerfile/parser/testfiles');
const haveCases = conformanceData(
  'dockerfile-parser/frontend/dockerfile/parser/testfiles',
  "the CLI's dump of BuildKit's 33 parser cases",
).present;

describe('layerlab dockerfile dump', () => {
  it.skipIf(!haveCases)('prints every BuildKit case exactly like its result file', async () => {
    const names = readdirSync(cases);
    expect(names.length).toBe(33);
    for (const name of names) {
      let out = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out += String(chunk);
        return true;
      });
      try {
        expect(await main(['dockerfile', 'dump', join(cases, name, 'Dockerfile')]), name).toBe(0);
      } finally {
        spy.mockRestore();
      }
      expect(out, name).toBe(readFileSync(join(cases, name, 'result'), 'utf8'));
    }
    // and once through the real executable
    const once = execFileSync('node', [cli, 'dockerfile', 'dump', join(cases, 'env', 'Dockerfile')], { encoding: 'utf8' });
    expect(once).toBe(readFileSync(join(cases, 'env', 'result'), 'utf8'));
  });

  it('names the file and line of a syntax error and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerlab-cli-'));
    const file = join(dir, 'Dockerfile');
    writeFileSync(file, 'FROM busybox\nENV ONLYKEY\n');
    const r = spawnSync('node', [cli, 'dockerfile', 'dump', file], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${file}: dockerfile parse error on line 2: ENV must have two arguments\n`);
  });

  it('explains a missing file and an unknown command', () => {
    const r = spawnSync('node', [cli, 'dockerfile', 'dump', '/nonexistent/Dockerfile'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot read /nonexistent/Dockerfile: ENOENT');
    const u = spawnSync('node', [cli, 'frobnicate'], { encoding: 'utf8' });
    expect(u.status).toBe(1);
    expect(u.stderr).toContain("'frobnicate' is not a layerlab command");
  });
});
