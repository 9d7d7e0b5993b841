/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Stable text names of the enums in kmod/uapi/beaver.h, as the tools print
 * them and scripts match them. One table here, so that beaver-nl, beaverd
 * and beaverctl never disagree.
 */
#ifndef BEAVER_LIB_BVNAMES_H
#define BEAVER_LIB_BVNAMES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Name of BEAVER_STAT_<id> / BEAVER_OBJ_<id> in lower case ("gw_stamped",
 * "flows"), or NULL for an id this build does not know (a newer module):
 * the caller prints it as "id<N>".
 */
const char *bv_stat_name(unsigned int id);
const char *bv_obj_name(unsigned int id);

/* "cut", "settling", "complete"; NULL if unknown */
const char *bv_state_name(uint32_t state);

/* "member", "vip", "gateway", "outside", "bypass"; NULL if unknown */
const char *bv_chan_kind_name(unsigned int kind);

/*
 * Role bitmap as text: "none", "gateway", "member", "gateway+member";
 * unknown bits come out as "0x<hex>". Writes buf and returns it.
 */
const char *bv_role_str(uint32_t role, char *buf, size_t len);

/* parse what bv_role_str prints (and a plain number); 0 or -EINVAL */
int bv_role_parse(const char *s, uint32_t *role);

#endif /* BEAVER_LIB_BVNAMES_H */
