/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libraries edgefw opens on first use (dynlib.h says why), and the
 * functions it calls in each. The feature that needs one asks for its
 * table when it starts (etcd_new, resolver_new, metrics_http_start) and
 * reports the error if the library cannot be loaded.
 */
#ifndef EDGEFW_LAZYLIBS_H
#define EDGEFW_LAZYLIBS_H

#include <stdint.h>
#include <curl/curl.h>
#include <ldns/ldns.h>
#include <microhttpd.h>
#include <unbound.h>
#include "dynlib.h"

/* libcurl: the pool's etcd client (etcd.c) */
#define CURL_FUNCTIONS(X)                                       \
	X(CURLcode, global_init, (long))                        \
	X(CURL *, easy_init, (void))                            \
	X(CURLcode, easy_setopt, (CURL *, CURLoption, ...))     \
	X(CURLcode, easy_perform, (CURL *))                     \
	X(CURLcode, easy_getinfo, (CURL *, CURLINFO, ...))      \
	X(void, easy_reset, (CURL *))                           \
	X(void, easy_cleanup, (CURL *))                         \
	X(const char *, easy_strerror, (CURLcode))              \
	X(struct curl_slist *, slist_append,                    \
	  (struct curl_slist *, const char *))                  \
	X(void, slist_free_all, (struct curl_slist *))          \
	X(CURLM *, multi_init, (void))                          \
	X(CURLMcode, multi_setopt, (CURLM *, CURLMoption, ...)) \
	X(CURLMcode, multi_add_handle, (CURLM *, CURL *))       \
	X(CURLMcode, multi_remove_handle, (CURLM *, CURL *))    \
	X(CURLMcode, multi_socket_action,                       \
	  (CURLM *, curl_socket_t, int, int *))                 \
	X(CURLMsg *, multi_info_read, (CURLM *, int *))         \
	X(CURLMcode, multi_cleanup, (CURLM *))
DYNLIB_DECLARE(curl, CURL_FUNCTIONS);

/* libunbound: the partners' DNS resolver (resolve.c) */
#define UB_FUNCTIONS(X)                                                       \
	X(struct ub_ctx *, ctx_create, (void))                                \
	X(void, ctx_delete, (struct ub_ctx *))                                \
	X(int, ctx_async, (struct ub_ctx *, int))                             \
	X(int, ctx_set_option, (struct ub_ctx *, const char *, const char *)) \
	X(int, ctx_set_fwd, (struct ub_ctx *, const char *))                  \
	X(int, ctx_resolvconf, (struct ub_ctx *, const char *))               \
	X(int, ctx_add_ta_file, (struct ub_ctx *, const char *))              \
	X(int, fd, (struct ub_ctx *))                                         \
	X(int, process, (struct ub_ctx *))                                    \
	X(int, resolve_async,                                                 \
	  (struct ub_ctx *, const char *, int, int, void *, ub_callback_type, \
	   int *))                                                            \
	X(int, cancel, (struct ub_ctx *, int))                                \
	X(void, resolve_free, (struct ub_result *))                           \
	X(const char *, strerror, (int))
DYNLIB_DECLARE(ub, UB_FUNCTIONS);

/* libldns: reading the SRV records of unbound's answers (resolve.c) */
#define LDNS_FUNCTIONS(X)                                                \
	X(ldns_status, wire2pkt, (ldns_pkt **, const uint8_t *, size_t)) \
	X(ldns_rr_list *, pkt_rr_list_by_type,                           \
	  (const ldns_pkt *, ldns_rr_type, ldns_pkt_section))            \
	X(size_t, rr_list_rr_count, (const ldns_rr_list *))              \
	X(ldns_rr *, rr_list_rr, (const ldns_rr_list *, size_t))         \
	X(size_t, rr_rd_count, (const ldns_rr *))                        \
	X(ldns_rdf *, rr_rdf, (const ldns_rr *, size_t))                 \
	X(uint16_t, rdf2native_int16, (const ldns_rdf *))                \
	X(char *, rdf2str, (const ldns_rdf *))                           \
	X(void, rr_list_deep_free, (ldns_rr_list *))                     \
	X(void, pkt_free, (ldns_pkt *))
DYNLIB_DECLARE(ldns, LDNS_FUNCTIONS);

/* libmicrohttpd: the daemon's metrics endpoint (daemon/metrics_http.c) */
#define MHD_FUNCTIONS(X)                                                  \
	X(struct MHD_Daemon *, start_daemon,                              \
	  (unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,      \
	   MHD_AccessHandlerCallback, void *, ...))                       \
	X(void, stop_daemon, (struct MHD_Daemon *))                       \
	X(struct MHD_Response *, create_response_from_buffer,             \
	  (size_t, void *, enum MHD_ResponseMemoryMode))                  \
	X(enum MHD_Result, add_response_header,                           \
	  (struct MHD_Response *, const char *, const char *))            \
	X(enum MHD_Result, queue_response,                                \
	  (struct MHD_Connection *, unsigned int, struct MHD_Response *)) \
	X(void, destroy_response, (struct MHD_Response *))
DYNLIB_DECLARE(mhd, MHD_FUNCTIONS);

#endif
