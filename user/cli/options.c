// SPDX-License-Identifier: GPL-2.0
/*
 * The options of the command line, each defined once: its spelling, its
 * argument, and how its value is checked. Commands name the ones they
 * take (commands.c); usage, parsing and errors come from here alike.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blocklist.h"
#include "cli.h"
#include "duration.h"
#include "events.h"

struct option_def {
	const char *name;
	char short_name; /* 0: long only */
	const char *arg; /* shown in usage; NULL: a flag */
	bool quote_value; /* in an error: a value too long or odd is not */
	/* NULL when the value is fine, else what is wrong with it */
	const char *(*set)(const char *value, struct cli_args *a);
};

static const char *set_config(const char *value, struct cli_args *a)
{
	a->config = value;
	return NULL;
}

static const char *set_xdp_mode(const char *value, struct cli_args *a)
{
	return xdp_mode_parse(value, &a->xdp_mode)
		       ? "takes auto, native or generic"
		       : NULL;
}

static const char *set_force(const char *value, struct cli_args *a)
{
	(void)value;
	a->force = true;
	return NULL;
}

static const char *set_json(const char *value, struct cli_args *a)
{
	(void)value;
	a->json = true;
	return NULL;
}

static const char *set_prometheus(const char *value, struct cli_args *a)
{
	(void)value;
	a->prometheus = true;
	return NULL;
}

static const char *set_textfile(const char *value, struct cli_args *a)
{
	a->textfile = value;
	return *value ? NULL : "takes a directory";
}

#define WATCH_MAX_SECS 3600

static const char *set_watch(const char *value, struct cli_args *a)
{
	unsigned long secs;
	char *end;

	secs = strtoul(value, &end, 10);
	if (!isdigit((unsigned char)*value) || *end || secs < 1 ||
	    secs > WATCH_MAX_SECS)
		return "takes a number of seconds from 1 to " STR(
			WATCH_MAX_SECS);
	a->watch = secs;
	return NULL;
}

static const char *set_file(const char *value, struct cli_args *a)
{
	a->file = value;
	return NULL;
}

static const char *set_ttl(const char *value, struct cli_args *a)
{
	a->ttl = duration_parse(value);
	return a->ttl < 0
		       ? "takes a duration such as 90s, 15m, 2h or 7d (up to 10 years)"
		       : NULL;
}

static const char *set_reason(const char *value, struct cli_args *a)
{
	static char why[64];

	if (block_reason_valid(value)) {
		a->reason = value;
		return NULL;
	}
	snprintf(why, sizeof(why), "takes one line of up to %d characters",
		 BLOCK_REASON_LEN - 1);
	return why;
}

static const char *set_iface(const char *value, struct cli_args *a)
{
	a->iface = value;
	return NULL;
}

static const char *set_drop_reason(const char *value, struct cli_args *a)
{
	a->drop_reason = events_drop_reason(value);
	return a->drop_reason < 0
		       ? "takes malformed, fragment, blocked, ratelimit or policy"
		       : NULL;
}

static const char *set_rule(const char *value, struct cli_args *a)
{
	a->rule = value;
	return NULL;
}

static const char *set_set(const char *value, struct cli_args *a)
{
	if (!config_valid_name(value))
		return "takes a set name: up to 31 letters, digits, '_', '-' or '.', a letter first";
	a->set = value;
	return NULL;
}

static const char *set_secure(const char *value, struct cli_args *a)
{
	(void)value;
	a->secure = true;
	return NULL;
}

static const struct option_def defs[NR_OPTIONS] = {
	[OPT_CONFIG] = { "config", 'c', "FILE", false, set_config },
	[OPT_XDP_MODE] = { "xdp-mode", 0, "auto|native|generic", true,
			   set_xdp_mode },
	[OPT_FORCE] = { "force", 0, NULL, false, set_force },
	[OPT_JSON] = { "json", 0, NULL, false, set_json },
	[OPT_PROMETHEUS] = { "prometheus", 0, NULL, false, set_prometheus },
	[OPT_TEXTFILE] = { "textfile", 0, "DIR", false, set_textfile },
	[OPT_WATCH] = { "watch", 0, "SECS", true, set_watch },
	[OPT_FILE] = { "file", 'f', "FILE", false, set_file },
	[OPT_TTL] = { "ttl", 0, "DUR", true, set_ttl },
	[OPT_REASON] = { "reason", 0, "TEXT", false, set_reason },
	[OPT_INTERFACE] = { "interface", 0, "I", false, set_iface },
	[OPT_DROP_REASON] = { "reason", 0, "R", true, set_drop_reason },
	[OPT_RULE] = { "rule", 0, "NAME", false, set_rule },
	[OPT_SET] = { "set", 0, "NAME", true, set_set },
	[OPT_SECURE] = { "secure", 0, NULL, false, set_secure },
};

/* getopt returns the option's index; short names come back as chars. */
static int option_of(int opt)
{
	for (int o = 0; o < NR_OPTIONS; o++) {
		if (opt == o ||
		    (defs[o].short_name && opt == defs[o].short_name))
			return o;
	}
	return -1;
}

size_t cli_getopt_table(unsigned int options, struct option *out,
			char *shortopts, size_t shortlen)
{
	size_t n = 0, s = 0;

	for (int o = 0; o < NR_OPTIONS; o++) {
		if (!(options & OPT(o)))
			continue;
		out[n++] = (struct option){ defs[o].name,
					    defs[o].arg ? required_argument
							: no_argument,
					    NULL, o };
		if (defs[o].short_name && s + 3 < shortlen) {
			shortopts[s++] = defs[o].short_name;
			if (defs[o].arg)
				shortopts[s++] = ':';
		}
	}
	out[n] = (struct option){};
	shortopts[s] = '\0';
	return n;
}

const char *cli_option_name(int o)
{
	return defs[o].name;
}

int cli_set_option(const char *command, int opt, const char *value,
		   struct cli_args *a)
{
	int o = option_of(opt);
	const char *why;

	if (o < 0)
		return EXIT_USAGE;
	a->given |= OPT(o);
	why = defs[o].set(value, a);
	if (!why)
		return EXIT_OK;
	if (defs[o].quote_value) {
		char shown[PRINTABLE_LEN];

		return usage_error(command, "--%s %s, not '%s'", defs[o].name,
				   why, printable(value, shown, sizeof(shown)));
	}
	return usage_error(command, "--%s %s", defs[o].name, why);
}

void cli_format_options(unsigned int options, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int o = 0; o < NR_OPTIONS && off < len; o++) {
		const struct option_def *d = &defs[o];

		if (!(options & OPT(o)))
			continue;
		if (d->short_name)
			off += snprintf(buf + off, len - off, " [-%c %s]",
					d->short_name, d->arg);
		else if (d->arg)
			off += snprintf(buf + off, len - off, " [--%s %s]",
					d->name, d->arg);
		else
			off += snprintf(buf + off, len - off, " [--%s]",
					d->name);
	}
}

void cli_format_option_words(unsigned int options, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int o = 0; o < NR_OPTIONS && off < len; o++) {
		const struct option_def *d = &defs[o];
		const char *sep = d->arg ? " " : "",
			   *arg = d->arg ? d->arg : "";

		if (!(options & OPT(o)))
			continue;
		if (d->short_name)
			off += snprintf(buf + off, len - off, "\t-%c%s%s",
					d->short_name, sep, arg);
		if (off < len)
			off += snprintf(buf + off, len - off, "\t--%s%s%s",
					d->name, sep, arg);
	}
}
