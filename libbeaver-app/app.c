// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libbeaver-app: the conversation with beaverd's application socket
 * (beaverd/apps.h): subscribe, the hello, cut announcements, answers.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <jansson.h>

#include "beaver-app.h"
#include "app_internal.h"

#define HELLO_TIMEOUT_MS 5000
#define MSG_MAX (BEAVER_APP_STATE_MAX + 512)

int64_t bva_lib_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n > BEAVER_APP_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

int bva_lib_send_fd(struct beaver_app *app, json_t *j, int pass)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int err = 0;

	json_decref(j);
	if (!text)
		return -ENOMEM;
	iov.iov_base = text;
	iov.iov_len = strlen(text);
	if (pass >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.b;
		m.msg_controllen = sizeof(ctl.b);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
	}
	n = sendmsg(app->fd, &m, MSG_NOSIGNAL);
	if (n < 0)
		err = errno == EPIPE || errno == ECONNRESET ? -EPIPE : -errno;
	free(text);
	return err;
}

int bva_lib_send(struct beaver_app *app, json_t *j)
{
	return bva_lib_send_fd(app, j, -1);
}

/*
 * One message from beaverd, waiting until @deadline (CLOCK_MONOTONIC ms;
 * -1 forever, 0 only what is queued): 1 and *out (a new reference), 0 none,
 * -errno
 */
int bva_lib_defer(struct beaver_app *app, json_t *j)
{
	if (app->n_defer == BVA_LIB_DEFER) {
		json_decref(j);
		return -ENOBUFS;
	}
	app->defer[(app->defer_head + app->n_defer++) % BVA_LIB_DEFER] = j;
	return 0;
}

int bva_lib_read(struct beaver_app *app, int64_t deadline, json_t **out)
{
	char buf[MSG_MAX + 1];
	struct pollfd p = { .fd = app->fd, .events = POLLIN };
	json_t *j;
	ssize_t n;
	int wait, r;

	for (;;) {
		if (deadline < 0)
			wait = -1;
		else if (deadline == 0)
			wait = 0;
		else
			wait = deadline > bva_lib_now_ms() ?
			       (int)(deadline - bva_lib_now_ms()) : 0;
		r = poll(&p, 1, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			return 0;
		n = recv(app->fd, buf, MSG_MAX, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (!n)
			return -EPIPE;	/* beaverd closed the socket */
		buf[n] = '\0';
		j = json_loads(buf, 0, NULL);
		if (j) {
			*out = j;
			return 1;
		}
		app->malformed++;	/* not ours to parse: skip it */
	}
}

/* a hello updates the mask and the reference epoch: true if it was one */
static bool take_hello(struct beaver_app *app, json_t *j)
{
	json_int_t mask, epoch;
	const char *ev;

	if (json_unpack(j, "{s:s, s:I, s:I}", "event", &ev, "app_mark", &mask,
			"epoch", &epoch) || strcmp(ev, "hello") != 0 ||
	    mask < 0 || mask > UINT32_MAX || epoch < 0 || epoch > UINT32_MAX)
		return false;
	app->mask = (uint32_t)mask;
	bva_lib_note_epoch(app, (uint32_t)epoch);
	return true;
}

int beaver_app_open(const char *path, const char *name,
		    struct beaver_app **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct beaver_app *app;
	int64_t deadline;
	json_t *j = NULL;
	int err;

	*out = NULL;
	if (!path)
		path = BEAVER_APP_SOCKET;
	if (!name_ok(name) || strlen(path) >= sizeof(sun.sun_path))
		return -EINVAL;
	app = calloc(1, sizeof(*app));
	if (!app)
		return -ENOMEM;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	app->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (app->fd < 0 ||
	    connect(app->fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		goto fail;
	}
	err = bva_lib_send(app, json_pack("{s:s}", "subscribe", name));
	if (err)
		goto fail;
	deadline = bva_lib_now_ms() + HELLO_TIMEOUT_MS;
	err = bva_lib_read(app, deadline, &j);
	if (err <= 0) {
		err = err ? err : -ETIMEDOUT;
		goto fail;
	}
	if (!take_hello(app, j)) {
		json_decref(j);
		err = -EPROTO;
		goto fail;
	}
	json_decref(j);
	*out = app;
	return 0;
fail:
	if (app->fd >= 0)
		close(app->fd);
	free(app);
	return err;
}

void beaver_app_close(struct beaver_app *app)
{
	if (!app)
		return;
	while (app->n_defer) {
		json_decref(app->defer[app->defer_head]);
		app->defer_head = (app->defer_head + 1) % BVA_LIB_DEFER;
		app->n_defer--;
	}
	close(app->fd);
	free(app);
}

int beaver_app_fd(const struct beaver_app *app)
{
	return app->fd;
}

uint32_t beaver_app_mark_mask(const struct beaver_app *app)
{
	return app->mask;
}

uint32_t beaver_app_epoch(const struct beaver_app *app)
{
	return app->epoch;
}

int beaver_app_next_cut(struct beaver_app *app, struct beaver_app_cut *cut,
			int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 :
			   timeout_ms == 0 ? 0 : bva_lib_now_ms() + timeout_ms;
	json_int_t first, last, ns;
	const char *ev;
	json_t *j = NULL;
	int r;

	for (;;) {
		if (app->n_defer) {
			/* what came while beaver_app_tcp_cut() waited */
			j = app->defer[app->defer_head];
			app->defer_head = (app->defer_head + 1) % BVA_LIB_DEFER;
			app->n_defer--;
		} else {
			r = bva_lib_read(app, deadline, &j);
			if (r <= 0)
				return r;
		}
		if (take_hello(app, j)) {
			json_decref(j);
			continue;
		}
		if (json_unpack(j, "{s:s, s:I, s:I, s:I}", "event", &ev,
				"first", &first, "last", &last, "cut_ns", &ns) ||
		    strcmp(ev, "cut") != 0 || first < 0 || first > UINT32_MAX ||
		    last < 0 || last > UINT32_MAX || ns < 0) {
			app->malformed++;
			json_decref(j);
			continue;
		}
		json_decref(j);
		cut->first = (uint32_t)first;
		cut->last = (uint32_t)last;
		cut->epoch = (uint32_t)last;
		cut->cut_ns = (uint64_t)ns;
		bva_lib_note_epoch(app, cut->last);
		return 1;
	}
}

int beaver_app_submit(struct beaver_app *app, uint32_t epoch,
		      const char *state)
{
	if (!state)
		return -EINVAL;
	if (strlen(state) > BEAVER_APP_STATE_MAX)
		return -EMSGSIZE;
	return bva_lib_send(app, json_pack("{s:I, s:s}", "epoch",
					    (json_int_t)epoch, "state",
					    state));
}
