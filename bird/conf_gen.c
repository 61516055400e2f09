#include "bird/conf_gen.h"

#include "common/netlink/nl_route_table.h"
#include "common/util/err.h"
#include "common/util/ifname.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Timers for fast convergence. OSPF hellos every second with a dead count of
 * 3 find a silent neighbour within 3 s; BFD finds a dead link within
 * BFD_INTERVAL_MS * BFD_MULTIPLIER (300 ms) and tells OSPF at once.
 * Retransmit 2 s is BIRD's least: a new adjacency's database exchange
 * installs the neighbour's old router-LSA, and the one that lists the
 * adjacency, flooded within the second, is dropped under MinLSArrival (1 s)
 * and arrives with this retransmission. */
#define OSPF_HELLO_S 1
#define OSPF_DEAD_COUNT 3
#define OSPF_RETRANSMIT_S 2
#define BFD_INTERVAL_MS 100
#define BFD_IDLE_INTERVAL_MS 1000
#define BFD_MULTIPLIER 3
#define DEVICE_SCAN_S 10
#define BGP_CONNECT_RETRY_S 5
#define BGP_ERROR_WAIT_MIN_S 5
#define BGP_ERROR_WAIT_MAX_S 60
#define IFNAME_MAX 15
#define TICK_MAX 255

static const char *shown(const char *s)
{
	return s ? s : "(none)";
}

/* Names end up quoted in BIRD's config and act as patterns there, so only
 * plain interface-name characters are allowed (no glob, quote or newline). */
/* A kernel-valid name that is also safe inside BIRD's quotes. */
static bool ifname_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (!wgm_ifname_valid(name) || len > IFNAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			  c == '_' || c == '.';
		if (!ok)
			return false;
	}
	return true;
}

static bool addr_valid(int family, const char *text)
{
	unsigned char buf[16];
	return text && inet_pton(family, text, buf) == 1;
}

/* "ADDR/LEN" of the given family; family 0 accepts either and reports which. */
static bool prefix_valid(const char *text, int *family)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = text ? strchr(text, '/') : NULL;
	if (!slash || (size_t)(slash - text) >= sizeof(addr) || slash[1] == '\0')
		return false;
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (*family && *family != fam)
		return false;
	if (!addr_valid(fam, addr))
		return false;
	unsigned long len = 0;
	for (const char *p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9' || p - slash > 3)
			return false;
		len = len * 10 + (unsigned long)(*p - '0');
	}
	if (len > (fam == AF_INET ? 32u : 128u))
		return false;
	*family = fam;
	return true;
}

