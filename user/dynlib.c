// SPDX-License-Identifier: GPL-2.0
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include "dynlib.h"

int dynlib_load(struct dynlib *lib, char *err, size_t len)
{
	void (**slot)(void) = lib->table;
	char name[128];
	void *handle;

	if (lib->handle)
		return 0;
	/*
	 * RTLD_NOW: a function missing from the library shows here, where
	 * the feature starts and can say so, not at its first call.
	 */
	handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		snprintf(err, len, "cannot load %s: %s", lib->soname,
			 dlerror());
		return -1;
	}
	for (size_t i = 0; i < lib->count; i++) {
		void *sym;

		snprintf(name, sizeof(name), "%s%s", lib->prefix,
			 lib->names[i]);
		sym = dlsym(handle, name);
		if (!sym) {
			snprintf(err, len, "cannot load %s: it has no %s",
				 lib->soname, name);
			dlclose(handle);
			return -1;
		}
		/* POSIX: a function's address converts through void * */
		memcpy(&slot[i], &sym, sizeof(sym));
	}
	lib->handle = handle;
	return 0;
}
