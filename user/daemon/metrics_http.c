// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "format_prometheus.h"
#include "lazylibs.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "util.h"

/*
 * Scrapers are few (Prometheus, perhaps a second one, a person with
 * curl): more connections than this at once are refused, and one that
 * sends nothing for the timeout is closed.
 */
#define MAX_CONNECTIONS 16
#define CONNECTION_TIMEOUT_S 10
#define LISTEN_BACKLOG 16

/* Set by the first metrics_http_start; the rest runs after one. */
static const struct mhd_api *libmhd;

struct metrics_http {
	struct paths paths;
	struct endpoint at;
	struct MHD_Daemon *mhd;
	int fd;
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warn("metrics: %s", msg);
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned int status,
			       const char *type, char *body, size_t len,
			       bool must_free)
{
	struct MHD_Response *r = libmhd->create_response_from_buffer(
		len, body,
		must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (!r) {
		if (must_free)
			free(body);
		return MHD_NO;
	}
	libmhd->add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		libmhd->add_response_header(r, MHD_HTTP_HEADER_ALLOW,
					    "GET, HEAD");
	rc = libmhd->queue_response(c, status, r);
	libmhd->destroy_response(r);
	return rc;
}

#define TEXT "text/plain; charset=utf-8"

static char not_found[] = "edgefw: its metrics are at /metrics\n";
static char not_allowed[] = "edgefw: /metrics answers GET and HEAD\n";
static char unreadable[] =
	"edgefw: cannot read what is loaded; the daemon's log says why\n";

static enum MHD_Result scrape(struct metrics_http *h, struct MHD_Connection *c)
{
	struct metrics m;
	struct loaded l;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc = metrics_snapshot(&h->paths, &l, &m);

	if (rc < 0) {
		loaded_close(&l);
		return respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT,
			       unreadable, strlen(unreadable), false);
	}
	out = open_memstream(&text, &len);
	if (out) {
		prom_write(out, &m);
		if (fclose(out)) {
			free(text);
			text = NULL;
		}
	}
	metrics_free(&m);
	loaded_close(&l);
	if (!text)
		return MHD_NO; /* out of memory: the connection closes */
	return respond(c, MHD_HTTP_OK, PROMETHEUS_CONTENT_TYPE, text, len,
		       true);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	(void)upload_data;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT,
			       not_allowed, strlen(not_allowed), false);
	if (*upload_data_size) /* a GET with a body: ignored */
		*upload_data_size = 0;
	if (strcmp(url, "/metrics"))
		return respond(c, MHD_HTTP_NOT_FOUND, TEXT, not_found,
			       strlen(not_found), false);
	return scrape(cls, c);
}

static int listen_on(const char *config_path, const struct cfg_metrics *m)
{
	struct sockaddr_storage ss;
	socklen_t len = endpoint_sockaddr(&m->at, &ss);
	char at[ENDPOINT_STRLEN];
	int one = 1, err;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	endpoint_format(&m->at, at, sizeof(at));
	if (fd >= 0) {
		/* a restarted daemon gets its port back at once */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				   sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, len) == 0 &&
		    listen(fd, LISTEN_BACKLOG) == 0)
			return fd;
	}
	err = errno;
	log_err("%s:%u:%u: metrics listen %s: cannot listen there: %s%s",
		config_path, m->loc.line, m->loc.col, at, strerror(err),
		err == EADDRINUSE
			? " (another program has the port: choose another)"
		: err == EADDRNOTAVAIL
			? " (no interface of this network namespace has the address)"
			: "");
	if (fd >= 0)
		close(fd);
	return -1;
}

struct metrics_http *metrics_http_start(const struct paths *p,
					const char *config_path,
					const struct cfg_metrics *m)
{
	char at[ENDPOINT_STRLEN], why[256];
	struct metrics_http *h;
	int fd;

	endpoint_format(&m->at, at, sizeof(at));
	libmhd = mhd_api(why, sizeof(why));
	if (!libmhd) {
		log_err("cannot serve metrics on %s: %s", at, why);
		return NULL;
	}
	fd = listen_on(config_path, m);
	if (fd < 0)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->paths = *p;
	h->at = m->at;
	h->fd = fd;
	h->mhd = libmhd->start_daemon(
		MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
		on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)CONNECTION_TIMEOUT_S, MHD_OPTION_END);
	if (!h->mhd) {
		log_err("cannot serve metrics on %s: libmicrohttpd did not start",
			at);
		close(fd);
		free(h);
		return NULL;
	}
	log_info("serving metrics on http://%s/metrics", at);
	return h;
}

void metrics_http_stop(struct metrics_http *h)
{
	if (!h)
		return;
	/* MHD_stop_daemon closes the listening socket it was given */
	libmhd->stop_daemon(h->mhd);
	free(h);
}

bool metrics_http_serves(const struct metrics_http *h,
			 const struct cfg_metrics *m)
{
	if (!h || !m->listen)
		return !h && !m->listen;
	return h->at.port == m->at.port &&
	       h->at.addr.family == m->at.addr.family &&
	       !memcmp(&h->at.addr.addr, &m->at.addr.addr,
		       sizeof(h->at.addr.addr));
}
