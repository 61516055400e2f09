#!/usr/bin/env bash
# ./install.sh upgrade with two real nodes linked: node 0's programs come from
# a staging root (WGM_INSTALL_ROOT), and upgrade replaces them, migrates the
# node's config and restarts its daemon through the staging hook
# (WGM_INSTALL_DAEMON_PIDFILE: what systemctl restart does on a server). A
# ping from node 2 across the link keeps answering through the restart (a
# few losses tolerated), the new daemon is the staged program, it adopts the
# link, and the old and new versions are printed.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go wg nsenter unshare ping setsid ps

INSTALL=$WGM_SRC_DIR/install.sh
ROOT=$E2E_TMP/root
mkdir -p "$ROOT/etc"
printf 'root:x:0:\n' >"$ROOT/etc/group"
printf 'root:*::\n' >"$ROOT/etc/gshadow"
# The tree is built already (by tests/run.sh); install.sh installs it as it is.
WGM_INSTALL_ROOT=$ROOT WGM_INSTALL_BUILD_DIR=$WGM_BUILD_DIR "$INSTALL" --no-deps --no-build >"$E2E_TMP/install.log" 2>&1 ||
	fail "install.sh into the staging root failed: $(tail -n 1 "$E2E_TMP/install.log")"

e2e_pair_joined
version=$("$WGM_BUILD_DIR/wgmesh" --version | awk '{print $2}')
[ -n "$version" ] || fail "wgmesh --version printed no version"

old_pid=$(cat "$E2E_TMP/n0/wgmeshd.pid")
lines=$(wc -l <"$E2E_TMP/n0/wgmeshd.log")
# nsenter execs ping, so $! is ping itself (SIGINT makes it print its summary).
nsenter -t "${E2E_HOLDER[2]}" -m -n ping -n -i 0.2 -W 1 10.0.0.4 >"$E2E_TMP/ping.log" 2>&1 &
ping_pid=$!
e2e_on_exit "kill $ping_pid"
wait_until 10 grep -q 'bytes from' "$E2E_TMP/ping.log" || fail "the ping across the link does not answer"

e2e_log "upgrade node 0"
e2e_in 0 env WGM_INSTALL_ROOT="$ROOT" WGM_INSTALL_BUILD_DIR="$WGM_BUILD_DIR" \
	WGM_INSTALL_DAEMON_PIDFILE="$E2E_TMP/n0/wgmeshd.pid" WGM_INSTALL_DAEMON_LOG="$E2E_TMP/n0/wgmeshd.log" \
	"$INSTALL" --no-deps --no-build upgrade >"$E2E_TMP/upgrade.log" 2>&1 ||
	fail "install.sh upgrade failed: $(tail -n 3 "$E2E_TMP/upgrade.log")"
wait "$old_pid" 2>/dev/null || true
grep -qF "before: wgmesh $version, wgmeshd $version" "$E2E_TMP/upgrade.log" ||
	fail "upgrade did not print the old versions: $(grep -E 'before|after' "$E2E_TMP/upgrade.log")"
grep -qF "after:  wgmesh $version, wgmeshd $version" "$E2E_TMP/upgrade.log" ||
	fail "upgrade did not print the new versions: $(grep -E 'before|after' "$E2E_TMP/upgrade.log")"
grep -q "migrating $E2E_TMP/n0/config.json" "$E2E_TMP/upgrade.log" || fail "upgrade did not migrate the node's config"

new_pid=$(cat "$E2E_TMP/n0/wgmeshd.pid")
[ "$new_pid" != "$old_pid" ] || fail "the daemon was not restarted (PID $old_pid still in the pidfile)"
[ "$(readlink "/proc/$new_pid/exe")" = "$ROOT/usr/local/sbin/wgmeshd" ] ||
	fail "the running daemon is $(readlink "/proc/$new_pid/exe"), not the upgraded $ROOT/usr/local/sbin/wgmeshd"
up_again() { tail -n +"$((lines + 1))" "$E2E_TMP/n0/wgmeshd.log" | grep -q "link pipe2 is up"; }
wait_until 20 up_again || fail "the new daemon did not take pipe2 up: $(tail -3 "$E2E_TMP/n0/wgmeshd.log")"
e2e_wgmesh 0 links --json | grep -q '"name": "pipe2"' || fail "node 0 lost pipe2 from its links"
out=$(e2e_wgmesh 0 version) || fail "wgmesh version failed"
[ "$out" = "$(printf 'wgmesh %s\nwgmeshd %s' "$version" "$version")" ] || fail "wgmesh version printed: $out"

# Let a few more pings go through the new daemon's link, then count.
sleep 2
kill -INT "$ping_pid"
wait "$ping_pid" 2>/dev/null || true
sent=$(awk '/packets transmitted/ {print $1}' "$E2E_TMP/ping.log")
got=$(awk '/packets transmitted/ {print $4}' "$E2E_TMP/ping.log")
[ -n "$sent" ] && [ "$sent" -ge 10 ] || fail "the ping sent too little to judge: $(tail -2 "$E2E_TMP/ping.log")"
[ $((sent - got)) -le 3 ] || fail "the link dropped traffic across the upgrade: $got of $sent answered"
e2e_log "ok: $got of $sent pings answered across the upgrade; $(grep -E 'before|after' "$E2E_TMP/upgrade.log" | tr '\n' ' ')"
