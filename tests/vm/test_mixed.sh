#!/usr/bin/env bash
# e2e.routing with a mixed pair: node 0 on the kernel's WireGuard, node 2 on
# wireguard-go. They join by token, link, and reach each other's loopbacks
# over IPv4 and IPv6 through OSPF.
exec bash "$(dirname "$0")/vm_run.sh" --name mixed --timeout 900 \
	--env WGM_E2E_BACKEND=kernel --env WGM_E2E_BACKEND_2=userspace -- \
	bash "$(cd "$(dirname "$0")/.." && pwd)/e2e/test_routing.sh"
