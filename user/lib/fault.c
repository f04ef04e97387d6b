#include "fault.h"

bool page_fault_decode(const struct k_msg *m, struct page_fault *pf)
{
	if (MSG_TAG_LABEL(m->tag) != MSG_PAGE_FAULT || MSG_TAG_WORDS(m->tag) != PAGE_FAULT_WORDS)
		return false;
	pf->addr = m->mr[PF_WORD_ADDR];
	pf->access = m->mr[PF_WORD_ACCESS];
	pf->pc = m->mr[PF_WORD_PC];
	return true;
}

void page_fault_reply_retry(struct k_msg *m)
{
	m->tag = MSG_TAG(0, 0, 0);
}

/* The kernel puts a pager's memory item at the faulting page, whatever
 * the pager's own buffer registers say. */
void page_fault_reply_map(struct k_msg *m, uint32_t src_va, unsigned pages, unsigned rights)
{
	m->tag = MSG_TAG(0, 0, 1);
	m->mr[0] = ITEM(ITEM_MEM, rights, pages);
	m->mr[1] = src_va;
}

bool exception_decode(const struct k_msg *m, struct exception *ex)
{
	if (MSG_TAG_LABEL(m->tag) != MSG_EXCEPTION || MSG_TAG_WORDS(m->tag) != EXCEPTION_WORDS)
		return false;
	const struct utcb *u = k_utcb();
	uint32_t w[EXCEPTION_WORDS];
	for (unsigned i = 0; i < EXCEPTION_WORDS; i++)
		w[i] = i < MSG_REG_WORDS ? m->mr[i] : u->mr[i];
	for (unsigned i = 0; i < THREAD_REGS_WORDS; i++)
		ex->regs[i] = w[i];
	ex->kind = w[EXC_WORD_KIND];
	ex->addr = w[EXC_WORD_ADDR];
	ex->status = w[EXC_WORD_STATUS];
	return true;
}

/* A reply of THREAD_REGS_WORDS words is the thread's new registers. */
void exception_reply_resume(struct k_msg *m, const struct exception *ex)
{
	struct utcb *u = k_utcb();
	for (unsigned i = 0; i < THREAD_REGS_WORDS; i++) {
		if (i < MSG_REG_WORDS)
			m->mr[i] = ex->regs[i];
		else
			u->mr[i] = ex->regs[i];
	}
	m->tag = MSG_TAG(0, THREAD_REGS_WORDS, 0);
}

void exception_reply_retry(struct k_msg *m)
{
	m->tag = MSG_TAG(0, 0, 0);
}

void fault_reply_stop(struct k_msg *m)
{
	m->tag = MSG_TAG(MSG_FAULT_STOP, 0, 0);
}

static void pager_answer(page_fault_resolver resolve, void *ctx, struct k_msg *m)
{
	struct page_fault pf;
	if (page_fault_decode(m, &pf))
		resolve(ctx, &pf, m);
	else if (MSG_TAG_LABEL(m->tag) == MSG_EXCEPTION)
		fault_reply_stop(m);   /* a retry would only fault again */
	else
		*m = (struct k_msg){ .tag = MSG_TAG(E_INVALID_OP, 0, 0) };
}

void pager_loop(page_fault_resolver resolve, void *ctx)
{
	struct k_msg m = { 0 };
	bool reply_pending = false;
	for (;;) {
		int st = reply_pending ? k_reply_wait(&m, TIMEOUT_NEVER) : k_wait(&m, TIMEOUT_NEVER);
		reply_pending = false;
		if (st != E_OK)
			continue;   /* nothing arrived (an aborted wait): nobody to answer */
		pager_answer(resolve, ctx, &m);
		if (!MSG_TAG_ITEMS(m.tag)) {
			reply_pending = true;   /* cannot fail: goes out with the next wait */
		} else if (k_reply(&m) != E_OK) {
			/* The kernel refused the mapping (source not mapped, the
			 * page taken, ...): stop the thread rather than leave it
			 * waiting for ever, or fault again on a retry. */
			fault_reply_stop(&m);
			k_reply(&m);
		}
	}
}
