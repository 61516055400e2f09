#!/usr/bin/env bash
# Prometheus metrics of a real daemon: with metricsListen unset nothing
# listens but the node API; `set metricsListen` refuses the node API's port
# and takes another after a restart; two nodes joined by token, node 0 serves
# GET /metrics (404 elsewhere, 405 for other methods) in the 0.0.4 text
# format, and its figures agree with `wgmesh links --json` and `status
# --json` (link count, joins accepted and refused, bytes only growing and
# following traffic, handshake age; RTT to the rounding, state and cost once
# the probes are stopped so that they hold still); `wgmesh metrics` prints
# the same metric names. Node 2 listens on IPv6 ([::1]). The replies of
# links, nodes and status carry "schema": 1 and every field
# tests/data/schema-v1.json lists (every record of links/nodes --json too);
# the columns of links and nodes and the rows of status are the ones
# docs/cli.md shows.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping curl jq ss iptables

e2e_pair
e2e_daemon_start 0
e2e_daemon_start 2

# Off by default: node 0 listens on TCP only for its node API.
listeners=$(e2e_in 0 ss -Hltn | awk '{print $4}')
[ "$listeners" = "*:8080" ] || [ "$listeners" = "[::]:8080" ] ||
	fail "with metricsListen unset node 0 listens on: $listeners"
# The control command works without a listener.
e2e_wgmesh 0 metrics >"$E2E_TMP/ctl0.txt" || fail "wgmesh metrics failed"
grep -q '^wgmesh_build_info{version="' "$E2E_TMP/ctl0.txt" || fail "wgmesh metrics has no build info: $(head -5 "$E2E_TMP/ctl0.txt")"

# The node API's port is refused, in either family, and nothing is saved.
for bad in 127.0.0.1:8080 '[::1]:8080'; do
	if out=$(e2e_wgmesh 0 set metricsListen "$bad" 2>&1); then
		fail "set metricsListen $bad (the node API's port) was accepted: $out"
	fi
	[[ $out == *listenPort* ]] || fail "refusing $bad did not name listenPort: $out"
done
[ "$(jq -r .metricsListen "$E2E_TMP/n0/config.json")" = "" ] || fail "a refused metricsListen reached the config file"
if out=$(e2e_wgmesh 0 set metricsListen 127.0.0.1 2>&1); then fail "a metricsListen without a port was accepted: $out"; fi

out=$(e2e_wgmesh 0 set metricsListen 127.0.0.1:9586 2>&1) || fail "set metricsListen failed: $out"
[[ $out == *restart* ]] || fail "set metricsListen did not say it needs a restart: $out"
out=$(e2e_wgmesh 2 set metricsListen '[::1]:9586' 2>&1) || fail "set metricsListen [::1]:9586 failed: $out"
e2e_daemon_stop 0
e2e_daemon_start 0
e2e_daemon_stop 2
e2e_daemon_start 2

# A refused join is counted by reason: a revoked token (before the good
# join: once linked, node 2 refuses to connect to node 0 again by itself).
bad=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
id=$(e2e_wgmesh 0 token list --json | jq -r '.[-1].id')
e2e_wgmesh 0 token revoke "$id" >/dev/null || fail "token revoke failed"
e2e_wgmesh 2 connect http://192.0.2.10:8080 "$bad" >/dev/null 2>&1 && fail "a revoked token joined"

token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"

scrape() { # ID URL -> body on stdout, fails on anything but 200
	local code
	code=$(e2e_in "$1" curl -sS -o "$E2E_TMP/scrape.body" -D "$E2E_TMP/scrape.head" -w '%{http_code}' "$2") || return 1
	[ "$code" = 200 ] || return 1
	cat "$E2E_TMP/scrape.body"
}
# sample FILE NAME LABELS -> the value of one sample
sample() { awk -v want="$2$3" '$1 == want {print $2}' "$1"; }
link_field() { e2e_wgmesh 0 links --json | jq -r --arg l "$1" --arg f "$2" '.[] | select(.name == $l) | .[$f]'; }

has_rtt() { [[ $(link_field pipe2 rtt_ms) =~ ^[0-9.e-]+$ ]]; }
wait_until 20 has_rtt || fail "pipe2 has no RTT after 20 s: $(e2e_wgmesh 0 links --json)"

scrape 0 http://127.0.0.1:9586/metrics >"$E2E_TMP/m1.txt" || fail "GET /metrics on node 0 failed: $(cat "$E2E_TMP/scrape.head" 2>/dev/null)"
grep -qi '^content-type: text/plain; version=0.0.4' "$E2E_TMP/scrape.head" ||
	fail "/metrics has the wrong content type: $(cat "$E2E_TMP/scrape.head")"
