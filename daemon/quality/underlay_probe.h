/* Latency to other nodes outside the tunnels: the time a TCP connection
 * attempt to HOST:PORT (a node's API port on its public address) takes to
 * be answered. A SYN-ACK or a reset both count, since either is one round
 * trip to the host's kernel, so a node whose API listens only inside the
 * mesh still answers. No answer within the timeout, or an ICMP error, is
 * "unreachable". Works without privileges. Blocking: run it on the worker. */
#ifndef WGM_DAEMON_UNDERLAY_PROBE_H
#define WGM_DAEMON_UNDERLAY_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UNDERLAY_HOST_MAX 64

struct underlay_target {
	char host[UNDERLAY_HOST_MAX]; /* IPv4 or IPv6 literal */
	uint16_t port;
	bool answered; /* out */
	double rtt_ms; /* out: the least of the tries */
	char why[64];  /* out when !answered: "no answer", "host unreachable", ... */
};

/* The host of a WireGuard endpoint ("192.0.2.1:51820", "[2001:db8::1]:51820",
 * a scope "%eth0" dropped). 0, or -EINVAL for anything else. */
int underlay_endpoint_host(const char *endpoint, char *host, size_t len);

/* Probes every target TRIES times, all targets at once in each try, each
 * try waiting at most TIMEOUT_MS. */
void underlay_probe_run(struct underlay_target *t, size_t n, unsigned tries, int timeout_ms);

#endif
