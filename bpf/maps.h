/* SPDX-License-Identifier: GPL-2.0 */
/* The maps and read-only data shared by the XDP and TC programs. */
#ifndef EDGEFW_BPF_MAPS_H
#define EDGEFW_BPF_MAPS_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "edgefw.h"

/*
 * Filled in by the loader before the program is verified; the verifier
 * treats it as constants and drops the branches this interface never takes.
 */
const volatile struct edgefw_iface_config cfg = {};
const volatile struct edgefw_rule rules[EDGEFW_MAX_RULES] = {};
const volatile struct edgefw_class classes[EDGEFW_MAX_CLASSES] = {};

/* Per generation: replaced as a whole on reload. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EDGEFW_NR_COUNTERS);
	__type(key, __u32);
	__type(value, struct edgefw_counter);
} counters SEC(".maps");

/* Only a rate limit's drops write here: EDGEFW_LIMITED_INDEX. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EDGEFW_NR_LIMITED);
	__type(key, __u32);
	__type(value, struct edgefw_counter);
} limited SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, EDGEFW_SET_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct edgefw_set_key);
	__type(value, __u8);
} sets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * EDGEFW_MAX_SETS);
	__type(key, __u32);
	__type(value, struct edgefw_set_filter);
} set_filter SEC(".maps");

/* Sized by the loader: EDGEFW_SET4_WORDS_PER_SLOT per slot in use. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} set4_by24 SEC(".maps");

/* mmapped: a set change reads its words (user/set4index.c, any_read) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EDGEFW_SET4_ANY_WORDS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} set4_any SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EDGEFW_SET4_MAX_PARTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct edgefw_set4_bits);
} set4_bits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EDGEFW_SET6_MAX_HEADS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct edgefw_set6_head);
} set6_heads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EDGEFW_SET6_CACHE_ENTRIES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct edgefw_set6_cached);
} set6_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EDGEFW_SET6_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct edgefw_set6_key);
	__type(value, __u8);
} set6_prefixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EDGEFW_PORT_KEYS);
	__type(key, __u32);
	__type(value, struct edgefw_port_classes);
} port_classes SEC(".maps");

/* Rate-limit buckets: a reload starts them afresh with its new rules. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EDGEFW_RATE_SRC_MAX_ENTRIES);
	__type(key, struct edgefw_rate_key);
	__type(value, __u64);
} rate_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EDGEFW_MAX_RULES);
	__type(key, __u32);
	__type(value, __u64);
} rate_total SEC(".maps");

/*
 * Shared by every generation: a reload keeps established flows, and the
 * blocklist belongs to no config.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, EDGEFW_BLOCK_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct edgefw_set_key);
	__type(value, struct edgefw_block);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct edgefw_control);
} control SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EDGEFW_FLOW_MAX_ENTRIES);
	__type(key, struct edgefw_flow_key4);
	__type(value, struct edgefw_flow);
} flows4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EDGEFW_FLOW_MAX_ENTRIES);
	__type(key, struct edgefw_flow_key6);
	__type(value, struct edgefw_flow);
} flows6 SEC(".maps");

/* Sized with the flow tables (edgefw_flow_filter_entries), and shared. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} flow_filter SEC(".maps");

/*
 * Drop events (bpf/events.h), shared by every generation: a reload keeps
 * a running `edgefw monitor` streaming.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EDGEFW_EVENTS_RING_BYTES);
} events SEC(".maps");

/* mmapped: each reader stores its own lease (struct edgefw_events_ctl) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct edgefw_events_ctl);
} events_ctl SEC(".maps");

/* by enum edgefw_events_reader */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EDGEFW_NR_READERS);
	__type(key, __u32);
	__type(value, struct edgefw_events_cpu);
} events_cpu SEC(".maps");

/* the daemon's: the samples of its drop summary */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EDGEFW_SAMPLES_RING_BYTES);
} samples SEC(".maps");

#endif