static bool path_valid(const char *path)
{
	if (!path || !*path)
		return false;
	for (const char *p = path; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static int validate_iface(const struct bird_conf_model *m, const struct bird_conf_iface *ifc, char *err, size_t errlen)
{
	if (!ifname_valid(ifc->ifname))
		return wgm_err(-EINVAL, err, errlen,
			       "bird: interface name '%s' is not a plain interface name (1-15 of A-Z a-z 0-9 - _ .)",
			       shown(ifc->ifname));
	if (ifc->cost < BIRD_OSPF_COST_MIN || ifc->cost > BIRD_OSPF_COST_MAX)
		return wgm_err(-EINVAL, err, errlen, "bird: cost %u of %s is not an OSPF cost (1-65535)",
			       (unsigned)ifc->cost, ifc->ifname);
	if (ifc->type != BIRD_CONF_PTP && ifc->type != BIRD_CONF_PTMP)
		return wgm_err(-EINVAL, err, errlen, "bird: interface %s has an unknown type (ptp or ptmp)",
			       shown(ifc->ifname));
	int family = AF_INET;
	if (ifc->link_prefix4 && !prefix_valid(ifc->link_prefix4, &family))
		return wgm_err(-EINVAL, err, errlen, "bird: link prefix '%s' of %s is not an IPv4 prefix",
			       ifc->link_prefix4, ifc->ifname);
	if (ifc->type == BIRD_CONF_PTMP) {
		if (m->ospfv2 && !addr_valid(AF_INET, ifc->neighbor4))
			return wgm_err(-EINVAL, err, errlen, "bird: ptmp interface %s needs an IPv4 neighbour address",
				       shown(ifc->ifname));
		if (m->ospfv3 && !addr_valid(AF_INET6, ifc->neighbor6))
			return wgm_err(-EINVAL, err, errlen, "bird: ptmp interface %s needs an IPv6 neighbour address",
				       shown(ifc->ifname));
	}
	return 0;
}

static bool ifname_seen_before(const struct bird_conf_model *m, size_t area, size_t idx)
{
	const char *name = m->areas[area].ifaces[idx].ifname;
	for (size_t a = 0; a <= area; a++) {
		size_t end = a == area ? idx : m->areas[a].n_ifaces;
		for (size_t i = 0; i < end; i++)
			if (strcmp(m->areas[a].ifaces[i].ifname, name) == 0)
				return true;
	}
	return false;
}

/* The bits of "ADDR/LEN" after the slash; the text is valid already. */
static unsigned prefix_len_of(const char *text)
{
	return (unsigned)strtoul(strchr(text, '/') + 1, NULL, 10);
}

static int validate_owners(const struct bird_conf_model *m, char *err, size_t errlen)
{
	if ((m->n_owners && !m->owners) || (m->n_owned_ranges && !m->owned_ranges))
		return wgm_err(-EINVAL, err, errlen, "bird: prefix owners counted but none given");
	for (size_t i = 0; i < m->n_owners; i++) {
		const struct bird_conf_owner *o = &m->owners[i];
		int fam4 = AF_INET, fam6 = AF_INET6;
		if (!addr_valid(AF_INET, o->router_id))
			return wgm_err(-EINVAL, err, errlen, "bird: owner router id '%s' is not an IPv4 address",
				       shown(o->router_id));
		if (!prefix_valid(o->loopback4, &fam4) || (o->loopback6 && !prefix_valid(o->loopback6, &fam6)))
			return wgm_err(-EINVAL, err, errlen,
				       "bird: the loopbacks of router %s are not an IPv4 and an IPv6 prefix",
				       o->router_id);
	}
	for (size_t i = 0; i < m->n_owned_ranges; i++) {
		const struct bird_conf_range *r = &m->owned_ranges[i];
		int family = 0;
		if (!prefix_valid(r->prefix, &family) || r->min_len < prefix_len_of(r->prefix) ||
		    r->min_len > r->max_len || r->max_len > (family == AF_INET ? 32u : 128u))
			return wgm_err(-EINVAL, err, errlen,
				       "bird: owned range '%s' is not a prefix with lengths from its own",
				       shown(r->prefix));
	}
	return 0;
}

static int validate_filters(const struct bird_conf_model *m, char *err, size_t errlen)
{
	bool have4 = false, have6 = false;

	if (!m->mesh_ranges)
		return wgm_err(-EINVAL, err, errlen, "bird: the mesh's own prefixes are needed for the route filters");
	for (size_t i = 0; i < m->n_mesh_ranges; i++) {
		const struct bird_conf_range *r = &m->mesh_ranges[i];
		int family = 0;
		if (!prefix_valid(r->prefix, &family))
			return wgm_err(-EINVAL, err, errlen, "bird: mesh range '%s' is not an IP prefix",
				       shown(r->prefix));
		unsigned bits = family == AF_INET ? 32 : 128;
		if (r->min_len < prefix_len_of(r->prefix) || r->min_len > r->max_len || r->max_len > bits)
			return wgm_err(-EINVAL, err, errlen,
				       "bird: mesh range %s{%u,%u} needs lengths from the prefix's to %u", r->prefix,
				       r->min_len, r->max_len, bits);
		have4 |= family == AF_INET;
		have6 |= family == AF_INET6;
	}
	/* Each family's set must be non-empty: BIRD has no empty set literal. */
	if (!have4 || !have6)
		return wgm_err(-EINVAL, err, errlen, "bird: the mesh's own prefixes need an IPv4 and an IPv6 range");
	if (m->n_allowed_prefixes && !m->allowed_prefixes)
		return wgm_err(-EINVAL, err, errlen, "bird: AllowedPrefixes counted but none given");
	for (size_t i = 0; i < m->n_allowed_prefixes; i++) {
		int family = 0;
		if (!prefix_valid(m->allowed_prefixes[i], &family))
			return wgm_err(-EINVAL, err, errlen, "bird: AllowedPrefixes entry '%s' is not an IP prefix",
				       shown(m->allowed_prefixes[i]));
	}
	return validate_owners(m, err, errlen);
}

static int validate(const struct bird_conf_model *m, char *err, size_t errlen)
{
	int family;
	if (!addr_valid(AF_INET, m->loopback4))
		return wgm_err(-EINVAL, err, errlen, "bird: loopback '%s' is not an IPv4 address", shown(m->loopback4));
	if (m->loopback6 && !addr_valid(AF_INET6, m->loopback6))
		return wgm_err(-EINVAL, err, errlen, "bird: loopback '%s' is not an IPv6 address", shown(m->loopback6));
	family = AF_INET;
	if (!prefix_valid(m->mesh_subnet4, &family))
		return wgm_err(-EINVAL, err, errlen, "bird: mesh subnet '%s' is not an IPv4 prefix",
			       shown(m->mesh_subnet4));
	if (m->ospfv3 && !m->mesh_subnet6)
		return wgm_err(-EINVAL, err, errlen,
			       "bird: ospfv3 needs the IPv6 mesh subnet (it selects the loopback to announce)");
	family = AF_INET6;
	if (m->mesh_subnet6 && !prefix_valid(m->mesh_subnet6, &family))
		return wgm_err(-EINVAL, err, errlen, "bird: mesh subnet '%s' is not an IPv6 prefix",
			       shown(m->mesh_subnet6));
	if (m->tick < 1 || m->tick > TICK_MAX)
		return wgm_err(-EINVAL, err, errlen, "bird: tick %u is out of range (1-%d s)", (unsigned)m->tick,
			       TICK_MAX);
	if (m->loglevel < BIRD_CONF_LOG_ERR || m->loglevel > BIRD_CONF_LOG_DEBUG)
		return wgm_err(-EINVAL, err, errlen, "bird: loglevel is not one of err, warning, info, debug");
	if (m->log_target != BIRD_CONF_LOG_SYSLOG && m->log_target != BIRD_CONF_LOG_STDERR)
		return wgm_err(-EINVAL, err, errlen, "bird: log target is not syslog or stderr");
	if (m->n_areas == 0 || !m->areas)
		return wgm_err(-EINVAL, err, errlen, "bird: at least one OSPF area is needed (it holds the loopback)");
	for (size_t a = 0; a < m->n_areas; a++) {
		for (size_t b = 0; b < a; b++) {
			if (m->areas[a].id == m->areas[b].id)
				return wgm_err(-EINVAL, err, errlen, "bird: area %u is listed twice",
					       (unsigned)m->areas[a].id);
		}
		if (m->areas[a].n_ifaces && !m->areas[a].ifaces)
			return wgm_err(-EINVAL, err, errlen, "bird: an area has interfaces counted but none given");
		for (size_t i = 0; i < m->areas[a].n_ifaces; i++) {
			int rc = validate_iface(m, &m->areas[a].ifaces[i], err, errlen);
			if (rc)
				return rc;
			if (ifname_seen_before(m, a, i))
				return wgm_err(-EINVAL, err, errlen,
					       "bird: interface %s is listed twice (one area per interface)",
					       m->areas[a].ifaces[i].ifname);
		}
	}
	if (m->n_bgp_peers && (!m->bgp_peers || m->local_as == 0))
		return wgm_err(-EINVAL, err, errlen, "bird: BGP peers need a local AS number (1-4294967295)");
	for (size_t i = 0; i < m->n_bgp_peers; i++) {
		const struct bird_conf_bgp_peer *p = &m->bgp_peers[i];
		if (!ifname_valid(p->ifname))
			return wgm_err(-EINVAL, err, errlen,
				       "bird: peering interface name '%s' is not a plain interface name",
				       shown(p->ifname));
		if (!addr_valid(AF_INET, p->neighbor) && !addr_valid(AF_INET6, p->neighbor))
			return wgm_err(-EINVAL, err, errlen, "bird: peer neighbour '%s' is not an IP address",
				       shown(p->neighbor));
		if (p->remote_as == 0)
			return wgm_err(-EINVAL, err, errlen, "bird: peer on %s has no remote AS number",
				       shown(p->ifname));
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->bgp_peers[j].ifname, p->ifname) == 0)
				return wgm_err(-EINVAL, err, errlen, "bird: peering interface %s is listed twice",
					       shown(p->ifname));
	}
	if (m->n_allowed_peers && !m->allowed_peers)
		return wgm_err(-EINVAL, err, errlen, "bird: AllowedPeers counted but none given");
	for (size_t i = 0; i < m->n_allowed_peers; i++) {
		family = 0;
		if (!prefix_valid(m->allowed_peers[i], &family))
			return wgm_err(-EINVAL, err, errlen, "bird: AllowedPeers entry '%s' is not an IP prefix",
				       shown(m->allowed_peers[i]));
	}
	int filters_rc = validate_filters(m, err, errlen);
	if (filters_rc)
		return filters_rc;
	if (!path_valid(m->static_conf_path))
		return wgm_err(-EINVAL, err, errlen,
			       "bird: static.conf path '%s' is empty or holds a quote or control character",
			       shown(m->static_conf_path));
	if (!path_valid(m->bgp_conf_path))
		return wgm_err(-EINVAL, err, errlen,
			       "bird: bgp.conf path '%s' is empty or holds a quote or control character",
			       shown(m->bgp_conf_path));
	return 0;
}

