// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's transport: one epoll descriptor in the daemon's
 * poll, holding the listening socket, the clients, a timer for their
 * deadlines and an eventfd for work left over. Requests are lines; each
 * gets its response (control_request.c) in order. What bounds a client:
 * a line of at most CONTROL_LINE_MAX bytes (a longer one is answered
 * with an error, the rest of what it sends is read and dropped, and it is
 * closed), CONTROL_IDLE_MS for each request and for the reading of what
 * it was answered, at most CONTROL_CLIENTS_MAX at once, and at most
 * OUT_MAX bytes of answers not yet read before it is read no further. A
 * client gets at most TURN_LINES requests a turn, so the others and the
 * daemon's own work (netlink, the watchdog) wait for no one for long.
 */
#define _GNU_SOURCE /* accept4, struct ucred */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>
#include "control.h"
#include "control_proto.h"
#include "control_request.h"
#include "log.h"
#include "util.h"

#define OUT_MAX (1 << 20)
#define TURN_LINES 64
#define TICK_MS 1000 /* deadlines are looked at this often */

enum { EV_LISTEN, EV_TIMER, EV_MORE, EV_CLIENT0 };

struct client {
	int fd;
	struct control_caller who;
	char in[CONTROL_LINE_MAX + 1];
	size_t in_len;
	char *out;
	size_t out_len, out_off, out_cap;
	int64_t deadline_ms;
	bool eof; /* it sent all it will: answer, then close */
	bool discard; /* sent a line too long: its input is dropped */
	bool write_shut;
	uint32_t events; /* registered with epoll */
};

struct control {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd, ep, timer, more;
	bool have_group;
	gid_t gid;
	struct client *clients[CONTROL_CLIENTS_MAX];
	size_t nr_clients;
};

static int64_t now_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