scrape 2 'http://[::1]:9586/metrics' >"$E2E_TMP/m2.txt" || fail "GET /metrics on node 2 ([::1]) failed"
grep -q '^wgmesh_link_info{link="pipe0",node="0",type="default",transport="v4"} 1$' "$E2E_TMP/m2.txt" ||
	fail "node 2's metrics lack pipe0: $(grep link_info "$E2E_TMP/m2.txt")"

# Only GET /metrics.
code=$(e2e_in 0 curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9586/)
[ "$code" = 404 ] || fail "GET / answered $code, not 404"
code=$(e2e_in 0 curl -s -o /dev/null -w '%{http_code}' -X POST -d x http://127.0.0.1:9586/metrics)
[ "$code" = 405 ] || fail "POST /metrics answered $code, not 405"

# Every sample has its HELP and TYPE; counters end in _total.
awk '/^# TYPE/ {type[$3] = $4; next} /^#/ {next}
	{ name = $1; sub(/\{.*/, "", name); if (!(name in type)) { print "no TYPE for " name; bad = 1 } }
	END { for (n in type) if (type[n] == "counter" && n !~ /_total$/) { print "counter " n " lacks _total"; bad = 1 }; exit bad }' \
	"$E2E_TMP/m1.txt" || fail "malformed exposition"

# Link count, link type, state and the join agree with the CLI.
nlinks=$(e2e_wgmesh 0 links --json | jq length)
[ "$(sample "$E2E_TMP/m1.txt" wgmesh_links '')" = "$nlinks" ] || fail "wgmesh_links is not $nlinks"
[ "$(grep -c '^wgmesh_link_info{' "$E2E_TMP/m1.txt")" = "$nlinks" ] || fail "not $nlinks wgmesh_link_info samples"
L='{link="pipe2",node="2",type="default"}'
[ "$(sample "$E2E_TMP/m1.txt" wgmesh_link_state '{link="pipe2",node="2",type="default",state="up"}')" = 1 ] ||
	fail "pipe2 is not up in the metrics: $(grep link_state "$E2E_TMP/m1.txt")"
[ "$(sample "$E2E_TMP/m1.txt" wgmesh_token_joins_accepted_total '')" = 1 ] ||
	fail "the token join is not counted: $(grep token_joins "$E2E_TMP/m1.txt")"
[ "$(sample "$E2E_TMP/m1.txt" wgmesh_api_requests_total '{status="200"}')" -ge 1 ] ||
	fail "no node API request counted with 200: $(grep api_requests "$E2E_TMP/m1.txt")"
[ "$(sample "$E2E_TMP/m1.txt" wgmesh_probe_rounds_total '')" -gt 0 ] || fail "no probe round counted"
bird=$(e2e_wgmesh 0 status --json | jq -r .bird)
[ "$(sample "$E2E_TMP/m1.txt" wgmesh_bird_up '')" = "$([ "$bird" = up ] && echo 1 || echo 0)" ] ||
	fail "wgmesh_bird_up disagrees with status (bird $bird)"
[ "$(sample "$E2E_TMP/m1.txt" wgmesh_resident_memory_bytes '')" -gt 1000000 ] || fail "no plausible RSS"
[ "$(sample "$E2E_TMP/m1.txt" wgmesh_token_joins_refused_total '{reason="token"}')" = 1 ] ||
	fail "the revoked token's join is not counted as refused: $(grep token_joins "$E2E_TMP/m1.txt")"

# Bytes only grow, and traffic shows in them.
rx1=$(sample "$E2E_TMP/m1.txt" wgmesh_link_receive_bytes_total "$L")
tx1=$(sample "$E2E_TMP/m1.txt" wgmesh_link_transmit_bytes_total "$L")
# (0 until the first WireGuard reading, every 2 to 10 s.)
[[ $rx1 =~ ^[0-9]+$ && $tx1 =~ ^[0-9]+$ ]] || fail "pipe2 has no byte counters: rx '$rx1' tx '$tx1'"
e2e_in 0 ping -c 20 -i 0.05 -s 1000 -q 10.0.0.5 >/dev/null || fail "node 0 cannot ping node 2 over pipe2"
grown() {
	local prev_rx
	prev_rx=$(sample "$E2E_TMP/m3.txt" wgmesh_link_receive_bytes_total "$L" 2>/dev/null)
	scrape 0 http://127.0.0.1:9586/metrics >"$E2E_TMP/m3.txt" || return 1
	# Never backwards between two scrapes.
	[ "$(sample "$E2E_TMP/m3.txt" wgmesh_link_receive_bytes_total "$L")" -ge "${prev_rx:-0}" ] ||
		echo "rx went from $prev_rx to $(sample "$E2E_TMP/m3.txt" wgmesh_link_receive_bytes_total "$L")" >>"$E2E_TMP/backwards"
	[ "$(sample "$E2E_TMP/m3.txt" wgmesh_link_receive_bytes_total "$L")" -gt $((rx1 + 20000)) ] &&
		[ "$(sample "$E2E_TMP/m3.txt" wgmesh_link_transmit_bytes_total "$L")" -gt $((tx1 + 20000)) ]
}
cp "$E2E_TMP/m1.txt" "$E2E_TMP/m3.txt"
wait_until 30 grown || fail "pipe2's bytes did not grow by the ping's: rx $rx1 -> $(sample "$E2E_TMP/m3.txt" wgmesh_link_receive_bytes_total "$L")"
[ ! -e "$E2E_TMP/backwards" ] || fail "a byte counter went backwards: $(cat "$E2E_TMP/backwards")"

for m in wgmesh_link_rtt_min_seconds wgmesh_link_rtt_max_seconds wgmesh_link_loss_ratio wgmesh_link_jitter_seconds \
	wgmesh_link_cost; do
	[ -n "$(sample "$E2E_TMP/m3.txt" "$m" "$L")" ] || fail "no $m for pipe2"
done
[ "$(grep -c "^wgmesh_link_cost_reason{link=\"pipe2\",.*} 1$" "$E2E_TMP/m3.txt")" = 1 ] ||
	fail "pipe2 has not exactly one cost reason: $(grep cost_reason "$E2E_TMP/m3.txt")"
# The handshake age shows once WireGuard's handshake time was read (the slow
# reading), and agrees with links --json's last_handshake.
hs_agrees() {
	local hs age now
	hs=$(link_field pipe2 last_handshake)
	age=$(scrape 0 http://127.0.0.1:9586/metrics | awk -v w="wgmesh_link_last_handshake_age_seconds$L" '$1 == w {print $2}')
	now=$(date +%s)
	[ -n "$age" ] && [ "$hs" -gt 0 ] && [ $((now - hs - ${age%.*})) -ge -2 ] && [ $((now - hs - ${age%.*})) -le 2 ]
}
wait_until 30 hs_agrees || fail "no handshake age for pipe2 that agrees with links --json"

# wgmesh metrics: the same metric names as /metrics.
e2e_wgmesh 0 metrics >"$E2E_TMP/ctl1.txt" || fail "wgmesh metrics failed"
names() { awk '/^# TYPE/ {print $3}' "$1" | sort; }
diff <(names "$E2E_TMP/ctl1.txt") <(names "$E2E_TMP/m3.txt") >/dev/null ||
	fail "wgmesh metrics and /metrics name different metrics: $(diff <(names "$E2E_TMP/ctl1.txt") <(names "$E2E_TMP/m3.txt"))"

# The JSON schema: the version and every documented field of a live reply.
schema="$WGM_SRC_DIR/tests/data/schema-v1.json"
ctl() { e2e_in 0 "$WGM_BUILD_DIR/wgm-ctl" "$E2E_TMP/n0/ctl.sock" "$1"; }
for cmd in status links nodes; do
	reply=$(ctl "{\"cmd\":\"$cmd\"}") || fail "$cmd over the control socket failed"
	[ "$(jq .schema <<<"$reply")" = 1 ] || fail "the $cmd reply has no \"schema\": 1: $reply"
	key=$([ $cmd = status ] && echo status || echo "${cmd}_reply")
	for f in $(jq -r --arg k "$key" '.[$k][]' "$schema"); do
		jq -e --arg f "$f" 'has($f)' <<<"$reply" >/dev/null || fail "the $cmd reply lacks \"$f\""
	done
done
missing=$(jq -r '.status[]' "$schema" | while read -r f; do
	e2e_wgmesh 0 status --json | jq -e --arg f "$f" 'has($f)' >/dev/null || echo "status.$f"; done
	jq -r '.link[], .link_measured[]' "$schema" | while read -r f; do
	e2e_wgmesh 0 links --json | jq -e --arg f "$f" '.[] | select(.name == "pipe2") | has($f)' >/dev/null || echo "link.$f"; done
	jq -r '.node[]' "$schema" | while read -r f; do
	e2e_wgmesh 0 nodes --json | jq -e --arg f "$f" '.[] | select(.self) | has($f)' >/dev/null || echo "node.$f"; done)
[ -z "$missing" ] || fail "live replies lack documented fields: $missing"
# links --json and nodes --json: the reply's array (`.[]` as ever), each
# record carrying the schema itself.
for cmd in links nodes; do
	out=$(e2e_wgmesh 0 $cmd --json) || fail "wgmesh $cmd --json failed"
	jq -e 'type == "array" and length > 0' <<<"$out" >/dev/null || fail "wgmesh $cmd --json is no list: $out"
	for f in $(jq -r '.cli_record[]' "$schema"); do
		jq -e --arg f "$f" 'all(.[]; has($f))' <<<"$out" >/dev/null || fail "a record of $cmd --json lacks \"$f\": $out"
	done
	jq -e 'all(.[]; .schema == 1)' <<<"$out" >/dev/null || fail "a record of $cmd --json is not \"schema\": 1: $out"
done
# The columns scripts parse (docs/cli.md, "Stable output"): the headings of
# links and nodes and the row names of status, as the page shows them.
doc_example() { # the first example block under "### `CMD"
	awk -v h="### \`$1" 'index($0, h) == 1 { f = 1; next } f && /^```/ { if (n++) exit; next } f && n { print }' \
		"$WGM_SRC_DIR/docs/cli.md"
}
squeeze() { sed -E 's/LOSS [0-9]+\/1m/LOSS N\/1m/; s/ +/ /g; s/ $//'; }
for cmd in links nodes; do
	want=$(doc_example $cmd | head -1 | squeeze)
	got=$(e2e_wgmesh 0 $cmd | head -1 | squeeze)
	[ -n "$want" ] && [ "$got" = "$want" ] || fail "wgmesh $cmd's columns are '$got', docs/cli.md shows '$want'"
done
want=$(doc_example status | awk '{ print $1 }' | tr '\n' ' ')
got=$(e2e_wgmesh 0 status | awk '{ print $1 }' | tr '\n' ' ')
[ -n "$want" ] && [ "$got" = "$want" ] || fail "wgmesh status's rows are '$got', docs/cli.md shows '$want'"
# RTT and state: the same figures as links --json. The smoothed RTT moves
# with every answered probe, so the probes are stopped first (dropped on
# their way out of node 0): the RTT then stays as it was, the link goes down
# and dead, and both outputs must say exactly the same.
e2e_in 0 iptables -I OUTPUT -o pipe2 -p icmp -j DROP || fail "cannot stop the probes on pipe2"
e2e_on_exit "nsenter -t ${E2E_HOLDER[0]} -m -n iptables -D OUTPUT -o pipe2 -p icmp -j DROP 2>/dev/null"
dead() { [ "$(link_field pipe2 state)" = dead ]; }
wait_until 60 dead || fail "pipe2 did not turn dead without probe answers: $(link_field pipe2 state)"
rtt=$(link_field pipe2 rtt_ms)
[[ $rtt =~ ^[0-9.e-]+$ ]] || fail "pipe2 lost its RTT when it died: $rtt"
scrape 0 http://127.0.0.1:9586/metrics >"$E2E_TMP/m4.txt" || fail "scrape of a dead link's metrics failed"
[ "$(link_field pipe2 rtt_ms)" = "$rtt" ] || fail "pipe2's RTT moved without answered probes: $rtt -> $(link_field pipe2 rtt_ms)"
m=$(sample "$E2E_TMP/m4.txt" wgmesh_link_rtt_seconds "$L")
awk -v m="$m" -v j="$rtt" 'BEGIN { d = m * 1000 - j; exit !(m != "" && d < 0.0005 && d > -0.0005) }' ||
	fail "wgmesh_link_rtt_seconds is '$m' s, links --json says $rtt ms"
[ "$(sample "$E2E_TMP/m4.txt" wgmesh_link_state '{link="pipe2",node="2",type="default",state="dead"}')" = 1 ] ||
	fail "the metrics do not say pipe2 is dead: $(grep '^wgmesh_link_state{link="pipe2"' "$E2E_TMP/m4.txt")"
cost_agrees() {
	local before after
	before=$(link_field pipe2 cost)
	scrape 0 http://127.0.0.1:9586/metrics >"$E2E_TMP/m5.txt" || return 1
	after=$(link_field pipe2 cost)
	[ "$before" = "$after" ] && [ "$(sample "$E2E_TMP/m5.txt" wgmesh_link_cost "$L")" = "$before" ]
}
wait_until 30 cost_agrees || fail "wgmesh_link_cost never agreed with links --json: $(sample "$E2E_TMP/m5.txt" wgmesh_link_cost "$L") vs $(link_field pipe2 cost)"
[ "$(sample "$E2E_TMP/m4.txt" wgmesh_links_up '')" = "$(e2e_wgmesh 0 status --json | jq .links_up)" ] ||
	fail "wgmesh_links_up disagrees with status --json"
e2e_log "metrics served and consistent; schema fields present"
