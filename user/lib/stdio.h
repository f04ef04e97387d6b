/* Console output for user programs, through the Console capability. */
#ifndef USER_STDIO_H
#define USER_STDIO_H

#include <stdarg.h>
#include <stdint.h>
#include "fmt.h"

#include <stddef.h>

extern uint32_t stdout_sel;   /* SEL_CONSOLE unless a program changes it */
/* Where output goes: the Console capability stdout_sel unless a program
 * sends it elsewhere (a child's log session: session_log_init). */
extern void (*stdout_fn)(const char *text, size_t len);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);      /* no newline added */
void putchar_raw(char c);

#endif