static const char *log_classes(enum bird_conf_loglevel level)
{
	switch (level) {
	case BIRD_CONF_LOG_ERR:
		return "{ error, fatal, bug }";
	case BIRD_CONF_LOG_WARNING:
		return "{ warning, error, auth, fatal, bug }";
	case BIRD_CONF_LOG_INFO:
		return "{ info, remote, warning, error, auth, fatal, bug }";
	case BIRD_CONF_LOG_DEBUG:
		break;
	}
	return "all";
}

static void emit_header(FILE *f, const struct bird_conf_model *m)
{
	fprintf(f,
		"# Generated by wgmeshd for node %u. Edits are overwritten; local routes\n"
		"# belong in %s, BGP sessions of your own in %s.\n\n",
		(unsigned)m->node_id, m->static_conf_path, shown(m->bgp_conf_path));
	fprintf(f, "log %s %s;\n", m->log_target == BIRD_CONF_LOG_SYSLOG ? "syslog" : "stderr",
		log_classes(m->loglevel));
	if (m->loglevel == BIRD_CONF_LOG_DEBUG)
		fprintf(f, "debug protocols { states, events };\n");
	fprintf(f, "router id %s;\n\n", shown(m->loopback4));

	fprintf(f, "protocol device {\n\tscan time %d;\n}\n\n", DEVICE_SCAN_S);
	/* The own loopback shows up in `show route` this way; it reaches the
	 * other nodes as an OSPF stub interface, not through this protocol. */
	fprintf(f, "protocol direct mesh_direct {\n\tipv4;\n\tipv6;\n\tinterface \"lo\";\n}\n\n");

	fprintf(f, "# The whole mesh is unreachable unless a more specific route exists, so\n"
		   "# traffic to a node that is gone fails at once instead of taking the\n"
		   "# default route out of the host.\n");
	fprintf(f, "protocol static mesh_unreachable4 {\n\tipv4;\n\troute %s unreachable;\n}\n\n",
		shown(m->mesh_subnet4));
	if (m->mesh_subnet6)
		fprintf(f, "protocol static mesh_unreachable6 {\n\tipv6;\n\troute %s unreachable;\n}\n\n",
			m->mesh_subnet6);
	fprintf(f, "include \"%s\";\ninclude \"%s\";\n\n", m->static_conf_path, shown(m->bgp_conf_path));
}

