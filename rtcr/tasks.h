/* The tasks RTCR holds capabilities to (itself and its children), by kernel id. */
#ifndef RTCR_TASKS_H
#define RTCR_TASKS_H

#include <stdint.h>
#include <stdbool.h>
#include "loader.h"

#define RTCR_TASKS_MAX 32

struct rtcr_task {
	uint32_t id;          /* kernel object id of the task */
	uint32_t task_sel;    /* selectors in RTCR's space */
	uint32_t thread_sel;
	bool is_child;        /* else RTCR itself */
	struct child child;   /* what it takes to stop it */
	char name[24];
};

/* RTCR itself, then each child started. */
int tasks_add_root(const char *name);
int tasks_add_child(const struct child *c, const char *name, uint32_t *id);
const struct rtcr_task *tasks_find(uint32_t id);
/* Stop a child and forget it; E_NOT_FOUND / E_INVALID_ARG (not a child). */
int tasks_kill(uint32_t id);

#endif
