#!/usr/bin/env bash
# wgmeshd killed with SIGKILL (a crash: no clean-up of its own) and started
# again, with an obfuscated link: the new daemon binds the obfuscation
# engine's netfilter queue and the link carries traffic again. The queue is
# bound to a netlink socket; wireguard-go processes the daemon started are
# its children and outlive it, and once inherited that socket and kept the
# queue bound after a crash, so obfuscated links stayed down (found by
# tests/bench/soak.sh). Every process the daemon starts now gets none of its
# descriptors.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird jq

e2e_pair
for id in 0 2; do
	e2e_bird_start $id
	e2e_daemon_start $id
	e2e_wgmesh $id enable wgobfs >/dev/null || fail "node $id: enable wgobfs failed"
done
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" wgobfs 2>&1) || fail "connect failed: $out"

link_up() { e2e_wgmesh 0 links --json | jq -e '.[] | select(.name == "pipe2") | .state == "up"' >/dev/null; }
obfs_out() { e2e_wgmesh 0 links --json | jq '.[] | select(.name == "pipe2") | .obfs.out_packets // 0'; }
wait_until 60 link_up || fail "the wgobfs link never came up: $(e2e_wgmesh 0 links)"

# No descriptor of the daemon (its netlink sockets, the node API, the
# control socket) lives on in its wireguard-go processes: no open file is
# shared between them.
pid=$(cat "$E2E_TMP/n0/wgmeshd.pid")
# Standard descriptors are shared on purpose (wireguard-go's output);
# anonymous inodes (epoll, eventfd) all read the same, whoever owns them.
open_files() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		case ${fd##*/} in 0 | 1 | 2) continue ;; esac
		readlink "$fd"
	done 2>/dev/null | grep -v '^anon_inode:' | sort -u
}
open_files "$pid" >"$E2E_TMP/daemon.fds"
nwg=0
for p in $(ip netns pids "$(e2e_node_ns 0)"); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'wireguard-go' || continue
	nwg=$((nwg + 1))
	# Its output pipe (its stdout, whose read end it keeps on fd 3 so that it
	# never writes into a pipe without a reader) is the daemon's to read.
	own_pipe=$(readlink "/proc/$p/fd/1")
	shared=$(open_files "$p" | grep -vxF "$own_pipe" | comm -12 - "$E2E_TMP/daemon.fds")
	[ -z "$shared" ] || fail "wireguard-go (pid $p) holds descriptors of the daemon: $(echo $shared)"
done
[ "$nwg" -gt 0 ] || fail "no wireguard-go process found in node 0 (the check proves nothing)"

e2e_daemon_stop 0 KILL
kill -0 "$pid" 2>/dev/null && fail "wgmeshd survived SIGKILL"
e2e_daemon_start 0
if e2e_log_has 0 'cannot bind netfilter queue'; then
	fail "after the crash the new daemon could not bind the obfuscation queue: $(grep 'netfilter queue' "$E2E_TMP/n0/wgmeshd.log" | tail -1)"
fi
wait_until 60 link_up || fail "the wgobfs link did not come back after the crash: $(e2e_wgmesh 0 links)"
before=$(obfs_out)
wait_until 30 e2e_in 0 ping -c1 -W1 10.0.2.1 >/dev/null || fail "node 0 does not reach node 2 after the crash"
wait_until 10 sh -c "[ \"\$($WGM_BUILD_DIR/wgmesh --config $E2E_TMP/n0/config.json links --json | jq '.[] | select(.name == \"pipe2\") | .obfs.out_packets // 0')\" -gt $before ]" ||
	fail "the new daemon transforms nothing on pipe2 (obfs out_packets stays $before)"
e2e_log "after SIGKILL and a restart the wgobfs link is up and transformed by the new daemon"
