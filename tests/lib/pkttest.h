/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF_PROG_TEST_RUN suites share: a private network namespace
 * with the two veth NICs ext0 and int0, a generation loaded (not attached)
 * for them from a config text, and the check of one packet: the verdict
 * the program returns, and that it counted the packet once, with its
 * length, under the expected reason or rule and under nothing else.
 */
#ifndef EDGEFW_TEST_PKTTEST_H
#define EDGEFW_TEST_PKTTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "compile.h"
#include "config.h"
#include "edgefw.h"
#include "loader.h"
#include "packet.h"

/* ext0's addresses, given to it by make_namespace(). */
#define SELF4 "198.51.100.10" /* the Access Edge service address */
#define SELF6 "2001:db8:100::10"

/* The interfaces of every config of these suites, in this order. */
enum { IF_EXT, IF_INT, NR_IFACES };
extern const char *const iface_names[NR_IFACES];

/* A program of one interface: XDP judges ingress, TC egress. */
enum where { EXT_XDP, EXT_TC, INT_XDP, INT_TC };
struct place {
	const char *name;
	int iface;
	int dir;
};
extern const struct place places[];

enum expect { PASS, DROP };

/* Shorthands for tables of packet specs. */
#define TCP(s, sp, d, dp, flags)                              \
	.src = (s), .sport = (sp), .dst = (d), .dport = (dp), \
	.proto = IPPROTO_TCP, .tcp_flags = (flags)
#define UDP(s, sp, d, dp)                                     \
	.src = (s), .sport = (sp), .dst = (d), .dport = (dp), \
	.proto = IPPROTO_UDP
#define ICMP(s, d, type, code)                                              \
	.src = (s), .dst = (d), .proto = IPPROTO_ICMP, .icmp_type = (type), \
	.icmp_code = (code)
#define ICMP6(s, d, type, code)                                               \
	.src = (s), .dst = (d), .proto = IPPROTO_ICMPV6, .icmp_type = (type), \
	.icmp_code = (code)

/* For tables of cases with an .expect and a .counted slot. */
#define BY_RULE(id) .expect = PASS, .counted = EDGEFW_VERDICT_RULE(id)
#define PASS_AS(reason) .expect = PASS, .counted = EDGEFW_PASS_##reason
#define DROP_AS(reason) .expect = DROP, .counted = EDGEFW_DROP_##reason
/* Monitor mode: passes, but counted as the drop it would have been. */
#define MONITORED(reason) .expect = PASS, .counted = EDGEFW_DROP_##reason

/* A loaded generation and what the checks need of it. */
struct env {
	const char *label; /* "" or "monitor: " */
	const struct config *c;
	struct generation *g;
	int counters_fd;
	int flows_fd[2]; /* the IPv4 and the IPv6 table */
};

/* Every counter of the configured interfaces, both directions. */
struct counters {
	struct edgefw_counter slot[NR_IFACES][EDGEFW_NR_DIRS]
				  [EDGEFW_SLOTS_PER_DIR];
};

/* Not a counter slot: where no counter at all may move. */
#define NO_SLOT EDGEFW_SLOTS_PER_DIR

/* Run a shell command; the test bails out if it fails. */
void run(const char *cmd);

/*
 * A private network namespace with the config's two NICs. ext0 gets its
 * addresses here, and edgefw reads them back through netlink; int0's come
 * from the config. It all goes away with the process.
 */
void make_namespace(void);

/*
 * Parse, compile and load a config whose interfaces are ext0 and int0 and
 * whose first nr_rules rules are named rule_names, in that order. Any
 * failure bails out.
 */
void load_config(const char *name, const char *text,
		 const char *const *rule_names, size_t nr_rules,
		 struct config *c, struct compiled *cc, struct generation *g);

struct env make_env(const char *label, const struct config *c,
		    struct generation *g);

void read_counters(const struct env *e, struct counters *out);
const char *verdict_name(const struct env *e, __u32 verdict, char *buf,
			 size_t len);

/* Delete every entry of a hash map. */
void clear_map(int fd, size_t key_size);

/* Flows a case must not see: those of the cases before it. */
void clear_flows(const struct env *e);

/*
 * Move the time at offset at of every value of a hash map back by ns, in
 * batches: one read and one write per thousand entries, and no walk that
 * updates as it goes (an update moves an LRU element to the head of its
 * bucket, where such a walk meets it again). floor: stop at 0 (a TAT: a
 * time before now reads as now) rather than wrap (a timestamp the data
 * plane subtracts from its clock).
 */
void age_map_times(int fd, size_t key_size, size_t value_size, size_t at,
		   __u64 ns, bool floor);

/*
 * Move every flow's last sighting back in time, as if the packet that
 * follows came that much later.
 */
void age_flows(const struct env *e, unsigned int seconds);
void age_flows_ns(const struct env *e, __u64 ns);

/*
 * Why BPF_PROG_TEST_RUN refuses to run the packet at a place, or NULL when
 * it runs it.
 */
const char *test_run_refuses(enum where at, const struct pkt *p);

/* One packet through an interface's program; -errno or 0. */
int run_xdp(const struct env *e, int iface, const struct pkt *p, __u32 *retval);
int run_tc(const struct env *e, int iface, const struct pkt *p, __u32 *retval);

/* Run a packet through the program of a place, counters read around it. */
int run_packet(const struct env *e, enum where at, const struct pkt *p,
	       __u32 *retval, struct counters *before, struct counters *after);

/* How many counters moved, but the one expected to; each is reported. */
int others_moved(const struct env *e, const struct counters *before,
		 const struct counters *after, enum where at, __u32 expected);

/*
 * Run one packet and check the verdict, that the expected counter went up
 * by this one packet and its bytes, and that no other counter moved.
 */
void check_packet(const struct env *e, const char *name, enum where at,
		  const struct pkt *p, enum expect expect, __u32 counted);

/* The same for the packet that spec s describes, built first. */
void check_spec(const struct env *e, const char *name, enum where at,
		const struct pkt_spec *s, enum expect expect, __u32 counted);

#endif
