/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tokens of the configuration language: words, braces, commas and line
 * ends. A word is any run of characters other than blanks, '#', '{', '}'
 * and ','; what a word may be is up to the parser.
 */
#ifndef EDGEFW_CONFIG_LEX_H
#define EDGEFW_CONFIG_LEX_H

#include <stddef.h>
#include "config.h"

#define TOKEN_MAX 256

enum token_kind {
	TOK_WORD,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_COMMA,
	TOK_NEWLINE,
	TOK_EOF,
	TOK_BAD, /* a word too long or a NUL byte; text says which */
};

struct token {
	enum token_kind kind;
	char text[TOKEN_MAX];
	struct src_loc loc;
	size_t off; /* of its first byte in the text */
};

struct lexer {
	const char *text;
	size_t len;
	size_t pos;
	unsigned int line;
	unsigned int col;
};

void lexer_init(struct lexer *lx, const char *text, size_t len);
void lexer_next(struct lexer *lx, struct token *t);

/*
 * The token as a message shows it: a word as printable() shows it (into
 * buf, of PRINTABLE_LEN bytes), else what it is ("end of line").
 */
const char *token_describe(const struct token *t, char buf[PRINTABLE_LEN]);

#endif
