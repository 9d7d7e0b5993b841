// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Application subscriptions to cuts. See apps.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "apps.h"
#include "log.h"
#include "loop.h"

struct cut_slot {
	uint32_t first, last;
	json_t *states;		/* array of {"app","state"} */
};

struct app {
	int fd;
	char name[64];
};

struct bva_server {
	int fd;
	char path[256];
	struct app apps[BVA_MAX_APPS];
	struct cut_slot cuts[BVA_KEEP];
	size_t next;
	uint64_t dropped;
};

static void app_close(struct app *a)
{
	bvl_unwatch(a->fd);
	close(a->fd);
	a->fd = -1;
	a->name[0] = '\0';
}

static struct cut_slot *find_cut(struct bva_server *s, uint32_t epoch)
{
	for (size_t i = 0; i < BVA_KEEP; i++)
		if (s->cuts[i].states && epoch >= s->cuts[i].first &&
		    epoch <= s->cuts[i].last)
			return &s->cuts[i];
	return NULL;
}

static void app_readable(int fd, short revents, void *data)
{
	struct bva_server *s = data;
	struct app *a = NULL;
	char buf[BVA_STATE_MAX + 512];
	const char *name, *state;
	struct cut_slot *c;
	json_int_t epoch;
	json_t *j;
	ssize_t n;

	for (size_t i = 0; i < BVA_MAX_APPS; i++)
		if (s->apps[i].fd == fd)
			a = &s->apps[i];
	if (!a)
		return;
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n <= 0 || (revents & (POLLHUP | POLLERR))) {
		if (n < 0 && errno == EAGAIN)
			return;
		app_close(a);
		return;
	}
	buf[n] = '\0';
	j = json_loads(buf, 0, NULL);
	if (!j) {
		s->dropped++;
		return;
	}
	if (!json_unpack(j, "{s:s}", "subscribe", &name)) {
		snprintf(a->name, sizeof(a->name), "%s", name);
		bvd_info("application '%s' subscribed to cuts", a->name);
	} else if (a->name[0] &&
		   !json_unpack(j, "{s:I, s:s}", "epoch", &epoch, "state",
				&state) &&
		   strlen(state) <= BVA_STATE_MAX &&
		   (c = find_cut(s, (uint32_t)epoch))) {
		json_array_append_new(c->states, json_pack("{s:s, s:s}", "app",
							   a->name, "state",
							   state));
	} else {
		s->dropped++;
	}
	json_decref(j);
}

static void listen_readable(int fd, short revents, void *data)
{
	struct bva_server *s = data;
	int c;

	(void)revents;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		size_t i;

		for (i = 0; i < BVA_MAX_APPS && s->apps[i].fd >= 0; i++)
			;
		if (i == BVA_MAX_APPS) {
			close(c);	/* bounded: refuse the 17th */
			continue;
		}
		s->apps[i].fd = c;
		s->apps[i].name[0] = '\0';
		bvl_watch(c, POLLIN, app_readable, s);
	}
}

int bva_open(const char *run_dir, struct bva_server **out, char *why,
	     size_t why_len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct bva_server *s = calloc(1, sizeof(*s));
	mode_t old;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < BVA_MAX_APPS; i++)
		s->apps[i].fd = -1;
	if (strlen(run_dir) + sizeof("/apps.sock") > sizeof(sun.sun_path)) {
		snprintf(why, why_len, "run_dir %s: path too long", run_dir);
		free(s);
		return -ENAMETOOLONG;
	}
	snprintf(s->path, sizeof(s->path), "%s/apps.sock", run_dir);
	memcpy(sun.sun_path, s->path, strlen(s->path) + 1);
	unlink(s->path);
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	old = umask(0117);	/* 0660 from the start */
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(s->fd, 16)) {
		int err = -errno;

		umask(old);
		snprintf(why, why_len, "%s: %s", s->path, strerror(-err));
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return err;
	}
	umask(old);
	bvl_watch(s->fd, POLLIN, listen_readable, s);
	*out = s;
	return 0;
}

void bva_close(struct bva_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < BVA_MAX_APPS; i++)
		if (s->apps[i].fd >= 0)
			app_close(&s->apps[i]);
	for (size_t i = 0; i < BVA_KEEP; i++)
		json_decref(s->cuts[i].states);
	bvl_unwatch(s->fd);
	close(s->fd);
	unlink(s->path);
	free(s);
}

void bva_announce(struct bva_server *s, uint32_t first, uint32_t last,
		  uint64_t cut_ns)
{
	struct cut_slot *c = &s->cuts[s->next];
	json_t *ev;
	char *text;

	s->next = (s->next + 1) % BVA_KEEP;
	json_decref(c->states);
	c->first = first;
	c->last = last;
	c->states = json_array();
	ev = json_pack("{s:s, s:I, s:I, s:I, s:I}", "event", "cut",
		       "epoch", (json_int_t)last, "first", (json_int_t)first,
		       "last", (json_int_t)last, "cut_ns", (json_int_t)cut_ns);
	text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);	/* one leaked per cut before */
	if (!text)
		return;
	for (size_t i = 0; i < BVA_MAX_APPS; i++)
		if (s->apps[i].fd >= 0 && s->apps[i].name[0])
			send(s->apps[i].fd, text, strlen(text),
			     MSG_DONTWAIT | MSG_NOSIGNAL);
	free(text);
}

json_t *bva_states(struct bva_server *s, uint32_t epoch)
{
	struct cut_slot *c = s ? find_cut(s, epoch) : NULL;

	return c ? json_copy(c->states) : json_array();
}

uint64_t bva_dropped(const struct bva_server *s)
{
	return s ? s->dropped : 0;
}
