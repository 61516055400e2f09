#!/usr/bin/env bash
# install.sh: installs wgmesh on a Debian 12 / Ubuntu 22.04+ server, or runs the lab.
#
#   sudo ./install.sh                          packages, build, install (idempotent)
#   sudo ./install.sh init ID [public] [OPTS]  the same, then 'wgmesh init' and start the service
#   sudo ./install.sh lab [N] [--no-daemon]    build and bring up an N-node lab (default 3)
#   sudo ./install.sh uninstall [--purge]      remove what was installed (--purge: config and state too)
#   sudo ./install.sh upgrade                  build, replace the programs, migrate the config,
#                                              restart wgmeshd (links stay up), print old and new versions
#
# Options before the command: --no-deps (no apt-get), --no-build (install what the build
# directory holds, as it is). Environment:
#   WGM_INSTALL_ROOT=DIR       lay the files down under DIR instead of / (staging; touches
#                              nothing else: no apt, no systemctl, no sysctl, no host group)
#   WGM_INSTALL_BUILD_DIR=DIR  the cmake build directory (default: build/install in the source tree)
#   WGM_INSTALL_DAEMON_PIDFILE=FILE  staging only (a test hook): upgrade restarts the wgmeshd whose
#                              PID FILE holds, with its own arguments, from the staging root
#                              (its output to WGM_INSTALL_DAEMON_LOG, default /dev/null)
# docs/install.md describes every step.
set -euo pipefail

SRC=$(cd "$(dirname "$0")" && pwd)
ROOT=${WGM_INSTALL_ROOT:-}
BUILD=${WGM_INSTALL_BUILD_DIR:-$SRC/build/install}
WITH_DEPS=1
WITH_BUILD=1
RESTART_ON_CHANGE=1

SBIN=/usr/local/sbin
UNIT=/etc/systemd/system/wgmeshd.service
SYSCTL=/etc/sysctl.d/99-wgmesh.conf
CONF_DIR=/etc/wgmesh
STATE_DIR=/var/lib/wgmesh
CONFIG=$CONF_DIR/config.json
PROGRAMS=(wgmesh wgmeshd wgmesh-delayq)

# iperf3: bandwidth mode's measurements (operationMode 2).
RUNTIME_PACKAGES=(wireguard-tools wireguard-go bird2 iproute2 iptables iputils-ping util-linux iperf3)
# The lab's own tools: nft for `impair --dpi` (a bridge table), jq for
# `up --link-types`.
LAB_PACKAGES=(nftables jq)
BUILD_PACKAGES=(build-essential cmake pkg-config libmnl-dev libjansson-dev libcurl4-openssl-dev
	libmicrohttpd-dev libsodium-dev libncurses-dev)

EXTRA_PACKAGES=()

say() { printf 'install.sh: %s\n' "$*"; }
die() {
	printf 'install.sh: error: %s\n' "$*" >&2
	exit 1
}

usage() {
	sed -n '2,19s/^# \{0,1\}//p' "$0"
}

staging() { [ -n "$ROOT" ]; }
systemd_running() { ! staging && [ -d /run/systemd/system ]; }

require_root() {
	staging && return 0
	[ "$(id -u)" -eq 0 ] || die "run as root (sudo ./install.sh ...)"
}

# ---------------------------------------------------------------- packages

