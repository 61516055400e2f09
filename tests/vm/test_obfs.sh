#!/usr/bin/env bash
# e2e.obfs_links on the kernel's WireGuard: the obfuscation engine transforms
# the UDP flow of kernel WireGuard interfaces as it does wireguard-go's (the
# DPI box on the lab's bridge, every obfuscated type over IPv4 and IPv6,
# fail closed while a daemon is stopped).
exec bash "$(dirname "$0")/vm_run.sh" --name obfs --timeout 900 \
	--env WGMLAB_BACKEND=kernel -- \
	bash "$(cd "$(dirname "$0")/.." && pwd)/e2e/test_obfs_links.sh"
