// SPDX-License-Identifier: GPL-2.0
/*
 * beaver-nl: opening sockets, running requests, reporting errors and
 * parsing numbers, with the exit codes the scenario scripts rely on.
 */
#include "bnl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beaver.h"
#include "bvnames.h"

struct bvnl *bnl_open(struct bnl *c, const char *netns)
{
	struct bvnl *b = bvnl_socket(netns);

	if (!b)
		bnl_die(c, BNL_EXIT_FAIL, "netns %s: %s",
			netns && *netns ? netns : "(current)", strerror(errno));
	return b;
}

void bnl_resolve(struct bnl *c, struct bvnl *b)
{
	int err;

	if (b->family || c->dry_run)
		return;	/* in a dry run the family id stays 0 */
	err = bvnl_resolve(b);
	if (err == -ENOENT)
		bnl_die(c, BNL_EXIT_NOFAMILY,
			"family not found (is beaver.ko loaded?)");
	if (err)
		bnl_die(c, BNL_EXIT_FAIL, "resolving the beaver family: %s",
			strerror(-err));
}

static void print_request(const struct nlmsghdr *nlh)
{
	const unsigned char *p = (const unsigned char *)nlh;

	printf("request ");
	for (uint32_t i = 0; i < nlh->nlmsg_len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

void bnl_warn_ext(struct bnl *c, struct bvnl *b)
{
	if (bvnl_ext_msg(b)[0])
		fprintf(stderr, "beaver-nl: %s: warning: %s\n", c->cmd,
			bvnl_ext_msg(b));
}

void bnl_request(struct bnl *c, struct bvnl *b, struct nlmsghdr *nlh,
		 bvnl_cb_t cb, void *data)
{
	int err;

	bnl_resolve(c, b);
	nlh->nlmsg_type = b->family;
	if (c->dry_run) {
		print_request(nlh);
		return;
	}
	err = bvnl_request(b, nlh, cb, data);
	if (err)
		bnl_fail(c, b, err);
	bnl_warn_ext(c, b);
}

void bnl_dump(struct bnl *c, struct bvnl *b, struct nlmsghdr *nlh,
	      bvnl_cb_t cb, void (*reset)(void *), void *data)
{
	int err;

	bnl_resolve(c, b);
	nlh->nlmsg_type = b->family;
	if (c->dry_run) {
		nlh->nlmsg_flags |= NLM_F_DUMP;
		print_request(nlh);
		return;
	}
	err = bvnl_dump_retry(b, nlh, cb, reset, data, BVNL_DUMP_TRIES);
	if (err == -EINTR)
		bnl_die(c, BNL_EXIT_FAIL,
			"dump interrupted %d times (records kept changing)",
			BVNL_DUMP_TRIES);
	if (err)
		bnl_fail(c, b, err);
	bnl_warn_ext(c, b);
}

void bnl_fail(struct bnl *c, struct bvnl *b, int err)
{
	char ext[BVNL_EXT_MSG_MAX + 32];

	bvnl_ext_describe(b, ext, sizeof(ext));
	if (ext[0])
		fprintf(stderr, "beaver-nl: %s: %s: %s\n", c->cmd,
			strerror(-err), ext);
	else
		fprintf(stderr, "beaver-nl: %s: %s\n", c->cmd, strerror(-err));
	exit(BNL_EXIT_FAIL);
}

void bnl_die(struct bnl *c, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "beaver-nl: %s: ", c->cmd ? c->cmd : "error");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void bnl_usage(struct bnl *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "beaver-nl: %s: ", c->cmd ? c->cmd : "usage");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see beaver-nl --help)\n");
	exit(BNL_EXIT_USAGE);
}

bool bnl_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	/* strtoull accepts "-1" and leading blanks: refuse both */
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || x > max)
		return false;
	*v = x;
	return true;
}

uint64_t bnl_arg_u64(struct bnl *c, const char *what, const char *s,
		     uint64_t max)
{
	uint64_t v;

	if (!bnl_parse_u64(s, max, &v))
		bnl_usage(c, "bad %s '%s' (a number up to %" PRIu64 ")", what,
			  s ? s : "", max);
	return v;
}

void bnl_print_cut(const char *prefix, const struct bvr_cut *cut)
{
	const char *state = bv_state_name(cut->state);
	char sbuf[24];

	if (!state) {
		snprintf(sbuf, sizeof(sbuf), "id%u", cut->state);
		state = sbuf;
	}
	/* late packets are per channel: `late` lines of a records dump */
	printf("%s epoch %u first %u last %u ns %" PRIu64 " state %s flags %u"
	       " settle_ms %u complete_ns %" PRIu64 "\n",
	       prefix, cut->epoch, cut->first, cut->last, cut->ns, state,
	       cut->flags, cut->settle_ms, cut->complete_ns);
}
