#!/usr/bin/env bash
# `install.sh init 0 public --ipv4 ... --ipv6 ...` as on a server, inside a
# network namespace with private copies of /etc, /usr/local, /var/lib and
# /run (so the host, its groups and its systemd are never touched): the
# programs land in /usr/local/sbin, `wgmesh init` writes the node's config
# with the given ID and addresses, the unit's ExecStart line starts a daemon
# that tells systemd READY=1 and that `wgmesh` (no options) talks to, and a
# second run keeps the node's identity.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd unshare groupadd cmp

recv=$WGM_BUILD_DIR/wgm-notify-recv
[ -x "$recv" ] || fail "wgm-notify-recv is not built in $WGM_BUILD_DIR"
ns=$(e2e_netns_add n)

# Runs in the namespace; every check prints "FAIL: ..." and exits 1.
cat >"$E2E_TMP/inner.sh" <<'INNER'
set -euo pipefail
tmp=$1 build=$2 src=$3 recv=$4
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$tmp/etc" "$tmp/usrlocal" "$tmp/varlib"
cp -a /etc/. "$tmp/etc/"
mount --bind "$tmp/etc" /etc
mount --bind "$tmp/usrlocal" /usr/local
mount --bind "$tmp/varlib" /var/lib
# A tmpfs /run hides the host's systemd (install.sh then starts nothing) and
# keeps the daemon's, BIRD's and wireguard-go's sockets in here.
mount -t tmpfs tmpfs /run
rm -f /etc/wgmesh/config.json /etc/systemd/system/wgmeshd.service

install() { WGM_INSTALL_BUILD_DIR=$build "$src/install.sh" --no-deps --no-build "$@"; }
install init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10 >"$tmp/init1.log" 2>&1 ||
	fail "install.sh init failed: $(tail -n 3 "$tmp/init1.log")"
grep -qxF 'install.sh: wgmesh init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10' "$tmp/init1.log" ||
	fail "install.sh did not run the wgmesh init asked for: $(cat "$tmp/init1.log")"
grep -q 'systemd is not running here' "$tmp/init1.log" || fail "install.sh did not say it cannot start the service"
cmp -s /usr/local/sbin/wgmesh "$build/wgmesh" || fail "/usr/local/sbin/wgmesh is not the built one"
cfg=/etc/wgmesh/config.json
[ -f "$cfg" ] || fail "no $cfg after init"
for want in '"id": 0' '"listen": "public"' '"ipv4": "192.0.2.10"' '"ipv6": "2001:db8::10"' \
	'"stateDir": "/var/lib/wgmesh"' '"socket": "/run/wgmesh/wgmeshd.sock"'; do
	grep -qF "$want" "$cfg" || fail "$cfg lacks $want: $(cat "$cfg")"
done
[ -n "$(ls -A /var/lib/wgmesh)" ] || fail "init made no identity in /var/lib/wgmesh"

# The daemon as the unit starts it (Type=notify).
exec_start=$(sed -n 's/^ExecStart=//p' /etc/systemd/system/wgmeshd.service)
[ -n "$exec_start" ] || fail "the unit has no ExecStart"
"$recv" "$tmp/notify.sock" 60 >"$tmp/notify.out" 2>&1 &
for _ in $(seq 50); do [ -S "$tmp/notify.sock" ] && break; sleep 0.1; done
# shellcheck disable=SC2086 # the unit's command line, split as systemd would
NOTIFY_SOCKET=$tmp/notify.sock $exec_start 2>"$tmp/wgmeshd.log" &
daemon=$!
for _ in $(seq 150); do grep -q 'READY=1' "$tmp/notify.out" && break; sleep 0.1; done
grep -q 'READY=1' "$tmp/notify.out" || fail "the unit's ExecStart sent no READY=1: $(tail -n 3 "$tmp/wgmeshd.log")"
/usr/local/sbin/wgmesh status >"$tmp/status" 2>&1 || fail "wgmesh status (default config) failed: $(cat "$tmp/status")"
grep -qx 'node      0' "$tmp/status" || fail "status does not show node 0: $(cat "$tmp/status")"
kill -TERM "$daemon"
wait "$daemon" || fail "wgmeshd exited $? on SIGTERM"
# The state as the node left it (the daemon adds its own files, such as the
# members it knows): a second init must change none of it.
ids_before=$(cd /var/lib/wgmesh && find . -type f -exec sha256sum {} + | sort)

install init 0 public --ipv4 192.0.2.10 >"$tmp/init2.log" 2>&1 || fail "second install.sh init failed: $(tail -n 3 "$tmp/init2.log")"
grep -q "config.json exists: this node is initialised already" "$tmp/init2.log" ||
	fail "second init did not say the node exists: $(cat "$tmp/init2.log")"
grep -qF '"ipv6": "2001:db8::10"' "$cfg" || fail "second init changed the config"
[ "$(cd /var/lib/wgmesh && find . -type f -exec sha256sum {} + | sort)" = "$ids_before" ] ||
	fail "second init changed the node's identity"
echo PASS
INNER

host_state() {
	ls -ld --time-style=+%s /usr/local/sbin/wgmesh /usr/local/sbin/wgmeshd /etc/wgmesh/config.json \
		/etc/systemd/system/wgmeshd.service /etc/sysctl.d/99-wgmesh.conf /var/lib/wgmesh 2>&1 || true
	getent group wgmesh || true
}
host_state >"$E2E_TMP/host.before"
ip netns exec "$ns" unshare -m --propagation private bash "$E2E_TMP/inner.sh" "$E2E_TMP" "$WGM_BUILD_DIR" \
	"$WGM_SRC_DIR" "$recv" >"$E2E_TMP/inner.out" 2>&1 || true
grep -qx PASS "$E2E_TMP/inner.out" || fail "$(grep '^FAIL' "$E2E_TMP/inner.out" || tail -n 5 "$E2E_TMP/inner.out")"
host_state >"$E2E_TMP/host.after"
diff -u "$E2E_TMP/host.before" "$E2E_TMP/host.after" || fail "the host's files changed"
e2e_log "pass"
