/*
 * Every error a system call can return. One header, shared by the kernel and
 * user space, so a code means the same thing on both sides of the trap.
 * 0 is success; codes are small positive integers returned in r0.
 */
#ifndef UAPI_ERRORS_H
#define UAPI_ERRORS_H

enum k_error {
	E_OK = 0,
	E_INVALID_SELECTOR,   /* selector beyond the capability space */
	E_EMPTY_SLOT,         /* selector names an empty slot */
	E_WRONG_TYPE,         /* object is not of the type the operation needs */
	E_NO_RIGHTS,          /* capability lacks a right the operation needs */
	E_INVALID_SYSCALL,    /* unknown system call number */
	E_INVALID_OP,         /* unknown operation for this object type */
	E_INVALID_ARG,        /* an argument is out of range or malformed */
	E_NO_MEMORY,          /* the factory's kernel-memory quota is exhausted */
	E_SLOT_IN_USE,        /* destination slot already holds a capability */
	E_TIMEOUT,            /* the timeout expired before the operation completed */
	E_ABORTED,            /* the operation was aborted from outside */
	E_BAD_ADDRESS,        /* address not page aligned or outside user space */
	E_ALREADY_MAPPED,     /* destination page already mapped */
	E_NOT_MAPPED,         /* source page not mapped (or lacks the rights asked) */
	E_NO_ASID,            /* no free address-space identifier */
	E_INVALID_STATE,      /* object is not in a state that allows the operation */
	E_NOT_FOUND,          /* no such entry (end of a listing) */
	E_BUSY,               /* resource already bound or in use */
	E_NO_BUFFER,          /* the receiver has no room for a transferred item */
	E_ERROR_COUNT
};

static inline const char *k_error_name(unsigned e)
{
	static const char *const names[E_ERROR_COUNT] = {
		[E_OK] = "ok",
		[E_INVALID_SELECTOR] = "invalid selector",
		[E_EMPTY_SLOT] = "empty slot",
		[E_WRONG_TYPE] = "wrong object type",
		[E_NO_RIGHTS] = "missing right",
		[E_INVALID_SYSCALL] = "invalid system call",
		[E_INVALID_OP] = "invalid operation",
		[E_INVALID_ARG] = "invalid argument",
		[E_NO_MEMORY] = "kernel-memory quota exhausted",
		[E_SLOT_IN_USE] = "slot in use",
		[E_TIMEOUT] = "timeout",
		[E_ABORTED] = "aborted",
		[E_BAD_ADDRESS] = "bad address",
		[E_ALREADY_MAPPED] = "already mapped",
		[E_NOT_MAPPED] = "not mapped",
		[E_NO_ASID] = "no free ASID",
		[E_INVALID_STATE] = "invalid state",
		[E_NOT_FOUND] = "not found",
		[E_BUSY] = "busy",
		[E_NO_BUFFER] = "receiver has no room for the item",
	};
	return e < E_ERROR_COUNT ? names[e] : "unknown error";
}

#endif
