/* Netlink attributes into a table indexed by type, for every parser of
 * kernel replies (rtnetlink, WireGuard's generic netlink). Types above MAX
 * are skipped (a newer kernel's); a later duplicate replaces an earlier one.
 * Returns 0 or -EBADMSG (short header, malformed attribute). */
#ifndef WGM_COMMON_NL_ATTR_H
#define WGM_COMMON_NL_ATTR_H

#include <stddef.h>

#include <libmnl/libmnl.h>

/* The attributes after a HDRLEN-byte family header (struct rtmsg, genlmsghdr). */
int wgm_nl_attr_table(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned int max);
/* The attributes nested in NEST. */
int wgm_nl_attr_table_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned int max);

#endif
