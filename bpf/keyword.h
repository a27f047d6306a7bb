/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words of a key that narrower fields make, stored whole. The hash
 * tables' jhash and the flow filter's hash read a key by 32-bit words,
 * and a load that spans narrower stores cannot take its value from them
 * (store forwarding): it waits until they reach the cache. That wait
 * cost a spoofed reply 4 ns, the flood of them from many sources 7 and an
 * admitted partner SYN 6 (issue 15).
 */
#ifndef EDGEFW_BPF_KEYWORD_H
#define EDGEFW_BPF_KEYWORD_H

#include <linux/types.h>
#include "edgefw.h"

/* The 32-bit word that fields (four bytes of them) make, into *word. */
static __always_inline void key_word_store(__u32 *word, const void *fields)
{
	__u32 w;

	__builtin_memcpy(&w, fields, sizeof(w));
	*word = w;
}

/* The word of a byte field and the three zero bytes that pad it. */
static __always_inline void key_byte_store(__u32 *word, __u8 byte)
{
	struct {
		__u8 byte, pad[3];
	} fields = { .byte = byte };

	key_word_store(word, &fields);
}

/* The key of a set's or the blocklist's trie, for addr itself. */
static __always_inline void set_key_of(struct edgefw_set_key *key, __u16 set,
				       __u8 family,
				       const union edgefw_addr *addr)
{
	struct {
		__u16 set;
		__u8 family, pad;
	} word = { .set = set, .family = family };

	key->prefixlen =
		EDGEFW_SET_KEY_BITS(family == EDGEFW_FAMILY_IPV4 ? 32 : 128);
	key_word_store((__u32 *)&key->set, &word);
	key->addr = *addr;
}

_Static_assert(sizeof(struct edgefw_set_key) ==
		       2 * sizeof(__u32) + sizeof(union edgefw_addr),
	       "set_key_of writes every byte of the key");

#endif