static int ep_add(struct control *c, int fd, uint32_t events, uint32_t id)
{
	struct epoll_event ev = { .events = events, .data.u32 = id };

	return epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void tick(struct control *c, bool on)
{
	struct itimerspec t = {};

	if (on) {
		t.it_value.tv_sec = TICK_MS / 1000;
		t.it_interval.tv_sec = TICK_MS / 1000;
	}
	timerfd_settime(c->timer, 0, &t, NULL);
}

/*
 * The socket and its directory: root's, group edgefw's to reach (0710:
 * no listing, no writing; edgefw's own files in it stay 0600), and the
 * socket 0660 for the group to connect. Without the group, root's alone.
 */
static int set_access(struct control *c, const char *run_dir)
{
	struct group *g = getgrnam(CONTROL_GROUP);

	if (!g) {
		log_warn(
			"there is no group " CONTROL_GROUP
			": only root may use the control socket %s (the package creates the group: systemd-sysusers)",
			c->path);
		return chmod(c->path, 0600);
	}
	c->have_group = true;
	c->gid = g->gr_gid;
	if (chown(run_dir, 0, c->gid) || chmod(run_dir, 0710) ||
	    chown(c->path, 0, c->gid) || chmod(c->path, 0660)) {
		log_err("cannot give group " CONTROL_GROUP " access to %s: %s",
			c->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int listen_on(struct control *c, const struct paths *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(p->control_sock) >= sizeof(c->path)) {
		log_err("the control socket's path is too long: %s",
			p->control_sock);
		return -1;
	}
	strcpy(c->path, p->control_sock);
	strcpy(sa.sun_path, c->path);
	/* one left by a daemon that was killed; nothing else is replaced */
	if (lstat(c->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(c->path);
	c->listen_fd =
		socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0 ||
	    bind(c->listen_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		log_err("cannot create the control socket %s: %s", c->path,
			strerror(errno));
		return -1;
	}
	if (set_access(c, p->run_dir) || listen(c->listen_fd, 64)) {
		log_err("cannot listen on the control socket %s: %s", c->path,
			strerror(errno));
		return -1;
	}
	return 0;
}

struct control *control_open(const struct paths *p)
{
	struct control *c = xcalloc(1, sizeof(*c));

	c->listen_fd = c->timer = c->more = -1;
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	c->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	c->more = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->ep < 0 || c->timer < 0 || c->more < 0) {
		log_err("cannot set up the control socket: %s",
			strerror(errno));
		goto fail;
	}
	if (listen_on(c, p) || ep_add(c, c->listen_fd, EPOLLIN, EV_LISTEN) ||
	    ep_add(c, c->timer, EPOLLIN, EV_TIMER) ||
	    ep_add(c, c->more, EPOLLIN, EV_MORE))
		goto fail;
	log_info("serving the control socket %s to root%s", c->path,
		 c->have_group ? " and group " CONTROL_GROUP : "");
	return c;
fail:
	control_close(c);
	return NULL;
}

int control_fd(const struct control *c)
{
	return c->ep;
}

static void drop(struct control *c, size_t slot)
{
	struct client *cl = c->clients[slot];

	close(cl->fd); /* leaves epoll with it */
	free(cl->out);
	free(cl);
	c->clients[slot] = NULL;
	if (--c->nr_clients == 0)
		tick(c, false);
}

static void queue(struct client *cl, const char *text)
{
	size_t n = strlen(text);

	GROW(cl->out, cl->out_cap, cl->out_len + n);
	memcpy(cl->out + cl->out_len, text, n);
	cl->out_len += n;
}

static void answer(struct client *cl, char *response)
{
	queue(cl, response);
	free(response);
	cl->deadline_ms = now_ms() + CONTROL_IDLE_MS;
}

static bool backlogged(const struct client *cl)
{
	return cl->out_len - cl->out_off >= OUT_MAX;
}

/* The requests it has sent in full, up to a turn's worth. */
static bool serve_lines(struct client *cl)
{
	int served = 0;
	char *nl;

	while (!cl->discard && !backlogged(cl) &&
	       (nl = memchr(cl->in, '\n', cl->in_len))) {
		size_t len = nl - cl->in;

		if (served++ == TURN_LINES)
			return true; /* more to do */
		answer(cl, control_request(&cl->who, cl->in, len));
		memmove(cl->in, nl + 1, cl->in_len - len - 1);
		cl->in_len -= len + 1;
	}
	if (cl->discard || backlogged(cl))
		return false;
	if (cl->in_len == sizeof(cl->in)) {
		char why[96];

		snprintf(
			why, sizeof(why),
			"a request is one line of at most %d bytes; this one is longer",
			CONTROL_LINE_MAX);
		answer(cl, control_error(2, why));
		cl->discard = true;
		cl->in_len = 0;
	} else if (cl->eof && cl->in_len) {
		/* the last request, without its line end */
		answer(cl, control_request(&cl->who, cl->in, cl->in_len));
		cl->in_len = 0;
	}
	return false;
}

static void set_events(struct control *c, size_t slot)
{
	struct client *cl = c->clients[slot];
	uint32_t want = 0;
	struct epoll_event ev = { .data.u32 = EV_CLIENT0 + slot };

	if (!cl->eof && !backlogged(cl))
		want |= EPOLLIN;
	if (cl->out_off < cl->out_len)
		want |= EPOLLOUT;
	if (!want) {
		drop(c, slot); /* all said, nothing more to come */
		return;
	}
	if (want == cl->events)
		return;
	ev.events = want;
	epoll_ctl(c->ep, EPOLL_CTL_MOD, cl->fd, &ev);
	cl->events = want;
}

static void flush(struct client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off,
				 cl->out_len - cl->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			cl->eof = true; /* gone: nothing it is owed matters */
			cl->out_off = cl->out_len;
			break;
		}
		cl->out_off += n;
	}
	cl->out_off = cl->out_len = 0;
	/* told why it is cut off: it reads the end, its input is dropped */
	if (cl->discard && !cl->write_shut) {
		shutdown(cl->fd, SHUT_WR);
		cl->write_shut = true;
	}
}

static void on_client(struct control *c, size_t slot, uint32_t events)
{
	struct client *cl = c->clients[slot];
	char scratch[4096];
	bool more = false;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		char *buf = cl->discard ? scratch : cl->in + cl->in_len;
		size_t room = cl->discard ? sizeof(scratch)
					  : sizeof(cl->in) - cl->in_len;
		ssize_t n = read(cl->fd, buf, room);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			cl->eof = true;
		else if (n > 0 && !cl->discard)
			cl->in_len += n;
	}
	more = serve_lines(cl);
	flush(cl);
	if (more || (!backlogged(cl) && memchr(cl->in, '\n', cl->in_len)))
		eventfd_write(c->more, 1);
	if (cl->discard && cl->eof)
		cl->out_off = cl->out_len = 0;
	set_events(c, slot);
}

/* SO_PEERCRED's gid, or one of its supplementary groups. */
static bool peer_in_group(int fd, gid_t primary, gid_t gid)
{
	socklen_t len = 64 * sizeof(gid_t);
	gid_t *groups = xcalloc(1, len);
	bool in = primary == gid;

	if (!in && getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) &&
	    errno == ERANGE) {
		groups = xrealloc(groups, len, 1);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
			len = 0;
	}
	for (size_t i = 0; !in && i < len / sizeof(gid_t); i++)
		in = groups[i] == gid;
	free(groups);
	return in;
}

