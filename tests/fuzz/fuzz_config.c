// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for beaverd.conf parsing: bvd_config_parse on the
 * input as text (cut at its first NUL, as a C string is). Errors are
 * printed to /dev/null, so that their formatting runs too.
 *
 * Oracles besides the sanitizers: a configuration that is accepted obeys
 * the rules the parser promises (no gateway+member, a group id, bounded
 * lists, every peer with an address, names that are C strings, prefix
 * lengths of their family, no IPv4-mapped address, a member's data
 * addresses all in members); a refused one leaves nothing allocated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static FILE *devnull;

/* IPv4 is kept mapped; a native IPv6 address is never :: */
static int ip_ok(const struct bv_ip *a)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;

	return memcmp(&a->a, &any, sizeof(any)) != 0;
}

static int in_members(const struct bvd_config *cfg, const struct bv_ip *a)
{
	for (size_t i = 0; i < cfg->n_members; i++)
		if (bv_ip_eq(&cfg->members[i], a))
			return 1;
	return !cfg->n_members;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bvd_config cfg;
	char *text = malloc(size + 1);
	int rc;

	if (!text)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	memcpy(text, data, size);
	text[size] = '\0';

	rc = bvd_config_parse(text, "fuzz.conf", &cfg, devnull);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(cfg.roles);
		CHECK((cfg.roles & (BVD_ROLE_GATEWAY | BVD_ROLE_MEMBER)) !=
		      (BVD_ROLE_GATEWAY | BVD_ROLE_MEMBER));
		CHECK(cfg.group >= 1);
		CHECK(cfg.n_members <= BVD_MAX_ADDRS);
		CHECK(cfg.n_vips <= BVD_MAX_ADDRS);
		CHECK(cfg.n_allow <= BVD_MAX_ALLOW);
		CHECK(cfg.n_peers <= BVD_MAX_PEERS);
		CHECK(!(cfg.roles & BVD_ROLE_COORDINATOR) || cfg.n_peers);
		CHECK(memchr(cfg.node, '\0', sizeof(cfg.node)) && cfg.node[0]);
		for (size_t i = 0; i < cfg.n_allow; i++)
			CHECK(cfg.allow[i].len <=
			      (bv_ip_is4(&cfg.allow[i].addr) ? 32 : 128));
		for (size_t i = 0; i < cfg.n_members; i++)
			CHECK(ip_ok(&cfg.members[i]));
		for (size_t i = 0; i < cfg.n_peers; i++) {
			const struct bvd_peer_conf *p = &cfg.peers[i];

			CHECK(p->gateway || (p->n_data >= 1 &&
					     p->n_data <= BVD_PEER_DATA));
			for (size_t d = 0; !p->gateway && d < p->n_data; d++)
				CHECK(in_members(&cfg, &p->data[d]));
		}
		for (size_t i = 0; i < cfg.n_peers; i++) {
			CHECK(memchr(cfg.peers[i].name, '\0',
				     sizeof(cfg.peers[i].name)));
			CHECK(cfg.peers[i].control.sin_family == AF_INET);
			CHECK(cfg.peers[i].control.sin_port != 0);
			for (size_t j = 0; j < i; j++)
				CHECK(strcmp(cfg.peers[i].name,
					     cfg.peers[j].name));
		}
	} else {
		CHECK(!cfg.members && !cfg.vips && !cfg.allow && !cfg.peers);
	}
	bvd_config_free(&cfg);
	free(text);
	return 0;
}
