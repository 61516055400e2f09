#include "daemon/links/link_apply.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wg/keys.h"
#include "common/netlink/nl_route.h"
#include "daemon/links/link_obfs.h"

static int add_allowed(struct wgm_wg_peer *peer, const struct wgm_wg_allowed_ip *set, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct wgm_wg_allowed_ip *a = wgm_wg_peer_add_allowed_ip(peer);
		if (!a)
			return -ENOMEM;
		*a = set[i];
	}
	return 0;
}

/* A peering link's other end speaks BGP from its link addresses; the rest of
 * its network comes only as far as AllowedPeers lets it. */
static int add_peer_link_ends(struct wgm_wg_peer *peer, const struct link_record *rec)
{
	struct wgm_wg_allowed_ip ends[2] = {
		{ .family = AF_INET, .addr.v4 = rec->remote4, .cidr = 32 },
		{ .family = AF_INET6, .addr.v6 = rec->remote6, .cidr = 128 },
	};
	return add_allowed(peer, ends, 2);
}

int link_record_to_wg_device(const struct link_record *rec, const struct link_sources *src, struct wgm_wg_device **out)
{
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	struct wgm_wg_peer *peer;
	int rc;

	if (!dev)
		return -ENOMEM;
	snprintf(dev->ifname, sizeof(dev->ifname), "%s", rec->name);
	memcpy(dev->private_key, rec->private_key, WGM_WG_KEY_LEN);
	dev->has_private_key = true;
	dev->listen_port = rec->listen_port;
	peer = wgm_wg_device_add_peer(dev);
	if (!peer)
		goto nomem;
	memcpy(peer->public_key, rec->peer_public_key, WGM_WG_KEY_LEN);
	memcpy(peer->preshared_key, rec->psk, WGM_WG_KEY_LEN);
	peer->has_preshared_key = true;
	/* Only the connecting side knows where the other end is; it keeps the
	 * path (and any NAT on it) open. */
	if (rec->endpoint[0]) {
		if (wgm_wg_endpoint_parse(rec->endpoint, peer) != 0) {
			wgm_wg_device_free(dev);
			return -EINVAL;
		}
		peer->persistent_keepalive = LINK_KEEPALIVE_S;
	}
	/* The peer may send only what a member (or, on a peering link, the
	 * other network) may source: link_sources.h. */
	if (rec->peer) {
		rc = add_peer_link_ends(peer, rec);
		if (rc == 0)
			rc = add_allowed(peer, src->peer, src->n_peer);
	} else {
		rc = add_allowed(peer, src->member, src->n_member);
	}
	if (rc < 0)
		goto nomem;
	*out = dev;
	return 0;
nomem:
	wgm_wg_device_free(dev);
	return -ENOMEM;
}

static int build_device(const struct link_record *rec, const struct link_sources *src, struct wgm_wg_device **out,
			char *err, size_t errlen)
{
	int rc = link_record_to_wg_device(rec, src, out);

	if (rc < 0)
		snprintf(err, errlen, "%s: cannot build the WireGuard device (%s)", rec->name, strerror(-rc));
	return rc;
}

unsigned link_mtu_from_underlay(unsigned underlay_mtu, enum wgm_transport transport)
{
	unsigned overhead = transport == WGM_TRANSPORT_V6 ? 80 : 60;

	/* IPv6 needs 1280 inside the tunnel; a smaller underlay is misreported. */
	if (underlay_mtu < overhead + 1280)
		return LINK_MTU_DEFAULT;
	return underlay_mtu - overhead;
}

unsigned link_mtu_towards(struct link_system *sys, const char *endpoint_ip, enum wgm_transport transport)
{
	struct wgm_nl_route_info info;
	struct wgm_nl_ip dst;
	char err[256];

	if (!endpoint_ip || wgm_nl_ip_parse(endpoint_ip, &dst) != 0)
		return LINK_MTU_DEFAULT;
	if (wgm_nl_route_get(sys->route, &dst, &info, err, sizeof(err)) != 0)
		return LINK_MTU_DEFAULT;
	return link_mtu_from_underlay(wgm_nl_route_info_mtu(&info), transport);
}

static int add_addresses(struct link_system *sys, const struct link_record *rec, char *err, size_t errlen)
{
	struct wgm_nl_ip local = { .family = AF_INET, .u.v4 = rec->local4 };
	struct wgm_nl_ip local6 = { .family = AF_INET6, .u.v6 = rec->local6 };
	int rc;

	rc = wgm_nl_route_addr_add(sys->route, rec->name, &local, 31, NULL, err, errlen);
	if (rc == 0)
		rc = wgm_nl_route_addr_add(sys->route, rec->name, &local6, 127, NULL, err, errlen);
	return rc;
}

