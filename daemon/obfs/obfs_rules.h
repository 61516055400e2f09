/* The firewall rules that send obfuscated links' flows to the engine's
 * queue. Two chains of our own in the mangle table, for IPv4 (iptables) and
 * IPv6 (ip6tables) alike, each reached by one jump at the top of OUTPUT and
 * INPUT:
 *
 *   WGMESH-OBFS-OUT: mark OBFS_RULES_MARK -> RETURN (our own extra datagrams)
 *                    -p udp --sport PORT -> NFQUEUE --queue-num OBFS_RULES_QUEUE
 *   WGMESH-OBFS-IN:  -p udp --dport PORT -> NFQUEUE --queue-num OBFS_RULES_QUEUE
 *
 * one PORT per obfuscated link (its WireGuard listen port). The NFQUEUE rule
 * has no --queue-bypass: while no engine is bound (daemon stopped, crashed,
 * starting) the kernel drops these packets, so an obfuscated link never goes
 * out plain. The chains stay when the daemon stops for the same reason.
 *
 * Why iptables and not an nftables table with a port set: nftables' own
 * `queue` statement needs CONFIG_NFT_QUEUE, which some kernels lack (the CI
 * machine's does); the xtables NFQUEUE target works with iptables-nft and
 * iptables-legacy on every kernel with NFQUEUE at all. docs/link-types.md.
 *
 * Every change rewrites both chains in one iptables-restore --noflush call,
 * which the kernel applies as one transaction: a chain is never seen half
 * filled. Scripts are built by pure functions; obfs_rules_run runs the
 * programs, from the worker thread only, never from the event loop. */
#ifndef WGM_DAEMON_OBFS_RULES_H
#define WGM_DAEMON_OBFS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OBFS_RULES_CHAIN_OUT "WGMESH-OBFS-OUT"
#define OBFS_RULES_CHAIN_IN "WGMESH-OBFS-IN"
/* Netfilter queue numbers are per network namespace; the lab's delay lines
 * use 1000 + node ID, so this one is out of their way. */
#define OBFS_RULES_QUEUE 7700
/* fwmark of datagrams the engine sends itself (AmneziaWG junk). */
#define OBFS_RULES_MARK 0x77676d6fu

/* The restore script (same text for iptables and ip6tables) that makes both
 * chains hold exactly PORTS, and adds the jumps when ADD_JUMPS. Returns the
 * length, or -ENOSPC. */
int obfs_rules_script(char *buf, size_t len, const uint16_t *ports, size_t n, bool add_jumps);

/* Reads `iptables-save -t mangle` output: whether OUTPUT and INPUT already
 * jump to our chains, and the ports queued in WGMESH-OBFS-OUT now (at most
 * MAX into PORTS, count in *N). */
void obfs_rules_parse_save(const char *save, bool *has_jumps, uint16_t *ports, size_t max, size_t *n);

/* Runs ARGV (argv[0] looked up in PATH) with STDIN_TEXT on its stdin (NULL:
 * none); its stdout goes to OUT (OUTLEN, NUL-terminated; NULL: discarded).
 * 0, or negative errno with the program's first error line in ERR. */
int obfs_rules_run(char *const argv[], const char *stdin_text, char *out, size_t outlen, char *err, size_t errlen);

#endif
