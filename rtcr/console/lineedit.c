#include "lineedit.h"

void le_reset(struct line_editor *le)
{
	le->len = 0;
	le->buf[0] = 0;
	le->overflow = false;
	le->echo_len = 0;
}

static void echo(struct line_editor *le, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		le->echo[i] = s[i];
	le->echo_len = n;
}

enum le_result le_feed(struct line_editor *le, char c)
{
	bool after_cr = le->last_cr;
	le->last_cr = (c == '\r');
	le->echo_len = 0;

	switch (c) {
	case '\n':
		if (after_cr)
			return LE_MORE;   /* CR LF counts once */
		/* fall through */
	case '\r':
		echo(le, "\r\n", 2);
		le->buf[le->len] = 0;
		return le->overflow ? LE_TOO_LONG : LE_LINE;
	case 0x03:                        /* Ctrl-C */
		echo(le, "^C\r\n", 4);
		le_reset(le);
		le->echo_len = 4;
		return LE_CANCEL;
	case 0x08:
	case 0x7f:                        /* backspace, delete */
		if (le->len > 0 && !le->overflow) {
			le->len--;
			le->buf[le->len] = 0;
			echo(le, "\b \b", 3);
		}
		return LE_MORE;
	default:
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
			return LE_MORE;           /* other control bytes are ignored */
		if (le->len >= LINE_MAX_CHARS) {
			le->overflow = true;      /* keep reading to the end of the line */
			return LE_MORE;
		}
		le->buf[le->len++] = c;
		echo(le, &c, 1);
		return LE_MORE;
	}
}
