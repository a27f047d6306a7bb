// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "compile.h"
#include "events.h"
#include "log.h"
#include "pins.h"
#include "reasons.h"
#include "util.h"

_Static_assert(sizeof(struct edgefw_event) == 80,
	       "an event is 80 bytes, without holes");

#define RENEW_NS EDGEFW_NSEC_PER_SEC
#define NAMES_RETRY_NS EDGEFW_NSEC_PER_SEC

enum { FD_RING, FD_CTL, FD_CPU, NR_FDS };

/* Each reader's ring and lock, and who it is for the one refused. */
static const struct {
	enum edgefw_map ring;
	const char *lock;
	const char *who;
} readers[EDGEFW_NR_READERS] = {
	[EDGEFW_READER_MONITOR] = { MAP_EVENTS, "monitor.lock",
				    "edgefw monitor" },
	[EDGEFW_READER_SAMPLER] = { MAP_SAMPLES, "sampler.lock",
				    "edgefw daemon" },
};

static enum edgefw_map fd_map(const struct events *e, int i)
{
	return i == FD_RING  ? readers[e->reader].ring
	       : i == FD_CTL ? MAP_EVENTS_CTL
			     : MAP_EVENTS_CPU;
}

int events_drop_reason(const char *name)
{
	for (unsigned int r = EDGEFW_FIRST_DROP; r < EDGEFW_NR_REASONS; r++) {
		if (!strcmp(reason_name(r), name))
			return (int)r;
	}
	return -1;
}

