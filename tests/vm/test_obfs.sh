#!/usr/bin/env bash
# e2e.obfs_links on the kernel's WireGuard: the obfuscation engine transforms
# the UDP flow of kernel WireGuard interfaces as it does wireguard-go's (the
# DPI box on the lab's bridge, IPv4 and IPv6, fail closed while a daemon is
# stopped). One type, amneziawg, the one that adds datagrams (junk) and
# rewrites MACs: the engine does not depend on the type, and each type under
# TCG costs about three minutes; e2e.obfs_links runs all three on the host.
exec bash "$(dirname "$0")/vm_run.sh" --name obfs --timeout 900 \
	--env WGMLAB_BACKEND=kernel --env WGM_OBFS_TYPES=amneziawg -- \
	bash "$(cd "$(dirname "$0")/.." && pwd)/e2e/test_obfs_links.sh"
