#!/usr/bin/env bash
# Boots a Debian kernel that has wireguard.ko under qemu (TCG: no KVM here)
# with this machine's filesystem as the guest's read-only root (9p), runs one
# command in the guest as root, and exits with its status. The guest's
# output goes to stdout; its console, the job's log and, on failure, the
# logs the end-to-end tests kept (kept/) are in $WGM_BUILD_DIR/vm/NAME/. A
# hard timeout ends a hung guest, and the run fails with its last lines.
#
#   tests/vm/vm_run.sh [--name NAME] [--timeout SECONDS] [--env K=V]... [--no-preload] [--init SCRIPT] -- CMD [ARG...]
#
# The guest loads the wireguard module before the command, unless
# --no-preload: then the command's first use of it must load it. --init
# replaces the guest's PID 1 (default tests/vm/guest_init.sh; systemd_init.sh
# boots systemd, which runs the command as a unit).
# WGM_VM_KERNEL=VERSION picks the kernel (default: the newest in /boot whose
# modules have wireguard.ko); WGM_VM_SMP and WGM_VM_MEM size the guest.
set -euo pipefail

src=${WGM_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${WGM_BUILD_DIR:-$src/build}
name=vm
limit=900
envs=()
preload=1
init=$src/tests/vm/guest_init.sh
while [ $# -gt 0 ]; do
	case $1 in
	--name) name=$2; shift 2 ;;
	--timeout) limit=$2; shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	--no-preload) preload=0; shift ;;
	--init) init=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [--name NAME] [--timeout S] [--env K=V]... [--no-preload] [--init SCRIPT] -- CMD [ARG...]" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "$0: no command" >&2; exit 2; }

fail() { echo "[vm:$name] FAIL: $*" >&2; exit 1; }

command -v qemu-system-x86_64 >/dev/null ||
	fail "needs qemu-system-x86_64 (apt install qemu-system-x86; tests/run.sh installs it as root)"

