#!/bin/bash
# PID 1 of the test guest (see vm_run.sh). The root is the host's filesystem,
# read-only over 9p; this makes the few writable places the tests need,
# loads the WireGuard module, runs the job the host left in the share
# "wgmout", and writes its exit status there. It always ends in a poweroff:
# an init that exits panics the kernel.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
out=/run/wgm-vm

say() { echo "wgm-vm: $*" >/dev/console; }

mounted() { grep -q " $1 " /proc/mounts 2>/dev/null; }

finish() {
	sync
	umount "$out" 2>/dev/null
	poweroff -f
	sleep 60
}

mounted /proc || mount -t proc proc /proc
mounted /sys || mount -t sysfs sysfs /sys
mounted /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm 2>/dev/null
mounted /dev/pts || mount -t devpts devpts /dev/pts
mounted /dev/shm || mount -t tmpfs tmpfs /dev/shm
# The initrd hands its /run over; the tests need it, /tmp and /var/tmp writable.
for d in /run /tmp /var/tmp; do
	mounted "$d" || mount -t tmpfs -o mode=1777 tmpfs "$d"
done
mounted /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
# /etc stays the host's but takes new entries (the lab's mount point
# /etc/wgmesh): a tmpfs upper layer over the read-only 9p one.
mkdir -p /run/etc-upper /run/etc-work
mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/etc-upper,workdir=/run/etc-work /etc 2>/dev/null ||
	say "no writable /etc (overlay refused); tests that add to /etc will fail"
mkdir -p "$out"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 wgmout "$out"; then
	say "cannot mount the result share"
	finish
fi

ip link set lo up
# Unless the job asks to find it unloaded (then the first use loads it, as on
# a server just booted: the kernel backend's family lookup does).
if [ ! -e "$out/no-preload" ] && ! modprobe wireguard 2>"$out/modprobe.err"; then
	say "modprobe wireguard failed: $(cat "$out/modprobe.err")"
fi
modprobe tun 2>/dev/null
modprobe veth 2>/dev/null
modprobe bridge 2>/dev/null
echo "$(uname -r)" >"$out/kernel"

say "running job"
(cd / && exec /bin/bash "$out/job.sh") 2>&1 | tee "$out/job.log" >/dev/console
echo "${PIPESTATUS[0]}" >"$out/rc.tmp" && mv "$out/rc.tmp" "$out/rc"
say "job exited $(cat "$out/rc")"
finish