static int family_of(const char *prefix)
{
	int fam = 0;
	prefix_valid(prefix, &fam);
	return fam;
}

/* mesh_prefixesN: every route a member may bring into this node (OSPF's
 * import) and into its kernel. Without it any member could announce
 * 0.0.0.0/1 and draw every node's traffic to itself. */
static void emit_mesh_prefixes(FILE *f, const struct bird_conf_model *m, int v)
{
	int family = v == 4 ? AF_INET : AF_INET6;
	bool first = true;

	fprintf(f, "define mesh_prefixes%d = [ ", v);
	for (size_t i = 0; i < m->n_mesh_ranges; i++) {
		const struct bird_conf_range *r = &m->mesh_ranges[i];
		if (family_of(r->prefix) != family)
			continue;
		fprintf(f, "%s%s{%u,%u}", first ? "" : ", ", r->prefix, r->min_len, r->max_len);
		first = false;
	}
	for (size_t i = 0; i < m->n_allowed_prefixes; i++) {
		if (family_of(m->allowed_prefixes[i]) != family)
			continue;
		fprintf(f, ", %s+", m->allowed_prefixes[i]);
	}
	/* What this node takes from its BGP peers it also takes from a member
	 * that learnt it from its own peer. */
	for (size_t i = 0; i < m->n_allowed_peers; i++) {
		if (family_of(m->allowed_peers[i]) != family)
			continue;
		fprintf(f, ", %s+", m->allowed_peers[i]);
	}
	fprintf(f, " ];\n\n");
}

