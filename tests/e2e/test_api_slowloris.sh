#!/usr/bin/env bash
# Slowloris against the node API: 64 connections from 16 addresses of one IPv6
# /64 (4 each, so libmicrohttpd's per-address limit alone lets all of them in)
# trickle one header byte every 2 s and reconnect when cut. Meanwhile an
# honest node joins with a token over IPv4 and must succeed; the slow /64 must
# end up blocked (403 on a complete request from another of its addresses).
# It works because requests have an absolute deadline (cut and counted as a
# failure), and connections are capped per /64. Bounded: the slow client
# stops by itself after 150 s, or when the test ends.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping curl perl

e2e_node_add 0
e2e_node_add 2
e2e_node_add 4
e2e_underlay 0 2 4
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 none
e2e_daemon_start 0
e2e_daemon_start 2
# Node 4 is only the attacker: 16 addresses of 2001:db8::/64, plus one more
# for the complete request at the end.
for i in $(seq 256 272); do
	ip -n "$(e2e_node_ns 4)" addr add "2001:db8::$(printf '%x' "$i")/64" dev u0 nodad
done

cat >"$E2E_TMP/slow.pl" <<'EOF'
# slow.pl STOPFILE: 64 slow connections (16 sources x 4) to [2001:db8::10]:8080.
use strict;
use warnings;
use IO::Socket::IP;
$SIG{PIPE} = 'IGNORE';
alarm 150;
my $stop = shift;
my @src = map { sprintf("2001:db8::%x", $_) } 256 .. 271;
my (@socks, @next_try, $opened, $cut) = ((), (), 0, 0);
my $req = "POST /connect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Pad: " . ("a" x 200);
my @pos;
until (-e $stop) {
	for my $i (0 .. 63) {
		if (!$socks[$i]) {
			next if ($next_try[$i] // 0) > time;
			$socks[$i] = IO::Socket::IP->new(PeerHost => "2001:db8::10", PeerPort => 8080,
				LocalHost => $src[$i % 16], Proto => "tcp", Timeout => 5);
			$pos[$i] = 0;
			$opened++ if $socks[$i];
			$next_try[$i] = time + 1;
			next;
		}
		my $ok = $pos[$i] < length($req) && defined(syswrite($socks[$i], substr($req, $pos[$i], 1)));
		# A cut connection reads end of file (or an error) instead of blocking.
		my $rin = '';
		vec($rin, fileno($socks[$i]), 1) = 1;
		if (!$ok || select(my $r = $rin, undef, undef, 0) > 0) {
			close($socks[$i]);
			$socks[$i] = undef;
			$cut++;
			$next_try[$i] = time + 1;
			next;
		}
		$pos[$i]++;
	}
	printf STDERR "opened %d, cut %d\n", $opened, $cut;
	sleep 2;
}
EOF
stop="$E2E_TMP/slow.stop"
e2e_in 4 perl "$E2E_TMP/slow.pl" "$stop" 2>"$E2E_TMP/slow.log" &
slow=$!
e2e_on_exit "touch '$stop'; kill $slow"
# The slow clients hold their slots before the honest caller comes.
wait_until 30 grep -q 'opened [1-9]' "$E2E_TMP/slow.log" || fail "the slow client opened no connection: $(cat "$E2E_TMP/slow.log")"
sleep 3

token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
start=$(date +%s)
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "an honest join during the slowloris failed: $out; node 0: $(tail -5 "$E2E_TMP/n0/wgmeshd.log")"
e2e_log "honest join during the slowloris: ok in $(($(date +%s) - start)) s"
wait_until 30 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "node 2 cannot ping node 0 after its join"

# Requests cut at their deadline count as failures: the /64 gets blocked.
wait_until 120 e2e_log_has 0 "2001:db8::[0-9a-f]* blocked after repeated failures" ||
	fail "the slow /64 was never blocked; slow client: $(tail -1 "$E2E_TMP/slow.log"); node 0: $(tail -5 "$E2E_TMP/n0/wgmeshd.log")"
# Stopped first: while it holds the /64's 4 connections, a fifth is cut unanswered.
touch "$stop"
wait "$slow" 2>/dev/null || true
e2e_log "slow client: $(tail -1 "$E2E_TMP/slow.log")"
code=$(e2e_in 4 curl -sS -m 20 -g --interface 2001:db8::110 -o /dev/null -w '%{http_code}' \
	-X POST "http://[2001:db8::10]:8080/connectivity" 2>&1) || true
[ "$code" = 403 ] || fail "another address of the slow /64 was not refused with 403: $code"

e2e_wgmesh 0 status >/dev/null || fail "node 0 stopped answering"
code=$(e2e_in 2 curl -sS -m 20 -o /dev/null -w '%{http_code}' -X POST http://192.0.2.10:8080/connectivity 2>&1) || true
[ "$code" = 200 ] || fail "an honest address got $code from /connectivity after the slowloris"
e2e_log "ok"
