#include "error.h"
#include <stdarg.h>
#include "fmt.h"

static const char *const names[R_ERROR_END - R_FIRST] = {
	[R_IMAGE_DAMAGED - R_FIRST] = "image damaged",
	[R_IMAGE_REFUSED - R_FIRST] = "image refused",
	[R_NO_IMAGE - R_FIRST] = "no such image",
	[R_NO_BASE - R_FIRST] = "base image not here",
	[R_DUPLICATE - R_FIRST] = "image here already",
	[R_NO_ROOM - R_FIRST] = "no room",
	[R_NO_TASK - R_FIRST] = "no such task",
	[R_NO_MODULE - R_FIRST] = "no such module",
	[R_BAD_PROGRAM - R_FIRST] = "not a program",
	[R_BAD_FAULT - R_FIRST] = "unresolvable fault",
	[R_NOT_ARRIVING - R_FIRST] = "not from another board",
	[R_NO_PEER - R_FIRST] = "no such peer",
	[R_NO_LINK - R_FIRST] = "no such link",
	[R_LINK_DOWN - R_FIRST] = "link down",
	[R_PEER_REFUSED - R_FIRST] = "peer refused",
	[R_PEER_SILENT - R_FIRST] = "peer silent",
	[R_UNKNOWN_SENDER - R_FIRST] = "unknown sender",
	[R_BAD_MESSAGE - R_FIRST] = "malformed message",
	[R_ONE_AT_A_TIME - R_FIRST] = "under way already",
	[R_CANCELLED - R_FIRST] = "cancelled",
	[R_HAS_INCREMENTS - R_FIRST] = "has increments",
};

const char *rtcr_error_name(rtcr_err e)
{
	if (e >= 0 && e < E_ERROR_COUNT)
		return k_error_name((unsigned)e);
	if (e >= R_FIRST && e < R_ERROR_END)
		return names[e - R_FIRST];
	return "unknown error";
}

rtcr_err rtcr_fail(struct rtcr_detail *d, rtcr_err e, const char *fmt, ...)
{
	if (d) {
		va_list ap;
		va_start(ap, fmt);
		fmt_vsnprintf(d->text, sizeof(d->text), fmt, ap);
		va_end(ap);
	}
	return e;
}

const char *rtcr_error_text(rtcr_err e, const struct rtcr_detail *d)
{
	return d && d->text[0] ? d->text : rtcr_error_name(e);
}

void rtcr_detail_clear(struct rtcr_detail *d)
{
	if (d)
		d->text[0] = 0;
}
