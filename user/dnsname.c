// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "dnsname.h"
#include "util.h"

static bool ldh(int ch)
{
	return isalnum(ch) || ch == '-';
}

int dnsname_parse(const char *s, char out[DNSNAME_LEN], char *why,
		  size_t why_len)
{
	char shown[PRINTABLE_LEN], addr_why[8];
	size_t len = strlen(s), label = 0, i;
	struct prefix p;

	printable(s, shown, sizeof(shown));
	if (len && s[len - 1] == '.')
		len--; /* the root's dot: written or not, the same name */
	if (!len) {
		snprintf(why, why_len, "'%s' is no domain name", shown);
		return -1;
	}
	if (len > DNSNAME_LEN - 1) {
		snprintf(why, why_len,
			 "'%s' is no domain name: longer than %d characters",
			 shown, DNSNAME_LEN - 1);
		return -1;
	}
	if (prefix_parse(s, &p, addr_why, sizeof(addr_why)) == 0) {
		snprintf(
			why, why_len,
			"'%s' is an address, not a domain: add addresses to a set with 'edgefw set add'",
			shown);
		return -1;
	}
	for (i = 0; i <= len; i++) {
		unsigned char ch = i < len ? s[i] : '.';

		if (ch == '.') {
			if (!label) {
				snprintf(
					why, why_len,
					"'%s' is no domain name: it has an empty label",
					shown);
				return -1;
			}
			if (s[i - 1] == '-' || s[i - label] == '-') {
				snprintf(
					why, why_len,
					"'%s' is no domain name: a label starts or ends with '-'",
					shown);
				return -1;
			}
			label = 0;
			out[i] = '.';
			continue;
		}
		if (ch >= 0x80) {
			snprintf(
				why, why_len,
				"'%s' is no domain name: write an internationalised domain as its A-label (xn--...)",
				shown);
			return -1;
		}
		if (!ldh(ch)) {
			snprintf(
				why, why_len,
				"'%s' is no domain name: only letters, digits, '-' and '.' are allowed",
				shown);
			return -1;
		}
		if (++label > 63) {
			snprintf(
				why, why_len,
				"'%s' is no domain name: a label is longer than 63 characters",
				shown);
			return -1;
		}
		out[i] = tolower(ch);
	}
	out[len] = '\0';
	/* the last label all digits: an address written wrong, not a name */
	for (i = len; i > 0 && out[i - 1] != '.'; i--) {
		if (!isdigit((unsigned char)out[i - 1]))
			break;
	}
	if (i == 0 || out[i - 1] == '.') {
		snprintf(why, why_len,
			 "'%s' is no domain name: its last label is all digits",
			 shown);
		return -1;
	}
	return 0;
}
