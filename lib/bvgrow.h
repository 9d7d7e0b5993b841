/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A growing array: room for one more element, the capacity doubling (16
 * to start). Shared by the records' parser (lib/records.c) and the
 * store's readers (beaverd/store.c), which all append rows of unknown
 * count.
 */
#ifndef BEAVER_LIB_BVGROW_H
#define BEAVER_LIB_BVGROW_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* room for element n of size sz in *v (capacity *cap): 0 or -ENOMEM */
static inline int bv_grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / sz)
		return -ENOMEM;
	nv = realloc(*v, ncap * sz);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

#endif /* BEAVER_LIB_BVGROW_H */