/* mesh_ownedN(): false for a route inside a node's loopback that the node
 * did not announce, and for one inside the owned ranges that is no node's
 * loopback. OSPF names the router a route comes from (ospf_router_id, for
 * intra-area, inter-area and external routes alike), and a node's router id
 * is its IPv4 loopback. BIRD compares a router id with an IPv4 address. */
static void emit_owned(FILE *f, const struct bird_conf_model *m, int v)
{
	int family = v == 4 ? AF_INET : AF_INET6;

	fprintf(f, "function mesh_owned%d()\n{\n", v);
	for (size_t i = 0; i < m->n_owners; i++) {
		const struct bird_conf_owner *o = &m->owners[i];
		const char *lo = v == 4 ? o->loopback4 : o->loopback6;
		if (!lo)
			continue;
		fprintf(f, "\tif net ~ [ %s{%u,%u} ] then return ospf_router_id = %s;\n", lo, prefix_len_of(lo),
			v == 4 ? 32 : 128, o->router_id);
	}
	for (size_t i = 0; i < m->n_owned_ranges; i++) {
		const struct bird_conf_range *r = &m->owned_ranges[i];
		if (family_of(r->prefix) == family)
			fprintf(f, "\tif net ~ [ %s{%u,%u} ] then return false;\n", r->prefix, r->min_len, r->max_len);
	}
	fprintf(f, "\treturn true;\n}\n\n");
}

