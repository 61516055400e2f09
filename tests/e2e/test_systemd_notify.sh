#!/usr/bin/env bash
# wgmeshd keeps the promises of the unit install.sh writes (Type=notify,
# WatchdogSec): READY=1 once its control socket serves, WATCHDOG=1 at the
# interval systemd asks for, STOPPING=1 on SIGTERM, exit status 0. systemd's
# side is played by wgm-notify-recv.
. "$(dirname "$0")/lib.sh"
e2e_require_root

recv=$WGM_BUILD_DIR/wgm-notify-recv
[ -x "$recv" ] || fail "wgm-notify-recv is not built in $WGM_BUILD_DIR"
ns=$(e2e_netns_add n)
cfg=$E2E_TMP/config.json
notify=$E2E_TMP/notify.sock
"$WGM_BUILD_DIR/wgmesh" --config "$cfg" init 6 --state-dir "$E2E_TMP/state" --socket "$E2E_TMP/ctl.sock" \
	--bird-config "$E2E_TMP/bird.conf" --bird-socket "$E2E_TMP/bird.ctl" --backend userspace \
	--ipv4 none --ipv6 none 2>>"$E2E_TMP/init.log" || fail "wgmesh init failed: $(cat "$E2E_TMP/init.log")"

"$recv" "$notify" 60 >"$E2E_TMP/notify.out" 2>&1 &
recv_pid=$!
e2e_on_exit "kill $recv_pid"
wait_until 5 test -S "$notify" || fail "wgm-notify-recv did not bind $notify: $(cat "$E2E_TMP/notify.out")"

# The unit's WatchdogSec=30 in small: 2 s, so the daemon pings every second.
# WATCHDOG_PID names the daemon itself: ip netns exec execs it.
ip netns exec "$ns" env NOTIFY_SOCKET="$notify" WATCHDOG_USEC=2000000 \
	"$WGM_BUILD_DIR/wgmeshd" --config "$cfg" 2>>"$E2E_TMP/wgmeshd.log" &
daemon_pid=$!
e2e_on_exit "kill -KILL $daemon_pid"

wait_until 15 grep -q 'READY=1' "$E2E_TMP/notify.out" || fail "no READY=1 from wgmeshd: $(cat "$E2E_TMP/notify.out"); log: $(tail -n 3 "$E2E_TMP/wgmeshd.log")"
# READY=1 promises a serving control socket: status answers at once.
"$WGM_BUILD_DIR/wgmesh" --config "$cfg" status >/dev/null 2>"$E2E_TMP/status.err" ||
	fail "READY=1 was sent but status failed: $(cat "$E2E_TMP/status.err")"
wait_until 10 sh -c "[ \$(grep -c '^WATCHDOG=1\$' '$E2E_TMP/notify.out') -ge 3 ]" ||
	fail "fewer than 3 WATCHDOG=1 in 10 s with WATCHDOG_USEC=2000000: $(cat "$E2E_TMP/notify.out")"

kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
[ $rc -eq 0 ] || fail "wgmeshd exited $rc on SIGTERM (systemd would count a failure)"
wait_until 5 grep -q 'STOPPING=1' "$E2E_TMP/notify.out" || fail "no STOPPING=1 on SIGTERM: $(cat "$E2E_TMP/notify.out")"
e2e_log "pass"
