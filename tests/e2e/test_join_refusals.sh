#!/usr/bin/env bash
# What the node API refuses, against real daemons: unknown, expired, revoked
# and used-up tokens (the CLI prints one line and exits 1), junk bodies posted
# straight at the API (4xx with a one-line reason), a box sealed for another
# route, a replayed request. Afterwards the daemon still serves, nothing was
# created (the next good join takes the first link subnet, 10.0.0.4/31), and
# an address that keeps failing is blocked with 403 while others are not.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping curl

api=http://192.0.2.10:8080
seal="$WGM_BUILD_DIR/wgm-api-seal"
[ -x "$seal" ] || fail "needs $seal (built with the tests)"

e2e_node_add 0
e2e_node_add 2
e2e_node_add 4
e2e_node_add 6
e2e_underlay 0 2 4 6
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 none
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 none
e2e_node_init 6 --ipv4 192.0.2.16 --ipv6 none
e2e_daemon_start 0
e2e_daemon_start 2
e2e_daemon_start 6
# Node 4 only posts junk, each case from its own address so that the block
# after repeated failures is tested on purpose, not hit by accident.
for i in $(seq 40 59); do ip -n "$(e2e_node_ns 4)" addr add "192.0.2.$i/24" dev u0; done

new_token() { e2e_wgmesh 0 token "$@" 2>"$E2E_TMP/token.err" || fail "wgmesh token $* failed: $(cat "$E2E_TMP/token.err")"; }
# The id the CLI names on stderr ("token ID: valid for ...").
last_token_id() { sed -n 's/^token \([0-9a-f]*\): valid.*/\1/p' "$E2E_TMP/token.err"; }

# refused_join NODE TOKEN WORDS : connect fails with exit 1 and one line naming WORDS
refused_join() {
	local id=$1 tok=$2 words=$3 out rc=0
	out=$(e2e_wgmesh "$id" connect "$api" "$tok" 2>&1) || rc=$?
	[ "$rc" -eq 1 ] || fail "connect with a $words token: exit $rc (want 1): $out"
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "connect with a $words token printed more than one line: $out"
	[[ $out == *"$words"* ]] || fail "connect with a $words token refused without saying so: $out"
}

# post FROM PATH [curl args...] : prints "STATUS BODY" of a POST from 192.0.2.FROM
post() {
	local from=$1 path=$2
	shift 2
	e2e_in 4 curl -sS -m 10 --interface "192.0.2.$from" -o "$E2E_TMP/body" -w '%{http_code}' \
		-H 'Content-Type: application/json' -X POST "$@" "$api$path" 2>"$E2E_TMP/curl.err" || true
	printf ' %s' "$(cat "$E2E_TMP/body" 2>/dev/null)"
}

