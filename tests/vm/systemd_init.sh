#!/bin/bash
# PID 1 of the systemd guest (vm_run.sh --init): prepares what systemd needs
# on the host's read-only root, then execs /lib/systemd/systemd, which stays
# PID 1 and runs the job the host left in the share "wgmout" as the unit
# wgm-vm-job.service (tests/vm/test_systemd.sh). /etc, /var and /usr get tmpfs
# upper layers (the guest installs programs, units, config, state and keeps
# its journal there; the host's files are never touched), /run and /tmp are tmpfs.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
out=/run/wgm-vm
layers=/run/wgm-layers

say() { echo "wgm-vm: $*" >/dev/console; }
mounted() { grep -q " $1 " /proc/mounts 2>/dev/null; }
# Before systemd: the reason to the console (and to the share once mounted).
give_up() {
	say "$*"
	echo "wgm-vm: $*" >"$out/job.log" 2>/dev/null && echo 1 >"$out/rc" 2>/dev/null
	sync
	poweroff -f
	sleep 60
}

mounted /proc || mount -t proc proc /proc
mounted /sys || mount -t sysfs sysfs /sys
mounted /dev || mount -t devtmpfs devtmpfs /dev
for d in /run /tmp; do
	mounted "$d" || mount -t tmpfs -o mode=1777 tmpfs "$d"
done
chmod 0755 /run
for d in etc var usr; do
	mkdir -p "$layers/$d/upper" "$layers/$d/work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$layers/$d/upper,workdir=$layers/$d/work" "/$d" ||
		give_up "no writable /$d (overlay refused)"
done
mkdir -p "$out"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 wgmout "$out" || give_up "cannot mount the result share"
uname -r >"$out/kernel"

# A machine of its own: a fresh machine ID, no fstab (the host's names disks
# the guest lacks), and a default target that starts the job and nothing of
# the host's own services, consoles, timers or network managers. What early
# boot does that the test has no use for is masked too: under TCG each unit
# costs seconds (udev's coldplug, tmpfiles over the 9p root, D-Bus...).
tr -d '-' </proc/sys/kernel/random/uuid >/etc/machine-id
: >/etc/fstab
units=/etc/systemd/system
for u in timers.target getty.target serial-getty@ttyS0.service systemd-timesyncd.service \
	systemd-networkd-wait-online.service NetworkManager-wait-online.service remote-fs.target \
	systemd-firstboot.service systemd-pstore.service e2scrub_reap.service postgresql.service \
	systemd-udevd.service systemd-udev-trigger.service systemd-udevd-control.socket \
	systemd-udevd-kernel.socket systemd-udev-settle.service systemd-binfmt.service \
	proc-sys-fs-binfmt_misc.automount systemd-update-utmp.service systemd-journal-flush.service \
	systemd-sysusers.service systemd-tmpfiles-setup.service systemd-tmpfiles-clean.timer \
	modprobe@dm_mod.service modprobe@loop.service modprobe@fuse.service sys-kernel-config.mount \
	sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount \
	dev-hugepages.mount dev-mqueue.mount dbus.socket dbus.service systemd-random-seed.service \
	systemd-ask-password-console.path systemd-ask-password-wall.path; do
	ln -sf /dev/null "$units/$u"
done
cat >"$units/wgm-vm.target" <<'UNIT'
[Unit]
Description=wgmesh VM test
Requires=basic.target
After=basic.target
Wants=wgm-vm-job.service
AllowIsolate=yes
UNIT
ln -sf wgm-vm.target "$units/default.target"
cat >"$units/wgm-vm-job.service" <<UNIT
[Unit]
Description=wgmesh VM test job
After=basic.target

[Service]
Type=exec
Environment=PATH=$PATH HOME=/root
ExecStart=/bin/bash $out/run.sh
StandardOutput=journal+console
StandardError=journal+console
UNIT
# The job's runner: its output to the share, its exit status last, the
# journal for a failure's reasons, then off (qemu runs with -no-reboot).
cat >"$out/run.sh" <<'RUN'
cd /
/bin/bash /run/wgm-vm/job.sh 2>&1 | tee /run/wgm-vm/job.log
rc=${PIPESTATUS[0]}
journalctl -b --no-pager -o short-monotonic >/run/wgm-vm/journal.log 2>&1
echo "$rc" >/run/wgm-vm/rc.tmp && mv /run/wgm-vm/rc.tmp /run/wgm-vm/rc
echo "wgm-vm: job exited $rc" >/dev/console
sync
systemctl poweroff --force --force
RUN

modprobe wireguard 2>"$out/modprobe.err" || say "modprobe wireguard failed: $(cat "$out/modprobe.err")"
# wireguard-go opens /dev/net/tun (udev is masked: nothing loads it later).
modprobe tun 2>/dev/null
modprobe veth 2>/dev/null
say "starting systemd"
exec /lib/systemd/systemd --log-target=console --log-level=notice
