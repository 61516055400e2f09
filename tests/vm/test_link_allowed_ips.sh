#!/usr/bin/env bash
# e2e.link_allowed_ips on the kernel backend: a link's peer takes only the
# mesh's sources, and `set AllowedPrefixes` changes its allowed IPs in place
# over generic netlink (update-only), the link staying up.
exec bash "$(dirname "$0")/vm_run.sh" --name link_allowed_ips --timeout 900 --env WGM_E2E_BACKEND=kernel -- \
	bash "$(cd "$(dirname "$0")/.." && pwd)/e2e/test_link_allowed_ips.sh"
