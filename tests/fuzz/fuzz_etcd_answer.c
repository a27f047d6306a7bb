// SPDX-License-Identifier: GPL-2.0
/*
 * etcd's answers as etcd_json.c reads them (the JSON gateway's put,
 * range, delete, lease grant, keep-alive and revoke answers and the
 * watch stream's messages): the first byte picks the reader, the rest
 * is the answer. Refused with a reason, or read into something
 * consistent: keys whole and not empty, revisions in order, no more
 * keys than the count. And base64 as the reader decodes it: what it
 * accepts encodes back to the same text.
 */
#include "base64.h"
#include "etcd_json.h"
#include "fuzz.h"

static void check_kv(const struct etcd_kv *kv, bool key_only)
{
	FUZZ_ASSERT(kv->key && kv->key_len && strlen(kv->key) == kv->key_len);
	FUZZ_ASSERT(kv->key_len <= ETCD_KEY_MAX);
	FUZZ_ASSERT(kv->value && kv->value_len <= ETCD_VALUE_MAX);
	FUZZ_ASSERT(kv->mod_revision >= 0 && kv->lease >= 0);
	if (!key_only)
		FUZZ_ASSERT(kv->create_revision > 0 && kv->version > 0 &&
			    kv->mod_revision >= kv->create_revision);
}

static void check_base64(const char *text, size_t len)
{
	unsigned char *out = xcalloc(len / 4 * 3 + 1, 1);
	long n = base64_decode(text, len, out);

	if (n >= 0) {
		char *again = xcalloc(BASE64_LEN(n) + 1, 1);

		base64_encode(out, n, again);
		FUZZ_ASSERT(strlen(again) == len && !memcmp(again, text, len));
		free(again);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;
	struct etcd_err err = {};
	struct etcd_header h;
	int64_t a, b;
	int rc = 0;

	if (!size)
		return 0;
	switch (data[0] % 8) {
	case 0:
		rc = etcd_parse_put(text, len, &h, &err);
		if (!rc)
			FUZZ_ASSERT(h.revision > 0);
		break;
	case 1: {
		struct etcd_range r;

		rc = etcd_parse_range(text, len, &r, &err);
		if (!rc) {
			FUZZ_ASSERT((int64_t)r.nr_kvs <= r.count);
			for (size_t i = 0; i < r.nr_kvs; i++) {
				check_kv(&r.kvs[i], false);
				FUZZ_ASSERT(r.kvs[i].mod_revision <=
					    r.h.revision);
			}
			etcd_range_free(&r);
		}
		break;
	}
	case 2:
		rc = etcd_parse_delete(text, len, &h, &a, &err);
		if (!rc)
			FUZZ_ASSERT(h.revision > 0 && a >= 0);
		break;
	case 3:
		rc = etcd_parse_lease_grant(text, len, &a, &b, &err);
		if (!rc)
			FUZZ_ASSERT(a > 0 && b > 0);
		break;
	case 4:
		rc = etcd_parse_lease_keepalive(text, len, 42, &b, &err);
		if (!rc)
			FUZZ_ASSERT(b > 0);
		break;
	case 5:
		rc = etcd_parse_lease_revoke(text, len, &err);
		break;
	case 6: {
		struct etcd_watch_msg m;

		rc = etcd_parse_watch(text, len, &m, &err);
		if (!rc) {
			for (size_t i = 0; i < m.nr_events; i++) {
				const struct etcd_event *ev = &m.events[i];

				check_kv(&ev->kv,
					 ev->type == ETCD_EVENT_DELETE);
				FUZZ_ASSERT(ev->kv.mod_revision <=
					    m.h.revision);
				FUZZ_ASSERT(!i ||
					    ev->kv.mod_revision >=
						    ev[-1].kv.mod_revision);
			}
			FUZZ_ASSERT(strlen(m.cancel_reason) <
				    sizeof(m.cancel_reason));
			etcd_watch_msg_free(&m);
		}
		break;
	}
	case 7:
		check_base64(text, len);
		return 0;
	}
	if (rc)
		FUZZ_ASSERT(rc == -1 && err.msg[0] &&
			    strlen(err.msg) < sizeof(err.msg));
	return 0;
}
