/* bench_wg_link: how long one backend takes to create a configured link
 * (interface, private key, port, one peer with endpoint and allowed IPs, an
 * address, up) and to delete it, timed inside one process so that a
 * program's start is not counted. Prints min/median/mean/max in ms.
 * tests/bench/bench_backends_vm.sh runs it for both backends in the guest.
 *
 *   bench_wg_link kernel|userspace ROUNDS
 *
 * Run it in a network namespace of its own: it makes and removes "wgbench0". */
#include <errno.h>
#include <linux/netlink.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/netlink/nl_route.h"
#include "common/netlink/nl_sock.h"
#include "common/wg/wg.h"

#define IFNAME "wgbench0"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void print_stats(const char *what, double *v, int n)
{
	double sum = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	for (int i = 0; i < n; i++)
		sum += v[i];
	printf(" %s %.1f/%.1f/%.1f/%.1f", what, v[0], v[n / 2], sum / n, v[n - 1]);
}

/* The device a link of the daemon's would have: one peer that may carry
 * anything, reached at a fixed endpoint. */
static int build_device(struct wgm_wg_device *dev)
{
	struct wgm_wg_peer *peer;
	struct wgm_wg_allowed_ip *a;

	snprintf(dev->ifname, sizeof(dev->ifname), "%s", IFNAME);
	randombytes_buf(dev->private_key, WGM_WG_KEY_LEN);
	dev->has_private_key = true;
	dev->listen_port = 51999;
	if (!(peer = wgm_wg_device_add_peer(dev)))
		return -ENOMEM;
	randombytes_buf(peer->public_key, WGM_WG_KEY_LEN);
	randombytes_buf(peer->preshared_key, WGM_WG_KEY_LEN);
	peer->has_preshared_key = true;
	if (wgm_wg_endpoint_parse("192.0.2.2:51998", peer) < 0)
		return -EINVAL;
	if (!(a = wgm_wg_peer_add_allowed_ip(peer)) || wgm_wg_allowed_ip_parse("0.0.0.0/0", a) < 0)
		return -ENOMEM;
	if (!(a = wgm_wg_peer_add_allowed_ip(peer)) || wgm_wg_allowed_ip_parse("::/0", a) < 0)
		return -ENOMEM;
	return 0;
}

static int create_link(struct wgm_wg_backend *b, struct wgm_nl_sock *rt, const struct wgm_wg_device *dev, char *err,
		       size_t len)
{
	struct wgm_nl_ip ip;
	int e;

	if ((e = wg_create(b, IFNAME, err, len)) < 0 || (e = wg_set_device(b, dev, err, len)) < 0)
		return e;
	wgm_nl_ip_parse("10.9.0.0", &ip);
	if ((e = wgm_nl_route_addr_add(rt, IFNAME, &ip, 31, NULL, err, len)) < 0)
		return e;
	return wgm_nl_route_link_set_up(rt, IFNAME, true, err, len);
}

int main(int argc, char **argv)
{
	struct wgm_wg_backend_options opt = { 0 };
	struct wgm_wg_device *dev = NULL;
	struct wgm_wg_backend *b = NULL;
	struct wgm_nl_sock rt = { 0 };
	char err[512] = "out of memory";
	double *c = NULL, *d = NULL;
	int rounds = 0, e = -ENOMEM;

	if (argc != 3 || wgm_wg_backend_kind_from_name(argv[1], &opt.kind) < 0 || (rounds = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: bench_wg_link kernel|userspace ROUNDS\n");
		return 2;
	}
	if (sodium_init() < 0 || !(c = calloc((size_t)rounds, sizeof(*c))) ||
	    !(d = calloc((size_t)rounds, sizeof(*d))) || !(dev = calloc(1, sizeof(*dev))) || build_device(dev) < 0)
		goto out;
	if ((e = wgm_nl_sock_open(&rt, NETLINK_ROUTE, err, sizeof(err))) < 0 ||
	    (e = wgm_wg_backend_open(&opt, &rt, &b, err, sizeof(err))) < 0)
		goto out;
	for (int i = 0; i < rounds; i++) {
		double t0 = now_ms();
		if ((e = create_link(b, &rt, dev, err, sizeof(err))) < 0) {
			char ignored[64];
			wg_delete(b, IFNAME, ignored, sizeof(ignored));
			goto out;
		}
		double t1 = now_ms();
		if ((e = wg_delete(b, IFNAME, err, sizeof(err))) < 0)
			goto out;
		c[i] = t1 - t0;
		d[i] = now_ms() - t1;
	}
	printf("%-9s %d rounds, ms min/median/mean/max:", argv[1], rounds);
	print_stats("create", c, rounds);
	print_stats("delete", d, rounds);
	printf("\n");
out:
	if (e < 0)
		fprintf(stderr, "bench_wg_link: %s\n", err);
	wg_backend_close(b);
	wgm_nl_sock_close(&rt);
	if (dev)
		wgm_wg_device_free(dev);
	free(c);
	free(d);
	return e < 0 ? 1 : 0;
}
