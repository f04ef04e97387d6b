/* The serial console of RTCR: prompt `rtcr> `, one command per line. */
#ifndef SHELL_H
#define SHELL_H

void shell_run(void);

#endif
