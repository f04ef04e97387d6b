/*
 * The migration layer's public header: sending and receiving tasks
 * (migrate.h), the peers (peers.h).
 */
#ifndef RTCR_MIGRATION_H
#define RTCR_MIGRATION_H

#include "migrate.h"
#include "peers.h"

#endif
