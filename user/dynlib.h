/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Libraries opened on first use. libcurl (the pool's etcd), libunbound
 * and libldns (partners by domain) and libmicrohttpd (the daemon's
 * metrics) bring 40 more shared objects with them: linked, every command
 * paid 15-20 ms to map and initialise them before main(), `status` and
 * `set add` included. Opened with dlopen when the feature starts, they
 * cost only the commands that use them.
 *
 * A library is a table of its functions, declared with an X-macro:
 *
 *	#define FOO_FUNCTIONS(X) \
 *		X(int, init, (void)) \
 *		X(int, call, (struct foo *, int, ...))
 *	DYNLIB_DECLARE(foo, FOO_FUNCTIONS)	    in a header
 *	DYNLIB_DEFINE(foo, "libfoo.so.1", "foo_", FOO_FUNCTIONS)  in a .c
 *
 * and then foo_api(err, len) returns the table (foo->init(), ...), opening
 * libfoo.so.1 and looking up foo_init and foo_call the first time; NULL
 * with err filled when the library or a function is missing.
 */
#ifndef EDGEFW_DYNLIB_H
#define EDGEFW_DYNLIB_H

#include <stddef.h>

struct dynlib {
	const char *soname;
	const char *prefix; /* of every function's name */
	const char *const *names; /* without the prefix, in the table's order */
	size_t count;
	void *table; /* count function pointers, nothing else */
	void *handle; /* once loaded */
};

/*
 * Opens lib and fills its table, once; 0, or -1 with err saying which
 * library and why. A failure is tried again at the next call: the
 * library may have been installed since.
 */
int dynlib_load(struct dynlib *lib, char *err, size_t len);

#define DYNLIB_MEMBER_(ret, name, params) ret(*name) params;
#define DYNLIB_NAME_(ret, name, params) #name,

#define DYNLIB_DECLARE(lib, FUNCTIONS)    \
	struct lib##_api {                \
		FUNCTIONS(DYNLIB_MEMBER_) \
	};                                \
	const struct lib##_api *lib##_api(char *err, size_t len)

/* dynlib_load fills the table as an array of pointers: no padding. */
#define DYNLIB_DEFINE(lib, so, name_prefix, FUNCTIONS)                        \
	static const char *const lib##_names[] = { FUNCTIONS(DYNLIB_NAME_) }; \
	_Static_assert(sizeof(struct lib##_api) ==                            \
			       sizeof(lib##_names) / sizeof(char *) *         \
				       sizeof(void (*)(void)),                \
		       #lib ": a table of function pointers only");           \
	static struct lib##_api lib##_table;                                  \
	static struct dynlib lib##_lib = {                                    \
		.soname = so,                                                 \
		.prefix = name_prefix,                                        \
		.names = lib##_names,                                         \
		.count = sizeof(lib##_names) / sizeof(char *),                \
		.table = &lib##_table,                                        \
	};                                                                    \
	const struct lib##_api *lib##_api(char *err, size_t len)              \
	{                                                                     \
		return dynlib_load(&lib##_lib, err, len) ? NULL               \
							 : &lib##_table;      \
	}

#endif
