// SPDX-License-Identifier: GPL-2.0
/*
 * beaver-nl records: dump one snapshot (BEAVER_CMD_GET_RECORDS), merge the
 * per-CPU shares with lib/records.c and print one line per record. --raw
 * prints the shares as the kernel sent them, with `cpu N` appended so that
 * the columns of the merged form keep their positions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "beaver.h"
#include "bnl.h"
#include "bvnames.h"
#include "records_nl.h"

static int records_cb(const struct nlmsghdr *nlh, void *data)
{
	return bvr_nl_parse_msg(nlh, data);
}

static void records_reset(void *data)
{
	bvr_reset(data);
}

static void print_tot(const struct bvr_tot *t)
{
	printf(" tx_pkts %" PRIu64 " tx_bytes %" PRIu64 " rx_pkts %" PRIu64
	       " rx_bytes %" PRIu64, t->tx_pkts, t->tx_bytes, t->rx_pkts,
	       t->rx_bytes);
}

static void print_seq(const char *key, bool valid, uint32_t seq)
{
	if (valid)
		printf(" %s %u", key, seq);
	else
		printf(" %s -", key);
}

static void print_cpu(bool raw, uint32_t cpu)
{
	if (raw)
		printf(" cpu %u", cpu);
	printf("\n");
}

static void print_flow(const struct bvr_flow *f, bool raw)
{
	char la[BV_IP_STRLEN], ra[BV_IP_STRLEN];

	printf("flow proto %u laddr %s lport %u raddr %s rport %u", f->proto,
	       bv_ip_ntop(&f->laddr, la), f->lport, bv_ip_ntop(&f->raddr, ra),
	       f->rport);
	print_tot(&f->tot);
	print_seq("tx_seq", f->tot.tx_seq_valid, f->tot.tx_seq);
	print_seq("rx_seq", f->tot.rx_seq_valid, f->tot.rx_seq);
	print_cpu(raw, f->cpu);
}

static void print_chan(const struct bvr_chan *ch, bool raw)
{
	const char *kind = bv_chan_kind_name(ch->kind);
	char pa[BV_IP_STRLEN];

	if (kind)
		printf("chan kind %s", kind);
	else
		printf("chan kind id%u", ch->kind);
	printf(" peer %s", bv_ip_ntop(&ch->peer, pa));
	print_tot(&ch->tot);
	printf(" inflight_pkts %" PRIu64 " inflight_bytes %" PRIu64,
	       ch->inflight_pkts, ch->inflight_bytes);
	print_cpu(raw, ch->cpu);
}

static void print_late(const struct bvr_late *l, bool raw)
{
	const char *kind = bv_chan_kind_name(l->kind);
	char pa[BV_IP_STRLEN];

	if (kind)
		printf("late kind %s", kind);
	else
		printf("late kind id%u", l->kind);
	printf(" peer %s first %u last %u arrived %u pkts %" PRIu64
	       " bytes %" PRIu64, bv_ip_ntop(&l->peer, pa), l->first, l->last,
	       l->arrived, l->pkts, l->bytes);
	print_cpu(raw, l->cpu);
}

static void print_capture(const struct bvr_capture *cp)
{
	printf("capture stamp %u epoch %u ns %" PRIu64 " len %u data ",
	       cp->stamp, cp->epoch, cp->ns, cp->len);
	for (size_t i = 0; i < cp->data_len; i++)
		printf("%02x", cp->data[i]);
	/* an empty field would shift awk's columns */
	printf("%s\n", cp->data_len ? "" : "-");
}

/*
 * dump and print one epoch's records over b (one socket for a range);
 * false if the dump had no cut
 */
static bool records_one(struct bnl *c, struct bvnl *b, uint32_t epoch,
			bool raw)
{
	struct bvr_records r;
	struct nlmsghdr *nlh;
	bool has_cut;

	bvr_init(&r);
	r.epoch = epoch;
	nlh = bvnl_msg(b, BEAVER_CMD_GET_RECORDS, 0);
	mnl_attr_put_u32(nlh, BEAVER_A_EPOCH, epoch);
	bnl_dump(c, b, nlh, records_cb, records_reset, &r);
	if (c->dry_run) {
		bvr_free(&r);
		return true;
	}
	if (!raw)
		bvr_merge(&r);
	if (r.has_cut)
		bnl_print_cut("cut", &r.cut);
	for (size_t i = 0; i < r.n_flows; i++)
		print_flow(&r.flows[i], raw);
	if (r.has_retired) {
		/* retired and untracked flows, all CPUs: one line */
		printf("retired");
		print_tot(&r.retired);
		printf("\n");
	}
	for (size_t i = 0; i < r.n_chans; i++)
		print_chan(&r.chans[i], raw);
	for (size_t i = 0; i < r.n_lates; i++)
		print_late(&r.lates[i], raw);
	for (size_t i = 0; i < r.n_caps; i++)
		print_capture(&r.caps[i]);
	has_cut = r.has_cut;
	bvr_free(&r);
	if (!has_cut)
		/* the API promises a cut record first: say so loudly */
		fprintf(stderr, "beaver-nl: records %u: no cut record in the dump\n",
			epoch);
	return has_cut;
}

/*
 * records EPOCH, or FIRST..LAST: every epoch of the range, each after an
 * `epoch E` line (a test that reads a hundred records pays for one
 * process, not a hundred: under TCG each costs tens of milliseconds)
 */
int bnl_cmd_records(struct bnl *c, int argc, char **argv)
{
	bool raw = false, have_epoch = false, range = false, ok = true;
	uint32_t first = 0, last = 0;
	struct bvnl *b;

	for (int i = 1; i < argc; i++) {
		const char *dots = strstr(argv[i], "..");

		if (!strcmp(argv[i], "--raw")) {
			raw = true;
		} else if (have_epoch) {
			bnl_usage(c, "unexpected argument '%s'", argv[i]);
		} else if (dots) {
			char lo[24];

			if ((size_t)(dots - argv[i]) >= sizeof(lo))
				bnl_usage(c, "bad epoch range '%s'", argv[i]);
			memcpy(lo, argv[i], (size_t)(dots - argv[i]));
			lo[dots - argv[i]] = '\0';
			first = (uint32_t)bnl_arg_u64(c, "epoch", lo, UINT32_MAX);
			last = (uint32_t)bnl_arg_u64(c, "epoch", dots + 2,
						     UINT32_MAX);
			if (last < first || last - first >= 100000)
				bnl_usage(c, "bad epoch range '%s' (FIRST..LAST, at most 100000)",
					  argv[i]);
			have_epoch = range = true;
		} else {
			first = last = (uint32_t)bnl_arg_u64(c, "epoch", argv[i],
							     UINT32_MAX);
			have_epoch = true;
		}
	}
	if (!have_epoch)
		bnl_usage(c, "needs EPOCH or FIRST..LAST");
	/* the family is resolved once, not per epoch */
	b = bnl_open(c, c->netns);
	for (uint32_t e = first;; e++) {
		if (range)
			printf("epoch %u\n", e);
		ok &= records_one(c, b, e, raw);
		if (e == last)
			break;
	}
	bvnl_close(b);
	return ok ? BNL_EXIT_OK : BNL_EXIT_FAIL;
}
