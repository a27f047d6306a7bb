/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers: allocation that cannot return NULL, whole-file I/O. */
#ifndef EDGEFW_UTIL_H
#define EDGEFW_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STR_(x) #x
#define STR(x) STR_(x)

#define SHA256_HEX_LEN 64

void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
char *xstrdup(const char *s);

/* Grow *p (of *cap elements) to hold at least need elements. */
#define GROW(p, cap, need)                                           \
	do {                                                         \
		if ((need) > (cap)) {                                \
			size_t grow_to_ = (cap) ? (cap)*2 : 8;       \
			while (grow_to_ < (need))                    \
				grow_to_ *= 2;                       \
			(p) = xrealloc((p), grow_to_, sizeof(*(p))); \
			(cap) = grow_to_;                            \
		}                                                    \
	} while (0)

/* The most edgefw reads of one input: a config, a prefix list, a state file. */
#define INPUT_MAX_MIB 256

/*
 * The whole of a regular file, or of standard input for "-", with a NUL
 * after it; NULL with *why saying what was wrong. A FIFO, a device or a
 * directory is refused (none would be a config), and so is anything over
 * INPUT_MAX_MIB: a read never blocks on a FIFO or runs without end.
 */
char *read_input(const char *path, size_t *len, const char **why);

/*
 * Replace path with data so that a crash leaves the old or the new file,
 * never a torn one: temporary file, fsync, rename, fsync of the directory.
 * The temporary file is made new (never written through a planted link),
 * and those of earlier writers killed while writing are removed: the
 * writers of one file must take turns.
 */
int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);

/* mkdir -p with the given mode for the directories it creates. */
int mkdir_p(const char *path, mode_t mode);

/* A clock's time in ns (CLOCK_REALTIME, CLOCK_BOOTTIME, ...). */
int64_t clock_ns(clockid_t clock);

/* Unix time in milliseconds. */
int64_t wall_now_ms(void);

/*
 * The whole seconds, 1 to max, that environment variable name sets, or
 * dflt when it is unset; a value that is not such a number is warned of
 * and dflt taken.
 */
unsigned int env_seconds(const char *name, unsigned int max, unsigned int dflt);

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

/* A buffer for printable(): a word shown in a message, 64 bytes of it. */
#define PRINTABLE_LEN 68

/*
 * Input (a word of a config, an argument, a string of a state file) as a
 * message may show it: a control byte, a byte beyond ASCII and '\' as
 * \xHH or \\, and cut with "..." at the end to fit len bytes (with its
 * NUL). Returns buf.
 */
const char *printable(const char *s, char *buf, size_t len);

#endif
