// SPDX-License-Identifier: GPL-2.0
/*
 * bvescape: put on a host what Beaver's hooks cannot see, so that a test
 * can check that beaverd reports it (beaverd/escapes.h).
 *
 *   bvescape xdp attach DEV   an XDP program (XDP_PASS, two instructions,
 *                             loaded with bpf(2)) attached in generic mode
 *   bvescape xdp detach DEV
 *   bvescape tap DEV|any SECS an AF_PACKET socket (ETH_P_ALL) for SECS
 *                             seconds (or until SIGTERM)
 *
 * Prints `ok` and exits 0; 1 on error (the reason on stderr), 2 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>

static const char usage[] =
	"usage: bvescape xdp attach|detach DEV | tap DEV|any SECS\n";

static int die(const char *what)
{
	fprintf(stderr, "bvescape: %s: %s\n", what, strerror(errno));
	return 1;
}

/* r0 = XDP_PASS; exit */
static int xdp_pass_prog(void)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

static int xdp_set(const char *dev, int fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int ifindex = if_nametoindex(dev), seq = (unsigned)time(NULL);
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nlattr *nest;
	int ret;

	if (!ifindex)
		return die(dev);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_SETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)ifindex;
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u32(nlh, IFLA_XDP_FD, (uint32_t)fd);
	mnl_attr_put_u32(nlh, IFLA_XDP_FLAGS, XDP_FLAGS_SKB_MODE);
	mnl_attr_nest_end(nlh, nest);

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return die("rtnetlink");
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return die("rtnetlink send");
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret > 0)
		ret = mnl_cb_run(buf, (size_t)ret, seq,
				 mnl_socket_get_portid(nl), NULL, NULL);
	mnl_socket_close(nl);
	if (ret < 0)
		return die("RTM_SETLINK IFLA_XDP");
	return 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int tap(const char *dev, unsigned int secs)
{
	struct sockaddr_ll sll;
	time_t end = time(NULL) + secs;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	if (fd < 0)
		return die("socket(AF_PACKET)");
	if (strcmp(dev, "any")) {
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(ETH_P_ALL);
		sll.sll_ifindex = (int)if_nametoindex(dev);
		if (!sll.sll_ifindex)
			return die(dev);
		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
			return die("bind");
	}
	signal(SIGTERM, on_term);
	printf("ok\n");
	fflush(stdout);
	while (!stop && time(NULL) < end)
		sleep(1);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "xdp") && !strcmp(argv[2], "attach")) {
		int fd = xdp_pass_prog();

		if (fd < 0)
			return die("bpf(BPF_PROG_LOAD)");
		if (xdp_set(argv[3], fd))
			return 1;
	} else if (argc == 4 && !strcmp(argv[1], "xdp") &&
		   !strcmp(argv[2], "detach")) {
		if (xdp_set(argv[3], -1))
			return 1;
	} else if (argc == 4 && !strcmp(argv[1], "tap")) {
		char *end;
		unsigned long secs = strtoul(argv[3], &end, 10);

		if (*end || !*argv[3] || secs > 86400) {
			fputs(usage, stderr);
			return 2;
		}
		return tap(argv[2], (unsigned int)secs);
	} else {
		fputs(usage, stderr);
		return 2;
	}
	printf("ok\n");
	return 0;
}