install_packages() {
	local p missing=() unavailable=()
	if staging; then
		say "packages: skipped (staging root)"
		return 0
	fi
	if [ $WITH_DEPS -eq 0 ]; then
		say "packages: skipped (--no-deps)"
		return 0
	fi
	command -v apt-get >/dev/null || die "apt-get not found: this installer is for Debian and Ubuntu (install the packages listed in docs/install.md by hand, then run with --no-deps)"
	for p in "${RUNTIME_PACKAGES[@]}" "${BUILD_PACKAGES[@]}" "${EXTRA_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "packages: all present"
		return 0
	fi
	say "packages: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	for p in "${missing[@]}"; do
		# wireguard-go is not packaged everywhere; the kernel module (Linux 5.6+)
		# serves the kernel backend, and wireguard-go only the userspace one.
		if [ -z "$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {print $2}')" ]; then
			unavailable+=("$p")
		fi
	done
	if [ ${#unavailable[@]} -gt 0 ]; then
		say "packages: not available from apt here: ${unavailable[*]}"
		for p in "${unavailable[@]}"; do
			[ "$p" = wireguard-go ] || die "package $p is required and apt cannot find it"
		done
		say "without wireguard-go only the kernel backend works (the wireguard module); the lab needs wireguard-go"
		mapfile -t missing < <(printf '%s\n' "${missing[@]}" | grep -vx wireguard-go || true)
	fi
	[ ${#missing[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
}

# ---------------------------------------------------------------- build

build() {
	local p
	if [ $WITH_BUILD -eq 0 ]; then
		say "build: skipped (--no-build); installing what $BUILD holds"
		for p in "${PROGRAMS[@]}"; do
			[ -x "$BUILD/$p" ] || die "--no-build: $BUILD/$p does not exist (build first, or drop --no-build)"
		done
		return 0
	fi
	say "building in $BUILD"
	# An existing tree keeps its own settings (cmake --build re-runs cmake when needed).
	if [ ! -f "$BUILD/CMakeCache.txt" ]; then
		cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWGM_TESTS=OFF >/dev/null ||
			die "cmake could not configure $BUILD (are the build packages installed?)"
	fi
	cmake --build "$BUILD" -j"$(nproc)" >"$BUILD/.install-build.log" 2>&1 ||
		die "the build failed; see $BUILD/.install-build.log"
	for p in "${PROGRAMS[@]}"; do
		[ -x "$BUILD/$p" ] || die "the build did not produce $BUILD/$p"
	done
}

# ---------------------------------------------------------------- files

CHANGED=0

# put_file SOURCE DEST MODE: copies only when content or mode differ, so a
# second run leaves every file (and its mtime) alone.
put_file() {
	local src=$1 dest=$ROOT$2 mode=$3
	if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c %a "$dest")" = "${mode#0}" ]; then
		say "unchanged $2"
		return 0
	fi
	install -D -m "$mode" "$src" "$dest"
	say "installed $2"
	CHANGED=1
}

put_dir() {
	local dest=$ROOT$1 mode=$2
	if [ -d "$dest" ] && [ "$(stat -c %a "$dest")" = "${mode#0}" ]; then
		say "unchanged $1/"
		return 0
	fi
	mkdir -p "$dest"
	chmod "$mode" "$dest"
	say "created $1/ (mode $mode)"
}

# The unit and the sysctl file have one source each in packaging/, shared
# with the Debian package (packaging/package.cmake).
write_unit() {
	sed -e "s|@SBINDIR@|$SBIN|g" -e "s|@DOCDIR@|/usr/local/share/doc/wgmesh|g" "$SRC/packaging/wgmeshd.service.in"
}

write_sysctl() {
	cat "$SRC/packaging/99-wgmesh.conf"
}

ensure_group() {
	if staging; then
		if [ ! -f "$ROOT/etc/group" ]; then
			say "group wgmesh: skipped (the staging root has no etc/group)"
		elif grep -q '^wgmesh:' "$ROOT/etc/group"; then
			say "unchanged group wgmesh"
		else
			groupadd --prefix "$ROOT" --system wgmesh && say "created group wgmesh"
		fi
		return 0
	fi
	if getent group wgmesh >/dev/null; then
		say "unchanged group wgmesh"
	else
		groupadd --system wgmesh && say "created group wgmesh (members may use the console and CLI)"
	fi
}

install_files() {
	local tmp p programs_changed
	tmp=$(mktemp -d)
	CHANGED=0
	for p in "${PROGRAMS[@]}"; do put_file "$BUILD/$p" "$SBIN/$p" 0755; done
	put_file "$SRC/tests/lab/wgmesh-lab" "$SBIN/wgmesh-lab" 0755
	programs_changed=$CHANGED
	CHANGED=0
	write_unit >"$tmp/unit"
	put_file "$tmp/unit" "$UNIT" 0644
	local unit_changed=$CHANGED
	CHANGED=0
	write_sysctl >"$tmp/sysctl"
	put_file "$tmp/sysctl" "$SYSCTL" 0644
	local sysctl_changed=$CHANGED
	rm -rf "$tmp"
	ensure_group
	put_dir "$CONF_DIR" 0700
	put_dir "$STATE_DIR" 0700

	staging && return 0
	if [ "$sysctl_changed" -eq 1 ]; then
		say "applying $SYSCTL"
		sysctl -q -p "$SYSCTL" || say "warning: sysctl could not apply $SYSCTL (a container?); it applies at boot"
	fi
	if systemd_running; then
		[ "$unit_changed" -eq 1 ] && systemctl daemon-reload
		if [ "$programs_changed" -eq 1 ] && [ $RESTART_ON_CHANGE -eq 1 ] && systemctl -q is-active wgmeshd 2>/dev/null; then
			say "restarting wgmeshd (new programs)"
			systemctl restart wgmeshd
		fi
	fi
}

cmd_install() {
	require_root
	[ -z "$ROOT" ] || [[ $ROOT == /* ]] || die "WGM_INSTALL_ROOT '$ROOT' must be an absolute path"
	staging && say "staging root: $ROOT"
	install_packages
	build
	install_files
	say "installed. Next: sudo ./install.sh init ID [public] (or: wgmesh init --help)"
}

# ---------------------------------------------------------------- init

start_service() {
	if systemd_running; then
		say "enabling and starting bird and wgmeshd"
		systemctl enable -q --now bird || say "warning: could not start bird (systemctl status bird says why)"
		systemctl enable -q --now wgmeshd || die "systemctl could not start wgmeshd (journalctl -u wgmeshd says why)"
		return 0
	fi
	say "systemd is not running here (PID 1 is $(ps -p 1 -o comm= 2>/dev/null || echo unknown)); start the services yourself:"
	say "  bird -c /etc/bird/bird.conf"
	say "  $SBIN/wgmeshd --config $CONFIG &   (or under your init system)"
}

cmd_init() {
	[ $# -ge 1 ] || die "usage: install.sh init ID [public] [wgmesh init options...]"
	staging && die "init configures this machine; it does not run with WGM_INSTALL_ROOT"
	cmd_install
	if [ -f "$CONFIG" ]; then
		say "$CONFIG exists: this node is initialised already; not running 'wgmesh init' again"
		# Older versions wrote it 0644; it can hold Gotify app tokens.
		chmod 0600 "$CONFIG" || die "cannot make $CONFIG unreadable to others"
	else
		say "wgmesh init $*"
		"$SBIN/wgmesh" --config "$CONFIG" init "$@" || die "'wgmesh init $*' failed (its message is above)"
	fi
	start_service
	say "done. On the first node: 'wgmesh token'; on the others: 'wgmesh connect http://FIRST_NODE:8080 TOKEN'"
}

# ---------------------------------------------------------------- lab

cmd_lab() {
	local n=3 up_args=()
	if [[ ${1:-} =~ ^[0-9]+$ ]]; then
		n=$1
		shift
	fi
	case ${1:-} in
	'') ;;
	--no-daemon) up_args=(--no-daemon) ;;
	*) die "usage: install.sh lab [N] [--no-daemon]" ;;
	esac
	staging && die "the lab runs on this machine; it does not run with WGM_INSTALL_ROOT"
	require_root
	EXTRA_PACKAGES=("${LAB_PACKAGES[@]}")
	install_packages
	build
	say "bringing up a lab of $n nodes: WGMLAB_BIN_DIR=$BUILD $SRC/tests/lab/wgmesh-lab up $n ${up_args[*]}"
	WGMLAB_BIN_DIR=$BUILD "$SRC/tests/lab/wgmesh-lab" up "$n" "${up_args[@]}" || die "the lab did not come up (the line above says why)"
	# The lab finds build/install of its source tree by itself; anything
	# else it is told, in the commands printed here.
	local lab=$SRC/tests/lab/wgmesh-lab env=
	[ "$PWD" = "$SRC" ] && lab=tests/lab/wgmesh-lab
	[ "$BUILD" = "$SRC/build/install" ] || env="WGMLAB_BIN_DIR=$BUILD "
	[ -z "${WGMLAB_PREFIX:-}" ] || env="${env}WGMLAB_PREFIX=$WGMLAB_PREFIX "
	echo
	echo "The lab is up: $n node(s) in network namespaces on this machine, node 0 public, the"
	echo "others joined to it by token. Try:"
	echo "  sudo $env$lab status                    nodes, their processes and links"
	if [ "$n" -ge 2 ] && [ ${#up_args[@]} -eq 0 ]; then
		echo "  sudo $env$lab exec 2 wgmesh links       node 2's links (to node 0)"
		echo "  sudo $env$lab exec 2 wgmesh nodes       the mesh as node 2's BIRD routes it"
		echo "  sudo $env$lab exec 2 ping 10.0.4.1      node 2 reaches node 4's loopback through the mesh"
	fi
	[ ${#up_args[@]} -eq 0 ] && echo "  sudo $env$lab console 0                 the console of node 0 (q quits)"
	[ "$n" -ge 2 ] && echo "  sudo $env$lab impair 0 2 --delay 80     slow the 0-2 path down (clear 0 2 undoes it)"
	echo "  sudo $env$lab down                      remove everything"
	echo "docs/lab.md has the rest."
}

# ---------------------------------------------------------------- uninstall

remove_path() {
	if [ -e "$ROOT$1" ]; then
		rm -f "$ROOT$1"
		say "removed $1"
	fi
}

cmd_uninstall() {
	local purge=0 p
	case ${1:-} in
	'') ;;
	--purge) purge=1 ;;
	*) die "usage: install.sh uninstall [--purge]" ;;
	esac
	require_root
	if systemd_running && [ -f "$UNIT" ]; then
		say "stopping and disabling wgmeshd"
		systemctl disable -q --now wgmeshd 2>/dev/null || true
	fi
	for p in "${PROGRAMS[@]}" wgmesh-lab; do remove_path "$SBIN/$p"; done
	remove_path "$UNIT"
	remove_path "$SYSCTL"
	systemd_running && systemctl daemon-reload
	if [ $purge -eq 1 ]; then
		for p in "$CONF_DIR" "$STATE_DIR"; do
			if [ -e "$ROOT$p" ]; then
				rm -rf "${ROOT:?}$p" 2>/dev/null || rm -rf "$ROOT$p"
				say "purged $p/"
			fi
		done
		if staging; then
			if [ -f "$ROOT/etc/group" ] && grep -q '^wgmesh:' "$ROOT/etc/group"; then
				groupdel --prefix "$ROOT" wgmesh && say "removed group wgmesh"
			fi
		elif getent group wgmesh >/dev/null; then
			groupdel wgmesh && say "removed group wgmesh"
		fi
	else
		say "kept $CONF_DIR/, $STATE_DIR/ and group wgmesh (uninstall --purge removes them)"
	fi
	say "sysctl values stay in the running kernel until reboot; packages installed by apt stay"
}

# ---------------------------------------------------------------- upgrade

# versions CONFIG: "wgmesh X" and, when the daemon answers, "wgmeshd Y".
versions() {
	"$ROOT$SBIN/wgmesh" --config "$1" version 2>/dev/null || true
}

# restart_by_pidfile FILE CONFIG: the staging hook. The daemon is stopped
# (SIGTERM: it leaves its interfaces up) and started again from the staging
# root with its own arguments, detached, in this process's namespaces.
restart_by_pidfile() {
	local pidfile=$1 pid args=() i
	pid=$(cat "$pidfile" 2>/dev/null) || die "cannot read $pidfile"
	[[ $pid =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || die "no daemon with PID '$pid' (from $pidfile)"
	mapfile -d '' -t args <"/proc/$pid/cmdline"
	[ "$(basename "${args[0]:-}")" = wgmeshd ] || die "PID $pid (from $pidfile) is not wgmeshd"
	say "restarting wgmeshd (PID $pid) from $ROOT$SBIN/wgmeshd"
	kill -TERM "$pid"
	# A zombie (the stopped daemon's parent has not reaped it) has let go of everything.
	for ((i = 0; i < 200; i++)); do
		case $(ps -o stat= -p "$pid" 2>/dev/null) in '' | Z*) break ;; esac
		sleep 0.1
	done
	case $(ps -o stat= -p "$pid" 2>/dev/null) in '' | Z*) ;; *) die "wgmeshd (PID $pid) did not stop within 20 s" ;; esac
	setsid "$ROOT$SBIN/wgmeshd" "${args[@]:1}" >>"${WGM_INSTALL_DAEMON_LOG:-/dev/null}" 2>&1 </dev/null &
	echo $! >"$pidfile"
	for ((i = 0; i < 200; i++)); do
		"$ROOT$SBIN/wgmesh" --config "$2" status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "the new wgmeshd (PID $!) did not answer within 20 s"
}

cmd_upgrade() {
	local config=$ROOT$CONFIG pidfile=${WGM_INSTALL_DAEMON_PIDFILE:-} old new args=() i
	[ $# -eq 0 ] || die "usage: install.sh upgrade"
	require_root
	[ -z "$pidfile" ] || staging || die "WGM_INSTALL_DAEMON_PIDFILE is a staging hook (set WGM_INSTALL_ROOT too)"
	if [ -n "$pidfile" ] && [ -r "$pidfile" ] && [ -r "/proc/$(cat "$pidfile")/cmdline" ]; then
		# The daemon's own --config is the one to migrate.
		mapfile -d '' -t args <"/proc/$(cat "$pidfile")/cmdline"
		for ((i = 1; i + 1 < ${#args[@]}; i++)); do
			[ "${args[$i]}" = --config ] && config=${args[$((i + 1))]}
		done
	fi
	[ -x "$ROOT$SBIN/wgmesh" ] || die "$SBIN/wgmesh is not installed: run ./install.sh first"
	old=$(versions "$config")
	build
	RESTART_ON_CHANGE=0
	install_files
	if [ -f "$config" ]; then
		say "migrating $config"
		"$ROOT$SBIN/wgmesh" --config "$config" migrate || die "'wgmesh migrate' failed (its message is above); the old config is in place"
	else
		say "no $config yet: nothing to migrate"
	fi
	if [ -n "$pidfile" ]; then
		restart_by_pidfile "$pidfile" "$config"
	elif systemd_running && systemctl -q is-active wgmeshd 2>/dev/null; then
		say "restarting wgmeshd (it adopts the running links)"
		systemctl restart wgmeshd || die "systemctl restart wgmeshd failed (journalctl -u wgmeshd says why)"
		for ((i = 0; i < 200; i++)); do
			"$SBIN/wgmesh" --config "$config" status >/dev/null 2>&1 && break
			sleep 0.1
		done
	else
		say "wgmeshd is not running under systemd here: restart it yourself to run the new version"
	fi
	new=$(versions "$config")
	say "before: $(printf '%s' "${old:-unknown}" | paste -sd, - | sed 's/,/, /g')"
	say "after:  $(printf '%s' "${new:-unknown}" | paste -sd, - | sed 's/,/, /g')"
}

# ---------------------------------------------------------------- main

while [ $# -gt 0 ]; do
	case $1 in
	--no-deps) WITH_DEPS=0 ;;
	--no-build) WITH_BUILD=0 ;;
	-h | --help | help) usage; exit 0 ;;
	-*) printf 'install.sh: unknown option %s\n' "$1" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
cmd=${1:-install}
[ $# -gt 0 ] && shift
case $cmd in
install) [ $# -eq 0 ] || die "usage: install.sh [--no-deps]"; cmd_install ;;
init) cmd_init "$@" ;;
lab) cmd_lab "$@" ;;
uninstall) cmd_uninstall "$@" ;;
upgrade) cmd_upgrade "$@" ;;
*) printf 'install.sh: unknown command %s\n' "$cmd" >&2; usage >&2; exit 2 ;;
esac
