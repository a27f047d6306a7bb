// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probe.h"
#include "log.h"
#include "util.h"

#define INSN(code_, dst_, src_, off_, imm_)    \
	((struct bpf_insn){ .code = (code_),   \
			    .dst_reg = (dst_), \
			    .src_reg = (src_), \
			    .off = (off_),     \
			    .imm = (imm_) })
#define MOV64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int load_xdp(const struct bpf_insn *insns, size_t n)
{
	return bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", insns, n, NULL);
}

static bool prog_type(enum bpf_prog_type t)
{
	return libbpf_probe_bpf_prog_type(t, NULL) == 1;
}

static bool map_type(enum bpf_map_type t)
{
	return libbpf_probe_bpf_map_type(t, NULL) == 1;
}

static bool xdp_progs(void)
{
	return prog_type(BPF_PROG_TYPE_XDP);
}

static bool tc_progs(void)
{
	return prog_type(BPF_PROG_TYPE_SCHED_CLS);
}

static bool lpm_tries(void)
{
	return map_type(BPF_MAP_TYPE_LPM_TRIE);
}

static bool lru_hashes(void)
{
	return map_type(BPF_MAP_TYPE_LRU_HASH);
}

static bool boot_time_in_xdp(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				       BPF_FUNC_ktime_get_boot_ns, NULL) == 1;
}

static bool coarse_time_in_xdp(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				       BPF_FUNC_ktime_get_coarse_ns, NULL) == 1;
}

static bool pull_data_in_tc(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
				       BPF_FUNC_skb_pull_data, NULL) == 1;
}

/* r0 = cmpxchg(*(u64 *)(r10 - 8), r0, r1) on a stack slot */
static bool atomics(void)
{
	const struct bpf_insn insns[] = {
		MOV64_IMM(BPF_REG_1, 0),
		INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, BPF_REG_1, -8, 0),
		MOV64_IMM(BPF_REG_0, 0),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_10, BPF_REG_1, -8,
		     BPF_CMPXCHG),
		MOV64_IMM(BPF_REG_0, XDP_PASS),
		EXIT_INSN(),
	};
	int fd = load_xdp(insns, ARRAY_SIZE(insns));

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static bool loops_in_xdp(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_loop,
				       NULL) == 1;
}

/*
 * No probe tells XDP links apart without attaching one to a real device
 * (a missing device and a missing feature both give EINVAL): the release.
 */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return true; /* unknown: let the load itself tell */
	return ma > major || (ma == major && mi >= minor);
}

static bool xdp_links(void)
{
	return kernel_at_least(5, 9);
}

static bool lpm_batches(void)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct {
		__u32 prefixlen;
		__u32 addr;
	} key = { 32, 0 };
	__u8 value = 1;
	__u32 count = 1;
	LIBBPF_OPTS(bpf_map_create_opts, create,
		    .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, NULL, sizeof(key), 1, 1,
				&create);
	bool ok;

	if (fd < 0)
		return false;
	ok = bpf_map_update_batch(fd, &key, &value, &count, &opts) == 0;
	close(fd);
	return ok;
}

static const struct feature kernel_features[] = {
	{ "XDP programs", "4.8", xdp_progs },
	{ "TC classifier programs", "4.1", tc_progs },
	{ "LPM trie maps", "4.11", lpm_tries },
	{ "LRU hash maps", "4.10", lru_hashes },
	{ "bpf_skb_pull_data() in TC programs", "4.9", pull_data_in_tc },
	{ "bpf_ktime_get_boot_ns() in XDP programs", "5.8", boot_time_in_xdp },
	{ "XDP links", "5.9", xdp_links },
	{ "bpf_ktime_get_coarse_ns() in XDP programs", "5.11",
	  coarse_time_in_xdp },
	{ "BPF atomic compare-and-exchange", "5.12", atomics },
	{ "batch updates of LPM trie maps", "5.13", lpm_batches },
	{ "bpf_loop() in XDP programs", "5.17", loops_in_xdp },
};

int features_check(const struct feature *features, size_t n)
{
	struct utsname u;

	for (size_t i = 0; i < n; i++) {
		if (features[i].present())
			continue;
		if (uname(&u))
			snprintf(u.release, sizeof(u.release), "unknown");
		log_err("this kernel (%s) has no %s (Linux %s and newer); edgefw needs Linux %s or newer",
			u.release, features[i].what, features[i].since,
			EDGEFW_MIN_KERNEL);
		return -1;
	}
	return 0;
}

int features_check_kernel(void)
{
	return features_check(kernel_features, ARRAY_SIZE(kernel_features));
}
