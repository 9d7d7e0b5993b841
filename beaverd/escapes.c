// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * XDP programs and packet sockets on this host: see escapes.h.
 */
#include "escapes.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

/* the file is small; a host with thousands of packet sockets is cut off */
#define BVE_PROC_MAX	((size_t)256 * 1024)

static void note_packet(struct bve_scan *s, int ifindex, uint16_t proto)
{
	for (size_t i = 0; i < s->n_packet; i++) {
		if (s->packet[i].ifindex == ifindex &&
		    s->packet[i].proto == proto) {
			s->packet[i].count++;
			return;
		}
	}
	if (s->n_packet == BVE_MAX) {
		s->more++;
		return;
	}
	s->packet[s->n_packet++] = (struct bve_packet){ ifindex, proto, 1 };
}

/* the next space-separated field of *p as a number in @base, or -1 */
static long field(const char **p, int base, long max)
{
	const char *q = *p;
	char *end;
	long v;

	while (*q == ' ')
		q++;
	if (*q < '0' || *q > '9') {
		if (base != 16 || !((*q >= 'a' && *q <= 'f') ||
				    (*q >= 'A' && *q <= 'F')))
			return -1;
	}
	errno = 0;
	v = strtol(q, &end, base);
	if (errno || end == q || (*end != ' ' && *end != '\n' && *end) ||
	    v > max)
		return -1;
	*p = end;
	return v;
}

/* skip one space-separated field */
static void skip(const char **p)
{
	while (**p == ' ')
		(*p)++;
	while (**p && **p != ' ' && **p != '\n')
		(*p)++;
}

int bve_parse_packet(const char *text, struct bve_scan *s)
{
	const char *line, *nl;

	if (!text)
		return -EINVAL;
	s->n_packet = 0;
	/* "sk  RefCnt Type Proto  Iface R Rmem   User   Inode" */
	nl = strchr(text, '\n');
	if (strncmp(text, "sk", 2) != 0 || !strstr(text, "Proto") ||
	    !strstr(text, "Iface") || (nl && strstr(text, "Proto") > nl))
		return -EINVAL;
	line = nl ? nl + 1 : "";
	while (*line) {
		const char *p = line;
		long proto, ifindex, running;

		/* sk RefCnt Type, then Proto (hex) Iface R */
		skip(&p);
		skip(&p);
		skip(&p);
		proto = field(&p, 16, 0xffff);
		ifindex = field(&p, 10, INT32_MAX);
		running = field(&p, 10, 1);
		if (proto < 0 || ifindex < 0 || running < 0)
			return -EINVAL;
		/* a socket that is not running receives nothing */
		if (running)
			note_packet(s, (int)ifindex, (uint16_t)proto);
		nl = strchr(line, '\n');
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

static int read_proc(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;
	char *buf;

	if (!f)
		return errno ? -errno : -EIO;
	buf = malloc(BVE_PROC_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, BVE_PROC_MAX, f);
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	return 0;
}

struct link_walk {
	struct bve_scan *s;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_walk *w = data;
	const char *name = NULL;
	uint8_t mode = XDP_ATTACHED_NONE;
	const struct nlattr *a, *x;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				name = mnl_attr_get_str(a);
			break;
		case IFLA_XDP:
			mnl_attr_for_each_nested(x, a) {
				if (mnl_attr_get_type(x) == IFLA_XDP_ATTACHED &&
				    mnl_attr_validate(x, MNL_TYPE_U8) >= 0)
					mode = mnl_attr_get_u8(x);
			}
			break;
		}
	}
	if (mode == XDP_ATTACHED_NONE)
		return MNL_CB_OK;
	if (w->s->n_xdp == BVE_MAX) {
		w->s->more++;
		return MNL_CB_OK;
	}
	snprintf(w->s->xdp[w->s->n_xdp].dev, IF_NAMESIZE, "%s",
		 name ? name : "?");
	w->s->xdp[w->s->n_xdp++].mode = mode;
	return MNL_CB_OK;
}

static int scan_xdp(struct bve_scan *s, char *why, size_t whylen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_walk w = { s };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;
	unsigned int seq = (unsigned int)time(NULL), portid;
	int ret;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		snprintf(why, whylen, "rtnetlink: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return ret;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		snprintf(why, whylen, "rtnetlink: %s", strerror(errno));
		mnl_socket_close(nl);
		return ret;
	}
	do {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = mnl_cb_run(buf, (size_t)ret, seq, portid, link_cb, &w);
	} while (ret > 0);
	if (ret < 0) {
		ret = -errno;
		snprintf(why, whylen, "rtnetlink link dump: %s",
			 strerror(errno));
	}
	mnl_socket_close(nl);
	return ret < 0 ? ret : 0;
}

int bve_scan(struct bve_scan *s, char *why, size_t whylen)
{
	char *text = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = scan_xdp(s, why, whylen);
	if (ret)
		return ret;
	ret = read_proc("/proc/net/packet", &text);
	if (ret == -ENOENT)
		return 0;	/* no AF_PACKET in this kernel: no sockets */
	if (ret) {
		snprintf(why, whylen, "/proc/net/packet: %s", strerror(-ret));
		return ret;
	}
	ret = bve_parse_packet(text, s);
	free(text);
	if (ret)
		snprintf(why, whylen, "/proc/net/packet: unknown format");
	return ret;
}

static const char *xdp_mode_name(uint8_t mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV:
		return "driver";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	case XDP_ATTACHED_MULTI:
		return "multi";
	}
	return "unknown";
}

json_t *bve_json(const struct bve_scan *s)
{
	json_t *xdp = json_array(), *pkt = json_array(), *o;

	if (!xdp || !pkt)
		goto oom;
	for (size_t i = 0; i < s->n_xdp; i++)
		if (json_array_append_new(xdp, json_pack("{s:s, s:s}",
				"dev", s->xdp[i].dev,
				"mode", xdp_mode_name(s->xdp[i].mode))))
			goto oom;
	for (size_t i = 0; i < s->n_packet; i++) {
		const struct bve_packet *p = &s->packet[i];
		char dev[IF_NAMESIZE] = "any", proto[8] = "all";

		if (p->ifindex && !if_indextoname((unsigned int)p->ifindex, dev))
			snprintf(dev, sizeof(dev), "if%d", p->ifindex);
		if (p->proto != 0x0003)		/* ETH_P_ALL */
			snprintf(proto, sizeof(proto), "0x%04x", p->proto);
		if (json_array_append_new(pkt, json_pack("{s:s, s:s, s:I}",
				"dev", dev, "proto", proto,
				"count", (json_int_t)p->count)))
			goto oom;
	}
	o = json_pack("{s:o, s:o, s:I}", "xdp", xdp, "packet_sockets", pkt,
		      "not_listed", (json_int_t)s->more);
	if (o)
		return o;
	return NULL;	/* json_pack took both references, even failing */
oom:
	json_decref(xdp);
	json_decref(pkt);
	return NULL;
}
