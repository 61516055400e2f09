/* The kernel WireGuard module's generic netlink messages, as pure functions:
 * family lookup, WG_CMD_SET_DEVICE split over several messages when a device
 * does not fit in one (as wireguard-tools does), and WG_CMD_GET_DEVICE dump
 * replies coalesced back into one struct wgm_wg_device. */
#ifndef WGM_COMMON_WG_GENL_H
#define WGM_COMMON_WG_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wg/wg.h"

struct nlmsghdr;

/* CTRL_CMD_GETFAMILY for "wireguard". BUF: at least 256 bytes. */
struct nlmsghdr *wgm_wg_genl_build_get_family(char *buf);
/* 0 and *FAMILY_ID, or -EBADMSG / -ENOMSG. */
int wgm_wg_genl_parse_family(const struct nlmsghdr *nlh, uint16_t *family_id);

/* Where the next SET message starts; zero it before the first call. */
struct wgm_wg_set_cursor {
	size_t peer;       /* index of the next peer to send */
	size_t allowed_ip; /* its next allowed IP (> 0: continuing a peer) */
	bool started;      /* the first message (device attributes) is built */
};

/* Builds the next WG_CMD_SET_DEVICE message for DEV into BUF (BUFLEN bytes).
 * The first carries the device's attributes and WGDEVICE_F_REPLACE_PEERS;
 * a peer's first part carries WGPEER_F_REPLACE_ALLOWEDIPS and its keys; a
 * continued peer carries only its public key and further allowed IPs.
 * Returns 1 when more messages follow, 0 for the last one, -EMSGSIZE if
 * BUFLEN cannot hold even one peer, -EINVAL for a bad device. */
int wgm_wg_genl_build_set(char *buf, size_t buflen, uint16_t family_id, const struct wgm_wg_device *dev,
			  struct wgm_wg_set_cursor *cur, struct nlmsghdr **out);

/* WG_CMD_GET_DEVICE dump request for IFNAME. BUF: at least 256 bytes. */
struct nlmsghdr *wgm_wg_genl_build_get(char *buf, uint16_t family_id, const char *ifname);

/* Adds one reply message of a GET dump to DEV (zeroed before the first);
 * a peer split across messages is joined again. 0, -EBADMSG, -ENOMEM. */
int wgm_wg_genl_parse_get(const struct nlmsghdr *nlh, struct wgm_wg_device *dev);

#endif
