/* The tasks RTCR holds capabilities to (itself and its children), by kernel id. */
#ifndef RTCR_TASKS_H
#define RTCR_TASKS_H

#include <stdint.h>

#define RTCR_TASKS_MAX 32

struct rtcr_task {
	uint32_t id;          /* kernel object id of the task */
	uint32_t task_sel;    /* selectors in RTCR's space */
	uint32_t thread_sel;
	char name[24];
};

int tasks_add(uint32_t task_sel, uint32_t thread_sel, const char *name);
const struct rtcr_task *tasks_find(uint32_t id);

#endif
