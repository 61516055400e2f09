/* A listening address as text: "127.0.0.1:9586", "[::1]:9586", "[::]:9586"
 * (every address of both families) or "0.0.0.0:9586". Numeric addresses
 * only (a name would need a resolver at start), port 1-65535. Pure. */
#ifndef WGM_COMMON_HOSTPORT_H
#define WGM_COMMON_HOSTPORT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct wgm_hostport {
	int family;                  /* AF_INET or AF_INET6 */
	char host[INET6_ADDRSTRLEN]; /* the address without brackets */
	uint16_t port;
};

/* 0, or -EINVAL with err saying what is wrong ("port 0 is out of range
 * (1-65535)"). */
int wgm_hostport_parse(const char *text, struct wgm_hostport *out, char *err, size_t errlen);

#endif
