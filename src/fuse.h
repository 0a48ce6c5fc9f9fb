#ifndef GRADC_FUSE_H
#define GRADC_FUSE_H

#include <stdbool.h>

#include "arena.h"
#include "ir.h"

/* Runs each loop's reverse sweep inside its forward sweep where the
 * iterations are independent (fuse.c); true if something changed. The
 * IR's arena holds what grows. */
bool fuse_sweeps(Cx *cx, Arena *scratch, IrFunc *f);

#endif
