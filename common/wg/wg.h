/* WireGuard devices as plain data, and the backend interface that applies
 * them: the kernel module over generic netlink, or wireguard-go over its UAPI
 * socket. The daemon sees only this header. */
#ifndef WGM_COMMON_WG_H
#define WGM_COMMON_WG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/wg/keys.h"

/* Keys are raw bytes here; common/wg/keys.h converts to and from base64. */
#define WGM_WG_KEY_LEN 32 /* spelt as <linux/wireguard.h> spells it */
_Static_assert(WGM_WG_KEY_LEN == WGM_KEY_LEN, "one key length");

struct wgm_wg_allowed_ip {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint8_t cidr;
};

struct wgm_wg_peer {
	uint8_t public_key[WGM_WG_KEY_LEN];
	uint8_t preshared_key[WGM_WG_KEY_LEN];
	bool has_preshared_key;
	union {
		struct sockaddr addr; /* sa_family AF_UNSPEC = no endpoint */
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} endpoint;
	struct wgm_wg_allowed_ip *allowed_ips;
	size_t n_allowed_ips;
	uint16_t persistent_keepalive; /* seconds, 0 = off */

	/* Read-only: filled by get_device, ignored by set_device. */
	int64_t last_handshake_sec; /* 0 = never */
	int64_t last_handshake_nsec;
	uint64_t rx_bytes, tx_bytes;
};

struct wgm_wg_device {
	char ifname[IFNAMSIZ];
	uint8_t private_key[WGM_WG_KEY_LEN];
	bool has_private_key;
	uint8_t public_key[WGM_WG_KEY_LEN]; /* read-only, from get_device */
	bool has_public_key;
	uint16_t listen_port; /* 0 = random */
	uint32_t fwmark;      /* 0 = none */
	struct wgm_wg_peer *peers;
	size_t n_peers;
	/* set_device only. false: the device as a whole (key, port, fwmark,
	 * exactly these peers). true: only the allowed IPs of these peers,
	 * which must exist already (others are not added); keys, endpoints,
	 * port and sessions stay, so a live link keeps carrying traffic. */
	bool allowed_ips_only;
};

/* Wipes every key and frees the device, its peers and their allowed IPs. */
void wgm_wg_device_free(struct wgm_wg_device *dev);

/* Appends a zeroed peer (or an allowed IP) and returns it; NULL when out of
 * memory. Moving the array wipes the old copy: peers hold preshared keys. */
struct wgm_wg_peer *wgm_wg_device_add_peer(struct wgm_wg_device *dev);
struct wgm_wg_allowed_ip *wgm_wg_peer_add_allowed_ip(struct wgm_wg_peer *peer);

/* "10.0.0.0/8", "::/0" -> 0 or -EINVAL (host bits may be set, as with wg). */
int wgm_wg_allowed_ip_parse(const char *text, struct wgm_wg_allowed_ip *out);
/* "192.0.2.1:51820", "[2001:db8::1]:51820", "[fe80::1%eth0]:51820" (a zone,
 * by name or number, as wireguard-go writes link-local endpoints) -> 0 or
 * -EINVAL. */
int wgm_wg_endpoint_parse(const char *text, struct wgm_wg_peer *peer);
/* The same forms back (a zone as its number); "" when there is no endpoint. */
void wgm_wg_endpoint_format(const struct wgm_wg_peer *peer, char *buf, size_t len);

enum wgm_wg_backend_kind {
	WGM_WG_BACKEND_AUTO,
	WGM_WG_BACKEND_KERNEL,
	WGM_WG_BACKEND_USERSPACE,
};

/* "auto", "kernel", "userspace" -> 0 or -EINVAL. */
int wgm_wg_backend_kind_from_name(const char *name, enum wgm_wg_backend_kind *out);
const char *wgm_wg_backend_kind_name(enum wgm_wg_backend_kind kind);

