#!/usr/bin/env bash
# A join between real daemons, captured on the underlay bridge: the capture
# holds none of the secrets (the token, its secret bytes in any base64 form,
# the preshared keys, the WireGuard and API private keys, the mesh key); the
# daemons' logs and the CLI's output hold none either; the files holding keys
# are 0600 and the state directories 0700. A captured request replayed is
# refused.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping tcpdump jq od base64 curl

e2e_pair dual
e2e_daemon_start 0
e2e_daemon_start 2

pcap="$E2E_TMP/underlay.pcap"
# Node 0's port on the bridge carries every packet of the join. br0 itself
# would not: once the bridge has learnt the MACs it forwards between ports
# without passing the frames up to its own device.
ip netns exec "${E2E_TAG}br" tcpdump -i "${E2E_TAG}p0" --immediate-mode -U -s0 -n -w "$pcap" 2>"$E2E_TMP/tcpdump.log" &
tcpdump_pid=$!
e2e_on_exit "kill $tcpdump_pid"
wait_until 10 grep -q "listening on" "$E2E_TMP/tcpdump.log" || fail "tcpdump did not start: $(cat "$E2E_TMP/tcpdump.log")"

token=$(e2e_wgmesh 0 token 2>>"$E2E_TMP/cli.log") || fail "wgmesh token failed"
e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" >>"$E2E_TMP/cli.log" 2>&1 || fail "connect failed: $(cat "$E2E_TMP/cli.log")"
wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "no ping over pipe0"
wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.6 || fail "no ping over pipe0v6"
e2e_wgmesh 2 links --json >>"$E2E_TMP/cli.log" 2>&1
e2e_wgmesh 0 token list --json >>"$E2E_TMP/cli.log" 2>&1
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null || true

# The capture holds the join, so that finding nothing in it means something.
grep -aq "POST /connect " "$pcap" || fail "the capture has no /connect request"
grep -aq "POST /connectivity " "$pcap" || fail "the capture has no /connectivity request"

