// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "reasons.h"
#include "sources.h"

_Static_assert((SOURCES_SLOTS & (SOURCES_SLOTS - 1)) == 0,
	       "the slots are a power of 2");

/* FNV-1a over what names a source */
static size_t slot_of(uint8_t reason, uint8_t family,
		      const union edgefw_addr *a)
{
	const uint8_t *p = (const uint8_t *)a;
	uint64_t h = 0xcbf29ce484222325ULL;

	h = (h ^ reason) * 0x100000001b3ULL;
	h = (h ^ family) * 0x100000001b3ULL;
	for (size_t i = 0; i < sizeof(*a); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h & (SOURCES_SLOTS - 1);
}

void sources_add(struct sources *s, const struct edgefw_event *ev)
{
	union edgefw_addr a = {};
	size_t i;

	/* an IPv4 source fills the first word; the rest is not its own */
	if (ev->family == EDGEFW_FAMILY_IPV4)
		a.w[0] = ev->src.w[0];
	else if (ev->family == EDGEFW_FAMILY_IPV6)
		a = ev->src;
	s->samples++;
	for (i = slot_of(ev->reason, ev->family, &a);;
	     i = (i + 1) & (SOURCES_SLOTS - 1)) {
		struct source *e = &s->slot[i];

		if (!e->samples)
			break;
		if (e->reason == ev->reason && e->family == ev->family &&
		    !memcmp(&e->addr, &a, sizeof(a))) {
			e->samples++;
			return;
		}
	}
	if (s->used >= SOURCES_MAX) {
		s->untabled++;
		return;
	}
	s->used++;
	s->slot[i] = (struct source){ .samples = 1,
				      .addr = a,
				      .reason = ev->reason,
				      .family = ev->family };
}

/* Whether a ranks before b: more samples, then the lower address. */
static int before(const struct source *a, const struct source *b)
{
	if (a->samples != b->samples)
		return a->samples > b->samples;
	if (a->family != b->family)
		return a->family < b->family;
	return memcmp(&a->addr, &b->addr, sizeof(a->addr)) < 0;
}

static const char *addr_text(const struct source *e, char *buf, size_t len)
{
	if (e->family == EDGEFW_FAMILY_IPV4)
		return inet_ntop(AF_INET, &e->addr, buf, len);
	if (e->family == EDGEFW_FAMILY_IPV6)
		return inet_ntop(AF_INET6, &e->addr, buf, len);
	return "unparsed";
}

/* The top sources of reason r into top, most first; how many. */
static size_t top_of(const struct sources *s, unsigned int r,
		     const struct source **top)
{
	size_t n = 0;

	for (size_t i = 0; i < SOURCES_SLOTS; i++) {
		const struct source *e = &s->slot[i];
		size_t k;

		if (!e->samples || e->reason != r)
			continue;
		if (n == SOURCES_TOP && !before(e, top[n - 1]))
			continue;
		k = n < SOURCES_TOP ? n++ : n - 1;
		for (; k > 0 && before(e, top[k - 1]); k--)
			top[k] = top[k - 1];
		top[k] = e;
	}
	return n;
}

#define APPEND(...)                                                         \
	do {                                                                \
		if (off < len)                                              \
			off += snprintf(buf + off, len - off, __VA_ARGS__); \
	} while (0)

size_t sources_describe(const struct sources *s, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (!s->samples)
		return 0;
	APPEND("; sampled sources (%" PRIu64 " %s", s->samples,
	       s->samples == 1 ? "sample" : "samples");
	if (s->untabled)
		APPEND(", %" PRIu64 " of sources past the first %d",
		       s->untabled, SOURCES_MAX);
	APPEND("):");
	for (unsigned int r = 0, k = 0; r < EDGEFW_NR_REASONS; r++) {
		const struct source *top[SOURCES_TOP];
		size_t n = top_of(s, r, top);

		if (!n)
			continue;
		APPEND("%s %s", k++ ? ";" : "", reason_name(r));
		for (size_t i = 0; i < n; i++) {
			char a[INET6_ADDRSTRLEN];

			APPEND("%s %s %" PRIu64, i ? "," : "",
			       addr_text(top[i], a, sizeof(a)),
			       top[i]->samples);
		}
	}
	return off < len ? off : len - 1;
}

void sources_reset(struct sources *s)
{
	memset(s, 0, sizeof(*s));
}
