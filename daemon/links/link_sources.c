#include "daemon/links/link_sources.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util/err.h"

/* Not routed, but WireGuard checks them like any other address:
 * - 224.0.0.0/24 and ff02::/16: OSPFv2 sends its hellos and updates to
 *   224.0.0.5/6, OSPFv3 to ff02::5/6; without them WireGuard finds no peer
 *   for the destination and drops them, and no adjacency ever forms;
 * - fe80::/10: OSPFv3 speaks from a link-local source; ours are the
 *   subnetLinkLocal link addresses (in the ranges already), but a tunnel
 *   device may carry a kernel-made fe80:: address that BIRD could pick.
 * None of them can be routed beyond the link, so they open nothing. BFD and
 * the prober use the link addresses (in the ranges). */
static const char *const ospf_sources[LINK_SOURCES_OSPF] = { "224.0.0.0/24", "ff02::/16", "fe80::/10" };

static int add(struct wgm_wg_allowed_ip *set, size_t *n, size_t max, const char *text, char *err, size_t errlen)
{
	if (*n >= max)
		return wgm_err(-ENOSPC, err, errlen, "allowed IPs: more than %zu", max);
	if (wgm_wg_allowed_ip_parse(text, &set[*n]) < 0)
		return wgm_err(-EINVAL, err, errlen, "allowed IPs: '%s' is not an IP prefix", text);
	(*n)++;
	return 0;
}

int link_sources_build(const struct wgm_addrplan *plan, const struct wgm_config *cfg, struct link_sources *out,
		       char *err, size_t errlen)
{
	struct wgm_addrplan_range ranges[WGM_ADDRPLAN_RANGES_MAX];
	size_t n_ranges = wgm_addrplan_mesh_ranges(plan, ranges);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; rc == 0 && i < n_ranges; i++)
		rc = add(out->member, &out->n_member, LINK_SOURCES_MAX, ranges[i].prefix, err, errlen);
	for (size_t i = 0; rc == 0 && i < LINK_SOURCES_OSPF; i++)
		rc = add(out->member, &out->n_member, LINK_SOURCES_MAX, ospf_sources[i], err, errlen);
	for (size_t i = 0; rc == 0 && i < cfg->allowed_prefixes_count; i++)
		rc = add(out->member, &out->n_member, LINK_SOURCES_MAX, cfg->allowed_prefixes[i], err, errlen);
	/* A member passes on what its own BGP peers sent it, as BIRD takes it. */
	for (size_t i = 0; rc == 0 && i < cfg->allowed_peers_count; i++) {
		rc = add(out->member, &out->n_member, LINK_SOURCES_MAX, cfg->allowed_peers[i], err, errlen);
		if (rc == 0)
			rc = add(out->peer, &out->n_peer, WGM_CONFIG_MAX_ALLOWED_PEERS, cfg->allowed_peers[i], err,
				 errlen);
	}
	return rc;
}
