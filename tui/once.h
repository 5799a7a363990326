/*
 * once.h: tunneltop --once: the model printed once, as plain text (the
 * header, the table with every column, the diagnosis of each unhealthy
 * tunnel, discovery and the last events) or, with --json, as one JSON
 * document (documented in tunneltop(8)).  0, or -1 if encoding failed.
 */
#ifndef ONCE_H
#define ONCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "model.h"

int once_print(FILE *, const struct model *, bool as_json, uint64_t now_ms,
    time_t now);

#endif
