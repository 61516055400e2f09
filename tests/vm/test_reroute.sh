#!/usr/bin/env bash
# A 3-node mesh with BIRD on the kernel backend (e2e.reroute's "death" part):
# node 0 reaches node 2 over pipe2; node 2's end of the link is deleted and
# the traffic moves through node 4; node 2 comes back and so does the route.
exec bash "$(dirname "$0")/vm_run.sh" --name reroute --timeout 900 --env WGM_E2E_BACKEND=kernel -- \
	bash "$(cd "$(dirname "$0")/.." && pwd)/e2e/test_reroute.sh" death