# refused_post WHAT STATUS_GLOB FROM PATH [curl args...] : a 4xx with {"error":"one line"}
refused_post() {
	local what=$1 want=$2 out code body
	shift 2
	out=$(post "$@")
	code=${out%% *}
	body=${out#* }
	[[ $code == $want ]] || fail "$what: status $code (want $want): $body $(cat "$E2E_TMP/curl.err")"
	[[ $body =~ ^\{\"error\":\ ?\"[^\"]+\"\}$ ]] || fail "$what: reply is not one error line: $body"
	e2e_log "$what -> $code $body"
}

# ---- tokens the CLI is refused with ----
good=$(new_token)
# Same issuing key, another secret: the right format, a token never issued.
# Characters 49-60 of the text encode secret bytes only.
c=${good:50:1}
[ "$c" = A ] && r=B || r=A
refused_join 2 "${good:0:50}$r${good:51}" "token unknown"

expiring=$(new_token --ttl 1s)
wait_until 10 sh -c "'$WGM_BUILD_DIR/wgmesh' --config '$E2E_TMP/n0/config.json' token list | grep -q expired" ||
	fail "the 1 s token never showed as expired: $(e2e_wgmesh 0 token list)"
refused_join 2 "$expiring" "token expired"

revoked=$(new_token)
e2e_wgmesh 0 token revoke "$(last_token_id)" >/dev/null 2>&1 || fail "token revoke failed"
refused_join 2 "$revoked" "token revoked"

# ---- junk straight at the API ----
refused_post "empty body" 4?? 40 /connect --data-binary ''
refused_post "truncated JSON" 400 41 /connect --data-binary '{"v":1,"pk":"'
refused_post "wrong types" 400 42 /connect --data-binary '{"v":"one","pk":5,"nonce":[],"box":{}}'
refused_post "not an object" 400 43 /connect --data-binary '[1,2,3]'
head -c 200000 /dev/zero | tr '\0' 'a' >"$E2E_TMP/big"
refused_post "200 KB body" 413 44 /connect --data-binary @"$E2E_TMP/big"
# Without a Content-Length the size is only known mid-body: the connection is
# cut; it still counts as a failure (below) and the daemon keeps serving.
e2e_in 4 curl -sS -m 10 --interface 192.0.2.45 -o /dev/null -H 'Transfer-Encoding: chunked' \
	--data-binary @"$E2E_TMP/big" "$api/connect" 2>/dev/null && fail "a 200 KB chunked body was taken"
refused_post "unknown route" 404 46 /join --data-binary '{}'
refused_post "wrong method" 405 47 /connect -X GET

wrong_route=$("$seal" "$good" /update 4) || fail "wgm-api-seal failed"
refused_post "a box sealed for /update posted to /connect" 401 48 /connect --data-binary "$wrong_route"

unknown_body=$("$seal" "${good:0:50}$r${good:51}" /connect 4) || fail "wgm-api-seal failed"
refused_post "a well-formed join with an unknown token" 401 49 /connect --data-binary "$unknown_body"

# A port outside the node's range (basePort up) is refused, not listened on.
port_body=$("$seal" "$good" /connect 4 22) || fail "wgm-api-seal failed"
refused_post "a join asking for port 22" 400 50 /connect --data-binary "$port_body"
[[ $(cat "$E2E_TMP/body") == *"outside this node's link port range"* ]] || fail "the port refusal does not name the range: $(cat "$E2E_TMP/body")"

# A token's use is on disk before the join goes on: where it cannot be
# written (tokens.json made a directory), the join is refused and the token
# keeps its use (a crash after a reply must not let it work again).
persist=$(new_token)
persist_id=$(last_token_id)
wait_until 20 grep -q "$persist_id" "$E2E_TMP/n0/state/tokens.json" || fail "token $persist_id never reached tokens.json"
mv "$E2E_TMP/n0/state/tokens.json" "$E2E_TMP/tokens.json.saved"
mkdir "$E2E_TMP/n0/state/tokens.json"
refused_join 2 "$persist" "cannot record the token's use"
rmdir "$E2E_TMP/n0/state/tokens.json"
mv "$E2E_TMP/tokens.json.saved" "$E2E_TMP/n0/state/tokens.json"
e2e_wgmesh 0 token list | grep "$persist_id" | grep -qv 'used up' || fail "the refused join used up token $persist_id"
e2e_wgmesh 0 token revoke "$persist_id" >/dev/null 2>&1 || fail "token revoke failed"

# ---- still serving, nothing created ----
e2e_wgmesh 0 status >/dev/null || fail "node 0 stopped answering after the refusals"
[[ $(e2e_wgmesh 0 links) != *pipe* ]] || fail "refusals left a link on node 0: $(e2e_wgmesh 0 links)"
ip -n "$(e2e_node_ns 0)" -o link show | grep -q pipe && fail "refusals left an interface on node 0"
[ -z "$(ls -A "$E2E_TMP/n0/state/links" 2>/dev/null)" ] || fail "refusals left link state files on node 0"
ip -n "$(e2e_node_ns 2)" -o link show | grep -q pipe && fail "refused joins left an interface on node 2"
[ -z "$(ls -A "$E2E_TMP/n2/state/links" 2>/dev/null)" ] || fail "refused joins left link state files on node 2"

out=$(e2e_wgmesh 2 connect "$api" "$good" 2>&1) || fail "a good join after the refusals failed: $out"
e2e_wgmesh 0 links --json | grep -q '"10.0.0.4' || fail "the good join did not get the first subnet 10.0.0.4/31: $(e2e_wgmesh 0 links --json)"
wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "node 2 cannot ping node 0 after the good join"

# A member's /update is checked whole before anything changes: a port outside
# the range refuses it, and its cost does not stay behind either.
member="$WGM_BUILD_DIR/wgm-api-member"
pk=$(e2e_in 4 curl -sS -m 10 --interface 192.0.2.55 -X POST "$api/connectivity" | jq -r .api_pk) || fail "no /connectivity answer"
upd=$("$member" "$E2E_TMP/n2/state" "$pk" /update '{"id":2,"transport":"v4","cost":777,"port":22}') || fail "wgm-api-member failed"
refused_post "an /update with a port outside the range" 400 55 /update -X PATCH --data-binary "$upd"
e2e_wgmesh 0 links --json | jq -c . | grep -q '"override":777' && fail "a refused /update left its cost on the link: $(e2e_wgmesh 0 links --json | jq -c .)"

# The good token had one use.
refused_join 6 "$good" "token used up"
ip -n "$(e2e_node_ns 6)" -o link show | grep -q pipe && fail "a used-up token left an interface on node 6"

# A captured successful request, replayed, is refused before anything else.
once=$(new_token)
ok_body=$("$seal" "$once" /connect 8) || fail "wgm-api-seal failed"
out=$(post 51 /connect --data-binary "$ok_body")
[[ $out == 200* ]] || fail "a sealed join for node 8 was refused: $out"
out=$(post 52 /connect --data-binary "$ok_body")
[[ $out == 401*replayed* ]] || fail "a replayed successful join was not refused as a replay: $out"

# ---- repeated failures block the address, and only that one ----
for i in 1 2 3 4 5; do
	refused_post "failure $i from 192.0.2.53" 400 53 /connect --data-binary '{}'
done
refused_post "blocked address" 403 53 /connect --data-binary '{}'
[[ $(post 53 /connect --data-binary '{}') == *blocked* ]] || fail "the 403 does not say the address is blocked"
out=$(post 53 /connectivity)
[[ $out == 403* ]] || fail "a blocked address still reached /connectivity: $out"
out=$(post 54 /connectivity)
[[ $out == 200* ]] || fail "another address was blocked too: $out"
e2e_log_has 0 "192.0.2.53 blocked" || fail "node 0 did not log the block"
e2e_wgmesh 0 status >/dev/null || fail "node 0 stopped answering"

e2e_log "ok"
