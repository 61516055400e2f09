#!/usr/bin/env bash
# e2e.join in the guest with every node on the kernel backend: a token join
# over IPv4 and IPv6 transport, refusals, a daemon restart, disconnect. The
# guest starts without the wireguard module loaded, as a server just booted:
# the first daemon's kernel backend loads it (generic netlink family lookup).
exec bash "$(dirname "$0")/vm_run.sh" --name join --timeout 900 --env WGM_E2E_BACKEND=kernel --no-preload -- \
	bash "$(cd "$(dirname "$0")/.." && pwd)/e2e/test_join.sh"