/* Whether the running device already is what the record says. Re-applying
 * it would replace the peer and with it the session and the endpoint the
 * accepting side learned, stalling traffic until the next handshake. */
static bool device_matches(struct link_system *sys, const struct wgm_wg_device *want)
{
	struct wgm_wg_device *have = NULL;
	char err[256];
	bool same;

	if (wg_get_device(sys->wg, want->ifname, &have, err, sizeof(err)) < 0)
		return false;
	same = have->listen_port == want->listen_port && have->n_peers == 1 &&
	       wgm_key_equal(have->peers[0].public_key, want->peers[0].public_key) && have->has_public_key;
	if (same && want->peers[0].endpoint.addr.sa_family != AF_UNSPEC &&
	    have->peers[0].endpoint.addr.sa_family != AF_UNSPEC) {
		/* A record that names another endpoint (self-repair moved the
		 * other end's port) must reach the peer. */
		char want_ep[80], have_ep[80];
		wgm_wg_endpoint_format(&want->peers[0], want_ep, sizeof(want_ep));
		wgm_wg_endpoint_format(&have->peers[0], have_ep, sizeof(have_ep));
		same = strcmp(want_ep, have_ep) == 0;
	}
	if (same) {
		uint8_t pub[WGM_WG_KEY_LEN];
		wgm_key_public(pub, want->private_key);
		same = wgm_key_equal(pub, have->public_key);
		wgm_key_wipe(pub, sizeof(pub));
	}
	wgm_wg_device_free(have);
	return same;
}

int link_apply_up(struct link_system *sys, const struct link_record *rec, const struct link_sources *src, char *err,
		  size_t errlen)
{
	struct wgm_wg_device *dev = NULL;
	unsigned mtu = obfs_link_mtu(rec);
	int rc;

	/* Before the interface exists: its first datagram is already queued
	 * and transformed, never sent plain. */
	rc = obfs_link_up(sys->obfs, rec, err, errlen);
	if (rc < 0)
		return rc;
	rc = wg_create(sys->wg, rec->name, err, errlen);
	if (rc < 0)
		return rc;
	rc = build_device(rec, src, &dev, err, errlen);
	if (rc < 0)
		return rc;
	/* A running device keeps its peer and session; its allowed IPs may be
	 * older than the config (or than this version), so they are set anyway. */
	dev->allowed_ips_only = device_matches(sys, dev);
	rc = wg_set_device(sys->wg, dev, err, errlen);
	if (rc == -ENOTCONN) {
		/* wireguard-go died between create and set: start it once more
		 * (a new process has no peer to update). */
		dev->allowed_ips_only = false;
		rc = wg_create(sys->wg, rec->name, err, errlen);
		if (rc == 0)
			rc = wg_set_device(sys->wg, dev, err, errlen);
	}
	wgm_wg_device_free(dev);
	if (rc < 0)
		return rc;
	if (mtu && (rc = wgm_nl_route_link_set_mtu(sys->route, rec->name, mtu, err, errlen)) < 0)
		return rc;
	if ((rc = add_addresses(sys, rec, err, errlen)) < 0)
		return rc;
	return wgm_nl_route_link_set_up(sys->route, rec->name, true, err, errlen);
}

int link_apply_sources(struct link_system *sys, const struct link_record *rec, const struct link_sources *src,
		       char *err, size_t errlen)
{
	struct wgm_wg_device *dev = NULL;
	int rc = build_device(rec, src, &dev, err, errlen);

	if (rc < 0)
		return rc;
	dev->allowed_ips_only = true;
	rc = wg_set_device(sys->wg, dev, err, errlen);
	wgm_wg_device_free(dev);
	return rc;
}

int link_apply_delete(struct link_system *sys, const char *name, char *err, size_t errlen)
{
	int rc = wg_delete(sys->wg, name, err, errlen);

	/* After the interface: while it exists its flow stays queued. */
	if (rc == 0)
		rc = obfs_link_down(sys->obfs, name, err, errlen);
	return rc;
}

int link_apply_set_admin(struct link_system *sys, const char *name, bool up, char *err, size_t errlen)
{
	return wgm_nl_route_link_set_up(sys->route, name, up, err, errlen);
}
