#!/usr/bin/env bash
# A WireGuard link built by common/ (wgm-linktool) between two namespaces
# joined by veth: ping over it on IPv4 and IPv6 link addresses, with IPv4 and
# IPv6 underlay endpoints, read handshake and byte counters back, delete it
# and check that no process and no interface is left. Runs with the
# userspace backend always and with the kernel backend where the module is
# (in the guest of vm.wg_link, which sets WGM_E2E_REQUIRE_KERNEL=1).
source "$(dirname "$0")/lib.sh"

e2e_require_root
e2e_require_cmd wireguard-go wg ping
TOOL="$WGM_BUILD_DIR/wgm-linktool"
[ -x "$TOOL" ] || fail "missing $TOOL (build first)"

A=$(e2e_netns_add a)
B=$(e2e_netns_add b)
e2e_veth "$A" "$B" 192.0.2.1/24 192.0.2.2/24
ip -n "$A" addr add 2001:db8::1/64 dev u0 nodad
ip -n "$B" addr add 2001:db8::2/64 dev u0 nodad

umask 077
for side in a b; do
	wg genkey >"$E2E_TMP/$side.key"
	wg pubkey <"$E2E_TMP/$side.key" >"$E2E_TMP/$side.pub"
done
wg genpsk >"$E2E_TMP/psk"

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# show_field NS IFNAME BACKEND FIELD -> the value of FIELD in `show`
show_field() {
	in_ns "$1" "$TOOL" show "$2" --backend "$3" | awk -v f="$4" '$1 == f { print $2; exit }'
}

peer_counters_positive() {
	local ns=$1 ifname=$2 backend=$3 f v
	for f in last_handshake_sec rx_bytes tx_bytes; do
		v=$(show_field "$ns" "$ifname" "$backend" "$f")
		[ -n "$v" ] && [ "$v" -gt 0 ] || return 1
	done
}

# link_test BACKEND N UNDERLAY_A UNDERLAY_B: one link, both sides, then gone.
link_test() {
	local backend=$1 n=$2 under_a=$3 under_b=$4
	local ifa="wg${E2E_TAG}${backend:0:1}${n}a" ifb="wg${E2E_TAG}${backend:0:1}${n}b"
	local port_a=$((51820 + n * 2)) port_b=$((51821 + n * 2))
	local v4a="10.0.$n.4" v4b="10.0.$n.5" v6a="fe82:$n::4" v6b="fe82:$n::5"

	e2e_on_exit "in_ns $A $TOOL delete $ifa --backend $backend"
	e2e_on_exit "in_ns $B $TOOL delete $ifb --backend $backend"
	local create_a=("$TOOL" create "$ifa" --backend "$backend" --private-key-file "$E2E_TMP/a.key"
		--port "$port_a" --peer "$(cat "$E2E_TMP/b.pub")" --endpoint "$under_b:$port_b"
		--psk-file "$E2E_TMP/psk" --addr "$v4a/31" --addr "$v6a/127" --mtu 1380 --up)
	in_ns "$A" "${create_a[@]}" || fail "$backend: create $ifa in $A"
	in_ns "$B" "$TOOL" create "$ifb" --backend "$backend" --private-key-file "$E2E_TMP/b.key" \
		--port "$port_b" --peer "$(cat "$E2E_TMP/a.pub")" --endpoint "$under_a:$port_a" \
		--psk-file "$E2E_TMP/psk" --addr "$v4b/31" --addr "$v6b/127" --up ||
		fail "$backend: create $ifb in $B"

	[ "$(show_field "$A" "$ifa" "$backend" public_key)" = "$(cat "$E2E_TMP/a.pub")" ] ||
		fail "$backend: show $ifa does not report the public key of its private key"
	[ "$(show_field "$A" "$ifa" "$backend" peer)" = "$(cat "$E2E_TMP/b.pub")" ] ||
		fail "$backend: show $ifa does not list its peer"
	[ "$(show_field "$A" "$ifa" "$backend" preshared_key)" = "(set)" ] ||
		fail "$backend: preshared key not set on $ifa"
	in_ns "$A" "$TOOL" links | grep -q "^$ifa .* up 1380$" ||
		fail "$backend: $ifa is not listed up with MTU 1380"
	in_ns "$A" "$TOOL" route "$v4b" | grep -q "^dev $ifa src $v4a gateway - mtu 1380$" ||
		fail "$backend: route to $v4b is not via $ifa from $v4a with MTU 1380"

	wait_until 20 in_ns "$A" ping -c1 -W1 "$v4b" || fail "$backend: no IPv4 ping from $v4a to $v4b through the tunnel (underlay $under_b)"
	wait_until 20 in_ns "$B" ping -c1 -W1 "$v4a" || fail "$backend: no IPv4 ping from $v4b to $v4a through the tunnel"
	wait_until 20 in_ns "$A" ping -6 -c1 -W1 -I "$ifa" "$v6b" || fail "$backend: no IPv6 ping from $v6a to $v6b through the tunnel"

	peer_counters_positive "$A" "$ifa" "$backend" || fail "$backend: show $ifa reports no handshake or no rx/tx bytes"
	peer_counters_positive "$B" "$ifb" "$backend" || fail "$backend: show $ifb reports no handshake or no rx/tx bytes"

	if [ "$backend" = userspace ] && [ "$n" = 1 ]; then
		# wireguard-go dies: the backend says so, and create brings it back.
		local pid
		pid=$(ip netns pids "$A")
		[ "$(echo "$pid" | wc -w)" = 1 ] || fail "expected one wireguard-go in $A, found: $pid"
		kill -KILL "$pid"
		wait_until 10 sh -c "! ip netns exec $A $TOOL show $ifa --backend userspace" ||
			fail "show $ifa still succeeds after its wireguard-go was killed"
		msg=$(in_ns "$A" "$TOOL" show "$ifa" --backend userspace 2>&1) && fail "show $ifa succeeded"
		echo "$msg" | grep -q "is not running" || fail "show after a crash does not say the process is not running: $msg"
		in_ns "$A" "${create_a[@]}" || fail "create $ifa again after its process died"
		wait_until 20 in_ns "$A" ping -c1 -W1 "$v4b" || fail "no IPv4 ping through $ifa after restarting wireguard-go"
		e2e_log "userspace: killed wireguard-go detected and restarted by create: ok"
	fi

	in_ns "$A" "$TOOL" delete "$ifa" --backend "$backend" || fail "$backend: delete $ifa"
	in_ns "$B" "$TOOL" delete "$ifb" --backend "$backend" || fail "$backend: delete $ifb"
	! in_ns "$A" "$TOOL" links | grep -q "^$ifa " || fail "$backend: $ifa still exists after delete"
	! in_ns "$B" "$TOOL" links | grep -q "^$ifb " || fail "$backend: $ifb still exists after delete"
	# Deleting an absent link succeeds: reconcilers call it blindly.
	in_ns "$A" "$TOOL" delete "$ifa" --backend "$backend" || fail "$backend: second delete of $ifa failed"
	e2e_log "$backend: link $n over $under_b: pings, handshake, counters, delete: ok"
}

