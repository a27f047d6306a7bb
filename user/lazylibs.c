// SPDX-License-Identifier: GPL-2.0
#include "lazylibs.h"

/* Each table's types against the library's own header, at compile time. */
#define SAME_TYPE_(prefix, ret, name, params)                                  \
	_Static_assert(__builtin_types_compatible_p(__typeof__(&prefix##name), \
						    ret(*) params),            \
		       #prefix #name ": not the header's type");
#define CURL_SAME_(ret, name, params) SAME_TYPE_(curl_, ret, name, params)
#define UB_SAME_(ret, name, params) SAME_TYPE_(ub_, ret, name, params)
#define LDNS_SAME_(ret, name, params) SAME_TYPE_(ldns_, ret, name, params)
#define MHD_SAME_(ret, name, params) SAME_TYPE_(MHD_, ret, name, params)
CURL_FUNCTIONS(CURL_SAME_)
UB_FUNCTIONS(UB_SAME_)
LDNS_FUNCTIONS(LDNS_SAME_)
MHD_FUNCTIONS(MHD_SAME_)

/* The sonames of the libraries edgefw is built against (debian/control) */
DYNLIB_DEFINE(curl, "libcurl.so.4", "curl_", CURL_FUNCTIONS)
DYNLIB_DEFINE(ub, "libunbound.so.8", "ub_", UB_FUNCTIONS)
DYNLIB_DEFINE(ldns, "libldns.so.3", "ldns_", LDNS_FUNCTIONS)
DYNLIB_DEFINE(mhd, "libmicrohttpd.so.12", "MHD_", MHD_FUNCTIONS)
