/**
 * `docker export` and `docker import` on the real guest (issue 18): the export is the container's
 * whole filesystem as one flat tar that GNU tar reads (no whiteouts: a deleted file is simply
 * absent; hard links stay links), and importing it makes a one-layer image that runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/engine/api.ts';
import { readTar } from '../../src/engine/layer/index.ts';
import { useVmEngine } from '../fixtures/vm-engine.ts';

const vm = useVmEngine('export');

async function run(image: string, cmd: string[]): Promise<string> {
  const { id } = await vm.engine.containers.create({ image, cmd });
  const entries: LogEntry[] = [];
  await (await vm.engine.containers.start(id, {}))!.exit;
  await vm.engine.containers.logs(id, { onEntry: (e) => entries.push(e) });
  await vm.engine.containers.remove(id);
  return entries.map((e) => new TextDecoder().decode(e.data)).join('');
}

describe('docker export and import', () => {
  it(
    "exports the image's files with the container's changes, flat, and imports them as an image that runs",
    { timeout: 90_000 },
    async () => {
      const { id } = await vm.engine.containers.create({
        image: 'busybox',
        name: 'changed',
        cmd: ['sh', '-c', 'echo made here > /made.txt && ln /made.txt /made-link && rm /bin/vi && mkdir -p /srv/data'],
      });
      await (await vm.engine.containers.start(id, {}))!.exit;
      const tar = await vm.engine.containers.export('changed');
      const entries = readTar(tar);
      const names = new Set(entries.map((e) => e.name.replace(/\/$/, '')));
      expect(names.has('bin/sh')).toBe(true);
      expect(names.has('made.txt')).toBe(true);
      expect(names.has('srv/data')).toBe(true);
      expect(names.has('bin/vi'), 'a deleted file is absent, not a whiteout').toBe(false);
      expect([...names].some((n) => n.includes('.wh.'))).toBe(false);
      for (const p of ['proc', 'sys', 'dev', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf']) expect(names.has(p), p).toBe(true);
      // the first in walk order holds the data, the other links to it ('-' sorts before '.')
      expect(entries.find((e) => e.name === 'made-link')).toMatchObject({ type: 'file' });
      expect(entries.find((e) => e.name === 'made.txt')).toMatchObject({ type: 'hardlink', linkname: 'made-link' });
      // GNU tar reads it
      const file = join(mkdtempSync(join(tmpdir(), 'layerlab-export-')), 'changed.tar');
      writeFileSync(file, tar);
      const listed = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
      expect(listed).toMatch(/ made\.txt link to made-link\n/);
      // imported: one layer, an empty config, and it runs
      const imageId = await vm.engine.images.importFilesystem(tar, { reference: 'mine:flat' });
      const inspect = await vm.engine.images.inspect('mine:flat');
      expect(inspect.Id).toBe(imageId);
      expect(inspect.RootFS.Layers).toHaveLength(1);
      expect(inspect.Config.Cmd ?? null).toBeNull();
      expect((await vm.engine.images.history('mine:flat'))[0]).toMatchObject({ comment: 'Imported from -', createdBy: '' });
      expect(await run('mine:flat', ['cat', '/made.txt'])).toBe('made here\n');
      expect(await run('mine:flat', ['sh', '-c', 'test -e /bin/vi || echo no vi'])).toBe('no vi\n');
      // a gzip-compressed tar too
      const gz = execFileSync('gzip', ['-c', file], { maxBuffer: 64 * 1024 * 1024 });
      const again = await vm.engine.images.importFilesystem(new Uint8Array(gz));
      expect((await vm.engine.images.inspect(again)).RootFS.Layers).toEqual(inspect.RootFS.Layers);
      await expect(vm.engine.images.importFilesystem(new TextEncoder().encode('not a tar at all'))).rejects.toThrow(
        /importing the archive/,
      );
      await vm.engine.containers.remove('changed');
    },
  );
});