static void emit_filters_head(FILE *f, const struct bird_conf_model *m)
{
	fprintf(f, "# What members may announce: the mesh's own loopback, link and VXLAN\n"
		   "# ranges, AllowedPrefixes and AllowedPeers (with their subnets).\n");
	emit_mesh_prefixes(f, m, 4);
	emit_mesh_prefixes(f, m, 6);
	if (m->n_owners) {
		fprintf(f, "# Who may announce what inside them: a node's loopback (and any address\n"
			   "# in it) only that node, by its router id; no /30 but a loopback, no IPv6\n"
			   "# loopback /48 but a node's. Link /31s and link addresses are any\n"
			   "# member's: the plan names only the accepting end of a link.\n");
		emit_owned(f, m, 4);
		emit_owned(f, m, 6);
	}
	for (int v = 4; v <= 6; v += 2) {
		fprintf(f, "filter ospf_import%d {\n", v);
		if (m->n_owners)
			fprintf(f, "\tif !mesh_owned%d() then reject;\n", v);
		fprintf(f, "\tif net ~ mesh_prefixes%d then accept;\n\treject;\n}\n\n", v);
	}
}

static void emit_kernel(FILE *f, const struct bird_conf_model *m, int v)
{
	const char *src = v == 4 ? m->loopback4 : m->loopback6;
	fprintf(f, "filter kernel_export%d {\n", v);
	fprintf(f, "\t# Connected routes are the kernel's own already.\n\tif source = RTS_DEVICE then reject;\n");
	if (v == 4)
		fprintf(f,
			"\t# Link /31s: the direct peer's is a connected route here, a far one is\n"
			"\t# never addressed from this node.\n\tif net ~ [ %s{31,31} ] then reject;\n",
			m->mesh_subnet4);
	else
		fprintf(f, "\t# Link addresses are link-local (fe82::/16 by default).\n"
			   "\tif net ~ [ fe80::/10+ ] then reject;\n");
	fprintf(f, "\t# The mesh aggregate: more specific routes (and the host's own routes for\n"
		   "\t# the same prefix, at metric 0) still win over it.\n"
		   "\tif dest = RTD_UNREACHABLE then accept;\n");
	fprintf(f, "\tif dest != RTD_UNICAST then reject;\n");
	fprintf(f,
		"\t# A route from another member only for what members may announce\n"
		"\t# (ospf_import%d already holds them back; this keeps the kernel safe\n"
		"\t# whatever the import does).\n"
		"\tif source ~ [ RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2 ] &&\n"
		"\t   !(net ~ mesh_prefixes%d) then reject;\n",
		v, v);
	fprintf(f, "\t# OSPF's route to this node's own loopback stub.\n\tif ifname = \"lo\" then reject;\n");
	if (src)
		fprintf(f, "\tkrt_prefsrc = %s;\n", src);
	fprintf(f, "\taccept;\n}\n\n");
	fprintf(f,
		"protocol kernel kernel%d {\n\tmerge paths yes;\n\tmetric %d;\n\tipv%d {\n\t\timport none;\n"
		"\t\texport filter kernel_export%d;\n\t};\n}\n\n",
		v, WGM_KERNEL_METRIC_BIRD, v, v);
}

static void emit_bfd(FILE *f, const struct bird_conf_model *m)
{
	fprintf(f, "protocol bfd mesh_bfd {\n");
	for (size_t a = 0; a < m->n_areas; a++) {
		for (size_t i = 0; i < m->areas[a].n_ifaces; i++) {
			fprintf(f,
				"\tinterface \"%s\" {\n\t\tmin rx interval %d ms;\n\t\tmin tx interval %d ms;\n"
				"\t\tidle tx interval %d ms;\n\t\tmultiplier %d;\n\t};\n",
				m->areas[a].ifaces[i].ifname, BFD_INTERVAL_MS, BFD_INTERVAL_MS, BFD_IDLE_INTERVAL_MS,
				BFD_MULTIPLIER);
		}
	}
	fprintf(f, "}\n\n");
}

