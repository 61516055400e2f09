#!/usr/bin/env bash
# Prints the path of an initrd that can mount a 9p root for kernel VERSION,
# building it first when missing or older than the kernel's modules. The
# stock Debian initrd has no 9p modules; this one is made from a private
# copy of /etc/initramfs-tools (the host's /etc is never touched), with only
# the modules a 9p root needs, so it is small and quick to unpack under TCG.
#
#   tests/vm/initrd.sh VERSION CACHE_DIR
set -euo pipefail

version=$1
cache=$2
img="$cache/initrd-$version.img"
moddep="/lib/modules/$version/modules.dep"

fail() { echo "vm initrd: $*" >&2; exit 1; }

command -v mkinitramfs >/dev/null || fail "needs mkinitramfs (apt install initramfs-tools; tests/run.sh installs it as root)"
[ -d /etc/initramfs-tools ] || fail "needs /etc/initramfs-tools (apt install initramfs-tools)"
[ -e "$moddep" ] || fail "no modules for kernel $version in /lib/modules/$version"
mkdir -p "$cache"

# One builder at a time; the others wait and reuse its image.
exec 9>"$cache/initrd.lock"
flock 9
if [ -s "$img" ] && [ "$img" -nt "$moddep" ] && [ "$img" -nt "/boot/vmlinuz-$version" ] && [ "$img" -nt "$0" ]; then
	echo "$img"
	exit 0
fi

conf=$(mktemp -d "$cache/initramfs-conf.XXXXXX")
trap 'rm -rf "$conf"' EXIT
cp -a /etc/initramfs-tools/. "$conf/"
# Only what a 9p root over virtio needs (dependencies follow by themselves).
sed -i -e 's/^MODULES=.*/MODULES=list/' -e 's/^COMPRESS=.*/COMPRESS=gzip/' "$conf/initramfs.conf"
printf '%s\n' virtio_pci 9pnet_virtio 9p >>"$conf/modules"
# A private hook dir of the host's could pull in anything; the copy's hooks
# are the host's own, which is what mkinitramfs would run anyway.
mkinitramfs -d "$conf" -o "$img.tmp" "$version" >"$cache/initrd-$version.log" 2>&1 ||
	fail "mkinitramfs for $version failed: $(tail -3 "$cache/initrd-$version.log")"
mv "$img.tmp" "$img"
echo "$img"
