// SPDX-License-Identifier: GPL-2.0
/* edgefw: XDP on ingress and TC on egress of every configured interface. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "verdict.h"

/* Enough for every header edgefw reads, VLANs and IPv6 options included. */
#define TC_PULL_LEN 256

SEC("xdp")
int edgefw_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;
	struct packet p = {};
	int parsed;

	parsed = parse_packet(data, data_end, len, &p);
	return judge(data, data_end, parsed, &p, EDGEFW_DIR_IN, len) ? XDP_PASS
								     : XDP_DROP;
}

SEC("tc")
int edgefw_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct packet p = {};
	int parsed;

	parsed = parse_packet(data, data_end, skb->len, &p);
	/* Headers of a locally built skb are normally linear; pull if not. */
	if (parsed == PARSE_TRUNCATED && skb->len > data_end - data) {
		__u32 pull = skb->len < TC_PULL_LEN ? skb->len : TC_PULL_LEN;

		if (bpf_skb_pull_data(skb, pull) == 0) {
			data = (void *)(long)skb->data;
			data_end = (void *)(long)skb->data_end;
			__builtin_memset(&p, 0, sizeof(p));
			parsed = parse_packet(data, data_end, skb->len, &p);
		}
	}
	return judge(data, data_end, parsed, &p, EDGEFW_DIR_OUT, skb->len)
		       ? TC_ACT_OK
		       : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
