/*
 * The log service: what a child prints goes to the console as it is.
 *
 * Session words (ckpt_session args/state): state[0] bytes written.
 */
#include "core.h"
#include "string.h"

static rtcr_err log_handle(struct session *s, struct rpc_request *rq)
{
	if (rq->op != LOG_WRITE)
		return E_INVALID_OP;
	if (rq->nwords < 1)
		return E_INVALID_ARG;
	uint32_t len = rq->words[0];
	if (len > LOG_WRITE_MAX || rq->nwords < 1 + (len + 3) / 4)
		return E_INVALID_ARG;
	char text[LOG_WRITE_MAX];
	memcpy(text, &rq->words[1], len);
	k_console_write(SEL_CONSOLE, text, len);
	s->state[0] += len;
	return E_OK;
}

const struct service service_log = {
	.name = "log",
	.kind = CKPT_SESSION_LOG,
	.handle = log_handle,
};
