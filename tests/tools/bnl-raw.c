// SPDX-License-Identifier: GPL-2.0
/*
 * beaver-nl raw: hand-made requests for negative tests of the kernel's
 * attribute policies. Nothing is checked beyond what is needed to build a
 * well-formed netlink message: any command id, any attribute type (with
 * NLA_F_NESTED / NLA_F_NET_BYTEORDER bits if asked), any payload.
 * The answer is the result: `ok`, or `error ENAME msg "EXTACK"` (exit 1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "beaver.h"
#include "bnl.h"

/* "6", "0x10", "6|0x8000": numbers or-ed together, up to 16 bits */
static uint16_t parse_type(struct bnl *c, const char *s, size_t len)
{
	char buf[64], *save = NULL, *tok;
	uint64_t type = 0;

	if (!len || len >= sizeof(buf))
		bnl_usage(c, "bad attribute type in '%s'", s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (tok = strtok_r(buf, "|", &save); tok;
	     tok = strtok_r(NULL, "|", &save))
		type |= bnl_arg_u64(c, "attribute type", tok, UINT16_MAX);
	return (uint16_t)type;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* TYPE:HEX -> one attribute with exactly those payload bytes */
static void put_raw_attr(struct bnl *c, struct bvnl *b, struct nlmsghdr *nlh,
			 const char *arg)
{
	const char *colon = strchr(arg, ':');
	const char *hex;
	uint8_t *data;
	size_t n;

	if (!colon)
		bnl_usage(c, "attribute '%s' is not TYPE:HEX", arg);
	hex = colon + 1;
	n = strlen(hex);
	if (n % 2)
		bnl_usage(c, "odd number of hex digits in '%s'", arg);
	data = malloc(n / 2 + 1);
	if (!data)
		bnl_die(c, BNL_EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			bnl_usage(c, "bad hex digits in '%s'", arg);
		data[i] = (uint8_t)(hi << 4 | lo);
	}
	if (!mnl_attr_put_check(nlh, bvnl_room(b),
				parse_type(c, arg, (size_t)(colon - arg)),
				n / 2, data))
		bnl_usage(c, "attributes too large for one request");
	free(data);
}

/* errno name for scripts (EINVAL), or its number if libc has no name */
static const char *errno_name(int err, char *buf, size_t len)
{
	const char *n = strerrorname_np(err);

	if (n)
		return n;
	snprintf(buf, len, "E%d", err);
	return buf;
}

int bnl_cmd_raw(struct bnl *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	uint16_t flags = 0;
	struct bvnl *b;
	char ext[BVNL_EXT_MSG_MAX + 32], nbuf[16];
	uint8_t cmd;
	int i = 2, err;

	if (argc < 2)
		bnl_usage(c, "needs CMD");
	cmd = (uint8_t)bnl_arg_u64(c, "command", argv[1], UINT8_MAX);
	if (i + 1 < argc && !strcmp(argv[i], "--nlflags")) {
		unsigned long long f;
		char *end;

		/* always hex, with or without 0x: "300" is NLM_F_DUMP */
		errno = 0;
		f = strtoull(argv[i + 1], &end, 16);
		if (errno || *end || !*argv[i + 1] || argv[i + 1][0] == '-' ||
		    f > UINT16_MAX)
			bnl_usage(c, "bad --nlflags '%s'", argv[i + 1]);
		flags = (uint16_t)f;
		i += 2;
	}
	b = bnl_open(c, c->netns);
	nlh = bvnl_msg(b, cmd, flags);
	for (; i < argc; i++)
		put_raw_attr(c, b, nlh, argv[i]);
	bnl_resolve(c, b);
	nlh->nlmsg_type = b->family;
	if (c->dry_run) {
		bnl_request(c, b, nlh, NULL, NULL);	/* prints it */
		return BNL_EXIT_OK;
	}
	/* replies are not interesting here: only whether it was accepted */
	err = bvnl_request(b, nlh, NULL, NULL);
	bvnl_ext_describe(b, ext, sizeof(ext));
	for (char *p = ext; *p; p++)
		if (*p == '"')
			*p = '\'';	/* keep the quoted field parseable */
	if (!err) {
		printf("ok\n");
		bnl_warn_ext(c, b);
		bvnl_close(b);
		return BNL_EXIT_OK;
	}
	printf("error %s msg \"%s\"\n", errno_name(-err, nbuf, sizeof(nbuf)),
	       ext);
	bvnl_close(b);
	return BNL_EXIT_FAIL;
}
