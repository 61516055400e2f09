#!/usr/bin/env bash
# In the systemd guest (tests/vm/test_systemd.sh, run as wgm-vm-job.service):
# the user's way in, `install.sh init 2 public`, installs the release build's
# programs and the sandboxed unit and starts BIRD and wgmeshd under systemd.
# Node 4, a plain wgmeshd in a namespace with the kernel backend, joins it.
# Under the sandbox, node 2's wgmeshd must run wireguard-go, bring the link
# up, configure and watch BIRD (node 4 reaches node 2's loopback through
# OSPF), and probe (rtt_ms a number); `systemctl show` and /proc must show
# the sandbox in force on the daemon and on its wireguard-go.
. "$(dirname "$0")/../e2e/lib.sh"

e2e_require_root
e2e_require_cmd jq systemctl wireguard-go bird
REL=${WGM_VM_RELEASE_DIR:?the release build directory (test_systemd.sh sets it)}
CLI=(/usr/local/sbin/wgmesh --config /etc/wgmesh/config.json)
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0)) s"; }

[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is $(cat /proc/1/comm), not systemd"
state=$(systemctl is-system-running --wait 2>&1 || true)
e2e_log "systemd $state: $(systemd-analyze time 2>&1 | head -n 1)"
[ "$state" = running ] || e2e_log "failed units (not ours): $(systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')"

# The underlay: node 2 is this guest's own network (where systemd runs it),
# node 4 a namespace on a veth.
e2e_node_add 4
ip link add "${E2E_TAG}us" type veth peer name "${E2E_TAG}un"
e2e_on_exit "ip link del ${E2E_TAG}us"
ip link set "${E2E_TAG}un" netns "$(e2e_node_ns 4)" name u0
ip addr add 192.0.2.12/24 dev "${E2E_TAG}us"
ip link set "${E2E_TAG}us" up
ip -n "$(e2e_node_ns 4)" addr add 192.0.2.14/24 dev u0
ip -n "$(e2e_node_ns 4)" link set u0 up

e2e_log "install.sh init 2 public (userspace backend: wireguard-go under the sandbox)"
WGM_INSTALL_BUILD_DIR=$REL "$WGM_SRC_DIR/install.sh" --no-deps --no-build init 2 public \
	--ipv4 192.0.2.12 --ipv6 none --backend userspace >"$E2E_TMP/install.log" 2>&1 ||
	fail "install.sh init failed: $(tail -n 3 "$E2E_TMP/install.log")"
e2e_on_exit "systemctl stop wgmeshd bird"
systemctl -q is-active wgmeshd || fail "wgmeshd is not active after install.sh init: $(systemctl status wgmeshd --no-pager 2>&1 | tail -n 5)"
systemctl -q is-active bird || fail "bird is not active: $(systemctl status bird --no-pager 2>&1 | tail -n 5)"
e2e_log "bird and wgmeshd active under systemd ($(elapsed))"

e2e_log "the sandbox is in force"
show=$(systemctl show wgmeshd -p NoNewPrivileges -p ProtectSystem -p ProtectHome -p PrivateTmp \
	-p CapabilityBoundingSet -p RestrictAddressFamilies -p MemoryDenyWriteExecute -p DevicePolicy \
	-p ProtectKernelTunables -p ProtectKernelModules -p RestrictNamespaces -p SystemCallArchitectures)
for want in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes MemoryDenyWriteExecute=yes \
	DevicePolicy=closed ProtectKernelTunables=yes ProtectKernelModules=yes SystemCallArchitectures=native \
	'CapabilityBoundingSet=cap_chown cap_dac_override cap_net_bind_service cap_net_admin cap_net_raw' \
	'RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX' RestrictNamespaces=yes; do
	grep -qxF "$want" <<<"$show" || fail "systemctl show wgmeshd lacks '$want': $(tr '\n' ' ' <<<"$show")"
done
pid=$(systemctl show -p MainPID --value wgmeshd)
# What the kernel enforces on PROCESS: no new privileges, a seccomp filter,
# the five capabilities as its bounding set (bits 0 1 10 12 13 = 0x3403).
in_force() {
	local st=/proc/$1/status
	grep -q '^NoNewPrivs:[[:space:]]*1$' "$st" || fail "$2 runs without NoNewPrivs"
	grep -q '^Seccomp:[[:space:]]*2$' "$st" || fail "$2 runs without a seccomp filter"
	[ "$(awk '/^CapBnd:/ { print $2 }' "$st")" = 0000000000003403 ] ||
		fail "$2's bounding set is $(awk '/^CapBnd:/ { print $2 }' "$st"), not CHOWN DAC_OVERRIDE NET_BIND_SERVICE NET_ADMIN NET_RAW"
}
in_force "$pid" wgmeshd
# Its view of the file system: the root read-only, its own paths writable.
nsenter -t "$pid" -m sh -c ': >/usr/local/sbin/wgm-probe' 2>/dev/null && fail "wgmeshd can write /usr (ProtectSystem=strict)"
nsenter -t "$pid" -m sh -c ': >/etc/wgm-probe' 2>/dev/null && fail "wgmeshd can write /etc outside its paths"
nsenter -t "$pid" -m sh -c 'test -w /etc/wgmesh && test -w /etc/bird && test -w /var/lib/wgmesh && test -w /run/wireguard' ||
	fail "wgmeshd cannot write its own paths"

token=$("${CLI[@]}" token 2>"$E2E_TMP/token.err") || fail "wgmesh token on node 2 failed: $(cat "$E2E_TMP/token.err")"

e2e_log "node 4 (kernel backend) joins node 2"
WGM_E2E_BACKEND_4=kernel e2e_node_init 4 --ipv4 192.0.2.14 --ipv6 none
e2e_bird_start 4
e2e_daemon_start 4
out=$(e2e_wgmesh 4 connect http://192.0.2.12:8080 "$token" 2>&1) || fail "node 4 could not join node 2: $out"

link_up() { "${CLI[@]}" links --json | jq -e '.[] | select(.remote_id == 4) | .state == "up"' >/dev/null; }
wait_until 60 link_up || fail "node 2's link to node 4 is not up: $("${CLI[@]}" links --json 2>&1)"
wg=$(pgrep -P "$pid" -x wireguard-go | head -n 1) || fail "node 2 runs no wireguard-go"
[ -n "$wg" ] || fail "node 2 runs no wireguard-go"
in_force "$wg" "node 2's wireguard-go"
grep -qx "0::$(systemctl show -p ControlGroup --value wgmeshd)" "/proc/$wg/cgroup" ||
	fail "wireguard-go is not in wgmeshd's cgroup: $(cat "/proc/$wg/cgroup")"
e2e_log "link up, wireguard-go (pid $wg) sandboxed like its daemon ($(elapsed))"

bird_up() { "${CLI[@]}" status --json | jq -e '.bird == "up"' >/dev/null; }
wait_until 30 bird_up || fail "node 2 does not see BIRD up: $("${CLI[@]}" status --json 2>&1)"
wait_until 90 e2e_in 4 ping -c1 -W1 10.0.2.1 ||
	fail "node 4 cannot reach node 2's loopback 10.0.2.1 (the OSPF route node 2's BIRD should announce)"
e2e_log "BIRD up; node 4 reaches node 2's loopback over OSPF ($(elapsed))"

rtt_known() { "${CLI[@]}" links --json | jq -e '.[] | select(.remote_id == 4) | .rtt_ms | type == "number"' >/dev/null; }
wait_until 60 rtt_known || fail "node 2 measured no RTT to node 4 (raw ICMP probes): $("${CLI[@]}" links --json 2>&1)"
e2e_log "probes measure: rtt_ms $("${CLI[@]}" links --json | jq '.[] | select(.remote_id == 4) | .rtt_ms') ($(elapsed))"

# Nothing refused by the sandbox along the way.
denied=$(journalctl -b -u wgmeshd --no-pager -o cat | grep -iE 'permission denied|operation not permitted|read-only file system' || true)
[ -z "$denied" ] || fail "wgmeshd met the sandbox: $denied"
e2e_log "PASS: wgmeshd runs sandboxed under systemd; link, BIRD and probes work ($(elapsed))"