static void emit_ospf_iface(FILE *f, const struct bird_conf_iface *ifc, int v)
{
	const char *neighbor = v == 4 ? ifc->neighbor4 : ifc->neighbor6;
	fprintf(f, "\t\t# %s: WireGuard transport over IPv%d\n", ifc->ifname, ifc->v6_transport ? 6 : 4);
	fprintf(f, "\t\tinterface \"%s\" {\n", shown(ifc->ifname));
	fprintf(f, "\t\t\ttype %s;\n", ifc->type == BIRD_CONF_PTP ? "ptp" : "ptmp");
	fprintf(f, "\t\t\tcost %u;\n", (unsigned)ifc->cost);
	fprintf(f, "\t\t\thello %d;\n\t\t\tdead count %d;\n\t\t\tretransmit %d;\n", OSPF_HELLO_S, OSPF_DEAD_COUNT,
		OSPF_RETRANSMIT_S);
	fprintf(f, "\t\t\tbfd yes;\n");
	if (ifc->type == BIRD_CONF_PTMP)
		fprintf(f, "\t\t\tneighbors {\n\t\t\t\t%s;\n\t\t\t};\n", neighbor);
	fprintf(f, "\t\t};\n");
}

/* A link's /31 is a connected route at both ends and never routed further
 * (kernel_export4 rejects it), so it stays out of the router-LSA: then a new
 * link changes the LSA only when its neighbour is Full. A change for the
 * interface alone would be originated at once and make the one that lists
 * the neighbour wait out BIRD's MinLSInterval (5 s) - the join's route. */
static void emit_hidden_stubnets(FILE *f, const struct bird_conf_area *area)
{
	for (size_t i = 0; i < area->n_ifaces; i++)
		if (area->ifaces[i].link_prefix4)
			fprintf(f, "\t\tstubnet %s { hidden; };\n", area->ifaces[i].link_prefix4);
}

static void emit_ospf(FILE *f, const struct bird_conf_model *m, int v)
{
	fprintf(f, "filter ospf_export%d {\n", v);
	fprintf(f, "\t# Loopbacks travel as stub interfaces; the aggregate stays local.\n");
	fprintf(f, "\tif proto = \"mesh_unreachable%d\" then reject;\n", v);
	fprintf(f, "\t# Routes from static.conf and from BGP peers reach the whole mesh.\n");
	fprintf(f, "\tif source ~ [ RTS_STATIC, RTS_BGP ] then accept;\n");
	if (v == 6)
		fprintf(f,
			"\t# OSPFv3 runs on no interface without a link-local address, so lo can\n"
			"\t# not be a stub; its prefix goes out as an E1 route, which is routed\n"
			"\t# by link costs like an internal one.\n"
			"\tif proto = \"mesh_direct\" && net ~ [ %s+ ] then {\n"
			"\t\tospf_metric1 = 0;\n\t\taccept;\n\t}\n",
			m->mesh_subnet6);
	fprintf(f, "\treject;\n}\n\n");

	fprintf(f, "protocol ospf v%d ospf%d {\n", v == 4 ? 2 : 3, v);
	fprintf(f, "\ttick %u;\n", (unsigned)m->tick);
	if (m->client)
		fprintf(f, "\t# A client carries no transit traffic.\n\tstub router yes;\n");
	fprintf(f, "\tipv%d {\n\t\timport filter ospf_import%d;\n\t\texport filter ospf_export%d;\n\t};\n", v, v, v);
	for (size_t a = 0; a < m->n_areas; a++) {
		fprintf(f, "\tarea %u {\n", (unsigned)m->areas[a].id);
		if (a == 0 && v == 4)
			fprintf(f, "\t\tinterface \"lo\" {\n\t\t\tstub yes;\n\t\t};\n");
		if (v == 4)
			emit_hidden_stubnets(f, &m->areas[a]);
		for (size_t i = 0; i < m->areas[a].n_ifaces; i++)
			emit_ospf_iface(f, &m->areas[a].ifaces[i], v);
		fprintf(f, "\t};\n");
	}
	fprintf(f, "}\n\n");
}

