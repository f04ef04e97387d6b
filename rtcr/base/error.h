/*
 * RTCR's one error convention. Every fallible function returns an rtcr_err:
 * 0 for success, a kernel code (enum k_error, kernel/uapi/errors.h) passed
 * through unchanged, or one of RTCR's own codes below, numbered from
 * R_FIRST so the kernel can grow without renumbering them. Where a person
 * must be told more than the code's name (which image, which rule, which
 * holder), the function also fills an optional detail; callers that do not
 * care pass NULL. No -1, no strings whose absence means success. A
 * function need not write the detail on every failure, so a caller that
 * reads it starts it empty: `struct rtcr_detail d = { "" };`.
 *
 * Only the console prints a code (console/report.h): its detail if there
 * is one, else its name.
 */
#ifndef RTCR_ERROR_H
#define RTCR_ERROR_H

#include <stddef.h>
#include "uapi/errors.h"

typedef int rtcr_err;

enum rtcr_error {
	R_FIRST = 64,
	R_IMAGE_DAMAGED = R_FIRST, /* an image fails the format's checks */
	R_IMAGE_REFUSED,           /* a well-formed image the rules refuse */
	R_NO_IMAGE,                /* no stored image has that id */
	R_NO_BASE,                 /* an increment's base is not stored */
	R_DUPLICATE,               /* the same image is stored already */
	R_NO_ROOM,                 /* a table or the store is full */
	R_NO_TASK,                 /* no task has that id */
	R_NO_MODULE,               /* no boot module has that name */
	R_BAD_PROGRAM,             /* a boot module is not a program we can run */
	R_BAD_FAULT,               /* a child's fault RTCR cannot resolve */
	R_NOT_ARRIVING,            /* the task did not come from another board */
	R_NO_PEER,                 /* no peer has that name or address */
	R_NO_LINK,                 /* no link of that type is up */
	R_LINK_DOWN,               /* the link went down during the work */
	R_PEER_REFUSED,            /* the peer refused (its reason in the detail) */
	R_PEER_SILENT,             /* the peer did not answer in time */
	R_UNKNOWN_SENDER,          /* a message from a board that is not a peer */
	R_BAD_MESSAGE,             /* a peer's message is malformed */
	R_ONE_AT_A_TIME,           /* the same work is under way already */
	R_CANCELLED,               /* the work was called off (killed, stopped) */
	R_HAS_INCREMENTS,          /* kept increments are based on the image */
	R_ERROR_END
};

/* What a person must be told beyond the code's name. */
#define RTCR_DETAIL_MAX 160u
struct rtcr_detail {
	char text[RTCR_DETAIL_MAX];
};

/* The code's name ("image damaged", or the kernel's "busy"). */
const char *rtcr_error_name(rtcr_err e);
/* Return e after writing the detail (a printf format) into d, if d is not
 * NULL: `return rtcr_fail(d, R_NO_IMAGE, "no image %u", id);` */
rtcr_err rtcr_fail(struct rtcr_detail *d, rtcr_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The detail if one was written, else the code's name. */
const char *rtcr_error_text(rtcr_err e, const struct rtcr_detail *d);
/* Empty the detail (before a call whose failure may leave it unwritten). */
void rtcr_detail_clear(struct rtcr_detail *d);

#endif
