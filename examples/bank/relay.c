// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bank-relay: the out-group service of the bank example. It receives
 * transfers on BANK_RELAY_PORT and sends each one on, unchanged, to the
 * group's VIP at port BANK_VIA_PORT + receiver: a dumb forwarder, the
 * external causal chain that only the gateways' marks keep consistent.
 *
 *   bank-relay --vip VIP [--timeout-ms T] [--ready-file F]
 *
 * Prints `relayed N` when it ends (SIGTERM or the time-out).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bank.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vip", required_argument, NULL, 'v' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'f' },
		{ 0 }
	};
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(BANK_RELAY_PORT) };
	struct sockaddr_in vip = { .sin_family = AF_INET };
	struct sigaction act = { .sa_handler = on_signal };
	const char *ready = NULL;
	long timeout_ms = 60000;
	unsigned long long relayed = 0;
	struct timespec t0, t;
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			if (inet_pton(AF_INET, optarg, &vip.sin_addr) != 1)
				goto usage;
			break;
		case 't': {
			char *end;

			errno = 0;
			timeout_ms = strtol(optarg, &end, 10);
			if (errno || *end || timeout_ms <= 0)
				goto usage;
			break;
		}
		case 'f': ready = optarg; break;
		default: goto usage;
		}
	}
	if (!vip.sin_addr.s_addr || optind != argc)
		goto usage;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("bank-relay: bind");
		return 1;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct bank_msg m;
		char b[512];
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (stop || (t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms)
			break;
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (n < 0 || bank_msg_decode(b, (size_t)n, &m) || m.type != 'T')
			continue;
		/* the receiver's own port on the VIP: IPVS sends it to them */
		vip.sin_port = htons((uint16_t)(BANK_VIA_PORT + m.to));
		if (sendto(fd, b, (size_t)n, 0, (struct sockaddr *)&vip, sizeof(vip)) == n)
			relayed++;
		else
			fprintf(stderr, "bank-relay: sendto: %s\n", strerror(errno));
	}
	printf("relayed %llu\n", relayed);
	return 0;
usage:
	fprintf(stderr, "usage: bank-relay --vip VIP [--timeout-ms T] [--ready-file F]\n");
	return 2;
}