/* One prefix set per family: BIRD refuses sets that mix them. */
static void emit_prefix_set(FILE *f, const struct bird_conf_model *m, int family)
{
	bool first = true;
	fprintf(f, "[ ");
	for (size_t i = 0; i < m->n_allowed_peers; i++) {
		int fam = 0;
		prefix_valid(m->allowed_peers[i], &fam);
		if (fam != family)
			continue;
		fprintf(f, "%s%s+", first ? "" : ", ", shown(m->allowed_peers[i]));
		first = false;
	}
	fprintf(f, " ]");
}

static size_t count_allowed(const struct bird_conf_model *m, int family)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n_allowed_peers; i++) {
		int fam = 0;
		prefix_valid(m->allowed_peers[i], &fam);
		n += fam == family;
	}
	return n;
}

static void emit_bgp(FILE *f, const struct bird_conf_model *m)
{
	for (int v = 4; v <= 6; v += 2) {
		int family = v == 4 ? AF_INET : AF_INET6;
		fprintf(f, "# Only AllowedPeers prefixes (and their subnets) are taken from peers.\n");
		fprintf(f, "filter peer_import%d {\n", v);
		if (count_allowed(m, family)) {
			fprintf(f, "\tif net ~ ");
			emit_prefix_set(f, m, family);
			fprintf(f, " then accept;\n");
		}
		fprintf(f, "\treject;\n}\n\n");
		fprintf(f, "# Peers get the mesh's own prefixes: its aggregate (mesh_unreachable,\n"
			   "# this node routes inside it) and the routes of static.conf; never a route from another\n"
			   "# peer (no transit between networks) or from OSPF.\n");
		fprintf(f, "filter peer_export%d {\n", v);
		fprintf(f, "\tif source = RTS_STATIC then accept;\n");
		fprintf(f, "\treject;\n}\n\n");
	}
	for (size_t i = 0; i < m->n_bgp_peers; i++) {
		const struct bird_conf_bgp_peer *p = &m->bgp_peers[i];
		int v = strchr(p->neighbor, ':') ? 6 : 4;
		fprintf(f, "protocol bgp peer_%s {\n", shown(p->ifname));
		fprintf(f, "\tlocal as %u;\n\tneighbor %s as %u;\n", (unsigned)m->local_as, p->neighbor,
			(unsigned)p->remote_as);
		fprintf(f, "\tinterface \"%s\";\n\tdirect;\n", shown(p->ifname));
		/* BIRD's defaults wait 120 s to retry after a failed connect (the
		 * other end's interface may not exist yet when a link is made). */
		fprintf(f, "\tconnect retry time %d;\n\terror wait time %d, %d;\n", BGP_CONNECT_RETRY_S,
			BGP_ERROR_WAIT_MIN_S, BGP_ERROR_WAIT_MAX_S);
		fprintf(f, "\tipv%d {\n\t\timport filter peer_import%d;\n\t\texport filter peer_export%d;\n\t};\n}\n\n",
			v, v, v);
	}
}

int bird_conf_render(const struct bird_conf_model *m, char **out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	rc = validate(m, err, errlen);
	if (rc)
		return rc;

	f = open_memstream(&buf, &len);
	if (!f)
		goto nomem;
	emit_header(f, m);
	emit_filters_head(f, m);
	emit_kernel(f, m, 4);
	emit_kernel(f, m, 6);
	emit_bfd(f, m);
	if (m->ospfv2)
		emit_ospf(f, m, 4);
	if (m->ospfv3)
		emit_ospf(f, m, 6);
	emit_bgp(f, m);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		goto nomem;
	}
	if (fclose(f) != 0) {
		free(buf);
		goto nomem;
	}
	*out = buf;
	return 0;
nomem:
	if (err && errlen)
		snprintf(err, errlen, "bird: out of memory rendering the config");
	return -ENOMEM;
}