static void on_accept(struct control *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd =
		accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct client *cl;
	size_t slot;

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		close(fd);
		return;
	}
	for (slot = 0; slot < CONTROL_CLIENTS_MAX && c->clients[slot]; slot++)
		;
	if (slot == CONTROL_CLIENTS_MAX) {
		char *r = control_error(
			1,
			"the control socket serves " STR(
				CONTROL_CLIENTS_MAX) " clients at once; try again");

		char scratch[4096];

		send(fd, r, strlen(r), MSG_NOSIGNAL | MSG_DONTWAIT);
		free(r);
		/* a request already sent, left unread, would reset the reply */
		shutdown(fd, SHUT_WR);
		while (recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) > 0)
			;
		close(fd);
		return;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->fd = fd;
	cl->who.uid = cred.uid;
	cl->who.pid = cred.pid;
	cl->who.member = c->have_group && peer_in_group(fd, cred.gid, c->gid);
	cl->deadline_ms = now_ms() + CONTROL_IDLE_MS;
	cl->events = EPOLLIN;
	if (ep_add(c, fd, EPOLLIN, EV_CLIENT0 + slot)) {
		close(fd);
		free(cl);
		return;
	}
	c->clients[slot] = cl;
	if (c->nr_clients++ == 0)
		tick(c, true);
}

static void on_tick(struct control *c)
{
	int64_t now = now_ms();
	uint64_t n;

	if (read(c->timer, &n, sizeof(n)) < 0)
		return;
	for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		struct client *cl = c->clients[i];

		if (!cl || cl->deadline_ms > now)
			continue;
		log_info(
			"control socket: uid %u pid %d took longer than %d s; cut off",
			(unsigned int)cl->who.uid, (int)cl->who.pid,
			CONTROL_IDLE_MS / 1000);
		drop(c, i);
	}
}

static void on_more(struct control *c)
{
	eventfd_t v;

	eventfd_read(c->more, &v);
	for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		if (c->clients[i])
			on_client(c, i, 0);
	}
}

void control_dispatch(struct control *c)
{
	struct epoll_event ev[16];
	int n = epoll_wait(c->ep, ev, ARRAY_SIZE(ev), 0);

	for (int i = 0; i < n; i++) {
		uint32_t id = ev[i].data.u32;

		if (id == EV_LISTEN)
			on_accept(c);
		else if (id == EV_TIMER)
			on_tick(c);
		else if (id == EV_MORE)
			on_more(c);
		else if (c->clients[id - EV_CLIENT0])
			on_client(c, id - EV_CLIENT0, ev[i].events);
	}
}

void control_close(struct control *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		if (c->clients[i])
			drop(c, i);
	}
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		unlink(c->path);
	}
	if (c->ep >= 0)
		close(c->ep);
	if (c->timer >= 0)
		close(c->timer);
	if (c->more >= 0)
		close(c->more);
	free(c);
}
