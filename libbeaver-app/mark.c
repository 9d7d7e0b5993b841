// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libbeaver-app: reading the epoch a member wrote into a packet's mark
 * (uapi beaver.h, "Epochs for applications"). With the mask w bits wide
 * starting at bit s, the field (mark & mask) >> s is
 * (epoch mod 2^(w-1)) << 1 | 1: even fields are packets the member did
 * not mark; an odd one names the epoch nearest the reference with those
 * low bits. The reference is the newest epoch beaverd announced (its hello,
 * the cuts): a datagram is read right as long as it was delivered within
 * 2^(w-2) epochs of it, 64 with an 8-bit mask, 16,384 with 16 bits.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "beaver-app.h"
#include "app_internal.h"

#ifndef SO_RCVMARK
#define SO_RCVMARK 75	/* Linux 5.19 */
#endif

/* is a after b, in serial arithmetic (epochs wrap at 2^32) */
static bool after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

void bva_lib_note_epoch(struct beaver_app *app, uint32_t epoch)
{
	if (!app->has_epoch || after(epoch, app->epoch))
		app->epoch = epoch;
	app->has_epoch = true;
}

int beaver_app_epoch_of_mark(struct beaver_app *app, uint32_t mark,
			     uint32_t *epoch)
{
	uint32_t mask = app->mask, field, bits, low, ref, mod;
	int32_t d;
	int shift;

	if (!mask || !app->has_epoch)
		return 0;
	shift = __builtin_ctz(mask);
	field = (mark & mask) >> shift;
	if (!(field & 1))
		return 0;
	bits = (uint32_t)__builtin_popcount(mask) - 1;	/* 1..31 */
	mod = 1u << bits;
	low = field >> 1;
	ref = app->epoch;
	/* the distance from ref's low bits to the mark's, in -mod/2..mod/2 */
	d = (int32_t)((low - ref) & (mod - 1));
	if ((uint32_t)d >= mod / 2 && bits > 0)
		d -= (int32_t)mod;
	/*
	 * not a new reference: only beaverd's announcements move it, so a
	 * stale datagram read late cannot drag it off
	 */
	*epoch = ref + (uint32_t)d;
	return 1;
}

int beaver_app_socket_enable(int fd)
{
	int one = 1;

	return setsockopt(fd, SOL_SOCKET, SO_RCVMARK, &one, sizeof(one)) ?
	       -errno : 0;
}

ssize_t beaver_app_recvfrom(struct beaver_app *app, int fd, void *buf,
			    size_t len, int flags, struct sockaddr *src,
			    socklen_t *srclen, int64_t *epoch)
{
	union {
		char b[CMSG_SPACE(sizeof(uint32_t)) * 2];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = src, .msg_namelen = srclen ? *srclen : 0,
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
	};
	struct cmsghdr *cm;
	uint32_t mark = 0, e;
	bool marked = false;
	ssize_t n;

	n = recvmsg(fd, &msg, flags);
	if (n < 0)
		return n;
	if (srclen)
		*srclen = msg.msg_namelen;
	/* SO_RCVMARK's control message is of type SO_MARK */
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_MARK &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(mark))) {
			memcpy(&mark, CMSG_DATA(cm), sizeof(mark));
			marked = true;
		}
	*epoch = marked && beaver_app_epoch_of_mark(app, mark, &e) ?
		 (int64_t)e : -1;
	return n;
}