no_process_left() {
	local ns pids
	for ns in "$A" "$B"; do
		pids=$(ip netns pids "$ns")
		[ -z "$pids" ] || fail "processes left in $ns after delete: $(ps -o pid=,args= -p "${pids//$'\n'/,}" | tr '\n' ';')"
	done
	ls /var/run/wireguard/wg"${E2E_TAG}"* >/dev/null 2>&1 && fail "UAPI sockets left: $(ls /var/run/wireguard/wg"${E2E_TAG}"*)"
	return 0
}

link_test userspace 1 192.0.2.1 192.0.2.2
link_test userspace 2 '[2001:db8::1]' '[2001:db8::2]'
no_process_left
ran_userspace=1

# The kernel variant needs the module; a probe link tells whether it is there.
if ip -n "$A" link add "wgk${E2E_TAG}" type wireguard 2>/dev/null; then
	ip -n "$A" link del "wgk${E2E_TAG}"
	link_test kernel 3 192.0.2.1 192.0.2.2
	link_test kernel 4 '[2001:db8::1]' '[2001:db8::2]'
	no_process_left
else
	# In the guest of vm.wg_link the module must be there: not running the
	# kernel variant would be a silent pass.
	[ "${WGM_E2E_REQUIRE_KERNEL:-0}" = 0 ] ||
		fail "kernel variant required (WGM_E2E_REQUIRE_KERNEL=1) but ip link add type wireguard failed"
	msg=$(in_ns "$A" "$TOOL" show "wgk${E2E_TAG}" --backend kernel 2>&1) &&
		fail "kernel backend opened without the wireguard module"
	echo "$msg" | grep -q "wireguard" || fail "kernel backend error does not name the module: $msg"
	e2e_log "kernel variant NOT run: this kernel has no wireguard module ($msg)"
fi

[ "${ran_userspace:-0}" = 1 ] || fail "userspace variant did not run"
e2e_log "ok"
