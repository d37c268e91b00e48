/**
 * Second half of `npm run guest`: writes public/vm/manifest.json, cold-boots the guest,
 * lets it settle, saves a zstd-compressed snapshot, and proves the snapshot restores.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuestManifest } from '../src/runtime/manifest.ts';
import { DEFAULT_VM_DIR, startNodeMachine } from '../src/runtime/node.ts';
import { collect } from '../src/runtime/types.ts';
import { V86_VERSION } from '../src/runtime/v86-machine.ts';

const MEMORY_MB = 256;
const CMDLINE = 'console=ttyS0 tsc=reliable mitigations=off random.trust_cpu=on init_on_free=1 quiet loglevel=3 rdinit=/init';
const work = process.env.WORK ?? join(import.meta.dirname, '.work');
const out = DEFAULT_VM_DIR;

function fileEntry(name: string) {
  const data = readFileSync(join(out, name));
  return { sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
}

const previous: GuestManifest | undefined = existsSync(join(out, 'manifest.json'))
  ? JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))
  : undefined;
const packages: GuestManifest['packages'] = {};
const tsv = join(work, 'packages.tsv');
if (existsSync(tsv)) {
  for (const line of readFileSync(tsv, 'utf8').trim().split('\n')) {
    const [name, version, sha256] = line.split('\t');
    packages[name!] = { version: version!, sha256: sha256! };
  }
} else if (previous) Object.assign(packages, previous.packages);

const manifest: GuestManifest = {
  memoryMB: MEMORY_MB,
  cmdline: CMDLINE,
  files: { 'bios.bin': fileEntry('bios.bin'), bzImage: fileEntry('bzImage'), 'initrd.img': fileEntry('initrd.img') },
  packages,
};
rmSync(join(out, 'state.bin.zst'), { force: true });
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
const t0 = performance.now();
const machine = await startNodeMachine({ boot: 'cold', healthInterval: 0 });
console.log(`cold boot to agent: ${(performance.now() - t0).toFixed(0)} ms (${machine.agent.version})`);
const uname = await collect(await machine.spawn({ argv: ['uname', '-r'] }));
manifest.kernelRelease = text(uname.stdout);
// settle: let boot-time work finish, then drop caches so freed pages are zero (init_on_free)
await new Promise((r) => setTimeout(r, 1500));
const settle = await collect(await machine.spawn({ argv: ['sh', '-c', 'sync; echo 3 > /proc/sys/vm/drop_caches'] }));
if (settle.status.code !== 0) throw new Error(`settling failed: ${text(settle.stderr)}`);
await new Promise((r) => setTimeout(r, 300));
const raw = new Uint8Array(await machine.saveState());
await machine.stop();
writeFileSync(join(work, 'state.bin'), raw);
execFileSync('zstd', ['-19', '-q', '-f', join(work, 'state.bin'), '-o', join(out, 'state.bin.zst')]);
manifest.files['state.bin.zst'] = fileEntry('state.bin.zst');
manifest.snapshot = {
  v86: V86_VERSION,
  bzImage: manifest.files.bzImage!.sha256,
  initrd: manifest.files['initrd.img']!.sha256,
  memoryMB: MEMORY_MB,
  agent: machine.agent.version ?? 'unknown',
};
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`snapshot: ${raw.length} bytes raw, ${manifest.files['state.bin.zst'].size} bytes zstd`);

// prove it: restore into a fresh emulator and run a command
const t1 = performance.now();
const restored = await startNodeMachine({ boot: 'snapshot', healthInterval: 0 });
const check = await collect(await restored.spawn({ argv: ['echo', 'restored'] }));
console.log(`restore to first output: ${(performance.now() - t1).toFixed(0)} ms: ${text(check.stdout)}`);
await restored.stop();
process.exit(0);
