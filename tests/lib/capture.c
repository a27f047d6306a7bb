// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <unistd.h>
#include "capture.h"
#include "tap.h"

void capture_start(struct capture *c)
{
	c->file = tmpfile();
	c->saved_fd = dup(STDERR_FILENO);
	if (!c->file || c->saved_fd < 0)
		tap_bail("cannot capture stderr");
	fflush(stderr);
	dup2(fileno(c->file), STDERR_FILENO);
}

void capture_stop(struct capture *c, char *buf, size_t len)
{
	size_t got;

	fflush(stderr);
	dup2(c->saved_fd, STDERR_FILENO);
	close(c->saved_fd);
	rewind(c->file);
	got = fread(buf, 1, len - 1, c->file);
	buf[got] = '\0';
	fclose(c->file);
}

bool capture_holds(struct capture *c, const char *want, char *line, size_t len)
{
	bool holds;

	capture_stop(c, line, len);
	holds = strstr(line, want);
	line[strcspn(line, "\n")] = '\0';
	return holds;
}
