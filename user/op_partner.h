/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Partners by domain on a running edgefw (partners.h): adding, removing,
 * refreshing and listing them. Resolutions run before the state lock is
 * taken (they may take the config's timeout); what they found goes into
 * partners.json and the kernel's sets under it, as a difference, or not
 * at all.
 */
#ifndef EDGEFW_OP_PARTNER_H
#define EDGEFW_OP_PARTNER_H

#include "inspect.h"
#include "partners.h"
#include "resolve.h"

/*
 * The partners of the loaded config: partners.json with the config's
 * domains in it (those not yet resolved show so). 0, or an op_error.
 */
int op_partner_list(const struct loaded *l, struct partners_file *out);

/*
 * Add domain to set (a set of the loaded config), resolved now; *out is
 * the partner as recorded (partner_free it). A domain DNS has no
 * addresses for, or could not answer for, is added all the same, with
 * its error, and resolved again later. 0, or an op_error.
 */
int op_partner_add(const struct paths *p, const struct loaded *l,
		   const char *set, const char *domain, bool secure,
		   struct partner *out);

/*
 * Remove a domain added with 'partner add' (set NULL: from whichever
 * set has it): exactly the addresses that no other domain of the set and
 * no prefix of its own holds leave the set. 0, or an op_error.
 */
int op_partner_del(const struct paths *p, const char *set, const char *domain);

/*
 * Resolve again the domain of set (NULL: every domain, of every set) and
 * take the answers; *failed counts those that met DNS trouble (they
 * keep their addresses). 0, or an op_error.
 */
int op_partner_refresh(const struct paths *p, const struct loaded *l,
		       const char *set, const char *domain, size_t *failed);

/*
 * The daemon's: take one resolution (of the domain of set) into the file
 * and the kernel, under the lock. 0, 1 when the domain is no longer
 * there, or an op_error.
 */
int op_partner_take(const struct paths *p, const char *set,
		    const struct resolution *res);

/*
 * The daemon's, under the lock: the config's domains into partners.json,
 * the domains it no longer has and the addresses whose grace ran out
 * out of it and the kernel. *out: the partners then (for scheduling),
 * *pc the config's partners settings. 0, 1 when nothing is loaded, or an
 * op_error.
 */
int op_partner_maintain(const struct paths *p, struct partners_file *out,
			struct cfg_partners *pc);

/* A resolution into pt: what it found, or its trouble counted. */
void partner_take(struct partner *pt, const struct resolution *res,
		  const struct cfg_partners *pc, int64_t now_ms);

#endif
