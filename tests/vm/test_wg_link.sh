#!/usr/bin/env bash
# e2e.wg_link in the guest, where the kernel has wireguard.ko: the link made
# by our generic netlink code between two namespaces, pings across, handshake
# and counters read back, delete; both backends in one guest.
exec bash "$(dirname "$0")/vm_run.sh" --name wg_link --timeout 900 --env WGM_E2E_REQUIRE_KERNEL=1 -- \
	bash "$(cd "$(dirname "$0")/.." && pwd)/e2e/test_wg_link.sh"