# The kernel: Debian's, with the wireguard module among its modules.
kernel_has_wg() { [ -n "$(find "/lib/modules/$1" -name 'wireguard.ko*' -print -quit 2>/dev/null)" ]; }
version=${WGM_VM_KERNEL:-}
if [ -z "$version" ]; then
	for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
		v=${k#/boot/vmlinuz-}
		if kernel_has_wg "$v"; then version=$v; break; fi
	done
fi
[ -n "$version" ] ||
	fail "no kernel with wireguard.ko in /boot and /lib/modules (apt install linux-image-amd64; tests/run.sh installs it as root)"
[ -e "/boot/vmlinuz-$version" ] || fail "no kernel /boot/vmlinuz-$version (apt install linux-image-amd64)"
[ -r "/boot/vmlinuz-$version" ] || fail "cannot read /boot/vmlinuz-$version (run as root)"
kernel_has_wg "$version" || fail "kernel $version has no wireguard.ko in /lib/modules/$version"

initrd=$(bash "$src/tests/vm/initrd.sh" "$version" "$build/vm") || fail "no initrd for kernel $version (see above)"

dir="$build/vm/$name"
rm -rf "$dir"
mkdir -p "$dir/share"
[ "$preload" = 1 ] || : >"$dir/share/no-preload"
# The job: the environment the tests expect, a guest-side time limit a bit
# shorter than the host's (so a stuck test still reports), the command, and
# the logs the tests kept when it failed.
{
	echo "set -u"
	printf 'export WGM_SRC_DIR=%q WGM_BUILD_DIR=%q WGM_TEST_DATA=%q\n' "$src" "$build" "$src/tests/data"
	printf 'export ASAN_OPTIONS=%q UBSAN_OPTIONS=%q\n' "${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
		"${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
	# The guest is emulated, several times slower: scripts wait longer
	# (tests/e2e/lib.sh), they do not expect less.
	printf 'export WGM_E2E_TIME_SCALE=%q\n' "${WGM_E2E_TIME_SCALE:-3}"
	for e in "${envs[@]}"; do printf 'export %q\n' "$e"; done
	printf 'timeout -k 5 %d' "$((limit > 90 ? limit - 45 : limit / 2))"
	printf ' %q' "$@"
	echo
	echo 'rc=$?'
	echo '[ "$rc" -ne 124 ] || echo "guest: the job ran out of time and was stopped"'
	# One archive: the share cannot hold the sockets the tests leave.
	echo 'if [ "$rc" -ne 0 ]; then (cd /tmp && tar -czf /run/wgm-vm/kept.tgz wgm-* 2>/dev/null); fi'
	echo 'exit $rc'
} >"$dir/share/job.sh"

# TCG everywhere; KVM first where a machine offers it (qemu falls back).
accel=(-accel tcg)
[ -w /dev/kvm ] && accel=(-accel kvm -accel tcg)
qemu=(qemu-system-x86_64 -machine q35 "${accel[@]}" -cpu max -m "${WGM_VM_MEM:-1024}" -smp "${WGM_VM_SMP:-2}"
	-display none -monitor none -no-reboot -nic none -serial "file:$dir/console.log"
	-kernel "/boot/vmlinuz-$version" -initrd "$initrd"
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=rootfs
	-fsdev "local,id=out,path=$dir/share,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=out,mount_tag=wgmout
	-device virtio-rng-pci
	-append "root=rootfs rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro console=ttyS0 loglevel=4 panic=-1 init=$init")

start=$(date +%s)
# The emulated guest's kernel sometimes stalls for good under TCG on a loaded
# host (RCU stall, soft lockup on every vCPU before the job has done
# anything); that is the emulator, not the test. Such a boot is killed at
# the first sign and the guest booted once more, on one vCPU. A second stall
# fails the test with the console's lines.
stalled() { grep -qE 'soft lockup|rcu_preempt self-detected stall|rcu: INFO: rcu_preempt detected stalls' "$dir/console.log" 2>/dev/null; }
qpid=
trap '[ -n "$qpid" ] && kill -TERM "$qpid" 2>/dev/null; exit 130' INT TERM
for attempt in 1 2; do
	# In the background, so that a stop of this script (ctest's own timeout,
	# ^C) takes the guest with it.
	timeout -k 10 "$limit" "${qemu[@]}" </dev/null >"$dir/qemu.log" 2>&1 &
	qpid=$!
	guest_stalled=0
	while kill -0 "$qpid" 2>/dev/null; do
		if stalled; then
			guest_stalled=1
			kill -TERM "$qpid" 2>/dev/null
			break
		fi
		sleep 2
	done
	set +e
	wait "$qpid"
	qrc=$?
	set -e
	[ "$guest_stalled" = 1 ] && [ "$attempt" = 1 ] || break
	echo "[vm:$name] the guest kernel stalled (TCG): $(grep -m1 -E 'soft lockup|rcu' "$dir/console.log"); booting again on one vCPU" >&2
	cp "$dir/console.log" "$dir/console-stalled.log"
	rm -f "$dir/share/job.log" "$dir/share/rc" "$dir/share/kept.tgz"
	for i in "${!qemu[@]}"; do [ "${qemu[$i]}" = -smp ] && qemu[$((i + 1))]=1; done
done
trap - INT TERM
took=$(($(date +%s) - start))

[ -e "$dir/share/job.log" ] && cat "$dir/share/job.log"
if [ ! -e "$dir/share/rc" ]; then
	why="qemu exited $qrc"
	[ "$qrc" -ne 124 ] && [ "$qrc" -ne 137 ] || why="no result after ${limit} s, guest killed"
	[ "$guest_stalled" = 0 ] || why="the guest kernel stalled twice (RCU stall / soft lockup)"
	echo "[vm:$name] last console lines:" >&2
	tail -n 25 "$dir/console.log" >&2 2>/dev/null || true
	[ -s "$dir/qemu.log" ] && tail -n 5 "$dir/qemu.log" >&2
	fail "the guest (kernel $version) gave no result: $why; console in $dir/console.log"
fi
rc=$(cat "$dir/share/rc")
echo "[vm:$name] kernel $version, guest run ${took} s, job exit $rc" >&2
if [ "$rc" != 0 ] && [ -s "$dir/share/kept.tgz" ]; then
	mkdir -p "$dir/kept" && tar -C "$dir/kept" -xzf "$dir/share/kept.tgz" 2>/dev/null || true
	echo "[vm:$name] logs the tests kept: $dir/kept" >&2
fi
exit "$rc"
