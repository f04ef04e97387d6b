/*
 * Line editing for the serial console, kept free of I/O so it can be
 * tested on the host: feed it characters, it says what to echo and when a
 * line is complete.
 */
#ifndef LINEEDIT_H
#define LINEEDIT_H

#include <stddef.h>
#include <stdbool.h>

#define LINE_MAX_CHARS 127

enum le_result {
	LE_MORE,        /* keep feeding */
	LE_LINE,        /* buf holds a complete line */
	LE_TOO_LONG,    /* the line ended but was longer than LINE_MAX_CHARS */
	LE_CANCEL,      /* Ctrl-C: line discarded */
};

struct line_editor {
	char buf[LINE_MAX_CHARS + 1];
	size_t len;
	bool overflow;
	bool last_cr;        /* swallow the LF of a CR LF pair */
	char echo[4];        /* what to send back for the last character */
	size_t echo_len;
};

void le_reset(struct line_editor *le);
enum le_result le_feed(struct line_editor *le, char c);

#endif
