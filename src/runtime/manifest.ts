/**
 * `public/vm/manifest.json`: what the guest files are, what they were built from, and which
 * kernel, initramfs and v86 build the snapshot belongs to.
 */

/** One output file: its sha256 and size. */
export interface ManifestFile {
  sha256: string;
  size: number;
}

/** The guest manifest written by `npm run guest`. */
export interface GuestManifest {
  /** Guest RAM; a snapshot restores only with the same size. */
  memoryMB: number;
  /** Kernel command line for a cold boot. */
  cmdline: string;
  /** Output files by name: bios.bin, bzImage, initrd.img, state.bin.zst. */
  files: Record<string, ManifestFile>;
  /** What the snapshot was made from; absent when there is none. */
  snapshot?: { v86: string; bzImage: string; initrd: string; memoryMB: number; agent: string };
  /** Debian packages used, name → version and sha256 of the .deb. */
  packages: Record<string, { version: string; sha256: string }>;
  /** Kernel version string (uname -r). */
  kernelRelease?: string;
}

/** Why the snapshot cannot be used with this v86 build and these files, or undefined if it can. */
export function checkSnapshot(m: GuestManifest, v86Version: string): string | undefined {
  const s = m.snapshot;
  if (!s || !m.files['state.bin.zst']) return 'no snapshot is available';
  if (s.v86 !== v86Version) return `the snapshot was made with v86 ${s.v86}, this is ${v86Version}`;
  if (s.bzImage !== m.files['bzImage']?.sha256) return 'the snapshot was made from a different kernel';
  if (s.initrd !== m.files['initrd.img']?.sha256) return 'the snapshot was made from a different initramfs';
  if (s.memoryMB !== m.memoryMB) return `the snapshot was made with ${s.memoryMB} MB of memory, not ${m.memoryMB} MB`;
  return undefined;
}

/** Hex sha256 of bytes (WebCrypto, in Node and browsers alike). */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
