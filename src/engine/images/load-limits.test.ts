/**
 * `docker load` of what the machine could never run (hostile-input rows of the fault suite): an
 * image that unpacks past the machine's disk or files, a layer that expands without end, a config
 * too large to send to the machine, a layer entry under a symbolic link of the same layer. Each is
 * refused at load with the numbers, and nothing is stored.
 */
import { describe, expect, it } from 'vitest';
import { writeTar } from '../layer/index.ts';
import { enc, file, layoutFiles, newEnv, rejects, tarOf } from './archive-testkit.ts';
import { loadImages } from './load.ts';

const MACHINE = { bytes: 1_000_000, files: 50 };

async function load(files: Map<string, Uint8Array>, machine = MACHINE) {
  const env = newEnv();
  const message = await rejects(loadImages(env.store, env.blobs, env.meta, tarOf(files), () => {}, { machine }));
  expect(await env.store.list()).toEqual([]);
  return message;
}

describe('docker load and the machine', () => {
  it('refuses an image whose layers unpack past the machine’s disk, saying both numbers', async () => {
    const big = writeTar([file('a', 'x'.repeat(600_000)), file('b', 'y'.repeat(600_000))]);
    const { files } = await layoutFiles([big], { gzipLayers: true });
    expect(await load(files)).toMatch(/unpacks to more than 1 MB, more than LayerLab's machine can hold/);
    const two = await layoutFiles([writeTar([file('a', 'x'.repeat(600_000))]), writeTar([file('b', 'y'.repeat(600_000))])]);
    expect(await load(two.files)).toMatch(
      /its layers unpack to 1 MB in 2 files, more than LayerLab's machine can hold \(1 MB and 50 files for all images and containers\); it would fail with "No space left on device"/,
    );
  });

  it('refuses an image of more files than the machine has inodes', async () => {
    const many = writeTar(Array.from({ length: 80 }, (_, i) => file(`f${i}`, '')));
    const { files } = await layoutFiles([many]);
    expect(await load(files)).toMatch(/in 80 files, more than LayerLab's machine can hold/);
  });

  it('stops decompressing a layer at the limit instead of expanding it whole', async () => {
    // 64 MB of zeros in a small gzip, refused against a 1 MB machine (decompression stops at 1 MB)
    const { files } = await layoutFiles([writeTar([{ name: 'zeros', type: 'file', data: new Uint8Array(64 * 1024 * 1024) }])], {
      gzipLayers: true,
    });
    const blob = [...files.values()].reduce((max, b) => Math.max(max, b.length), 0);
    expect(blob).toBeLessThan(200_000);
    expect(await load(files)).toMatch(/unpacks to more than 1 MB, more than LayerLab's machine can hold/);
  });

  it('refuses a config larger than 1 MiB (it goes to the machine in one message)', async () => {
    const { files, configDigest } = await layoutFiles([writeTar([file('a', 'a')])]);
    const path = `blobs/sha256/${configDigest.slice(7)}`;
    const config = JSON.parse(new TextDecoder().decode(files.get(path)!)) as Record<string, unknown>;
    config.config = { Labels: { big: 'x'.repeat(1_100_000) } };
    // rebuild the layout around the large config
    const bigConfig = enc.encode(JSON.stringify(config));
    expect(bigConfig.length).toBeGreaterThan(1024 * 1024);
    const message = await load(await withConfig(files, configDigest, bigConfig), { bytes: 1e9, files: 1e6 });
    expect(message).toMatch(/bytes; LayerLab runs images whose config is at most 1048576 bytes \(1 MiB\)/);
  });

  it('refuses a layer entry under a symbolic link of the same layer', async () => {
    const layer = writeTar([{ name: 'lnk', type: 'symlink', linkname: '/' }, file('lnk/x', 'through the link')]);
    const { files } = await layoutFiles([layer]);
    expect(await load(files, { bytes: 1e9, files: 1e6 })).toMatch(/the entry "lnk\/x" lies under "lnk", a symbolic link in the same layer/);
  });
});

/** The layout with its config replaced by `config` (the manifest and index rewritten to match). */
async function withConfig(files: Map<string, Uint8Array>, oldDigest: string, config: Uint8Array): Promise<Map<string, Uint8Array>> {
  const { sha256Digest } = await import('../oci/index.ts');
  const out = new Map(files);
  out.delete(`blobs/sha256/${oldDigest.slice(7)}`);
  const digest = await sha256Digest(config);
  out.set(`blobs/sha256/${digest.slice(7)}`, config);
  const index = JSON.parse(new TextDecoder().decode(out.get('index.json')!)) as { manifests: { digest: string; size: number }[] };
  const manifestPath = `blobs/sha256/${index.manifests[0]!.digest.slice(7)}`;
  const manifest = JSON.parse(new TextDecoder().decode(out.get(manifestPath)!)) as { config: { digest: string; size: number } };
  manifest.config = { ...manifest.config, digest, size: config.length };
  const manifestBytes = enc.encode(JSON.stringify(manifest));
  out.delete(manifestPath);
  const manifestDigest = await sha256Digest(manifestBytes);
  out.set(`blobs/sha256/${manifestDigest.slice(7)}`, manifestBytes);
  index.manifests[0] = { ...index.manifests[0]!, digest: manifestDigest, size: manifestBytes.length };
  out.set('index.json', enc.encode(JSON.stringify(index)));
  return out;
}
