/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop events (bpf/events.h), read from user space: the packets the data
 * plane drops (in monitor mode: would drop), from a reader's ring (enum
 * edgefw_events_reader: edgefw monitor's events, the daemon's samples),
 * filtered and named, handed to a callback.
 *
 * One reader of each kind at a time: a BPF ring buffer has one consumer
 * position, so two readers would each get some of the events and could
 * read records the producer is already writing over. The reader holds an
 * exclusive lock on RUN_DIR/monitor.lock or sampler.lock (the kernel
 * drops it when the process ends, however it ends); a second reader of
 * the kind is refused and told the first's pid.
 *
 * The listener flag is a lease (struct edgefw_events_ctl), one word per
 * kind in the mmapped map: the reader stores now + EDGEFW_EVENTS_LEASE_NS
 * in its own word and renews it every second while it reads, and clears
 * it when it closes. A reader killed with SIGKILL leaves it set: the data
 * plane finds the lease run out on the next drop after at most
 * EDGEFW_EVENTS_LEASE_NS and clears it, and the drop path is back to its
 * one look. No pid and no count: nothing to go stale.
 */
#ifndef EDGEFW_EVENTS_H
#define EDGEFW_EVENTS_H

#include <stdbool.h>
#include <time.h>
#include "edgefw.h"
#include "inspect.h"
#include "paths.h"

/* The per-CPU counters of struct edgefw_events_cpu, summed. */
struct events_counts {
	__u64 emitted;
	__u64 limited;
	__u64 ring_full;
};

static inline __u64 events_suppressed(const struct events_counts *c)
{
	return c->limited + c->ring_full;
}

/* What a reader wants to see; NULL or -1 for anything. */
struct events_filter {
	const char *iface;
	int reason; /* a drop reason */
	const char *rule; /* ratelimit drops of this rule */
};

/* An event and its names, as the callback gets it. */
struct event_view {
	const struct edgefw_event *ev;
	struct timespec when; /* the event's time, by the wall clock */
	const char *iface; /* its name; "if#N" when edgefw does not know it */
	const char *rule; /* NULL for none; "#N" when the config is unknown */
};

/* Returns 0 to go on, or a negative errno that ends events_poll. */
typedef int (*events_fn)(const struct event_view *v, void *ctx);

struct ring_buffer;

struct events {
	struct paths paths;
	enum edgefw_events_reader reader;
	int lock_fd;
	int fd[3]; /* the ring, the listener flag, the per-CPU counters */
	struct edgefw_events_ctl *ctl; /* the leases, mmapped */
	size_t ctl_len;
	__u32 ring_id;
	struct ring_buffer *rb;
	struct events_filter filter;
	events_fn fn;
	void *ctx;
	__u64 start_ns; /* CLOCK_MONOTONIC: events before it are stale */
	__s64 real_minus_mono_ns;
	__u64 renewed_ns; /* CLOCK_MONOTONIC of the last renewal */
	/* the loaded config, for names; reread when an event's tag differs */
	struct loaded names;
	bool names_ok;
	__u32 names_tag;
	__u64 names_tried_ns;
	__u64 received; /* events read, filtered out or not */
	__u64 shown; /* handed to the callback */
	char iface_buf[24];
	char rule_buf[24];
};

/*
 * Become the reader of that kind: take the lock, open the pinned maps of
 * the running edgefw, set the listener flag. 0, or -1 after reporting
 * (-2: another reader of the kind runs).
 */
int events_open(struct events *e, const struct paths *p,
		enum edgefw_events_reader reader, const struct events_filter *f,
		events_fn fn, void *ctx);

/*
 * Hand what arrived to the callback, waiting up to timeout_ms for it, and
 * renew the listener's lease when it is due. The number of events read;
 * -EINTR when a signal came; -ENOENT when edgefw was unloaded (said);
 * else the callback's error or a negative errno (said).
 */
int events_poll(struct events *e, int timeout_ms);

/*
 * For a reader in another loop: the descriptor that becomes readable when
 * events arrive (it changes when edgefw is loaded anew: ask again after
 * events_renew), what arrived to the callback without waiting, and the
 * lease renewed (due every second), following a new load's maps. As
 * events_poll: the number read, or a negative errno (-ENOENT: unloaded).
 */
int events_fd(const struct events *e);
int events_consume(struct events *e);
int events_renew(struct events *e);

/* The data plane's counters of this reader, all CPUs; 0 or -1 after reporting. */
int events_read_counts(const struct events *e, struct events_counts *c);

/* The same from the events_cpu map's fd, for a reader. */
int events_counts_read(int fd, enum edgefw_events_reader reader,
		       struct events_counts *c);

/* Clear the listener flag, let go of the ring and the lock. */
void events_close(struct events *e);

/* Names of a drop reason for --reason: its enum, or -1. */
int events_drop_reason(const char *name);

#endif