struct wgm_wg_backend_options {
	enum wgm_wg_backend_kind kind;
	/* The userspace implementation: "wireguard-go" (PATH search), an
	 * absolute path, or "amneziawg-go". NULL = "wireguard-go". */
	const char *userspace_binary;
	/* Where the userspace implementation puts its sockets. NULL =
	 * "/var/run/wireguard" (what wireguard-go uses). */
	const char *uapi_dir;
	/* How long create() waits for a started process's socket. 0 = 5000. */
	unsigned int start_timeout_ms;
	/* Userspace: each started process writes its stdout and stderr into one
	 * pipe whose read end is handed to output(output_ctx, ifname, fd) (the
	 * fd is then the callee's), on the thread that called create(). NULL:
	 * the process writes to our stderr. The process keeps a read end of its
	 * own (so it never dies of SIGPIPE when we stop and leave it running),
	 * and once it serves its socket its writes stop blocking: with nobody
	 * reading, lines past the pipe's buffer are lost, never waited for.
	 * create() of an interface whose socket a process of an earlier run
	 * serves hands that process's pipe over the same way, once
	 * (common/wg/wg_reclaim.h). */
	void (*output)(void *output_ctx, const char *ifname, int fd);
	void *output_ctx;
};

struct wgm_wg_backend;

struct wgm_wg_backend_ops {
	const char *name; /* "kernel" or "userspace" */
	/* Creates IFNAME (starting its process for userspace). Succeeds if it
	 * already exists and answers; a userspace process that died is started
	 * again here. */
	int (*create)(struct wgm_wg_backend *b, const char *ifname, char *err, size_t errlen);
	/* Deletes IFNAME and, for userspace, ends its process (no orphan).
	 * Succeeds when there was nothing to delete. */
	int (*delete)(struct wgm_wg_backend *b, const char *ifname, char *err, size_t errlen);
	/* Applies DEV: private key (if has_private_key), listen port, fwmark,
	 * and exactly DEV's peers (replace peers), each with exactly its
	 * allowed IPs (replace allowed IPs). -ENOTCONN (userspace) if the
	 * process is gone: call create() again. */
	int (*set_device)(struct wgm_wg_backend *b, const struct wgm_wg_device *dev, char *err, size_t errlen);
	/* *OUT is the caller's: wgm_wg_device_free(). */
	int (*get_device)(struct wgm_wg_backend *b, const char *ifname, struct wgm_wg_device **out, char *err,
			  size_t errlen);
	/* Frees the backend. Interfaces (and wireguard-go processes) stay:
	 * links outlive a restart of the daemon. */
	void (*close)(struct wgm_wg_backend *b);
};

struct wgm_wg_backend {
	const struct wgm_wg_backend_ops *ops;
};

/* Opens the backend OPT asks for; AUTO probes kernel then userspace and, when
 * neither is usable, fails with one line naming what to install.
 * ROUTE is an rtnetlink socket (used to create/delete links), borrowed: it
 * must outlive the backend. */
struct wgm_nl_sock;
int wgm_wg_backend_open(const struct wgm_wg_backend_options *opt, struct wgm_nl_sock *route,
			struct wgm_wg_backend **out, char *err, size_t errlen);

/* The two backends, for callers (and tests) that pick one explicitly. */
int wgm_wg_kernel_backend_open(struct wgm_nl_sock *route, struct wgm_wg_backend **out, char *err, size_t errlen);
int wgm_wg_userspace_backend_open(const struct wgm_wg_backend_options *opt, struct wgm_nl_sock *route,
				  struct wgm_wg_backend **out, char *err, size_t errlen);

/* NAME searched in PATH unless it has a '/'; 0 and PATH filled, or -ENOENT. */
int wgm_wg_userspace_binary_find(const char *name, char *path, size_t len);

static inline int wg_create(struct wgm_wg_backend *b, const char *ifname, char *err, size_t errlen)
{
	return b->ops->create(b, ifname, err, errlen);
}
static inline int wg_delete(struct wgm_wg_backend *b, const char *ifname, char *err, size_t errlen)
{
	return b->ops->delete (b, ifname, err, errlen);
}
static inline int wg_set_device(struct wgm_wg_backend *b, const struct wgm_wg_device *dev, char *err, size_t errlen)
{
	return b->ops->set_device(b, dev, err, errlen);
}
static inline int wg_get_device(struct wgm_wg_backend *b, const char *ifname, struct wgm_wg_device **out, char *err,
				size_t errlen)
{
	return b->ops->get_device(b, ifname, out, err, errlen);
}
static inline void wg_backend_close(struct wgm_wg_backend *b)
{
	if (b)
		b->ops->close(b);
}

#endif
