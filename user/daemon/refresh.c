// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include "log.h"
#include "op_partner.h"
#include "refresh.h"
#include "resolve.h"
#include "util.h"

/*
 * The longest the daemon goes without reading partners.json: domains
 * that 'edgefw partner add' adds are refreshed on their own time by then.
 */
#define LOOK_MAX_MS 5000

/* A lookup under way: which set's domain it is for. */
struct in_flight {
	struct daemon_partners *dp;
	char set[NAME_LEN];
	char domain[DNSNAME_LEN];
	struct in_flight *next;
};

struct daemon_partners {
	const struct paths *paths;
	int timer_fd;
	struct resolver *resolver;
	struct cfg_partners settings; /* what the resolver was made with */
	struct in_flight *flights;
};

static void arm_ms(int fd, int64_t ms)
{
	struct itimerspec t = {
		.it_value = { ms / 1000, ms % 1000 * 1000000 },
	};

	if (ms <= 0)
		t.it_value = (struct timespec){ 0, 1 };
	timerfd_settime(fd, 0, &t, NULL);
}

struct daemon_partners *daemon_partners_open(const struct paths *p)
{
	struct daemon_partners *dp = xcalloc(1, sizeof(*dp));

	dp->paths = p;
	dp->timer_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (dp->timer_fd < 0) {
		log_err("cannot set up the partners' timer: %s",
			strerror(errno));
		free(dp);
		return NULL;
	}
	arm_ms(dp->timer_fd, 0);
	return dp;
}

static void drop_flights(struct daemon_partners *dp)
{
	while (dp->flights) {
		struct in_flight *f = dp->flights;

		dp->flights = f->next;
		free(f);
	}
}

void daemon_partners_close(struct daemon_partners *dp)
{
	if (!dp)
		return;
	resolver_free(dp->resolver);
	drop_flights(dp);
	close(dp->timer_fd);
	free(dp);
}

int daemon_partners_timer_fd(const struct daemon_partners *dp)
{
	return dp->timer_fd;
}

int daemon_partners_dns_fd(const struct daemon_partners *dp)
{
	return dp->resolver ? resolver_fd(dp->resolver) : -1;
}

static bool flying(const struct daemon_partners *dp, const char *set,
		   const char *domain)
{
	for (const struct in_flight *f = dp->flights; f; f = f->next) {
		if (!strcmp(f->set, set) && !strcmp(f->domain, domain))
			return true;
	}
	return false;
}

static void landed(struct resolution *res, void *ctx)
{
	struct in_flight *f = ctx, **pp;
	struct daemon_partners *dp = f->dp;

	if (!res->ok)
		log_warn(
			"partner %s (set %s): %s; its addresses stay as they were",
			f->domain, f->set, res->error);
	if (op_partner_take(dp->paths, f->set, res) < 0)
		log_err("partner %s (set %s): what DNS said could not be applied; tried again at the next refresh",
			f->domain, f->set);
	for (pp = &dp->flights; *pp && *pp != f; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = f->next;
	free(f);
}

/* The resolver as the config says; made anew when the config changed. */
static bool have_resolver(struct daemon_partners *dp,
			  const struct cfg_partners *pc)
{
	if (dp->resolver && !memcmp(&dp->settings, pc, sizeof(*pc)))
		return true;
	resolver_free(dp->resolver);
	drop_flights(dp);
	dp->settings = *pc;
	dp->resolver = resolver_new(pc);
	return dp->resolver != NULL;
}

void daemon_partners_tick(struct daemon_partners *dp)
{
	struct partners_file f;
	struct cfg_partners pc;
	int64_t now, next = LOOK_MAX_MS, due;
	uint64_t n;
	int rc;

	while (read(dp->timer_fd, &n, sizeof(n)) > 0)
		;
	if (dp->resolver)
		resolver_process(dp->resolver); /* lookups past their time */
	rc = op_partner_maintain(dp->paths, &f, &pc);
	if (rc) {
		arm_ms(dp->timer_fd, next);
		return;
	}
	now = wall_now_ms();
	if (f.n && have_resolver(dp, &pc)) {
		for (size_t i = 0; i < f.n; i++) {
			struct partner *pt = &f.v[i];
			struct in_flight *fl;

			if (flying(dp, pt->set, pt->domain))
				continue;
			if (pt->next_refresh_ms > now) {
				if (pt->next_refresh_ms - now < next)
					next = pt->next_refresh_ms - now;
				continue;
			}
			fl = xcalloc(1, sizeof(*fl));
			fl->dp = dp;
			snprintf(fl->set, sizeof(fl->set), "%s", pt->set);
			snprintf(fl->domain, sizeof(fl->domain), "%s",
				 pt->domain);
			if (resolver_start(dp->resolver, pt->domain, pt->secure,
					   landed, fl)) {
				free(fl);
				continue;
			}
			fl->next = dp->flights;
			dp->flights = fl;
		}
	}
	/* the grace periods' ends; refreshes under way are not due again */
	for (size_t i = 0; i < f.n; i++) {
		for (size_t j = 0; j < f.v[i].nr_leaving; j++) {
			due = f.v[i].leaving[j].until_ms - now;
			if (due < next)
				next = due;
		}
	}
	if (dp->resolver && resolver_next_deadline(dp->resolver) != INT64_MAX) {
		int64_t left = resolver_next_deadline(dp->resolver) -
			       clock_ns(CLOCK_MONOTONIC) / 1000000;

		if (left < next)
			next = left;
	}
	partners_free(&f);
	/* at least 100 ms apart: a refresh due now is under way already */
	arm_ms(dp->timer_fd, next < 100 ? 100 : next);
}

void daemon_partners_answers(struct daemon_partners *dp)
{
	if (dp->resolver)
		resolver_process(dp->resolver);
}
