#!/usr/bin/env bash
# Build the guest kernel (bzImage) from Debian's linux-source-6.1:
# tinyconfig + guest/kernel.config, then olddefconfig. Output: $WORK/bzImage.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$here/.work}
deb=$(ls "$WORK"/linux-source-6.1_*.deb | head -n1)
cd "$WORK"
rm -rf linux-src && mkdir linux-src
dpkg-deb -x "$deb" linux-src
tarball=$(ls linux-src/usr/src/linux-source-6.1*.tar.xz)
rm -rf kernel && mkdir kernel
tar -xf "$tarball" -C kernel --strip-components=1
rm -rf linux-src
cd kernel
make ARCH=i386 tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$here/kernel.config" >/dev/null
make ARCH=i386 olddefconfig >/dev/null
# report any requested option the kernel did not take
while IFS= read -r line; do
  case "$line" in CONFIG_*=y) grep -qx "$line" .config || echo "warning: $line not set in final .config" >&2;; esac
done < "$here/kernel.config"
make ARCH=i386 -j"$(nproc)" bzImage KBUILD_BUILD_TIMESTAMP='2026-01-01' KBUILD_BUILD_USER=layerlab KBUILD_BUILD_HOST=layerlab >/dev/null
cp arch/x86/boot/bzImage "$WORK/bzImage"
cp .config "$WORK/kernel.final.config"
ls -l "$WORK/bzImage"
