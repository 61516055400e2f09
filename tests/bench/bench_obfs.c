/* Cost of each obfuscation transform per datagram, outbound and inbound, on
 * full-size (1424-byte WireGuard data message: 1392 bytes of inner packet,
 * the nearest valid size to a 1420-byte one) and small (96-byte) messages.
 * Prints ns/packet and Gbit/s of WireGuard message bytes; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/obfs/obfs.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct wgm_obfs *make(enum wgm_link_type type, int awg_version, int peer)
{
	struct wgm_obfs_config cfg = { .type = type, .key_len = 32 };
	memcpy(cfg.key, "0123456789abcdefghijklmnopqrstuv", 32);
	memset(peer ? cfg.remote_public : cfg.local_public, 1, 32);
	memset(peer ? cfg.local_public : cfg.remote_public, 2, 32);
	cfg.awg = (struct wgm_awg_params){
		.version = (uint8_t)awg_version,
		.jc = 4,
		.jmin = 40,
		.jmax = 70,
		.s1 = 15,
		.s2 = 20,
		.s3 = awg_version == 2 ? 18 : 0,
		.s4 = awg_version == 2 ? 8 : 0,
		.h = { { 100000, 100999 }, { 200000, 200999 }, { 300000, 300999 }, { 400000, 400999 } }
	};
	if (awg_version == 1)
		for (int i = 0; i < 4; i++)
			cfg.awg.h[i].hi = cfg.awg.h[i].lo;
	struct wgm_obfs *o;
	char err[128];
	if (wgm_obfs_new(&cfg, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_obfs: %s\n", err);
		exit(1);
	}
	return o;
}

static void bench(const char *name, enum wgm_link_type type, int awg_version, size_t len)
{
	struct wgm_obfs *a = make(type, awg_version, 0), *b = make(type, awg_version, 1);
	static uint8_t msg[1500], wire[1600], back[1600];
	randombytes_buf(msg, sizeof(msg));
	msg[0] = 4;
	msg[1] = msg[2] = msg[3] = 0;
	const int iters = len > 200 ? 200000 : 1000000;
	volatile ssize_t sink = 0;
	ssize_t n = 0;
	for (int i = 0; i < 1000; i++) /* warm caches */
		sink += wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), NULL, NULL);
	double t0 = now();
	for (int i = 0; i < iters; i++) {
		msg[20] = (uint8_t)i; /* vary the bytes wgobfs derives its padding from */
		n = wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), NULL, NULL);
		sink += n;
	}
	double t_out = (now() - t0) / iters;
	t0 = now();
	for (int i = 0; i < iters; i++)
		sink += wgm_obfs_inbound(b, wire, (size_t)n, back, sizeof(back));
	double t_in = (now() - t0) / iters;
	if (wgm_obfs_inbound(b, wire, (size_t)n, back, sizeof(back)) != (ssize_t)len) {
		fprintf(stderr, "bench_obfs: %s does not round-trip\n", name);
		exit(1);
	}
	printf("%-10s %5zu B   out %8.1f ns/pkt %7.2f Gbit/s   in %8.1f ns/pkt %7.2f Gbit/s\n", name, len, t_out * 1e9,
	       len * 8 / t_out / 1e9, t_in * 1e9, len * 8 / t_in / 1e9);
	(void)sink;
	wgm_obfs_free(a);
	wgm_obfs_free(b);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const size_t sizes[] = { 1424, 96 };
	for (int s = 0; s < 2; s++) {
		bench("default", WGM_LINK_DEFAULT, 1, sizes[s]);
		bench("wgobfs", WGM_LINK_WGOBFS, 1, sizes[s]);
		bench("ipt_xor", WGM_LINK_IPT_XOR, 1, sizes[s]);
		bench("awg 1.0", WGM_LINK_AMNEZIAWG, 1, sizes[s]);
		bench("awg 2.0", WGM_LINK_AMNEZIAWG, 2, sizes[s]);
	}
	return 0;
}