# What someone on the path captured cannot be used again: the first /connect
# (the token join), posted once more from node 2, is refused as a replay.
captured=$(tcpdump -r "$pcap" -A -n 'tcp dst port 8080' 2>/dev/null | grep -o '{"v":1,"pk":"[^}]*}' | head -1)
[ -n "$captured" ] || fail "no boxed request found in the capture"
out=$(e2e_in 2 curl -sS -m 10 -w ' %{http_code}' -H 'Content-Type: application/json' \
	--data-binary "$captured" http://192.0.2.10:8080/connect 2>&1) || true
[[ $out == *replayed*401 ]] || fail "the captured join, replayed, got: $out"

od -An -v -tx1 "$pcap" | tr -d ' \n' >"$E2E_TMP/pcap.hex"
hex_of_b64() { printf '%s' "$1" | tr -- '-_' '+/' | base64 -d 2>/dev/null | od -An -v -tx1 | tr -d ' \n'; }
b64url() { tr -- '+/' '-_' | tr -d '='; }

# Every secret as text forms (base64, base64url, unpadded) and raw bytes.
declare -A secrets
add_secret() {
	local name=$1 b64=$2 hex
	[ -n "$b64" ] && [ "$b64" != null ] || fail "no value for $name"
	hex=$(hex_of_b64 "$b64")
	[ ${#hex} -ge 32 ] || fail "$name does not decode to a key: ${#hex} hex digits"
	secrets["$name (base64)"]=${b64%%=*}
	secrets["$name (base64url)"]=$(printf '%s' "$b64" | tr -- '-_' '+/' | base64 -d | base64 -w0 | b64url)
	secrets["$name (hex)"]=$hex
	secrets["$name (raw)"]=$hex
}
# Token: "wgm1-" base64url(api_pk[32] || secret[16] [|| url]).
tok_hex=$(hex_of_b64 "$(printf '%s' "${token#wgm1-}" | awk '{ n = length($0) % 4; printf "%s%s", $0, (n == 2 ? "==" : n == 3 ? "=" : "") }')")
[ ${#tok_hex} -ge 96 ] || fail "cannot decode the token"
secret_hex=${tok_hex:64:32}
secret_b64=$(printf '%s' "$secret_hex" | sed 's/../\\x&/g' | xargs -0 printf '%b' | base64 -w0)
secrets["token text"]=$token
secrets["token secret in the token text"]=${token:5+44:16}
add_secret "token secret" "$secret_b64"
for id in 0 2; do
	st="$E2E_TMP/n$id/state"
	add_secret "node $id API private key" "$(jq -r .api_sk "$st/node.json")"
	add_secret "node $id mesh key" "$(jq -r .mesh_key "$st/node.json")"
	# Only the admin (node 0, which made the mesh) keeps the mesh signing key.
	[ "$(jq -r '.mesh_sk // ""' "$st/node.json")" = "" ] ||
		add_secret "node $id mesh signing key" "$(jq -r .mesh_sk "$st/node.json")"
	[ ! -e "$st/tokens.json" ] || add_secret "node $id token hash key" "$(jq -r .hash_key "$st/tokens.json")"
	for f in "$st"/links/*.json; do
		l=$(basename "$f" .json)
		add_secret "node $id $l WireGuard private key" "$(jq -r .private_key "$f")"
		add_secret "node $id $l preshared key" "$(jq -r .psk "$f")"
	done
done
[ "${secrets[node 0 pipe2 preshared key (hex)]}" = "${secrets[node 2 pipe0 preshared key (hex)]}" ] ||
	fail "the two ends of pipe0 do not hold the same preshared key: the test reads the wrong fields"

# The searches find what is there: node 0's API public key (public, in the
# token and in /connectivity's answer) as text, and a request line as bytes.
pk_b64=$(printf '%s' "${tok_hex:0:64}" | sed 's/../\\x&/g' | xargs -0 printf '%b' | base64 -w0)
grep -aqF -- "${pk_b64%%=*}" "$pcap" || fail "the search misses node 0's API public key in the capture"
grep -qF -- "$(printf 'POST /connect ' | od -An -v -tx1 | tr -d ' \n')" "$E2E_TMP/pcap.hex" ||
	fail "the byte search misses a request line in the capture"

for name in "${!secrets[@]}"; do
	s=${secrets[$name]}
	if [[ $name == *"(raw)" ]]; then
		grep -qF -- "$s" "$E2E_TMP/pcap.hex" && fail "the capture holds the $name"
		continue
	fi
	grep -aqiF -- "$s" "$pcap" && fail "the capture holds the $name"
	for log in "$E2E_TMP"/n*/*.log "$E2E_TMP/cli.log"; do
		grep -aqiF -- "$s" "$log" && fail "$(basename "$(dirname "$log")")/$(basename "$log") holds the $name"
	done
done
grep -aq '"psk"\|"private_key"\|"api_sk"\|"mesh_key"\|"mesh_sk"' "$pcap" && fail "the capture shows a secret's field name in clear"

# Private files and directories.
for id in 0 2; do
	st="$E2E_TMP/n$id/state"
	[ "$(stat -c %a "$st")" = 700 ] || fail "node $id: state dir is $(stat -c %a "$st"), want 700"
	[ "$(stat -c %a "$st/links")" = 700 ] || fail "node $id: links dir is $(stat -c %a "$st/links"), want 700"
	[ -e "$E2E_TMP/n0/state/tokens.json" ] || fail "node 0 keeps no tokens.json"
	for f in "$st"/*.json "$st"/links/*.json; do
		[ "$(stat -c %a "$f")" = 600 ] || fail "node $id: $(basename "$f") is $(stat -c %a "$f"), want 600"
	done
done

e2e_log "ok: ${#secrets[@]} secret forms absent from the capture and the logs"
