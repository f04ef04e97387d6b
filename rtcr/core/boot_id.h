/*
 * This boot's identity: 64 bits that, with an image's id, name every image
 * this boot of this board takes, wherever the image goes later (another
 * board, a host, this board after a reboot). Ids restart at 1 on every
 * boot; the identity tells the images of two boots apart, so an increment
 * can never be applied to another boot's image that has its base's id.
 *
 * A board has no random source RTCR could count on, so the identity comes
 * from when things happened since boot (console lines, requests, faults)
 * measured in microseconds: made on first use, after the operator's first
 * commands, it differs from boot to boot.
 */
#ifndef RTCR_BOOT_ID_H
#define RTCR_BOOT_ID_H

#include <stdint.h>

/* Something happened now (t: a time in microseconds, or any changing value). */
void boot_id_stir(uint64_t t);
/* The identity; never 0, the same for the rest of this boot once asked for. */
uint64_t boot_id(void);

#endif
