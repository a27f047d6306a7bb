// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "config_lex.h"

void lexer_init(struct lexer *lx, const char *text, size_t len)
{
	lx->text = text;
	lx->len = len;
	lx->pos = 0;
	lx->line = 1;
	lx->col = 1;
}

static int peek(const struct lexer *lx)
{
	return lx->pos < lx->len ? (unsigned char)lx->text[lx->pos] : EOF;
}

static void advance(struct lexer *lx)
{
	if (lx->text[lx->pos] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->pos++;
}

static bool is_word_char(int ch)
{
	return ch != EOF && ch != ' ' && ch != '\t' && ch != '\r' &&
	       ch != '\n' && ch != '#' && ch != '{' && ch != '}' && ch != ',' &&
	       ch != '\0';
}

void lexer_next(struct lexer *lx, struct token *t)
{
	size_t n = 0;
	int ch;

	for (;;) {
		ch = peek(lx);
		if (ch == ' ' || ch == '\t' || ch == '\r') {
			advance(lx);
		} else if (ch == '#') {
			while (peek(lx) != EOF && peek(lx) != '\n')
				advance(lx);
		} else {
			break;
		}
	}

	t->loc.line = lx->line;
	t->loc.col = lx->col;
	t->off = lx->pos;
	t->text[0] = '\0';
	switch (ch) {
	case EOF:
		t->kind = TOK_EOF;
		return;
	case '\n':
		t->kind = TOK_NEWLINE;
		advance(lx);
		return;
	case '{':
		t->kind = TOK_LBRACE;
		advance(lx);
		return;
	case '}':
		t->kind = TOK_RBRACE;
		advance(lx);
		return;
	case ',':
		t->kind = TOK_COMMA;
		advance(lx);
		return;
	case '\0':
		t->kind = TOK_BAD;
		snprintf(t->text, sizeof(t->text),
			 "a NUL byte: the file is not text");
		advance(lx);
		return;
	}

	/* a word holds no line end: its bytes move the column alone */
	t->kind = TOK_WORD;
	while (lx->pos + n < lx->len &&
	       is_word_char((unsigned char)lx->text[lx->pos + n]))
		n++;
	memcpy(t->text, lx->text + lx->pos, n < sizeof(t->text) ? n : 0);
	lx->pos += n;
	lx->col += n;
	if (n + 1 > sizeof(t->text)) {
		t->kind = TOK_BAD;
		snprintf(t->text, sizeof(t->text),
			 "a word of %zu characters is too long (at most %d)", n,
			 TOKEN_MAX - 1);
		return;
	}
	t->text[n] = '\0';
}

const char *token_describe(const struct token *t, char buf[PRINTABLE_LEN])
{
	switch (t->kind) {
	case TOK_WORD:
		return printable(t->text, buf, PRINTABLE_LEN);
	case TOK_LBRACE:
		return "{";
	case TOK_RBRACE:
		return "}";
	case TOK_COMMA:
		return ",";
	case TOK_NEWLINE:
		return "end of line";
	case TOK_EOF:
		return "end of file";
	case TOK_BAD:
		return t->text;
	}
	return "?";
}
