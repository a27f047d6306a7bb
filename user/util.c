// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdbool.h>
#include <nettle/sha2.h>
#include "log.h"
#include "util.h"

static void out_of_memory(void)
{
	fputs("edgefw: out of memory\n", stderr);
	exit(1);
}

/* Buffers this big ask for transparent huge pages (advise_huge). */
#define HUGE_BUFFER_MIN (4UL << 20)
#define HUGE_PAGE (2UL << 20)

/*
 * The 2 MiB pages that lie wholly in a big buffer as transparent huge
 * pages, where the kernel gives them on request (THP "madvise", Debian's
 * default): a set change of a million prefixes fills a few hundred MB of
 * lists, and a page fault per 4 KiB cost a third of its time in a VM.
 * Pages already touched keep their size; a kernel without THP says no,
 * which changes nothing.
 */
static void advise_huge(void *p, size_t size)
{
	uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = ((uintptr_t)p + size) & ~(HUGE_PAGE - 1);

	if (size >= HUGE_BUFFER_MIN && end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	/* calloc's fresh memory is untouched: it faults in after this */
	if (n && size)
		advise_huge(p, n * size);
	return p;
}

void *xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		out_of_memory();
	p = realloc(p, n && size ? n * size : 1);
	if (!p)
		out_of_memory();
	advise_huge(p, n * size);
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		out_of_memory();
	return d;
}

static const char *const too_big =
	"larger than " STR(INPUT_MAX_MIB) " MiB, the most edgefw reads";

/* The file behind fd, which may be refused; NULL when it may be read. */
static const char *refuse_kind(int fd, bool is_stdin)
{
	struct stat st;

	if (fstat(fd, &st))
		return strerror(errno);
	if (S_ISDIR(st.st_mode))
		return "a directory, not a file";
	if (!S_ISREG(st.st_mode) && !is_stdin)
		return "not a regular file";
	if (S_ISREG(st.st_mode) &&
	    (unsigned long long)st.st_size > (INPUT_MAX_MIB << 20))
		return too_big;
	return NULL;
}

char *read_input(const char *path, size_t *len, const char **why)
{
	const size_t max = (size_t)INPUT_MAX_MIB << 20;
	bool is_stdin = !strcmp(path, "-");
	size_t cap = 4096, n = 0;
	struct stat st;
	char *buf;
	int fd;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = is_stdin
		     ? STDIN_FILENO
		     : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		*why = strerror(errno);
		return NULL;
	}
	*why = refuse_kind(fd, is_stdin);
	if (*why) {
		if (!is_stdin)
			close(fd);
		return NULL;
	}
	/* a file's size, read at once: a big buffer is not copied as it grows */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = ((size_t)st.st_size < max ? (size_t)st.st_size : max) + 2;
	buf = xcalloc(cap, 1);
	for (;;) {
		ssize_t got = read(fd, buf + n, cap - n - 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*why = strerror(errno);
			break;
		}
		if (got == 0)
			break;
		n += got;
		if (n > max) {
			*why = too_big;
			break;
		}
		if (n + 1 == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap, 1);
		}
	}
	if (!is_stdin)
		close(fd);
	if (*why) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static int fsync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, err = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

/*
 * Temporary files of writers killed while writing path: safe to remove,
 * as the writers of a file take turns (edgefw's hold the state lock).
 */
static void remove_stale_temporaries(const char *path)
{
	char pattern[PATH_MAX + 8];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s.tmp.*", path);
	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
	}
	globfree(&g);
}

/*
 * The temporary file is created new, never through a link: a file or a
 * symbolic link planted under its name is removed, not written through.
 */
static int create_temporary(const char *tmp, mode_t mode)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(tmp, flags, mode);

	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, flags, mode);
	return fd;
}

int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode)
{
	char tmp[PATH_MAX];
	const char *p = data;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	remove_stale_temporaries(path);
	fd = create_temporary(tmp, mode);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		p += w;
		len -= w;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return fsync_dir_of(path);
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *s;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t wall_now_ms(void)
{
	return clock_ns(CLOCK_REALTIME) / 1000000;
}

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	size_t i;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (i = 0; i < sizeof(digest); i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

const char *printable(const char *s, char *buf, size_t len)
{
	static const char more[] = "...";
	size_t off = 0;

	if (!len)
		return buf;
	for (; *s; s++) {
		unsigned char ch = *s;
		char one[5];
		size_t n;

		if (ch == '\\')
			n = snprintf(one, sizeof(one), "\\\\");
		else if (ch < 0x20 || ch >= 0x7f)
			n = snprintf(one, sizeof(one), "\\x%02x", ch);
		else
			n = snprintf(one, sizeof(one), "%c", ch);
		/* room for this, and for "..." should more follow */
		if (off + n + (s[1] ? sizeof(more) - 1 : 0) >= len) {
			if (off + sizeof(more) <= len) {
				memcpy(buf + off, more, sizeof(more) - 1);
				off += sizeof(more) - 1;
			}
			break;
		}
		memcpy(buf + off, one, n);
		off += n;
	}
	buf[off] = '\0';
	return buf;
}

unsigned int env_seconds(const char *name, unsigned int max, unsigned int dflt)
{
	const char *env = getenv(name);
	char *end;
	unsigned long v;

	if (!env)
		return dflt;
	v = strtoul(env, &end, 10);
	if (*env && !*end && v >= 1 && v <= max)
		return v;
	log_warn("%s takes 1 to %u seconds, not '%s': %u it is", name, max, env,
		 dflt);
	return dflt;
}
