#!/usr/bin/env bash
# Rebuilds the LayerLab guest from Debian bookworm packages into public/vm/:
#   bios.bin (seabios), bzImage (linux-source-6.1 + kernel.config), initrd.img (busybox-static:i386,
#   init, layerlab-agent), state.bin.zst (a booted snapshot) and manifest.json.
# Needs a Debian 12 machine, root (for apt). Stages: all (default), or `snapshot` to redo only
# the snapshot and manifest (after a v86 upgrade, say). SKIP_KERNEL=1 reuses guest/.work/bzImage;
# SKIP_IMAGES=1 leaves public/images alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export WORK=${WORK:-$here/.work}
out=$root/public/vm
stage=${1:-all}
mkdir -p "$WORK" "$out"

if [ "$stage" = all ]; then
  if [ "$(id -u)" != 0 ]; then echo "guest/build.sh: run as root (it installs build tools with apt)" >&2; exit 1; fi
  dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
  apt-get update -q || echo "warning: apt-get update reported errors; continuing with the lists we have" >&2
  apt-get install -y -q --no-install-recommends flex bison bc cpio libelf-dev libssl-dev xz-utils zstd \
    gcc-multilib libc6-dev-i386 make gcc >/dev/null

  echo "== downloading Debian packages"
  rm -f "$WORK"/busybox-static_*.deb "$WORK"/seabios_*.deb "$WORK"/linux-source-*.deb
  # a reused kernel keeps the source package it was built from (recorded in the committed manifest)
  kernel_deb=linux-source-6.1
  if [ -n "${SKIP_KERNEL:-}" ] && [ -f "$WORK/bzImage" ]; then kernel_deb=; fi
  (cd "$WORK" && apt-get download $kernel_deb busybox-static:i386 seabios 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)

  if [ -n "${SKIP_KERNEL:-}" ] && [ -f "$WORK/bzImage" ]; then
    echo "== kernel: reusing $WORK/bzImage (SKIP_KERNEL set)"
  else
    echo "== kernel (about 3-6 minutes)"
    bash "$here/build-kernel.sh"
  fi

  echo "== agent"
  gcc -m32 -static -Os -s -Wall -Wextra -Wno-unused-result -ffunction-sections -fdata-sections -Wl,--gc-sections \
    -o "$WORK/layerlab-agent" "$here/agent/agent.c"

  echo "== initramfs"
  rm -rf "$WORK/initramfs" "$WORK/busybox-deb" "$WORK/seabios-deb"
  mkdir -p "$WORK/initramfs"/{bin,sbin,dev,proc,sys,tmp,etc,root,mnt/host,var/lib/layerlab,usr/bin,usr/sbin}
  dpkg-deb -x "$WORK"/busybox-static_*_i386.deb "$WORK/busybox-deb"
  cp "$WORK/busybox-deb/bin/busybox" "$WORK/initramfs/bin/busybox"
  cp "$WORK/layerlab-agent" "$WORK/initramfs/sbin/layerlab-agent"
  cp "$here/init" "$WORK/initramfs/init"
  # the kernel opens /dev/console for init before devtmpfs is mounted
  mknod -m 600 "$WORK/initramfs/dev/console" c 5 1
  chmod 755 "$WORK/initramfs/init" "$WORK/initramfs/bin/busybox" "$WORK/initramfs/sbin/layerlab-agent"
  # reproducible archive: fixed order, owner and mtime
  (cd "$WORK/initramfs" && find . -mindepth 1 | LC_ALL=C sort | \
    cpio --quiet -o -H newc --owner=0:0 --reproducible | xz -9 --check=crc32 > "$out/initrd.img")

  echo "== bios"
  dpkg-deb -x "$WORK"/seabios_*_all.deb "$WORK/seabios-deb"
  cp "$WORK/seabios-deb/usr/share/seabios/bios.bin" "$out/bios.bin"
  cp "$WORK/bzImage" "$out/bzImage"

  # record the packages used
  : > "$WORK/packages.tsv"
  for deb in "$WORK"/*.deb; do
    printf '%s\t%s\t%s\n' "$(dpkg-deb -f "$deb" Package):$(dpkg-deb -f "$deb" Architecture)" \
      "$(dpkg-deb -f "$deb" Version)" "$(sha256sum "$deb" | cut -d' ' -f1)" >> "$WORK/packages.tsv"
  done
  if [ -z "$kernel_deb" ]; then
    node -e 'const m = require(process.argv[1]); const p = m.packages["linux-source-6.1:all"]; console.log(["linux-source-6.1:all", p.version, p.sha256].join("\t"))' \
      "$out/manifest.json" >> "$WORK/packages.tsv"
  fi
  strings "$WORK/bzImage" | grep -m1 -oE '^6\.1\.[0-9]+[^ ]*' > "$WORK/kernel-release" || true
fi

echo "== snapshot and manifest"
cd "$root"
node --import tsx guest/make-snapshot.ts

# SKIP_IMAGES=1 keeps public/images as committed: Debian's archive moves on (point releases), so
# rebuilding the images for a guest-only change would give them new digests for no reason
if [ -n "${SKIP_IMAGES:-}" ]; then
  echo "== base images: kept as they are (SKIP_IMAGES set)"
else
  echo "== base images (public/images)"
  node --import tsx guest/build-images.ts
fi
ls -l "$out"