/* The reader's lock; -2 after saying who holds it. */
static int take_lock(struct events *e)
{
	char path[PATH_MAX], pid[32] = "";
	ssize_t n;

	if (paths_private_dir(e->paths.run_dir) ||
	    path_join(path, sizeof(path), e->paths.run_dir,
		      readers[e->reader].lock))
		return -1;
	/* O_NOFOLLOW: a link planted as the lock is refused, not followed */
	e->lock_fd =
		open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (e->lock_fd < 0) {
		log_err("cannot open %s: %s", path,
			errno == ELOOP ? "it is a symbolic link"
				       : strerror(errno));
		return -1;
	}
	if (flock(e->lock_fd, LOCK_EX | LOCK_NB) == 0) {
		n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if (ftruncate(e->lock_fd, 0) ||
		    pwrite(e->lock_fd, pid, n, 0) < 0)
			log_warn("cannot write %s: %s", path, strerror(errno));
		return 0;
	}
	if (errno != EWOULDBLOCK) {
		log_err("cannot lock %s: %s", path, strerror(errno));
		return -1;
	}
	n = pread(e->lock_fd, pid, sizeof(pid) - 1, 0);
	pid[n > 0 ? n : 0] = '\0';
	pid[strcspn(pid, "\n")] = '\0';
	log_err("another %s%s%s%s reads the drop events; they have one reader at a time",
		readers[e->reader].who, *pid ? " (pid " : "", pid,
		*pid ? ")" : "");
	return -2;
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static int on_sample(void *ctx, void *data, size_t size);

static void close_maps(struct events *e)
{
	ring_buffer__free(e->rb);
	e->rb = NULL;
	if (e->ctl)
		munmap(e->ctl, e->ctl_len);
	e->ctl = NULL;
	for (int i = 0; i < NR_FDS; i++) {
		if (e->fd[i] >= 0)
			close(e->fd[i]);
		e->fd[i] = -1;
	}
}

static int open_maps(struct events *e)
{
	for (int i = 0; i < NR_FDS; i++) {
		char path[PATH_MAX];

		if (pins_map_path(&e->paths, fd_map(e, i), path,
				  sizeof(path))) {
			log_err("%s: the path is too long", e->paths.pin_dir);
			goto fail;
		}
		e->fd[i] = bpf_obj_get(path);
		if (e->fd[i] >= 0)
			continue;
		if (errno == ENOENT && i == FD_RING)
			log_err("%s is missing: edgefw is not loaded, or was loaded by an edgefw without %s (edgefw reload adds them)",
				path,
				e->reader == EDGEFW_READER_MONITOR
					? "drop events"
					: "the drop summary's samples");
		else
			log_err("cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	/* each reader stores its own lease alone: the map is mmapped */
	e->ctl_len = sysconf(_SC_PAGESIZE);
	e->ctl = mmap(NULL, e->ctl_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      e->fd[FD_CTL], 0);
	if (e->ctl == MAP_FAILED) {
		e->ctl = NULL;
		log_err("cannot map the drop events' leases: %s (an older edgefw's: edgefw reload replaces them)",
			strerror(errno));
		goto fail;
	}
	e->ring_id = map_id(e->fd[FD_RING]);
	e->rb = ring_buffer__new(e->fd[FD_RING], on_sample, e, NULL);
	if (!e->rb) {
		log_err("cannot read the events ring: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	close_maps(e);
	return -1;
}

static void set_lease(const struct events *e, __u64 until)
{
	__u64 *lease = e->reader == EDGEFW_READER_MONITOR
			       ? &e->ctl->listen_until_ns
			       : &e->ctl->sample_until_ns;

	__atomic_store_n(lease, until, __ATOMIC_RELAXED);
}

/* The lease, in the data plane's clock, and the wall clock's offset. */
static int renew(struct events *e)
{
	__u64 real = clock_ns(CLOCK_REALTIME), mono = clock_ns(CLOCK_MONOTONIC);

	e->real_minus_mono_ns = (__s64)(real - mono);
	e->renewed_ns = mono;
	set_lease(e, clock_ns(CLOCK_MONOTONIC_COARSE) + EDGEFW_EVENTS_LEASE_NS);
	return 0;
}

static void load_names(struct events *e)
{
	if (e->names_ok)
		loaded_close(&e->names);
	e->names_ok = loaded_open(&e->paths, &e->names) == 0;
	e->names_tag = e->names_ok ? config_tag(e->names.cfg.hash) : 0;
	e->names_tried_ns = clock_ns(CLOCK_MONOTONIC);
}

/* The config the event's generation was loaded from, or NULL. */
static const struct config *names_of(struct events *e,
				     const struct edgefw_event *ev)
{
	if ((!e->names_ok || e->names_tag != ev->config_tag) &&
	    clock_ns(CLOCK_MONOTONIC) - e->names_tried_ns >= NAMES_RETRY_NS)
		load_names(e); /* a reload since: its names */
	if (e->names_ok && e->names_tag == ev->config_tag)
		return &e->names.cfg;
	return NULL;
}

static void name_event(struct events *e, const struct edgefw_event *ev,
		       struct event_view *v)
{
	const struct config *c = names_of(e, ev);
	__u64 t = ev->time_ns + e->real_minus_mono_ns;
	char name[IF_NAMESIZE];

	v->ev = ev;
	v->when.tv_sec = t / EDGEFW_NSEC_PER_SEC;
	v->when.tv_nsec = t % EDGEFW_NSEC_PER_SEC;
	if (c && ev->slot < c->nr_ifaces) {
		v->iface = c->ifaces[ev->slot].name;
	} else {
		if (if_indextoname(ev->ifindex, name))
			snprintf(e->iface_buf, sizeof(e->iface_buf), "%s",
				 name);
		else
			snprintf(e->iface_buf, sizeof(e->iface_buf), "if#%u",
				 ev->ifindex);
		v->iface = e->iface_buf;
	}
	v->rule = NULL;
	if (ev->rule == EDGEFW_EVENT_NO_RULE)
		return;
	if (c && ev->rule < c->nr_rules) {
		v->rule = c->rules[ev->rule].name;
	} else {
		snprintf(e->rule_buf, sizeof(e->rule_buf), "#%u", ev->rule);
		v->rule = e->rule_buf;
	}
}

static bool wanted(const struct events_filter *f, const struct event_view *v)
{
	if (f->iface && strcmp(f->iface, v->iface))
		return false;
	if (f->reason >= 0 && v->ev->reason != f->reason)
		return false;
	return !f->rule || (v->rule && !strcmp(f->rule, v->rule));
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct events *e = ctx;
	struct edgefw_event ev;
	struct event_view v;

	if (size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	/* what a listener before this one left in the ring */
	if (ev.time_ns < e->start_ns)
		return 0;
	e->received++;
	name_event(e, &ev, &v);
	if (!wanted(&e->filter, &v))
		return 0;
	e->shown++;
	return e->fn(&v, e->ctx);
}

int events_open(struct events *e, const struct paths *p,
		enum edgefw_events_reader reader, const struct events_filter *f,
		events_fn fn, void *ctx)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->paths = *p;
	e->reader = reader;
	e->lock_fd = -1;
	for (int i = 0; i < NR_FDS; i++)
		e->fd[i] = -1;
	e->filter = *f;
	e->fn = fn;
	e->ctx = ctx;
	rc = take_lock(e);
	if (rc)
		goto fail;
	rc = -1;
	if (open_maps(e))
		goto fail;
	load_names(e);
	e->start_ns = clock_ns(CLOCK_MONOTONIC);
	if (renew(e))
		goto fail;
	return 0;
fail:
	events_close(e);
	return rc;
}

/* The running edgefw's ring is still ours, or another load's (reopened). */
static int follow_pins(struct events *e)
{
	char path[PATH_MAX];
	__u32 id;
	int fd;

	if (pins_map_path(&e->paths, readers[e->reader].ring, path,
			  sizeof(path)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT) {
		log_err("edgefw was unloaded");
		return -ENOENT;
	}
	if (fd < 0)
		return 0; /* the old ring still serves */
	id = map_id(fd);
	close(fd);
	if (!id || id == e->ring_id)
		return 0;
	if (e->reader == EDGEFW_READER_MONITOR)
		log_info("edgefw was loaded anew: reading its events");
	close_maps(e);
	if (open_maps(e))
		return -ENOENT;
	load_names(e);
	return 0;
}

int events_renew(struct events *e)
{
	int n = follow_pins(e);

	if (n)
		return n;
	return renew(e) ? -EIO : 0;
}

int events_poll(struct events *e, int timeout_ms)
{
	__u64 now = clock_ns(CLOCK_MONOTONIC), due = e->renewed_ns + RENEW_NS;
	int n;

	if (now >= due) {
		n = events_renew(e);
		if (n)
			return n;
		due = e->renewed_ns + RENEW_NS;
	}
	if ((__u64)timeout_ms * 1000000 > due - now)
		timeout_ms = (due - now) / 1000000 + 1;
	n = ring_buffer__poll(e->rb, timeout_ms);
	if (n < 0 && n != -EINTR && n != -EPIPE)
		log_err("cannot read the events: %s", strerror(-n));
	return n;
}

int events_fd(const struct events *e)
{
	return e->rb ? ring_buffer__epoll_fd(e->rb) : -1;
}

int events_consume(struct events *e)
{
	int n = ring_buffer__consume(e->rb);

	if (n < 0 && n != -EINTR && n != -EPIPE)
		log_err("cannot read the events: %s", strerror(-n));
	return n;
}

int events_read_counts(const struct events *e, struct events_counts *c)
{
	return events_counts_read(e->fd[FD_CPU], e->reader, c);
}

int events_counts_read(int fd, enum edgefw_events_reader reader,
		       struct events_counts *c)
{
	int nr_cpus = libbpf_num_possible_cpus();
	struct edgefw_events_cpu *per_cpu;
	__u32 key = reader;

	memset(c, 0, sizeof(*c));
	if (nr_cpus <= 0 || fd < 0)
		return -1;
	per_cpu = xcalloc(nr_cpus, sizeof(*per_cpu));
	if (bpf_map_lookup_elem(fd, &key, per_cpu)) {
		/* ENOENT: an older edgefw's map, without this reader */
		if (errno != ENOENT)
			log_err("cannot read the event counters: %s",
				strerror(errno));
		free(per_cpu);
		return -1;
	}
	for (int i = 0; i < nr_cpus; i++) {
		c->emitted += per_cpu[i].emitted;
		c->limited += per_cpu[i].limited;
		c->ring_full += per_cpu[i].ring_full;
	}
	free(per_cpu);
	return 0;
}

void events_close(struct events *e)
{
	/* the only reader of its kind, by its lock: its lease is its own */
	if (e->ctl)
		set_lease(e, 0);
	close_maps(e);
	if (e->names_ok)
		loaded_close(&e->names);
	e->names_ok = false;
	if (e->lock_fd >= 0)
		close(e->lock_fd);
	e->lock_fd = -1;
}
