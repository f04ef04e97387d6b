/*
 * The checkpoint benchmark's child (tests/children/ckptbench) and its
 * driver in RTCR (rtcr/bench.c, CONFIG_BENCH): the requests RTCR sends
 * through the gate the child made with its cpu session. Requests that need
 * RTCR to answer the child (session requests, page faults) are answered
 * first and carried out afterwards: RTCR serves those only while it is not
 * waiting in a call to the child.
 */
#ifndef CKPTBENCH_PROTOCOL_H
#define CKPTBENCH_PROTOCOL_H

#define CB_GATE_LABEL 0xcb00u

enum cb_op {
	CB_SETUP = 1,   /* MR0 pages: (after the reply) a ram session of that
	                   quota, one dataspace attached writable, every page
	                   touched once */
	CB_DIRTY,       /* MR0 n, MR1 stamp: write one word of pages 0..n-1 */
	CB_WORK,        /* MR0 pages, MR1 rounds: (after the reply) write every
	                   word of pages 0..pages-1, rounds times, and count
	                   the instructions that takes */
	CB_RESULT,      /* -> MR0 status of the last SETUP or WORK (E_BUSY
	                   while it runs), MR1 its instructions, MR2 the
	                   dataspace's address */
};

#endif
