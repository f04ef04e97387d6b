/*
 * Start a child task from an ELF image: a new task and thread from the
 * caller's factory, segments copied into the caller's pages and mapped
 * into the child, a Console capability that can only write, and a thread
 * at the ELF entry with arg in r0.
 */
#ifndef USER_LOADER_H
#define USER_LOADER_H

#include <stdint.h>
#include <stddef.h>

#define CHILD_UTCB_VA   0x7fffe000u
#define CHILD_IMAGE_TOP 0x70000000u   /* segments must lie below */

#define CHILD_SEGMENTS_MAX 8

struct child {
	uint32_t task;      /* selectors in the caller's space */
	uint32_t thread;
	uint32_t entry;
	struct {            /* the caller's pages that hold the child's image */
		void *mem;
		unsigned pages;
	} seg[CHILD_SEGMENTS_MAX];
	unsigned segs;
};

struct child_spec {
	const char *name;
	const void *image;
	size_t size;
	unsigned prio;
	uint32_t arg;
};

/* 0 on success; otherwise an enum k_error, or -1 for a bad ELF image with
 * *why saying what is wrong with it. */
int child_start(const struct child_spec *spec, struct child *out, const char **why);

/* End a child: revoke and delete its task (so copies it holds of its own
 * capabilities cannot keep it alive) and thread, and give its pages back. */
void child_stop(struct child *c);

#endif
